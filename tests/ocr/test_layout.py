"""Layout finding (ocr/layout.py, ocr/preprocess.py) on rendered, scanned print variants, the
held-out one included, and page geometry (quarter turns plus skew) over random angles."""

from __future__ import annotations

import functools
import random

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from domain.record import TranscriptRecord
from ocr.decode import PageImage
from ocr.engine import Word
from ocr.layout import Line, find_labels, find_tables, group_lines, label_values
from ocr.preprocess import binarize, clean_page, estimate_skew
from synth.content import make_records
from synth.degrade import apply_degradation
from synth.layouts import VARIANTS
from synth.render import render_booklet


@functools.cache
def _record(family: str) -> TranscriptRecord:
    return next(r for r in make_records(4, 6) if r.family == family)


def _scanned(family: str, variant: str, level: str = "typical") -> tuple[PageImage, int]:
    """The first year page, printed in `variant` and scanned with `level` defects; the
    clockwise quarter turn the scanner applied."""
    page = render_booklet(_record(family), VARIANTS[variant])[1].convert("L")
    rng = random.Random(f"layout-{family}-{variant}")
    scanned, trace = apply_degradation(page, rng, level, dpi=300, round_trip=False)  # type: ignore[arg-type]
    return PageImage(2, np.asarray(scanned.convert("L")), 300.0), trace.rotation


@pytest.mark.slow
@pytest.mark.parametrize("variant", list(VARIANTS))
def test_thcs_tables_found_with_every_row_and_column(variant: str) -> None:
    record = _record("THCS-2011")
    year = record.years[0]
    tables = find_tables(*_masks(_scanned("THCS-2011", variant)))
    assert len(tables) == 2  # scores; conduct and academic rank
    scores, ranks = tables
    assert scores.n_rows == len(year.subjects) + 2  # the header and the average row
    retest = VARIANTS[variant].retest_column or any(s.retest is not None for s in year.subjects)
    assert scores.n_cols == 5 + retest  # name, three terms, (retest), signature
    assert (ranks.n_rows, ranks.n_cols) == (4, 3)
    assert scores.ys[-1] < ranks.ys[0]


@pytest.mark.slow
@pytest.mark.parametrize("variant", ["p2", "holdout"])
def test_th_subject_table_has_a_row_per_subject(variant: str) -> None:
    year = _record("TH-2014").years[0]
    tables = find_tables(*_masks(_scanned("TH-2014", variant)))
    assert tables[0].n_rows == len(year.subjects) + 1


def _masks(scan: tuple[PageImage, int]) -> tuple[np.ndarray, np.ndarray]:
    page, turned = scan
    clean = clean_page(page)
    assert clean.rotation == (360 - turned) % 360  # turned back upright
    assert abs(clean.skew) < 5.5
    return clean.h_lines, clean.v_lines


@functools.cache
def _upright() -> Image.Image:
    """A year page at 150 dpi: text, two ruled tables, signatures."""
    page = render_booklet(_record("THCS-2011"), VARIANTS["p1"], dpi=150)[1]
    return page.convert("L")


_TURNS = {0: None, 90: Image.Transpose.ROTATE_90, 180: Image.Transpose.ROTATE_180}
_TURNS[270] = Image.Transpose.ROTATE_270


@pytest.mark.slow
@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    turn=st.sampled_from([0, 90, 180, 270]),
    angle=st.floats(min_value=-5.0, max_value=5.0, allow_nan=False),
)
def test_clean_page_undoes_quarter_turns_and_skew(turn: int, angle: float) -> None:
    page = _upright().rotate(angle, resample=Image.Resampling.BILINEAR, expand=True, fillcolor=255)
    method = _TURNS[turn]
    if method is not None:
        page = page.transpose(method)  # PIL turns counter-clockwise
    clean = clean_page(PageImage(1, np.asarray(page), 150.0))
    assert clean.rotation == turn  # the clockwise turn that makes it upright
    assert abs(abs(clean.skew) - abs(angle)) < 0.35  # (its sign is that of the turned frame)
    assert abs(estimate_skew(binarize(clean.gray))) <= 0.3  # what is left is straight


def _line_of(*texts: str, gaps: tuple[int, ...] = ()) -> Line:
    """Words 100 px wide, 40 px tall, 20 px apart unless `gaps` says otherwise."""
    words, x = [], 100
    for i, text in enumerate(texts):
        words.append(Word(text, 95.0, x, 500, 100, 40))
        x += 100 + (gaps[i] if i < len(gaps) else 20)
    return Line(words)


def test_a_surname_that_reads_like_a_label_stays_the_value() -> None:
    labels = {"father_name": ("Họ tên cha",), "_school": ("Trường",), "_job": ("Nghề nghiệp",)}
    line = _line_of(
        "Họ",
        "tên",
        "cha:",
        "TRƯƠNG",
        "GIA",
        "THỊNH",
        "Nghề",
        "nghiệp:",
        "Thợ",
        gaps=(20, 20, 20, 20, 20, 400),
    )
    values = label_values(line, labels)
    assert [w.text for w in values["father_name"]] == ["TRƯƠNG", "GIA", "THỊNH"]
    assert "_school" not in values


def test_a_label_after_a_wide_blank_is_a_label() -> None:
    labels = {"ethnicity": ("Dân tộc",), "nationality": ("Quốc tịch",)}
    line = _line_of("Dân", "tộc:", "Quốc", "tịch:", "Việt", "Nam", gaps=(20, 500))
    values = label_values(line, labels)
    assert values["ethnicity"] == []
    assert [w.text for w in values["nationality"]] == ["Việt", "Nam"]


@pytest.mark.parametrize(
    ("words", "found"),
    [
        (("Hiọ", "tên", "cha:"), True),  # a slip in a short word that is not the last
        (("Họ", "tên", "chs:"), False),  # the last word tells «cha» from «mẹ»: exact
        (("Hiọ", "tcn", "cha:"), False),  # one slip in all
        (("Dân", "tôi:"), False),  # a two-word label: short words exact (marks apart)
    ],
)
def test_a_short_word_of_a_long_label_may_carry_its_one_slip(
    words: tuple[str, ...], found: bool
) -> None:
    labels = {"father_name": ("Họ tên cha",), "ethnicity": ("Dân tộc",)}
    hits = find_labels(_line_of(*words), labels)
    assert bool(hits) is found


# «Nơi ở hiện nay: Xóm Tây, xã Thanh Xuân» as `holdout3` prints and Tesseract boxes it: the
# italic label sits lower than the monospace value, and «nay:» (a descender, no ascender)
# lower still, past half the line's height from its middle.
_LABEL_AND_VALUE = [
    Word("Nơi", 90, 179, 993, 115, 37),
    Word("ở", 90, 267, 960, 22, 85),
    Word("hiện", 90, 304, 995, 84, 43),
    Word("Xóm", 90, 507, 984, 83, 36),
    Word("Tây,", 90, 623, 984, 101, 46),
    Word("xã", 90, 769, 984, 54, 36),
    Word("Thanh", 90, 855, 984, 139, 36),
]


def test_a_word_below_its_line_band_rejoins_the_line_it_overlaps() -> None:
    lines = group_lines([*_LABEL_AND_VALUE, Word("nay:", 90, 403, 1005, 83, 36)])
    assert [line.text() for line in lines] == ["Nơi ở hiện nay: Xóm Tây, xã Thanh"]


@pytest.mark.parametrize(
    "word",
    [
        Word("Trung", 90, 520, 1028, 110, 36),  # under a word of the line: the next line
        Word("nay:", 90, 403, 1022, 83, 36),  # in a gap, but mostly below the line's words
    ],
)
def test_a_word_of_the_next_line_stays_there(word: Word) -> None:
    lines = group_lines([*_LABEL_AND_VALUE, word])
    assert [line.text() for line in lines][-1] == word.text
