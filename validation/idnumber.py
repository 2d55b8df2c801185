"""Structure of the 12-digit personal identification number (domain.md §3).

PPP G YY RRRRRR: PPP province of birth registration, G century + gender, YY birth year mod 100.
There is no check digit: errors in the random part are caught only by the registry link.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

from domain.text import search_key

# TT07/2016/TT-BCA Phụ lục 1: the 63 pre-2025 provinces (still valid for existing numbers).
PROVINCE_CODES: dict[str, str] = {
    "001": "Hà Nội", "002": "Hà Giang", "004": "Cao Bằng", "006": "Bắc Kạn",
    "008": "Tuyên Quang", "010": "Lào Cai", "011": "Điện Biên", "012": "Lai Châu",
    "014": "Sơn La", "015": "Yên Bái", "017": "Hòa Bình", "019": "Thái Nguyên",
    "020": "Lạng Sơn", "022": "Quảng Ninh", "024": "Bắc Giang", "025": "Phú Thọ",
    "026": "Vĩnh Phúc", "027": "Bắc Ninh", "030": "Hải Dương", "031": "Hải Phòng",
    "033": "Hưng Yên", "034": "Thái Bình", "035": "Hà Nam", "036": "Nam Định",
    "037": "Ninh Bình", "038": "Thanh Hóa", "040": "Nghệ An", "042": "Hà Tĩnh",
    "044": "Quảng Bình", "045": "Quảng Trị", "046": "Thừa Thiên Huế", "048": "Đà Nẵng",
    "049": "Quảng Nam", "051": "Quảng Ngãi", "052": "Bình Định", "054": "Phú Yên",
    "056": "Khánh Hòa", "058": "Ninh Thuận", "060": "Bình Thuận", "062": "Kon Tum",
    "064": "Gia Lai", "066": "Đắk Lắk", "067": "Đắk Nông", "068": "Lâm Đồng",
    "070": "Bình Phước", "072": "Tây Ninh", "074": "Bình Dương", "075": "Đồng Nai",
    "077": "Bà Rịa-Vũng Tàu", "079": "TP Hồ Chí Minh", "080": "Long An", "082": "Tiền Giang",
    "083": "Bến Tre", "084": "Trà Vinh", "086": "Vĩnh Long", "087": "Đồng Tháp",
    "089": "An Giang", "091": "Kiên Giang", "092": "Cần Thơ", "093": "Hậu Giang",
    "094": "Sóc Trăng", "095": "Bạc Liêu", "096": "Cà Mau",
}  # fmt: skip

# Other spellings seen in addresses, as accent-insensitive keys.
_PROVINCE_ALIASES: dict[str, str] = {
    "ho chi minh": "079",
    "sai gon": "079",
    "hue": "046",
    "ba ria vung tau": "077",
    "dak lak": "066",
    "dak nong": "067",
    "bac can": "006",
}

_ID_PATTERN = re.compile(r"\d{12}")


@dataclass(frozen=True)
class IdParts:
    province: str  # PPP
    century: int  # 1900, 2000, ...
    gender: str  # "Nam" / "Nữ"
    year2: int  # YY


def decode_personal_id(pid: str) -> IdParts | None:
    """The structured parts of a well-formed number, None when it is not 12 digits."""
    if not _ID_PATTERN.fullmatch(pid):
        return None
    g = int(pid[3])
    return IdParts(pid[:3], 1900 + (g // 2) * 100, "Nam" if g % 2 == 0 else "Nữ", int(pid[4:6]))


def check_personal_id(
    pid: str, *, date_of_birth: str | None, gender: str | None
) -> list[tuple[str, str]]:
    """Structural problems of a printed personal ID, as (code, Vietnamese message) pairs."""
    parts = decode_personal_id(pid)
    if parts is None:
        return [("ID_FORMAT", "Số định danh cá nhân phải gồm đúng 12 chữ số.")]
    problems: list[tuple[str, str]] = []
    if parts.province not in PROVINCE_CODES:
        problems.append(
            ("ID_PROVINCE", f"Ba số đầu {parts.province} không phải mã tỉnh theo TT07/2016.")
        )
    if parts.century not in (1900, 2000):
        message = (
            f"Chữ số thứ tư là {pid[3]}: người sinh 1900-2099 chỉ có 0, 1, 2 hoặc 3 (TT07/2016)."
        )
        problems.append(("ID_CENTURY", message))
    if gender in ("Nam", "Nữ") and gender != parts.gender:
        message = (
            f"Chữ số thứ tư của số định danh ứng với giới tính {parts.gender},"
            " khác giới tính ghi trong học bạ."
        )
        problems.append(("ID_GENDER_MISMATCH", message))
    birth_year = _year_of(date_of_birth)
    if birth_year is not None and birth_year != parts.century + parts.year2:
        message = (
            f"Số định danh mã hóa năm sinh {parts.century + parts.year2},"
            f" khác năm sinh {birth_year} ghi trong học bạ."
        )
        problems.append(("ID_BIRTHYEAR_MISMATCH", message))
    return problems


def consistent_id_read(
    reads: Iterable[str], *, date_of_birth: str | None, gender: str | None
) -> str | None:
    """The one read of a split personal ID that passes every structure check against the
    booklet's birth date and gender («040…» among «849…», «940…»: no province has 849 or 940);
    None when no read or more than one does."""
    passing = {
        pid
        for read in reads
        if not check_personal_id(
            pid := re.sub(r"\s", "", read), date_of_birth=date_of_birth, gender=gender
        )
    }
    return passing.pop() if len(passing) == 1 else None


def province_code_for_place(place: str | None) -> str | None:
    """The province code of the province named in a free-text place ("…, tỉnh Nghệ An").

    The province is written last, so the match ending last wins (districts can share a name
    with another province); a weak signal only: the ID codes the place of birth registration.
    """
    if not place:
        return None
    key = f" {_key(place)} "
    best: tuple[int, int, str] | None = None
    for name_key, code in _province_keys().items():
        end = key.rfind(" " + name_key + " ")
        if end >= 0:
            candidate = (end + len(name_key), len(name_key), code)
            best = candidate if best is None or candidate > best else best
    return best[2] if best else None


_PROVINCE_LEVEL = re.compile(r"^(tinh|thanh pho|tp) ")


def province_unknown(place: str | None) -> bool:
    """True when a place ends with a province-level unit ("…, tỉnh X" / "thành phố X") whose
    name is not a known province: a line read short ("thành phố Hồ Chí Mi") or misread.
    A place that does not end with a province-level unit is not judged here."""
    last = _key((place or "").rsplit(",", 1)[-1])
    if not _PROVINCE_LEVEL.match(last):
        return False
    return province_code_for_place(last) is None


@cache
def _province_keys() -> dict[str, str]:
    keys = {_key(name): code for code, name in PROVINCE_CODES.items()}
    keys.update(_PROVINCE_ALIASES)
    return keys


def _key(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", search_key(text)).strip()


def _year_of(iso_date: str | None) -> int | None:
    if iso_date and re.fullmatch(r"\d{4}-\d{2}-\d{2}", iso_date):
        return int(iso_date[:4])
    return None
