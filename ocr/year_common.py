"""What both families' year pages share: the header line, free lines, table roles, terms."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz
from rapidfuzz.distance import Levenshtein

from domain.record import YearPage
from domain.text import search_key
from domain.vocab import GRADES_BY_FAMILY, digit_lookalike, regulation_for, subjects_for
from ocr.engine import DIGITS, Box, Word
from ocr.fields import (
    Parsed,
    class_parser,
    first_int,
    match_vocab,
    parse_class,
    parse_name,
    parse_school_name,
    parse_school_year,
)
from ocr.layout import (
    Line,
    Place,
    Table,
    cell_text,
    find_labels,
    is_leader,
    label_spans,
    label_tokens,
    label_values,
    labelled_places,
    phrase_in,
    token_key,
    value_words,
)
from ocr.pages import ReadPage
from ocr.sink import FieldSink, value_region

NAME_LETTERS = 60.0  # letters-only similarity (rapidfuzz ratio) for a row named by the form
HEADER_LABELS: dict[str, tuple[str, ...]] = {
    "full_name": ("Họ và tên học sinh", "Họ và tên", "Họ tên"),
    "class_name": ("Lớp",),
    "school_year": ("Năm học",),
}


@dataclass
class YearHeader:
    full_name: object = None
    class_name: object = None
    school_year: object = None
    school_name: object = None

    @property
    def grade(self) -> int | None:
        if isinstance(self.class_name, str) and self.class_name[:1].isdigit():
            return int(self.class_name[0])
        return None


def read_header(page: ReadPage, sink: FieldSink, prefix: str, family: str) -> YearHeader:
    """Name, class and school year above the first table; the school name line above them."""
    top = page.tables[0].ys[0] if page.tables else page.clean.gray.shape[0]
    header = YearHeader()
    parsers: dict[str, Callable[[str], Parsed]] = {
        "full_name": parse_name,
        "class_name": class_parser(GRADES_BY_FAMILY[family]),
        "school_year": parse_school_year,
        "school_name": parse_school_name,
    }
    found: dict[str, list[Word]] = {}
    for line in (ln for ln in page.free_lines() if ln.y < top):
        if line.keys and line.keys[0] == "truong" and "school_name" not in found:
            found["school_name"] = _school_words(line)
            continue
        values = label_values(line, HEADER_LABELS)
        if "full_name" in values and "class_name" not in values:
            span = label_spans(line, HEADER_LABELS)["full_name"]
            values.update(split_slipped_class(span, line.height))
        for name, words in values.items():
            found.setdefault(name, words)
    # Every value read twice, in its line and cut out (one strip for all): see prefetch_text.
    regions = {name: value_region(words) for name, words in found.items() if words}
    sink.prefetch_text(list(regions.values()))
    if "class_name" in regions:  # digits and capitals: a second model reads it too
        sink.prefetch([regions["class_name"]], alphabet=CLASS_ALPHABET)
    for name, parser in parsers.items():
        path = "student.full_name" if name == "full_name" else f"{prefix}.{name}"
        if found.get(name):
            setattr(header, name, sink.take(path, found[name], parser, cell=regions[name]))
        elif name != "full_name":
            sink.missing(path)
    if isinstance(header.class_name, str) and digit_lookalike(header.class_name):
        sink.flag(f"{prefix}.class_name", "CLASS_GLYPH_AMBIGUOUS", header.class_name)
    return header


CLASS_ALPHABET = "0123456789ABCDEGHIKLMNOPQRSTUVXY"  # Vietnamese capitals, Đ read as D


def split_slipped_class(span: list[Word], height: float) -> dict[str, list[Word]]:
    """The form prints «Lớp:» between the pupil's name and the school year. The page read can
    garble that short label past a label match («Lớn:», «LẾP:»), and the class is then lost
    after the name. In the words after the name's label (`span`), a word ending in «:» up to
    two slips from «lớp» («LẾP:», «LớóI:»), followed by a class, is that label: the name ends
    before it, the class follows it. Returns both values (leaders dropped), or nothing."""
    for i, word in enumerate(span[:-1]):
        key = token_key(word.text)
        if not word.text.endswith(":") or len(key) < 3 or Levenshtein.distance(key, "lop") > 2:
            continue
        class_words = value_words(span[i + 1 :], height)
        if parse_class(" ".join(w.text for w in class_words)).ok:
            return {"full_name": value_words(span[:i], height), "class_name": class_words}
    return {}


def new_year_page(page: ReadPage, sink: FieldSink, prefix: str, family: str) -> YearPage:
    """A year page with its header read and the regulation in force for its year and grade."""
    header = read_header(page, sink, prefix, family)
    year = YearPage(
        page=page.number,
        school_year=header.school_year if isinstance(header.school_year, str) else None,
        grade=header.grade,
        class_name=header.class_name if isinstance(header.class_name, str) else None,
        school_name=header.school_name if isinstance(header.school_name, str) else None,
    )
    year.regulation = regulation_for(family, year.school_year, year.grade)  # type: ignore[assignment]
    for flag in [f for f in sink.flags if f.field == f"{prefix}.class_name"]:
        sink.flag(f"{prefix}.grade", flag.code)  # the grade is read from the class name
    return year


def compulsory_subjects(family: str, grade: int | None) -> set[str]:
    """The subjects the form prints a row for: of the grade, or of every grade when unknown."""
    grades = [grade] if grade in GRADES_BY_FAMILY[family] else GRADES_BY_FAMILY[family]
    compulsory = [{s.name for s in subjects_for(family, g) if not s.optional} for g in grades]
    return set.intersection(*compulsory)


def flag_missing_subjects(year: YearPage, family: str, sink: FieldSink, prefix: str) -> None:
    """The form prints a row for every compulsory subject of the grade (of any grade, when the
    grade is unknown): one not found was misread or folded into the header, never dropped."""
    found = {s.name for s in year.subjects}
    for name in sorted(compulsory_subjects(family, year.grade) - found):
        sink.flag(f"{prefix}.subjects", "ROW_NOT_FOUND", name)


def subject_names(
    names: Mapping[int, str],
    index: Mapping[str, str],
    compulsory: set[str],
    sink: FieldSink,
    path: str,
) -> dict[int, str]:
    """Each row's subject by its printed name. OCR garbles short abbreviations past a vocabulary
    match («TX&NH», «TN&KNH» for «TN&XH»): when exactly one row is unnamed and exactly one
    compulsory subject has no row, that row is it, if its letters are mostly that name's.
    The row is then read as usual, with an info flag keeping the text it was named from."""
    named = {row: match_vocab(text, index) for row, text in names.items()}
    found = {str(m.value): row for row, m in named.items() if m.ok}
    unnamed = [row for row, m in named.items() if not m.ok and names[row].strip()]
    missing = compulsory - set(found)
    if len(unnamed) == 1 and len(missing) == 1:
        (row,), (subject,) = unnamed, missing
        printed = [p for p, canonical in index.items() if canonical == subject]
        if max(fuzz.ratio(_letters(names[row]), _letters(p)) for p in printed) >= NAME_LETTERS:
            sink.flag(path, "ROW_NAMED_BY_FORM", f"{names[row]} → {subject}")
            found[subject] = row
    return {row: subject for subject, row in found.items()}


def _letters(text: str) -> str:
    return "".join(ch for ch in search_key(text) if ch.isalnum())


def flag_unread_columns(
    table: Table, row: int, roles: dict[str, int], sink: FieldSink, path: str
) -> None:
    """Ink in an inner column no header was matched to (a misread "retest" header): the row's
    value there is unknown, so it is flagged, never dropped. The last column holds signatures."""
    inner = [
        c for c in range(roles.get("name", 0) + 1, table.n_cols - 1) if c not in roles.values()
    ]
    if any(sink.has_ink(table.cell_box(row, c)) for c in inner):
        sink.flag(path, "COLUMN_NOT_FOUND", "retest")


def _school_words(line: Line) -> list[Word]:
    """ "Trường: Trường THCS X" or "Trường THCS X": the name, without the label."""
    words = line.words[1:] if line.words[0].text.endswith(":") else line.words
    return value_words(words, line.height)


def lines_below(page: ReadPage, y: float) -> list[Line]:
    return [line for line in page.free_lines() if line.y > y]


def labelled(
    page: ReadPage, lines: Sequence[Line], labels: dict[str, tuple[str, ...]]
) -> tuple[dict[str, list[Word]], dict[str, Place]]:
    return labelled_places(lines, labels, page.clean.gray.shape[1])


COUNT_PLACE = 6  # line heights after its label where a count is printed


def read_count(sink: FieldSink, path: str, words: list[Word], place: Place | None) -> int | None:
    """A count after its label (absences). The form prints the line on every year page, so a
    count the page read missed (a lone digit often is) is read from its place alone; with
    nothing there either, it is missing, never taken as zero. No check relates a count to
    another field, so it is always read twice (`checked`)."""
    if own := _count_words(words):
        value = sink.take(path, own, first_int, numeric=True, checked=True)
    elif place is not None and not sink.is_blank(box := _count_box(place, words), place[1]):
        value = sink.take(path, [], first_int, numeric=True, cell=box, checked=True)
    else:
        sink.missing(path)
        return None
    return value if isinstance(value, int) else None


def _count_words(words: list[Word]) -> list[Word]:
    """The count's own words, without the unit after it («0 ngày»): the count is then re-read
    from its glyphs alone, and a digits-only read is not thrown by the unit's letters. [] when
    the page read found the unit only (a lone «0» it dropped): the count is read from its place."""
    unit = next((i for i, w in enumerate(words) if _is_unit_word(w.text)), len(words))
    return words[:unit]


def _is_unit_word(text: str) -> bool:
    letters = [ch for ch in text if ch.isalpha()]
    return len(letters) >= 3 and not any(ch.isdigit() for ch in text)


def _count_box(place: Place, unit: list[Word]) -> Box:
    """Where the count is printed: after its label, and before its unit when the page read found
    that (the unit's letters would throw a digits-only read)."""
    (x, y, w, h), height = place
    end = min([x + int(COUNT_PLACE * height), x + w, *(word.x - 2 for word in unit)])
    return x, y, max(end - x, 1), h


def with_continuation(
    lines: Sequence[Line], label_words: Sequence[Word], stops: dict[str, tuple[str, ...]]
) -> list[Word]:
    """A free-text value that wraps: the next lines aligned at the left margin, close below,
    carrying no label of their own."""
    if not label_words:
        return list(label_words)
    start = next((i for i, ln in enumerate(lines) if label_words[0] in ln.words), None)
    if start is None:
        return list(label_words)
    words = list(label_words)
    left = lines[start].words[0].x
    previous = lines[start]
    for line in lines[start + 1 :]:
        close = line.y - previous.y < 2.2 * previous.height
        aligned = abs(line.words[0].x - left) < 2 * previous.height
        if not (close and aligned) or find_labels(line, stops):
            break
        words.extend(w for w in line.words if not is_leader(w.text))
        previous = line
    return words


def find_phrase(lines: Sequence[Line], phrases: Sequence[str]) -> tuple[str, Line] | None:
    """The longest canonical phrase printed on a line ("Ở lại lớp" vs "Được lên lớp …"); else
    the one a line is a single OCR slip from (`_one_slip_phrase`)."""
    for phrase in sorted(phrases, key=len, reverse=True):
        for line in lines:
            if phrase_in(line, phrase):
                return phrase, line
    return _one_slip_phrase(lines, phrases)


def _one_slip_phrase(lines: Sequence[Line], phrases: Sequence[str]) -> tuple[str, Line] | None:
    """The longest phrase some line's words are one slip from (holdout3's monospace «Được lên
    lớp» reads «Được tên Lớp»), as a closed vocabulary is read (`match_vocab`): only when no
    other phrase, bar those it contains, is within two slips of any line."""
    nearest: dict[str, tuple[int, Line]] = {}
    for phrase in phrases:
        wanted = " ".join(label_tokens(phrase))
        n = len(wanted.split())
        for line in lines:
            keys = line.keys
            for i in range(len(keys) - n + 1):
                slips = Levenshtein.distance(" ".join(keys[i : i + n]), wanted)
                if slips < nearest.get(phrase, (3, line))[0]:
                    nearest[phrase] = (slips, line)
    one_slip = sorted((p for p, (slips, _) in nearest.items() if slips == 1), key=len)
    if not one_slip:
        return None
    phrase = one_slip[-1]
    inside = " ".join(label_tokens(phrase))
    if any(" ".join(label_tokens(other)) not in inside for other in nearest):
        return None
    return phrase, nearest[phrase][1]


def read_decision(
    lines: Sequence[Line], phrases: Sequence[str], sink: FieldSink, prefix: str
) -> str | None:
    """The promotion/completion line: one of the canonical phrases, printed on every year page."""
    found = find_phrase(lines, phrases)
    if found is None:
        sink.missing(f"{prefix}.decision")
        return None
    phrase, line = found
    sink.take(f"{prefix}.decision", line.words, lambda _raw: Parsed(phrase))
    return phrase


def column_roles(
    headers: Sequence[str], rules: Sequence[tuple[str, Callable[[str], bool]]]
) -> dict[str, int]:
    """Map each column to the first role whose test accepts its header text."""
    roles: dict[str, int] = {}
    for index, text in enumerate(headers):
        key = search_key(text)
        for role, test in rules:
            if role not in roles and test(key):
                roles[role] = index
                break
    return roles


def fill_term_columns(roles: dict[str, int], n_cols: int) -> None:
    """Header cells lose short words ("II") to OCR: unlabelled columns between the subject name
    and the retest/signature columns take the missing terms in the form's order."""
    end = min([roles[r] for r in ("retest", "signature") if r in roles] or [n_cols])
    free = [c for c in range(roles.get("name", 0) + 1, end) if c not in roles.values()]
    missing = [t for t in ("hk1", "hk2", "year") if t not in roles]
    if len(free) == len(missing):
        roles.update(zip(missing, free, strict=True))


def infer_roles_from_content(
    roles: dict[str, int],
    rows: Sequence[tuple[int, list[list[Word]]]],
    tests: Sequence[tuple[str, Callable[[str], bool]]],
) -> None:
    """Header cells are bold, wrapped and often misread: a column still without a role takes
    the role whose test most of its filled body cells pass."""
    for col in range(len(rows[0][1]) if rows else 0):
        if col in roles.values():
            continue
        texts = [cell_text(cells[col]) for _, cells in rows if cells[col]]
        if not texts:
            continue
        for role, test in tests:
            if role not in roles and sum(map(test, texts)) >= 0.6 * len(texts):
                roles[role] = col
                break


def locate_columns(
    table: Table,
    rows: Sequence[tuple[int, list[list[Word]]]],
    headers: Sequence[str],
    sink: FieldSink,
    rules: Sequence[tuple[str, Callable[[str], bool]]],
    needed: Sequence[str],
    path: str,
    content_tests: Sequence[tuple[str, Callable[[str], bool]]] = (),
    alphabets: Mapping[str, str] | None = None,
    *,
    role_paths: bool = False,
) -> dict[str, int]:
    """Column roles from the page read's headers; header cells re-read alone when a needed
    column is missing; content as the last resort; the needed columns' cells prefetched,
    each with its role's `eng` alphabet (`alphabets`, DIGITS when not given), and the
    comment column's cells read again as text. With `role_paths`, a missing column is
    flagged at `path.role`, the field its cells hold (see `require_roles`)."""
    roles = column_roles(headers, rules)
    if any(r not in roles for r in needed):
        reread = column_roles(reread_headers(table, rows, sink), rules)
        roles.update(
            {k: v for k, v in reread.items() if k not in roles and v not in roles.values()}
        )
    name_first(roles)
    infer_roles_from_content(roles, rows, content_tests)
    require_roles(roles, needed, sink, path, role_paths=role_paths)
    chars = alphabets or {}
    present = [(r, k) for r, _ in rows for k in needed if k in roles]
    sink.prefetch(
        [table.cell_box(r, roles[k]) for r, k in present],
        [chars.get(k, DIGITS) for _, k in present],
    )
    if "comment" in roles:
        sink.prefetch_text([table.cell_box(r, roles["comment"]) for r, _ in rows])
    return roles


def name_first(roles: dict[str, int]) -> None:
    """The row names are in the first column: `body_rows` found the rows by them there. A
    header read that put the name elsewhere (a garbled "Giáo viên bộ môn ký") is overruled."""
    for role in [r for r, c in roles.items() if c == 0 or r == "name"]:
        del roles[role]
    roles["name"] = 0


def require_roles(
    roles: dict[str, int],
    needed: Sequence[str],
    sink: FieldSink,
    path: str,
    *,
    role_paths: bool = False,
) -> None:
    """A column the page must have but that could not be located is flagged, never skipped:
    at `path`, or with `role_paths` at `path.role` for each (the rank table's conduct and
    academic columns are fields of their own)."""
    missing = [r for r in needed if r not in roles]
    if missing and role_paths:
        for role in missing:
            sink.flag(f"{path}.{role}", "COLUMN_NOT_FOUND", role)
    elif missing:
        sink.flag(path, "COLUMN_NOT_FOUND", ", ".join(missing))


_HK2_MARKS = {"ii", "ll", "il", "li", "11", "2", "h", "u", "n"}  # how OCR renders a lone "II"
_HK1_MARKS = {"i", "l", "1", "|", "j"}


def term_of(text: str) -> str | None:
    """'Học kỳ I' / 'HKI' -> hk1, 'Học kỳ II' / 'HKII' -> hk2, 'Cả năm' / 'CN' -> year."""
    key = search_key(text)
    joined = key.replace(" ", "").replace(".", "")
    if "canam" in joined or joined == "cn":
        return "year"
    # the term's numeral read joined to "kỳ" ("Học kỳI"), or the abbreviation ("HKII")
    prefix = next((p for p in ("hocky", "hocki", "hk") if joined.startswith(p)), None)
    if prefix is not None and len(joined) - len(prefix) <= 3:
        rest = joined[len(prefix) :]
        return "hk2" if rest in _HK2_MARKS else "hk1" if rest in _HK1_MARKS else None
    tokens = [re.sub(r"[^\w|]", "", t) for t in key.split()]
    marks = [t for t in tokens if t and t not in ("hoc", "ky", "ki")]
    if any(t in _HK2_MARKS for t in marks):
        return "hk2"
    if any(t in _HK1_MARKS for t in marks):
        return "hk1"
    return None


def terms_in_order(roles: dict[str, int]) -> bool:
    """The forms print HK I, HK II, Cả năm left to right; any other order is a misread header."""
    cols = [roles[t] for t in ("hk1", "hk2", "year") if t in roles]
    return cols == sorted(cols)


def body_rows(
    table: Table, words: Sequence[Word], is_body: Callable[[str], bool], sink: FieldSink
) -> tuple[list[str], list[tuple[int, list[list[Word]]]]]:
    """Column headers (joined text of the rows before the first body row) and the body rows.

    A row whose name the page read garbled or skipped (a name set low in a tall row, next to
    a wrapped comment) has its name cell read alone; that read is kept only if it names a row.
    """
    grid = table.grid(words)
    unnamed = [
        r
        for r in range(1, table.n_rows)  # the first row is always a header
        if not is_body(cell_text(grid[r][0])) and sink.has_ink(table.cell_box(r, 0))
    ]
    fresh = sink.read_cells([table.cell_box(r, 0) for r in unnamed]) if unnamed else []
    for r, name_words in zip(unnamed, fresh, strict=True):
        if is_body(cell_text(name_words)):
            grid[r][0] = name_words
    first_body = next(
        (r for r in range(table.n_rows) if is_body(cell_text(grid[r][0]))), table.n_rows
    )
    headers = [
        " ".join(cell_text(grid[r][c]) for r in range(first_body)) for c in range(table.n_cols)
    ]
    return headers, [(r, grid[r]) for r in range(first_body, table.n_rows)]


def table_with(
    page: ReadPage, *phrases: str, rows_like: Callable[[str], bool] | None = None
) -> Table | None:
    """The first table with a column whose first two rows carry all words of one of the
    phrases (in any order: wrapped header cells interleave); failing that, the table whose
    first column has the most rows passing `rows_like` (e.g. subject names). One column: a
    score table's «Môn học» and a speck in a signature cell read «lục» are no «Học lực»."""
    for table in page.tables:
        grid = table.grid(page.words)
        heads = [
            {token_key(w.text) for r in range(min(2, table.n_rows)) for w in grid[r][c]}
            for c in range(table.n_cols)
        ]
        if any(set(search_key(p).split()) <= head for p in phrases for head in heads):
            return table
    if rows_like is None:
        return None
    scored = [
        (sum(rows_like(cell_text(row[0])) for row in t.grid(page.words)), t) for t in page.tables
    ]
    count, best = max(scored, key=lambda item: item[0], default=(0, None))
    return best if count >= 2 else None


def reread_headers(
    table: Table, rows: Sequence[tuple[int, list[list[Word]]]], sink: FieldSink
) -> list[str]:
    """Header cells read in isolation: cleaner than the page read for bold, wrapped headers."""
    first_body = rows[0][0] if rows else table.n_rows
    top, bottom = table.ys[0], table.ys[first_body]
    boxes = [
        (table.xs[c], top, table.xs[c + 1] - table.xs[c], bottom - top) for c in range(table.n_cols)
    ]
    return sink.read_texts(boxes)
