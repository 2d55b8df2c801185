"""The identity page (sơ yếu lý lịch): labelled fields -> Student."""

from __future__ import annotations

import re
from collections.abc import Callable

from domain.record import Student
from domain.vocab import ETHNICITIES, IDENTITY_LABELS
from ocr.engine import Word
from ocr.fields import (
    NOT_PARSED,
    Parsed,
    parse_date,
    parse_gender,
    parse_name,
    parse_text,
    vocab_index,
    vocab_or_text,
)
from ocr.layout import label_values
from ocr.pages import ReadPage
from ocr.sink import FieldSink

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
    "ethnicity": vocab_or_text(vocab_index(ETHNICITIES)),
    "nationality": parse_text,
    "residence": parse_text,
    "father_name": parse_name,
    "mother_name": parse_name,
    "guardian_name": parse_name,
    "personal_id": parse_personal_id,
}
REQUIRED = ("full_name", "gender", "date_of_birth")
# Labels every printing of the page carries, even when the value is blank: not finding one
# means the page was not read, never that the field is empty.
ALWAYS_PRINTED = ("place_of_birth", "ethnicity", "residence", "father_name", "mother_name")


def read_identity(page: ReadPage, sink: FieldSink) -> Student:
    found = _labelled_values(page)
    values: dict[str, object] = {}
    for name, parser in PARSERS.items():
        words = found.get(name)
        path = f"student.{name}"
        if words:
            values[name] = sink.take(path, words, parser)
        elif name in REQUIRED or name in ALWAYS_PRINTED:
            sink.missing(path)
    return Student(**values)  # type: ignore[arg-type]


def _labelled_values(page: ReadPage) -> dict[str, list[Word]]:
    labels = {**IDENTITY_LABELS, **STOP_LABELS}
    found: dict[str, list[Word]] = {}
    for line in page.free_lines():
        for name, words in label_values(line, labels).items():
            if not name.startswith("_") and name not in found:
                found[name] = words
    return found
