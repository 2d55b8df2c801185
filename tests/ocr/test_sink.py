"""Table cells decided by a vote of read families (ocr/sink.py), with real Tesseract: rating
cells get an `eng` family restricted to their vocabulary's letters, score cells keep digits."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from ocr.engine import DIGITS, Box, OcrEngine, TesseractEngine, Word
from ocr.fields import Parsed, first_int, parse_score, parse_text, vocab_parser
from ocr.glyphs import DIGIT_ALPHABET
from ocr.sink import (
    LARGE_LETTER_HEIGHT,
    SMALL_X_HEIGHT,
    FieldSink,
    _crops,
    _majority,
    _one_model_blind,
    _side_with_glyphs,
    _sure_reads_agree,
    _text_enlarged,
    _text_guess,
    _text_shrunk,
)
from ocr.tess_api import TesserocrEngine
from ocr.year_th import LEVEL_INDEX, PC_NL_INDEX, PC_NL_LETTERS
from ocr.year_thcs import CONDUCT_INDEX, RANK_LETTERS

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf"
SANS = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"


def _table(texts: list[str]) -> tuple[np.ndarray, list[Box]]:
    """One ruled row of cells at 300 dpi, one printed value centred-ish in each."""
    font = ImageFont.truetype(FONT, 40)
    img = Image.new("L", (260 * len(texts) + 40, 200), 255)
    draw = ImageDraw.Draw(img)
    boxes = []
    for i, text in enumerate(texts):
        x = 20 + 260 * i
        draw.rectangle((x, 40, x + 240, 140), outline=0, width=3)
        draw.text((x + 90, 62), text, font=font, fill=0)
        boxes.append((x, 40, 240, 100))
    return np.asarray(img), boxes


def _one_cell(text: str, size: int = 44) -> tuple[np.ndarray, Box]:
    """One ruled cell with a value in DejaVu Serif at `size` px (40 px is `_table`'s)."""
    img = Image.new("L", (300, 200), 255)
    draw = ImageDraw.Draw(img)
    draw.rectangle((20, 40, 260, 140), outline=0, width=3)
    draw.text((110, 62), text, font=ImageFont.truetype(FONT, size), fill=0)
    return np.asarray(img), (20, 40, 240, 100)


class Recording:
    """The real engine, noting the alphabet of every strip and single-cell read."""

    def __init__(self, engine: OcrEngine) -> None:
        self.engine = engine
        self.alphabets: list[str | None] = []

    def read_page(self, image: np.ndarray) -> list[Word]:
        return self.engine.read_page(image)

    def read_lines(self, image: np.ndarray, *, alphabet: str | None = None) -> list[Word]:
        self.alphabets.append(alphabet)
        return self.engine.read_lines(image, alphabet=alphabet)

    def read_line(self, image: np.ndarray, *, alphabet: str | None = None) -> tuple[str, float]:
        self.alphabets.append(alphabet)
        return self.engine.read_line(image, alphabet=alphabet)

    def read_raw_line(self, image: np.ndarray) -> list[Word]:
        return self.engine.read_raw_line(image)


def _garbage(box: Box) -> list[Word]:
    """What the full-page read makes of a lone Đ in a wide cell on a degraded scan."""
    return [Word("lồi", 41.0, box[0] + 80, box[1] + 20, 40, 50)]


@pytest.mark.parametrize("engine_type", [TesserocrEngine, TesseractEngine])
def test_rating_cells_decide_through_the_letter_family_without_the_page_read(
    engine_type: type[OcrEngine],
) -> None:
    image, boxes = _table(["Đ", "T", "C"])
    engine = Recording(engine_type())
    sink = FieldSink(page=1, image=image, engine=engine)
    sink.prefetch(boxes, PC_NL_LETTERS)
    parse = vocab_parser(PC_NL_INDEX)
    values = [sink.take(f"q[{i}]", _garbage(b), parse, cell=b) for i, b in enumerate(boxes)]
    assert values == ["Đạt", "Tốt", "Cần cố gắng"]
    assert sink.flags == []
    assert engine.alphabets == [None, PC_NL_LETTERS]  # one strip per family, no re-reads
    assert sink.second_reads[boxes[0]][1][0] == "D"  # eng's ASCII D is the entry printed Đ
    assert "lồi" in sink.readings[0].raw  # the page read stays on record for the steward


def test_the_same_cells_read_for_digits_stay_with_a_person() -> None:
    # Before: the second family read digits in a letter cell, so only `vie` backed the value.
    image, boxes = _table(["Đ"])
    sink = FieldSink(page=1, image=image, engine=TesserocrEngine())
    sink.prefetch(boxes)
    value = sink.take("q[0]", _garbage(boxes[0]), vocab_parser(PC_NL_INDEX), cell=boxes[0])
    assert value == "Đạt"  # the best guess shown ...
    assert [f.code for f in sink.flags] == ["READS_DISAGREE"]  # ... but never decided alone


def test_a_lone_letter_the_reads_split_on_is_read_shrunk_by_both_models() -> None:
    """DejaVu Serif «Đ» at 44 px: `eng` with the vocabulary's letters reads nothing at print
    size, "D" shrunk; `vie` reads it either way."""
    image, cell = _one_cell("Đ")
    sink = FieldSink(page=1, image=image, engine=TesserocrEngine())
    sink.alphabets[cell] = PC_NL_LETTERS
    sink.second_reads[cell] = [("Ð", 67.0), ("", 0.0)]  # the strips: `eng` read nothing
    value = sink.take("q[0]", _garbage(cell), vocab_parser(PC_NL_INDEX), cell=cell)
    assert value == "Đạt"
    assert sink.flags == []
    assert sink.readings[0].raw.endswith("Đ / D")  # the shrunk reads, on record


def test_score_cells_keep_the_digit_family_in_a_mixed_prefetch() -> None:
    image, boxes = _table(["K", "8,5"])
    engine = Recording(TesserocrEngine())
    sink = FieldSink(page=1, image=image, engine=engine)
    sink.prefetch(boxes, [RANK_LETTERS["conduct"], DIGITS])
    assert engine.alphabets == [None, DIGIT_ALPHABET, RANK_LETTERS["conduct"], DIGITS]
    assert sink.glyph_reads == {boxes[1]: "8,5"}  # the score alone is read glyph by glyph
    assert sink.second_reads[boxes[1]][1][0] == "8,5"
    rank = sink.take("conduct", _garbage(boxes[0]), vocab_parser(CONDUCT_INDEX), cell=boxes[0])
    score = sink.take("score", [], parse_score, numeric=True, cell=boxes[1])
    assert (rank, score) == ("Khá", 8.5)
    assert sink.flags == []


def test_single_cell_rereads_use_the_cells_alphabet() -> None:
    image, boxes = _table(["T"])
    engine = Recording(TesserocrEngine())
    sink = FieldSink(page=1, image=image, engine=engine)
    sink.prefetch(boxes, PC_NL_LETTERS)
    sink.second_reads[boxes[0]] = [("", 0.0), ("", 0.0)]  # strip reads lost: split vote
    value = sink.take("q[0]", _garbage(boxes[0]), vocab_parser(PC_NL_INDEX), cell=boxes[0])
    assert value == "Tốt"
    assert engine.alphabets[-2:] == [None, PC_NL_LETTERS]
    assert sink.flags == []


def test_a_glyph_read_doubts_a_value_both_models_misread_alike() -> None:
    image, boxes = _table(["7,5"])
    sink = FieldSink(page=1, image=image, engine=TesserocrEngine())
    sink.prefetch(boxes)
    assert sink.glyph_reads[boxes[0]] == "7,5"
    # what `vie` and `eng` both make of "7,5" in one serif font, on the page and in the cell
    sink.second_reads[boxes[0]] = [("7,9", 96.0), ("7,9", 95.0)]
    x, y, _, _ = boxes[0]
    value = sink.take("s", [Word("7,9", 96.0, x + 90, y + 22, 70, 45)], parse_score, cell=boxes[0])
    assert value == 7.9  # the best guess shown, never decided:
    assert [f.code for f in sink.flags] == ["READS_DISAGREE"]
    assert sink.readings[0].raw == "7,9 / 7,9 / 7,9 / 7,5"  # the repair's alternatives


def test_a_value_the_cell_reads_decide_is_boxed_by_its_ink_not_the_junk_page_word() -> None:
    """The page read's junk word can cover half the value: its box would cut the crop a
    steward sees, and the handwriting measure would judge half a value."""
    image, boxes = _table(["6,8"])
    sink = FieldSink(page=1, image=image, engine=TesserocrEngine())
    sink.prefetch(boxes)
    x, y, _, _ = boxes[0]
    junk = Word("êt", 20.0, x + 88, y + 22, 30, 45)
    assert sink.take("s", [junk], parse_score, cell=boxes[0]) == 6.8
    bx, by, bw, bh = sink.readings[0].box
    ink = image[y + 10 : y + 90, x + 10 : x + 230] < 128
    cols = np.flatnonzero(ink.any(axis=0)) + x + 10
    assert bx <= cols[0] and bx + bw >= cols[-1]  # the whole value, not the junk word's box
    assert bw < 200 and by > y  # ... and not the whole cell


def test_both_models_reading_the_cell_shrunk_side_with_the_glyph_read() -> None:
    """DejaVu Serif «7,5» at 44 px: `vie` reads "7,9" at print size, "7,5" shrunk."""
    image, cell = _one_cell("7,5")
    sink = FieldSink(page=1, image=image, engine=TesserocrEngine())
    sink.prefetch([cell])
    assert sink.glyph_reads[cell] == "7,5"
    sink.second_reads[cell] = [("7,9", 96.0), ("7,9", 95.0)]  # both models misread alike
    value = sink.take("s", [Word("7,9", 96.0, 110, 62, 80, 50)], parse_score, cell=cell)
    assert value == 7.5
    assert sink.flags == []
    assert sink.readings[0].raw.startswith("7,9 / 7,9 / 7,9 / 7,5 / 7,5 / 7,5")


@pytest.mark.parametrize(
    ("page", "vie", "eng", "glyph", "decided"),
    [
        ("7,5", "7,5", "7,9", "7,5", 7.5),  # `eng` misread in context, not glyph by glyph
        ("x;", "2,9", "5,5", "5,5", 5.5),  # ... or `vie` did
        ("1,7", "1,7", "7,7", "7,7", 7.7),
        ("7,9", "7,3", "7,5", "7,5", None),  # `vie` read two ways: no side to take
        ("x;", "3,7", "5,7", "6,7", None),  # the glyphs side with neither
    ],
)
def test_a_glyph_read_tells_which_model_misread_when_they_split(
    page: str, vie: str, eng: str, glyph: str, decided: float | None
) -> None:
    texts = [page, vie, eng, vie, eng]  # the page, the strips, the cell read alone
    reads = [(parse_score(t), t, 90.0) for t in texts]
    result = _side_with_glyphs(reads, ["page", "vie", "eng", "vie", "eng"], parse_score(glyph))
    assert (result[0].value if result else None) == decided


@pytest.mark.parametrize(
    ("vie", "eng", "seen"),
    [
        (["Tri", "TẤN", "LẦN"], [("7,7", 95.0), ("7,7", 92.0)], 92.0),  # `vie` blind to it
        (["", "+7", "T7"], [("7,7", 95.0), ("7,7", 92.0)], 92.0),
        (["Tri", "17", "TẤN"], [("7,7", 95.0), ("7,7", 92.0)], None),  # «17» may be 1,7
        (["Tri", "S,1", "TẤN"], [("7,7", 95.0), ("7,7", 92.0)], None),  # 5,1 garbled
        (["Tri", "TẤN", "TẤN"], [("7,7", 95.0), ("7,7", 50.0)], None),  # `eng` unsure once
        (["Tri", "TẤN", "TẤN"], [("7,7", 95.0), ("7,1", 92.0)], None),  # ... or split
        (["7,7", "7,7", "7,7"], [("", 0.0), ("@", 30.0)], 90.0),  # `eng` blind, `vie` sees
    ],
)
def test_a_score_one_model_is_blind_to_is_the_other_models_when_the_glyphs_agree(
    vie: list[str], eng: list[tuple[str, float]], seen: float | None
) -> None:
    reads = [(parse_score(t), t, 90.0) for t in vie[:2]] + [(parse_score(eng[0][0]), *eng[0])]
    reads += [(parse_score(vie[2]), vie[2], 90.0), (parse_score(eng[1][0]), *eng[1])]
    families = ["page", "vie", "eng", "vie", "eng"]
    assert _one_model_blind(reads, families, parse_score("7,7"), parse_score, 75.0) == seen


@pytest.mark.parametrize(("shrunk", "codes"), [(93.0, []), (70.0, ["LOW_CONFIDENCE"])])
def test_a_score_the_reads_agree_on_unsurely_is_read_shrunk_by_both_models(
    shrunk: float, codes: list[str]
) -> None:
    image, cell = _one_cell("7,7")
    alone = [("7,7", 65.0), ("7,7", 66.0)]  # `vie`, `eng`
    engine = Scripted([*alone, ("7,7", shrunk), ("7,7", 90.0)])  # then both shrunk
    sink = FieldSink(page=1, image=image, engine=engine)
    sink.prefetch([cell])
    sink.second_reads[cell] = [("7,7", 60.0), ("7,7", 62.0)]  # the strips agree, unsurely
    words = [Word("7,7", 55.0, 110, 62, 80, 50)]
    assert sink.take("s", words, parse_score, numeric=True, cell=cell) == 7.7
    assert [f.code for f in sink.flags] == codes
    assert engine.lines == []


def test_a_score_cell_vie_cannot_read_is_taken_from_eng_and_the_glyphs_and_noted() -> None:
    image, cell = _one_cell("7,7")
    # the cell alone (`vie`, `eng`), then shrunk (`vie`, `eng`): `vie` never reads a score
    engine = Scripted([("TẤN", 88.0), ("7,7", 95.0), ("TẤN", 80.0), ("7,7", 96.0)])
    sink = FieldSink(page=1, image=image, engine=engine)
    sink.prefetch([cell])
    assert sink.glyph_reads[cell] == "7,7"
    sink.second_reads[cell] = [("+7", 70.0), ("7,7", 94.0)]  # the strips
    value = sink.take("s", [Word("Tri", 60.0, 110, 62, 80, 50)], parse_score, cell=cell)
    assert value == 7.7
    assert [(f.code, f.severity) for f in sink.flags] == [("READ_BY_ONE_MODEL", "info")]
    assert engine.lines == []


@pytest.mark.parametrize(
    ("page", "vie", "eng", "decided"),
    [
        ("7,7", "7,7", "7,7", 7.7),
        ("x;", "7,7", "7,7", 7.7),  # a junk page read is no vote
        ("1,7", "1,7", "", 1.7),  # the other model read nothing valid: no dissent
        ("1,7", "1,7", "7,7", None),  # one model's glyph slip in every crop is not a majority
        ("7,7", "1,7", "7,7", 7.7),
        ("x;", "71", "7,1", 7.1),  # `vie` saw both digits, lost the comma `eng` read
        ("x;", "71", "", None),  # ... but a comma-less read is never a value on its own
    ],
)
def test_a_value_is_decided_only_when_no_other_model_reads_another(
    page: str, vie: str, eng: str, decided: float | None
) -> None:
    reads = [(parse_score(t), t, 90.0) for t in (page, vie, eng)]
    result = _majority(reads, ["page", "vie", "eng"])
    assert (result[0].value if result else None) == decided


@pytest.mark.parametrize(
    ("reads", "decided"),
    [
        # `eng`, with the vocabulary's letters, loses the «o» of «tốt» in both its reads
        (
            [
                "Hoàn : thành : tốt _",
                "Hoàn thành tốt",
                "Hoanthanhtt",
                "Hoàn thành tốt",
                "Hoanthanhtt",
            ],
            "Hoàn thành tốt",
        ),
        (["", "", "Hoanthanhtt", "", "Hoanthanhtt"], None),  # one glyph off is never a value alone
        (
            ["x", "Hoàn thành tốt", "Hoanthnahtot", "Hoàn thành tốt", "Hoanthnahtot"],
            None,
        ),  # two off
    ],
)
def test_an_eng_read_one_glyph_off_a_long_entry_backs_it(
    reads: list[str], decided: str | None
) -> None:
    parse = vocab_parser(LEVEL_INDEX)
    result = _majority([(parse(t), t, 90.0) for t in reads], ["page", "vie", "eng", "vie", "eng"])
    assert (result[0].value if result else None) == decided


@pytest.mark.parametrize(
    ("reads", "decided"),
    [
        (["hi", "5,/", "5,7", "5,/", "5,7"], 5.7),  # `vie` reads the font's 7 as a slash
        (["hi", "5,/", "", "5,/", ""], None),  # ... which is never a value on its own
        (["hi", "5,/", "5,7", "5,/", "5,1"], None),  # nor backs one of two scores it fits
        (["hi", "5,A", "5,7", "5,A", "5,7"], None),  # a letter is a glyph, not a lost one
    ],
)
def test_a_score_read_with_one_digit_lost_to_a_mark_backs_the_score(
    reads: list[str], decided: float | None
) -> None:
    result = _majority(
        [(parse_score(t), t, 90.0) for t in reads], ["page", "vie", "eng", "vie", "eng"]
    )
    assert (result[0].value if result else None) == decided


def test_a_read_one_glyph_off_a_short_entry_backs_nothing() -> None:
    """«Đạt» read "Dal": one glyph turns a short entry into another («Tốt» is two from it)."""
    parse = vocab_parser(PC_NL_INDEX)
    reads = [(parse(t), t, 90.0) for t in ("x", "Đạt", "Dal", "", "Dal")]
    assert _majority(reads, ["page", "vie", "eng", "vie", "eng"]) is None


def _comment_cell(text: str, font_file: str = SANS, size: int = 48) -> tuple[np.ndarray, Box]:
    font = ImageFont.truetype(font_file, size)
    img = Image.new("L", (1000, 160), 255)
    draw = ImageDraw.Draw(img)
    draw.rectangle((20, 20, 980, 140), outline=0, width=3)
    draw.text((40, 55), text, font=font, fill=0)
    return np.asarray(img), (20, 20, 960, 120)


def _page_read(text: str, conf: float) -> list[Word]:
    return [Word(t, conf, 40 + 150 * i, 55, 120, 45) for i, t in enumerate(text.split())]


def test_a_free_text_slip_of_the_page_read_is_settled_by_the_cell_reads_and_noted() -> None:
    image, cell = _comment_cell("Mạnh dạn, tự tin.")
    sink = FieldSink(page=1, image=image, engine=TesserocrEngine())
    sink.prefetch_text([cell])
    value = sink.take("c", _page_read("Mạnh đạn, tự tin.", 95.0), parse_text, cell=cell)
    assert value == "Mạnh dạn, tự tin."
    assert [(f.code, f.severity) for f in sink.flags] == [("TEXT_SETTLED", "info")]


def test_a_slip_the_cell_reads_are_unsure_about_goes_to_a_person() -> None:
    image, cell = _comment_cell("Mạnh dạn, tự tin.", FONT, 40)  # read at 80 % only
    sink = FieldSink(page=1, image=image, engine=TesserocrEngine())
    sink.prefetch_text([cell])
    sink.take("c", _page_read("Mạnh đạn, tự tin.", 95.0), parse_text, cell=cell)
    assert [f.code for f in sink.flags] == ["READS_DISAGREE"]


def test_a_confident_page_read_of_another_text_goes_to_a_person() -> None:
    image, cell = _comment_cell("Mạnh dạn, tự tin.")
    sink = FieldSink(page=1, image=image, engine=TesserocrEngine())
    sink.prefetch_text([cell])
    value = sink.take("c", _page_read("Chăm ngoan, lễ phép.", 95.0), parse_text, cell=cell)
    assert value == "Chăm ngoan, lễ phép."  # the page read shown as the guess ...
    assert [(f.code, f.severity) for f in sink.flags] == [("READS_DISAGREE", "error")]


def test_a_page_read_the_cell_read_confirms_is_taken_without_rereads() -> None:
    image, cell = _comment_cell("Mạnh dạn, tự tin.")
    engine = Recording(TesserocrEngine())
    sink = FieldSink(page=1, image=image, engine=engine)
    sink.prefetch_text([cell])
    value = sink.take("c", _page_read("Mạnh dạn, tự tin.", 95.0), parse_text, cell=cell)
    assert (value, sink.flags) == ("Mạnh dạn, tự tin.", [])
    assert engine.alphabets == [None]  # the strip only


NAM = "Nắm vững kiến thức."  # p4's comment: the thresholded crop at print size drops the acute


def _text_reads(*reads: tuple[str, float]) -> list[tuple[Parsed, str, float]]:
    return [(parse_text(t), t, c) for t, c in reads]


GARBLED = "bê vững kiến thức, vận dụng"


@pytest.mark.parametrize(
    ("page", "cell_reads", "guess"),
    [
        # p1: the page read garbled in its line, every read of the cell alone one text
        (GARBLED, [("Nắm vững tôt.", 80.0), ("Nắm vững tốt.", 91.0)], "Nắm vững tốt."),
        ("Năm vững tốt.", [("Nắm vững tốt.", 80.0), ("Năm vững tốt.", 91.0)], "Năm vững tốt."),
        (GARBLED, [("Nắm vững tốt.", 91.0), ("Học tốt.", 95.0)], GARBLED),  # cell reads split
        (GARBLED, [("Nắm vững tốt.", 91.0)], GARBLED),  # one read alone is no majority
    ],
)
def test_a_garbled_page_read_gives_way_to_the_cell_reads_as_the_guess(
    page: str, cell_reads: list[tuple[str, float]], guess: str
) -> None:
    assert _text_guess(parse_text(page), _text_reads(*cell_reads)).value == guess


@pytest.mark.parametrize(
    ("full", "small", "settled"),
    [
        # junk page read, an unsure read without the acute; three sure reads with it
        ([("Nhng vững", 0.0), ("Năm vững kiến thức.", 69.0), (NAM, 95.0)], [(NAM, 96.0)] * 2, True),
        # a sure read of another text: no settling, whatever the count
        ([("Năm vững kiến thức.", 93.0), (NAM, 95.0)], [(NAM, 96.0)] * 2, False),
        # sure only at the small size: the print-size reads never outvoted
        ([("Năm vững kiến thức.", 69.0), (NAM, 80.0)], [(NAM, 96.0)] * 2, False),
        # two sure reads are not enough
        ([("Năm vững kiến thức.", 69.0), (NAM, 95.0)], [(NAM, 96.0), ("", 0.0)], False),
    ],
)
def test_text_reads_split_at_print_size_settle_only_when_every_sure_read_agrees(
    full: list[tuple[str, float]], small: list[tuple[str, float]], settled: bool
) -> None:
    found = _sure_reads_agree(_text_reads(*full), _text_reads(*small))
    assert (found[0].value if found else None) == (NAM if settled else None)


def _letter_height(crop: np.ndarray) -> float:
    """Median height of the crop's letters (marks and dots apart)."""
    count, _, stats, _ = cv2.connectedComponentsWithStats((crop < 128).astype(np.uint8))
    return float(np.median([h for *_, h, area in stats[1:count] if area >= 20 and h >= 12]))


def test_a_text_crop_is_shrunk_to_a_small_x_height_and_small_text_is_left_alone() -> None:
    img = Image.new("L", (900, 120), 255)
    ImageDraw.Draw(img).text((20, 20), "xem nước mưa", font=ImageFont.truetype(SANS, 64), fill=0)
    big = np.asarray(img)
    shrunk = _text_shrunk(big)
    assert _letter_height(big) > 30
    assert shrunk is not None and abs(_letter_height(shrunk) - SMALL_X_HEIGHT) <= 2
    assert _text_shrunk(shrunk) is None  # a read at this size would repeat one made


def test_a_text_crop_is_enlarged_to_a_large_letter_height_and_large_text_is_left_alone() -> None:
    img = Image.new("L", (600, 80), 255)
    ImageDraw.Draw(img).text((20, 20), "xem nước mưa", font=ImageFont.truetype(SANS, 30), fill=0)
    small = np.asarray(img)
    enlarged = _text_enlarged(small)
    assert _letter_height(small) < 25
    assert abs(_letter_height(enlarged) - LARGE_LETTER_HEIGHT) <= 2
    assert _text_enlarged(enlarged) is enlarged


def test_a_free_text_cell_is_read_alone_enlarged() -> None:
    image, cell = _one_cell("Nắm", size=30)
    engine = Recording(TesserocrEngine())
    sink = FieldSink(page=1, image=image, engine=engine)
    sink.prefetch_text([cell])
    text, conf = sink.text_reads[cell]
    assert text == "Nắm" and conf > 0
    assert engine.alphabets == [None]  # one `vie` strip read


@pytest.mark.parametrize("checked", [False, True])
def test_a_checked_count_the_page_read_misread_surely_is_settled_by_the_cell_reads(
    checked: bool,
) -> None:
    """holdout3's monospace «0» that the page read takes, surely, for a 9: both models read
    the cell alone «0», and again shrunk; an unchecked value is not read again."""
    image, cell = _one_cell("0")
    sink = FieldSink(page=1, image=image, engine=TesserocrEngine())
    words = [Word("9", 95.0, cell[0] + 90, cell[1] + 22, 30, 44)]
    value = sink.take("years[0].absences", words, first_int, numeric=True, checked=checked)
    assert value == (0 if checked else 9)
    assert [f.code for f in sink.flags] == (["NUMBER_SETTLED"] if checked else [])
    assert sink.flags == [] or "9 / " in sink.flags[0].message  # every read is shown


class Scripted(Recording):
    """The real engine, but the first single-cell reads are answered from a script."""

    def __init__(self, lines: list[tuple[str, float]]) -> None:
        super().__init__(TesserocrEngine())
        self.lines = list(lines)

    def read_line(self, image: np.ndarray, *, alphabet: str | None = None) -> tuple[str, float]:
        self.alphabets.append(alphabet)
        return self.lines.pop(0) if self.lines else self.engine.read_line(image, alphabet=alphabet)


@pytest.mark.parametrize(
    ("shrunk", "codes"),
    [
        ([("0", 96.0), ("0", 67.0)], []),  # both shrunk reads back the lone read
        ([("8", 95.0), ("8", 90.0)], ["READS_DISAGREE"]),  # they read another count
        ([("", 0.0), ("", 0.0)], []),  # they read nothing: no evidence either way
    ],
)
def test_a_number_read_only_once_under_a_junk_page_read_is_read_shrunk_too(
    shrunk: list[tuple[str, float]], codes: list[str]
) -> None:
    image, cell = _one_cell("0")
    engine = Scripted([("0", 92.0), ("", 0.0), *shrunk])  # `vie` alone, `eng` alone, shrunk
    sink = FieldSink(page=1, image=image, engine=engine)
    words = [Word("Ö", 20.0, cell[0] + 90, cell[1] + 22, 30, 44)]
    value = sink.take("years[0].absences", words, first_int, numeric=True, checked=True)
    assert [f.code for f in sink.flags] == codes
    assert value == 0 or codes  # a value taken unflagged is the one the reads share
    assert engine.lines == []  # every scripted read was made


MONO = "/usr/share/fonts/truetype/liberation2/LiberationMono-Regular.ttf"


def _glyph_parts(crop: np.ndarray) -> int:
    return cv2.connectedComponents((crop < 128).astype(np.uint8))[0] - 1


@pytest.mark.parametrize(("text", "parts"), [("0", 1), ("8", 1), ("Đ", 1), ("10", 2), ("Ổ", 3)])
def test_ink_inside_a_glyphs_hole_is_dropped_from_a_cell_crop(text: str, parts: int) -> None:
    """Liberation Mono's zero has a dot in its hole (the typewriter's zero, read «9» or «Q»);
    nothing else a digit or rating cell holds lies in a hole: marks above stay."""
    img = Image.new("L", (300, 200), 255)
    ImageDraw.Draw(img).text((110, 40), text, font=ImageFont.truetype(MONO, 60), fill=0)
    image, cell = np.asarray(img), (20, 20, 240, 160)
    printed = _glyph_parts(image)
    crop = _crops(image, cell)
    assert crop is not None
    assert _glyph_parts(crop[0]) == parts
    assert printed == parts + ("0" in text)  # only the zero loses a part
    text_crop = _crops(image, cell, text=True)
    assert text_crop is not None and _glyph_parts(text_crop[0]) == printed  # text keeps all


def test_an_unsure_page_read_of_a_number_gives_way_to_two_sure_cell_reads() -> None:
    image, cell = _one_cell("0")
    engine = Scripted([("0", 94.0), ("0", 87.0)])  # `vie` alone, `eng` alone
    sink = FieldSink(page=1, image=image, engine=engine)
    words = [Word("9", 71.0, cell[0] + 90, cell[1] + 22, 30, 44)]
    assert sink.take("years[0].absences", words, first_int, numeric=True, checked=True) == 0
    assert sink.flags == []

    # a sure page read stands unless both models read the cell shrunk as they read it alone
    shrunk = [("9", 95.0), ("0", 90.0)]
    sure = FieldSink(page=1, image=image, engine=Scripted([("0", 94.0), ("0", 87.0), *shrunk]))
    words = [Word("9", 89.0, cell[0] + 90, cell[1] + 22, 30, 44)]
    assert sure.take("years[0].absences", words, first_int, numeric=True, checked=True) == 9
    assert [f.code for f in sure.flags] == ["READS_DISAGREE"]


def test_a_lone_letter_read_unsurely_is_read_doubled() -> None:
    """holdout3's monospace levels: alone in its cell a «Đ» reads at 35-67 % (or as «›»);
    printed twice it reads «ĐĐ» surely. The doubled reads join the vote as `vie` reads."""
    img = Image.new("L", (300, 200), 255)
    draw = ImageDraw.Draw(img)
    draw.rectangle((20, 40, 260, 140), outline=0, width=3)
    draw.text((125, 66), "Đ", font=ImageFont.truetype(MONO, 40), fill=0)
    image, cell = np.asarray(img), (20, 40, 240, 100)
    engine = Scripted([("Ð", 35.0), ("Dd", 42.0)])  # the reads alone in holdout3
    sink = FieldSink(page=1, image=image, engine=engine)
    sink.alphabets[cell] = PC_NL_LETTERS
    sink.second_reads[cell] = [("Đ", 51.0), ("dD", 41.0)]  # and the strip reads
    words = [Word("Đ", 51.0, cell[0] + 100, cell[1] + 22, 30, 44)]
    assert sink.take("q[0]", words, vocab_parser(PC_NL_INDEX), cell=cell) == "Đạt"
    assert sink.flags == []
    assert sink.readings[0].raw.endswith("Đ / Đ")  # both doubled reads, on record
    assert (
        sink._doubled_reads(cell) != []
        and FieldSink(page=1, image=image, engine=TesserocrEngine())._doubled_reads(cell) == []
    )  # a digit cell (the default alphabet) is never doubled


class LargeGlyphBlind(Recording):
    """The real engine, except that `vie` reads any glyph over 23 px of ink as «h)» (as it
    reads p4's scanned serif «5» at 26 px and over, and «5» at 20)."""

    def __init__(self) -> None:
        super().__init__(TesserocrEngine())

    def read_line(self, image: np.ndarray, *, alphabet: str | None = None) -> tuple[str, float]:
        rows = np.flatnonzero((image < 128).any(axis=1))
        if alphabet is None and rows.size and rows[-1] - rows[0] + 1 > 23:
            return "h)", 48.0
        return self.engine.read_line(image, alphabet=alphabet)


def test_a_lone_digit_is_read_shrunk_to_the_glyph_reads_height() -> None:
    """With no comma below it a lone digit's ink is all digit: read shrunk, it is read at the
    glyph read's height (20 px), not at a score's (26 px with its comma)."""
    image, cell = _one_cell("5")
    sink = FieldSink(page=1, image=image, engine=LargeGlyphBlind())
    sink.prefetch([cell])
    sink.second_reads[cell] = [("h)", 40.0), ("5", 95.0)]  # `vie` junk, `eng` right
    value = sink.take("s", [Word("Hộ", 90.0, 110, 62, 40, 50)], parse_score, cell=cell)
    assert value == 5
    assert sink.flags == []
    assert sink.readings[0].raw.endswith("5 / 5")  # both models, shrunk


@pytest.mark.parametrize(
    ("enlarged", "codes", "proposed"),
    [
        # the same letters with the acute: never settled, the fuller spelling proposed
        ((NAM, 95.0), ["READS_DISAGREE"], NAM),
        (("Năm vững kiến thức.", 95.0), [], None),  # the enlarged read agrees
        ((NAM, 40.0), [], None),  # an unsure enlarged read is no doubt
        # marks lost, not added: a split, the page read's fuller spelling kept
        (("Nam vung kien thuc.", 95.0), ["READS_DISAGREE"], None),
        (("Năm vững kiến thức", 95.0), [], None),  # a lost full stop is no other mark
    ],
)
def test_an_enlarged_read_with_other_marks_doubts_text_every_print_size_read_agrees_on(
    enlarged: tuple[str, float], codes: list[str], proposed: str | None
) -> None:
    """holdout4's Times-like «Nắm»: the page read and both reads of the cell alone at print
    size show «Năm»; the cell read enlarged shows the acute. (Printed here is «Năm»: what
    is tested is the vote, given the enlarged read.)"""
    page = "Năm vững kiến thức."
    img = Image.new("L", (900, 200), 255)
    draw = ImageDraw.Draw(img)
    draw.rectangle((20, 40, 860, 140), outline=0, width=3)
    draw.text((40, 66), page, font=ImageFont.truetype(FONT, 40), fill=0)
    image, cell = np.asarray(img), (20, 40, 840, 100)
    sink = FieldSink(page=1, image=image, engine=TesserocrEngine())
    sink.text_reads[cell] = enlarged
    words = [
        Word(w, 95.0, cell[0] + 20 + 160 * i, cell[1] + 22, 140, 44)
        for i, w in enumerate(page.split())
    ]
    value = sink.take("years[0].subjects[0].comment", words, parse_text, cell=cell)
    assert value == (proposed or page)
    assert [f.code for f in sink.flags] == codes


def test_an_unsure_cut_out_read_does_not_vouch_for_the_page_read() -> None:
    """holdout4's clean «9D6»: the page read (74 %) and the enlarged read (55 %) both add a G.
    Only a sure read vouches; the reads alone at print size show «9D6»."""
    image, cell = _one_cell("9D6", size=40)
    sink = FieldSink(page=1, image=image, engine=TesserocrEngine())
    sink.text_reads[cell] = ("9D6G", 55.0)
    words = [Word("9D6G", 74.0, cell[0] + 90, cell[1] + 22, 100, 44)]
    value = sink.take("years[3].class_name", words, parse_text, cell=cell)
    assert value == "9D6"
    assert [f.code for f in sink.flags] == ["TEXT_SETTLED"]  # every sure read shows «9D6»
    sure = FieldSink(page=1, image=image, engine=TesserocrEngine())
    sure.text_reads[cell] = ("9D6G", 95.0)  # a sure read agreeing: the page read is taken
    assert sure.take("years[3].class_name", words, parse_text, cell=cell) == "9D6G"
    assert sure.flags == []


@pytest.mark.parametrize(
    ("soft", "split"),
    [("4A6", True), ("4AG", False)],
)
def test_text_is_split_when_sure_reads_against_the_page_read_match_those_for_it(
    soft: str, split: bool
) -> None:
    """holdout2's «4A6»: the page read (88 %) and the thresholded cut-out (81 %) read «4AG»,
    the enlarged (65 %) and the soft cut-out (80 %) «4A6»: two against two is no agreement."""
    image, cell = _one_cell("4A6", size=40)
    sink = FieldSink(page=1, image=image, engine=TesserocrEngine())
    sink.text_reads[cell] = ("4A6", 65.0)
    reads = _text_reads(("4A6", 65.0), ("4AG", 81.0), (soft, 80.0))
    agreeing = sum(1 for p, _, _ in reads if p.value == "4AG")
    assert sink._text_split(parse_text("4AG"), reads, agreeing, cell, 60.0) is split


def test_a_text_crop_drops_the_ruling_of_a_frame_reaching_into_its_margin() -> None:
    """`holdout`'s photo box ends just above-left of the father's name: inside the value's
    margin only a short corner of it shows, which the reads took for «'» or «—+~-»."""
    img = Image.new("L", (700, 300), 255)
    draw = ImageDraw.Draw(img)
    draw.rectangle((-5, -200, 150, 118), outline=0, width=3)  # the frame, long outside
    draw.text((130, 120), "VŨ VĂN LONG", font=ImageFont.truetype(SANS, 40), fill=0)
    image, box = np.asarray(img), (112, 100, 330, 80)
    crops = _crops(image, box, text=True)
    assert crops is not None
    thresholded, soft = crops
    assert (thresholded[:27] == 255).all()  # nothing above the marks: the corner is gone
    engine = TesserocrEngine()
    assert engine.read_line(thresholded)[0] == engine.read_line(soft)[0] == "VŨ VĂN LONG"
