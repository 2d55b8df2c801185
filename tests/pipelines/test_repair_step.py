"""The checks step's repair from constraints, fed by extraction's kept reads."""

from __future__ import annotations

from domain.record import FieldReading
from pipelines.repair_step import cell_alternatives, reads_by_path, repair_record
from tests.validation import th_record, thcs_record
from validation.report import Finding

TOAN = "years[0].subjects[0]"


def reading(path: str, raw: str) -> FieldReading:
    return FieldReading(path=path, page=2, raw=raw, confidence=91.0)


def test_alternatives_are_the_distinct_parsed_reads_of_score_and_rank_cells() -> None:
    found = cell_alternatives(
        [
            reading(f"{TOAN}.hk1", "8,9 / 8,5 / 8.9 / ?"),
            reading("years[0].average_all.year", "8,6"),
            reading("years[0].academic.year", "Giòi / Khá"),
            reading("student.full_name", "Nguyễn Văn An / Nguyễn Văn Ân"),  # not a cell
            reading("years[1].class_name", "BE / SB / 5B / 95B / 5B"),
        ]
    )
    assert found == {
        f"{TOAN}.hk1": [8.9, 8.5],
        "years[0].average_all.year": [8.6],
        "years[0].academic.year": ["Giỏi", "Khá"],
        "years[1].class_name": ["5B", "95B"],
        "years[1].grade": [5, 9],  # the class names' grades
    }


def test_a_repaired_cell_loses_its_ocr_doubt_and_gains_a_note() -> None:
    record = thcs_record()
    record.years[0].subjects[0].hk1 = 8.9
    doubt = Finding("thcs-1", f"{TOAN}.hk1", "READS_DISAGREE", "…", "error", "ocr")
    fixed, findings = repair_record(record, [reading(f"{TOAN}.hk1", "8,9 / 8,5")], [doubt])
    assert fixed.years[0].subjects[0].hk1 == 8.5
    assert [f for f in findings if f.severity != "info"] == []  # the doubt is gone
    assert [(f.field, f.code) for f in findings] == [(f"{TOAN}.hk1", "VALUE_REPAIRED")]


def test_without_a_pinning_constraint_the_findings_are_unchanged() -> None:
    record = thcs_record()
    doubt = Finding("thcs-1", "student.full_name", "READS_DISAGREE", "…", "error", "ocr")
    fixed, findings = repair_record(record, [], [doubt])
    assert fixed is record and findings == [doubt]


def test_a_comment_the_cells_reads_outvote_takes_their_text() -> None:
    record = th_record()
    path = "years[1].qualities[1].comment"
    record.years[1].qualities[1].comment = "Mạnh đạn, tự tin."  # the page read
    raw = "Mạnh đạn, tự tin. / Mạnh dạn, tự tin. / Mạnh dạn, tự tin. / Mạnh dạn, tự tin."
    doubt = Finding("th-1", path, "READS_DISAGREE", "…", "error", "ocr")
    fixed, findings = repair_record(record, [reading(path, raw)], [doubt])
    assert fixed.years[1].qualities[1].comment == "Mạnh dạn, tự tin."
    assert record.years[1].qualities[1].comment == "Mạnh đạn, tự tin."  # the input is kept
    assert [(f.field, f.code) for f in findings if f.field == path] == [
        (path, "COMMENT_MARKS_CONFIRMED")
    ]


def test_a_class_read_with_an_i_after_its_letter_takes_the_read_with_a_1() -> None:
    record = thcs_record()
    record.years[1].class_name = "7DI"
    path = "years[1].class_name"
    doubts = [
        Finding("thcs-1", path, code, "…", "error", "ocr")
        for code in ("READS_DISAGREE", "CLASS_GLYPH_AMBIGUOUS")
    ]
    raw = "7DI / 7DI / 7D1 / 7DI / 7D1 / 7DI / 7D1"
    fixed, findings = repair_record(record, [reading(path, raw)], doubts)
    assert fixed.years[1].class_name == "7D1"
    assert [f.code for f in findings if f.field == path] == ["VALUE_REPAIRED"]


def test_reads_of_a_field_printed_on_several_pages_are_all_kept() -> None:
    box = (0, 0, 10, 10)
    readings = [
        FieldReading(path="student.full_name", page=1, box=box, raw="Đỉnh Hạnh / Đinh Hạnh"),
        FieldReading(path="student.full_name", page=2, box=box, raw="Định Hạnh"),
        FieldReading(path="student.gender", page=1, box=box, raw="Nữ"),
    ]
    assert reads_by_path(readings) == {
        "student.full_name": ["Đỉnh Hạnh", "Đinh Hạnh", "Định Hạnh"],
        "student.gender": ["Nữ"],
    }
