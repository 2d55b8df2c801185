"""Numbers and ranks of THCS-2011 pages (TT58/2011 + TT26/2020, domain.md §1.5): the year
average formula, học lực with the khoản 6 adjustment, and the decisions a year allows.

Arithmetic is done in Decimal so that half-up rounding at .x5 edges is exact (7.25 -> 7.3).
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

TERMS = ("hk1", "hk2", "year")
MAX_ABSENCES = 45  # buổi nghỉ: more means ở lại lớp (TT58 Điều 14)
_ONE_DECIMAL = Decimal("0.1")


# --- numbers -----------------------------------------------------------------------------


def round_half_up1(value: Decimal) -> Decimal:
    return value.quantize(_ONE_DECIMAL, rounding=ROUND_HALF_UP)


def year_average(hk1: Decimal, hk2: Decimal) -> Decimal:
    """ĐTBmcn = (ĐTBmhkI + 2·ĐTBmhkII) / 3, one decimal, half up (domain.md §1.5)."""
    return round_half_up1((hk1 + 2 * hk2) / 3)


def as_decimal(value: object) -> Decimal | None:
    """A score as an exact Decimal (via its shortest repr, so 7.3 stays 7.3); None if no number."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    try:
        return Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    except InvalidOperation:
        return None


# --- học lực (TT58 Điều 13) ---------------------------------------------------------------

RANKS = ("Giỏi", "Khá", "Trung bình", "Yếu", "Kém")
# rank -> (minimum average, minimum key subject, minimum of every subject)
_THRESHOLDS = {
    "Giỏi": (Decimal("8.0"), Decimal("8.0"), Decimal("6.5")),
    "Khá": (Decimal("6.5"), Decimal("6.5"), Decimal("5.0")),
    "Trung bình": (Decimal("5.0"), Decimal("5.0"), Decimal("3.5")),
    "Yếu": (Decimal("3.5"), Decimal("0"), Decimal("2.0")),
}
# khoản 6: (rank the average reaches, rank after one subject pulls it down) -> adjusted rank
_ADJUSTMENTS = {
    ("Giỏi", "Trung bình"): "Khá",
    ("Giỏi", "Yếu"): "Trung bình",
    ("Khá", "Yếu"): "Trung bình",
    ("Khá", "Kém"): "Yếu",
}


def key_subjects(regulation: str | None) -> tuple[str, ...]:
    """Toán and Ngữ văn; TT26/2020 adds Ngoại ngữ from 2020-21."""
    if regulation == "TT58+TT26":
        return ("Toán", "Ngữ văn", "Ngoại ngữ")
    return ("Toán", "Ngữ văn")


def academic_rank(
    average: Decimal,
    scores: dict[str, Decimal],
    comment_marks: list[str],
    keys: tuple[str, ...],
    *,
    cd_can_be_adjusted: bool = True,
    key_must_hold: bool = True,
) -> str:
    """Học lực from the term average, the scored subjects and the Đ/CĐ marks (TT58 + khoản 6).

    Khoản 6 ("do kết quả của một môn học nào đó") is read several ways by school software:
    whether a single CĐ comment subject qualifies (cd_can_be_adjusted), and whether the
    Toán/Ngữ văn condition must hold unless the one low subject is itself a key subject
    (key_must_hold). Checks accept every reading.
    """
    strict = _strict_rank(average, scores, comment_marks, keys)
    by_average = next((r for r in RANKS[:4] if average >= _THRESHOLDS[r][0]), "Kém")
    adjusted = _ADJUSTMENTS.get((by_average, strict))
    if adjusted is None or not (cd_can_be_adjusted or all(m == "Đ" for m in comment_marks)):
        return strict
    culprits = _culprits(by_average, scores, comment_marks)
    key_ok = _best_key(scores, keys) >= _THRESHOLDS[by_average][1]
    if len(culprits) != 1 or (key_must_hold and not key_ok and culprits[0] not in keys):
        return strict
    return adjusted


def _strict_rank(
    average: Decimal, scores: dict[str, Decimal], marks: list[str], keys: tuple[str, ...]
) -> str:
    lowest = min(scores.values(), default=Decimal(10))
    best_key = _best_key(scores, keys)
    for rank in RANKS[:4]:
        min_avg, min_key, min_all = _THRESHOLDS[rank]
        marks_ok = rank == "Yếu" or all(m == "Đ" for m in marks)
        if average >= min_avg and best_key >= min_key and lowest >= min_all and marks_ok:
            return rank
    return "Kém"


def _culprits(rank: str, scores: dict[str, Decimal], marks: list[str]) -> list[str]:
    """Subjects below the rank's floor for every subject, and CĐ marks."""
    floor = _THRESHOLDS[rank][2]
    return [n for n, v in scores.items() if v < floor] + ["CĐ" for m in marks if m != "Đ"]


def _best_key(scores: dict[str, Decimal], keys: tuple[str, ...]) -> Decimal:
    return max((scores[k] for k in keys if k in scores), default=Decimal(0))


def expected_decisions(
    grade: int, conduct: str, academic: str, absences: int | None
) -> tuple[str, ...]:
    """Decisions TT58 Điều 14-16 allow for a year's conduct, academic rank and absences."""
    repeat = "Ở lại lớp"
    weak_hl, weak_hk = academic == "Yếu", conduct == "Yếu"
    if (absences or 0) > MAX_ABSENCES or academic == "Kém" or (weak_hl and weak_hk):
        return (repeat,)
    done = "Hoàn thành chương trình THCS" if grade == 9 else "Được lên lớp"
    # grade 9 has no "sau kiểm tra lại" line: passing the retest completes the programme
    after_retest = (done,) if grade == 9 else ()
    if weak_hl:
        return ("Được lên lớp sau kiểm tra lại", repeat, *after_retest)
    if weak_hk:
        return ("Được lên lớp sau rèn luyện hè", repeat, *after_retest)
    return (done,)
