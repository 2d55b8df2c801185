"""Names whose OCR reads split, settled by the registry person the booklet is linked to.

A pupil's or parent's name whose reads disagree («NGUYỄN THỊ LINH» / «NGUYÊN THỊ LINH»), or
whose surname extraction proposed with its lost marks, goes to a person. When the booklet is
linked (a unique registry person, agreeing on the birth date and a parent or the birth
province, see validation.linking) and that person's registry spelling of the same field is
one of the OCR's reads, two independent sources agree on one spelling: the value becomes
it and the doubt an info note (NAME_MATCHES_REGISTRY). The router lets the note pass unless
the policy says otherwise (`RoutingPolicy.allow_registry_spellings_to_pass`).

A personal ID whose reads split is settled the same way (ID_MATCHES_REGISTRY) when the link
stands on the compared fields alone (see `pipelines.checks_step`): the person the name, birth
date and parents point to has one of the IDs the page was read as.

Only the reads decide which spellings are possible: a registry spelling no read shows (a
registry typo, a name changed since) never replaces what the page shows, and a field with
any other error keeps it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from domain.record import Student
from domain.text import normalize_text
from validation.report import Finding, is_blocking

NAME_MATCHES_REGISTRY = "NAME_MATCHES_REGISTRY"
ID_MATCHES_REGISTRY = "ID_MATCHES_REGISTRY"
NAME_FIELDS = ("full_name", "father_name", "mother_name")
SETTLED_FIELDS = (*NAME_FIELDS, "personal_id")
# doubts about a name's spelling that the registry's spelling answers
SETTLED_CODES = frozenset(
    {"READS_DISAGREE", "SURNAME_MARKS_LOST", "SURNAME_NEAR_KNOWN", "NAME_WORD_UNLIKELY"}
)
_MESSAGE = (
    "Các lần đọc {label} khác nhau; đã lấy cách viết trùng với một lần đọc và với dữ liệu"
    " dân cư của học sinh đã liên kết. Các lần đọc vẫn được lưu để đối chiếu."
)
_LABELS = {
    "full_name": "họ và tên",
    "father_name": "họ tên cha",
    "mother_name": "họ tên mẹ",
    "personal_id": "số định danh cá nhân",
}


def settle_names_by_registry(
    document_id: str,
    student: Student,
    registry: Mapping[str, str],
    reads: Mapping[str, Sequence[str]],
    findings: Sequence[Finding],
) -> tuple[Student, list[Finding]]:
    """The student with each split name the registry settles set to the registry's spelling,
    and `findings` with that name's doubts replaced by an info note. `registry` is the linked
    person's fields (blank when unknown); `reads` the OCR's reads per field path."""
    settled: dict[str, str] = {}
    for attr in SETTLED_FIELDS:
        path = f"student.{attr}"
        theirs = normalize_text(registry.get(attr) or "")
        doubts = [f for f in findings if f.field == path and is_blocking(f)]
        if not theirs or not doubts or any(f.code not in SETTLED_CODES for f in doubts):
            continue
        shown = [*reads.get(path, ()), getattr(student, attr) or ""]
        if any(normalize_text(text).casefold() == theirs.casefold() for text in shown):
            settled[attr] = theirs
    if not settled:
        return student, list(findings)
    paths = {f"student.{attr}" for attr in settled}
    kept = [f for f in findings if not (f.field in paths and f.code in SETTLED_CODES)]
    notes = [_note(document_id, attr) for attr in settled]
    return student.model_copy(update=settled), kept + notes


def _note(document_id: str, attr: str) -> Finding:
    message = _MESSAGE.format(label=_LABELS[attr])
    code = ID_MATCHES_REGISTRY if attr == "personal_id" else NAME_MATCHES_REGISTRY
    return Finding(document_id, f"student.{attr}", code, message, "info", "link")
