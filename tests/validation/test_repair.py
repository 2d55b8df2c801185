"""Repair from constraints: settle a cell only when exactly one of its OCR reads fits."""

from __future__ import annotations

from validation.repair import CONFIRMED, REPAIRED, propose_repairs
from validation.report import Finding
from validation.rules import check_record

from . import THCS_SCORES, th_page, th_record, thcs_page, thcs_record

TOAN = "years[0].subjects[0]"  # Toán: HK I 8.5, HK II 9.0, cả năm 8.8


def doubt(field: str) -> Finding:
    return Finding("thcs-1", field, "READS_DISAGREE", "Hai lần đọc khác nhau.", "error", "ocr")


def test_a_digit_slip_is_repaired_to_the_one_read_that_fits_the_year_average() -> None:
    record = thcs_record()
    record.years[0].subjects[0].hk1 = 8.9  # 5 read as 9: (8.9 + 2*9.0)/3 = 9.0, not 8.8
    findings = check_record(record)
    assert any(f.code == "YEAR_AVG_MISMATCH" for f in findings)
    fixed, repairs = propose_repairs(record, {f"{TOAN}.hk1": [8.9, 8.5]}, findings)
    assert [(r.field, r.original, r.value) for r in repairs] == [(f"{TOAN}.hk1", 8.9, 8.5)]
    assert fixed.years[0].subjects[0].hk1 == 8.5
    assert record.years[0].subjects[0].hk1 == 8.9  # the input is left as read
    assert not [f for f in check_record(fixed) if f.severity == "error"]
    note = repairs[0].finding("thcs-1")
    assert note.code == REPAIRED and "8,9" in note.message and "8,5" in note.message


def test_two_reads_that_both_fit_are_left_to_a_person() -> None:
    record = thcs_record()
    findings = [doubt(f"{TOAN}.hk1")]
    # 8.5 and 8.6 both give a year average within the ±0.1 tolerance of 8.8
    fixed, repairs = propose_repairs(record, {f"{TOAN}.hk1": [8.5, 8.6]}, findings)
    assert repairs == [] and fixed.years[0].subjects[0].hk1 == 8.5


def test_a_doubtful_read_that_alone_fits_is_confirmed_not_changed() -> None:
    record = thcs_record()
    findings = [doubt(f"{TOAN}.year")]
    fixed, repairs = propose_repairs(record, {f"{TOAN}.year": [8.8, 3.8]}, findings)
    assert [(r.value, r.changed) for r in repairs] == [(8.8, False)]
    assert repairs[0].finding("thcs-1").code == CONFIRMED
    assert fixed.years[0].subjects[0].year == 8.8


def test_a_value_no_read_produced_is_never_invented() -> None:
    record = thcs_record()
    record.years[0].subjects[0].hk1 = 8.9
    findings = check_record(record)
    fixed, repairs = propose_repairs(record, {f"{TOAN}.hk1": [8.9, 3.9]}, findings)
    assert repairs == [] and fixed.years[0].subjects[0].hk1 == 8.9


def test_a_repair_that_would_break_another_check_on_the_page_is_refused() -> None:
    record = thcs_record()
    page = record.years[0]
    # HK II 9.0 misread 5.0 with the year average misread to match: the row alone is
    # consistent either way, but 5.0 breaks ĐTB các môn HK II, so only 9.0 may be chosen.
    page.subjects[0].hk2, page.subjects[0].year = 5.0, 6.2
    findings = [doubt(f"{TOAN}.hk2"), doubt(f"{TOAN}.year")]
    alternatives = {f"{TOAN}.hk2": [5.0, 9.0], f"{TOAN}.year": [6.2, 8.8]}
    fixed, repairs = propose_repairs(record, alternatives, findings)
    assert (fixed.years[0].subjects[0].hk2, fixed.years[0].subjects[0].year) == (9.0, 8.8)
    assert {r.field for r in repairs} == {f"{TOAN}.hk2", f"{TOAN}.year"}


def test_primary_booklets_have_no_arithmetic_to_repair_from() -> None:
    record = thcs_record()
    record.family = "TH-2014"
    record.years = [th_page(2, 2016, 1)]
    field = "years[0].subjects[0].test_score"
    assert propose_repairs(record, {field: [9, 8]}, [doubt(field)])[1] == []


def test_hk1_and_hk2_read_into_each_others_columns_are_swapped_back() -> None:
    record = thcs_record()
    apart = {**THCS_SCORES, "Vật lí": (6.5, 8.0), "Lịch sử": (7.0, 8.6), "Địa lí": (9.0, 8.0)}
    record.years[0] = page = thcs_page(2, 2014, 6, apart)
    truth = [(s.hk1, s.hk2) for s in page.subjects]
    for row in [*page.subjects, page.average_all]:  # the whole columns, ĐTB các môn too
        assert row is not None
        row.hk1, row.hk2 = row.hk2, row.hk1
    findings = check_record(record)
    assert any(f.code == "YEAR_AVG_MISMATCH" for f in findings)
    fixed, repairs = propose_repairs(record, {}, findings)
    assert [(s.hk1, s.hk2) for s in fixed.years[0].subjects] == truth
    assert [r.finding("thcs-1").code for r in repairs] == ["TERM_COLUMNS_REPAIRED"]
    assert not [f for f in check_record(fixed) if f.severity == "error"]


def test_one_failing_row_is_not_taken_for_swapped_columns() -> None:
    record = thcs_record()
    record.years[0].subjects[0].hk1 = 9.9  # a single slip: other rows fit the printed order
    fixed, repairs = propose_repairs(record, {}, check_record(record))
    assert repairs == [] and fixed.years[0].subjects[1].hk1 == record.years[0].subjects[1].hk1


def test_an_unreadable_comment_mark_is_settled_by_a_surely_read_rank() -> None:
    record = thcs_record()  # học lực Giỏi: every comment subject must be Đ
    the_duc = next(j for j, s in enumerate(record.years[0].subjects) if s.name == "Thể dục")
    cell = f"years[0].subjects[{the_duc}].hk1"
    record.years[0].subjects[the_duc].hk1 = None  # read as "3)": not a mark
    fixed, repairs = propose_repairs(record, {}, [doubt(cell)])
    assert fixed.years[0].subjects[the_duc].hk1 == "Đ"
    note = repairs[0].finding("thcs-1")
    assert note.code == "MARK_REPAIRED" and note.message.endswith("Đã điền Đ.")
    # … but not when the rank it rests on is itself in doubt
    _, later = propose_repairs(record, {}, [doubt(cell), doubt("years[0].academic.hk1")])
    assert cell not in {r.field for r in later}


def test_a_class_name_is_settled_by_the_grade_the_previous_page_implies() -> None:
    """«3A1» read «5A1» by one model: only grade 3 follows the previous page's grade 2."""
    record = th_record()
    record.years[2].class_name, record.years[2].grade = "5B", 5
    cells = ("years[2].class_name", "years[2].grade")
    alternatives = {cells[0]: ["5B", "3B"], cells[1]: [5, 3]}
    fixed, repairs = propose_repairs(record, alternatives, [doubt(c) for c in cells])
    assert [(r.field, r.original, r.value) for r in repairs] == [
        (cells[0], "5B", "3B"),
        (cells[1], 5, 3),
    ]
    assert (fixed.years[2].class_name, fixed.years[2].grade) == ("3B", 3)


def test_a_first_page_class_name_no_earlier_grade_pins_is_left_to_a_person() -> None:
    """Grades 1 and 2 have the same subjects: nothing on the page tells «1B» from «2B»."""
    record = th_record()
    cells = ("years[0].class_name", "years[0].grade")
    alternatives = {cells[0]: ["1B", "2B"], cells[1]: [1, 2]}
    assert propose_repairs(record, alternatives, [doubt(c) for c in cells])[1] == []
