"""Linking a booklet's student to the population registry (domain.md §5 matching recipe).

The storage layer fetches candidate rows for a whole batch in one set-based query, from the
blocking keys `link_queries` gives (and the row of a printed personal ID); this module only
scores them (vectorised, `validation.link_scoring`) and decides. It never auto-links when a
second candidate is close (twins, namesakes born the same year are common in a province
extract).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date

import numpy as np
import pandas as pd

from domain.record import LinkStatus, Student
from domain.text import normalize_text, search_key
from validation.idnumber import province_code_for_place
from validation.link_scoring import (
    STUDENT_COLUMNS,
    code_text,
    name_similarity_many,
    score_pairs,
    text_or_blank,
)
from validation.report import Finding

LINK_THRESHOLD = 85.0  # best score needed for "linked" (0-100)
MIN_MARGIN = 10.0  # the runner-up must be at least this far behind
CANDIDATE_FLOOR = 60.0  # below this a row is not worth showing to a steward
ID_CONFIRMED_FLOOR = 70.0  # a printed ID confirms a candidate scoring at least this
MAX_CANDIDATES = 5

# regional forms of one surname (same Hán character): a blocking variant, never proof
_SURNAME_VARIANTS = {"hoang": "huynh", "huynh": "hoang", "vu": "vo", "vo": "vu"}
QUERY_COLUMNS = (
    "qid", "name_key", "given_key", "family_key", "birth_year", "date_of_birth", "printed_id",
)  # fmt: skip


@dataclass(frozen=True)
class LinkResult:
    status: LinkStatus  # "linked" | "ambiguous" | "not_found" | "conflict"
    personal_id: str | None
    score: float | None
    candidates: list[str] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    # the linked person's compared registry fields (full_name, …), blank when unknown
    registry: dict[str, str] = field(default_factory=dict)
    # linked on the compared fields alone: a printed ID was not needed to tell the person
    by_fields_alone: bool = False


# --- blocking --------------------------------------------------------------------------------


def blocking_keys(student: Student) -> list[tuple[str, int]]:
    """(accent-insensitive name key, birth year) pairs to fetch registry candidates with."""
    year = _birth_year(student.date_of_birth)
    if not student.full_name or year is None:
        return []
    key = search_key(student.full_name)
    keys = [(key, year)]
    surname, _, rest = key.partition(" ")
    if surname in _SURNAME_VARIANTS and rest:
        keys.append((f"{_SURNAME_VARIANTS[surname]} {rest}", year))
    return keys


def link_queries(students: Sequence[Student]) -> pd.DataFrame:
    """The batch's blocking keys, one row per (student index `qid`, name-key variant).

    A registry row is a candidate when it shares (full name key, birth year), or (given-name
    key, birth date), or (name key without the given name, birth date), or the printed ID:
    OCR or a registry typo may damage any one part of the name, rarely two.
    """
    rows: list[tuple[object, ...]] = []
    for qid, student in enumerate(students):
        printed = student.personal_id if _is_pid(student.personal_id) else None
        keys = blocking_keys(student)
        dob = student.date_of_birth if keys else None
        for key, year in keys:
            family, _, given = key.rpartition(" ")
            rows.append((qid, key, given, family or None, year, dob, printed))
        if not keys and printed:
            rows.append((qid, None, None, None, None, None, printed))
    frame = pd.DataFrame(rows, columns=list(QUERY_COLUMNS))
    return frame.astype({"qid": "int64", "birth_year": "Int64"})


# --- deciding --------------------------------------------------------------------------------


def link_batch(
    students: Sequence[Student], document_ids: Sequence[str], candidates: pd.DataFrame
) -> list[LinkResult]:
    """Link every student of a batch; `candidates` carries `qid` (the student's index)."""
    pairs = candidate_pairs(students, candidates)
    scores = score_pairs(pairs)
    qids = pairs["qid"].to_numpy(int) if len(pairs) else np.zeros(0, int)
    pids = [code_text(v, 12) for v in pairs["personal_id"].tolist()] if len(pairs) else []
    order = np.lexsort((-scores, qids))  # by student, best score first
    starts = np.searchsorted(qids[order], np.arange(len(students) + 1))
    columns = [c for _, c, _ in _COMPARED if c in pairs]
    compared = {c: pairs[c].tolist() for c in columns}
    results = []
    for qid, (student, document_id) in enumerate(zip(students, document_ids, strict=True)):
        idx = order[starts[qid] : starts[qid + 1]]
        scored = [(float(scores[i]), pids[i]) for i in idx]
        result = decide(student, scored, document_id)
        if result.status == "linked":
            at = next(i for i in idx if pids[i] == result.personal_id)
            row = {column: text_or_blank(values[at]) for column, values in compared.items()}
            findings = registry_disagreements(student, row, document_id)
            result = replace(result, findings=findings, registry=row)
        results.append(result)
    return results


# (student field, registry column, what the steward reads)
_COMPARED = (
    ("full_name", "full_name", "Họ và tên"),
    ("date_of_birth", "date_of_birth", "Ngày sinh"),
    ("gender", "gender", "Giới tính"),
    ("father_name", "father_name", "Họ tên cha"),
    ("mother_name", "mother_name", "Họ tên mẹ"),
)


def registry_disagreements(
    student: Student, row: Mapping[str, object], document_id: str
) -> list[Finding]:
    """Fields of a linked student that differ from the registry person's.

    The link proves who the pupil is, not that every letter was read right: a lost tone mark
    or a slipped digit of the birth date still links. Either the booklet was misread or the
    registry differs; a steward compares the two (no values in the message: personal data).
    """
    findings = []
    for attr, column, label in _COMPARED:
        ours, theirs = getattr(student, attr), text_or_blank(row.get(column))
        if ours and theirs and normalize_text(ours) != normalize_text(theirs):
            message = (
                f"{label} đọc được khác dữ liệu dân cư của học sinh đã liên kết; cần đối chiếu."
            )
            findings.append(
                Finding(
                    document_id, f"student.{attr}", "REGISTRY_MISMATCH", message, "error", "link"
                )
            )
    return findings


def link_student(student: Student, candidates: pd.DataFrame, *, document_id: str) -> LinkResult:
    """Score every candidate row for one student and decide (small frames, tests, review)."""
    frame = candidates.assign(qid=0)
    return link_batch([student], [document_id], frame)[0]


def decide(student: Student, scored: list[tuple[float, str]], document_id: str) -> LinkResult:
    """linked / ambiguous / not_found / conflict from (score, personal_id), best first."""
    if not student.full_name:
        return _result("not_found", None, None, [], document_id, "IDENTITY_INCOMPLETE")
    scored = _best_per_person(scored)
    shown = [pid for score, pid in scored if score >= CANDIDATE_FLOOR][:MAX_CANDIDATES]
    if student.personal_id:
        return _decide_with_printed_id(student.personal_id, scored, shown, document_id)
    if not shown:
        return _result("not_found", None, None, [], document_id, "IDENTITY_NOT_FOUND")
    best, best_id = scored[0]
    runner_up = scored[1][0] if len(scored) > 1 else 0.0
    if best >= LINK_THRESHOLD and best - runner_up >= MIN_MARGIN:
        return LinkResult("linked", best_id, round(best, 1), [best_id], [], by_fields_alone=True)
    return _result("ambiguous", None, round(best, 1), shown, document_id, "IDENTITY_AMBIGUOUS")


def _best_per_person(scored: list[tuple[float, str]]) -> list[tuple[float, str]]:
    """One entry per personal_id (a row fetched by two keys is one person), best first."""
    seen: set[str] = set()
    kept = []
    for score, pid in sorted(scored, key=lambda s: (-s[0], s[1])):
        if pid not in seen:
            seen.add(pid)
            kept.append((score, pid))
    return kept


def _decide_with_printed_id(
    printed: str, scored: list[tuple[float, str]], shown: list[str], document_id: str
) -> LinkResult:
    """A printed ID links only when it names the best-scoring, convincing candidate."""
    by_id = {pid: score for score, pid in scored}
    best_id = scored[0][1] if scored else None
    score = by_id.get(printed)
    runner_up = scored[1][0] if len(scored) > 1 else 0.0
    if score is not None and printed == best_id and score >= ID_CONFIRMED_FLOOR:
        if score >= LINK_THRESHOLD or score - runner_up >= MIN_MARGIN:
            alone = score >= LINK_THRESHOLD and score - runner_up >= MIN_MARGIN
            return LinkResult(
                "linked", printed, round(score, 1), [printed], [], by_fields_alone=alone
            )
        # the ID agrees but a second person is close (a twin): a steward confirms
        return _result("ambiguous", None, round(score, 1), shown, document_id, "IDENTITY_AMBIGUOUS")
    listed = shown if printed in shown else [printed, *shown][:MAX_CANDIDATES]
    best = round(scored[0][0], 1) if scored else None
    return _result("conflict", None, best, listed, document_id, "IDENTITY_CONFLICT")


_MESSAGES = {
    "IDENTITY_NOT_FOUND": "Không tìm thấy học sinh này trong dữ liệu dân cư.",
    "IDENTITY_AMBIGUOUS": "Có nhiều người trong dữ liệu dân cư giống học sinh này; cần chọn đúng.",
    "IDENTITY_CONFLICT": "Số định danh in trong học bạ không khớp người phù hợp nhất.",
    "IDENTITY_INCOMPLETE": "Thiếu họ tên nên không đối chiếu được với dữ liệu dân cư.",
}


def _result(
    status: LinkStatus,
    personal_id: str | None,
    score: float | None,
    candidates: list[str],
    document_id: str,
    code: str,
) -> LinkResult:
    where = "student.personal_id" if code == "IDENTITY_CONFLICT" else "identity_link"
    finding = Finding(document_id, where, code, _MESSAGES[code], "error", "link")
    return LinkResult(status, personal_id, score, candidates, [finding])


# --- pairs -----------------------------------------------------------------------------------


def candidate_pairs(students: Sequence[Student], candidates: pd.DataFrame) -> pd.DataFrame:
    """Candidate rows with their student's fields beside them (STUDENT_COLUMNS)."""
    side = pd.DataFrame(
        [
            (
                qid,
                s.full_name or "",
                s.gender or "",
                s.date_of_birth or "",
                s.father_name or "",
                s.mother_name or "",
                province_code_for_place(s.place_of_birth) or "",
            )
            for qid, s in enumerate(students)
        ],
        columns=["qid", *STUDENT_COLUMNS],
    )
    if candidates.empty:
        return candidates.assign(**{c: pd.Series(dtype=object) for c in STUDENT_COLUMNS})
    return candidates.merge(side, on="qid", how="inner", validate="many_to_one")


def score_candidate(student: Student, row: dict[str, object]) -> float:
    """The score of one registry row for one student (see `score_pairs`)."""
    pairs = candidate_pairs([student], pd.DataFrame([{**row, "qid": 0}]))
    return float(score_pairs(pairs)[0])


def name_similarity(a: str, b: str) -> float:
    """0-100: letter changes cost fully, diacritic-only changes cost a third (domain.md §5)."""
    return float(name_similarity_many(pd.Series([a]), pd.Series([b]))[0])


def _is_pid(value: str | None) -> bool:
    return bool(value and re.fullmatch(r"\d{12}", value))


def _birth_year(iso_date: str | None) -> int | None:
    """The year of a real calendar date written YYYY-MM-DD (OCR can give 2005-13-45)."""
    if not iso_date or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", iso_date):
        return None
    try:
        return date.fromisoformat(iso_date).year
    except ValueError:
        return None
