"""Render a TranscriptRecord as a PDF/A-3b transcript laid out like the Ministry's paper forms.

One identity page, then one page per year page of the booklet (shared/docs/forms.md). Every
page carries the conversion statement required for a paper-to-electronic copy (Luật Giao dịch
điện tử 2023, Điều 12: converted mark + who converted) and a QR code of the verify URL. The
contract JSON of the record is attached as an associated file (/AF, relationship Data) so that
the signed PDF carries the machine-readable record it shows.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from io import BytesIO
from pathlib import Path
from typing import Any

import qrcode
from fontTools.ttLib import TTFont
from fpdf import FPDF
from fpdf.enums import XPos, YPos
from fpdf.fonts import SubsetMap

from domain.errors import SigningError
from domain.record import RatedItem, SubjectResult, TermTriple, TranscriptRecord, YearPage
from signing.blocks import FONT as _FONT
from signing.blocks import comment_block, label_value, mark, table, text_line, vn_date
from signing.fonts import vietnamese_serif_fonts

ATTACHMENT_NAME = "transcript.json"
CONVERSION_STATEMENT = "Bản điện tử chuyển đổi từ học bạ giấy"
_LEVEL_TITLE = {"THCS-2011": "TRUNG HỌC CƠ SỞ", "TH-2014": "TIỂU HỌC"}
_FOOTER_H = 27.0  # statement + QR band at the bottom of every page
_QR_SIZE = 21.0


@dataclass(frozen=True)
class IssueInfo:
    doc_id: str  # document number printed on every page and used in the verify URL
    issuer_unit: str  # e.g. "Sở Giáo dục và Đào tạo Long An"
    converted_by: str  # pipeline version or the person who converted
    issued_on: dt.date
    verify_url: str


def render_transcript(
    record: TranscriptRecord, info: IssueInfo, scans: Sequence[bytes] = ()
) -> bytes:
    """PDF/A-3b bytes: identity page + one page per year, then the original page scans (JPEG
    bytes, in page order) as an appendix; DejaVu embedded, JSON record attached."""
    try:
        pdf = _TranscriptPdf(record, info)
        _identity_page(pdf, record)
        for year in record.years:
            pdf.add_page()
            if record.family == "THCS-2011":
                _thcs_year_page(pdf, record, year)
            else:
                _th_year_page(pdf, record, year)
        for number, jpeg in enumerate(scans, start=1):
            _scan_page(pdf, number, len(scans), jpeg)
        _attach_record(pdf, record)
        data = bytes(pdf.output())
        _refuse_missing_glyphs(pdf)
        return data
    except SigningError:
        raise
    except Exception as exc:  # fpdf2 raises plain errors (font, compliance); type them
        raise SigningError(
            f"Rendering transcript {info.doc_id} failed: {exc}",
            hint="check the fonts (HOCBA_FONT_DIR) and the record; the record was not issued",
        ) from exc


class _TranscriptPdf(FPDF):
    """FPDF with the conversion footer; alias {nb} gives the page count."""

    def __init__(self, record: TranscriptRecord, info: IssueInfo) -> None:
        super().__init__(format="A4", enforce_compliance="PDF/A-3B")
        self.info = info
        self.qr_png = _qr_png(info.verify_url)
        files = tuple(
            sorted((style, str(path)) for style, path in vietnamese_serif_fonts().files.items())
        )
        for key, (font, raw) in _parsed_fonts(files).items():
            mine = copy.copy(font)  # shares the parsed metrics (read-only after parsing) ...
            mine.subset = SubsetMap(mine)  # ... but has its own glyph subset
            mine.missing_glyphs = []
            # output() subsets the TTFont in place: each document needs its own (lazy, cheap)
            mine.ttfont = TTFont(BytesIO(raw), recalcTimestamp=False, lazy=True)
            self.fonts[key] = mine
        self.set_margins(18, 14, 18)
        self.set_auto_page_break(True, margin=_FOOTER_H + 6)
        self.set_lang("vi")
        self.set_title(f"Học bạ {_LEVEL_TITLE[record.family].lower()} - {info.doc_id}")
        self.set_author(info.issuer_unit)
        self.set_subject(CONVERSION_STATEMENT)
        self.set_creator(info.converted_by)
        self.set_producer("hocba")
        self.creation_date = dt.datetime.combine(info.issued_on, dt.time(), dt.UTC)
        self.set_line_width(0.25)

    def footer(self) -> None:
        top = self.h - _FOOTER_H
        self.set_draw_color(60, 60, 60)
        self.line(self.l_margin, top, self.w - self.r_margin, top)
        text_w = self.epw - _QR_SIZE - 4
        self.set_xy(self.l_margin, top + 1.5)
        self.set_font(_FONT, "B", 8.5)
        self.cell(text_w, 4.5, CONVERSION_STATEMENT.upper(), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_font(_FONT, "", 8)
        for line in _statement_lines(self.info):
            size = 8.0
            while size > 5.5 and self.get_string_width(line) > text_w:  # long unit names, URLs
                size -= 0.5
                self.set_font_size(size)
            self.cell(text_w, 3.8, line, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            self.set_font_size(8)
        self.set_font(_FONT, "I", 7.5)
        self.cell(text_w, 3.8, f"Trang {self.page_no()}/{{nb}}")
        # one image XObject shared by every page: vector runs per page cost a tenth of a render
        x = self.w - self.r_margin - _QR_SIZE
        self.image(BytesIO(self.qr_png), x=x, y=top + 2.5, w=_QR_SIZE, h=_QR_SIZE)


@lru_cache(maxsize=2)
def _parsed_fonts(files: tuple[tuple[str, str], ...]) -> dict[str, tuple[Any, bytes]]:
    """Parse the TTFs once per process (fontkey -> (fpdf2 font, file bytes)): parsing cost
    more than the rest of a render."""
    template = FPDF()
    for style, path in files:
        template.add_font(_FONT, style, path)
    raw = {path: Path(path).read_bytes() for _, path in files}
    fonts: dict[str, Any] = dict(template.fonts)  # all TTFFont: no core fonts were added
    return {key: (font, raw[str(font.ttffile)]) for key, font in fonts.items()}


def _statement_lines(info: IssueInfo) -> list[str]:
    return [
        f"Đơn vị chuyển đổi: {info.issuer_unit}",
        f"Ngày chuyển đổi: {info.issued_on:%d/%m/%Y}    Số văn bản: {info.doc_id}",
        f"Người/phần mềm chuyển đổi: {info.converted_by}",
        f"Có chữ ký số của đơn vị chuyển đổi. Kiểm tra: {info.verify_url}",
    ]


# --- QR code: one small image per document ------------------------------------------------


def _qr_png(url: str) -> bytes:
    """The verify URL as a greyscale PNG, 8 px per module (crisp when scaled to 21 mm)."""
    code = qrcode.QRCode(border=0, box_size=8, error_correction=qrcode.constants.ERROR_CORRECT_M)
    code.add_data(url)
    code.make(fit=True)
    image = code.make_image(fill_color="black", back_color="white").get_image().convert("L")
    out = BytesIO()
    image.save(out, "PNG", optimize=False)
    return out.getvalue()


# --- identity page ----------------------------------------------------------------------------


def _identity_page(pdf: _TranscriptPdf, record: TranscriptRecord) -> None:
    pdf.add_page()
    _national_heading(pdf)
    pdf.ln(8)
    pdf.set_font(_FONT, "B", 24)
    pdf.cell(0, 11, "HỌC BẠ", align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(_FONT, "B", 15)
    pdf.cell(0, 8, _LEVEL_TITLE[record.family], align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(6)
    pdf.set_font(_FONT, "B", 12)
    pdf.cell(0, 7, "SƠ YẾU LÝ LỊCH HỌC SINH", align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(2)
    _identity_fields(pdf, record)
    pdf.ln(4)
    _study_history(pdf, record.years)


def _national_heading(pdf: FPDF) -> None:
    pdf.set_font(_FONT, "B", 11)
    pdf.cell(0, 5.5, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", align="C")
    pdf.ln()
    pdf.set_font(_FONT, "B", 10.5)
    motto = "Độc lập - Tự do - Hạnh phúc"
    pdf.cell(0, 5.5, motto, align="C")
    pdf.ln()
    half = pdf.get_string_width(motto) / 2
    pdf.line(pdf.w / 2 - half, pdf.get_y(), pdf.w / 2 + half, pdf.get_y())


def _identity_fields(pdf: FPDF, record: TranscriptRecord) -> None:
    s = record.student
    _pair_line(pdf, ("Họ và tên", s.full_name, True), ("Giới tính", s.gender, False))
    _pair_line(pdf, ("Ngày sinh", vn_date(s.date_of_birth), False), ("Dân tộc", s.ethnicity, False))
    for label, value in (
        ("Nơi sinh", s.place_of_birth),
        ("Quốc tịch", s.nationality),
        ("Chỗ ở hiện nay", s.residence),
        ("Họ và tên cha", s.father_name),
        ("Họ và tên mẹ", s.mother_name),
        ("Người giám hộ", s.guardian_name),
        ("Số định danh cá nhân", s.personal_id),
    ):
        label_value(pdf, label, value, pdf.epw)
        pdf.ln(7)


def _pair_line(pdf: FPDF, left: tuple[str, str | None, bool], right: tuple[str, str | None, bool]):
    label_value(pdf, left[0], left[1], pdf.epw * 0.62, bold=left[2])
    label_value(pdf, right[0], right[1], pdf.epw * 0.38, bold=right[2])
    pdf.ln(7)


def _study_history(pdf: FPDF, years: Sequence[YearPage]) -> None:
    pdf.set_font(_FONT, "B", 12)
    pdf.cell(0, 7, "QUÁ TRÌNH HỌC TẬP", align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(1)
    rows = [
        (y.school_year or "", y.class_name or "", y.school_name or "", str(i + 2))
        for i, y in enumerate(years)
    ]
    table(pdf, ("Năm học", "Lớp", "Tên trường", "Trang"), rows, (26, 18, 110, 20), "CCLC")


# --- year pages -------------------------------------------------------------------------------


def _year_header(pdf: FPDF, record: TranscriptRecord, year: YearPage, name_label: str) -> None:
    pdf.set_font(_FONT, "I", 9.5)
    pdf.cell(0, 5, year.school_name or "", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(2)
    pdf.set_font(_FONT, "B", 14)
    title = f"HỌC BẠ {_LEVEL_TITLE[record.family]} - LỚP {year.grade or ''}".rstrip(" -")
    pdf.cell(0, 8, title, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(2)
    label_value(pdf, name_label, record.student.full_name, pdf.epw * 0.56, bold=True)
    label_value(pdf, "Lớp", year.class_name, pdf.epw * 0.16)
    label_value(pdf, "Năm học", year.school_year, pdf.epw * 0.28)
    pdf.ln(9)


def _thcs_year_page(pdf: FPDF, record: TranscriptRecord, year: YearPage) -> None:
    _year_header(pdf, record, year, "Họ và tên")
    rows = [_thcs_subject_row(s) for s in year.subjects]
    avg = year.average_all or TermTriple()
    rows.append(("Điểm TB các môn", mark(avg.hk1), mark(avg.hk2), mark(avg.year), ""))
    heads = ("Môn học", "Học kỳ I", "Học kỳ II", "Cả năm", "Điểm hoặc xếp loại sau KT lại")
    table(pdf, heads, rows, (56, 24, 24, 24, 46), "LCCCC", bold_last=True)
    pdf.ln(4)
    conduct, academic = year.conduct or TermTriple(), year.academic or TermTriple()
    terms = [
        (term, mark(getattr(conduct, key)), mark(getattr(academic, key)))
        for term, key in (("Học kỳ I", "hk1"), ("Học kỳ II", "hk2"), ("Cả năm", "year"))
    ]
    table(pdf, ("Học kỳ", "Hạnh kiểm", "Học lực"), terms, (56, 59, 59), "LCC")
    pdf.ln(4)
    absences = "" if year.absences is None else str(year.absences)
    text_line(pdf, "Tổng số buổi nghỉ học cả năm", absences)
    text_line(pdf, "Xét duyệt", year.decision, bold=True)
    text_line(pdf, "Danh hiệu", year.awards)
    comment_block(pdf, "Nhận xét của giáo viên chủ nhiệm", year.homeroom_comment)


def _thcs_subject_row(subject: SubjectResult) -> tuple[str, ...]:
    return (
        subject.name,
        mark(subject.hk1),
        mark(subject.hk2),
        mark(subject.year),
        mark(subject.retest),
    )


def _th_year_page(pdf: FPDF, record: TranscriptRecord, year: YearPage) -> None:
    _year_header(pdf, record, year, "Họ và tên học sinh")
    rows = [
        (s.name, s.level or "", "" if s.test_score is None else str(s.test_score), s.comment or "")
        for s in year.subjects
    ]
    heads = ("Môn học và hoạt động giáo dục", "Mức đạt được", "Điểm KTĐK", "Nhận xét")
    table(pdf, heads, rows, (54, 32, 20, 68), "LCCL")
    pdf.ln(3)
    _rated_table(pdf, "Năng lực", year.competencies or [])
    pdf.ln(3)
    _rated_table(pdf, "Phẩm chất", year.qualities or [])
    pdf.ln(3)
    absences = "" if year.absences is None else str(year.absences)
    text_line(pdf, "Số ngày nghỉ", absences)
    text_line(pdf, "Khen thưởng", year.awards)
    text_line(pdf, "Kết quả", year.decision, bold=True)
    comment_block(pdf, "Nhận xét của giáo viên chủ nhiệm", year.homeroom_comment)


def _rated_table(pdf: FPDF, title: str, items: Sequence[RatedItem]) -> None:
    rows = [(i.name, i.level or "", i.comment or "") for i in items]
    table(pdf, (title, "Mức đạt được", "Nhận xét"), rows, (54, 32, 88), "LCL")


# --- appendix: the original page scans (the evidence the record was read from) ---------------


def _scan_page(pdf: FPDF, number: int, total: int, jpeg: bytes) -> None:
    pdf.add_page()
    pdf.set_font(_FONT, "B", 11)
    title = f"PHỤ LỤC - BẢN QUÉT HỌC BẠ GIẤY: TRANG {number}/{total}"
    pdf.cell(0, 6, title, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(2)
    top = pdf.get_y()
    box_w, box_h = pdf.epw, pdf.h - _FOOTER_H - 4 - top
    info = pdf.image(BytesIO(jpeg), x=pdf.l_margin, y=top, w=box_w, h=box_h, keep_aspect_ratio=True)
    pdf.set_draw_color(120, 120, 120)
    width, height = info.rendered_width, info.rendered_height  # centred in the box by fpdf2
    pdf.rect(pdf.l_margin + (box_w - width) / 2, top + (box_h - height) / 2, width, height)


def _refuse_missing_glyphs(pdf: FPDF) -> None:
    """A legal copy must not silently drop a character the fonts cannot draw."""
    missing = sorted(
        {cp for font in pdf.fonts.values() for cp in getattr(font, "missing_glyphs", [])}
    )
    if missing:
        codes = ", ".join(f"U+{cp:04X}" for cp in missing[:10])
        raise SigningError(
            f"The fonts have no glyph for {codes}",
            hint="correct the record text in review, or widen VIETNAMESE_RANGES in signing/fonts.py",
        )


def _attach_record(pdf: FPDF, record: TranscriptRecord) -> None:
    payload = json.dumps(record.to_contract(), ensure_ascii=False, indent=2).encode("utf-8")
    pdf.embed_file(
        bytes=payload,
        basename=ATTACHMENT_NAME,
        mime_type="application/json",
        associated_file_relationship="Data",
        desc="Bản ghi học bạ (hocba.transcript/v1)",
        compress=True,
    )
