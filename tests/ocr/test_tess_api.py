"""The persistent engine (ocr/tess_api.py): real Tesseract through tesserocr, models from
Debian's tessdata, one API per language and mode reused, same words as the pytesseract one."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from domain.errors import OcrEngineError
from ocr import tess_api
from ocr.engine import DIGITS, TesseractEngine, default_engine
from ocr.tess_api import TesserocrEngine, parse_tsv, tessdata_dir

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"


def _line(text: str, size: int = 46) -> np.ndarray:
    """A printed line at 300 dpi: black text on white with a margin."""
    font = ImageFont.truetype(FONT, size)
    width = int(font.getlength(text)) + 80
    img = Image.new("L", (width, size * 2 + 40), 255)
    ImageDraw.Draw(img).text((40, 30), text, font=font, fill=0)
    return np.asarray(img)


def test_models_load_from_debian_tessdata() -> None:
    folder = tessdata_dir()
    assert folder.endswith("/")
    import tesserocr

    _, langs = tesserocr.get_languages(folder)
    assert {"vie", "eng"} <= set(langs)


def test_reads_vietnamese_and_digits() -> None:
    engine = TesserocrEngine()
    text, conf = engine.read_line(_line("Năm học 2014-2015"))
    assert text == "Năm học 2014-2015"
    assert conf > 80
    digits, _ = engine.read_line(_line("7,5"), alphabet=DIGITS)
    assert digits == "7,5"


def test_words_carry_boxes_in_image_coordinates() -> None:
    image = _line("Họ và tên: Nguyễn Văn An")
    words = TesserocrEngine().read_lines(image)
    assert [w.text for w in words][-3:] == ["Nguyễn", "Văn", "An"]
    assert all(0 <= w.x < image.shape[1] and 0 <= w.y < image.shape[0] for w in words)
    assert words == sorted(words, key=lambda w: w.x)


def test_one_api_per_language_and_mode_is_reused() -> None:
    engine = TesserocrEngine()
    engine.read_line(_line("8,5"), alphabet=DIGITS)
    before = dict(tess_api._apis)
    for _ in range(3):
        engine.read_line(_line("6,0"), alphabet=DIGITS)
    assert tess_api._apis == before  # no new instance per call
    assert ("eng", tess_api.PSM_LINE) in tess_api._apis


def test_same_words_as_the_pytesseract_reference() -> None:
    image = _line("Hạnh kiểm: Tốt   Học lực: Khá")
    ours = [w.text for w in TesserocrEngine().read_lines(image)]
    reference = [w.text for w in TesseractEngine().read_lines(image)]
    assert ours == reference


def test_blank_image_reads_no_digits_and_no_block() -> None:
    # (the line mode of `vie` invents a "¬" on blank paper: callers check for ink first)
    blank = np.full((80, 300), 255, np.uint8)
    assert TesserocrEngine().read_line(blank, alphabet=DIGITS) == ("", 0.0)
    assert TesserocrEngine().read_lines(blank) == []


def test_colour_input_is_refused_with_a_typed_error() -> None:
    with pytest.raises(OcrEngineError, match="grey"):
        TesserocrEngine().read_page(np.zeros((40, 40, 3), np.uint8))


def test_missing_models_raise_a_hint(monkeypatch: pytest.MonkeyPatch, tmp_path: object) -> None:
    monkeypatch.setenv("TESSDATA_PREFIX", str(tmp_path))
    monkeypatch.setattr(tess_api, "TESSDATA_CANDIDATES", ())
    with pytest.raises(tess_api.TessdataMissing) as caught:
        tessdata_dir()
    assert "TESSDATA_PREFIX" in caught.value.hint


def test_default_engine_is_the_persistent_one() -> None:
    assert isinstance(default_engine(), TesserocrEngine)


def test_parse_tsv_keeps_word_rows_with_confidence() -> None:
    tsv = (
        "1\t1\t0\t0\t0\t0\t0\t0\t100\t50\t-1\t\n"
        "5\t1\t1\t1\t1\t1\t10\t12\t30\t20\t91.5\t7,5\n"
        "5\t1\t1\t1\t1\t2\t50\t12\t5\t20\t-1\t \n"
    )
    (word,) = parse_tsv(tsv)
    assert (word.text, word.conf, word.x, word.y, word.w, word.h) == ("7,5", 91.5, 10, 12, 30, 20)


def test_a_letter_alphabet_reads_eng_ascii_in_both_engines() -> None:
    # Đ folds to D: a second model's read of a rating cell, mapped back by the vocabulary.
    letters = "ACDGHNOTUacdghnotu"
    for engine in (TesserocrEngine(), TesseractEngine()):
        assert [w.text for w in engine.read_lines(_line("Đ"), alphabet=letters)] == ["D"]
        assert engine.read_line(_line("Đạt"), alphabet=letters)[0] == "Dat"
    assert set(tess_api._apis) <= {(lang, psm) for lang in ("vie", "eng") for psm in (4, 6, 7, 13)}


def test_the_whitelist_is_per_call_on_a_shared_api() -> None:
    engine = TesserocrEngine()
    assert engine.read_line(_line("8,5"), alphabet=DIGITS)[0] == "8,5"
    assert engine.read_line(_line("Tốt"), alphabet="OTot")[0] == "Tot"
    assert engine.read_line(_line("8,5"), alphabet=DIGITS)[0] == "8,5"  # digits again
    assert engine.read_line(_line("Tốt"))[0] == "Tốt"  # vie: no whitelist left over
