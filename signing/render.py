"""Render a TranscriptRecord as a PDF/A-3b transcript laid out like the Ministry's paper forms.

One identity page, then one page per year page of the booklet (shared/docs/forms.md). Every
page carries the conversion statement required for a paper-to-electronic copy (Luật Giao dịch
điện tử 2023, Điều 12: converted mark + who converted) and a QR code of the verify URL. The
contract JSON of the record is attached as an associated file (/AF, relationship Data) so that
the signed PDF carries the machine-readable record it shows.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass

import qrcode
from fpdf import FPDF
from fpdf.enums import XPos, YPos

from domain.errors import SigningError
from domain.record import RatedItem, SubjectResult, TermTriple, TranscriptRecord, YearPage
from signing.fonts import vietnamese_serif_fonts

ATTACHMENT_NAME = "transcript.json"
CONVERSION_STATEMENT = "Bản điện tử chuyển đổi từ học bạ giấy"
_LEVEL_TITLE = {"THCS-2011": "TRUNG HỌC CƠ SỞ", "TH-2014": "TIỂU HỌC"}
_FONT = "DejaVuSerif"
_GREY = (232, 232, 232)
_ROW_H = 6.2
_LINE_H = 4.6
_PAD_X = 1.3
_PAD_Y = 0.9
_FOOTER_H = 27.0  # statement + QR band at the bottom of every page
_QR_SIZE = 21.0


@dataclass(frozen=True)
class IssueInfo:
    doc_id: str  # document number printed on every page and used in the verify URL
    issuer_unit: str  # e.g. "Sở Giáo dục và Đào tạo Long An"
    converted_by: str  # pipeline version or the person who converted
    issued_on: dt.date
    verify_url: str


def render_transcript(record: TranscriptRecord, info: IssueInfo) -> bytes:
    """PDF/A-3b bytes: identity page + one page per year, DejaVu embedded, JSON attached."""
    try:
        pdf = _TranscriptPdf(record, info)
        _identity_page(pdf, record)
        for year in record.years:
            pdf.add_page()
            if record.family == "THCS-2011":
                _thcs_year_page(pdf, record, year)
            else:
                _th_year_page(pdf, record, year)
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
        self.qr_runs = _qr_runs(info.verify_url)
        fonts = vietnamese_serif_fonts()
        for style, path in fonts.files.items():
            self.add_font(_FONT, style, str(path))
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
        _draw_qr(self, self.qr_runs, self.w - self.r_margin - _QR_SIZE, top + 2.5, _QR_SIZE)


def _statement_lines(info: IssueInfo) -> list[str]:
    return [
        f"Đơn vị chuyển đổi: {info.issuer_unit}",
        f"Ngày chuyển đổi: {info.issued_on:%d/%m/%Y}    Số văn bản: {info.doc_id}",
        f"Người/phần mềm chuyển đổi: {info.converted_by}",
        f"Có chữ ký số của đơn vị chuyển đổi. Kiểm tra: {info.verify_url}",
    ]


# --- QR code, drawn as vector rectangles (crisp, no image stream to encode) -----------------


def _qr_runs(url: str) -> tuple[int, list[tuple[int, int, int]]]:
    """Module count and the dark horizontal runs (row, first column, length) of the QR code."""
    code = qrcode.QRCode(border=0, error_correction=qrcode.constants.ERROR_CORRECT_M)
    code.add_data(url)
    code.make(fit=True)
    matrix = code.get_matrix()
    runs: list[tuple[int, int, int]] = []
    for row, modules in enumerate(matrix):
        col = 0
        while col < len(modules):
            if modules[col]:
                start = col
                while col < len(modules) and modules[col]:
                    col += 1
                runs.append((row, start, col - start))
            else:
                col += 1
    return len(matrix), runs


def _draw_qr(
    pdf: FPDF, qr: tuple[int, list[tuple[int, int, int]]], x: float, y: float, size: float
) -> None:
    count, runs = qr
    module = size / count
    pdf.set_fill_color(0, 0, 0)
    for row, col, length in runs:
        # a hair of overlap avoids white seams between modules in some viewers
        pdf.rect(x + col * module, y + row * module, length * module, module + 0.02, style="F")


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
    _pair_line(
        pdf, ("Ngày sinh", _vn_date(s.date_of_birth), False), ("Dân tộc", s.ethnicity, False)
    )
    for label, value in (
        ("Nơi sinh", s.place_of_birth),
        ("Quốc tịch", s.nationality),
        ("Chỗ ở hiện nay", s.residence),
        ("Họ và tên cha", s.father_name),
        ("Họ và tên mẹ", s.mother_name),
        ("Người giám hộ", s.guardian_name),
        ("Số định danh cá nhân", s.personal_id),
    ):
        _label_value(pdf, label, value, pdf.epw)
        pdf.ln(7)


def _pair_line(pdf: FPDF, left: tuple[str, str | None, bool], right: tuple[str, str | None, bool]):
    _label_value(pdf, left[0], left[1], pdf.epw * 0.62, bold=left[2])
    _label_value(pdf, right[0], right[1], pdf.epw * 0.38, bold=right[2])
    pdf.ln(7)


def _label_value(pdf: FPDF, label: str, value: str | None, width: float, bold: bool = False):
    """`Label: value` in one cell of the given width; long values shrink to fit."""
    pdf.set_font(_FONT, "", 11)
    label_text = f"{label}: "
    label_w = pdf.get_string_width(label_text)
    pdf.cell(label_w, 7, label_text)
    pdf.set_font(_FONT, "B" if bold else "", 11)
    text = value or ""
    size = 11.0
    while size > 7 and pdf.get_string_width(text) > width - label_w - 1:
        size -= 0.5
        pdf.set_font_size(size)
    pdf.cell(width - label_w, 7, text)


def _study_history(pdf: FPDF, years: Sequence[YearPage]) -> None:
    pdf.set_font(_FONT, "B", 12)
    pdf.cell(0, 7, "QUÁ TRÌNH HỌC TẬP", align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(1)
    rows = [
        (y.school_year or "", y.class_name or "", y.school_name or "", str(i + 2))
        for i, y in enumerate(years)
    ]
    _table(pdf, ("Năm học", "Lớp", "Tên trường", "Trang"), rows, (26, 18, 110, 20), "CCLC")


# --- year pages -------------------------------------------------------------------------------


def _year_header(pdf: FPDF, record: TranscriptRecord, year: YearPage, name_label: str) -> None:
    pdf.set_font(_FONT, "I", 9.5)
    pdf.cell(0, 5, year.school_name or "", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(2)
    pdf.set_font(_FONT, "B", 14)
    title = f"HỌC BẠ {_LEVEL_TITLE[record.family]} - LỚP {year.grade or ''}".rstrip(" -")
    pdf.cell(0, 8, title, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(2)
    _label_value(pdf, name_label, record.student.full_name, pdf.epw * 0.56, bold=True)
    _label_value(pdf, "Lớp", year.class_name, pdf.epw * 0.16)
    _label_value(pdf, "Năm học", year.school_year, pdf.epw * 0.28)
    pdf.ln(9)


def _thcs_year_page(pdf: FPDF, record: TranscriptRecord, year: YearPage) -> None:
    _year_header(pdf, record, year, "Họ và tên")
    rows = [_thcs_subject_row(s) for s in year.subjects]
    avg = year.average_all or TermTriple()
    rows.append(("Điểm TB các môn", _mark(avg.hk1), _mark(avg.hk2), _mark(avg.year), ""))
    heads = ("Môn học", "Học kỳ I", "Học kỳ II", "Cả năm", "Điểm hoặc xếp loại sau KT lại")
    _table(pdf, heads, rows, (56, 24, 24, 24, 46), "LCCCC", bold_last=True)
    pdf.ln(4)
    conduct, academic = year.conduct or TermTriple(), year.academic or TermTriple()
    terms = [
        (term, _mark(getattr(conduct, key)), _mark(getattr(academic, key)))
        for term, key in (("Học kỳ I", "hk1"), ("Học kỳ II", "hk2"), ("Cả năm", "year"))
    ]
    _table(pdf, ("Học kỳ", "Hạnh kiểm", "Học lực"), terms, (56, 59, 59), "LCC")
    pdf.ln(4)
    absences = "" if year.absences is None else str(year.absences)
    _line(pdf, "Tổng số buổi nghỉ học cả năm", absences)
    _line(pdf, "Xét duyệt", year.decision, bold=True)
    _line(pdf, "Danh hiệu", year.awards)
    _comment_block(pdf, "Nhận xét của giáo viên chủ nhiệm", year.homeroom_comment)


def _thcs_subject_row(subject: SubjectResult) -> tuple[str, ...]:
    return (
        subject.name,
        _mark(subject.hk1),
        _mark(subject.hk2),
        _mark(subject.year),
        _mark(subject.retest),
    )


def _th_year_page(pdf: FPDF, record: TranscriptRecord, year: YearPage) -> None:
    _year_header(pdf, record, year, "Họ và tên học sinh")
    rows = [
        (s.name, s.level or "", "" if s.test_score is None else str(s.test_score), s.comment or "")
        for s in year.subjects
    ]
    heads = ("Môn học và hoạt động giáo dục", "Mức đạt được", "Điểm KTĐK", "Nhận xét")
    _table(pdf, heads, rows, (54, 32, 20, 68), "LCCL")
    pdf.ln(3)
    _rated_table(pdf, "Năng lực", year.competencies or [])
    pdf.ln(3)
    _rated_table(pdf, "Phẩm chất", year.qualities or [])
    pdf.ln(3)
    absences = "" if year.absences is None else str(year.absences)
    _line(pdf, "Số ngày nghỉ", absences)
    _line(pdf, "Khen thưởng", year.awards)
    _line(pdf, "Kết quả", year.decision, bold=True)
    _comment_block(pdf, "Nhận xét của giáo viên chủ nhiệm", year.homeroom_comment)


def _rated_table(pdf: FPDF, title: str, items: Sequence[RatedItem]) -> None:
    rows = [(i.name, i.level or "", i.comment or "") for i in items]
    _table(pdf, (title, "Mức đạt được", "Nhận xét"), rows, (54, 32, 88), "LCL")


# --- building blocks --------------------------------------------------------------------------


def _table(
    pdf: FPDF,
    heads: Sequence[str],
    rows: Sequence[Sequence[str]],
    widths: Sequence[float],
    aligns: str,
    *,
    bold_last: bool = False,
) -> None:
    """A ruled table, centred: grey bold heading row, word-wrapped cells.

    Drawn with rect/text primitives: fpdf2's table() costs several times more per cell and
    rendering speed bounds how many booklets a worker issues per second.
    """
    x0 = pdf.l_margin + (pdf.epw - sum(widths)) / 2
    pdf.set_fill_color(*_GREY)
    _table_row(pdf, x0, heads, widths, "C" * len(heads), "B", 9.5, fill=True)
    for i, values in enumerate(rows):
        style = "B" if bold_last and i == len(rows) - 1 else ""
        _table_row(pdf, x0, values, widths, aligns, style, 10)


def _table_row(
    pdf: FPDF,
    x: float,
    values: Sequence[str],
    widths: Sequence[float],
    aligns: str,
    style: str,
    size: float,
    *,
    fill: bool = False,
) -> None:
    pdf.set_font(_FONT, style, size)
    cells = [
        _wrap(pdf, value, width - 2 * _PAD_X) for value, width in zip(values, widths, strict=True)
    ]
    height = max(_ROW_H, max(len(lines) for lines in cells) * _LINE_H + 2 * _PAD_Y)
    if pdf.will_page_break(height):
        pdf.add_page()
    y = pdf.get_y()
    ascent = size * 0.3528 * 0.76  # pt -> mm, baseline below the top of a line
    for lines, width, align in zip(cells, widths, aligns, strict=True):
        pdf.rect(x, y, width, height, style="DF" if fill else "D")
        top = y + (height - len(lines) * _LINE_H) / 2 + (_LINE_H - size * 0.3528) / 2
        for j, line in enumerate(lines):
            left = x + _PAD_X
            if align == "C":
                left = x + (width - pdf.get_string_width(line)) / 2
            pdf.text(left, top + j * _LINE_H + ascent, line)
        x += width
    pdf.set_xy(pdf.l_margin, y + height)


def _wrap(pdf: FPDF, text: str, width: float) -> list[str]:
    """Greedy word wrap to `width` in the current font (a word longer than a line stays whole)."""
    if not text or pdf.get_string_width(text) <= width:
        return [text] if text else []
    lines: list[str] = []
    current = ""
    for word in text.split():
        candidate = f"{current} {word}" if current else word
        if current and pdf.get_string_width(candidate) > width:
            lines.append(current)
            current = word
        else:
            current = candidate
    lines.append(current)
    return lines


def _line(pdf: FPDF, label: str, value: str | None, *, bold: bool = False) -> None:
    _label_value(pdf, label, value, pdf.epw, bold=bold)
    pdf.ln(6.5)


def _comment_block(pdf: FPDF, label: str, text: str | None) -> None:
    pdf.set_font(_FONT, "", 11)
    pdf.cell(0, 6.5, f"{label}:", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(_FONT, "I", 10.5)
    pdf.multi_cell(0, 5.5, text or "", new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _mark(value: float | str | None) -> str:
    """Scores with the decimal comma of the paper forms (7.5 -> "7,5"); ratings as they are."""
    if value is None:
        return ""
    if isinstance(value, float | int):
        return f"{float(value):.1f}".replace(".", ",")
    return value


def _vn_date(iso: str | None) -> str | None:
    if not iso:
        return iso
    try:
        return f"{dt.date.fromisoformat(iso):%d/%m/%Y}"
    except ValueError:
        return iso  # show what the record holds rather than hide it


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
