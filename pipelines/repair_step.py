"""Repair from constraints inside the checks step: the OCR's alternative reads of each cell
(extraction keeps every read of a table cell in `FieldReading.raw`, joined by " / ") are
parsed here, and `validation.repair` settles the cells the page's arithmetic pins down;
`validation.comment_marks` the comments whose reads differ in marks only."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence, Set

from domain.record import FieldReading, TranscriptRecord
from ocr.fields import Parsed, parse_class, parse_score, vocab_parser
from ocr.sink import READ_SEPARATOR
from ocr.year_common import YearHeader
from ocr.year_thcs import ACADEMIC_INDEX
from validation.comment_marks import settle_comment_marks
from validation.repair import Value, propose_repairs, set_value, value_at
from validation.report import Finding
from validation.rules import check_record

_PARSERS: tuple[tuple[re.Pattern[str], Callable[[str], Parsed]], ...] = (
    (re.compile(r"\.(subjects\[\d+\]|average_all)\.(hk1|hk2|year)$"), parse_score),
    (re.compile(r"\.academic\.(hk1|hk2|year)$"), vocab_parser(ACADEMIC_INDEX)),
    (re.compile(r"^years\[\d+\]\.class_name$"), parse_class),
)


def cell_alternatives(readings: Sequence[FieldReading]) -> dict[str, list[Value]]:
    """For each cell a constraint can settle: the distinct values its reads parse to."""
    found: dict[str, list[Value]] = {}
    for reading in readings:
        parser = next((p for pattern, p in _PARSERS if pattern.search(reading.path)), None)
        if parser is None:
            continue
        parsed = [parser(text.strip()) for text in reading.raw.split(READ_SEPARATOR)]
        values = [p.value for p in parsed if p.ok and isinstance(p.value, float | str)]
        found[reading.path] = list(dict.fromkeys(values))
    for path, classes in list(found.items()):  # a page's grade follows from its class name
        if path.endswith(".class_name"):
            grades = [YearHeader(class_name=c).grade for c in classes]
            found[path.removesuffix("class_name") + "grade"] = list(
                dict.fromkeys(g for g in grades if g is not None)
            )
    return found


def reads_by_path(readings: Sequence[FieldReading]) -> dict[str, list[str]]:
    """Every read extraction kept of each field (`FieldReading.raw`, reads joined by " / "),
    over all its prints: the pupil's name is read on the identity page and every year page."""
    reads: dict[str, list[str]] = {}
    for reading in readings:
        reads.setdefault(reading.path, []).extend(reading.raw.split(READ_SEPARATOR))
    return reads


def repair_record(
    record: TranscriptRecord,
    readings: Sequence[FieldReading],
    ocr_findings: list[Finding],
    confirmed: Mapping[str, Set[str]] | None = None,
) -> tuple[TranscriptRecord, list[Finding]]:
    """The record with pinned cells settled, and its OCR + rule + repair findings (comment
    splits the fullest spelling or the batch's `confirmed` comments settle among them, as
    notes)."""
    reads = reads_by_path(readings)
    ocr_findings, comments = settle_comment_marks(
        record.document_id, lambda path: value_at(record, path), reads, ocr_findings, confirmed
    )
    outvoted = {p: v for p, v in comments.items() if v != value_at(record, p)}
    if outvoted:  # the reads' majority outvoted the page read
        record = record.model_copy(deep=True)
        for path, value in outvoted.items():
            set_value(record, path, value)
    rule_findings = check_record(record)
    repaired, repairs = propose_repairs(
        record, cell_alternatives(readings), [*ocr_findings, *rule_findings]
    )
    if not repairs:
        return record, [*ocr_findings, *rule_findings]
    settled = {r.field for r in repairs}
    kept = [f for f in ocr_findings if f.field not in settled]
    notes = [r.finding(record.document_id) for r in repairs]
    return repaired, [*kept, *check_record(repaired), *notes]
