"""Address unit names against the registry's (validation/places.py)."""

from __future__ import annotations

import pytest

from tests.validation import thcs_record
from validation.places import known_places, place_findings, unit_names, units

KNOWN = known_places(["Nghi Lộc", "Đô Lương", "Đắk Mil", "Phú Ninh", "Phù Ninh", "Xuân Phú", "5"])


def test_unit_names_are_the_administrative_units_of_an_address() -> None:
    address = "Thôn Hạ, xã Tiên Phong, huyện Trùng Khánh, TP. Hồ Chí Minh"
    assert unit_names(address) == ["Hạ", "Tiên Phong", "Trùng Khánh", "Hồ Chí Minh"]
    assert unit_names("Bệnh viện Từ Dũ") == [] and unit_names(None) == []
    assert unit_names("Xã  Nghi   Lâm,, tỉnh") == ["Nghi Lâm"]  # spaces folded, empty unit
    assert units("Xa Nghi Lâm, Thị xã Sơn Tây") == [("Xa", "Nghi Lâm"), ("Thị xã", "Sơn Tây")]
    assert units("Số 12 đường Lê Lợi, Tô Hiến Thành") == []  # streets; an unmarked «Tổ» is a name


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
