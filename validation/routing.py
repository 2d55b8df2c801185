"""Routing: auto-approve, send to a data steward, or reject, with the reasons as flags.

Three reasons send a booklet to a person (as in Textract + A2I): an error on a field (low OCR
confidence counts as an error), no confirmed registry link, and a random audit sample.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from domain.record import FieldReading, Flag, Review, TranscriptRecord
from validation.comment_marks import BATCH_CONFIRMED, MARKS_CONFIRMED
from validation.places import PLACE_MATCHES_REGISTRY
from validation.registry_names import ID_MATCHES_REGISTRY, NAME_MATCHES_REGISTRY
from validation.report import Finding, is_blocking, to_flags
from validation.rules import ACADEMIC_RULE_UNCERTAIN

# Findings that make the booklet unusable as a whole: a person cannot fix them in review.
REJECT_CODES = frozenset({"NO_YEAR_PAGES", "FAMILY_UNKNOWN", "UNREADABLE_SCAN", "UNSUPPORTED_PAGE"})
# A value a rule settled: changed to fit (…_REPAIRED) or kept after a doubt (…_CONFIRMED).
RESOLVED_SUFFIXES = ("_REPAIRED", "_CONFIRMED")
IDENTITY_FIELDS = ("student", "identity_link")
AUDIT_FLAG = Flag(
    field="",
    code="AUDIT_SAMPLE",
    message="Học bạ được chọn ngẫu nhiên để kiểm tra lại chất lượng.",
    severity="info",
)


@dataclass(frozen=True)
class RoutingPolicy:
    min_confidence: float = 80  # Tesseract word confidence (0-100) below which a field is unread
    audit_rate: float = 0.02  # share of auto-approvable booklets a person checks anyway
    # May a value settled from constraints pass without a person? Scores and ranks: yes, the
    # page's arithmetic pinned them to a value the OCR read. Identity fields: never by default.
    allow_repairs_to_pass: bool = True
    allow_identity_repairs_to_pass: bool = False
    # May a comment whose reads differ in marks only pass with its fullest spelling, or with
    # the one spelling other booklets of the batch read alike? Measured right in every case
    # on the benchmark archives (docs/decisions.md); off sends them all to a person.
    allow_comment_marks_to_pass: bool = True
    # May a name or an address whose reads split pass with the read the registry spells the
    # same (the linked person's name, the place names of its residences)? Not a repair from
    # constraints: two independent sources agree on one read (docs/decisions.md).
    allow_registry_spellings_to_pass: bool = True
    # May a học lực that only another reading of TT58 khoản 6 gives pass (the warning
    # ACADEMIC_RULE_UNCERTAIN)? The rank is the school's printed decision, read like any
    # other; a person could only confirm it. A Sở that wants them confirmed turns this off.
    allow_other_academic_readings_to_pass: bool = True


def low_confidence_findings(
    document_id: str, readings: Sequence[FieldReading], policy: RoutingPolicy
) -> list[Finding]:
    """An error finding for every OCR reading below the policy's confidence."""
    return [
        Finding(
            document_id,
            r.path,
            "LOW_CONFIDENCE",
            f"Chữ đọc được ở trang {r.page} có độ tin cậy {r.confidence:.0f}, cần người kiểm tra.",
            "error",
            "ocr",
        )
        for r in readings
        if r.confidence is not None and r.confidence < policy.min_confidence
    ]


def route(
    record: TranscriptRecord,
    findings: Sequence[Finding],
    policy: RoutingPolicy,
    *,
    audit_draw: float,
) -> Review:
    """The review decision from this run's findings (the record's old flags are not re-read).

    audit_draw is a uniform number in [0, 1) drawn by the caller (seeded, so runs replay).
    """
    flags = to_flags(findings)
    if not record.years or any(f.code in REJECT_CODES and is_blocking(f) for f in findings):
        return Review(status="rejected", flags=flags)
    blocked = any(is_blocking(f) for f in findings)
    held = any(_policy_holds(f, policy) for f in findings)
    if record.identity_link.status != "linked":
        blocked = True
        if not any(f.source == "link" for f in findings):
            flags.append(_unlinked_flag(record))
    if blocked or held:
        return Review(status="needs_review", flags=flags)
    if audit_draw < policy.audit_rate:
        return Review(status="needs_review", flags=[*flags, AUDIT_FLAG])
    return Review(status="auto_approved", flags=flags)


def _policy_holds(finding: Finding, policy: RoutingPolicy) -> bool:
    """A settled value or a passing warning that the policy still keeps for a person."""
    if finding.code in (MARKS_CONFIRMED, BATCH_CONFIRMED):
        return not policy.allow_comment_marks_to_pass
    if finding.code in (NAME_MATCHES_REGISTRY, ID_MATCHES_REGISTRY, PLACE_MATCHES_REGISTRY):
        return not policy.allow_registry_spellings_to_pass
    if finding.code == ACADEMIC_RULE_UNCERTAIN:
        return not policy.allow_other_academic_readings_to_pass
    if not finding.code.endswith(RESOLVED_SUFFIXES):
        return False
    identity = finding.field.split(".")[0].split("[")[0] in IDENTITY_FIELDS
    return not (policy.allow_identity_repairs_to_pass if identity else policy.allow_repairs_to_pass)


def _unlinked_flag(record: TranscriptRecord) -> Flag:
    status = record.identity_link.status
    return Flag(
        field="identity_link",
        code=f"IDENTITY_{status.upper()}",
        message=f"Chưa xác định được học sinh trong cơ sở dữ liệu dân cư (trạng thái: {status}).",
        severity="error",
    )
