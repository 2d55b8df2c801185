"""Page geometry (ocr/preprocess.py, ocr/pages.py): skew and quarter-turn orientation."""

from __future__ import annotations

import functools

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image, ImageDraw, ImageFont

from ocr.decode import PageImage
from ocr.engine import TesseractEngine
from ocr.pages import MIN_ANCHORS, read_page
from ocr.preprocess import (
    binarize,
    estimate_skew,
    rotate_by,
    rotate_upright,
    without_loop_dots,
)
from synth.content import make_records
from synth.layouts import DEV_VARIANTS, VARIANTS
from synth.render import render_booklet

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
MONO = "/usr/share/fonts/truetype/liberation2/LiberationMono-Regular.ttf"  # a dotted zero
SERIF = "/usr/share/fonts/truetype/noto/NotoSerif-Regular.ttf"
LINES = (
    "Họ và tên học sinh: Nguyễn Thị Ánh Tuyết",
    "Ngày sinh: 05/09/2010   Nơi sinh: Xã Phước Lợi, huyện Bến Lức",
    "Dân tộc: Kinh   Quốc tịch: Việt Nam",
    "Chỗ ở hiện nay: Ấp 3, xã Phước Lợi, huyện Bến Lức, tỉnh Long An",
    "Họ và tên cha: Nguyễn Văn Hưởng   Nghề nghiệp: Nông dân",
    "Họ và tên mẹ: Trần Thị Ngọc Hằng   Nghề nghiệp: Buôn bán",
)


@functools.cache
def text_page() -> np.ndarray:
    """A text-only A4 page at 150 dpi (grey, black on white)."""
    img = Image.new("L", (1240, 1754), 255)
    draw = ImageDraw.Draw(img)
    font = ImageFont.truetype(FONT, 26)
    for i in range(36):
        draw.text((110, 140 + i * 42), LINES[i % len(LINES)], fill=0, font=font)
    return np.asarray(img)


def test_straight_page_has_no_skew() -> None:
    assert abs(estimate_skew(binarize(text_page()))) <= 0.3


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(angle=st.floats(min_value=-4.0, max_value=4.0, allow_nan=False))
def test_estimate_skew_recovers_the_angle(angle: float) -> None:
    tilted = rotate_by(text_page(), angle)
    estimate = estimate_skew(binarize(tilted))
    # Convention: the estimate is what `rotate_by` must apply to straighten the page.
    assert abs(estimate + angle) <= 0.3
    straightened = estimate_skew(binarize(rotate_by(tilted, estimate)))
    assert abs(straightened) <= 0.3


@functools.cache
def identity_page() -> np.ndarray:
    record = make_records(7, 1)[0]
    page = render_booklet(record, VARIANTS[DEV_VARIANTS[0]], dpi=200)[0]
    return np.asarray(page.convert("L"))


@pytest.mark.parametrize(
    "turn", [Image.Transpose.ROTATE_90, Image.Transpose.ROTATE_180, Image.Transpose.ROTATE_270]
)
def test_read_page_undoes_quarter_turns(turn: Image.Transpose) -> None:
    upright = identity_page()
    turned = np.asarray(Image.fromarray(upright).transpose(turn))
    read = read_page(PageImage(1, turned, 200.0), TesseractEngine())
    assert read.kind == "identity"
    assert read.anchors >= MIN_ANCHORS
    # The rotation read_page chose must bring the turned pixels back to the upright page.
    assert np.array_equal(rotate_upright(turned, read.clean.rotation), upright)


def _line(text: str, font_path: str, size: int = 40) -> np.ndarray:
    font = ImageFont.truetype(font_path, size)
    img = Image.new("L", (40 + int(font.getlength(text)), size * 2), 255)
    ImageDraw.Draw(img).text((20, size // 3), text, fill=0, font=font)
    return np.asarray(img)


@pytest.mark.parametrize(
    "font",
    [
        MONO,
        MONO.replace("Regular", "Bold"),
        "/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf",
        "/usr/share/fonts/truetype/dejavu/DejaVuSansMono-Bold.ttf",
    ],
)
def test_dotted_zeros_lose_their_dot_and_read_as_zeros(font: str) -> None:
    line = _line("Năm học 2019-2020   Nghỉ: 0   Ấp 10", font)
    plain = without_loop_dots(line, binarize(line))
    assert (plain != line).any()
    assert (plain >= line).all()  # only ink is taken away, nothing drawn
    words = TesseractEngine().read_page(np.pad(plain, 40, constant_values=255))
    text = " ".join(w.text for w in words)
    assert "2019-2020" in text and {"0", "10"} <= set(text.split())


@pytest.mark.parametrize("font", [FONT, SERIF])
def test_vietnamese_text_and_plain_zeros_are_left_alone(font: str) -> None:
    line = _line("Ơ Ô Đ Ộ ọ ộ ớ Ở ẹ ạ @ 8 9 6 0 2020 Quận Ô Môn, Đồng Tháp", font)
    assert without_loop_dots(line, binarize(line)) is line


def test_a_digit_printed_in_its_own_box_is_kept() -> None:
    img = Image.new("L", (400, 120), 255)
    draw = ImageDraw.Draw(img)
    font = ImageFont.truetype(MONO, 40)
    for i, digit in enumerate("1070"):
        draw.rectangle((20 + 60 * i, 30, 70 + 60 * i, 90), outline=0, width=3)
        draw.text((33 + 60 * i, 38), digit, fill=0, font=font)
    boxed = np.asarray(img)
    plain = without_loop_dots(boxed, binarize(boxed))
    # The boxed "1" and "7" stay whole; only the zeros' dots go.
    changed = np.argwhere(plain != boxed)
    assert changed.size and {(int(x) - 20) // 60 for _, x in changed} == {1, 3}
