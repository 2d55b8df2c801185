"""TH-2014 year pages (TT30/2014, TT22/2016; domain.md §1.3 and §2 checks 1, 2, 4)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from rapidfuzz.distance import Levenshtein

from domain import vocab
from domain.record import SubjectResult, YearPage
from domain.text import normalize_text
from validation.academic import TERMS
from validation.report import Issue


def th_issues(page: YearPage, path: str) -> Iterator[Issue]:
    tt30 = page.regulation == "TT30"
    levels = vocab.TH_LEVELS_TT30 if tt30 else vocab.TH_LEVELS_TT22
    for j, subject in enumerate(page.subjects):
        where = f"{path}.subjects[{j}]"
        if subject.level is not None and subject.level not in levels:
            msg = f"Mức '{subject.level}' không có trong {page.regulation or 'quy định'}."
            yield f"{where}.level", "VOCABULARY", msg, "error"
        if any(getattr(subject, t) is not None for t in (*TERMS, "retest")):
            msg = "Trang tiểu học không có điểm học kỳ của THCS."
            yield where, "ASSESSMENT_KIND", msg, "error"
        yield from _test_score_issues(subject, f"{where}.test_score")
    names = vocab.COMPETENCIES_TT30 if tt30 else vocab.COMPETENCIES_TT22
    rated = vocab.PC_NL_LEVELS_TT30 if tt30 else vocab.PC_NL_LEVELS_TT22
    for table, allowed in (("competencies", names), ("qualities", vocab.QUALITIES)):
        for k, item in enumerate(getattr(page, table) or []):
            where = f"{path}.{table}[{k}]"
            if item.name not in allowed:
                yield f"{where}.name", "VOCABULARY", f"Mục '{item.name}' không hợp lệ.", "error"
            if item.level is not None and item.level not in rated:
                msg = f"Mức '{item.level}' không có trong {page.regulation or 'quy định'}."
                yield f"{where}.level", "VOCABULARY", msg, "error"
    yield from _th_decision_issues(page, path)
    yield from _award_issues(page.awards, f"{path}.awards")


# Glyph slips a known award phrase may carry and still be told from the others (they differ
# by whole words); a longer distance is another text, which a school may well write.
_AWARD_SLIPS = 3


def _award_issues(award: str | None, where: str) -> Iterator[Issue]:
    """An award a few glyphs from a phrase of the circulars and not that phrase: every read
    can share a slip («rèn tuyện» for «rèn luyện») and no other check sees free text."""
    if not award:
        return
    key = _phrase_key(award)
    if key in _KNOWN_AWARDS:
        return
    near = [a for k, a in _KNOWN_AWARDS.items() if Levenshtein.distance(key, k) <= _AWARD_SLIPS]
    if near:
        msg = (
            f"Khen thưởng «{award}» gần «{near[0]}» nhưng không trùng: có thể bị đọc sai, "
            "cần đối chiếu với ảnh quét."
        )
        yield where, "AWARD_NEAR_KNOWN", msg, "error"


def _phrase_key(text: str) -> str:
    """Case, spacing and punctuation apart: «Học sinh Giỏi.» is «học sinh giỏi»."""
    return " ".join(re.sub(r"[^\w\s]", " ", normalize_text(text).casefold()).split())


_KNOWN_AWARDS = {_phrase_key(a): a for a in vocab.TH_AWARD_PHRASES}


def _test_score_issues(subject: SubjectResult, where: str) -> Iterator[Issue]:
    spec = vocab.subject_by_name("TH-2014", subject.name)
    tested = spec is not None and spec.assessed_by == "score"
    score = subject.test_score
    if score is not None and not tested:
        msg = f"Môn {subject.name} không có bài kiểm tra định kỳ nhưng có điểm."
        yield where, "TEST_SCORE_UNEXPECTED", msg, "error"
    elif score is not None and not 1 <= score <= 10:
        yield where, "TEST_SCORE_RANGE", f"Điểm KTĐK {score} phải từ 1 đến 10.", "error"
    elif score is None and tested and spec is not None:
        msg = f"Môn {subject.name} có kiểm tra định kỳ nhưng thiếu điểm."
        yield where, "TEST_SCORE_MISSING", msg, "warning"
    elif score is not None and _level_contradicts(subject.level, score):
        msg = (
            f"Môn {subject.name} ghi mức '{subject.level}' nhưng điểm KTĐK là {score};"
            " kiểm tra lại điểm hoặc mức đạt được."
        )
        yield where, "TEST_SCORE_LEVEL", msg, "error"


# Plausibility, not a quoted rule ([L]: TT30/TT22-2016 rate the level from regular
# assessment; a pupil under 5 on the end-of-year test is retested before being rated
# completed). Digit slips (7 -> 1, 9 -> 4, 3 -> 8) land here; a steward confirms.
_LEVEL_FLOOR = {"Hoàn thành tốt": 5, "Hoàn thành": 5}
_NOT_DONE_CEILING = 7


def _level_contradicts(level: str | None, score: int) -> bool:
    if level == "Chưa hoàn thành":
        return score >= _NOT_DONE_CEILING
    return level in _LEVEL_FLOOR and score < _LEVEL_FLOOR[level]


def _th_decision_issues(page: YearPage, path: str) -> Iterator[Issue]:
    decision, where = page.decision, f"{path}.decision"
    if decision is None:
        return
    if decision not in vocab.TH_DECISIONS:
        yield where, "VOCABULARY", f"Dòng hoàn thành '{decision}' không hợp lệ.", "error"
        return
    completed = decision.startswith("Hoàn thành")
    primary_done = decision == "Hoàn thành chương trình tiểu học"
    if page.grade is not None and completed and primary_done != (page.grade == 5):
        msg = f"'{decision}' không dùng cho lớp {page.grade}."
        yield where, "DECISION_INCONSISTENT", msg, "error"
    if completed and any(s.level == "Chưa hoàn thành" for s in page.subjects):
        msg = "Ghi hoàn thành chương trình nhưng có môn chưa hoàn thành."
        yield where, "DECISION_INCONSISTENT", msg, "error"
