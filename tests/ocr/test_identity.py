"""Names on the identity page (ocr/identity.py)."""

from __future__ import annotations

import numpy as np

from ocr.identity import _surname_marks
from ocr.sink import FieldSink
from ocr.tess_api import TesserocrEngine


def _sink() -> FieldSink:
    return FieldSink(page=1, image=np.full((10, 10), 255, np.uint8), engine=TesserocrEngine())


def test_a_surname_read_without_its_stacked_mark_is_proposed_in_full_and_flagged() -> None:
    sink = _sink()
    assert _surname_marks("student.father_name", "Nguyên Trọng Dũng", sink) == "Nguyễn Trọng Dũng"
    assert [(f.field, f.code, f.severity) for f in sink.flags] == [
        ("student.father_name", "SURNAME_MARKS_LOST", "error")
    ]
    assert "Nguyên → Nguyễn" in sink.flags[0].message


def test_names_opening_with_a_surname_or_no_near_one_are_left_as_read() -> None:
    sink = _sink()
    for name in ("Nguyễn Trọng Dũng", "Ha Văn Nam", "Y Bhim Niê"):
        assert _surname_marks("student.full_name", name, sink) == name
    assert sink.flags == []
