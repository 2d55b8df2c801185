"""Editing a record by field path, parsing what a steward types, and re-running the checks."""

from __future__ import annotations

import pytest

from domain.record import TranscriptRecord
from review.booklet import apply_edit, current_findings, get_value, is_sensitive, label, parse_value
from review.security import ReviewError
from synth.content import make_records
from tests.review.seed import SCORE_PATH, flagged_booklet


def _thcs() -> TranscriptRecord:
    return next(r for r in make_records(41, 8) if r.family == "THCS-2011")


def test_parse_value_by_field_kind() -> None:
    assert parse_value(SCORE_PATH, " 7,5 ") == 7.5
    assert parse_value("years[0].subjects[9].hk1", "cđ") == "CĐ"
    assert parse_value("years[0].absences", "12") == 12
    assert parse_value("years[0].academic.hk1", "Khá") == "Khá"  # a rank, not a score
    assert parse_value("student.full_name", "  ") is None
    with pytest.raises(ReviewError):
        parse_value(SCORE_PATH, "bảy")


def test_apply_edit_validates_through_the_model() -> None:
    doc = _thcs().to_contract()
    new, before = apply_edit(doc, SCORE_PATH, 8.0)
    assert get_value(new, SCORE_PATH) == 8.0 and before == get_value(doc, SCORE_PATH)
    with pytest.raises(ReviewError):
        apply_edit(doc, "years[0].grade", 12)  # grades are 1-9
    with pytest.raises(ReviewError):
        apply_edit(doc, "years[99].absences", 1)


def test_fixing_the_score_clears_its_findings() -> None:
    wrong, _, true_score = flagged_booklet(_thcs(), images=None)
    findings = current_findings(wrong, wrong, set())
    assert {f.code for f in findings if f.field == SCORE_PATH} >= {
        "READS_DISAGREE", "YEAR_AVG_MISMATCH"
    }  # fmt: skip
    fixed, _ = apply_edit(wrong.to_contract(), SCORE_PATH, true_score)
    after = current_findings(TranscriptRecord.from_contract(fixed), wrong, {SCORE_PATH})
    assert not [f for f in after if f.severity == "error"]


def test_labels_and_sensitivity() -> None:
    doc = _thcs().to_contract()
    assert label(doc, SCORE_PATH).endswith("· Cả năm") and "Năm học" in label(doc, SCORE_PATH)
    assert label(doc, "years[0].academic.hk1").endswith("Học kỳ I")
    assert label(doc, "student.date_of_birth") == "Ngày sinh"
    assert is_sensitive("student.full_name") and is_sensitive("identity_link")
    assert not is_sensitive(SCORE_PATH)
