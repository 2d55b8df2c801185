"""Read a page once and classify it: identity page or year page, and which booklet family."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from ocr.decode import PageImage
from ocr.engine import OcrEngine, Word
from ocr.layout import Line, Table, cell_text, find_tables, group_lines, phrase_in
from ocr.preprocess import CleanPage, clean_page

PageKind = Literal["identity", "year", "unknown"]

IDENTITY_ANCHORS = (
    "Nơi sinh",
    "Dân tộc",
    "Chỗ ở hiện nay",
    "Nơi ở hiện nay",
    "Sơ yếu lý lịch",
    "Nghề nghiệp",
    "Quá trình học tập",
    "Giới tính",
)
THCS_ANCHORS = ("Học kỳ", "Cả năm", "Hạnh kiểm", "Học lực", "Trung học cơ sở", "THCS")
TH_ANCHORS = ("Mức đạt được", "Năng lực", "Phẩm chất", "Tiểu học", "KTĐK")
YEAR_ANCHORS = ("Môn học", "Năm học")
MIN_ANCHORS = 3  # known printed phrases a legible, upright page of a v1 family always shows


@dataclass
class ReadPage:
    clean: CleanPage
    words: list[Word]
    lines: list[Line]
    tables: list[Table]
    kind: PageKind
    family: str | None
    anchors: int  # how many known printed phrases were found: the page's legibility

    @property
    def number(self) -> int:
        return self.clean.number

    def words_outside_tables(self) -> list[Word]:
        return [w for w in self.words if not any(t.cell_of(w) for t in self.tables)]

    def free_lines(self) -> list[Line]:
        """Text lines outside the tables: headers, labelled fields, decision lines."""
        return group_lines(self.words_outside_tables())


def read_page(page: PageImage, engine: OcrEngine) -> ReadPage:
    """Clean and OCR a page in the orientation its ink suggests; when that reads as nothing
    known, try the other orientations (upside down first) and keep the most legible."""
    best = _read(clean_page(page), engine)
    guessed = best.clean.rotation
    others = [r for r in dict.fromkeys((0, (guessed + 180) % 360, 90, 180, 270)) if r != guessed]
    for rotation in others:  # most pages are upright: that is the first thing to try
        if best.anchors >= MIN_ANCHORS:
            break
        candidate = _read(clean_page(page, rotation=rotation), engine)
        if candidate.anchors > best.anchors:
            best = candidate
    return best


def _read(clean: CleanPage, engine: OcrEngine) -> ReadPage:
    words = engine.read_page(clean.text_only)
    lines = group_lines(words)
    tables = find_tables(clean.h_lines, clean.v_lines)
    counts = {
        name: _count(lines, anchors)
        for name, anchors in (
            ("identity", IDENTITY_ANCHORS),
            ("thcs", THCS_ANCHORS),
            ("th", TH_ANCHORS),
            ("year", YEAR_ANCHORS),
        )
    }
    kind: PageKind = "unknown"
    if counts["identity"] >= 2 and counts["identity"] > counts["year"]:
        kind = "identity"
    elif tables and counts["year"] + counts["thcs"] + counts["th"] >= 2:
        kind = "year"
    family = None
    if counts["thcs"] != counts["th"]:
        family = "THCS-2011" if counts["thcs"] > counts["th"] else "TH-2014"
    anchors = sum(counts.values())
    return ReadPage(clean.without_masks(), words, lines, tables, kind, family, anchors)


def _count(lines: list[Line], anchors: tuple[str, ...]) -> int:
    return sum(1 for anchor in anchors if any(phrase_in(line, anchor) for line in lines))


def header_texts(page: ReadPage, table: Table, rows: int = 2) -> list[str]:
    """Joined text per column of the first rows of a table (column headers)."""
    grid = table.grid(page.words)
    return [
        " ".join(cell_text(grid[r][c]) for r in range(min(rows, table.n_rows)))
        for c in range(table.n_cols)
    ]
