"""Drawing primitives of the transcript layout: ruled tables, label/value lines, comments.

Drawn with rect/text primitives: fpdf2's table() costs several times more per cell, and
rendering speed bounds how many booklets a worker issues per second.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from fpdf import FPDF
from fpdf.enums import XPos, YPos

FONT = "DejaVuSerif"
_GREY = (232, 232, 232)
_ROW_H = 6.2
_LINE_H = 4.6
_PAD_X = 1.3
_PAD_Y = 0.9


def label_value(pdf: FPDF, label: str, value: str | None, width: float, bold: bool = False):
    """`Label: value` in one cell of the given width; long values shrink to fit."""
    pdf.set_font(FONT, "", 11)
    label_text = f"{label}: "
    label_w = pdf.get_string_width(label_text)
    pdf.cell(label_w, 7, label_text)
    pdf.set_font(FONT, "B" if bold else "", 11)
    text = value or ""
    size = 11.0
    while size > 7 and pdf.get_string_width(text) > width - label_w - 1:
        size -= 0.5
        pdf.set_font_size(size)
    pdf.cell(width - label_w, 7, text)


def table(
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
    pdf.set_font(FONT, style, size)
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


def text_line(pdf: FPDF, label: str, value: str | None, *, bold: bool = False) -> None:
    label_value(pdf, label, value, pdf.epw, bold=bold)
    pdf.ln(6.5)


def comment_block(pdf: FPDF, label: str, text: str | None) -> None:
    pdf.set_font(FONT, "", 11)
    pdf.cell(0, 6.5, f"{label}:", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(FONT, "I", 10.5)
    pdf.multi_cell(0, 5.5, text or "", new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def mark(value: float | str | None) -> str:
    """Scores with the decimal comma of the paper forms (7.5 -> "7,5"); ratings as they are."""
    if value is None:
        return ""
    if isinstance(value, float | int):
        return f"{float(value):.1f}".replace(".", ",")
    return value


def vn_date(iso: str | None) -> str | None:
    if not iso:
        return iso
    try:
        return f"{dt.date.fromisoformat(iso):%d/%m/%Y}"
    except ValueError:
        return iso  # show what the record holds rather than hide it
