"""Linking a booklet's student to the population registry (domain.md §5 matching recipe).

The caller (storage layer) fetches candidate rows by blocking key, plus the row of a printed
personal ID if there is one; this module only scores them. It never auto-links when a second
candidate is close (twins, namesakes born the same year are common in a province extract).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

import pandas as pd
from rapidfuzz import fuzz

from domain.record import LinkStatus, Student
from domain.text import normalize_text, search_key
from validation.idnumber import province_code_for_place
from validation.report import Finding

LINK_THRESHOLD = 85.0  # best score needed for "linked" (0-100)
MIN_MARGIN = 10.0  # the runner-up must be at least this far behind
CANDIDATE_FLOOR = 60.0  # below this a row is not worth showing to a steward
ID_CONFIRMED_FLOOR = 70.0  # a printed ID confirms a candidate scoring at least this
MAX_CANDIDATES = 5
HARD_MISMATCH_CAP = 80.0  # best possible score of a row with another given name or gender

# weights of the evidence (points out of 100 when every field is known on both sides)
W_NAME, W_GIVEN, W_DOB, W_GENDER, W_PARENT, W_PROVINCE = 40, 10, 25, 5, 7, 6
MARK_WEIGHT = 0.3  # a tone or hat difference weighs this much of a letter difference
W_DOB_PARTIAL = 8  # one of day/month/year differs: an OCR digit error or another person

# regional forms of one surname (same Hán character): a blocking variant, never proof
_SURNAME_VARIANTS = {"hoang": "huynh", "huynh": "hoang", "vu": "vo", "vo": "vu"}


@dataclass(frozen=True)
class LinkResult:
    status: LinkStatus  # "linked" | "ambiguous" | "not_found" | "conflict"
    personal_id: str | None
    score: float | None
    candidates: list[str] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)


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


def link_student(student: Student, candidates: pd.DataFrame, *, document_id: str) -> LinkResult:
    """Score every candidate row and decide linked / ambiguous / not_found / conflict."""
    if not student.full_name:
        return _result("not_found", None, None, [], document_id, "IDENTITY_INCOMPLETE")
    scored = sorted(
        ((score_candidate(student, row), _pid(row["personal_id"])) for row in _rows(candidates)),
        reverse=True,
    )
    shown = [pid for score, pid in scored if score >= CANDIDATE_FLOOR][:MAX_CANDIDATES]
    printed = student.personal_id
    if printed:
        return _decide_with_printed_id(printed, scored, shown, document_id)
    if not shown:
        return _result("not_found", None, None, [], document_id, "IDENTITY_NOT_FOUND")
    best, best_id = scored[0]
    runner_up = scored[1][0] if len(scored) > 1 else 0.0
    if best >= LINK_THRESHOLD and best - runner_up >= MIN_MARGIN:
        return LinkResult("linked", best_id, round(best, 1), [best_id], [])
    return _result("ambiguous", None, round(best, 1), shown, document_id, "IDENTITY_AMBIGUOUS")


def _decide_with_printed_id(
    printed: str, scored: list[tuple[float, str]], shown: list[str], document_id: str
) -> LinkResult:
    """A printed ID links only when it names the best-scoring, convincing candidate."""
    by_id = {pid: score for score, pid in scored}
    best_id = scored[0][1] if scored else None
    score = by_id.get(printed)
    if score is not None and printed == best_id and score >= ID_CONFIRMED_FLOOR:
        return LinkResult("linked", printed, round(score, 1), [printed], [])
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


# --- scoring ---------------------------------------------------------------------------------


def score_candidate(student: Student, row: dict[str, object]) -> float:
    """0-100: evidence earned over evidence available (fields blank on either side don't count).

    A different given name (twins) or gender caps the score below the link threshold: such a
    row may be shown to a steward but is never linked automatically.
    """
    name_a, name_b = student.full_name or "", _text(row.get("full_name")) or ""
    earned, possible = _name_points(name_a, name_b)
    gender = _equal_points(student.gender, _text(row.get("gender")), W_GENDER)
    for points, weight in (
        (_dob_points(student.date_of_birth, _text(row.get("date_of_birth"))), W_DOB),
        (gender, W_GENDER),
        (_similar_points(student.father_name, _text(row.get("father_name"))), W_PARENT),
        (_similar_points(student.mother_name, _text(row.get("mother_name"))), W_PARENT),
        (_province_points(student.place_of_birth, row.get("birth_registration_place")), W_PROVINCE),
    ):
        if points is not None:
            earned, possible = earned + points, possible + weight
    score = 100.0 * earned / possible
    if gender == 0.0 or search_key(_given(name_a)) != search_key(_given(name_b)):
        score = min(score, HARD_MISMATCH_CAP)
    return score


def name_similarity(a: str, b: str) -> float:
    """0-100: letter changes cost fully, diacritic-only changes cost a third (domain.md §5).

    rapidfuzz on NFC, tone-style-canonical text gives the whole difference; the accent-stripped
    ratio tells how much of it is letters. A name with no marks at all (an ASCII export) is
    compared on letters only: losing every mark is one event, not many errors.
    """
    bare = fuzz.ratio(search_key(a), search_key(b))
    if _unmarked(a) or _unmarked(b):
        return bare
    exact = fuzz.ratio(_canonical(a), _canonical(b))
    return bare - MARK_WEIGHT * max(0.0, bare - exact)


def _given(name: str) -> str:
    """The given name (tên): the last syllable in Vietnamese order."""
    return name.rpartition(" ")[2]


def _unmarked(name: str) -> bool:
    return name.isascii()


def _name_points(a: str, b: str) -> tuple[float, float]:
    """Whole-name similarity plus the given name (last syllable), which separates twins."""
    given_a, given_b = _given(_canonical(a)), _given(_canonical(b))
    given: float
    if given_a == given_b:
        given = W_GIVEN
    elif search_key(given_a) == search_key(given_b):
        given = W_GIVEN / 2
    else:
        given = 0.0
    return W_NAME * name_similarity(a, b) / 100 + given, W_NAME + W_GIVEN


def _dob_points(a: str | None, b: str | None) -> float | None:
    if not a or not b:
        return None
    if a == b:
        return W_DOB
    parts_a, parts_b = a.split("-"), b.split("-")
    same = sum(x == y for x, y in zip(parts_a, parts_b, strict=False))
    return W_DOB_PARTIAL if same == 2 and len(parts_a) == len(parts_b) == 3 else 0.0


def _equal_points(a: str | None, b: str | None, weight: float) -> float | None:
    if not a or not b:
        return None
    return weight if a == b else 0.0


def _similar_points(a: str | None, b: str | None) -> float | None:
    if not a or not b:
        return None
    return W_PARENT * name_similarity(a, b) / 100


def _province_points(place: str | None, registered: object) -> float | None:
    code = province_code_for_place(place)
    reg = _digits(registered, 3)
    if code is None or not reg:
        return None
    return W_PROVINCE if reg == code else 0.0


def _canonical(name: str) -> str:
    return normalize_text(name).lower()


def _text(value: object) -> str | None:
    """A cell as text; pandas gives NaN/None for empty cells."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    text = str(value).strip()
    return text or None


def _digits(value: object, width: int) -> str | None:
    """A code column as text with its leading zeros, even if a CSV reader made it a number."""
    if isinstance(value, float) and not math.isnan(value) and value.is_integer():
        value = int(value)
    text = _text(value)
    return text.zfill(width) if text and text.isdigit() else text


def _pid(value: object) -> str:
    return _digits(value, 12) or ""


def _rows(frame: pd.DataFrame) -> list[dict[str, object]]:
    return [{str(k): v for k, v in row.items()} for row in frame.to_dict(orient="records")]


def _birth_year(iso_date: str | None) -> int | None:
    if iso_date and re.fullmatch(r"\d{4}-\d{2}-\d{2}", iso_date):
        return int(iso_date[:4])
    return None
