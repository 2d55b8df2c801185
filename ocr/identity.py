"""The identity page (sơ yếu lý lịch): labelled fields -> Student."""

from __future__ import annotations

import re
from collections.abc import Callable

from domain.record import Student
from domain.surnames import fuller_surname
from domain.vocab import ETHNICITIES, IDENTITY_LABELS
from ocr.fields import (
    NOT_PARSED,
    Parsed,
    parse_date,
    parse_gender,
    parse_name,
    parse_text,
    vocab_index,
    vocab_or_name,
)
from ocr.layout import Place, labelled_places
from ocr.pages import ReadPage
from ocr.sink import FieldSink, value_region

# Printed labels that end a value without being a field of the record.
STOP_LABELS: dict[str, tuple[str, ...]] = {
    "_occupation": ("Nghề nghiệp",),
    "_school": ("Trường",),
}


def parse_personal_id(raw: str) -> Parsed:
    digits = re.sub(r"[\s.\-]", "", raw)
    return Parsed(digits) if re.fullmatch(r"\d{12}", digits) else Parsed(None, NOT_PARSED)


PARSERS: dict[str, Callable[[str], Parsed]] = {
    "full_name": parse_name,
    "gender": parse_gender,
    "date_of_birth": parse_date,
    "place_of_birth": parse_text,
    "ethnicity": vocab_or_name(vocab_index(ETHNICITIES)),
    "nationality": parse_text,
    "residence": parse_text,
    "father_name": parse_name,
    "mother_name": parse_name,
    "guardian_name": parse_name,
    "personal_id": parse_personal_id,
}
NAMES = ("full_name", "father_name", "mother_name", "guardian_name")
REQUIRED = ("full_name", "gender", "date_of_birth")
# Labels every printing of the page carries, even when the value is blank: not finding one
# means the page was not read, never that the field is empty.
ALWAYS_PRINTED = ("place_of_birth", "ethnicity", "residence", "father_name", "mother_name")


def read_identity(page: ReadPage, sink: FieldSink) -> Student:
    """The labelled fields; every value is read twice (in its line, and cut out), and the two
    reads must agree: identity is what the record is linked and searched by."""
    labels = {**IDENTITY_LABELS, **STOP_LABELS}
    found, blanks = labelled_places(page.free_lines(), labels, page.clean.gray.shape[1])
    regions = {name: value_region(words) for name, words in found.items() if words}
    sink.prefetch_text(list(regions.values()))
    values: dict[str, object] = {}
    for name, parser in PARSERS.items():
        words = found.get(name)
        path = f"student.{name}"
        if words:
            value = sink.take(path, words, parser, cell=regions[name])
            if name in NAMES and isinstance(value, str):
                value = _surname_marks(path, value, sink)
            values[name] = value
        elif name in REQUIRED or (
            name in ALWAYS_PRINTED and not _verified_blank(name, blanks, sink)
        ):
            sink.missing(path)
    return Student(**values)  # type: ignore[arg-type]


def _surname_marks(path: str, name: str, sink: FieldSink) -> str:
    """A name whose first word is no surname but a surname's letters with fewer marks (italic
    «Nguyễn» read «Nguyên» by every read alike) is proposed with that surname, flagged: a rare
    surname missing from the list costs a look by a person, never a wrong value."""
    surname, _, given = name.partition(" ")
    fuller = fuller_surname(surname)
    if fuller is None:
        return name
    sink.flag(path, "SURNAME_MARKS_LOST", f"{surname} → {fuller}")
    return f"{fuller} {given}".strip()


def _verified_blank(name: str, blanks: dict[str, Place], sink: FieldSink) -> bool:
    """The label was read and nothing is written after it: the paper leaves it empty. The
    place must be wide enough for a value (a next "label" right after this one may be the
    value misread as a label)."""
    if name not in blanks:
        return False
    box, height = blanks[name]
    return box[2] >= 4 * height and sink.is_blank(box, height)
