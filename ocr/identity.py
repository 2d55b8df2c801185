"""The identity page (sơ yếu lý lịch): labelled fields -> Student."""

from __future__ import annotations

import re
from collections.abc import Callable

from domain.record import Student
from domain.vocab import ETHNICITIES, IDENTITY_LABELS
from ocr.engine import Box, Word
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
from ocr.layout import find_labels, value_words
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
    """The labelled fields; every value is read twice (in its line, and cut out), and the two
    reads must agree: identity is what the record is linked and searched by."""
    found, blanks = _labelled_values(page)
    regions = {name: value_region(words) for name, words in found.items() if words}
    sink.prefetch_text(list(regions.values()))
    values: dict[str, object] = {}
    for name, parser in PARSERS.items():
        words = found.get(name)
        path = f"student.{name}"
        if words:
            values[name] = sink.take(path, words, parser, cell=regions[name])
        elif name in REQUIRED or (
            name in ALWAYS_PRINTED and not _verified_blank(name, blanks, sink)
        ):
            sink.missing(path)
    return Student(**values)  # type: ignore[arg-type]


Blank = tuple[Box, float]  # where a label's value would be, and the line's text height


def _verified_blank(name: str, blanks: dict[str, Blank], sink: FieldSink) -> bool:
    """The label was read and nothing is written after it: the paper leaves it empty. The
    place must be wide enough for a value (a next "label" right after this one may be the
    value misread as a label)."""
    if name not in blanks:
        return False
    box, height = blanks[name]
    return box[2] >= 4 * height and sink.is_blank(box, height)


def _labelled_values(page: ReadPage) -> tuple[dict[str, list[Word]], dict[str, Blank]]:
    """Each label's value words; for a label found with no value after it, where the value
    would be (so an empty value is taken only when that place holds no glyph)."""
    labels = {**IDENTITY_LABELS, **STOP_LABELS}
    found: dict[str, list[Word]] = {}
    blanks: dict[str, Blank] = {}
    width = page.clean.gray.shape[1]
    for line in page.free_lines():
        hits = find_labels(line, labels)
        for i, hit in enumerate(hits):
            if hit.name.startswith("_") or hit.name in found:
                continue
            stop = hits[i + 1].start if i + 1 < len(hits) else len(line.words)
            found[hit.name] = value_words(line.words[hit.end : stop], line.height)
            left = line.words[hit.end - 1].right
            right = line.words[stop].x if stop < len(line.words) else width
            top, height = int(line.y - 0.9 * line.height), int(1.5 * line.height)
            blanks[hit.name] = ((left, top, right - left, height), line.height)
    return found, blanks
