"""Checks, registry linking and routing over a batch of extracted booklets; saves the verdicts."""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence, Set
from dataclasses import dataclass
from pathlib import Path

from domain.record import FieldReading, IdentityLink, TranscriptRecord
from ocr.fields import parse_text
from pipelines.extract_step import Outcome
from pipelines.repair_step import reads_by_path, repair_record
from pipelines.repository import Repository
from validation.comment_marks import confirmed_comments
from validation.gx_suite import run_gx_checks
from validation.idnumber import check_personal_id, consistent_id_read
from validation.lexicon import Lexicon
from validation.linking import LinkResult, link_batch, link_queries, registry_disagreements
from validation.places import (
    ADDRESS_PATHS,
    known_places,
    place_findings,
    settle_split_places,
    settle_stroke_twins,
)
from validation.registry_names import settle_names_by_registry
from validation.report import Finding
from validation.routing import RoutingPolicy, route

PRIORITY = {"IDENTITY_CONFLICT": 10, "PAGE_NAME_MISMATCH": 10}


@dataclass(frozen=True)
class Routed:
    document_id: str
    status: str  # auto_approved | needs_review | rejected
    reasons: tuple[str, ...]


def check_batch(
    outcomes: Sequence[Outcome],
    repo: Repository,
    batch_id: str,
    pipeline_version: str,
    *,
    policy: RoutingPolicy | None = None,
    report_dir: Path | None = None,
    seed: int = 0,
) -> tuple[list[TranscriptRecord], list[Routed]]:
    """Quarantine what could not be extracted; check, link, route and save the rest."""
    policy = policy or RoutingPolicy()
    for o in outcomes:
        if o.record is None:
            reason = (
                "không nhận ra trang học bạ thuộc mẫu được hỗ trợ"
                if o.error_code == "UNSUPPORTED_PAGE"
                else f"lỗi khi đọc: {o.error}"
            )
            repo.record_input(
                batch_id,
                o.item.file_name,
                o.item.sha256,
                0,
                o.item.object_key,
                "quarantined",
                reason,
            )
    # An issued record is immutable: a re-run leaves it (and its review) exactly as issued.
    read = [(o, TranscriptRecord.from_contract(o.record)) for o in outcomes if o.record is not None]
    confirmed = confirmed_comments(record for _, record in read)  # the whole batch's evidence
    done = [(o, r) for o, r in read if not repo.find_issued(o.item.document_id)]
    prepared = [_with_consistent_id(*_repaired(o, r, confirmed)) for o, r in done]
    records = [record for record, _, _ in prepared]
    gx = _by_document(run_gx_checks(records, report_dir=report_dir))
    students = [r.student for r in records]
    links = link_batch(
        students, [r.document_id for r in records], repo.link_candidates(link_queries(students))
    )
    places = known_places(repo.place_names())
    routed = []
    for (record, readings, own), link in zip(prepared, links, strict=True):
        reads = reads_by_path(readings)
        findings = _places_by_registry(
            record, reads, places, [*own, *gx.get(record.document_id, [])]
        )
        findings = _names_by_registry(record, reads, link, findings)
        record.identity_link = IdentityLink(
            status=link.status,
            personal_id=link.personal_id,
            score=link.score,
            candidates=link.candidates,
        )
        draw = random.Random(f"{seed}:{record.document_id}").random()  # replayable audit sample
        record.review = route(record, findings, policy, audit_draw=draw)
        repo.save_extraction(record, readings, batch_id, pipeline_version)
        reasons = tuple(
            dict.fromkeys(
                f.code
                for f in record.review.flags
                if f.severity != "info" or f.code == "AUDIT_SAMPLE"
            )
        )
        if record.review.status == "needs_review":
            is_audit = any(f.code == "AUDIT_SAMPLE" for f in record.review.flags)
            priority = max((PRIORITY.get(c, 0) for c in reasons), default=0)
            repo.enqueue_review(record.document_id, batch_id, list(reasons), is_audit, priority)
        routed.append(Routed(record.document_id, record.review.status, reasons))
    return records, routed


def _repaired(
    outcome: Outcome, record: TranscriptRecord, confirmed: Mapping[str, Set[str]]
) -> tuple[TranscriptRecord, list[FieldReading], list[Finding]]:
    """The record after repair from constraints, its readings, and its OCR + rule findings;
    `confirmed`: the batch's agreed comments (validation.comment_marks)."""
    readings = [FieldReading.model_validate(r) for r in outcome.readings]
    record, findings = repair_record(record, readings, _ocr_findings(record), confirmed)
    return record, readings, findings


def _with_consistent_id(
    record: TranscriptRecord, readings: list[FieldReading], findings: list[Finding]
) -> tuple[TranscriptRecord, list[FieldReading], list[Finding]]:
    """A personal ID whose reads split takes the one read that passes every structure check,
    before linking: its structure problems go, the split stays (READS_DISAGREE) until the
    linked registry person confirms that ID (`_names_by_registry`)."""
    path, student = "student.personal_id", record.student
    if not any(f.field == path and f.code == "READS_DISAGREE" for f in findings):
        return record, readings, findings
    reads = reads_by_path(readings).get(path, [])
    born, gender = student.date_of_birth, student.gender
    pid = consistent_id_read(reads, date_of_birth=born, gender=gender)
    if pid is None or pid == student.personal_id:
        return record, readings, findings
    problems = check_personal_id(student.personal_id or "", date_of_birth=born, gender=gender)
    stale = {code for code, _ in problems}  # the value taken's structure problems
    record.student = student.model_copy(update={"personal_id": pid})
    kept = [f for f in findings if not (f.field == path and f.code in stale)]
    return record, readings, kept


def _places_by_registry(
    record: TranscriptRecord,
    reads: Mapping[str, list[str]],
    places: Lexicon,
    findings: list[Finding],
) -> list[Finding]:
    """`findings` plus the address checks, after split addresses the registry's place names
    settle were settled (the record's student is updated in place)."""
    parsed = {
        path: [text for read in texts if isinstance(text := parse_text(read).value, str)]
        for path, texts in reads.items()
        if path in ADDRESS_PATHS
    }
    record.student, findings = settle_split_places(
        record.document_id, record.student, places, parsed, findings
    )
    record.student, findings = settle_stroke_twins(
        record.document_id, record.student, places, findings
    )
    return [*findings, *place_findings(record, places)]


def _names_by_registry(
    record: TranscriptRecord,
    reads: Mapping[str, list[str]],
    link: LinkResult,
    findings: list[Finding],
) -> list[Finding]:
    """`findings` plus the link's, after the linked registry person settled split names (the
    record's student is updated in place; its differences from the registry are recomputed)."""
    if link.status != "linked":
        return [*findings, *link.findings]
    registry = dict(link.registry)
    if link.by_fields_alone and link.personal_id:
        registry["personal_id"] = link.personal_id
    record.student, findings = settle_names_by_registry(
        record.document_id, record.student, registry, reads, findings
    )
    return [*findings, *registry_disagreements(record.student, link.registry, record.document_id)]


def _ocr_findings(record: TranscriptRecord) -> list[Finding]:
    """Extraction's own flags (low confidence, unparseable, missing) as findings."""
    return [
        Finding(record.document_id, f.field, f.code, f.message, f.severity, "ocr")
        for f in record.review.flags
    ]


def _by_document(findings: Sequence[Finding]) -> dict[str, list[Finding]]:
    grouped: dict[str, list[Finding]] = {}
    for finding in findings:
        grouped.setdefault(finding.document_id, []).append(finding)
    return grouped
