"""Repair from constraints: a doubtful or failing cell is settled only when the page's own
arithmetic and the OCR's alternative reads of the cells agree on exactly one consistent
reading. Nothing is invented: the chosen value is always one the OCR read in that cell, or,
for a comment subject's mark, one of the only two marks the form allows (Đ, CĐ).

How: the cells of one constraint (a page's class name and grade; a subject row's HK I /
HK II / Cả năm, then the row "ĐTB các môn", then the học lực) vary over their alternative
reads; every combination is run through the same domain rules that flagged the page. A
repair is proposed only when one combination alone passes the group's rules while leaving
the fewest errors elsewhere on the page (and never adding one).
Every repair keeps the original value in its finding; the router decides by policy whether
it may pass without a person (`RoutingPolicy`).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass

from domain import vocab
from domain.record import TranscriptRecord, YearPage
from validation import term_columns
from validation.report import Finding, is_blocking
from validation.rules import TERMS, check_record

# Extraction's own doubts about a cell that a constraint may settle.
DOUBT_CODES = frozenset({"READS_DISAGREE", "LOW_CONFIDENCE", "UNPARSEABLE"})
REPAIRED = "VALUE_REPAIRED"  # the value was changed to the one consistent read
COLUMNS_REPAIRED = "TERM_COLUMNS_REPAIRED"  # HK I / HK II had been read into each other's column
MARK_REPAIRED = "MARK_REPAIRED"  # an unreadable Đ/CĐ mark settled by the page's học lực
CONFIRMED = "VALUE_CONFIRMED"  # the doubtful value was kept: it is the one consistent read
# How many rival reads the constraint must have rejected before a doubtful value is kept. 0: a
# lone parseable read that fits the page's arithmetic is kept (measured on the demo archive:
# 105 such confirmations, all right); raise it to trade review load for caution.
MIN_RIVALS = 0
MAX_COMBINATIONS = 125  # 3 cells x 5 reads: more freedom than that pins nothing safely
_TERM_LABEL = {"hk1": "HK I", "hk2": "HK II", "year": "cả năm"}
# «SB» / «5B»: the reads' grades differ, and only one follows the previous page's grade
_CLASS_RULE = "tên lớp bắt đầu bằng khối lớp, khối lớp thuộc cấp học và nối tiếp năm học trước"

Value = float | str | None


@dataclass(frozen=True)
class Repair:
    field: str  # JSON path of the cell
    original: Value
    value: Value
    rule: str  # the constraint that pinned it, in Vietnamese for the steward
    reads: tuple[Value, ...]  # every distinct value the OCR read in the cell
    code: str | None = None  # set for repairs of a whole column rather than one cell

    @property
    def changed(self) -> bool:
        return self.value != self.original

    def finding(self, document_id: str) -> Finding:
        if self.code == MARK_REPAIRED:
            msg = f"{self.rule} Đã điền {_show(self.value)}."
            return Finding(document_id, self.field, self.code, msg, "info", "rule")
        if self.code is not None:
            return Finding(document_id, self.field, self.code, self.rule, "info", "rule")
        reads = ", ".join(_show(v) for v in self.reads)
        if self.changed:
            msg = (
                f"Đã sửa {_show(self.original)} thành {_show(self.value)}: trong các lần đọc "
                f"({reads}) chỉ giá trị này khớp {self.rule}. Giá trị đọc ban đầu: "
                f"{_show(self.original)}."
            )
            return Finding(document_id, self.field, REPAIRED, msg, "info", "rule")
        msg = (
            f"Các lần đọc không thống nhất ({reads}); giữ {_show(self.value)} vì chỉ giá trị "
            f"này khớp {self.rule}."
        )
        return Finding(document_id, self.field, CONFIRMED, msg, "info", "rule")


@dataclass(frozen=True)
class _Group:
    cells: tuple[str, ...]  # paths that vary together
    scope: str  # path prefix whose errors must all vanish
    rule: str
    closed: tuple[Value, ...] = ()  # all a cell can hold when the form allows nothing else
    anchor: str | None = None  # a cell the decision rests on: it must not be in doubt itself


def propose_repairs(
    record: TranscriptRecord,
    alternatives: Mapping[str, Sequence[Value]],
    findings: Sequence[Finding],
) -> tuple[TranscriptRecord, list[Repair]]:
    """The record with every pinned cell settled (a copy), and the repairs made.

    alternatives: for each cell path, the distinct values its OCR reads parsed to.
    findings: extraction's flags and the rules' findings on the record as read.
    """
    doubtful = {f.field for f in findings if f.code in DOUBT_CODES}
    failing = {f.field for f in findings if is_blocking(f) and f.source in ("rule", "gx")}
    work = record.model_copy(deep=True)
    repairs = _swap_term_columns(work)
    for group in _groups(work):
        if not (doubtful | failing) & set(group.cells) or group.anchor in doubtful:
            continue
        options = {**alternatives, **{c: group.closed for c in group.cells if group.closed}}
        pinned = _pin(work, group, options)
        if pinned is None:
            continue
        for path, value in pinned.items():
            original = value_at(work, path)
            choices = {original, *options.get(path, ())} - {None}
            if value == original and (path not in doubtful or len(choices) < MIN_RIVALS + 1):
                continue
            reads = tuple(dict.fromkeys([original, *alternatives.get(path, ())]))
            code = MARK_REPAIRED if group.closed else None
            repairs.append(Repair(path, original, value, group.rule, reads, code))
            set_value(work, path, value)
            doubtful.discard(path)
    return work, repairs


def _swap_term_columns(record: TranscriptRecord) -> list[Repair]:
    """Whole-column repairs first: cell repairs are judged on the columns as they should be."""
    repairs: list[Repair] = []
    for i, page in enumerate(record.years):
        if record.family == "THCS-2011" and term_columns.read_swapped(page):
            term_columns.swap(page)
            msg = (
                "Hai cột HK I và HK II đã bị đọc đổi chỗ cho nhau: chỉ khi đổi lại thì điểm cả "
                "năm của các môn mới khớp (HK I + 2 × HK II) / 3. Đã đổi lại cả hai cột."
            )
            repairs.append(Repair(f"years[{i}].subjects", None, None, msg, (), COLUMNS_REPAIRED))
    return repairs


def _groups(record: TranscriptRecord) -> Iterator[_Group]:
    """Constraints in dependency order: each page's class name and grade; then subject rows,
    which feed the averages, which feed học lực."""
    for i in range(len(record.years)):
        header = f"years[{i}]"
        yield _Group((f"{header}.class_name", f"{header}.grade"), header, _CLASS_RULE)
    if record.family != "THCS-2011":
        return
    for i, page in enumerate(record.years):
        for j, subject in enumerate(page.subjects):
            row = f"years[{i}].subjects[{j}]"
            if _is_comment_subject(subject.name):
                yield from _mark_groups(i, row)
                continue
            cells = tuple(f"{row}.{t}" for t in TERMS)
            yield _Group(cells, row, "ĐTB cả năm = (HK I + 2 × HK II) / 3")
        for term in TERMS:
            cell = f"years[{i}].average_all.{term}"
            rule = f"ĐTB các môn {_TERM_LABEL[term]} = trung bình các môn"
            yield _Group((cell,), cell, rule)
        for term in TERMS:
            cell = f"years[{i}].academic.{term}"
            yield _Group((cell,), cell, f"học lực {_TERM_LABEL[term]} tính lại từ điểm")


def _mark_groups(page: int, row: str) -> Iterator[_Group]:
    """A comment subject's cell can hold only Đ or CĐ, and the printed học lực often allows only
    one of them (Khá or better needs every comment subject at Đ, under every reading of khoản
    6): together they settle a mark the OCR could not read, if the học lực was read surely."""
    for term in TERMS:
        cell = f"{row}.{term}"
        rule = (
            f"Ô {_TERM_LABEL[term]} của môn đánh giá bằng nhận xét chỉ ghi Đ hoặc CĐ và máy "
            f"không đọc chắc được; chỉ một trong hai khớp học lực {_TERM_LABEL[term]} đã ghi "
            "trên trang (TT58 Điều 13)."
        )
        yield _Group((cell,), cell, rule, ("Đ", "CĐ"), f"years[{page}].academic.{term}")


def _is_comment_subject(name: str) -> bool:
    spec = vocab.subject_by_name("THCS-2011", name)
    return spec is not None and spec.assessed_by == "comment"


def _plausible(cell: str, options: list[Value]) -> list[Value]:
    """A class read with an I or O after its letter («7DI») is no option when another read
    shows a 1 or 0 there («7D1»): a class's letter is followed by digits (6A1, 9B6). Read
    that way by every read, it stays as read (and flagged CLASS_GLYPH_AMBIGUOUS)."""
    if not cell.endswith(".class_name"):
        return options
    shown = set(options)
    return [
        v
        for v in options
        if not (isinstance(v, str) and vocab.digit_lookalike(v) and vocab.digit_form(v) in shown)
    ]


def _pin(
    record: TranscriptRecord, group: _Group, alternatives: Mapping[str, Sequence[Value]]
) -> dict[str, Value] | None:
    """The one combination of reads that satisfies the group's rules, or None."""
    choices = [
        _plausible(c, list(dict.fromkeys([value_at(record, c), *alternatives.get(c, ())])))
        for c in group.cells
    ]
    choices = [[v for v in options if v is not None] or [None] for options in choices]
    if _count(choices) > MAX_COMBINATIONS:
        return None
    page = group.scope.split(".")[0]
    before = _errors(record, page, group.scope)
    fitting: list[tuple[int, dict[str, Value]]] = []
    for combo in itertools.product(*choices):
        if None in combo:
            continue
        trial = record.model_copy(deep=True)
        for cell, value in zip(group.cells, combo, strict=True):
            set_value(trial, cell, value)
        inside, outside = _split_errors(trial, page, group.scope)
        if not inside and outside <= before:
            fitting.append((len(outside), dict(zip(group.cells, combo, strict=True))))
    # The reading that leaves the fewest errors on the rest of the page, if only one does.
    best = min((n for n, _ in fitting), default=None)
    winners = [combo for n, combo in fitting if n == best]
    return winners[0] if len(winners) == 1 else None


def _count(choices: list[list[Value]]) -> int:
    total = 1
    for options in choices:
        total *= len(options)
    return total


def _errors(record: TranscriptRecord, page: str, scope: str) -> set[tuple[str, str]]:
    return _split_errors(record, page, scope)[1]


def _split_errors(
    record: TranscriptRecord, page: str, scope: str
) -> tuple[list[Finding], set[tuple[str, str]]]:
    """Blocking rule findings of one page: those inside the group's scope, and the others."""
    inside: list[Finding] = []
    outside: set[tuple[str, str]] = set()
    for f in check_record(record):
        if not is_blocking(f) or not _under(f.field, page):
            continue
        if _under(f.field, scope):
            inside.append(f)
        else:
            outside.add((f.field, f.code))
    return inside, outside


def _under(path: str, prefix: str) -> bool:
    return path == prefix or path.startswith((prefix + ".", prefix + "["))


_STEP = re.compile(r"([A-Za-z_]+)(?:\[(\d+)\])?")


def _walk(record: TranscriptRecord, path: str) -> tuple[object, str]:
    """The object holding the path's last attribute, and that attribute's name."""
    *parents, last = path.split(".")
    node: object = record
    for step in parents:
        match = _STEP.fullmatch(step)
        if match is None:
            raise ValueError(f"not a record path: {path}")
        node = getattr(node, match.group(1))
        if match.group(2) is not None:
            node = node[int(match.group(2))]  # type: ignore[index]
    return node, last


def value_at(record: TranscriptRecord, path: str) -> Value:
    node, name = _walk(record, path)
    return getattr(node, name, None) if node is not None else None


def set_value(record: TranscriptRecord, path: str, value: Value) -> None:
    node, name = _walk(record, path)
    if node is None:
        return
    setattr(node, name, value)
    if isinstance(node, YearPage) and name == "grade":  # extraction derives it from the grade
        node.regulation = vocab.regulation_for(record.family, node.school_year, node.grade)  # type: ignore[assignment]


def _show(value: Value) -> str:
    if isinstance(value, float):
        return f"{value:.1f}".replace(".", ",")
    return "trống" if value is None else str(value)
