"""Comments whose reads differ in their marks only: the fullest spelling may pass unreviewed.

Extraction flags a comment whose reads disagree (READS_DISAGREE) or that is printed in several
cells and read with other marks in some (COMMENTS_DISAGREE), and proposes the spelling with the
most tone marks stacked over a hat or breve (`domain.text.fullest_marks`): Tesseract loses such
a mark («Nắm» read «Năm») far more often than it invents one. When every read of the cell has
the same letters and the proposal is the one fullest spelling among every read of the
booklet's comments of those letters, nothing but that prior is left to decide, and a steward
would only confirm it: the doubt becomes an info note (COMMENT_MARKS_CONFIRMED) and the router
lets it pass unless the policy says otherwise (`RoutingPolicy.allow_comment_marks_to_pass`).
A read with other letters (a garbled page read, one «Mạnh đạn» among three «Mạnh dạn») does
not keep the split when three reads or more, and more than half, have the settled letters.
Comments only: they are free text that no rule checks and that identify nobody; a name or
an address split the same way still goes to a person.

Where the prior cannot decide («phát biểu» / «phát biếu»: one tone mark each), the batch can:
teachers write the same stock phrases in booklet after booklet, and a comment whose every read
agreed in at least MIN_CONFIRMING_BOOKLETS other booklets of the batch, while no booklet's
reads agreed on a rival spelling, is that phrase (COMMENT_CONFIRMED_IN_BATCH, routed like the
marks note). A printing that loses a mark does so in whole booklets, so a rival spelling read
alike anywhere in the batch keeps the split.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence, Set

from domain.record import TranscriptRecord
from domain.text import fullest_marks, normalize_text, strip_accents, without_marks
from validation.report import Finding

MARKS_CONFIRMED = "COMMENT_MARKS_CONFIRMED"
BATCH_CONFIRMED = "COMMENT_CONFIRMED_IN_BATCH"
# Other booklets whose reads agreed on a spelling before it settles a split (and none on a rival)
MIN_CONFIRMING_BOOKLETS = 3
SPLIT_CODES = frozenset({"READS_DISAGREE", "COMMENTS_DISAGREE"})
# A read with other letters (a page read garbled in its line's context, «Mạnh đạn» among three
# «Mạnh dạn») is outvoted by at least this many reads of the cell with the value's letters,
# when they are more than half of its reads.
MIN_SAME_LETTERS = 3
COMMENT_PATH = re.compile(
    r"years\[\d+\]\.(?:(?:subjects|competencies|qualities)\[\d+\]\.comment|homeroom_comment)"
)


def comment_cells(record: TranscriptRecord) -> Iterator[tuple[str, str]]:
    """(path, text) of every comment the record holds."""
    for i, year in enumerate(record.years):
        if year.homeroom_comment:
            yield f"years[{i}].homeroom_comment", year.homeroom_comment
        for kind in ("subjects", "competencies", "qualities"):
            for j, item in enumerate(getattr(year, kind) or ()):
                if item.comment:
                    yield f"years[{i}].{kind}[{j}].comment", item.comment


def confirmed_comments(records: Iterable[TranscriptRecord]) -> dict[str, frozenset[str]]:
    """For each comment text, the booklets where a cell's reads agreed on it: extraction
    raised nothing on the cell (record.review holds extraction's flags)."""
    found: dict[str, set[str]] = {}
    for record in records:
        doubted = {flag.field for flag in record.review.flags}
        for path, text in comment_cells(record):
            if path not in doubted:
                found.setdefault(normalize_text(text), set()).add(record.document_id)
    return {text: frozenset(ids) for text, ids in found.items()}


def settle_comment_marks(
    document_id: str,
    value_at: Callable[[str], object],
    reads: Mapping[str, Sequence[str]],
    findings: Sequence[Finding],
    confirmed: Mapping[str, Set[str]] | None = None,
) -> tuple[list[Finding], dict[str, str]]:
    """`findings` with each comment split that the reads settle replaced by an info note, and
    the settled values by path (a value differs from the record's when the reads' majority
    outvoted the page read). `value_at(path)` is the record's value; `reads` the OCR's reads
    per field; `confirmed` the batch's agreed comments (`confirmed_comments`)."""
    comments = {
        path: [normalize_text(t) for t in texts if t.strip()]
        for path, texts in reads.items()
        if COMMENT_PATH.fullmatch(path)
    }
    split = sorted({f.field for f in findings if f.code in SPLIT_CODES and f.field in comments})
    settled: dict[str, str] = {}
    while True:  # a settled cell shows only its value to the others: settle until none changes
        more = {
            path: value
            for path in split
            if path not in settled
            and (
                value := _settled_value(
                    value_at(path), comments[path], _others(comments, settled, path)
                )
            )
        }
        if not more:
            break
        settled.update(more)
    batch = confirmed or {}
    by_batch: dict[str, str] = {}
    for path in split:
        if path not in settled:
            others = _others(comments, settled, path)
            if value := _batch_value(document_id, value_at(path), comments[path], others, batch):
                by_batch[path] = value
    done = {*settled, *by_batch}
    kept = [f for f in findings if not (f.field in done and f.code in SPLIT_CODES)]
    notes = [_note(document_id, path, value, value_at(path)) for path, value in settled.items()]
    notes += [_batch_note(document_id, path, value, batch) for path, value in by_batch.items()]
    return kept + notes, {**settled, **by_batch}


def _settled_value(
    value: object, cell_reads: Sequence[str], other_reads: Sequence[str]
) -> str | None:
    """The value, when the reads settle it; else the text most of the cell's reads show (at
    least MIN_SAME_LETTERS and more than half), when the value has other letters and the reads
    settle that text: a page read «Mạnh đạn» among three cell reads «Mạnh dạn»; else None."""
    if isinstance(value, str) and _settles(value, cell_reads, other_reads):
        return value
    if not cell_reads:
        return None
    majority, count = Counter(cell_reads).most_common(1)[0]
    if count < MIN_SAME_LETTERS or 2 * count <= len(cell_reads):
        return None
    if isinstance(value, str) and _letters(value) == _letters(majority):
        return None  # marks apart, the fullest spelling decides, not the count of reads
    return majority if _settles(majority, cell_reads, other_reads) else None


def _batch_value(
    document_id: str,
    value: object,
    cell_reads: Sequence[str],
    other_reads: Sequence[str],
    confirmed: Mapping[str, Set[str]],
) -> str | None:
    """The one spelling of the cell's letters (the value's, or a clear majority's) that other
    booklets of the batch confirm (see the module's docstring); else None."""
    text = normalize_text(value) if isinstance(value, str) else ""
    same = [t for t in cell_reads if _letters(t) == _letters(text)]
    if not _outvoting(same, cell_reads):
        majority = Counter(cell_reads).most_common(1)[0][0] if cell_reads else ""
        same = [t for t in cell_reads if _letters(t) == _letters(majority)]
    if not same or not _outvoting(same, cell_reads):
        return None
    letters = _letters(same[0])
    if any(_letters(t) != letters for t in _kin(same[0], other_reads)):
        return None  # another letter elsewhere in the booklet: not a matter of marks
    spellings = {*same, *([text] if _letters(text) == letters else [])}
    backed = [
        s
        for s in spellings
        if len(confirmed.get(s, set()) - {document_id}) >= MIN_CONFIRMING_BOOKLETS
    ]
    if len(backed) != 1 or any(confirmed.get(s) for s in spellings - {backed[0]}):
        return None
    return backed[0]


def _outvoting(same: Sequence[str], cell_reads: Sequence[str]) -> bool:
    """All the cell's reads spell the letters, or at least MIN_SAME_LETTERS and over half do."""
    return len(same) == len(cell_reads) or (
        len(same) >= MIN_SAME_LETTERS and 2 * len(same) > len(cell_reads)
    )


def _settles(value: str, cell_reads: Sequence[str], other_reads: Sequence[str]) -> bool:
    """The cell's reads spell the value's letters (all of them, or a clear majority: see
    MIN_SAME_LETTERS); no other comment of the booklet spells them with another letter (a
    «đ» for a «d»); and the value is the one fullest spelling of them read in the cell or
    anywhere in the booklet's comments."""
    letters = _letters(value)
    same = [t for t in cell_reads if _letters(t) == letters]
    if not _outvoting(same, cell_reads):
        return False
    kin = _kin(value, other_reads)
    if any(_letters(t) != letters for t in kin):
        return False
    spellings = sorted(kin | set(same))
    return value in spellings and all(fullest_marks(t, spellings) == value for t in spellings)


def _others(
    comments: Mapping[str, Sequence[str]], settled: Mapping[str, str], path: str
) -> list[str]:
    """The reads of the booklet's other comment cells; a settled cell's value only."""
    return [
        text
        for other, texts in comments.items()
        if other != path
        for text in ([settled[other]] if other in settled else texts)
    ]


def _letters(text: str) -> str:
    """The letters, «đ» kept, without marks, case, spacing or punctuation."""
    return "".join(ch for ch in without_marks(text).casefold() if ch.isalpha())


def _kin(text: str, other_reads: Sequence[str]) -> set[str]:
    """The booklet's other reads that may be this comment read with another letter."""
    return {t for t in other_reads if _bare(t) == _bare(text)}


def _bare(text: str) -> str:
    """The letters with «đ» as «d»: texts that may be one comment read with another letter."""
    return "".join(ch for ch in strip_accents(text).casefold() if ch.isalpha())


def _note(document_id: str, path: str, value: str, read: object) -> Finding:
    if value != read:
        message = (
            f"Các lần đọc lời nhận xét khác nhau; đã lấy «{value}» mà đa số các lần đọc ô này"
            f" cho (lần đọc cả dòng: «{read}»)."
        )
    else:
        message = (
            f"Các lần đọc lời nhận xét khác nhau ở dấu (hoặc một lần đọc lỗi bị các lần khác áp đảo);"
            f" đã giữ cách viết đủ dấu nhất «{value}» "
            "(máy đọc hay làm mất dấu thanh đặt trên dấu mũ, dấu trăng hơn là thêm vào)."
        )
    return Finding(document_id, path, MARKS_CONFIRMED, message, "info", "rule")


def _batch_note(
    document_id: str, path: str, value: str, confirmed: Mapping[str, Set[str]]
) -> Finding:
    others = len(confirmed.get(value, set()) - {document_id})
    message = (
        f"Các lần đọc lời nhận xét khác nhau ở dấu; đã lấy «{value}»: mọi lần đọc ở {others} học"
        " bạ khác trong lô cùng cho đúng câu này, không học bạ nào cho cách viết khác."
    )
    return Finding(document_id, path, BATCH_CONFIRMED, message, "info", "rule")
