"""Print variants of the booklet forms, as data.

Real archives mix printings from different years and printers (forms.md): fonts, margins,
column widths, row order, label wording, heading case, rating style and line spacing differ.
Each `PrintVariant` fixes one such printing. The "holdout" printings are reserved for benchmarks:
their fonts and label wording mix appear in no dev variant, so extraction cannot overfit to them.
"holdout2" was added once "holdout"'s errors had been looked at (to classify them): it is the
printing nobody developing extraction has looked at.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

_DEJAVU = "/usr/share/fonts/truetype/dejavu/"
_NOTO = "/usr/share/fonts/truetype/noto/"
_LIBERATION = "/usr/share/fonts/truetype/liberation2/"

DobStyle = Literal["slash", "dash", "words"]
LevelStyle = Literal["full", "letter", "initials"]  # Hoàn thành tốt / T / HTT
HeadingStyle = Literal["hoc_ba", "so_yeu", "both"]
RowOrder = Literal["vocab", "languages_first", "sciences_first"]


@dataclass(frozen=True)
class Fonts:
    label: str  # the printed frame: labels, headings, subject names
    label_bold: str
    value: str  # what the school software printed into the frame
    label_px: int  # 42-54 px is 10-13 pt at 300 dpi
    value_px: int
    heading_px: int = 84


# THCS subject rows in two printer orders besides the vocab order (canonical names).
THCS_ORDER_LANGUAGES_FIRST = (
    "Ngữ văn",
    "Toán",
    "Ngoại ngữ",
    "Vật lí",
    "Hóa học",
    "Sinh học",
    "Lịch sử",
    "Địa lí",
    "Giáo dục công dân",
    "Công nghệ",
    "Tin học",
    "Thể dục",
    "Âm nhạc",
    "Mĩ thuật",
)
THCS_ORDER_SOCIAL_MIDDLE = (
    "Toán",
    "Vật lí",
    "Hóa học",
    "Sinh học",
    "Công nghệ",
    "Ngữ văn",
    "Lịch sử",
    "Địa lí",
    "Giáo dục công dân",
    "Ngoại ngữ",
    "Thể dục",
    "Âm nhạc",
    "Mĩ thuật",
    "Tin học",
)
TH_ORDER_ARTS_LAST = (
    "Toán",
    "Tiếng Việt",
    "Tự nhiên và Xã hội",
    "Khoa học",
    "Lịch sử và Địa lí",
    "Đạo đức",
    "Ngoại ngữ",
    "Tin học",
    "Tiếng dân tộc",
    "Thủ công",
    "Kĩ thuật",
    "Thể dục",
    "Âm nhạc",
    "Mĩ thuật",
)
TH_ORDER_TESTED_FIRST = (
    "Tiếng Việt",
    "Toán",
    "Khoa học",
    "Lịch sử và Địa lí",
    "Ngoại ngữ",
    "Tin học",
    "Tiếng dân tộc",
    "Đạo đức",
    "Tự nhiên và Xã hội",
    "Âm nhạc",
    "Mĩ thuật",
    "Thủ công",
    "Kĩ thuật",
    "Thể dục",
)

# (policy, family) -> canonical subject names in printed row order; "vocab" uses domain.vocab order
ROW_ORDERS: dict[tuple[str, str], tuple[str, ...]] = {
    ("languages_first", "THCS-2011"): THCS_ORDER_LANGUAGES_FIRST,
    ("languages_first", "TH-2014"): TH_ORDER_TESTED_FIRST,
    ("sciences_first", "THCS-2011"): THCS_ORDER_SOCIAL_MIDDLE,
    ("sciences_first", "TH-2014"): TH_ORDER_ARTS_LAST,
}


@dataclass(frozen=True)
class PrintVariant:
    name: str
    fonts: Fonts
    margins: tuple[int, int, int, int]  # left, top, right, bottom in px at 300 dpi
    line_spacing: float  # line height as a multiple of the label font size
    # identity page
    heading: HeadingStyle
    identity_labels: dict[str, str]  # field -> the wording this printing uses
    name_upper: bool
    dob_style: DobStyle
    leaders: bool  # dotted leaders after labels
    photo_box: bool
    name_and_gender_on_one_line: bool
    section_upper: bool  # "QUÁ TRÌNH HỌC TẬP" vs "Quá trình học tập"
    # year pages
    year_separator: str  # "2014-2015" or "2014 - 2015"
    subject_order: RowOrder  # printer's row order, see ROW_ORDERS
    # None prints canonical subject names; an int picks that printed variant ("Vật lý", "GDCD")
    subject_variant_pick: int | None
    # THCS-2011
    term_headers: tuple[str, str, str]
    retest_column: bool
    short_integers: bool  # "8" for 8.0
    average_label: str
    rank_abbreviations: bool  # T/K/TB/Y/G
    awards_label: str
    col_scale: tuple[float, ...]  # relative column widths of THCS table 1
    # TH-2014
    level_style: LevelStyle
    pcnl_abbreviations: bool  # T/Đ/C
    test_header: str
    absence_style: Literal["nghi_hoc", "so_ngay"]
    score_before_level: bool  # TH table 1: Điểm KTĐK before Mức đạt được
    competency_variant_wording: bool  # "Tự học, giải quyết vấn đề"


def _labels(**choices: str) -> dict[str, str]:
    base = {
        "full_name": "Họ và tên",
        "gender": "Giới tính",
        "date_of_birth": "Ngày sinh",
        "place_of_birth": "Nơi sinh",
        "ethnicity": "Dân tộc",
        "nationality": "Quốc tịch",
        "residence": "Chỗ ở hiện nay",
        "father_name": "Họ và tên cha",
        "mother_name": "Họ và tên mẹ",
        "guardian_name": "Người giám hộ",
        "personal_id": "Số định danh cá nhân",
    }
    base.update(choices)
    return base


_FULL_TERMS = ("Học kỳ I", "Học kỳ II", "Cả năm")
_SHORT_TERMS = ("HKI", "HKII", "CN")

VARIANTS: dict[str, PrintVariant] = {
    "p1": PrintVariant(
        name="p1",
        fonts=Fonts(
            _DEJAVU + "DejaVuSerif.ttf",
            _DEJAVU + "DejaVuSerif-Bold.ttf",
            _DEJAVU + "DejaVuSans.ttf",
            46,
            46,
        ),
        margins=(190, 170, 170, 160),
        line_spacing=1.75,
        heading="hoc_ba",
        identity_labels=_labels(),
        name_upper=True,
        dob_style="slash",
        leaders=True,
        photo_box=True,
        name_and_gender_on_one_line=False,
        section_upper=True,
        year_separator="-",
        subject_order="vocab",
        subject_variant_pick=None,
        term_headers=_FULL_TERMS,
        retest_column=True,
        short_integers=False,
        average_label="Điểm TB các môn",
        rank_abbreviations=False,
        awards_label="Danh hiệu",
        col_scale=(2.3, 1.0, 1.0, 1.0, 1.5, 1.6),
        level_style="full",
        pcnl_abbreviations=False,
        test_header="Điểm KTĐK",
        absence_style="nghi_hoc",
        score_before_level=False,
        competency_variant_wording=False,
    ),
    "p2": PrintVariant(
        name="p2",
        fonts=Fonts(
            _NOTO + "NotoSerif-Regular.ttf",
            _NOTO + "NotoSerif-Bold.ttf",
            _NOTO + "NotoSerif-Regular.ttf",
            44,
            44,
            80,
        ),
        margins=(150, 150, 150, 150),
        line_spacing=1.6,
        heading="so_yeu",
        identity_labels=_labels(
            full_name="Họ và tên học sinh",
            date_of_birth="Ngày, tháng, năm sinh",
            residence="Nơi ở hiện nay",
            personal_id="Mã định danh",
        ),
        name_upper=False,
        dob_style="words",
        leaders=False,
        photo_box=False,
        name_and_gender_on_one_line=True,
        section_upper=True,
        year_separator=" - ",
        subject_order="languages_first",
        subject_variant_pick=0,
        term_headers=_SHORT_TERMS,
        retest_column=False,
        short_integers=True,
        average_label="ĐTB các môn",
        rank_abbreviations=True,
        awards_label="Khen thưởng",
        col_scale=(2.6, 1.0, 1.0, 1.0, 1.8),
        level_style="letter",
        pcnl_abbreviations=True,
        test_header="Điểm kiểm tra định kỳ",
        absence_style="so_ngay",
        score_before_level=False,
        competency_variant_wording=True,
    ),
    "p3": PrintVariant(
        name="p3",
        fonts=Fonts(
            _DEJAVU + "DejaVuSans.ttf",
            _DEJAVU + "DejaVuSans-Bold.ttf",
            _DEJAVU + "DejaVuSansCondensed.ttf",
            42,
            44,
            76,
        ),
        margins=(220, 200, 200, 180),
        line_spacing=1.9,
        heading="both",
        identity_labels=_labels(
            full_name="Họ tên",
            gender="Nam/Nữ",
            father_name="Họ tên cha",
            mother_name="Họ tên mẹ",
            guardian_name="Họ và tên người giám hộ",
            personal_id="Mã học sinh",
        ),
        name_upper=True,
        dob_style="dash",
        leaders=True,
        photo_box=True,
        name_and_gender_on_one_line=False,
        section_upper=False,
        year_separator="-",
        subject_order="sciences_first",
        subject_variant_pick=None,
        term_headers=_FULL_TERMS,
        retest_column=False,
        short_integers=False,
        average_label="Điểm TB các môn",
        rank_abbreviations=False,
        awards_label="Danh hiệu",
        col_scale=(2.0, 1.0, 1.0, 1.0, 1.4),
        level_style="initials",
        pcnl_abbreviations=False,
        test_header="Điểm KTĐK",
        absence_style="nghi_hoc",
        score_before_level=True,
        competency_variant_wording=False,
    ),
    "p4": PrintVariant(
        name="p4",
        fonts=Fonts(
            _NOTO + "NotoSans-Regular.ttf",
            _NOTO + "NotoSans-Bold.ttf",
            _DEJAVU + "DejaVuSerif.ttf",
            48,
            46,
            88,
        ),
        margins=(170, 160, 180, 150),
        line_spacing=1.55,
        heading="hoc_ba",
        identity_labels=_labels(
            date_of_birth="Ngày, tháng, năm sinh",
            residence="Chỗ ở hiện tại",
            father_name="Họ tên cha",
            mother_name="Họ tên mẹ",
        ),
        name_upper=False,
        dob_style="slash",
        leaders=False,
        photo_box=False,
        name_and_gender_on_one_line=True,
        section_upper=True,
        year_separator=" - ",
        subject_order="vocab",
        subject_variant_pick=1,
        term_headers=_SHORT_TERMS,
        retest_column=True,
        short_integers=True,
        average_label="ĐTB các môn",
        rank_abbreviations=False,
        awards_label="Danh hiệu",
        col_scale=(2.4, 0.9, 0.9, 0.9, 1.6, 1.5),
        level_style="full",
        pcnl_abbreviations=False,
        test_header="Điểm kiểm tra định kỳ",
        absence_style="so_ngay",
        score_before_level=False,
        competency_variant_wording=True,
    ),
    "p5": PrintVariant(
        name="p5",
        fonts=Fonts(
            _DEJAVU + "DejaVuSerifCondensed.ttf",
            _DEJAVU + "DejaVuSerifCondensed-Bold.ttf",
            _NOTO + "NotoSans-Regular.ttf",
            50,
            48,
            90,
        ),
        margins=(160, 180, 160, 160),
        line_spacing=1.7,
        heading="so_yeu",
        identity_labels=_labels(
            full_name="Họ và tên học sinh",
            gender="Nam/Nữ",
            residence="Nơi ở hiện nay",
            guardian_name="Họ và tên người giám hộ",
        ),
        name_upper=True,
        dob_style="words",
        leaders=True,
        photo_box=False,
        name_and_gender_on_one_line=False,
        section_upper=False,
        year_separator="-",
        subject_order="languages_first",
        subject_variant_pick=None,
        term_headers=_FULL_TERMS,
        retest_column=True,
        short_integers=False,
        average_label="Điểm TB các môn",
        rank_abbreviations=True,
        awards_label="Khen thưởng",
        col_scale=(2.2, 1.0, 1.0, 1.0, 1.7, 1.4),
        level_style="letter",
        pcnl_abbreviations=True,
        test_header="Điểm KTĐK",
        absence_style="nghi_hoc",
        score_before_level=True,
        competency_variant_wording=False,
    ),
    "p6": PrintVariant(
        name="p6",
        fonts=Fonts(
            _NOTO + "NotoSerif-Regular.ttf",
            _NOTO + "NotoSerif-Bold.ttf",
            _DEJAVU + "DejaVuSansCondensed.ttf",
            44,
            46,
            82,
        ),
        margins=(200, 150, 150, 150),
        line_spacing=1.8,
        heading="both",
        identity_labels=_labels(
            full_name="Họ tên",
            residence="Chỗ ở hiện tại",
            personal_id="Mã định danh",
        ),
        name_upper=False,
        dob_style="dash",
        leaders=False,
        photo_box=True,
        name_and_gender_on_one_line=False,
        section_upper=True,
        year_separator="-",
        subject_order="sciences_first",
        subject_variant_pick=0,
        term_headers=_SHORT_TERMS,
        retest_column=False,
        short_integers=False,
        average_label="ĐTB các môn",
        rank_abbreviations=False,
        awards_label="Danh hiệu",
        col_scale=(2.5, 1.1, 1.1, 1.1, 1.6),
        level_style="initials",
        pcnl_abbreviations=False,
        test_header="Điểm KTĐK",
        absence_style="so_ngay",
        score_before_level=False,
        competency_variant_wording=False,
    ),
    # Benchmark-only printing: Display cuts of Noto (no dev variant uses them) and a label mix
    # that no dev variant has.
    "holdout": PrintVariant(
        name="holdout",
        fonts=Fonts(
            _NOTO + "NotoSerifDisplay-Regular.ttf",
            _NOTO + "NotoSerifDisplay-Bold.ttf",
            _NOTO + "NotoSansDisplay-Regular.ttf",
            47,
            45,
            86,
        ),
        margins=(180, 190, 190, 170),
        line_spacing=1.65,
        heading="both",
        identity_labels=_labels(
            full_name="Họ tên",
            gender="Nam/Nữ",
            date_of_birth="Ngày, tháng, năm sinh",
            residence="Chỗ ở hiện tại",
            father_name="Họ tên cha",
            guardian_name="Họ và tên người giám hộ",
            personal_id="Mã học sinh",
        ),
        name_upper=True,
        dob_style="words",
        leaders=True,
        photo_box=True,
        name_and_gender_on_one_line=True,
        section_upper=False,
        year_separator=" - ",
        subject_order="sciences_first",
        subject_variant_pick=2,
        term_headers=_FULL_TERMS,
        retest_column=True,
        short_integers=True,
        average_label="ĐTB các môn",
        rank_abbreviations=True,
        awards_label="Khen thưởng",
        col_scale=(2.1, 1.0, 1.0, 1.0, 1.5, 1.5),
        level_style="initials",
        pcnl_abbreviations=True,
        test_header="Điểm kiểm tra định kỳ",
        absence_style="so_ngay",
        score_before_level=True,
        competency_variant_wording=True,
    ),
    # Benchmark-only, never looked at: Liberation fonts (metric-compatible with the Times New
    # Roman and Arial of office printers), the "Nam Nữ" label.
    "holdout2": PrintVariant(
        name="holdout2",
        fonts=Fonts(
            _LIBERATION + "LiberationSerif-Regular.ttf",
            _LIBERATION + "LiberationSerif-Bold.ttf",
            _LIBERATION + "LiberationSans-Regular.ttf",
            50,
            50,
            88,
        ),
        margins=(200, 170, 170, 170),
        line_spacing=1.7,
        heading="hoc_ba",
        identity_labels=_labels(
            full_name="Họ và tên",
            gender="Nam Nữ",
            date_of_birth="Ngày sinh",
            father_name="Họ và tên cha",
            mother_name="Họ tên mẹ",
            guardian_name="Người giám hộ",
        ),
        name_upper=False,
        dob_style="slash",
        leaders=True,
        photo_box=False,
        name_and_gender_on_one_line=True,
        section_upper=True,
        year_separator="-",
        subject_order="languages_first",
        subject_variant_pick=1,
        term_headers=_FULL_TERMS,
        retest_column=False,
        short_integers=False,
        average_label="Điểm TB các môn",
        rank_abbreviations=False,
        awards_label="Danh hiệu",
        col_scale=(2.2, 1.1, 1.1, 1.1, 1.5),
        level_style="full",
        pcnl_abbreviations=False,
        test_header="Điểm KTĐK",
        absence_style="nghi_hoc",
        score_before_level=False,
        competency_variant_wording=False,
    ),
    # Benchmark-only, never looked at, added after holdout2's errors had been seen: values
    # typed in a monospace (a typewriter's or a dot-matrix printer's), labels in italic serif.
    "holdout3": PrintVariant(
        name="holdout3",
        fonts=Fonts(
            _NOTO + "NotoSerif-Italic.ttf",
            _NOTO + "NotoSerif-BoldItalic.ttf",
            _LIBERATION + "LiberationMono-Regular.ttf",
            44,
            48,
            80,
        ),
        margins=(180, 190, 160, 170),
        line_spacing=1.8,
        heading="so_yeu",
        identity_labels=_labels(
            full_name="Họ và tên học sinh",
            gender="Giới tính",
            date_of_birth="Ngày, tháng, năm sinh",
            residence="Nơi ở hiện nay",
            father_name="Họ tên cha",
            mother_name="Họ và tên mẹ",
            guardian_name="Người giám hộ",
            personal_id="Số định danh cá nhân",
        ),
        name_upper=True,
        dob_style="dash",
        leaders=False,
        photo_box=True,
        name_and_gender_on_one_line=False,
        section_upper=False,
        year_separator=" - ",
        subject_order="sciences_first",
        subject_variant_pick=0,
        term_headers=_SHORT_TERMS,
        retest_column=True,
        short_integers=True,
        average_label="ĐTB các môn",
        rank_abbreviations=True,
        awards_label="Khen thưởng",
        col_scale=(2.0, 1.0, 1.0, 1.0, 1.4, 1.4),
        level_style="letter",
        pcnl_abbreviations=True,
        test_header="Điểm KTĐK",
        absence_style="so_ngay",
        score_before_level=False,
        competency_variant_wording=False,
    ),
    # Benchmark-only, added after the other three had all been looked at: Arial-metric labels
    # and Times-metric values (the office printer's pair, the other way round from holdout2),
    # "Mã định danh", bold-free section headings, columns wider on the right.
    "holdout4": PrintVariant(
        name="holdout4",
        fonts=Fonts(
            _LIBERATION + "LiberationSans-Regular.ttf",
            _LIBERATION + "LiberationSans-Bold.ttf",
            _LIBERATION + "LiberationSerif-Regular.ttf",
            42,
            50,
            78,
        ),
        margins=(230, 150, 150, 200),
        line_spacing=1.9,
        heading="both",
        identity_labels=_labels(
            full_name="Họ và tên học sinh",
            gender="Giới tính",
            date_of_birth="Ngày sinh",
            residence="Chỗ ở hiện tại",
            father_name="Họ và tên cha",
            mother_name="Họ tên mẹ",
            guardian_name="Họ và tên người giám hộ",
            personal_id="Mã định danh",
        ),
        name_upper=False,
        dob_style="words",
        leaders=True,
        photo_box=False,
        name_and_gender_on_one_line=False,
        section_upper=True,
        year_separator=" - ",
        subject_order="languages_first",
        subject_variant_pick=0,
        term_headers=_SHORT_TERMS,
        retest_column=False,
        short_integers=True,
        average_label="Điểm TB các môn",
        rank_abbreviations=False,
        awards_label="Danh hiệu",
        col_scale=(1.9, 1.0, 1.0, 1.2, 1.7),
        level_style="initials",
        pcnl_abbreviations=False,
        test_header="Điểm KTĐK",
        absence_style="nghi_hoc",
        score_before_level=True,
        competency_variant_wording=False,
    ),
    # Benchmark-only, added before any run on it, after holdout4's errors had been seen:
    # labels in an oblique sans, values in an italic Times-metric serif.
    "holdout5": PrintVariant(
        name="holdout5",
        fonts=Fonts(
            _DEJAVU + "DejaVuSans-Oblique.ttf",
            _DEJAVU + "DejaVuSans-BoldOblique.ttf",
            _LIBERATION + "LiberationSerif-Italic.ttf",
            44,
            50,
            80,
        ),
        margins=(190, 200, 170, 180),
        line_spacing=1.75,
        heading="hoc_ba",
        identity_labels=_labels(
            date_of_birth="Ngày, tháng, năm sinh",
            father_name="Họ tên cha",
            guardian_name="Họ và tên người giám hộ",
            personal_id="Mã định danh",
        ),
        name_upper=True,
        dob_style="slash",
        leaders=False,
        photo_box=True,
        name_and_gender_on_one_line=True,
        section_upper=False,
        year_separator="-",
        subject_order="sciences_first",
        subject_variant_pick=2,
        term_headers=_FULL_TERMS,
        retest_column=True,
        short_integers=False,
        average_label="ĐTB các môn",
        rank_abbreviations=True,
        awards_label="Khen thưởng",
        col_scale=(2.3, 1.1, 1.1, 1.0, 1.4, 1.5),
        level_style="letter",
        pcnl_abbreviations=True,
        test_header="Điểm kiểm tra định kỳ",
        absence_style="so_ngay",
        score_before_level=False,
        competency_variant_wording=True,
    ),
    # Benchmark-only, added before any run on it, after holdout5's errors had been seen:
    # labels in an italic humanist sans, values in a bold Times-metric serif.
    "holdout6": PrintVariant(
        name="holdout6",
        fonts=Fonts(
            _NOTO + "NotoSans-Italic.ttf",
            _NOTO + "NotoSans-BoldItalic.ttf",
            _LIBERATION + "LiberationSerif-Bold.ttf",
            46,
            47,
            76,
        ),
        margins=(230, 160, 200, 170),
        line_spacing=1.85,
        heading="so_yeu",
        identity_labels=_labels(
            full_name="Họ tên",
            gender="Nam Nữ",
            mother_name="Họ và tên mẹ",
            residence="Nơi ở hiện nay",
            personal_id="Mã học sinh",
        ),
        name_upper=False,
        dob_style="words",
        leaders=True,
        photo_box=True,
        name_and_gender_on_one_line=False,
        section_upper=True,
        year_separator=" - ",
        subject_order="languages_first",
        subject_variant_pick=1,
        term_headers=_SHORT_TERMS,
        retest_column=False,
        short_integers=True,
        average_label="Điểm TB các môn",
        rank_abbreviations=False,
        awards_label="Danh hiệu",
        col_scale=(2.0, 1.2, 1.2, 1.1, 1.3),
        level_style="initials",
        pcnl_abbreviations=False,
        test_header="Điểm KTĐK",
        absence_style="nghi_hoc",
        score_before_level=True,
        competency_variant_wording=False,
    ),
}

HELD_OUT: tuple[str, ...] = ("holdout", "holdout2", "holdout3", "holdout4", "holdout5", "holdout6")
DEV_VARIANTS: tuple[str, ...] = tuple(name for name in VARIANTS if name not in HELD_OUT)
