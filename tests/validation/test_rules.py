from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.record import SubjectResult, TermTriple, TranscriptRecord
from tests.validation import THCS_SCORES, th_page, th_record, thcs_page, thcs_record
from validation.rules import (
    academic_rank,
    check_record,
    expected_decisions,
    key_subjects,
    year_average,
)

D = Decimal


def codes(record: TranscriptRecord) -> set[tuple[str, str]]:
    return {(f.field, f.code) for f in check_record(record)}


def only_code(record: TranscriptRecord, code: str) -> list[str]:
    return [f.field for f in check_record(record) if f.code == code]


def test_consistent_booklets_pass() -> None:
    assert check_record(thcs_record()) == []
    assert check_record(th_record()) == []


def test_findings_carry_document_and_vietnamese_message() -> None:
    record = thcs_record("doc-42")
    record.years[0].subjects[0].year = 8.5  # (8.5 + 2*9.0)/3 = 8.8; the overall mean holds
    (finding,) = check_record(record)
    assert finding.document_id == "doc-42"
    assert finding.code == "YEAR_AVG_MISMATCH"
    assert finding.field == "years[0].subjects[0].year"
    assert "Điểm cả năm" in finding.message
    assert finding.severity == "error" and finding.source == "rule"


# --- THCS arithmetic ---------------------------------------------------------------------------


def test_year_average_rounds_half_up_without_float_traps() -> None:
    # (7.0 + 2*7.375)/3 is not representable; the canonical trap: 7.25 must give 7.3
    assert year_average(D("6.9"), D("7.425")) == D("7.3")  # exactly 7.25
    assert year_average(D("7.0"), D("7.0")) == D("7.0")
    assert year_average(D("6.5"), D("8.0")) == D("7.5")
    assert year_average(D("5.0"), D("6.4")) == D("5.9")  # 5.9333


@given(
    st.integers(min_value=0, max_value=100),
    st.integers(min_value=0, max_value=100),
)
def test_year_average_property(hk1_tenths: int, hk2_tenths: int) -> None:
    hk1, hk2 = D(hk1_tenths) / 10, D(hk2_tenths) / 10
    result = year_average(hk1, hk2)
    exact_30 = hk1_tenths + 2 * hk2_tenths  # 30 x the exact average, in tenths
    # half-up: the result in tenths is floor((exact*10 + 0.5)), computed on integers only
    assert result * 10 == (2 * exact_30 + 3) // 6
    assert min(hk1, hk2) <= result <= max(hk1, hk2)
    assert result == result.quantize(D("0.1"))


@given(st.integers(min_value=0, max_value=100), st.integers(min_value=0, max_value=100))
def test_printed_year_within_tolerance_passes(hk1_tenths: int, hk2_tenths: int) -> None:
    hk1, hk2 = hk1_tenths / 10, hk2_tenths / 10
    record = thcs_record()
    subject = record.years[0].subjects[0]
    expected = float(year_average(D(repr(hk1)), D(repr(hk2))))
    subject.hk1, subject.hk2, subject.year = hk1, hk2, expected
    assert "YEAR_AVG_MISMATCH" not in {c for _, c in codes(record)}
    subject.year = round(expected + 0.2, 1) if expected <= 9.8 else round(expected - 0.2, 1)
    assert ("years[0].subjects[0].year", "YEAR_AVG_MISMATCH") in codes(record)


def test_year_average_tolerates_one_tenth_of_legacy_rounding() -> None:
    record = thcs_record()
    subject = record.years[0].subjects[0]  # Toán 8.5, 9.0 -> 8.8
    subject.year = 8.9
    assert only_code(record, "YEAR_AVG_MISMATCH") == []
    subject.year = 9.0
    assert only_code(record, "YEAR_AVG_MISMATCH") == ["years[0].subjects[0].year"]


def test_overall_average_mismatch() -> None:
    record = thcs_record()
    page = record.years[1]
    assert page.average_all is not None
    page.average_all.hk2 = round(float(page.average_all.hk2 or 0) + 0.3, 1)
    assert only_code(record, "OVERALL_AVG_MISMATCH") == ["years[1].average_all.hk2"]


def test_score_range_format_and_kind() -> None:
    record = thcs_record()
    subjects = record.years[0].subjects
    subjects[1].hk1 = 11.0
    subjects[2].hk2 = 7.25
    subjects[3].hk1 = "Đ"  # a scored subject with a comment mark
    subjects[-1].hk1 = 8.0  # Mĩ thuật is assessed by Đ/CĐ
    subjects[-2].hk2 = "X"
    found = codes(record)
    assert ("years[0].subjects[1].hk1", "SCORE_RANGE") in found
    assert ("years[0].subjects[2].hk2", "SCORE_FORMAT") in found
    assert ("years[0].subjects[3].hk1", "ASSESSMENT_KIND") in found
    assert ("years[0].subjects[11].hk1", "ASSESSMENT_KIND") in found
    assert ("years[0].subjects[10].hk2", "ASSESSMENT_KIND") in found


# --- học lực (TT58 Điều 13 + khoản 6) ---------------------------------------------------------

OTHERS = {"Vật lí": D("7.0"), "Sinh học": D("7.0")}


def rank(
    avg: str,
    toan: str,
    van: str,
    others: dict[str, Decimal] | None = None,
    marks: tuple[str, ...] = ("Đ",),
    regulation: str = "TT58",
    anh: str = "8.0",
    cd: bool = True,
) -> str:
    scores = {"Toán": D(toan), "Ngữ văn": D(van), "Ngoại ngữ": D(anh), **(others or {})}
    return academic_rank(
        D(avg), scores, list(marks), key_subjects(regulation), cd_can_be_adjusted=cd
    )


@pytest.mark.parametrize(
    ("avg", "expected"),
    [
        ("8.0", "Giỏi"),
        ("7.9", "Khá"),
        ("6.5", "Khá"),
        ("6.4", "Trung bình"),
        ("5.0", "Trung bình"),
        ("4.9", "Yếu"),
        ("3.5", "Yếu"),
        ("3.4", "Kém"),
    ],
)
def test_average_boundaries(avg: str, expected: str) -> None:
    # every subject equal to the average: only the average decides
    scores = {n: D(avg) for n in ("Toán", "Ngữ văn", "Vật lí")}
    assert academic_rank(D(avg), scores, ["Đ"], key_subjects("TT58")) == expected


def test_lowest_subject_boundary_two_point_zero() -> None:
    assert rank("4.0", "4.0", "4.0", {"Vật lí": D("2.0")}) == "Yếu"
    assert rank("4.0", "4.0", "4.0", {"Vật lí": D("1.9")}) == "Kém"


def test_key_subject_needed_for_gioi() -> None:
    assert rank("8.5", "8.0", "7.0", {"Vật lí": D("9.5")}) == "Giỏi"
    assert rank("8.5", "7.9", "7.9", {"Vật lí": D("9.5")}, anh="9.0") == "Khá"


def test_tt26_adds_foreign_language_as_key_subject() -> None:
    others = {"Vật lí": D("9.5")}
    assert rank("8.5", "7.9", "7.9", others, anh="9.0", regulation="TT58") == "Khá"
    assert rank("8.5", "7.9", "7.9", others, anh="9.0", regulation="TT58+TT26") == "Giỏi"


def test_adjustment_gioi_pulled_to_tb_becomes_kha() -> None:
    assert rank("8.2", "9.0", "9.0", {"Vật lí": D("4.0")}) == "Khá"


def test_adjustment_gioi_pulled_to_yeu_becomes_tb() -> None:
    assert rank("8.2", "9.0", "9.0", {"Vật lí": D("3.0")}) == "Trung bình"
    assert rank("8.2", "9.0", "9.0", marks=("Đ", "CĐ")) == "Trung bình"  # one CĐ


def test_adjustment_kha_pulled_to_yeu_becomes_tb() -> None:
    assert rank("7.0", "7.0", "7.0", {"Vật lí": D("3.0")}) == "Trung bình"


def test_adjustment_kha_pulled_to_kem_becomes_yeu() -> None:
    assert rank("7.0", "7.0", "7.0", {"Vật lí": D("1.5")}) == "Yếu"


def test_no_adjustment_when_two_subjects_pull_down() -> None:
    two_low = {"Vật lí": D("4.0"), "Sinh học": D("4.0")}
    assert rank("8.2", "9.0", "9.0", two_low) == "Trung bình"
    assert rank("8.2", "9.0", "9.0", {"Vật lí": D("6.0")}) == "Khá"  # one level: no rule


def test_low_key_subject_is_the_single_culprit() -> None:
    # Khá average; Ngữ văn alone is low and also why no key subject reaches 6.5
    assert rank("6.5", "5.6", "3.1", {"Vật lí": D("8.0")}) == "Trung bình"


def test_key_condition_reading_of_khoan_6() -> None:
    # Giỏi average, no key subject at 8.0 and one other subject low: two causes, or one?
    others = {"Vật lí": D("4.0")}
    assert rank("8.2", "7.0", "7.0", others) == "Trung bình"
    scores = {"Toán": D("7.0"), "Ngữ văn": D("7.0"), "Ngoại ngữ": D("8.0"), **others}
    lenient = academic_rank(D("8.2"), scores, ["Đ"], key_subjects("TT58"), key_must_hold=False)
    assert lenient == "Khá"


def test_academic_mismatch_on_page() -> None:
    record = thcs_record()
    academic = record.years[0].academic
    assert academic is not None
    academic.year = "Khá"
    assert only_code(record, "ACADEMIC_MISMATCH") == ["years[0].academic.year"]
    academic.year = "Xuất sắc"
    assert ("years[0].academic.year", "VOCABULARY") in codes(record)


def test_single_cd_adjustment_is_read_both_ways() -> None:
    assert rank("8.2", "9.0", "9.0", marks=("CĐ",), cd=False) == "Yếu"
    record = thcs_record()
    record.years[0].subjects[-1].hk1 = "CĐ"  # Giỏi average + one CĐ
    assert only_code(record, "ACADEMIC_MISMATCH") == ["years[0].academic.hk1"]
    academic = record.years[0].academic
    assert academic is not None
    for accepted in ("Trung bình", "Yếu"):  # adjusted, or CĐ not adjustable
        academic.hk1 = accepted
        assert only_code(record, "ACADEMIC_MISMATCH") == []
    academic.hk1 = "Khá"
    assert "'Trung bình' hoặc 'Yếu'" in next(
        f.message for f in check_record(record) if f.code == "ACADEMIC_MISMATCH"
    )


# --- decisions, vocabularies --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("grade", "conduct", "academic", "absences", "allowed"),
    [
        (7, "Tốt", "Giỏi", 3, ("Được lên lớp",)),
        (9, "Khá", "Khá", 0, ("Hoàn thành chương trình THCS",)),
        (7, "Tốt", "Giỏi", 46, ("Ở lại lớp",)),
        (7, "Khá", "Kém", 0, ("Ở lại lớp",)),
        (7, "Yếu", "Yếu", 0, ("Ở lại lớp",)),
        (7, "Khá", "Yếu", 0, ("Được lên lớp sau kiểm tra lại", "Ở lại lớp")),
        (7, "Yếu", "Khá", 0, ("Được lên lớp sau rèn luyện hè", "Ở lại lớp")),
    ],
)
def test_expected_decisions(
    grade: int, conduct: str, academic: str, absences: int, allowed: tuple[str, ...]
) -> None:
    assert expected_decisions(grade, conduct, academic, absences) == allowed


def test_decision_inconsistent_is_an_error() -> None:
    # TT58 Điều 15-16 are hard rules (domain.md [H]): a misread decision line must not pass
    record = thcs_record()
    record.years[0].absences = 50
    (finding,) = [f for f in check_record(record) if f.code == "DECISION_INCONSISTENT"]
    assert finding.field == "years[0].decision" and finding.severity == "error"
    record.years[0].decision = "Được lên lớp luôn"
    assert ("years[0].decision", "VOCABULARY") in codes(record)


def test_award_needs_the_ranks() -> None:
    record = thcs_record()
    record.years[0].conduct = TermTriple(hk1="Tốt", hk2="Khá", year="Khá")
    (finding,) = [f for f in check_record(record) if f.code == "AWARD_INCONSISTENT"]
    assert finding.field == "years[0].awards" and finding.severity == "error"
    record.years[0].awards = "Học sinh tiên tiến"
    assert only_code(record, "AWARD_INCONSISTENT") == []
    record.years[0].conduct = TermTriple(hk1="Tốt", hk2="Khá", year="Trung bình")
    assert only_code(record, "AWARD_INCONSISTENT") == ["years[0].awards"]


def test_conduct_vocabulary() -> None:
    record = thcs_record()
    record.years[1].conduct = TermTriple(hk1="Tốt", hk2="Giỏi", year="Tốt")
    assert only_code(record, "VOCABULARY") == ["years[1].conduct.hk2"]


def test_th_levels_per_regulation() -> None:
    record = th_record()
    record.years[0].subjects[0].level = "Hoàn thành tốt"  # TT30 (2014-15) has two levels only
    record.years[2].subjects[0].level = "Hoàn thành tốt"  # TT22/2016: fine
    assert only_code(record, "VOCABULARY") == ["years[0].subjects[0].level"]


def test_th_competency_and_quality_vocabulary() -> None:
    record = th_record()
    competencies, qualities = record.years[2].competencies, record.years[0].qualities
    assert competencies is not None and qualities is not None
    competencies[1].name = "Giao tiếp, hợp tác"  # the TT30 name on a TT22 page
    qualities[0].level = "Tốt"  # TT30 rates Đạt / Chưa đạt
    assert set(only_code(record, "VOCABULARY")) == {
        "years[2].competencies[1].name",
        "years[0].qualities[0].level",
    }


def test_th_test_scores() -> None:
    record = th_record()
    page = record.years[0]
    page.subjects[0].test_score = None  # Tiếng Việt has a periodic test
    page.subjects[1].test_score = 0  # 1-10 under TT30/TT22
    page.subjects[2].test_score = 8  # Đạo đức has no test
    found = check_record(record)
    by_code = {f.code: f for f in found}
    assert by_code["TEST_SCORE_MISSING"].field == "years[0].subjects[0].test_score"
    assert by_code["TEST_SCORE_MISSING"].severity == "warning"
    assert by_code["TEST_SCORE_RANGE"].field == "years[0].subjects[1].test_score"
    assert by_code["TEST_SCORE_UNEXPECTED"].field == "years[0].subjects[2].test_score"


def test_th_completion_line() -> None:
    record = th_record()
    record.years[1].decision = "Hoàn thành chương trình tiểu học"  # grade 2
    record.years[2].subjects[3].level = "Chưa hoàn thành"
    assert only_code(record, "DECISION_INCONSISTENT") == ["years[1].decision", "years[2].decision"]


def test_thcs_page_rejects_primary_fields_and_vice_versa() -> None:
    record = thcs_record()
    record.years[0].subjects[0].test_score = 9
    assert ("years[0].subjects[0]", "ASSESSMENT_KIND") in codes(record)
    primary = th_record()
    primary.years[0].subjects[0].hk1 = 7.0
    assert ("years[0].subjects[0]", "ASSESSMENT_KIND") in codes(primary)


# --- subject set, header, sequence, age ---------------------------------------------------------


def test_subject_not_in_grade_unknown_duplicate_missing() -> None:
    record = thcs_record()
    subjects = record.years[0].subjects
    subjects.append(SubjectResult(name="Hóa học", hk1=8.0, hk2=8.0, year=8.0))  # grade 6
    subjects.append(SubjectResult(name="Khoa học tự nhiên", hk1=8.0, hk2=8.0, year=8.0))
    subjects.append(SubjectResult(name="Toán", hk1=8.5, hk2=9.0, year=8.8))
    del subjects[1]  # Vật lí
    found = codes(record)
    assert ("years[0].subjects[11].name", "SUBJECT_NOT_IN_GRADE") in found
    assert ("years[0].subjects[12].name", "SUBJECT_UNKNOWN") in found
    assert ("years[0].subjects[13].name", "SUBJECT_DUPLICATE") in found
    assert ("years[0].subjects", "SUBJECT_MISSING") in found


def test_grade_eight_may_have_chemistry() -> None:
    record = thcs_record()
    scores = {"Hóa học": (8.0, 8.0), **THCS_SCORES}
    record.years = [thcs_page(2, 2016, 8, scores), thcs_page(3, 2017, 9, scores)]
    assert check_record(record) == []


def test_class_name_must_start_with_grade() -> None:
    record = thcs_record()
    record.years[0].class_name = "7A1"
    assert only_code(record, "CLASS_GRADE_MISMATCH") == ["years[0].class_name"]
    record.years[0].class_name = "A1"
    assert only_code(record, "CLASS_GRADE_MISMATCH") == ["years[0].class_name"]


def test_regulation_must_match_year_and_grade() -> None:
    record = thcs_record()
    record.years[0].regulation = "TT58+TT26"
    assert only_code(record, "REGULATION_MISMATCH") == ["years[0].regulation"]
    late = thcs_record()
    scores = {"Hóa học": (8.0, 8.0), **THCS_SCORES}
    late.years = [thcs_page(2, 2020, 8, scores), thcs_page(3, 2021, 9, scores)]  # TT26 years
    late.student.date_of_birth = "2009-01-01"
    late.student.personal_id = None
    assert check_record(late) == []


def test_school_year_format_and_sequence() -> None:
    record = thcs_record()
    record.years[1].school_year = "2016-2017"  # skips a year
    assert ("years[1].school_year", "YEAR_SEQUENCE") in codes(record)
    record.years[1].school_year = "2015-2017"
    assert ("years[1].school_year", "YEAR_SEQUENCE") in codes(record)


def test_repeat_only_after_stay_down_decision() -> None:
    record = thcs_record()
    record.years[1] = thcs_page(3, 2015, 6)
    assert only_code(record, "YEAR_SEQUENCE") == ["years[1].grade"]
    record.years[0].decision = "Ở lại lớp"
    record.years[0].academic = TermTriple(hk1="Giỏi", hk2="Giỏi", year="Kém")
    found = codes(record)
    assert ("years[1].grade", "YEAR_SEQUENCE") not in found
    record.years[1] = thcs_page(3, 2015, 7)  # promoted although the decision was ở lại
    assert ("years[1].grade", "YEAR_SEQUENCE") in codes(record)


def test_primary_repeat_after_not_completed() -> None:
    record = th_record()
    record.years = [th_page(2, 2014, 1), th_page(3, 2015, 1)]
    assert only_code(record, "YEAR_SEQUENCE") == ["years[1].grade"]
    record.years[0].decision = "Chưa hoàn thành chương trình lớp học"
    record.years[0].subjects[0].level = "Chưa hoàn thành"
    assert only_code(record, "YEAR_SEQUENCE") == []


def test_age_grade_warning() -> None:
    record = thcs_record()
    record.student.date_of_birth = "2000-05-10"  # 14 in grade 6: 3 years late
    record.student.personal_id = None
    findings = [f for f in check_record(record) if f.code == "AGE_GRADE"]
    assert [f.field for f in findings] == ["years[0].grade", "years[1].grade"]
    assert {f.severity for f in findings} == {"warning"}
    record.student.date_of_birth = "2001-05-10"  # 13: within ±2
    assert only_code(record, "AGE_GRADE") == []


def test_missing_identity_fields_and_no_pages() -> None:
    record = th_record()
    record.student.full_name = None
    record.student.date_of_birth = None
    record.years = []
    assert codes(record) == {
        ("student.full_name", "MISSING_FIELD"),
        ("student.date_of_birth", "MISSING_FIELD"),
        ("years", "NO_YEAR_PAGES"),
    }


def test_printed_id_structure_checked() -> None:
    record = thcs_record()
    record.student.personal_id = "038303001234"  # G=3: female
    assert only_code(record, "ID_GENDER_MISMATCH") == ["student.personal_id"]


@pytest.mark.parametrize(
    ("field", "value", "flagged"),
    [
        ("full_name", "Lê", True),  # p4: the given names lost, the surname read alone
        ("mother_name", "Lê Thị Hoa", False),
        ("father_name", "Y Bhin", False),  # an Ê Đê name: two words are enough
    ],
)
def test_a_one_word_name_is_incomplete(field: str, value: str, flagged: bool) -> None:
    record = thcs_record()
    setattr(record.student, field, value)
    assert (("student." + field, "NAME_INCOMPLETE") in codes(record)) == flagged
