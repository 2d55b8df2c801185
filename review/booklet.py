"""A booklet under review: apply a steward's edit to the record, re-run the checks, label fields.

Pure functions over the contract record (a dict) and the extraction readings; no SQL here.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd
from pydantic import ValidationError

from domain.record import FieldReading, TranscriptRecord
from domain.text import normalize_text
from review.security import ReviewError
from validation.linking import link_batch
from validation.report import Finding
from validation.rules import check_record

_STEP = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)(?:\[(\d+)\])?")
SCORE_KEYS = frozenset({"hk1", "hk2", "year", "retest"})
INT_KEYS = frozenset({"test_score", "absences", "grade"})
IDENTITY_PREFIXES = ("student.", "identity_link")
_TERM_VI = {"hk1": "Học kỳ I", "hk2": "Học kỳ II", "year": "Cả năm", "retest": "Thi lại"}
_STUDENT_VI = {
    "full_name": "Họ và tên", "gender": "Giới tính", "date_of_birth": "Ngày sinh",
    "place_of_birth": "Nơi sinh", "ethnicity": "Dân tộc", "nationality": "Quốc tịch",
    "residence": "Nơi ở", "father_name": "Họ tên cha", "mother_name": "Họ tên mẹ",
    "guardian_name": "Người giám hộ", "personal_id": "Số định danh",
}  # fmt: skip


@dataclass(frozen=True)
class FieldView:
    """One flagged field as the steward sees it."""

    path: str
    label: str
    value: Any
    messages: list[str]
    reading: FieldReading | None
    reading_index: int | None
    editable: bool


def is_sensitive(path: str) -> bool:
    """Identity fields and linking choices need a supervisor's confirmation."""
    return path.startswith(IDENTITY_PREFIXES)


def _steps(path: str) -> list[str | int]:
    steps: list[str | int] = []
    for part in path.split("."):
        m = _STEP.fullmatch(part)
        if m is None:
            raise ReviewError(f"bad field path {path!r}", hint="open the field from the page")
        steps.append(m.group(1))
        if m.group(2) is not None:
            steps.append(int(m.group(2)))
    return steps


def get_value(doc: dict[str, Any], path: str) -> Any:
    node: Any = doc
    for step in _steps(path):
        try:
            node = node[step]
        except (KeyError, IndexError, TypeError):
            return None
    return node


def parse_value(path: str, raw: str) -> Any:
    """The typed value for a field from what the steward typed (decimal comma accepted)."""
    text = normalize_text(raw).strip()
    key = path.rsplit(".", 1)[-1]
    if text == "":
        return None
    if key in SCORE_KEYS and ("subjects" in path or "average_all" in path):
        if text.upper() in ("Đ", "CĐ"):
            return text.upper()
        try:
            return round(float(text.replace(",", ".")), 1)
        except ValueError as exc:
            raise ReviewError("Điểm phải là số (ví dụ 7,5) hoặc Đ/CĐ.") from exc
    if key in INT_KEYS:
        if not text.isdigit():
            raise ReviewError("Giá trị phải là số nguyên.")
        return int(text)
    return text


def apply_edit(doc: dict[str, Any], path: str, value: Any) -> tuple[dict[str, Any], Any]:
    """A new contract dict with the field set (validated by the model); also the old value."""
    steps = _steps(path)
    new = TranscriptRecord.from_contract(doc).to_contract()
    node: Any = new
    try:
        for step in steps[:-1]:
            node = node[step]
        before = node[steps[-1]]
        node[steps[-1]] = value
    except (KeyError, IndexError, TypeError) as exc:
        raise ReviewError(f"no field {path!r} in this record", hint="reload the page") from exc
    try:
        return TranscriptRecord.from_contract(new).to_contract(), before
    except ValidationError as exc:
        raise ReviewError(f"Giá trị không hợp lệ cho {label(new, path)}.") from exc


def current_findings(
    record: TranscriptRecord,
    extracted: TranscriptRecord,
    resolved: set[str],
) -> list[Finding]:
    """This draft's findings: the rules re-run now, plus the pipeline's other flags (OCR, GX,
    link) on fields the steward has not yet edited or confirmed. The link is re-read."""
    findings = check_record(record)
    rule_keys = {(f.field, f.code) for f in check_record(extracted)}
    for flag in extracted.review.flags:
        if (flag.field, flag.code) in rule_keys or flag.field in resolved:
            continue
        if flag.field == "identity_link" or flag.code.startswith("IDENTITY_"):
            continue  # re-decided from the draft's link below
        findings.append(
            Finding(record.document_id, flag.field, flag.code, flag.message, flag.severity, "ocr")
        )
    if record.identity_link.status != "linked":
        findings.append(
            Finding(
                record.document_id,
                "identity_link",
                f"IDENTITY_{record.identity_link.status.upper()}",
                "Chưa xác định được học sinh trong dữ liệu dân cư: chọn đúng người.",
                "error",
                "link",
            )  # fmt: skip
        )
    return findings


def relink(record: TranscriptRecord, candidates: pd.DataFrame) -> TranscriptRecord:
    """Re-run registry linking after an identity edit (same search and scoring as the pipeline)."""
    result = link_batch([record.student], [record.document_id], candidates)[0]
    doc = record.to_contract()
    doc["identity_link"] = {
        "status": result.status,
        "personal_id": result.personal_id,
        "score": result.score,
        "candidates": result.candidates,
    }
    return TranscriptRecord.from_contract(doc)


def field_views(
    doc: dict[str, Any], findings: Sequence[Finding], readings: Sequence[FieldReading]
) -> list[FieldView]:
    """Flagged fields in page order, each with its reading (crop, raw text, confidence)."""
    by_path = {r.path: (i, r) for i, r in enumerate(readings)}
    grouped: dict[str, list[str]] = {}
    for f in findings:
        if f.severity != "info":
            grouped.setdefault(f.field, []).append(f.message)
    views = []
    for path, messages in grouped.items():
        index, reading = by_path.get(path, (None, None))
        editable = bool(path) and path != "identity_link" and _exists(doc, path)
        value = get_value(doc, path) if editable else None
        views.append(FieldView(path, label(doc, path), value, messages, reading, index, editable))
    return views


def _exists(doc: dict[str, Any], path: str) -> bool:
    node: Any = doc
    try:
        for step in _steps(path):
            node = node[step]
    except (KeyError, IndexError, TypeError, ReviewError):
        return False
    return not isinstance(node, dict | list)


def label(doc: dict[str, Any], path: str) -> str:
    """A Vietnamese label: «Năm học 2019-2020 (lớp 6) · Toán · Cả năm»."""
    if not path:
        return "Toàn bộ học bạ"
    if path == "identity_link":
        return "Đối chiếu dữ liệu dân cư"
    steps = _steps(path)
    if steps[0] == "student":
        return _STUDENT_VI.get(str(steps[-1]), str(steps[-1]))
    parts: list[str] = []
    if steps[0] == "years" and len(steps) > 1:
        page = get_value(doc, f"years[{steps[1]}]") or {}
        parts.append(f"Năm học {page.get('school_year') or '?'} (lớp {page.get('grade') or '?'})")
        if len(steps) > 3 and steps[2] == "subjects":
            subject = get_value(doc, f"years[{steps[1]}].subjects[{steps[3]}]") or {}
            parts.append(str(subject.get("name") or "môn ?"))
    last = str(steps[-1])
    parts.append(_TERM_VI.get(last, last.replace("_", " ")))
    return " · ".join(parts)
