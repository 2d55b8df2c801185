"""Era rules added for issue 4: học lực boundaries and khoản 6 readings, age, TH test score vs
level, severities of the hard TT58 rules, and the year-average formula against digit slips."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.record import SubjectResult
from tests.validation import th_record, thcs_record
from validation.rules import academic_rank, check_record, key_subjects, year_average

D = Decimal
KEYS = key_subjects("TT58")


def rank(avg: str, scores: dict[str, str], marks: tuple[str, ...] = ("Đ",)) -> str:
    return academic_rank(D(avg), {k: D(v) for k, v in scores.items()}, list(marks), KEYS)


# --- each học lực boundary: key subject minimum and every-subject floor -------------------------


@pytest.mark.parametrize(
    ("key", "expected"),
    [("8.0", "Giỏi"), ("7.9", "Khá"), ("6.5", "Khá"), ("6.4", "Trung bình")],
)
def test_key_subject_boundaries(key: str, expected: str) -> None:
    # the average alone would allow Giỏi; the best of Toán / Ngữ văn decides
    assert rank("8.5", {"Toán": key, "Ngữ văn": key, "Vật lí": "9.9"}) == expected


@pytest.mark.parametrize(
    ("avg", "floor", "low", "expected_at", "expected_below"),
    [
        ("8.5", "6.5", "6.4", "Giỏi", "Khá"),  # Giỏi: no subject under 6.5
        ("7.0", "5.0", "4.9", "Khá", "Trung bình"),  # Khá: no subject under 5.0
        ("5.5", "3.5", "3.4", "Trung bình", "Yếu"),  # TB: no subject under 3.5
    ],
)
def test_every_subject_floor_boundaries(
    avg: str, floor: str, low: str, expected_at: str, expected_below: str
) -> None:
    base = {"Toán": "9.0", "Ngữ văn": "9.0"}
    assert rank(avg, {**base, "Vật lí": floor}) == expected_at
    # one subject one tenth under the floor lowers the rank by one level: khoản 6 does not
    # apply (it only lifts ranks pulled down two levels or more)
    assert rank(avg, {**base, "Vật lí": low}) == expected_below


def test_comment_subject_cd_blocks_tb_and_above() -> None:
    assert rank("5.5", {"Toán": "6.0", "Ngữ văn": "6.0"}, ("Đ", "CĐ")) == "Yếu"


def test_tt26_key_subject_change_on_a_page() -> None:
    # Ngoại ngữ is the only key subject at 8.0: Giỏi from 2020-21 (TT26), Khá before
    record = thcs_record()
    page = record.years[0]
    for subject in page.subjects:
        if subject.name in ("Toán", "Ngữ văn"):
            subject.hk1 = 7.5
    tt58 = [f for f in check_record(record) if f.code == "ACADEMIC_MISMATCH"]
    assert "years[0].academic.hk1" in [f.field for f in tt58]
    assert key_subjects("TT58+TT26") == ("Toán", "Ngữ văn", "Ngoại ngữ")
    assert academic_rank(
        D("8.4"), {"Toán": D("7.5"), "Ngữ văn": D("7.5"), "Ngoại ngữ": D("9.0")}, ["Đ"],
        key_subjects("TT58+TT26"),
    ) == "Giỏi"  # fmt: skip


# --- khoản 6: the canonical reading passes, the others are flagged, never passed -------------


def test_single_cd_canonical_reading_passes_other_is_flagged() -> None:
    record = thcs_record()
    record.years[0].subjects[-1].hk1 = "CĐ"  # Giỏi average + one CĐ comment subject
    academic = record.years[0].academic
    assert academic is not None
    academic.hk1 = "Trung bình"  # Giỏi pulled to Yếu by one subject -> adjusted to TB
    assert _codes_at(record, "years[0].academic.hk1") == []
    academic.hk1 = "Yếu"  # the reading where a CĐ is not adjustable
    (finding,) = [f for f in check_record(record) if f.field == "years[0].academic.hk1"]
    assert finding.code == "ACADEMIC_RULE_UNCERTAIN" and finding.severity == "warning"
    assert "khoản 6" in finding.message and "'Trung bình'" in finding.message
    academic.hk1 = "Khá"  # no reading gives Khá
    assert _codes_at(record, "years[0].academic.hk1") == ["ACADEMIC_MISMATCH"]


def test_adjustment_each_mapping() -> None:
    good_keys = {"Toán": "9.0", "Ngữ văn": "9.0"}
    assert rank("8.2", {**good_keys, "Vật lí": "4.0"}) == "Khá"  # Giỏi -> (TB) -> Khá
    assert rank("8.2", {**good_keys, "Vật lí": "3.0"}) == "Trung bình"  # Giỏi -> (Yếu) -> TB
    assert rank("7.0", {"Toán": "7.0", "Ngữ văn": "7.0", "Vật lí": "3.0"}) == "Trung bình"
    assert rank("7.0", {"Toán": "7.0", "Ngữ văn": "7.0", "Vật lí": "1.5"}) == "Yếu"


# --- hard rules are errors; age; primary test score vs level ---------------------------------


def test_age_three_years_too_young_is_an_error() -> None:
    record = thcs_record()
    record.student.personal_id = None
    record.student.date_of_birth = "2006-05-10"  # 8 in grade 6: a misread year
    found = [f for f in check_record(record) if f.code == "AGE_IMPOSSIBLE"]
    assert {f.field for f in found} == {"student.date_of_birth"}
    assert {f.severity for f in found} == {"error"}
    record.student.date_of_birth = "2005-05-10"  # 9 in grade 6: two years ahead, allowed
    assert _codes(record, "AGE_IMPOSSIBLE") == _codes(record, "AGE_GRADE") == []
    record.student.date_of_birth = "1999-05-10"  # 15 in grade 6: late, a warning only
    assert _codes(record, "AGE_IMPOSSIBLE") == []
    assert {f.severity for f in check_record(record) if f.code == "AGE_GRADE"} == {"warning"}


@pytest.mark.parametrize(
    ("level", "score", "flagged"),
    [
        ("Hoàn thành", 5, False),
        ("Hoàn thành", 4, True),
        ("Hoàn thành tốt", 1, True),
        ("Chưa hoàn thành", 6, False),
        ("Chưa hoàn thành", 7, True),
    ],
)
def test_th_test_score_against_level(level: str, score: int, flagged: bool) -> None:
    record = th_record()
    page = record.years[2]  # a TT22-2016 page: three levels
    subject = page.subjects[1]
    page.subjects[1] = SubjectResult(name=subject.name, level=level, test_score=score)
    found = _codes(record, "TEST_SCORE_LEVEL")
    assert found == (["years[2].subjects[1].test_score"] if flagged else [])


# --- the year average formula (property tests) -------------------------------------------------

tenths = st.integers(min_value=0, max_value=100)


@settings(max_examples=200, deadline=None)
@given(tenths, tenths)
def test_year_average_is_within_one_twentieth_of_the_exact_mean(h1: int, h2: int) -> None:
    hk1, hk2 = D(h1) / 10, D(h2) / 10
    exact = (hk1 + 2 * hk2) / 3
    got = year_average(hk1, hk2)
    assert got == got.quantize(D("0.1")) and abs(got - exact) <= D("0.05")
    assert min(hk1, hk2) <= got <= max(hk1, hk2)


# the smallest change of each value that the formula must catch: the printed year average is
# within 0.05 of the exact mean, which may move by 0.1 at most before a slip shows
SMALLEST_CAUGHT = {"hk1": 5, "hk2": 3, "year": 2}  # tenths


@settings(max_examples=80, deadline=None)
@given(
    st.integers(min_value=0, max_value=100),
    st.integers(min_value=0, max_value=100),
    st.sampled_from(["hk1", "hk2", "year"]),
    st.integers(min_value=0, max_value=95),
    st.sampled_from([1, -1]),
)
def test_a_slip_of_half_a_point_is_always_caught(
    h1: int, h2: int, term: str, extra: int, sign: int
) -> None:
    """Digit slips 1/7, 4/9, 3/8 move a value by 0.5 or more (the units digit by 1 or more)."""
    record = thcs_record()
    subject = record.years[0].subjects[0]
    subject.hk1, subject.hk2 = h1 / 10, h2 / 10
    subject.year = float(year_average(D(h1) / 10, D(h2) / 10))
    assert _codes(record, "YEAR_AVG_MISMATCH") == []
    tenths = round(getattr(subject, term) * 10)
    delta = SMALLEST_CAUGHT[term] + extra
    moved = tenths + sign * delta if 0 <= tenths + sign * delta <= 100 else tenths - sign * delta
    if not 0 <= moved <= 100:
        return  # no slip of that size fits in 0-10
    setattr(subject, term, moved / 10)
    assert _codes(record, "YEAR_AVG_MISMATCH") == ["years[0].subjects[0].year"]


def test_a_slip_just_under_the_bound_can_pass() -> None:
    # the tolerance is real: HK I 8.5 -> 8.7 moves the exact mean to 8.9, 0.1 from 8.8
    record = thcs_record()
    subject = record.years[0].subjects[0]  # Toán 8.5, 9.0 -> 8.8 (exact 8.83)
    subject.hk1 = 8.7
    assert _codes(record, "YEAR_AVG_MISMATCH") == []
    subject.hk1 = 9.0
    assert _codes(record, "YEAR_AVG_MISMATCH") == ["years[0].subjects[0].year"]


def _codes(record: object, code: str) -> list[str]:
    return [f.field for f in check_record(record) if f.code == code]  # type: ignore[arg-type]


def _codes_at(record: object, field: str) -> list[str]:
    return [f.code for f in check_record(record) if f.field == field]  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("award", "doubted"),
    [
        ("Học sinh có thành tích vượt trội trong học tập và rèn tuyện", True),  # every read
        ("Học sinh Gioi", True),  # marks lost
        ("Học sinh có thành tích vượt trội trong học tập và rèn luyện.", False),  # the phrase
        ("HỌC SINH XUẤT SẮC", False),  # case apart
        ("Học sinh giỏi cấp huyện môn Toán", False),  # a school's own award: not judged
        ("Giấy khen", False),
    ],
)
def test_a_primary_award_a_few_glyphs_from_a_circulars_phrase_is_doubted(
    award: str, doubted: bool
) -> None:
    record = th_record()
    record.years[0].awards = award
    codes = [f.code for f in check_record(record) if f.field == "years[0].awards"]
    assert codes == (["AWARD_NEAR_KNOWN"] if doubted else [])
