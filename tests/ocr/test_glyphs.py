"""Scores read glyph by glyph (ocr/glyphs.py), with real Tesseract, in fonts of the generator
and in one it never prints with (DejaVu Sans Mono)."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from ocr.glyphs import read_glyphs, split_glyphs
from ocr.tess_api import TesserocrEngine

FONTS = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf",
    "/usr/share/fonts/truetype/dejavu/DejaVuSansCondensed.ttf",
    "/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf",
    "/usr/share/fonts/truetype/noto/NotoSerif-Regular.ttf",
    "/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf",
)
SCORES = ("7,5", "5,5", "7,7", "10", "8,0", "6", "9,3", "4,1", "2,8")


def _cell(text: str, font_file: str, size: int = 38) -> np.ndarray:
    """A score as a cleaned cell crop holds it: black ink on white, in a margin."""
    img = Image.new("L", (30 + size * len(text), size * 2), 255)
    ImageDraw.Draw(img).text(
        (15, size // 3), text, font=ImageFont.truetype(font_file, size), fill=0
    )
    gray = np.asarray(img)
    return np.where(gray < 128, 0, 255).astype(np.uint8)


def test_a_score_splits_into_its_digits_and_its_comma() -> None:
    font = FONTS[0]
    glyphs, comma = split_glyphs(_cell("7,5", font)) or ([], False)
    assert len(glyphs) == 2 and comma
    glyphs, comma = split_glyphs(_cell("10", font)) or ([], True)
    assert len(glyphs) == 2 and not comma
    assert split_glyphs(np.full((60, 120), 255, np.uint8)) is None


@pytest.mark.parametrize("font", FONTS)
def test_every_score_reads_back_glyph_by_glyph(font: str) -> None:
    cells = [_cell(score, font) for score in SCORES]
    assert read_glyphs(TesserocrEngine(), cells) == list(SCORES)


def test_a_blank_cell_reads_as_nothing_and_keeps_the_others_in_place() -> None:
    blank = np.full((76, 140), 255, np.uint8)
    cells = [_cell("8,5", FONTS[0]), blank, _cell("6,0", FONTS[0])]
    assert read_glyphs(TesserocrEngine(), cells) == ["8,5", "", "6,0"]
