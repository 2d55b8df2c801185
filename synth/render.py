"""Draw a TranscriptRecord as the printed pages of a paper booklet (forms.md), A4 at 300 dpi.

Page 1 is the identity page, then one year page per `record.years` entry. The frame (labels,
headings, subject names, grid) is drawn in the variant's label font, the values in its value
font, as school software printed them. Null values stay blank. Signatures and seals are drawn
from a generator seeded by the document id, so a booklet always renders the same pixels.
"""

from __future__ import annotations

import functools
import random
from collections.abc import Callable, Sequence

from PIL import Image

from domain.record import TermTriple, TranscriptRecord, YearPage
from domain.text import title_case_name
from domain.vocab import SUBJECTS_BY_FAMILY, subject_by_name
from synth.handwriting import HandSheet
from synth.layouts import ROW_ORDERS, PrintVariant
from synth.sheet import GRID, MASTER_DPI, Cell, Sheet, page_size

__all__ = ["draw_booklet", "page_size", "render_booklet"]

_SURNAMES = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Ngô")
_MIDDLE = ("Văn", "Thị", "Đức", "Minh", "Thanh", "Hữu", "Ngọc")
_GIVEN = ("Hùng", "Lan", "Hương", "Dũng", "Tuấn", "Mai", "Hải", "Thủy", "Bình", "Phượng")
_OCCUPATIONS = ("Làm ruộng", "Công nhân", "Giáo viên", "Buôn bán", "Cán bộ", "Nội trợ", "Lái xe")
_LEVEL_SHORT = {
    "letter": {"Hoàn thành tốt": "T", "Hoàn thành": "H", "Chưa hoàn thành": "C"},
    "initials": {"Hoàn thành tốt": "HTT", "Hoàn thành": "HT", "Chưa hoàn thành": "CHT"},
}
_PCNL_SHORT = {"Tốt": "T", "Đạt": "Đ", "Cần cố gắng": "C"}
_RANK_SHORT = {"Tốt": "T", "Khá": "K", "Trung bình": "TB", "Yếu": "Y", "Giỏi": "G"}


# ---- value formatting (the printed form of canonical values) -----------------------------


def format_score(value: float | str | None, variant: PrintVariant) -> str:
    """7.5 -> "7,5"; 8.0 -> "8,0" or "8" by variant; "Đ"/"CĐ" as they are; None -> ""."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if variant.short_integers and float(value).is_integer():
        return str(int(value))
    return f"{value:.1f}".replace(".", ",")


def format_dob(iso: str | None, variant: PrintVariant) -> str:
    if not iso:
        return ""
    year, month, day = (int(part) for part in iso.split("-"))
    if variant.dob_style == "slash":
        return f"{day:02d}/{month:02d}/{year}"
    if variant.dob_style == "dash":
        return f"{day}-{month}-{year}"
    return f"ngày {day:02d} tháng {month} năm {year}"


def format_name(name: str | None, variant: PrintVariant) -> str:
    if not name:
        return ""
    return name.upper() if variant.name_upper else title_case_name(name)


def format_rank(value: float | str | None, variant: PrintVariant) -> str:
    text = "" if value is None else str(value)
    return _RANK_SHORT.get(text, text) if variant.rank_abbreviations else text


def format_level(level: str | None, variant: PrintVariant) -> str:
    if level is None:
        return ""
    return _LEVEL_SHORT.get(variant.level_style, {}).get(level, level)


def format_pcnl(level: str | None, variant: PrintVariant) -> str:
    if level is None:
        return ""
    return _PCNL_SHORT.get(level, level) if variant.pcnl_abbreviations else level


def school_year_text(school_year: str | None, variant: PrintVariant) -> str:
    return school_year.replace("-", variant.year_separator) if school_year else ""


def printed_subject(family: str, name: str, variant: PrintVariant) -> str:
    subject = subject_by_name(family, name)
    if variant.subject_variant_pick is None or subject is None or not subject.variants:
        return name
    return subject.variants[variant.subject_variant_pick % len(subject.variants)]


def ordered(names: Sequence[str], family: str, variant: PrintVariant) -> list[int]:
    """Indices of the year's subjects in this printing's row order."""
    vocab_order = tuple(s.name for s in SUBJECTS_BY_FAMILY[family])
    order = ROW_ORDERS.get((variant.subject_order, family), vocab_order)
    rank = {name: i for i, name in enumerate(order)}
    return sorted(range(len(names)), key=lambda i: (rank.get(names[i], len(order)), i))


def _person(rng: random.Random) -> str:
    return f"{rng.choice(_SURNAMES)} {rng.choice(_MIDDLE)} {rng.choice(_GIVEN)}"


def _province(record: TranscriptRecord) -> str:
    for text in (record.student.residence, record.student.place_of_birth):
        if text:
            last = text.split(",")[-1].strip()
            for prefix in ("tỉnh ", "Tỉnh ", "thành phố ", "Thành phố ", "TP. ", "TP "):
                last = last.removeprefix(prefix)
            return last
    return "Hà Nội"


def _school(record: TranscriptRecord, year: YearPage | None = None) -> str:
    name = (year.school_name if year else None) or next(
        (y.school_name for y in record.years if y.school_name), None
    )
    return name or ""


def _start_year(record: TranscriptRecord) -> int:
    for year in record.years:
        if year.school_year:
            return int(year.school_year[:4])
    return 2012


# ---- pages -------------------------------------------------------------------------------


def _masthead(s: Sheet, record: TranscriptRecord, year: YearPage | None) -> None:
    """Ministry line and school at the left, the national motto at the right."""
    top = s.y
    s.text(s.left, top, f"SỞ GD&ĐT {_province(record).upper()}", "small")
    school = _school(record, year)
    if school:
        s.text(s.left, top + s.line_h * 0.8, f"Trường: {school}", "small")
    motto = ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc")
    cx = s.right - s.width(motto[0], "small") / 2
    s.y = top
    for i, line in enumerate(motto):
        s.y = round(top + i * s.line_h * 0.8)
        s.centered(line, "small", cx)
    s.y = round(top + s.line_h * 2.2)


def _signature_block(s: Sheet, cx: float, title: str, seal_text: str | None) -> None:
    s.centered(title, "bold", cx)
    s.y += round(s.line_h * 0.8)
    s.centered("(Ký, ghi rõ họ tên" + (" và đóng dấu)" if seal_text else ")"), "small", cx)
    sign_y = s.y + s.line_h * 1.6
    s.scribble(cx + s.rng.uniform(-60, 60), sign_y, 300, 90)
    if seal_text:
        # the seal sits on the left of the signature; now and then it touches the title too
        s.seal(cx - 150 + s.rng.uniform(-40, 40), sign_y + s.rng.uniform(20, 90), seal_text)
    s.y = round(s.y + s.line_h * 3.2)
    s.centered(_person(s.rng), "value", cx)


def identity_page(record: TranscriptRecord, variant: PrintVariant, s: Sheet) -> None:
    level = "TRUNG HỌC CƠ SỞ" if record.family == "THCS-2011" else "TIỂU HỌC"
    _masthead(s, record, None)
    if variant.heading in ("hoc_ba", "both"):
        s.centered("HỌC BẠ", "heading")
        s.newline(1.6)
        s.centered(level, "subheading")
        s.newline(1.4)
    if variant.heading in ("so_yeu", "both"):
        s.centered("SƠ YẾU LÝ LỊCH HỌC SINH", "subheading")
        s.newline(1.2)
        if variant.heading == "so_yeu":
            s.centered(level, "bold")
            s.newline(1.2)
    s.newline(0.4)
    _identity_fields(s, record, variant)
    s.newline(0.5)
    cx = s.left + (s.right - s.left) * 0.72
    s.centered(f"{_province(record)}, ngày 15 tháng 9 năm {_start_year(record)}", "value", cx)
    s.newline(1.0)
    _signature_block(s, cx, "HIỆU TRƯỞNG", _school(record))
    s.newline(1.4)
    _history_table(s, record)


def _identity_fields(s: Sheet, record: TranscriptRecord, variant: PrintVariant) -> None:
    """The "Label: value" lines; lines beside the THCS photo box start right of it."""
    st, labels = record.student, variant.identity_labels
    photo_bottom = s.y
    if variant.photo_box and record.family == "THCS-2011":
        s.draw.rectangle([s.left, s.y, s.left + 300, s.y + 400], outline=GRID, width=3)
        s.text(s.left + 90, s.y + 170, "Ảnh 3x4", "small")
        photo_bottom = s.y + 420

    def line(*fields: tuple[str, str | None], split: float = 0.5) -> None:
        x0 = s.left + 360 if s.y + s.line_h * 0.6 < photo_bottom else s.left
        mid = x0 + (s.right - x0) * split
        bounds = [(x0, s.right)] if len(fields) == 1 else [(x0, mid - 30), (mid, s.right)]
        for (label, value), (start, end) in zip(fields, bounds, strict=True):
            s.field(start, end, label, value)
        s.newline()

    name = (labels["full_name"], format_name(st.full_name, variant))
    if variant.name_and_gender_on_one_line:
        line(name, (labels["gender"], st.gender), split=0.68)
    else:
        line(name)
        line((labels["gender"], st.gender))
    line((labels["date_of_birth"], format_dob(st.date_of_birth, variant)))
    line((labels["place_of_birth"], st.place_of_birth))
    if st.nationality:
        line((labels["ethnicity"], st.ethnicity), (labels["nationality"], st.nationality))
    else:
        line((labels["ethnicity"], st.ethnicity))
    line((labels["residence"], st.residence))
    for key in ("father_name", "mother_name", "guardian_name"):
        parent = getattr(st, key)
        job = s.rng.choice(_OCCUPATIONS) if parent else None
        line((labels[key], format_name(parent, variant)), ("Nghề nghiệp", job), split=0.6)
    if st.personal_id:
        line((labels["personal_id"], st.personal_id))


def _history_table(s: Sheet, record: TranscriptRecord) -> None:
    s.section("Quá trình học tập")
    usable = s.right - s.left
    widths = [usable * w / 8.2 for w in (1.5, 1.0, 2.9, 1.3, 1.5)]
    rows: list[list[Cell]] = []
    previous_school = None
    register = s.rng.randint(12, 480)
    for year in record.years:
        new_school = year.school_name != previous_school
        if new_school:
            register = s.rng.randint(12, 480)
        start = year.school_year[:4] if year.school_year else ""
        joined = f"{s.rng.randint(1, 9):02d}/09/{start}" if new_school and start else ""
        rows.append(
            [
                (school_year_text(year.school_year, s.v), "value"),
                (year.class_name or "", "value"),
                (year.school_name or "", "value"),
                (f"{register}/{start}" if start else "", "value"),
                (joined, "value"),
            ]
        )
        previous_school = year.school_name
    s.table(
        widths, ["Năm học", "Lớp", "Tên trường", "Số đăng bộ", "Ngày nhập học"], rows, frozenset()
    )


def _year_header(s: Sheet, record: TranscriptRecord, year: YearPage, name_label: str) -> None:
    _masthead(s, record, year)
    s.newline(0.3)
    usable = s.right - s.left
    x_class, x_year = s.left + usable * 0.56, s.left + usable * 0.74
    s.field(s.left, x_class - 30, name_label, format_name(record.student.full_name, s.v))
    s.field(x_class, x_year - 30, "Lớp", year.class_name)
    s.field(x_year, s.right, "Năm học", school_year_text(year.school_year, s.v))
    s.newline(1.5)


def thcs_year_page(record: TranscriptRecord, year: YearPage, s: Sheet) -> None:
    v = s.v
    _year_header(s, record, year, "Họ và tên")
    usable = s.right - s.left
    # a printing without the retest column still gets it when this year has a retest to show
    retest = v.retest_column or any(subj.retest is not None for subj in year.subjects)
    scale = list(v.col_scale)
    if retest and not v.retest_column:
        scale.insert(4, 1.5)
    widths = [usable * w / sum(scale) for w in scale]
    header = ["Môn học", *v.term_headers]
    if retest:
        header.append("Điểm hoặc xếp loại sau kiểm tra lại")
    header.append("Giáo viên bộ môn ký")
    rows: list[list[Cell]] = []
    names = [subj.name for subj in year.subjects]
    for i in ordered(names, record.family, v):
        subj = year.subjects[i]
        row: list[Cell] = [(printed_subject(record.family, subj.name, v), "label")]
        row += [(format_score(x, v), "value") for x in (subj.hk1, subj.hk2, subj.year)]
        if retest:
            row.append((format_score(subj.retest, v), "value"))
        rows.append([*row, ("", "value")])
    avg = year.average_all or TermTriple()
    last: list[Cell] = [(v.average_label, "bold")]
    last += [(format_score(x, v), "value") for x in (avg.hk1, avg.hk2, avg.year)]
    rows.append(last + [("", "value")] * (len(header) - 4))
    boxes = s.table(widths, header, rows)
    for box in boxes[len(header) - 1 :: len(header)][: len(rows) - 1]:
        s.scribble((box[0] + box[2]) / 2, (box[1] + box[3]) / 2, (box[2] - box[0]) * 0.5, 24)
    s.newline(0.5)
    conduct, academic = year.conduct or TermTriple(), year.academic or TermTriple()
    table2 = [
        [(term, "label"), (format_rank(c, v), "value"), (format_rank(a, v), "value")]
        for term, c, a in zip(
            ("Học kỳ I", "Học kỳ II", "Cả năm"),
            (conduct.hk1, conduct.hk2, conduct.year),
            (academic.hk1, academic.hk2, academic.year),
            strict=True,
        )
    ]
    s.table([usable * 0.22, usable * 0.2, usable * 0.2], ["Học kỳ", "Hạnh kiểm", "Học lực"], table2)
    s.newline(0.4)
    absences = "" if year.absences is None else str(year.absences)
    s.field(s.left, s.right, "Tổng số buổi nghỉ học cả năm", absences)
    s.newline()
    if year.decision:
        s.text(s.left, s.y, year.decision, "value")
    s.newline()
    s.field(s.left, s.right, v.awards_label, year.awards)
    s.newline()
    _comment(s, "Nhận xét của giáo viên chủ nhiệm", year.homeroom_comment)
    _two_signatures(s, "Giáo viên chủ nhiệm", "Phê duyệt của Hiệu trưởng", _school(record, year))


def _comment(s: Sheet, label: str, text: str | None) -> None:
    x = s.text(s.left, s.y, f"{label}:", "label") + 18
    lines = s.wrap(text or "", "value", s.right - x)
    for i, line in enumerate(lines or [""]):
        s.text(s.left if i else x, s.y - 2, line, "value")
        if s.v.leaders:
            s.leader(
                s.left + s.width(line, "value") if i else x + s.width(line, "value"), s.right, s.y
            )
        s.newline()


def _two_signatures(s: Sheet, left_title: str, right_title: str, seal_text: str) -> None:
    top = s.y + round(s.line_h * 0.3)
    usable = s.right - s.left
    s.y = top
    _signature_block(s, s.left + usable * 0.25, left_title, None)
    s.y = top
    _signature_block(s, s.left + usable * 0.75, right_title, seal_text)
    s.newline()


def th_year_page(record: TranscriptRecord, year: YearPage, s: Sheet) -> None:
    v = s.v
    _year_header(s, record, year, "Họ và tên học sinh")
    s.y -= round(s.line_h * 0.4)
    absences = "" if year.absences is None else str(year.absences)
    if v.absence_style == "nghi_hoc":
        x = s.text(s.left, s.y, "Nghỉ học:", "label") + 18
        x = s.text(x, s.y - 2, absences or "   ", "value") + 14
        s.text(x, s.y, "ngày", "label")
    else:
        s.field(s.left, s.left + 700, "Số ngày nghỉ", absences)
    s.newline(1.3)
    usable = s.right - s.left
    level_h, score_h = "Mức đạt được", v.test_header
    cols = [
        ("Môn học và hoạt động giáo dục", 2.3),
        (level_h, 1.8 if v.level_style == "full" else 1.25),  # "Hoàn thành tốt" on one line
        (score_h, 1.0 if v.level_style == "full" else 1.15),
        ("Nhận xét", 2.9 if v.level_style == "full" else 3.3),
    ]
    if v.score_before_level:
        cols[1], cols[2] = cols[2], cols[1]
    total = sum(w for _, w in cols)
    rows: list[list[Cell]] = []
    names = [subj.name for subj in year.subjects]
    for i in ordered(names, record.family, v):
        subj = year.subjects[i]
        level = (format_level(subj.level, v), "value")
        score = ("" if subj.test_score is None else str(subj.test_score), "value")
        pair = [score, level] if v.score_before_level else [level, score]
        rows.append(
            [
                (printed_subject(record.family, subj.name, v), "label"),
                *pair,
                (subj.comment or "", "value"),
            ]
        )
    s.table([usable * w / total for _, w in cols], [c for c, _ in cols], rows, frozenset({0, 3}))
    s.newline(0.4)
    for title, items in (("Năng lực", year.competencies), ("Phẩm chất", year.qualities)):
        rated = [
            [
                (_competency_name(item.name, v), "label"),
                (format_pcnl(item.level, v), "value"),
                (item.comment or "", "value"),
            ]
            for item in items or []
        ]
        s.table(
            [usable * 0.3, usable * 0.2, usable * 0.5],
            [title, "Mức đạt được", "Nhận xét"],
            rated,
            frozenset({0, 2}),
        )
        s.newline(0.4)
    s.field(s.left, s.right, "Khen thưởng", year.awards)
    s.newline()
    if year.decision:
        s.text(s.left, s.y, year.decision, "value")
    s.newline()
    if year.homeroom_comment:  # not on the TH-2014 form itself, but never drop a truth value
        _comment(s, "Nhận xét của giáo viên chủ nhiệm", year.homeroom_comment)
    _two_signatures(s, "Giáo viên chủ nhiệm", "Hiệu trưởng", _school(record, year))


def _competency_name(name: str, variant: PrintVariant) -> str:
    if variant.competency_variant_wording and name == "Tự học và giải quyết vấn đề":
        return "Tự học, giải quyết vấn đề"
    return name


def _draw_fitted(
    draw_page: Callable[[Sheet], None], variant: PrintVariant, seed: str, hand: bool = False
) -> Sheet:
    """Draw; when the content runs past the bottom margin, redraw with tighter spacing."""
    kind = HandSheet if hand else Sheet
    for spacing in (1.0, 0.9, 0.8, 0.72, 0.65):
        sheet = kind(variant, random.Random(seed), spacing)
        draw_page(sheet)
        if sheet.y <= sheet.bottom + variant.margins[3] // 3:  # a little into the margin is fine
            break
    sheet.img.info["dpi"] = (MASTER_DPI, MASTER_DPI)
    return sheet


def draw_booklet(
    record: TranscriptRecord, variant: PrintVariant, handwritten: bool = False
) -> list[Sheet]:
    """The drawn sheets at 300 dpi: page images plus the strings printed on each. With
    `handwritten`, every value is written by hand into the printed frame."""
    seed = f"{record.document_id}:{variant.name}"
    identity = functools.partial(identity_page, record, variant)
    sheets = [_draw_fitted(identity, variant, f"{seed}:0", handwritten)]
    year_page = thcs_year_page if record.family == "THCS-2011" else th_year_page
    for i, year in enumerate(record.years, start=1):
        draw = functools.partial(_year, year_page, record, year)
        sheets.append(_draw_fitted(draw, variant, f"{seed}:{i}", handwritten))
    return sheets


def render_booklet(
    record: TranscriptRecord, variant: PrintVariant, dpi: int = 300, handwritten: bool = False
) -> list[Image.Image]:
    """The identity page then one year page per `record.years` entry, RGB at `dpi`."""
    pages = [sheet.img for sheet in draw_booklet(record, variant, handwritten)]
    if dpi != MASTER_DPI:
        pages = [_resample(p, dpi) for p in pages]
    return pages


def _year(
    year_page: Callable[[TranscriptRecord, YearPage, Sheet], None],
    record: TranscriptRecord,
    year: YearPage,
    sheet: Sheet,
) -> None:
    year_page(record, year, sheet)


def _resample(page: Image.Image, dpi: int) -> Image.Image:
    out = page.resize(page_size(dpi), Image.Resampling.LANCZOS)
    out.info["dpi"] = (dpi, dpi)
    return out
