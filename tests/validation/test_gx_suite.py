from __future__ import annotations

import json
from pathlib import Path

from domain.record import SubjectResult
from tests.validation import th_record, thcs_record
from validation import gx_suite
from validation.gx_suite import build_frames, run_gx_checks


def test_consistent_batch_has_no_findings() -> None:
    assert run_gx_checks([thcs_record("a"), th_record("b")]) == []


def test_failing_rows_are_reported_with_document_and_path(tmp_path: Path) -> None:
    good, bad, primary = thcs_record("good"), thcs_record("bad"), th_record("prim")
    bad.years[1].subjects[1].hk1 = 11.5
    bad.years[0].subjects.append(SubjectResult(name="Toán", hk1=8.0, hk2=8.0, year=8.0))
    bad.years[0].decision = "Lên lớp"
    bad.student.personal_id = "12345"
    primary.years[2].subjects[0].test_score = 0
    primary.years[1].subjects[4].name = "Tin hoc"
    primary.student.gender = None
    findings = run_gx_checks([good, bad, primary], report_dir=tmp_path)
    got = {(f.document_id, f.field, f.code) for f in findings}
    assert got == {
        ("bad", "years[1].subjects[1].hk1", "SCORE_RANGE"),
        ("bad", "years[0].subjects[0].name", "SUBJECT_DUPLICATE"),
        ("bad", "years[0].subjects[12].name", "SUBJECT_DUPLICATE"),
        ("bad", "years[0].decision", "VOCABULARY"),
        ("bad", "student.personal_id", "ID_FORMAT"),
        ("prim", "years[2].subjects[0].test_score", "TEST_SCORE_RANGE"),
        ("prim", "years[1].subjects[4].name", "SUBJECT_UNKNOWN"),
        ("prim", "student.gender", "MISSING_FIELD"),
    }
    assert all(f.source == "gx" and f.severity == "error" for f in findings)
    score = next(f for f in findings if f.code == "SCORE_RANGE")
    assert "11.5" in score.message
    results = json.loads((tmp_path / "gx_results.json").read_text(encoding="utf-8"))
    assert set(results) == {"students", "thcs_years", "th_years", "thcs_subjects", "th_subjects"}
    assert results["thcs_subjects"]["success"] is False
    page = (tmp_path / "gx_report.html").read_text(encoding="utf-8")
    assert "TEST_SCORE_RANGE" in page and "<script" not in page


def test_comment_marks_are_not_scores() -> None:
    frames = build_frames([thcs_record("a")])
    subjects = frames["thcs_subjects"]
    art = subjects[subjects["name"] == "Mĩ thuật"].iloc[0]
    assert art["hk1"] != art["hk1"]  # NaN: "Đ" is not checked as a number
    assert list(subjects["field"][:2]) == ["years[0].subjects[0]", "years[0].subjects[1]"]


def test_expectation_that_cannot_run_sends_every_booklet_to_review() -> None:
    frame = build_frames([thcs_record("a"), thcs_record("b")])["students"].drop(
        columns=["personal_id"]
    )
    definition = gx_suite._gx().definitions["students"]
    result = definition.run(
        batch_parameters={"dataframe": frame}, result_format=gx_suite.RESULT_FORMAT
    )
    findings = [
        f for item in result.results for f in gx_suite._findings_of("students", item, frame)
    ]
    assert {(f.document_id, f.code) for f in findings} == {
        ("a", "GX_CHECK_ERROR"),
        ("b", "GX_CHECK_ERROR"),
    }
