"""The synthetic booklet content: determinism, contract validity, and the era rules it obeys.

The rule checks here are written independently of synth/content.py (integer tenths instead of
Decimal, rule tables instead of loops) so that a mistake in one is caught by the other.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections import Counter
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator, FormatChecker

from domain.record import TranscriptRecord, YearPage
from domain.text import clean, title_case_name
from domain.vocab import (
    COMPETENCIES_TT22,
    COMPETENCIES_TT30,
    QUALITIES,
    regulation_for,
    subject_by_name,
    subjects_for,
)
from synth.content import academic_rank, make_booklet, make_records

SCHEMA_CANDIDATES = (
    Path(__file__).resolve().parents[2] / "contract" / "transcript.schema.json",
    Path("/work/shared/contract/transcript.schema.json"),
)
# TT07/2016 Phụ lục 1, copied from domain.md §3 (independent of synth/people.py)
PROVINCE_CODES = set(
    re.findall(
        r"\d{3}",
        "001 002 004 006 008 010 011 012 014 015 017 019 020 022 024 025 026 027 030 031 033 034 "
        "035 036 037 038 040 042 044 045 046 048 049 051 052 054 056 058 060 062 064 066 067 068 "
        "070 072 074 075 077 079 080 082 083 084 086 087 089 091 092 093 094 095 096",
    )
)
HELD_BACK = {"Ở lại lớp", "Chưa hoàn thành chương trình lớp học"}
WINDOW = {"THCS-2011": (2011, 2021), "TH-2014": (2014, 2023)}


@pytest.fixture(scope="module")
def records() -> list[TranscriptRecord]:
    """200 booklets from four seeds."""
    return [record for seed in (1, 2, 3, 4) for record in make_records(seed, 50)]


@pytest.fixture(scope="module")
def many() -> list[TranscriptRecord]:
    """A larger sample for the rarer careers (repeats, transfers, retests)."""
    return make_records(11, 800)


def thcs_pages(records: list[TranscriptRecord]) -> Iterator[YearPage]:
    for record in records:
        if record.family == "THCS-2011":
            yield from record.years


def th_pages(records: list[TranscriptRecord]) -> Iterator[YearPage]:
    for record in records:
        if record.family == "TH-2014":
            yield from record.years


def tenths(value: Any) -> int:
    return round(float(value) * 10)


# --- determinism and contract -------------------------------------------------------------


def test_same_seed_gives_same_records_and_other_seeds_differ() -> None:
    first = [r.to_contract() for r in make_records(7, 12)]
    assert first == [r.to_contract() for r in make_records(7, 12)]
    assert first != [r.to_contract() for r in make_records(8, 12)]
    assert make_records(7, 3)[2].to_contract() == first[2]  # independent of the batch size
    assert [r.document_id for r in make_records(7, 2)] == ["hb-7-00000", "hb-7-00001"]


def test_every_record_validates_against_the_contract_schema(
    records: list[TranscriptRecord],
) -> None:
    path = next((p for p in SCHEMA_CANDIDATES if p.exists()), None)
    if path is None:
        pytest.fail(f"contract schema not found in {SCHEMA_CANDIDATES}")
    validator = Draft202012Validator(json.loads(path.read_text()), format_checker=FormatChecker())
    for record in records:
        doc = json.loads(json.dumps(record.to_contract(), ensure_ascii=False))
        errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(doc)]
        assert errors == [], record.document_id
        assert TranscriptRecord.from_contract(doc) == record


def test_both_families_about_half_and_half(many: list[TranscriptRecord]) -> None:
    share = sum(r.family == "THCS-2011" for r in many) / len(many)
    assert 0.4 < share < 0.6


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def is_new_tone_style(word: str) -> bool:
    """Tone on the last vowel of a final "oa/oe/uy" ("hoà", "thuỷ"): not the canonical style."""
    letters: list[str] = []
    for char in unicodedata.normalize("NFD", word.lower()):
        if unicodedata.combining(char) and letters:
            letters[-1] += char
        else:
            letters.append(char)
    base = "".join(letter[0] for letter in letters)
    if base[-2:] not in ("oa", "oe", "uy") or base[-3:-2] == "q":
        return False
    return any(tone in letters[-1] for tone in "\u0300\u0301\u0303\u0309\u0323")


def test_all_text_is_nfc_single_spaced_and_old_tone_style(records: list[TranscriptRecord]) -> None:
    assert is_new_tone_style("Hoà") and not is_new_tone_style("Hòa")
    assert not is_new_tone_style("Thủy") and not is_new_tone_style("quý")
    for record in records:
        for text in _strings(record.to_contract()):
            assert clean(text) == text, text
            assert not any(is_new_tone_style(w) for w in re.split(r"[\s,.]+", text)), text


def test_ground_truth_is_linked_and_approved(records: list[TranscriptRecord]) -> None:
    for record in records:
        assert record.identity_link.status == "linked"
        assert record.review.status == "auto_approved" and record.review.flags == []
        assert record.source.page_count == 1 + len(record.years)
        assert [y.page for y in record.years] == list(range(2, 2 + len(record.years)))


# --- identity page ----------------------------------------------------------------------------


PLACE = re.compile(r"^(Xã|Phường) [^,]+, (huyện|quận) [^,]+, (tỉnh|thành phố) [^,]+$")


def test_student_identity_fields(records: list[TranscriptRecord]) -> None:
    ethnicities = Counter(r.student.ethnicity for r in records)
    assert ethnicities.most_common(1)[0][0] == "Kinh" and len(ethnicities) > 2
    for record in records:
        student = record.student
        assert student.gender in ("Nam", "Nữ")
        assert student.full_name and title_case_name(student.full_name) == student.full_name
        assert 2 <= len(student.full_name.split()) <= 6
        assert student.place_of_birth and PLACE.match(student.place_of_birth), student
        assert student.nationality in ("Việt Nam", None)
        assert student.residence
    blank_fathers = sum(r.student.father_name is None for r in records) / len(records)
    assert 0.02 < blank_fathers < 0.2


def test_personal_id_structure(many: list[TranscriptRecord]) -> None:
    from synth.people import PROVINCES  # only to map a printed province name to its code

    code_of = {p.full: p.code for p in PROVINCES}
    printed = same_province = 0
    for record in many:
        pid = record.identity_link.personal_id or ""
        dob = record.student.date_of_birth or ""
        assert re.fullmatch(r"\d{12}", pid)
        assert pid[:3] in PROVINCE_CODES
        century = {"19": (0, 1), "20": (2, 3)}[dob[:2]]
        assert int(pid[3]) == century[0 if record.student.gender == "Nam" else 1]
        assert pid[4:6] == dob[2:4]
        if record.student.personal_id is not None:
            printed += 1
            assert record.student.personal_id == pid
        birth_province = (record.student.place_of_birth or "").split(", ")[-1]
        same_province += code_of[birth_province] == pid[:3]
    assert 0.2 < printed / len(many) < 0.4
    assert same_province / len(many) > 0.7
    assert len({r.identity_link.personal_id for r in many}) == len(many)


# --- careers and ages -----------------------------------------------------------------------


def test_careers_are_consecutive_and_inside_the_era(many: list[TranscriptRecord]) -> None:
    repeats = transfers = 0
    for record in many:
        years = record.years
        starts = [int((y.school_year or "")[:4]) for y in years]
        assert all(y.school_year == f"{s}-{s + 1}" for y, s in zip(years, starts, strict=True))
        assert starts == list(range(starts[0], starts[0] + len(years)))
        low, high = WINDOW[record.family]
        assert low <= starts[0] and starts[-1] <= high
        for before, after in zip(years, years[1:], strict=False):
            step = (after.grade or 0) - (before.grade or 0)
            assert step == (0 if before.decision in HELD_BACK else 1), record.document_id
        for page in years:
            assert page.regulation is not None
            assert page.regulation == regulation_for(record.family, page.school_year, page.grade)
            assert (page.class_name or "").startswith(str(page.grade))
            assert (page.class_name or "")[len(str(page.grade)) :][:1].isalpha()
        repeats += any(y.decision in HELD_BACK for y in years)
        full = {"THCS-2011": [6, 7, 8, 9], "TH-2014": [1, 2, 3, 4, 5]}[record.family]
        transfers += sorted({y.grade for y in years}) != full
        assert years[-1].decision not in HELD_BACK
    assert 0.02 < repeats / len(many) < 0.09
    assert 0.02 < transfers / len(many) < 0.09


def test_age_matches_the_first_grade(many: list[TranscriptRecord]) -> None:
    late = 0
    for record in many:
        first = record.years[0]
        expected = int((first.school_year or "")[:4]) - (first.grade or 0) - 5
        born = int((record.student.date_of_birth or "")[:4])
        assert born in (expected, expected - 1)
        late += born != expected
    assert late / len(many) < 0.08


# --- THCS-2011 rules --------------------------------------------------------------------------


def expected_year_tenths(hk1: int, hk2: int) -> int:
    """round half up of (hk1 + 2·hk2)/3, in integer tenths."""
    return (2 * (hk1 + 2 * hk2) + 3) // 6


def expected_mean_tenths(values: list[int]) -> int:
    return (2 * sum(values) + len(values)) // (2 * len(values))


def test_year_averages_and_subject_sets(records: list[TranscriptRecord]) -> None:
    for page in thcs_pages(records):
        names = [s.name for s in page.subjects]
        required = [s.name for s in subjects_for("THCS-2011", page.grade or 0) if not s.optional]
        assert set(required) <= set(names) and len(set(names)) == len(names)
        for row in page.subjects:
            spec = subject_by_name("THCS-2011", row.name)
            assert spec is not None and (page.grade or 0) in spec.grades
            if spec.assessed_by == "comment":
                assert {row.hk1, row.hk2, row.year} <= {"Đ", "CĐ"} and row.retest is None
                continue
            for value in (row.hk1, row.hk2, row.year):
                assert isinstance(value, float) and 0 <= value <= 10
                assert Decimal(str(value)) == Decimal(str(value)).quantize(Decimal("0.1"))
            assert tenths(row.year) == expected_year_tenths(tenths(row.hk1), tenths(row.hk2))
        assert page.average_all is not None
        for term in ("hk1", "hk2", "year"):
            values = [tenths(getattr(s, term)) for s in page.subjects if _scored(s, term)]
            assert tenths(getattr(page.average_all, term)) == expected_mean_tenths(values)


def _scored(row: Any, term: str) -> bool:
    return isinstance(getattr(row, term), float)


def expected_rank(
    average: int, scores: dict[str, int], comments_ok: bool, keys: set[str], adjust: bool = True
) -> str:
    """TT58 Điều 13 in integer tenths, khoản 6 as a table of (by average, given) -> adjusted."""
    best_key = max(v for k, v in scores.items() if k in keys)
    lowest = min(scores.values())
    table = [("Giỏi", 80, 65), ("Khá", 65, 50), ("Trung bình", 50, 35)]
    given = next(
        (
            name
            for name, need, floor in table
            if comments_ok and average >= need and best_key >= need and lowest >= floor
        ),
        "Yếu" if average >= 35 and lowest >= 20 else "Kém",
    )
    by_average = "Giỏi" if average >= 80 else "Khá" if average >= 65 else ""
    floor = {"Giỏi": 65, "Khá": 50}.get(by_average, 0)
    one_subject = sum(v < floor for v in scores.values()) == 1
    fixes = {
        "Giỏi": {"Trung bình": "Khá", "Yếu": "Trung bình"},
        "Khá": {"Yếu": "Trung bình", "Kém": "Yếu"},
    }
    if adjust and comments_ok and one_subject and given in fixes.get(by_average, {}):
        return fixes[by_average][given]
    return given


def test_hoc_luc_follows_tt58_with_key_subjects_by_era(records: list[TranscriptRecord]) -> None:
    seen = Counter()
    for page in thcs_pages(records):
        keys = {"Toán", "Ngữ văn"} | ({"Ngoại ngữ"} if page.regulation == "TT58+TT26" else set())
        for term in ("hk1", "hk2", "year"):
            scores = {s.name: tenths(getattr(s, term)) for s in page.subjects if _scored(s, term)}
            comments_ok = all(
                getattr(s, term) == "Đ" for s in page.subjects if not _scored(s, term)
            )
            average = tenths(getattr(page.average_all, term))
            rank = getattr(page.academic, term)
            assert rank == expected_rank(average, scores, comments_ok, keys), page
            seen[rank] += 1
            seen["adjusted"] += rank != expected_rank(average, scores, comments_ok, keys, False)
    assert {"Giỏi", "Khá", "Trung bình"} <= set(seen) and seen["adjusted"] > 0


@pytest.mark.parametrize(
    ("scores", "comments_ok", "keys", "expected"),
    [
        ({"Toán": "8.5", "Ngữ văn": "8.0", "Lịch sử": "8.0"}, True, ("Toán", "Ngữ văn"), "Giỏi"),
        # a comment subject CĐ caps the rank at Yếu, with no adjustment
        ({"Toán": "8.5", "Ngữ văn": "8.0", "Lịch sử": "8.0"}, False, ("Toán", "Ngữ văn"), "Yếu"),
        # average Giỏi, one subject 4.0 (rank TB) -> adjusted to Khá
        (
            {"Toán": "9.5", "Ngữ văn": "9.0", "Sử": "9.0", "Lí": "9.5", "Địa": "4.0"},
            True,
            ("Toán",),
            "Khá",
        ),
        # two subjects below 6.5: no adjustment
        (
            {"Toán": "9.9", "Ngữ văn": "9.9", "Sử": "6.0", "Địa": "6.2", "X": "9.9"},
            True,
            ("Toán",),
            "Khá",
        ),
        # average Khá, one subject 1.5 (Kém) -> Yếu
        (
            {"Toán": "8.5", "Ngữ văn": "8.5", "Sử": "8.5", "Lí": "8.5", "Địa": "1.5"},
            True,
            ("Toán",),
            "Yếu",
        ),
        # key subjects below 8.0 (Ngoại ngữ counts only from TT26)
        (
            {"Toán": "7.9", "Ngữ văn": "7.9", "Ngoại ngữ": "9.5", "Sử": "9.0"},
            True,
            ("Toán", "Ngữ văn"),
            "Khá",
        ),
        (
            {"Toán": "7.9", "Ngữ văn": "7.9", "Ngoại ngữ": "9.5", "Sử": "9.0"},
            True,
            ("Toán", "Ngữ văn", "Ngoại ngữ"),
            "Giỏi",
        ),
    ],
)
def test_academic_rank_cases(
    scores: dict[str, str], comments_ok: bool, keys: tuple[str, ...], expected: str
) -> None:
    values = {k: Decimal(v) for k, v in scores.items()}
    average = (sum(values.values(), Decimal(0)) / len(values)).quantize(Decimal("0.1"))
    assert academic_rank(average, values, comments_ok, keys) == expected


def test_promotion_awards_and_retests(many: list[TranscriptRecord]) -> None:
    decisions = Counter()
    for record in many:
        for page in record.years if record.family == "THCS-2011" else []:
            decisions[page.decision] += 1
            _check_thcs_decision(page)
    assert decisions["Được lên lớp sau kiểm tra lại"] > 0 and decisions["Ở lại lớp"] > 0


def _check_thcs_decision(page: YearPage) -> None:
    assert page.academic is not None and page.conduct is not None
    academic, conduct = page.academic.year, page.conduct.year
    absences = page.absences or 0
    retested = {s.name: s for s in page.subjects if s.retest is not None}
    passed = "Hoàn thành chương trình THCS" if page.grade == 9 else None
    if absences > 45 or academic == "Kém" or (academic == "Yếu" and conduct == "Yếu"):
        assert page.decision == "Ở lại lớp" and not retested
    elif academic == "Yếu":
        assert retested and page.decision in {
            "Ở lại lớp",
            passed or "Được lên lớp sau kiểm tra lại",
        }
        assert len(retested) <= 3
    elif conduct == "Yếu":
        assert page.decision == (passed or "Được lên lớp sau rèn luyện hè")
    else:
        assert page.decision == (passed or "Được lên lớp") and not retested
    award = {("Tốt", "Giỏi"): "Học sinh giỏi"}.get((conduct, academic))
    if award is None and conduct in ("Tốt", "Khá") and academic in ("Giỏi", "Khá"):
        award = "Học sinh tiên tiến"
    assert page.awards == (None if page.decision == "Ở lại lớp" else award)
    assert page.conduct and page.conduct.year == page.conduct.hk2
    assert page.competencies is None and page.qualities is None and page.homeroom_comment


# --- TH-2014 rules ----------------------------------------------------------------------------


def test_primary_pages_follow_tt30_and_tt22(many: list[TranscriptRecord]) -> None:
    levels_seen = Counter()
    for page in th_pages(many):
        tt22 = page.regulation == "TT22-2016"
        allowed = {"Hoàn thành tốt", "Hoàn thành", "Chưa hoàn thành"} - (
            set() if tt22 else {"Hoàn thành tốt"}
        )
        required = {s.name for s in subjects_for("TH-2014", page.grade or 0) if not s.optional}
        assert required <= {s.name for s in page.subjects}
        for row in page.subjects:
            spec = subject_by_name("TH-2014", row.name)
            assert spec is not None and (page.grade or 0) in spec.grades
            assert row.level in allowed and row.hk1 is row.hk2 is row.year is None
            if spec.assessed_by == "score":
                assert isinstance(row.test_score, int) and 1 <= row.test_score <= 10
            else:
                assert row.test_score is None
            levels_seen[row.level] += 1
        rated_levels = {"Tốt", "Đạt", "Cần cố gắng"} if tt22 else {"Đạt", "Chưa đạt"}
        names = COMPETENCIES_TT22 if tt22 else COMPETENCIES_TT30
        assert [c.name for c in page.competencies or []] == list(names)
        assert [q.name for q in page.qualities or []] == list(QUALITIES)
        assert {r.level for r in (page.competencies or []) + (page.qualities or [])} <= rated_levels
        complete = all(s.level != "Chưa hoàn thành" for s in page.subjects)
        if not complete:
            expected = "Chưa hoàn thành chương trình lớp học"
        elif page.grade == 5:
            expected = "Hoàn thành chương trình tiểu học"
        else:
            expected = "Hoàn thành chương trình lớp học"
        assert page.decision == expected
        assert page.conduct is page.academic is page.average_all is None
        assert page.absences is not None and page.absences >= 0
    assert set(levels_seen) == {"Hoàn thành tốt", "Hoàn thành", "Chưa hoàn thành"}


def test_make_booklet_uses_the_given_family_and_id() -> None:
    import random

    record = make_booklet(random.Random(3), "TH-2014", "doc-x")
    assert record.family == "TH-2014" and record.document_id == "doc-x"
    assert record.source.file == "doc-x" and record.source.sha256 == "0" * 64
    assert all((y.school_name or "").startswith("Trường Tiểu học") for y in record.years)
