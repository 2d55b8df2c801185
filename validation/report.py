"""Findings: the verdicts of every check, as data (the router decides from them)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from domain.record import Flag

Severity = Literal["info", "warning", "error"]
FindingSource = Literal["rule", "gx", "ocr", "link"]

_RANK: dict[str, int] = {"info": 0, "warning": 1, "error": 2}
Issue = tuple[str, str, str, Severity]  # what a rule yields: (field path, code, message, severity)


@dataclass(frozen=True)
class Finding:
    """One problem (or note) about one field of one booklet."""

    document_id: str
    field: str  # JSON path inside the record, e.g. years[1].subjects[3].year; "" = whole booklet
    code: str  # stable machine code, e.g. YEAR_AVG_MISMATCH
    message: str  # one Vietnamese sentence for a data steward
    severity: Severity = "error"
    source: FindingSource = "rule"


def is_blocking(finding: Finding) -> bool:
    return finding.severity == "error"


def to_flags(findings: Iterable[Finding]) -> list[Flag]:
    """Flags for the record's review, one per (field, code), keeping the most severe finding.

    The same defect is often seen twice (a domain rule and the GX suite): the steward sees it once.
    Order follows the first appearance.
    """
    kept: dict[tuple[str, str], Finding] = {}
    for finding in findings:
        key = (finding.field, finding.code)
        previous = kept.get(key)
        if previous is None or _RANK[finding.severity] > _RANK[previous.severity]:
            kept[key] = finding
    return [
        Flag(field=f.field, code=f.code, message=f.message, severity=f.severity)
        for f in kept.values()
    ]


def from_flags(
    document_id: str, flags: Sequence[Flag], *, source: FindingSource = "ocr"
) -> list[Finding]:
    """Findings from flags another step already wrote on the record (e.g. extraction's)."""
    return [Finding(document_id, f.field, f.code, f.message, f.severity, source) for f in flags]
