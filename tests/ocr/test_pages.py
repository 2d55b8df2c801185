"""Doubtful page reads and lines the page read dropped, read again on their own (ocr/pages.py),
and blank values verified by their pixels (ocr/sink.py), with real Tesseract on rendered
lines."""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from ocr.engine import TesseractEngine, Word
from ocr.fields import match_vocab
from ocr.layout import Table, cell_text
from ocr.pages import DOUBTFUL_CONF, _ink_bands, read_missed_lines, reread_doubtful
from ocr.sink import FieldSink
from ocr.tess_api import TesserocrEngine
from ocr.year_common import body_rows
from ocr.year_thcs import SUBJECT_INDEX

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"


def _line(text: str, x: int = 60, size: int = 40) -> np.ndarray:
    img = Image.new("L", (1400, 160), 255)
    ImageDraw.Draw(img).text((x, 50), text, font=ImageFont.truetype(FONT, size), fill=0)
    return np.array(img)


class Counting(TesserocrEngine):
    def __init__(self) -> None:
        super().__init__()
        self.crops = 0

    def read_lines(self, image: np.ndarray, *, alphabet: str | None = None) -> list[Word]:
        self.crops += 1
        return super().read_lines(image, alphabet=alphabet)


def test_a_garbled_phrase_is_read_again_on_its_own() -> None:
    image = _line("Giới tính: Nam", x=700)
    garbled = [Word("S3", 0.0, 700, 50, 190, 45), Word("NREI", 0.0, 920, 50, 110, 45)]
    fresh = reread_doubtful(garbled, image, [], TesserocrEngine())
    assert " ".join(w.text for w in sorted(fresh, key=lambda w: w.x)) == "Giới tính: Nam"
    assert all(w.conf > DOUBTFUL_CONF for w in fresh)


class LayoutFails(TesserocrEngine):
    """The layout-analysing read garbles a label and a value in two fonts («Lớp: 2C3» came
    back "LöD: ¿C3" at 0 % from a p1 page); the raw line read is the real one."""

    def read_lines(self, image: np.ndarray, *, alphabet: str | None = None) -> list[Word]:
        return [Word("LöD:", 0.0, 10, 10, 60, 40), Word("¿C3", 89.0, 80, 10, 60, 40)]


def test_a_phrase_the_layout_read_cannot_mend_is_read_as_one_raw_line() -> None:
    image = _line("Lớp: 6B", x=700)
    read = TesserocrEngine().read_page(image)
    garbled = [Word(j, 0.0, w.x, w.y, w.w, w.h) for j, w in zip(("DU:", "¿C2"), read, strict=True)]
    fresh = reread_doubtful(garbled, image, [], LayoutFails())
    assert " ".join(w.text for w in sorted(fresh, key=lambda w: w.x)).startswith("Lớp: 6B")


def test_confident_words_are_not_read_again() -> None:
    image = _line("Họ và tên: Lê Văn An")
    engine = Counting()
    words = engine.read_page(image)
    assert min(w.conf for w in words) > DOUBTFUL_CONF
    assert reread_doubtful(words, image, [], engine) == words
    assert engine.crops == 0


def test_a_worse_re_read_keeps_the_page_read() -> None:
    image = _line("")  # nothing there: the re-read finds nothing better
    page_words = [Word("Nam", 20.0, 700, 50, 110, 45)]
    assert reread_doubtful(page_words, image, [], TesserocrEngine()) == page_words


def _sink(image: np.ndarray) -> FieldSink:
    return FieldSink(page=1, image=image, engine=TesserocrEngine())


def test_leaders_and_specks_are_blank() -> None:
    image = _line("." * 60)
    image[100, 300] = 0  # a speck
    assert _sink(image).is_blank((40, 20, 1300, 120), text_height=40)


def test_a_frames_corner_reaching_into_the_place_is_blank() -> None:
    image = np.full((400, 1400), 255, np.uint8)
    image[50:250, 300:303] = 0  # a photo frame's right edge, coming down into the place
    image[247:250, 100:303] = 0  # and its bottom edge
    place = (280, 220, 1000, 60)
    assert _sink(image).is_blank(place, text_height=40)
    image[230:270, 600:625] = 0  # a glyph in the place
    assert not _sink(image).is_blank(place, text_height=40)


def test_a_value_even_faint_is_not_blank() -> None:
    image = np.where(_line("Lê Văn An") < 128, 150, 255).astype(np.uint8)  # grey ink
    assert not _sink(image).is_blank((40, 20, 1300, 120), text_height=40)


def _subject_table() -> tuple[np.ndarray, Table]:
    """A header row and two subject rows, ruled, names in the first column."""
    img = Image.new("L", (900, 330), 255)
    draw = ImageDraw.Draw(img)
    font = ImageFont.truetype(FONT, 36)
    table = Table(xs=(20, 400, 880), ys=(20, 110, 210, 310))
    for y in table.ys:
        draw.line((20, y, 880, y), fill=0, width=3)
    for x in table.xs:
        draw.line((x, 20, x, 310), fill=0, width=3)
    for text, (x, y) in (("Môn học", (40, 45)), ("Toán", (40, 140)), ("Ngữ văn", (40, 240))):
        draw.text((x, y), text, font=font, fill=0)
    return np.array(img), table


def test_a_garbled_row_name_is_read_alone_and_kept_only_if_it_names_a_row() -> None:
    image, table = _subject_table()
    page_words = [
        Word("Môn", 96.0, 40, 50, 80, 36),
        Word("học", 96.0, 130, 50, 70, 36),
        Word("ng", 0.0, 40, 145, 60, 36),  # what the page read made of "Toán"
        Word("Ngữ", 96.0, 40, 245, 80, 36),
        Word("văn", 96.0, 130, 245, 70, 36),
    ]
    is_subject = lambda t: match_vocab(t, SUBJECT_INDEX).ok  # noqa: E731
    _, rows = body_rows(table, page_words, is_subject, _sink(image))
    names = [str(match_vocab(cell_text(cells[0]), SUBJECT_INDEX).value) for _, cells in rows]
    assert names == ["Toán", "Ngữ văn"]
    assert all(table.cell_of(w) == (1, 0) for w in rows[0][1][0])  # page coordinates


SERIF = "/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf"


def _form_lines() -> np.ndarray:
    """Three labelled lines; the last filled in a second font on a higher baseline, as a
    printer's second pass over a pre-printed form leaves it."""
    img = Image.new("L", (2000, 420), 255)
    draw = ImageDraw.Draw(img)
    sans, serif = ImageFont.truetype(FONT, 40), ImageFont.truetype(SERIF, 44)
    draw.text((100, 40), "Dân tộc: Kinh", font=sans, fill=0)
    draw.text((100, 160), "Họ tên mẹ: Hoàng Phương Ánh", font=sans, fill=0)
    draw.text((1200, 292), "Năm học:", font=sans, fill=0)
    draw.text((1400, 278), "2021 - 2022", font=serif, fill=0)
    return np.array(img)


def _text(words: list[Word], top: int, bottom: int) -> str:
    return " ".join(w.text for w in sorted(words, key=lambda w: w.x) if top <= w.cy <= bottom)


def test_lines_the_page_read_dropped_are_read_on_their_own() -> None:
    image = _form_lines()
    engine = TesserocrEngine()
    kept = [w for w in engine.read_page(image) if w.cy < 120]  # the page read lost two lines
    words = read_missed_lines(kept, image, [], engine)
    assert _text(words, 0, 120) == "Dân tộc: Kinh"  # read once: not read again
    assert _text(words, 140, 240) == "Họ tên mẹ: Hoàng Phương Ánh"
    assert _text(words, 260, 360).endswith("học: 2021 - 2022")  # "Năm" may be doubtful


def test_a_line_on_two_baselines_is_read_without_layout_analysis() -> None:
    line = _form_lines()[250:380, 1150:1750]
    engine = TesserocrEngine()
    assert engine.read_raw_line(line)
    assert TesseractEngine().read_raw_line(line)


def test_tables_and_blank_paper_hold_no_missed_line() -> None:
    image = _form_lines()
    image[130:260] = 255  # the mother's line erased
    table = Table(xs=(0, 2000), ys=(0, 125))  # the first line inside a table
    bands = _ink_bands(image, [table])
    assert len(bands) == 1 and 270 <= bands[0][0] < bands[0][1] <= 350
