"""A name whose first word is one slip from a surname (validation/rules.py, domain/surnames.py)."""

from __future__ import annotations

import pytest

from domain.surnames import fuller_surname
from tests.validation import thcs_record
from validation.rules import check_record


def _doubted(**names: str) -> list[str]:
    record = thcs_record()
    for field, value in names.items():
        setattr(record.student, field, value)
    return [f.field for f in check_record(record) if f.code == "SURNAME_NEAR_KNOWN"]


@pytest.mark.parametrize(
    "read",
    [
        "Nguyên Thị Trang",  # a tilde lost
        "RẦN PHÚC",  # a first capital lost, in capitals
        "Ý Toàn",  # «Lý» without its L: one mark from the Ê Đê «Y», still no surname
        "Lẻ Văn Nam",  # a mark added
    ],
)
def test_a_first_word_one_slip_from_a_surname_is_doubted(read: str) -> None:
    assert _doubted(father_name=read) == ["student.father_name"]


@pytest.mark.parametrize(
    "name",
    ["Nguyễn Thị Trang", "LÒ VĂN PỌM", "Y Bhim Niê", "H'Hen Niê", "Ksor H'Nhi", "Thạch Thị Sa"],
)
def test_surnames_and_names_far_from_any_are_left_alone(name: str) -> None:
    assert _doubted(full_name=name, mother_name=name) == []


@pytest.mark.parametrize(
    ("read", "fuller"),
    [
        ("Nguyên", "Nguyễn"),  # italic «ễ» read «ê»: the tilde over the hat lost
        ("NGUYÊN", "Nguyễn"),
        ("Pham", "Phạm"),
        ("Nguyễn", None),  # a surname
        ("Lẻ", None),  # a mark added, not lost: for the check above, not proposed
        ("Ha", None),  # «Hà» and «Hạ»: no one choice
        ("Ly", None),  # listed as it is
    ],
)
def test_a_surname_read_with_marks_lost_is_proposed_only_when_one_fits(
    read: str, fuller: str | None
) -> None:
    assert fuller_surname(read) == fuller


def _unlikely(ethnicity: str | None, **names: str) -> list[str]:
    record = thcs_record()
    record.student.ethnicity = ethnicity
    for field, value in names.items():
        setattr(record.student, field, value)
    return [f.field for f in check_record(record) if f.code == "NAME_WORD_UNLIKELY"]


@pytest.mark.parametrize("read", ["Nguyễn Hoàng Htếu", "NGUYỄN VĂN HOÀNG1", "Trần Thị Ngọc Lnh"])
def test_a_kinh_name_word_no_syllable_is_spelt_like_is_doubted(read: str) -> None:
    assert _unlikely("Kinh", father_name=read) == ["student.father_name"]


@pytest.mark.parametrize(
    ("ethnicity", "name"),
    [
        ("Kinh", "Nguyễn Thị Khuyến"),
        ("Kinh", "Ksor Văn Quỳnh"),  # a parent of another people: a known surname
        ("Ê Đê", "H'Hen Niê"),  # other peoples' names are not Vietnamese syllables
        (None, "Y Bhim Niê"),  # no ethnicity read: nothing to judge by
    ],
)
def test_names_that_are_syllables_or_of_other_peoples_are_left_alone(
    ethnicity: str | None, name: str
) -> None:
    assert _unlikely(ethnicity, full_name=name, mother_name=name) == []
