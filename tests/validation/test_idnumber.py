from __future__ import annotations

import pytest

from validation.idnumber import (
    PROVINCE_CODES,
    check_personal_id,
    consistent_id_read,
    decode_personal_id,
    province_code_for_place,
    province_unknown,
)


def codes(pid: str, dob: str | None = "2005-03-14", gender: str | None = "Nam") -> list[str]:
    return [code for code, _ in check_personal_id(pid, date_of_birth=dob, gender=gender)]


def test_sixty_three_provinces() -> None:
    assert len(PROVINCE_CODES) == 63
    assert PROVINCE_CODES["001"] == "Hà Nội" and PROVINCE_CODES["096"] == "Cà Mau"
    assert all(len(code) == 3 and code.isdigit() for code in PROVINCE_CODES)


def test_valid_numbers() -> None:
    assert codes("001205012345") == []  # Hà Nội, 2000s male, 2005
    assert codes("079305012345", gender="Nữ") == []  # 2000s female
    assert codes("038098012345", dob="1998-01-01") == []  # 1900s male
    assert codes("038198012345", dob="1998-01-01", gender="Nữ") == []


@pytest.mark.parametrize(
    "pid", ["03820501234", "0382050123456", "03820501234a", "", "038 205 012 345"]
)
def test_format(pid: str) -> None:
    assert codes(pid) == ["ID_FORMAT"]


def test_unknown_province() -> None:
    assert codes("003205012345") == ["ID_PROVINCE"]  # 003 is not in TT07/2016
    assert codes("099205012345") == ["ID_PROVINCE"]


def test_gender_digit() -> None:
    assert codes("001305012345", gender="Nam") == ["ID_GENDER_MISMATCH"]
    assert codes("001205012345", gender="Nữ") == ["ID_GENDER_MISMATCH"]
    assert codes("001205012345", gender=None) == []


def test_birth_year_and_century() -> None:
    assert codes("001206012345") == ["ID_BIRTHYEAR_MISMATCH"]  # YY 06 vs 2005
    assert codes("001005012345") == ["ID_BIRTHYEAR_MISMATCH"]  # G 0 = 1905
    assert codes("001206012345", dob=None) == []


def test_messages_are_vietnamese_and_carry_no_number() -> None:
    (problem,) = check_personal_id("001206012345", date_of_birth="2005-03-14", gender="Nam")
    assert "năm sinh" in problem[1] and "001206012345" not in problem[1]


def test_decode() -> None:
    parts = decode_personal_id("079310012345")
    assert parts is not None
    assert (parts.province, parts.century, parts.gender, parts.year2) == ("079", 2000, "Nữ", 10)
    assert decode_personal_id("12345") is None


@pytest.mark.parametrize(
    ("place", "code"),
    [
        ("xã Nghi Lộc, huyện Nghi Lộc, tỉnh Nghệ An", "040"),
        ("Phường 3, Quận 5, TP. Hồ Chí Minh", "079"),
        ("TP Thanh Hoá, Thanh Hoá", "038"),  # new-style tone placement
        ("Nam Định", "036"),
        ("huyện Bình Lục, Hà Nam", "035"),
        ("Vũng Tàu, Bà Rịa - Vũng Tàu", "077"),
        ("Huế", "046"),
        ("không rõ", None),
        (None, None),
    ],
)
def test_province_of_place(place: str | None, code: str | None) -> None:
    assert province_code_for_place(place) == code


@pytest.mark.parametrize("digit", "456789")
def test_century_digit_outside_1900_2099(digit: str) -> None:
    assert codes(f"001{digit}05012345", dob=None, gender=None) == ["ID_CENTURY"]
    # with a birth date the encoded year is wrong too: both are reported
    assert "ID_CENTURY" in codes(f"001{digit}05012345", gender=None)


@pytest.mark.parametrize(
    ("place", "unknown"),
    [
        ("Số 31 đường Trần Hưng Đạo, phường Tân Định, quận Gò Vấp, thành phố Hồ Chí Minh", False),
        ("Số 31 đường Trần Hưng Đạo, phường Tân Định, quận Gò Vấp, thành phố Hồ Chí Mi", True),
        ("xã Hoằng Lộc, huyện Hoằng Hóa, tỉnh Thanh Hóa", False),
        ("xã Hoằng Lộc, huyện Hoằng Hóa, tỉnh Thanh Ho", True),
        ("phường 1, TP Hồ Chí Minh", False),
        ("tỉnh Đăk Nông", False),
        ("thị trấn Lộc Hà, huyện Lộc Hà", False),  # no province-level unit: not judged
        (None, False),
    ],
)
def test_a_place_ending_in_an_unknown_province_is_caught(place: str | None, unknown: bool) -> None:
    assert province_unknown(place) is unknown


def test_the_one_read_of_a_split_id_that_passes_every_check() -> None:
    born, male = "2003-05-10", "Nam"
    reads = ["849203001234", "040203001234", "940203001234", "0402 0300 1234"]
    assert consistent_id_read(reads, date_of_birth=born, gender=male) == "040203001234"
    two = ["040203001234", "038203001234"]  # two provinces: nothing tells them apart
    assert consistent_id_read(two, date_of_birth=born, gender=male) is None
    assert consistent_id_read(reads, date_of_birth="2004-05-10", gender=male) is None
