"""THCS-2011 year page: subject scores, overall averages, conduct and academic rank, decision."""

from __future__ import annotations

from collections.abc import Callable

from domain.record import SubjectResult, TermTriple, YearPage
from domain.text import search_key
from domain.vocab import (
    ACADEMIC,
    CONDUCT,
    RANK_ABBREVIATIONS,
    THCS_DECISIONS,
    THCS_SUBJECTS,
    THCS_TITLES,
)
from ocr.engine import DIGITS, Word
from ocr.fields import (
    match_vocab,
    parse_score,
    parse_text,
    vocab_alphabet,
    vocab_index,
    vocab_or_text,
    vocab_parser,
)
from ocr.layout import cell_text
from ocr.pages import ReadPage
from ocr.sink import FieldSink
from ocr.year_common import (
    body_rows,
    column_roles,
    compulsory_subjects,
    fill_term_columns,
    flag_missing_subjects,
    flag_unread_columns,
    labelled,
    lines_below,
    locate_columns,
    name_first,
    new_year_page,
    read_count,
    read_decision,
    require_roles,
    reread_headers,
    subject_names,
    table_with,
    term_of,
    terms_in_order,
    with_continuation,
)

SUBJECT_INDEX = vocab_index({v: s.name for s in THCS_SUBJECTS for v in (s.name, *s.variants)})
MARK_SUBJECTS = frozenset(s.name for s in THCS_SUBJECTS if s.assessed_by == "comment")
# The `eng` family reads Đ/CĐ cells with the marks' folded letters (it has no Đ): "D", "CD".
MARK_LETTERS = "CD"
CONDUCT_INDEX = vocab_index(
    {**{c: c for c in CONDUCT}, **{k: v for k, v in RANK_ABBREVIATIONS.items() if v in CONDUCT}}
)
ACADEMIC_INDEX = vocab_index(
    {**{a: a for a in ACADEMIC}, **{k: v for k, v in RANK_ABBREVIATIONS.items() if v in ACADEMIC}}
)
TITLE_INDEX = vocab_index(THCS_TITLES)
# The `eng` family reads rank cells with their vocabulary's letters, not digits.
RANK_LETTERS = {
    "conduct": vocab_alphabet(CONDUCT_INDEX),
    "academic": vocab_alphabet(ACADEMIC_INDEX),
}
TERMS = ("hk1", "hk2", "year")
SCORE_ROLES = (
    ("signature", lambda k: "giao vien" in k or "ky ten" in k),
    ("name", lambda k: "mon" in k),
    ("retest", lambda k: any(w in k for w in ("kiem tra lai", "sau", "diem hoac", "xep loai"))),
    ("year", lambda k: term_of(k) == "year"),
    ("hk2", lambda k: ("ky" in k or "hk" in k) and term_of(k) == "hk2"),
    ("hk1", lambda k: ("ky" in k or "hk" in k) and term_of(k) == "hk1"),
)
RANK_ROLES = (
    ("conduct", lambda k: "hanh kiem" in k),
    ("academic", lambda k: "hoc luc" in k),
)
FREE_LABELS = {
    "absences": (
        "Tổng số buổi nghỉ học cả năm",
        "Tổng số buổi nghỉ học",
        "Số buổi nghỉ",
        "Nghỉ học",
    ),
    "awards": ("Danh hiệu", "Khen thưởng"),
    "homeroom_comment": ("Nhận xét của giáo viên chủ nhiệm", "Nhận xét của GVCN"),
    "_approval": ("Phê duyệt của Hiệu trưởng", "Giáo viên chủ nhiệm", "Hiệu trưởng"),
    "_decision": ("Được lên lớp", "Ở lại lớp", "Hoàn thành chương trình"),
}


def _is_average_row(text: str) -> bool:
    """ "ĐTB các môn", "Điểm TB các môn", "Điểm trung bình các môn": no subject's name has
    "các môn" in it, so the bold "ĐTB" may be misread ("ĐEB các môn")."""
    key = search_key(text).replace(" ", "")
    return "cacmon" in key or key.startswith("diemtb") or "trungbinh" in key


def _is_body(text: str) -> bool:
    return match_vocab(text, SUBJECT_INDEX).ok or _is_average_row(text)


def read_thcs_year(page: ReadPage, sink: FieldSink, prefix: str) -> YearPage:
    year = new_year_page(page, sink, prefix, "THCS-2011")
    _read_scores(page, sink, prefix, year)
    _read_ranks(page, sink, prefix, year)
    _read_free_lines(page, sink, prefix, year)
    return year


def score_columns(
    headers: list[str], reread: Callable[[], list[str]], n_cols: int
) -> dict[str, int]:
    """Column roles of the score table from the page read's headers, with the header cells
    re-read alone (`reread`) when a term is missing or out of order. The form prints HK I,
    HK II, Cả năm left to right, and that order settles what the reads leave open: a term
    no header names takes the free column, and two reads that disagree on a header
    ("Học kỳ I" re-read as "Học kỳ ÏI") never swap the columns."""
    roles = column_roles(headers, SCORE_ROLES)
    if any(t not in roles for t in TERMS) or not terms_in_order(roles):
        again = column_roles(reread(), SCORE_ROLES)
        # the re-read replaces the page read only when it names more terms, or the page
        # read's are out of order; otherwise it only fills what the page read lacks
        more = sum(t in again for t in TERMS) > sum(t in roles for t in TERMS)
        if (more or not terms_in_order(roles)) and terms_in_order(again):
            roles = again
        roles.update({k: v for k, v in again.items() if k not in roles and v not in roles.values()})
    name_first(roles)
    if not terms_in_order(roles):  # headers still disagree with the form: trust its column order
        roles = {k: v for k, v in roles.items() if k not in TERMS}
    fill_term_columns(roles, n_cols)
    if all(t in roles for t in TERMS) and not terms_in_order(roles):  # a term took a free column
        roles.update(zip(TERMS, sorted(roles[t] for t in TERMS), strict=True))
    _retest_by_place(roles, n_cols)
    return roles


def _retest_by_place(roles: dict[str, int], n_cols: int) -> None:
    """The form's one optional column, the retest, lies between Cả năm and the signatures (the
    last column): an unnamed column there is it (holdout4's stained header read «Dủ seủ kiến
    bx lại»). With no column there, the table has none."""
    if "retest" in roles or "year" not in roles or roles.get("signature", n_cols - 1) != n_cols - 1:
        return
    between = [c for c in range(roles["year"] + 1, n_cols - 1) if c not in roles.values()]
    if len(between) == 1:
        roles["retest"] = between[0]


def _read_scores(page: ReadPage, sink: FieldSink, prefix: str, year: YearPage) -> None:
    table = table_with(page, "Môn học", rows_like=_is_body)
    if table is None:
        sink.missing(f"{prefix}.subjects")
        return
    headers, rows = body_rows(table, page.words, _is_body, sink)
    roles = score_columns(headers, lambda: reread_headers(table, rows, sink), table.n_cols)
    require_roles(roles, TERMS, sink, f"{prefix}.subjects")
    value_cols = [roles[t] for t in (*TERMS, "retest") if t in roles]
    texts = {r: cell_text(cells[roles["name"]]) for r, cells in rows}
    names = subject_names(
        {r: text for r, text in texts.items() if not _is_average_row(text)},
        SUBJECT_INDEX,
        compulsory_subjects("THCS-2011", year.grade),
        sink,
        f"{prefix}.subjects",
    )
    alphabets = [MARK_LETTERS if names.get(r) in MARK_SUBJECTS else DIGITS for r, _ in rows]
    sink.prefetch(
        [table.cell_box(r, c) for r, _ in rows for c in value_cols],
        [chars for chars in alphabets for _ in value_cols],
    )
    averages = TermTriple()
    average_seen = False
    for row_index, cells in rows:
        if _is_average_row(texts[row_index]):
            average_seen = True
            for term in TERMS:
                if term in roles:
                    path = f"{prefix}.average_all.{term}"
                    cell = table.cell_box(row_index, roles[term])
                    value = sink.take(
                        path, cells[roles[term]], parse_score, numeric=True, cell=cell
                    )
                    setattr(averages, term, value if isinstance(value, float) else None)
            continue
        if row_index not in names:
            sink.unrecognized_row(
                f"{prefix}.subjects", [cells[c] for c in (roles["name"], *value_cols)]
            )
            continue
        result = SubjectResult(name=names[row_index])
        marks_only = result.name in MARK_SUBJECTS
        index = len(year.subjects)
        for term in (*TERMS, "retest"):
            if term in roles:
                path = f"{prefix}.subjects[{index}].{term}"
                cell = table.cell_box(row_index, roles[term])
                if marks_only:
                    value = sink.take_mark(path, cells[roles[term]], cell)
                else:
                    value = sink.take(
                        path, cells[roles[term]], parse_score, numeric=True, cell=cell
                    )
                setattr(result, term, value)
        if "retest" not in roles:
            flag_unread_columns(table, row_index, roles, sink, f"{prefix}.subjects[{index}].retest")
        year.subjects.append(result)
    year.average_all = averages
    if not average_seen:  # the form always prints it as the last row
        sink.missing(f"{prefix}.average_all")
    flag_missing_subjects(year, "THCS-2011", sink, prefix)


def _read_ranks(page: ReadPage, sink: FieldSink, prefix: str, year: YearPage) -> None:
    is_term_row = lambda t: term_of(t) is not None and len(t) < 12  # noqa: E731
    table = table_with(page, "Hạnh kiểm", "Học lực", rows_like=is_term_row)
    if table is None:
        sink.missing(f"{prefix}.conduct")
        return
    headers, rows = body_rows(table, page.words, is_term_row, sink)
    roles = locate_columns(
        table,
        rows,
        headers,
        sink,
        RANK_ROLES,
        ("conduct", "academic"),
        prefix,
        alphabets=RANK_LETTERS,
        role_paths=True,
    )
    conduct, academic = TermTriple(), TermTriple()
    for (row_index, cells), term in zip(rows, _row_terms(rows), strict=True):
        if term is None:
            sink.unrecognized_row(f"{prefix}.conduct", cells)
            continue
        for role, target, index in (
            ("conduct", conduct, CONDUCT_INDEX),
            ("academic", academic, ACADEMIC_INDEX),
        ):
            if role in roles:
                path = f"{prefix}.{role}.{term}"
                cell = table.cell_box(row_index, roles[role])
                value = sink.take(path, cells[roles[role]], vocab_parser(index), cell=cell)
                setattr(target, term, value)
    for role, triple in (("conduct", conduct), ("academic", academic)):
        for term in TERMS:
            if role in roles and getattr(triple, term) is None:
                sink.missing(f"{prefix}.{role}.{term}")  # always printed on a THCS page
    year.conduct, year.academic = conduct, academic


def _row_terms(rows: list[tuple[int, list[list[Word]]]]) -> list[str | None]:
    """Terms of the rank table's rows. The form prints HK I, HK II, Cả năm in that order, so
    three rows whose labels read as duplicates or gaps take the printed order instead."""
    terms = [term_of(cell_text(cells[0])) for _, cells in rows]
    if len(rows) == 3 and terms != list(TERMS):
        return list(TERMS)
    # A term read twice is ambiguous: neither row is trusted with it.
    return [None if term is None or terms.count(term) > 1 else term for term in terms]


def _read_free_lines(page: ReadPage, sink: FieldSink, prefix: str, year: YearPage) -> None:
    below = lines_below(page, page.tables[0].ys[-1] if page.tables else 0)
    found, places = labelled(page, below, FREE_LABELS)
    year.absences = read_count(
        sink, f"{prefix}.absences", found.get("absences", []), places.get("absences")
    )
    if found.get("awards"):
        value = sink.take_line_text(f"{prefix}.awards", found["awards"], vocab_or_text(TITLE_INDEX))
        year.awards = value if isinstance(value, str) else None
    if found.get("homeroom_comment"):
        words = with_continuation(below, found["homeroom_comment"], FREE_LABELS)
        value = sink.take_line_text(f"{prefix}.homeroom_comment", words, parse_text)
        year.homeroom_comment = value if isinstance(value, str) else None
    year.decision = read_decision(below, THCS_DECISIONS, sink, prefix)
