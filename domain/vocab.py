"""The closed vocabularies of the v1 booklet families (shared/docs/forms.md, domain.md §1-2).

Canonical spellings first; printed variants after. Shared by the generator, extraction and checks.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

Assessment = Literal["score", "comment"]


@dataclass(frozen=True)
class Subject:
    name: str  # canonical, as in forms.md
    variants: tuple[str, ...]
    grades: tuple[int, ...]
    assessed_by: Assessment = "score"  # THCS: score or Đ/CĐ; TH: whether a test score exists
    optional: bool = False


THCS_SUBJECTS: tuple[Subject, ...] = (
    Subject("Toán", (), (6, 7, 8, 9)),
    Subject("Vật lí", ("Vật lý",), (6, 7, 8, 9)),
    Subject("Hóa học", ("Hoá học",), (8, 9)),
    Subject("Sinh học", (), (6, 7, 8, 9)),
    Subject("Ngữ văn", ("Văn",), (6, 7, 8, 9)),
    Subject("Lịch sử", ("Lịch Sử",), (6, 7, 8, 9)),
    Subject("Địa lí", ("Địa lý",), (6, 7, 8, 9)),
    Subject("Ngoại ngữ", ("Tiếng Anh", "Anh văn", "Ngoại ngữ 1"), (6, 7, 8, 9)),
    Subject("Giáo dục công dân", ("GDCD",), (6, 7, 8, 9)),
    Subject("Công nghệ", (), (6, 7, 8, 9)),
    Subject("Tin học", ("Tin",), (6, 7, 8, 9), optional=True),
    Subject("Thể dục", (), (6, 7, 8, 9), "comment"),
    Subject("Âm nhạc", (), (6, 7, 8, 9), "comment"),
    Subject("Mĩ thuật", ("Mỹ thuật",), (6, 7, 8, 9), "comment"),
)

TH_SUBJECTS: tuple[Subject, ...] = (
    Subject("Tiếng Việt", (), (1, 2, 3, 4, 5)),
    Subject("Toán", (), (1, 2, 3, 4, 5)),
    Subject("Đạo đức", (), (1, 2, 3, 4, 5), "comment"),
    Subject("Tự nhiên và Xã hội", ("TN&XH",), (1, 2, 3), "comment"),
    Subject("Khoa học", (), (4, 5)),
    Subject("Lịch sử và Địa lí", ("Lịch sử và Địa lý",), (4, 5)),
    Subject("Âm nhạc", (), (1, 2, 3, 4, 5), "comment"),
    Subject("Mĩ thuật", ("Mỹ thuật",), (1, 2, 3, 4, 5), "comment"),
    Subject("Thủ công", (), (1, 2, 3), "comment"),
    Subject("Kĩ thuật", ("Kỹ thuật",), (4, 5), "comment"),
    Subject("Thể dục", (), (1, 2, 3, 4, 5), "comment"),
    Subject("Ngoại ngữ", ("Tiếng Anh",), (3, 4, 5), optional=True),
    Subject("Tin học", (), (3, 4, 5), optional=True),
    Subject("Tiếng dân tộc", (), (1, 2, 3, 4, 5), optional=True),
)

SUBJECTS_BY_FAMILY: dict[str, tuple[Subject, ...]] = {
    "THCS-2011": THCS_SUBJECTS,
    "TH-2014": TH_SUBJECTS,
}

GRADES_BY_FAMILY: dict[str, tuple[int, ...]] = {
    "THCS-2011": (6, 7, 8, 9),
    "TH-2014": (1, 2, 3, 4, 5),
}

# THCS-2011 ratings (forms.md "Table 2"), canonical -> printed abbreviations
CONDUCT = ("Tốt", "Khá", "Trung bình", "Yếu")
ACADEMIC = ("Giỏi", "Khá", "Trung bình", "Yếu", "Kém")
RANK_ABBREVIATIONS = {"T": "Tốt", "K": "Khá", "TB": "Trung bình", "Y": "Yếu", "G": "Giỏi"}
COMMENT_MARKS = ("Đ", "CĐ")

THCS_DECISIONS = (
    "Được lên lớp",
    "Ở lại lớp",
    "Được lên lớp sau kiểm tra lại",
    "Được lên lớp sau rèn luyện hè",
    "Hoàn thành chương trình THCS",
)
THCS_TITLES = ("Học sinh giỏi", "Học sinh tiên tiến")
# Primary awards as the circulars word them (domain.md §1.2-1.4): TT22/2016 Điều 10, TT27/2020
# Điều 13, TT32/2009. Schools also write their own; only near misses of these are judged.
TH_AWARD_PHRASES = (
    "Học sinh hoàn thành xuất sắc các nội dung học tập và rèn luyện",
    "Học sinh có thành tích vượt trội trong học tập và rèn luyện",
    "Học sinh có thành tích vượt trội hay tiến bộ vượt bậc",
    "Học sinh Xuất sắc",
    "Học sinh Tiêu biểu hoàn thành tốt trong học tập và rèn luyện",
    "Học sinh Giỏi",
    "Học sinh Tiên tiến",
)

# TH-2014 levels
TH_LEVELS_TT22 = ("Hoàn thành tốt", "Hoàn thành", "Chưa hoàn thành")
TH_LEVELS_TT30 = ("Hoàn thành", "Chưa hoàn thành")
TH_LEVEL_ABBREVIATIONS = {
    "T": "Hoàn thành tốt",
    "H": "Hoàn thành",
    "C": "Chưa hoàn thành",
    "HTT": "Hoàn thành tốt",
    "HT": "Hoàn thành",
    "CHT": "Chưa hoàn thành",
}
PC_NL_LEVELS_TT22 = ("Tốt", "Đạt", "Cần cố gắng")
PC_NL_LEVELS_TT30 = ("Đạt", "Chưa đạt")
PC_NL_ABBREVIATIONS = {"T": "Tốt", "Đ": "Đạt", "C": "Cần cố gắng"}

COMPETENCIES_TT22 = ("Tự phục vụ, tự quản", "Hợp tác", "Tự học và giải quyết vấn đề")
COMPETENCIES_TT30 = ("Tự phục vụ, tự quản", "Giao tiếp, hợp tác", "Tự học và giải quyết vấn đề")
COMPETENCY_VARIANTS = {"Tự học, giải quyết vấn đề": "Tự học và giải quyết vấn đề"}
QUALITIES = (
    "Chăm học, chăm làm",
    "Tự tin, trách nhiệm",
    "Trung thực, kỉ luật",
    "Đoàn kết, yêu thương",
)

TH_DECISIONS = (
    "Hoàn thành chương trình lớp học",
    "Chưa hoàn thành chương trình lớp học",
    "Hoàn thành chương trình tiểu học",
)

# A school's name opens with its kind, from a short list fixed by the Ministry's naming of
# schools (primary, lower secondary, multi-level, ethnic boarding): canonical spellings.
SCHOOL_KINDS = (
    "Tiểu học",
    "TH",
    "Trung học cơ sở",
    "THCS",
    "TH và THCS",
    "TH&THCS",
    "Tiểu học và Trung học cơ sở",
    "Phổ thông cơ sở",
    "PTCS",
    "Phổ thông dân tộc bán trú",
    "PTDTBT",
    "Phổ thông dân tộc nội trú",
    "PTDTNT",
    "Phổ thông nhiều cấp học",
    "Liên cấp",
)

# The 54 ethnic groups (printed spellings vary: "Mông" / "H'Mông", "Ê Đê" / "Ê-đê").
ETHNICITIES = (
    "Kinh", "Tày", "Thái", "Mường", "Khmer", "Hoa", "Nùng", "H'Mông", "Mông", "Dao", "Gia Rai",
    "Ê Đê", "Ba Na", "Sán Chay", "Chăm", "Cơ Ho", "Xơ Đăng", "Sán Dìu", "Hrê", "Ra Glai",
    "Mnông", "Thổ", "Xtiêng", "Khơ Mú", "Bru-Vân Kiều", "Cơ Tu", "Giáy", "Tà Ôi", "Mạ",
    "Giẻ-Triêng", "Co", "Chơ Ro", "Xinh Mun", "Hà Nhì", "Chu Ru", "Lào", "La Chí", "Kháng",
    "Phù Lá", "La Hủ", "La Ha", "Pà Thẻn", "Lự", "Ngái", "Chứt", "Lô Lô", "Mảng", "Cơ Lao",
    "Bố Y", "Cống", "Si La", "Pu Péo", "Rơ Măm", "Brâu", "Ơ Đu",
)  # fmt: skip

# Identity-page labels (forms.md), canonical field -> printed variants, longest first when matching
IDENTITY_LABELS: dict[str, tuple[str, ...]] = {
    "full_name": ("Họ và tên học sinh", "Họ và tên", "Họ tên"),
    "gender": ("Giới tính", "Nam/Nữ", "Nam Nữ"),
    "date_of_birth": ("Ngày, tháng, năm sinh", "Ngày sinh"),
    "place_of_birth": ("Nơi sinh",),
    "ethnicity": ("Dân tộc",),
    "nationality": ("Quốc tịch",),
    "residence": ("Chỗ ở hiện nay", "Nơi ở hiện nay", "Chỗ ở hiện tại"),
    "father_name": ("Họ và tên cha", "Họ tên cha"),
    "mother_name": ("Họ và tên mẹ", "Họ tên mẹ"),
    "guardian_name": ("Họ và tên người giám hộ", "Người giám hộ"),
    "personal_id": ("Số định danh cá nhân", "Mã định danh", "Mã học sinh"),
}


def regulation_for(family: str, school_year: str | None, grade: int | None) -> str | None:
    """The regulation in force for a year page, from family, school year and grade (domain §1.1).

    None when the page is outside the v1 families: before the family's first year, or a grade
    already moved to the new programme (TT27/2020 for primary, TT22/2021 for THCS) that year.
    """
    if not school_year or not re.fullmatch(r"\d{4}-\d{4}", school_year):
        return None
    start = int(school_year[:4])
    if family == "THCS-2011":
        new_programme = grade is not None and start >= 2021 + (grade - 6)
        if start < 2011 or new_programme:
            return None
        return "TT58+TT26" if start >= 2020 else "TT58"
    if family == "TH-2014":
        new_programme = grade is not None and start >= 2020 + (grade - 1)
        if start < 2014 or new_programme:
            return None
        return "TT30" if start <= 2015 else "TT22-2016"
    return None


def subjects_for(family: str, grade: int) -> tuple[Subject, ...]:
    return tuple(s for s in SUBJECTS_BY_FAMILY[family] if grade in s.grades)


def subject_by_name(family: str, name: str) -> Subject | None:
    for subject in SUBJECTS_BY_FAMILY[family]:
        if subject.name == name:
            return subject
    return None


_DIGIT_LOOKALIKE = re.compile(r"([A-ZĐ])([IO])")


def digit_lookalike(class_name: str) -> bool:
    """An I or O after a class's letter («1DI», «9AO») is as likely a 1 or 0 read as a letter:
    `holdout5`'s italic «1» reads «I» in every read, so no vote sees it. A first letter I
    («6I») is a class letter."""
    return _DIGIT_LOOKALIKE.search(class_name) is not None


def digit_form(class_name: str) -> str:
    """The class name with each I or O after a letter read as 1 or 0 («7DI» → «7D1»)."""
    return _DIGIT_LOOKALIKE.sub(lambda m: m.group(1) + {"I": "1", "O": "0"}[m.group(2)], class_name)
