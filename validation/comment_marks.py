"""Comments whose reads differ in their marks only: the fullest spelling may pass unreviewed.

Extraction flags a comment whose reads disagree (READS_DISAGREE) or that is printed in several
cells and read with other marks in some (COMMENTS_DISAGREE), and proposes the spelling with the
most tone marks stacked over a hat or breve (`domain.text.fullest_marks`): Tesseract loses such
a mark («Nắm» read «Năm») far more often than it invents one. When every read of the cell has
the same letters and the proposal is the one fullest spelling among every read of the
booklet's comments of those letters, nothing but that prior is left to decide, and a steward
would only confirm it: the doubt becomes an info note (COMMENT_MARKS_CONFIRMED) and the router
lets it pass unless the policy says otherwise (`RoutingPolicy.allow_comment_marks_to_pass`).
Comments only: they are free text that no rule checks and that identify nobody; a name or
an address split the same way still goes to a person.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence

from domain.text import fullest_marks, normalize_text, strip_accents, without_marks
from validation.report import Finding

MARKS_CONFIRMED = "COMMENT_MARKS_CONFIRMED"
SPLIT_CODES = frozenset({"READS_DISAGREE", "COMMENTS_DISAGREE"})
COMMENT_PATH = re.compile(
    r"years\[\d+\]\.(?:(?:subjects|competencies|qualities)\[\d+\]\.comment|homeroom_comment)"
)


def settle_comment_marks(
    document_id: str,
    value_at: Callable[[str], object],
    reads: Mapping[str, Sequence[str]],
    findings: Sequence[Finding],
) -> list[Finding]:
    """`findings` with each comment split that the fullest spelling settles replaced by an
    info note. `value_at(path)` is the record's value; `reads` the OCR's reads per field."""
    comments = {
        path: [normalize_text(t) for t in texts if t.strip()]
        for path, texts in reads.items()
        if COMMENT_PATH.fullmatch(path)
    }
    pool = [text for texts in comments.values() for text in texts]
    split = {f.field for f in findings if f.code in SPLIT_CODES and f.field in comments}
    settled = {
        path: value
        for path in sorted(split)
        if isinstance(value := value_at(path), str) and _settles(value, comments[path], pool)
    }
    kept = [f for f in findings if not (f.field in settled and f.code in SPLIT_CODES)]
    return kept + [_note(document_id, path, value) for path, value in settled.items()]


def _settles(value: str, cell_reads: Sequence[str], pool: Sequence[str]) -> bool:
    """Every read of the cell spells the value's letters; no comment of the booklet spells
    them with another letter (a «đ» for a «d»); and the value is the one fullest spelling of
    them read anywhere in the booklet's comments."""
    letters = _letters(value)
    if any(_letters(t) != letters for t in cell_reads):
        return False
    kin = {t for t in pool if _bare(t) == _bare(value)}
    if any(_letters(t) != letters for t in kin):
        return False
    spellings = sorted(kin)
    return value in kin and all(fullest_marks(t, spellings) == value for t in spellings)


def _letters(text: str) -> str:
    """The letters, «đ» kept, without marks, case, spacing or punctuation."""
    return "".join(ch for ch in without_marks(text).casefold() if ch.isalpha())


def _bare(text: str) -> str:
    """The letters with «đ» as «d»: texts that may be one comment read with another letter."""
    return "".join(ch for ch in strip_accents(text).casefold() if ch.isalpha())


def _note(document_id: str, path: str, value: str) -> Finding:
    message = (
        f"Các lần đọc lời nhận xét chỉ khác nhau ở dấu; đã giữ cách viết đủ dấu nhất «{value}» "
        "(máy đọc hay làm mất dấu thanh đặt trên dấu mũ, dấu trăng hơn là thêm vào)."
    )
    return Finding(document_id, path, MARKS_CONFIRMED, message, "info", "rule")
