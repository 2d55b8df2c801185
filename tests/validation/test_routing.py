from __future__ import annotations

import pytest

from domain.record import FieldReading, IdentityLink, TranscriptRecord
from tests.validation import thcs_record
from validation.report import Finding, from_flags, to_flags
from validation.routing import RoutingPolicy, low_confidence_findings, route

POLICY = RoutingPolicy()
NO_AUDIT = 0.99


def linked(record: TranscriptRecord) -> TranscriptRecord:
    record.identity_link = IdentityLink(status="linked", personal_id="038203001234", score=97.0)
    return record


def finding(code: str, severity: str = "error", source: str = "rule") -> Finding:
    return Finding("thcs-1", "years[0].subjects[0].year", code, "Thông điệp.", severity, source)  # type: ignore[arg-type]


def test_clean_linked_booklet_is_auto_approved() -> None:
    review = route(linked(thcs_record()), [], POLICY, audit_draw=NO_AUDIT)
    assert review.status == "auto_approved" and review.flags == []


def test_warnings_do_not_block() -> None:
    review = route(
        linked(thcs_record()), [finding("AGE_GRADE", "warning")], POLICY, audit_draw=NO_AUDIT
    )
    assert review.status == "auto_approved"
    assert [f.code for f in review.flags] == ["AGE_GRADE"]


def test_error_sends_to_review_with_reason() -> None:
    review = route(
        linked(thcs_record()), [finding("YEAR_AVG_MISMATCH")], POLICY, audit_draw=NO_AUDIT
    )
    assert review.status == "needs_review"
    assert review.flags[0].field == "years[0].subjects[0].year"


def test_low_confidence_reading_is_an_error() -> None:
    readings = [
        FieldReading(path="student.full_name", page=1, raw="Nguyễn", confidence=55.0),
        FieldReading(path="student.gender", page=1, raw="Nam", confidence=93.0),
        FieldReading(path="student.residence", page=1, raw="", confidence=None),
    ]
    found = low_confidence_findings("thcs-1", readings, POLICY)
    assert [(f.field, f.code, f.severity, f.source) for f in found] == [
        ("student.full_name", "LOW_CONFIDENCE", "error", "ocr")
    ]
    assert "Nguyễn" not in found[0].message  # no personal data in messages
    review = route(linked(thcs_record()), found, POLICY, audit_draw=NO_AUDIT)
    assert review.status == "needs_review"
    strict = RoutingPolicy(min_confidence=95)
    assert len(low_confidence_findings("thcs-1", readings, strict)) == 2


def test_unlinked_identity_needs_review_and_says_why() -> None:
    record = thcs_record()
    record.identity_link = IdentityLink(status="ambiguous", candidates=["038203001234"])
    review = route(record, [], POLICY, audit_draw=NO_AUDIT)
    assert review.status == "needs_review"
    assert [(f.field, f.code) for f in review.flags] == [("identity_link", "IDENTITY_AMBIGUOUS")]
    # the linker's own finding is used instead of the generic one
    own = Finding("thcs-1", "student.personal_id", "IDENTITY_CONFLICT", "X.", "error", "link")
    record.identity_link = IdentityLink(status="conflict")
    review = route(record, [own], POLICY, audit_draw=NO_AUDIT)
    assert [f.code for f in review.flags] == ["IDENTITY_CONFLICT"]


def test_unusable_booklet_is_rejected() -> None:
    record = linked(thcs_record())
    record.years = []
    assert route(record, [], POLICY, audit_draw=NO_AUDIT).status == "rejected"
    record = linked(thcs_record())
    unknown = Finding("thcs-1", "", "FAMILY_UNKNOWN", "Không rõ mẫu.", "error", "ocr")
    assert route(record, [unknown], POLICY, audit_draw=NO_AUDIT).status == "rejected"


def test_audit_sample_turns_auto_approval_into_review() -> None:
    record = linked(thcs_record())
    review = route(record, [], POLICY, audit_draw=0.01)
    assert review.status == "needs_review"
    assert [(f.field, f.code, f.severity) for f in review.flags] == [("", "AUDIT_SAMPLE", "info")]
    assert route(record, [], POLICY, audit_draw=0.02).status == "auto_approved"
    assert route(record, [], RoutingPolicy(audit_rate=0.0), audit_draw=0.0).status == (
        "auto_approved"
    )


def test_audit_not_added_to_booklets_already_in_review() -> None:
    review = route(linked(thcs_record()), [finding("SCORE_RANGE")], POLICY, audit_draw=0.0)
    assert "AUDIT_SAMPLE" not in {f.code for f in review.flags}


@pytest.mark.parametrize(
    ("code", "strict"),
    [
        ("VALUE_REPAIRED", RoutingPolicy(allow_repairs_to_pass=False)),
        ("COMMENT_MARKS_CONFIRMED", RoutingPolicy(allow_comment_marks_to_pass=False)),
        ("COMMENT_CONFIRMED_IN_BATCH", RoutingPolicy(allow_comment_marks_to_pass=False)),
        ("NAME_MATCHES_REGISTRY", RoutingPolicy(allow_registry_spellings_to_pass=False)),
        ("ID_MATCHES_REGISTRY", RoutingPolicy(allow_registry_spellings_to_pass=False)),
        ("PLACE_MATCHES_REGISTRY", RoutingPolicy(allow_registry_spellings_to_pass=False)),
        ("ACADEMIC_RULE_UNCERTAIN", RoutingPolicy(allow_other_academic_readings_to_pass=False)),
    ],
)
def test_settled_values_pass_by_default_unless_the_policy_says_so(
    code: str, strict: RoutingPolicy
) -> None:
    record = linked(thcs_record())
    note = [finding(code, "warning" if code == "ACADEMIC_RULE_UNCERTAIN" else "info")]
    assert route(record, note, POLICY, audit_draw=NO_AUDIT).status == "auto_approved"
    assert route(record, note, strict, audit_draw=NO_AUDIT).status == "needs_review"


def test_identity_repairs_do_not_pass_by_default() -> None:
    record = linked(thcs_record())
    name = [Finding("thcs-1", "student.full_name", "NAME_REPAIRED", "Thông điệp.", "info", "ocr")]
    assert route(record, name, POLICY, audit_draw=NO_AUDIT).status == "needs_review"
    lenient = RoutingPolicy(allow_identity_repairs_to_pass=True)
    assert route(record, name, lenient, audit_draw=NO_AUDIT).status == "auto_approved"


def test_flags_deduplicate_rule_and_gx_keeping_most_severe() -> None:
    same = [
        finding("SCORE_RANGE", "warning", "gx"),
        finding("SCORE_RANGE", "error", "rule"),
        finding("OTHER", "info"),
    ]
    flags = to_flags(same)
    assert [(f.code, f.severity) for f in flags] == [("SCORE_RANGE", "error"), ("OTHER", "info")]
    back = from_flags("thcs-1", flags)
    assert [(f.code, f.source) for f in back] == [("SCORE_RANGE", "ocr"), ("OTHER", "ocr")]
