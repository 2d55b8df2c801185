"""Names, places and personal ids for synthetic pupils and residents (domain.md §3, §5).

Pools are plain tuples so that drawing a resident costs a few `rng.choice` calls: the registry
generator draws millions of them.
"""

from __future__ import annotations

import random
import unicodedata
from dataclasses import dataclass
from itertools import accumulate

from domain.text import clean

Gender = str  # "Nam" | "Nữ"


@dataclass(frozen=True)
class Province:
    code: str  # TT07/2016 Phụ lục 1 birth-registration code
    name: str
    kind: str  # "tỉnh" or "thành phố" (centrally governed city)
    districts: tuple[str, ...]  # "huyện X" / "quận X", real pre-2025 names

    @property
    def full(self) -> str:
        return f"{self.kind} {self.name}"

    @property
    def south(self) -> bool:
        return self.code >= "070"


def _p(code: str, name: str, *districts: str, kind: str = "tỉnh") -> Province:
    named = tuple(d if d.startswith(("quận ", "huyện ")) else f"huyện {d}" for d in districts)
    return Province(code, name, kind, named)


def _pool(text: str) -> tuple[str, ...]:
    """A comma-separated list of names as a tuple (keeps long data tables compact)."""
    return tuple(item.strip() for item in text.split(",") if item.strip())


_TP = "thành phố"
PROVINCES: tuple[Province, ...] = (
    _p(
        "001",
        "Hà Nội",
        "quận Ba Đình",
        "quận Cầu Giấy",
        "quận Đống Đa",
        "Đông Anh",
        "Gia Lâm",
        "Sóc Sơn",
        "Thanh Trì",
        kind=_TP,
    ),
    _p("002", "Hà Giang", "Bắc Quang", "Vị Xuyên", "Đồng Văn"),
    _p("004", "Cao Bằng", "Hòa An", "Trùng Khánh", "Bảo Lạc"),
    _p("006", "Bắc Kạn", "Chợ Đồn", "Ba Bể", "Bạch Thông"),
    _p("008", "Tuyên Quang", "Sơn Dương", "Yên Sơn", "Hàm Yên"),
    _p("010", "Lào Cai", "Bảo Thắng", "Bát Xát", "Bắc Hà"),
    _p("011", "Điện Biên", "Điện Biên", "Mường Chà", "Tuần Giáo"),
    _p("012", "Lai Châu", "Tam Đường", "Phong Thổ", "Sìn Hồ"),
    _p("014", "Sơn La", "Mai Sơn", "Mộc Châu", "Thuận Châu"),
    _p("015", "Yên Bái", "Văn Yên", "Yên Bình", "Lục Yên"),
    _p("017", "Hòa Bình", "Lương Sơn", "Kim Bôi", "Mai Châu"),
    _p("019", "Thái Nguyên", "Đại Từ", "Phú Bình", "Đồng Hỷ"),
    _p("020", "Lạng Sơn", "Cao Lộc", "Hữu Lũng", "Chi Lăng"),
    _p("022", "Quảng Ninh", "Đầm Hà", "Tiên Yên", "Hải Hà"),
    _p("024", "Bắc Giang", "Lạng Giang", "Yên Dũng", "Lục Nam"),
    _p("025", "Phú Thọ", "Lâm Thao", "Thanh Sơn", "Cẩm Khê"),
    _p("026", "Vĩnh Phúc", "Tam Đảo", "Bình Xuyên", "Vĩnh Tường"),
    _p("027", "Bắc Ninh", "Tiên Du", "Gia Bình", "Lương Tài"),
    _p("030", "Hải Dương", "Gia Lộc", "Nam Sách", "Thanh Hà"),
    _p(
        "031",
        "Hải Phòng",
        "quận Lê Chân",
        "quận Ngô Quyền",
        "An Dương",
        "Thủy Nguyên",
        "Tiên Lãng",
        kind=_TP,
    ),
    _p("033", "Hưng Yên", "Văn Lâm", "Khoái Châu", "Kim Động"),
    _p("034", "Thái Bình", "Quỳnh Phụ", "Vũ Thư", "Tiền Hải"),
    _p("035", "Hà Nam", "Bình Lục", "Thanh Liêm", "Lý Nhân"),
    _p("036", "Nam Định", "Hải Hậu", "Ý Yên", "Giao Thủy"),
    _p("037", "Ninh Bình", "Gia Viễn", "Kim Sơn", "Yên Khánh"),
    _p("038", "Thanh Hóa", "Hoằng Hóa", "Quảng Xương", "Thọ Xuân", "Tĩnh Gia"),
    _p("040", "Nghệ An", "Diễn Châu", "Quỳnh Lưu", "Nghi Lộc", "Đô Lương"),
    _p("042", "Hà Tĩnh", "Can Lộc", "Đức Thọ", "Kỳ Anh"),
    _p("044", "Quảng Bình", "Bố Trạch", "Quảng Ninh", "Lệ Thủy"),
    _p("045", "Quảng Trị", "Gio Linh", "Triệu Phong", "Hải Lăng"),
    _p("046", "Thừa Thiên Huế", "Phú Vang", "Phong Điền", "Quảng Điền"),
    _p("048", "Đà Nẵng", "quận Hải Châu", "quận Thanh Khê", "quận Sơn Trà", "Hòa Vang", kind=_TP),
    _p("049", "Quảng Nam", "Thăng Bình", "Duy Xuyên", "Núi Thành"),
    _p("051", "Quảng Ngãi", "Bình Sơn", "Tư Nghĩa", "Mộ Đức"),
    _p("052", "Bình Định", "Tuy Phước", "Phù Cát", "Phù Mỹ"),
    _p("054", "Phú Yên", "Tuy An", "Đồng Xuân", "Tây Hòa"),
    _p("056", "Khánh Hòa", "Diên Khánh", "Cam Lâm", "Vạn Ninh"),
    _p("058", "Ninh Thuận", "Ninh Phước", "Ninh Hải", "Ninh Sơn"),
    _p("060", "Bình Thuận", "Hàm Thuận Bắc", "Tuy Phong", "Đức Linh"),
    _p("062", "Kon Tum", "Đắk Hà", "Sa Thầy", "Ngọc Hồi"),
    _p("064", "Gia Lai", "Chư Păh", "Đắk Đoa", "Chư Sê"),
    _p("066", "Đắk Lắk", "Cư M'gar", "Krông Pắc", "Ea Kar"),
    _p("067", "Đắk Nông", "Cư Jút", "Đắk Mil", "Krông Nô"),
    _p("068", "Lâm Đồng", "Đức Trọng", "Di Linh", "Lâm Hà"),
    _p("070", "Bình Phước", "Bù Đăng", "Chơn Thành", "Lộc Ninh"),
    _p("072", "Tây Ninh", "Gò Dầu", "Tân Biên", "Châu Thành"),
    _p("074", "Bình Dương", "Bàu Bàng", "Dầu Tiếng", "Phú Giáo"),
    _p("075", "Đồng Nai", "Trảng Bom", "Nhơn Trạch", "Vĩnh Cửu"),
    _p("077", "Bà Rịa - Vũng Tàu", "Châu Đức", "Xuyên Mộc", "Long Điền"),
    _p(
        "079",
        "Hồ Chí Minh",
        "quận Gò Vấp",
        "quận Tân Bình",
        "quận Bình Thạnh",
        "Củ Chi",
        "Hóc Môn",
        "Bình Chánh",
        kind=_TP,
    ),
    _p("080", "Long An", "Đức Hòa", "Bến Lức", "Cần Giuộc"),
    _p("082", "Tiền Giang", "Cai Lậy", "Chợ Gạo", "Gò Công Tây"),
    _p("083", "Bến Tre", "Mỏ Cày Nam", "Ba Tri", "Giồng Trôm"),
    _p("084", "Trà Vinh", "Cầu Kè", "Trà Cú", "Tiểu Cần"),
    _p("086", "Vĩnh Long", "Long Hồ", "Tam Bình", "Vũng Liêm"),
    _p("087", "Đồng Tháp", "Cao Lãnh", "Lai Vung", "Tháp Mười"),
    _p("089", "An Giang", "Chợ Mới", "Phú Tân", "Tri Tôn"),
    _p("091", "Kiên Giang", "Châu Thành", "Gò Quao", "Hòn Đất"),
    _p("092", "Cần Thơ", "quận Ninh Kiều", "quận Cái Răng", "Phong Điền", "Cờ Đỏ", kind=_TP),
    _p("093", "Hậu Giang", "Châu Thành A", "Long Mỹ", "Phụng Hiệp"),
    _p("094", "Sóc Trăng", "Mỹ Tú", "Kế Sách", "Trần Đề"),
    _p("095", "Bạc Liêu", "Hồng Dân", "Phước Long", "Vĩnh Lợi"),
    _p("096", "Cà Mau", "Cái Nước", "Đầm Dơi", "Trần Văn Thời"),
)
PROVINCE_BY_CODE: dict[str, Province] = {p.code: p for p in PROVINCES}
PROVINCE_CODES: frozenset[str] = frozenset(PROVINCE_BY_CODE)

COMMUNES = _pool(
    "Tân Lập, Tân Hòa, Tân Thành, Hưng Đạo, Quang Trung, Đông Phong, Hòa Bình, "
    "Thanh Xuân, Yên Bình, Phú Thịnh, An Hòa, Bình Minh, Nghĩa Hưng, Xuân Phú, "
    "Đức Thắng, Hợp Tiến, Tiên Phong, Minh Khai, Vĩnh Hưng, Long Hưng, Phước Hòa, "
    "Thạnh Phú, Mỹ Lộc, Tân Phước, Hồng Phong, Đại Đồng, Kim Liên, Sơn Thủy"
)
WARDS = _pool(
    "Quang Trung, Trần Phú, Nguyễn Trãi, Lê Lợi, Hùng Vương, Phú Lợi, Tân Định, "
    "Hòa Khánh, An Phú, Bến Thành, 1, 2, 3, 4, 5, 7, 9, 11, 12"
)
STREETS = _pool(
    "Lê Lợi, Trần Hưng Đạo, Nguyễn Trãi, Quang Trung, Hai Bà Trưng, Lý Thường Kiệt, "
    "Nguyễn Huệ, Phan Đình Phùng, Hoàng Văn Thụ, Điện Biên Phủ, Võ Thị Sáu, Lê Duẩn"
)
SCHOOL_NAMES = _pool(
    "Nguyễn Du, Lê Quý Đôn, Chu Văn An, Trần Phú, Nguyễn Trãi, Lý Tự Trọng, Võ Thị Sáu, "
    "Kim Đồng, Nguyễn Văn Trỗi, Phan Bội Châu, Lê Lợi, Quang Trung"
)
HAMLET_NAMES = ("Đông", "Tây", "Trung", "Thượng", "Hạ", "Bắc", "Nam", "Tân", "Phú", "Hòa")

# Ethnicity weights (%) and where each group mostly lives (province codes).
ETHNICITIES = ("Kinh", "Tày", "Thái", "Mường", "Khmer", "Hoa", "Nùng", "H'Mông")
ETHNICITY_WEIGHTS = (85.0, 2.5, 2.3, 2.0, 2.0, 1.5, 1.5, 1.5)
HOMELANDS: dict[str, tuple[str, ...]] = {
    "Tày": ("004", "006", "008", "020", "002"),
    "Thái": ("014", "011", "040", "012"),
    "Mường": ("017", "038", "025"),
    "Khmer": ("094", "084", "089", "091"),
    "Hoa": ("079", "075", "094"),
    "Nùng": ("020", "004", "002"),
    "H'Mông": ("002", "010", "011", "012"),
}

# Surname shares (domain.md §5); the tail shares the remainder.
SURNAMES = _pool(
    "Nguyễn, Trần, Lê, Phạm, Hoàng, Huỳnh, Phan, Vũ, Võ, Đặng, Bùi, Đỗ, Hồ, Ngô, Dương, "
    "Lý, Đinh, Đào, Đoàn, Trương, Lâm, Mai, Trịnh, Lương, Hà, Cao"
)
_SURNAME_W = (38, 11, 9.5, 7.1, 2.8, 2.3, 4.5, 2.1, 1.8, 2.1, 2.0, 1.4, 1.3, 1.3, 1.0, 0.5)
SURNAME_CUM = tuple(accumulate(_SURNAME_W + (1.0,) * (len(SURNAMES) - len(_SURNAME_W))))
MINORITY_SURNAMES: dict[str, tuple[str, ...]] = {
    "Tày": ("Hoàng", "Nông", "Lương", "Bế", "Ma", "Triệu"),
    "Thái": ("Lò", "Lường", "Cầm", "Quàng", "Vi"),
    "Mường": ("Bùi", "Đinh", "Quách", "Hà"),
    "Khmer": ("Thạch", "Danh", "Sơn", "Kim", "Lâm"),
    "Hoa": ("Lâm", "Quách", "Trần", "Lý", "Châu"),
    "Nùng": ("Hoàng", "Nông", "Lăng", "Vi"),
    "H'Mông": ("Giàng", "Sùng", "Vàng", "Thào", "Lý", "Hờ"),
}
COMPOUND_SURNAMES = {
    "Nam": ("Tôn Thất", "Nguyễn Phạm", "Trần Lê", "Âu Dương"),
    "Nữ": ("Tôn Nữ", "Nguyễn Phạm", "Trần Lê", "Lê Nguyễn"),
}
MIDDLE = {
    "Nam": _pool(
        "Văn, Đức, Minh, Quang, Hữu, Công, Thành, Xuân, Ngọc, Anh, Gia, Trọng, Hoàng, "
        "Tuấn, Bảo, Đăng"
    ),
    "Nữ": _pool(
        "Thị, Ngọc, Thu, Thanh, Hồng, Minh, Phương, Khánh, Bảo, Mai, Kim, Diệu, Thùy, "
        "Hoài, Quỳnh, Hải"
    ),
}
GIVEN = {
    "Nam": _pool(
        "Hùng, Dũng, Nam, Tuấn, Minh, Hoàng, Long, Huy, Khoa, Phúc, Quân, Sơn, Thắng, "
        "Trung, Hiếu, Đức, Bảo, Hải, Khang, Hòa, An, Phong, Tùng, Vinh, Cường, Đạt, "
        "Kiên, Lâm, Nghĩa, Thịnh, Tài, Toàn"
    ),
    "Nữ": _pool(
        "Lan, Hương, Hoa, Linh, Trang, Thảo, Ngọc, Mai, Hà, Anh, Tuyết, Nhung, Yến, "
        "Hạnh, Hằng, Vy, Nhi, My, Châu, Hiền, Thủy, Hòa, Phương, Quyên, Trâm, Uyên, "
        "Giang, Loan, Oanh, Thư, Vân, Ánh"
    ),
}
OCCUPATIONS = ("Làm ruộng", "Công nhân", "Giáo viên", "Buôn bán", "Cán bộ", "Lái xe", "Nội trợ")


def weighted_surname(rng: random.Random) -> str:
    return rng.choices(SURNAMES, cum_weights=SURNAME_CUM)[0]


def random_ethnicity(rng: random.Random) -> str:
    return rng.choices(ETHNICITIES, weights=ETHNICITY_WEIGHTS)[0]


def province_for(rng: random.Random, ethnicity: str) -> Province:
    homes = HOMELANDS.get(ethnicity)
    if homes and rng.random() < 0.8:
        return PROVINCE_BY_CODE[rng.choice(homes)]
    return rng.choice(PROVINCES)


def surname_for(rng: random.Random, gender: Gender, ethnicity: str = "Kinh") -> str:
    pool = MINORITY_SURNAMES.get(ethnicity)
    if pool and rng.random() < 0.8:
        return rng.choice(pool)
    if rng.random() < 0.02:
        return rng.choice(COMPOUND_SURNAMES[gender])
    return weighted_surname(rng)


def middle_for(rng: random.Random, gender: Gender, ethnicity: str = "Kinh") -> str:
    """None (8%), one, or two middle names; Thị mostly for girls, Văn mostly for boys."""
    if ethnicity == "H'Mông":
        return "A" if gender == "Nam" else "Thị"
    roll = rng.random()
    if roll < 0.08:
        return ""
    usual = "Văn" if gender == "Nam" else "Thị"
    first = usual if rng.random() < 0.33 else rng.choice(MIDDLE[gender][1:])
    second = rng.choice(MIDDLE[gender][1:])
    return f"{first} {second}" if roll > 0.85 and second != first else first


def full_name(surname: str, middle: str, given: str) -> str:
    """Join the parts, dropping a middle name that repeats the surname or the given name."""
    repeats = {surname.split(" ")[-1], given}
    kept = [word for word in middle.split(" ") if word and word not in repeats]
    return " ".join([surname, *kept, given])


def random_name(rng: random.Random, gender: Gender, ethnicity: str = "Kinh") -> str:
    return full_name(
        surname_for(rng, gender, ethnicity),
        middle_for(rng, gender, ethnicity),
        rng.choice(GIVEN[gender]),
    )


def parent_names(rng: random.Random, child_surname: str) -> tuple[str, str]:
    """Father (carrying the child's surname; Tôn Nữ girls have Tôn Thất fathers) and mother."""
    father_surname = "Tôn Thất" if child_surname == "Tôn Nữ" else child_surname
    father = full_name(father_surname, middle_for(rng, "Nam"), rng.choice(GIVEN["Nam"]))
    return father, random_name(rng, "Nữ")


def commune_of(rng: random.Random, district: str) -> str:
    """ "Phường …" in an urban district (quận), otherwise "Xã …"."""
    if district.startswith("quận"):
        return f"Phường {rng.choice(WARDS)}"
    return f"Xã {rng.choice(COMMUNES)}"


def place_of_birth(rng: random.Random, province: Province) -> str:
    district = rng.choice(province.districts)
    return f"{commune_of(rng, district)}, {district}, {province.full}"


def residence(rng: random.Random, province: Province) -> str:
    district = rng.choice(province.districts)
    commune = commune_of(rng, district)
    if district.startswith("quận"):
        street = f"Số {rng.randint(1, 250)} đường {rng.choice(STREETS)}"
        return f"{street}, {commune[0].lower()}{commune[1:]}, {district}, {province.full}"
    hamlet_kind = "Ấp" if province.south else rng.choice(("Thôn", "Thôn", "Xóm"))
    hamlet = rng.choice(HAMLET_NAMES) if rng.random() < 0.6 else str(rng.randint(1, 12))
    return f"{hamlet_kind} {hamlet}, {commune[0].lower()}{commune[1:]}, {district}, {province.full}"


def personal_id(rng: random.Random, province_code: str, gender: Gender, birth_year: int) -> str:
    """PPP G YY RRRRRR (domain.md §3): G encodes century and gender (even = Nam)."""
    century_digit = 2 * ((birth_year // 100) - 19) + (0 if gender == "Nam" else 1)
    return f"{province_code}{century_digit}{birth_year % 100:02d}{rng.randrange(1_000_000):06d}"


_MONTH_DAYS = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
_MONTH_STARTS = tuple(accumulate(_MONTH_DAYS, initial=0))


def random_date(rng: random.Random, year: int) -> str:
    """An ISO date in `year` (29 February never drawn: rare enough not to matter)."""
    day = rng.randrange(365)
    month = next(m for m in range(12) if day < _MONTH_STARTS[m + 1])
    return f"{year:04d}-{month + 1:02d}-{day - _MONTH_STARTS[month] + 1:02d}"


_TONE_MARKS = ("\u0300", "\u0301", "\u0303", "\u0309", "\u0323")
_VOWELS = set("aăâeêioôơuưy")
_HATS = "\u0302\u0306\u031b"


def _retone_syllable(syllable: str, rng: random.Random) -> str:
    """The same syllable with another tone (Hòa -> Hóa, Lan -> Lán): same accent-free key."""
    chars = list(unicodedata.normalize("NFD", syllable))
    tone_at = next((i for i, ch in enumerate(chars) if ch in _TONE_MARKS), None)
    if tone_at is not None:
        options = [t for t in _TONE_MARKS if t != chars[tone_at]]
        del chars[tone_at]
        if rng.random() < 0.2:
            return clean("".join(chars))
        while tone_at < len(chars) and chars[tone_at] in _HATS:
            tone_at += 1  # NFC composes a tone only when it follows the hat
        chars.insert(tone_at, rng.choice(options))
        return clean("".join(chars))
    return clean(_place_tone(chars, rng.choice(_TONE_MARKS)))


def _place_tone(chars: list[str], tone: str) -> str:
    """Put a tone on an untoned syllable: on the hatted vowel, else on the main vowel."""
    base = [unicodedata.normalize("NFC", ch).lower() for ch in chars]
    start = 2 if "".join(base[:2]) in ("gi", "qu") and len(base) > 2 else 0
    slots = [i for i in range(start, len(chars)) if base[i] in _VOWELS]
    if not slots:
        return "".join(chars)
    hatted = [i for i in slots if i + 1 < len(chars) and chars[i + 1] in _HATS]
    ends_open = slots[-1] == len(chars) - 1 or (slots[-1] == len(chars) - 2 and chars[-1] in _HATS)
    if hatted:
        pos = hatted[-1] + 1
    elif ends_open and len(slots) >= 2:
        pos = slots[-2]
    else:
        pos = slots[-1]
    return "".join(chars[: pos + 1] + [tone] + chars[pos + 1 :])


def accent_variant(name: str, rng: random.Random) -> str:
    """Another real-looking name that differs from `name` only by tone marks."""
    words = name.split(" ")
    for index in (len(words) - 1, *range(len(words) - 2, -1, -1)):
        changed = _retone_syllable(words[index], rng)
        if changed != words[index]:
            return " ".join(words[:index] + [changed] + words[index + 1 :])
    return name
