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
from ocr.preprocess import binarize, estimate_skew, rotate_by, rotate_upright
from synth.content import make_records
from synth.layouts import DEV_VARIANTS, VARIANTS
from synth.render import render_booklet

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
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
