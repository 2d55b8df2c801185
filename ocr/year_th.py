"""TH-2014 year page: subject levels and test scores, competencies, qualities, decision."""

from __future__ import annotations

from collections.abc import Sequence

from domain.record import RatedItem, SubjectResult, YearPage
from domain.vocab import (
    COMPETENCIES_TT22,
    COMPETENCIES_TT30,
    COMPETENCY_VARIANTS,
    PC_NL_ABBREVIATIONS,
    PC_NL_LEVELS_TT22,
    PC_NL_LEVELS_TT30,
    QUALITIES,
    TH_DECISIONS,
    TH_LEVEL_ABBREVIATIONS,
    TH_LEVELS_TT22,
    TH_SUBJECTS,
)
from ocr.fields import (
    match_vocab,
    parse_text,
    score_0_10,
    vocab_alphabet,
    vocab_index,
    vocab_parser,
)
from ocr.layout import Table, cell_text
from ocr.pages import ReadPage
from ocr.sink import FieldSink
from ocr.year_common import (
    body_rows,
    compulsory_subjects,
    flag_missing_subjects,
    labelled,
    lines_below,
    locate_columns,
    new_year_page,
    read_count,
    read_decision,
    subject_names,
    table_with,
)

SUBJECT_INDEX = vocab_index({v: s.name for s in TH_SUBJECTS for v in (s.name, *s.variants)})
LEVEL_INDEX = vocab_index({**{lv: lv for lv in TH_LEVELS_TT22}, **TH_LEVEL_ABBREVIATIONS})
PC_NL_INDEX = vocab_index(
    {**{lv: lv for lv in (*PC_NL_LEVELS_TT22, *PC_NL_LEVELS_TT30)}, **PC_NL_ABBREVIATIONS}
)
COMPETENCY_INDEX = vocab_index(
    {**{c: c for c in (*COMPETENCIES_TT22, *COMPETENCIES_TT30)}, **COMPETENCY_VARIANTS}
)
QUALITY_INDEX = vocab_index(QUALITIES)
# The `eng` family reads level cells with their vocabulary's letters, not digits.
LEVEL_LETTERS = vocab_alphabet(LEVEL_INDEX)
PC_NL_LETTERS = vocab_alphabet(PC_NL_INDEX)
COMPETENCY_FORMS = (COMPETENCIES_TT22, COMPETENCIES_TT30)
SUBJECT_ROLES = (
    ("name", lambda k: "mon hoc" in k),
    ("level", lambda k: "muc" in k or "dat duoc" in k),
    ("test_score", lambda k: "diem" in k or "ktdk" in k or "kiem tra" in k),
    ("comment", lambda k: "nhan xet" in k),
)
RATED_ROLES = (
    ("level", lambda k: "muc" in k or "dat duoc" in k),
    ("comment", lambda k: "nhan xet" in k),
)
CONTENT_TESTS = (
    ("test_score", lambda t: score_0_10(t).ok),
    ("level", lambda t: match_vocab(t, LEVEL_INDEX).ok or match_vocab(t, PC_NL_INDEX).ok),
    ("comment", lambda t: len(t) > 6),
)
FREE_LABELS = {
    "absences": ("Số ngày nghỉ", "Nghỉ học", "Số buổi nghỉ"),
    "awards": ("Khen thưởng",),
    "_teacher": ("Giáo viên chủ nhiệm",),
    "_principal": ("Hiệu trưởng",),
}


def read_th_year(page: ReadPage, sink: FieldSink, prefix: str) -> YearPage:
    year = new_year_page(page, sink, prefix, "TH-2014")
    _read_subjects(page, sink, prefix, year)
    year.competencies = _read_rated(
        page, sink, f"{prefix}.competencies", "Năng lực", COMPETENCY_INDEX, COMPETENCY_FORMS
    )
    year.qualities = _read_rated(
        page, sink, f"{prefix}.qualities", "Phẩm chất", QUALITY_INDEX, (QUALITIES,)
    )
    _read_free_lines(page, sink, prefix, year)
    return year


def _read_subjects(page: ReadPage, sink: FieldSink, prefix: str, year: YearPage) -> None:
    is_subject = lambda t: match_vocab(t, SUBJECT_INDEX).ok  # noqa: E731
    table = table_with(page, "Môn học", rows_like=is_subject)
    if table is None:
        sink.missing(f"{prefix}.subjects")
        return
    headers, rows = body_rows(table, page.words, is_subject, sink)
    roles = locate_columns(
        table,
        rows,
        headers,
        sink,
        SUBJECT_ROLES,
        ("level", "test_score"),
        f"{prefix}.subjects",
        CONTENT_TESTS,
        {"level": LEVEL_LETTERS},
    )
    names = subject_names(
        {r: cell_text(cells[roles["name"]]) for r, cells in rows},
        SUBJECT_INDEX,
        compulsory_subjects("TH-2014", year.grade),
        sink,
        f"{prefix}.subjects",
    )
    for row_index, cells in rows:
        if row_index not in names:
            sink.unrecognized_row(f"{prefix}.subjects", cells, roles["name"])
            continue
        index = len(year.subjects)
        path = f"{prefix}.subjects[{index}]"
        result = SubjectResult(name=names[row_index])
        if "level" in roles:  # a cell the page read left empty is checked for ink
            cell = table.cell_box(row_index, roles["level"])
            result.level = sink.take(
                f"{path}.level", cells[roles["level"]], vocab_parser(LEVEL_INDEX), cell=cell
            )  # type: ignore[assignment]
        if "test_score" in roles:
            cell = table.cell_box(row_index, roles["test_score"])
            value = sink.take(
                f"{path}.test_score",
                cells[roles["test_score"]],
                score_0_10,
                numeric=True,
                cell=cell,
            )
            result.test_score = value if isinstance(value, int) else None
        if "comment" in roles:
            cell = table.cell_box(row_index, roles["comment"])
            result.comment = sink.take(
                f"{path}.comment", cells[roles["comment"]], parse_text, cell=cell
            )  # type: ignore[assignment]
        year.subjects.append(result)
    flag_missing_subjects(year, "TH-2014", sink, prefix)


def _read_rated(
    page: ReadPage,
    sink: FieldSink,
    prefix: str,
    heading: str,
    names: dict[str, str],
    printed: Sequence[tuple[str, ...]],
) -> list[RatedItem] | None:
    """The competencies or qualities table. The form prints every item of one of the `printed`
    lists, so an item not read (of the list that fits best) is flagged, never dropped."""
    table: Table | None = table_with(page, heading, rows_like=lambda t: match_vocab(t, names).ok)
    if table is None:
        sink.missing(prefix)
        return None
    headers, body = body_rows(table, page.words, lambda t: match_vocab(t, names).ok, sink)
    roles = locate_columns(
        table,
        body,
        headers,
        sink,
        RATED_ROLES,
        ("level",),
        prefix,
        CONTENT_TESTS,
        {"level": PC_NL_LETTERS},
    )
    items: list[RatedItem] = []
    for row_index, cells in body:
        name = match_vocab(cell_text(cells[0]), names)
        if not name.ok:
            sink.unrecognized_row(prefix, cells)
            continue
        item = RatedItem(name=str(name.value))
        path = f"{prefix}[{len(items)}]"
        if "level" in roles:
            cell = table.cell_box(row_index, roles["level"])
            level = sink.take(
                f"{path}.level", cells[roles["level"]], vocab_parser(PC_NL_INDEX), cell=cell
            )
            item.level = level  # type: ignore[assignment]
        if "comment" in roles:  # a cell the page read left empty is checked for ink
            cell = table.cell_box(row_index, roles["comment"])
            item.comment = sink.take(
                f"{path}.comment", cells[roles["comment"]], parse_text, cell=cell
            )  # type: ignore[assignment]
        items.append(item)
    found = {item.name for item in items}
    expected = max(printed, key=lambda form: len(found & set(form)))
    for missing in (item for item in expected if item not in found):
        sink.flag(prefix, "ROW_NOT_FOUND", missing)
    return items


def _read_free_lines(page: ReadPage, sink: FieldSink, prefix: str, year: YearPage) -> None:
    first_table_top = page.tables[0].ys[0] if page.tables else 0
    lines = page.free_lines()
    found, places = labelled(page, lines, FREE_LABELS)
    year.absences = read_count(
        sink, f"{prefix}.absences", found.get("absences", []), places.get("absences")
    )

    below = lines_below(page, first_table_top)
    if found.get("awards"):
        year.awards = sink.take_line_text(f"{prefix}.awards", found["awards"], parse_text)  # type: ignore[assignment]
    year.decision = read_decision(below, TH_DECISIONS, sink, prefix)
