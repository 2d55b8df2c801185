"""Doubtful page reads re-read on their own (ocr/pages.py) and blank values verified by their
pixels (ocr/sink.py), with real Tesseract on rendered lines."""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from ocr.engine import Word
from ocr.layout import Table
from ocr.pages import DOUBTFUL_CONF, reread_doubtful
from ocr.sink import FieldSink
from ocr.tess_api import TesserocrEngine

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


def test_confident_words_are_not_read_again() -> None:
    image = _line("Họ và tên: Lê Văn An")
    engine = Counting()
    words = engine.read_page(image)
    assert min(w.conf for w in words) > DOUBTFUL_CONF
    assert reread_doubtful(words, image, [], engine) == words
    assert engine.crops == 0


def test_a_doubtful_table_cell_is_read_whole() -> None:
    image = _line("Toán", x=80)
    table = Table(xs=(40, 400), ys=(20, 150))
    fresh = reread_doubtful([Word("ng", 0.0, 90, 60, 40, 30)], image, [table], TesserocrEngine())
    assert [w.text for w in fresh] == ["Toán"]


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


def test_a_value_even_faint_is_not_blank() -> None:
    image = np.where(_line("Lê Văn An") < 128, 150, 255).astype(np.uint8)  # grey ink
    assert not _sink(image).is_blank((40, 20, 1300, 120), text_height=40)
