"""Address unit names against the registry's (validation/places.py)."""

from __future__ import annotations

import pytest

from domain.record import Student
from tests.validation import thcs_record
from validation.places import (
    PLACE_MATCHES_REGISTRY,
    known_places,
    place_findings,
    settle_split_places,
    settle_stroke_twins,
    unit_names,
    units,
)
from validation.report import Finding

KNOWN = known_places(["Nghi Lộc", "Đô Lương", "Đắk Mil", "Phú Ninh", "Phù Ninh", "Xuân Phú", "5"])


def test_unit_names_are_the_administrative_units_of_an_address() -> None:
    address = "Thôn Hạ, xã Tiên Phong, huyện Trùng Khánh, TP. Hồ Chí Minh"
    assert unit_names(address) == ["Hạ", "Tiên Phong", "Trùng Khánh", "Hồ Chí Minh"]
    assert unit_names("Bệnh viện Từ Dũ") == [] and unit_names(None) == []
    assert unit_names("Xã  Nghi   Lâm,, tỉnh") == ["Nghi Lâm"]  # spaces folded, empty unit
    assert units("Xa Nghi Lâm, Thị xã Sơn Tây") == [("Xa", "Nghi Lâm"), ("Thị xã", "Sơn Tây")]
    assert units("Số 12 đường Lê Lợi, Tô Hiến Thành") == []  # streets; an unmarked «Tổ» is a name
    # a hamlet word that lost its marks is still one before a number
    assert units("Thon 3, To 12A, Khu pho 4") == [("Thon", "3"), ("To", "12A"), ("Khu pho", "4")]


@pytest.mark.parametrize(
    ("name", "near"),
    [
        ("Nghỉ Lộc", "Nghi Lộc"),  # a tone mark added by OCR
        ("Đắk MII", "Đắk Mil"),  # a letter misread
        ("Nghê An", "Nghệ An"),  # provinces are always known
        ("Xuan Phu", "Xuân Phú"),  # every mark lost
        ("Phủ Ninh", "Phù Ninh"),  # near two known names: still doubted (the first cited)
        ("nghi lộc", None),  # known, whatever the case
        ("Thanh Xuân", None),  # far from every known name: not judged
        ("15", None),  # numbered units are not judged
        ("Đô", None),  # too short for a slip to mean anything
    ],
)
def test_an_unknown_name_one_slip_from_a_known_one_is_doubted(name: str, near: str | None) -> None:
    assert KNOWN.near(name) == near


def test_each_near_unit_of_birthplace_and_residence_is_a_finding() -> None:
    record = thcs_record()
    record.student.place_of_birth = "Xã Thanh Xuân, huyện Nghỉ Lộc, tỉnh Nghệ An"
    record.student.residence = "Thôn Hạ, xã Xuân Phú, huyện Đắk MII, tỉnh Đắk Nông"
    findings = list(place_findings(record, KNOWN))
    assert [(f.field, f.code, f.severity) for f in findings] == [
        ("student.place_of_birth", "PLACE_NAME_NEAR_KNOWN", "error"),
        ("student.residence", "PLACE_NAME_NEAR_KNOWN", "error"),
    ]
    assert "«Nghỉ Lộc»" in findings[0].message and "«Nghi Lộc»" in findings[0].message
    record.student.place_of_birth = "Xa Xuân Phú, huyện Nghi Lộc, tỉnh Nghệ An"
    record.student.residence = "Thôn 2, xã Xuân Phú, huyện Đắk Mil, tỉnh Đắk Nông"
    findings = list(place_findings(record, KNOWN))
    assert [f.field for f in findings] == ["student.place_of_birth"]  # the unit lost its marks
    assert "«Xa»" in findings[0].message and "«xã»" in findings[0].message


def test_a_hamlet_word_that_lost_its_marks_is_a_finding() -> None:
    record = thcs_record()
    record.student.place_of_birth = "Xã Xuân Phú, huyện Nghi Lộc, tỉnh Nghệ An"
    record.student.residence = "Thon 5, xã Xuân Phú, huyện Đô Lương, tỉnh Nghệ An"
    findings = list(place_findings(record, KNOWN))
    assert [(f.field, f.code) for f in findings] == [("student.residence", "PLACE_NAME_NEAR_KNOWN")]
    assert "«Thon»" in findings[0].message and "«thôn»" in findings[0].message
    record.student.residence = "Thôn 5, xã Xuân Phú, huyện Đô Lương, tỉnh Nghệ An"
    assert list(place_findings(record, KNOWN)) == []


BIRTH = "student.place_of_birth"
NGHI = "Xã Xuân Phú, huyện Nghi Lộc, tỉnh Nghệ An"
NGHI_MARKED = "Xã Xuân Phú, huyện Nghỉ Lộc, tỉnh Nghệ An"


def settle_birthplace(value: str, reads: list[str], codes: tuple[str, ...] = ("READS_DISAGREE",)):
    findings = [Finding("d1", BIRTH, code, "…", "error", "ocr") for code in codes]
    return settle_split_places("d1", Student(place_of_birth=value), KNOWN, {BIRTH: reads}, findings)


def test_the_one_read_made_of_known_places_settles_a_split_address() -> None:
    student, findings = settle_birthplace(NGHI_MARKED, [NGHI_MARKED, NGHI, NGHI_MARKED])
    assert student.place_of_birth == NGHI
    assert [(f.field, f.code, f.severity) for f in findings] == [
        (BIRTH, PLACE_MATCHES_REGISTRY, "info")
    ]


@pytest.mark.parametrize(
    ("reads", "codes"),
    [
        ([NGHI_MARKED, "Xã Xuân Phú, huyện Nghĩ Lộc, tỉnh Nghệ An"], ("READS_DISAGREE",)),  # none
        ([NGHI, "Xã Xuân Phú, huyện Đô Lương, tỉnh Nghệ An"], ("READS_DISAGREE",)),  # two
        ([NGHI_MARKED, NGHI], ("READS_DISAGREE", "FOREIGN_LETTERS")),  # another doubt
        ([NGHI_MARKED, NGHI], ("PLACE_NAME_NEAR_KNOWN",)),  # not a split
        (["Thôn 5, " + NGHI, "Thôn 6, " + NGHI_MARKED], ("READS_DISAGREE",)),  # other digits
        (["Số 12 " + NGHI, "Số 12 " + NGHI_MARKED], ("READS_DISAGREE",)),  # a part not a unit
    ],
)
def test_an_address_the_place_names_cannot_tell_stays_split(
    reads: list[str], codes: tuple[str, ...]
) -> None:
    student, findings = settle_birthplace(reads[0], reads, codes)
    assert student.place_of_birth == reads[0]
    assert sorted(f.code for f in findings) == sorted(codes)


def test_a_split_address_settles_on_the_read_known_once_upright_strokes_are_one() -> None:
    """Every read has «Đắk MII»; one read has the commune right: that read, with «Đắk Mil»."""
    reads = [f"Xã Xuân {commune}, huyện Đắk MII, tỉnh Đắk Nông" for commune in ("Phủ", "Phú")]
    student, findings = settle_birthplace(reads[0], reads, ("READS_DISAGREE",))
    assert student.place_of_birth == "Xã Xuân Phú, huyện Đắk Mil, tỉnh Đắk Nông"
    assert [(f.code, f.severity) for f in findings] == [(PLACE_MATCHES_REGISTRY, "info")]
    assert "nét sổ đứng" in findings[0].message
    _, plain = settle_birthplace(NGHI_MARKED, [NGHI_MARKED, NGHI])
    assert "nét sổ đứng" not in plain[0].message  # a read as it was: no stroke taken


def test_a_place_name_read_with_another_upright_stroke_takes_the_known_spelling() -> None:
    """«Mil» printed in a sans face reads «MII» in every read: only the list tells them apart."""
    pupil = Student(place_of_birth="Xã Đức Mạnh, huyện Đắk MII, tỉnh Đắk Nông", residence=NGHI)
    student, findings = settle_stroke_twins("d1", pupil, KNOWN, [])
    assert student.place_of_birth == "Xã Đức Mạnh, huyện Đắk Mil, tỉnh Đắk Nông"
    assert student.residence == NGHI
    assert [(f.field, f.code, f.severity) for f in findings] == [
        (BIRTH, PLACE_MATCHES_REGISTRY, "info")
    ]
    assert list(place_findings(thcs_record().model_copy(update={"student": student}), KNOWN)) == []
    spaced = Student(place_of_birth="huyện  Đắk   MII")  # spacing as printed is folded
    assert settle_stroke_twins("d1", spaced, KNOWN, [])[0].place_of_birth == "huyện Đắk Mil"


@pytest.mark.parametrize(
    ("address", "doubts"),
    [
        ("Xã Đức Mạnh, huyện Đắk MII, tỉnh Đắk Nông", ("READS_DISAGREE",)),  # another doubt
        ("Xã Đức Mạnh, huyện Đắk Mi1, tỉnh Đắk Nông", ()),  # a digit is not a stroke here
        ("Xã Đức Mạnh, huyện Đắk Mel, tỉnh Đắk Nông", ()),  # another letter: a slip, doubted
    ],
)
def test_only_a_strokes_twin_with_no_other_doubt_is_settled(
    address: str, doubts: tuple[str, ...]
) -> None:
    found = [Finding("d1", BIRTH, code, "x", "error", "ocr") for code in doubts]
    student, findings = settle_stroke_twins("d1", Student(place_of_birth=address), KNOWN, found)
    assert student.place_of_birth == address and findings == found


def test_a_stroke_twin_must_be_the_only_one() -> None:
    twins = known_places(["Ia Lâm", "la Lâm"])  # hypothetical: two names one stroke apart
    assert twins.stroke_twin("|a Lâm") is None and known_places(["Ia Lâm"]).stroke_twin("|a Lâm")
    assert KNOWN.stroke_twin("Đắk Mil") is None  # known already
    assert KNOWN.stroke_twin("ĐẮK MII") == "Đắk Mil"
