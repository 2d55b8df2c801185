"""Read a page once and classify it: identity page or year page, and which booklet family."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

from ocr.decode import PageImage
from ocr.engine import Box, OcrEngine, Word
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
# Tesseract's page layout can read a short phrase far along a line (a label at the right
# margin, in another font than the value before it) as garbage with confidence near 0; the
# same phrase cut out and read on its own is usually read right. Also a label misread at
# middling confidence ("Giữ tính: Năm" at 58 and 53 for "Giới tính: Nam").
DOUBTFUL_CONF = 60.0
MAX_REREADS = 10  # per page: stamps and signatures also read as doubtful words
MAX_MISSED_SEGMENTS = 8  # per page: parts of lines with no word of the page read, read again
EDGE = 0.02  # of the page's height: scanner borders, never a line of print
MIN_LINE_INK = 20  # ink pixels in a row of a line of print (specks and dust have fewer)
LINE_ROWS = (15, 120)  # the height of a band that is a line of print, at 300 dpi


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
        return outside_tables(self.words, self.tables)

    def free_lines(self) -> list[Line]:
        """Text lines outside the tables: headers, labelled fields, decision lines."""
        return group_lines(self.words_outside_tables())


def outside_tables(words: list[Word], tables: list[Table]) -> list[Word]:
    return [w for w in words if not any(t.cell_of(w) for t in tables)]


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
    tables = find_tables(clean.h_lines, clean.v_lines)
    words = engine.read_page(clean.text_only)
    words = reread_doubtful(words, clean.text_only, tables, engine)
    words = read_missed_lines(words, clean.text_only, tables, engine)
    lines = group_lines(words)
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


def reread_doubtful(
    words: list[Word], image: np.ndarray, tables: list[Table], engine: OcrEngine
) -> list[Word]:
    """Re-read each run of doubtful words outside the tables on its own; keep a re-read only
    when it is more confident than the run it replaces (every fresh word above the doubtful
    threshold, and a better mean). Table cells are re-read by the readers that know what a
    cell should hold (row names, headers, values).

    A run the layout-analysing read cannot mend is read once more as one raw line: a short
    label and a value in another font («Lớp: 2C3») come back as junk from the first and
    whole from the second."""
    free = outside_tables(words, tables)
    runs = [run for line in group_lines(free) for run in _doubtful_runs(line)]
    for old, box in runs[:MAX_REREADS]:
        fresh = _read_box(image, box, engine)
        if not _mends(fresh, old):
            fresh = _read_box(image, box, engine, raw=True)
        if _mends(fresh, old):
            words = [w for w in words if w not in old] + fresh
    return words


def _mends(fresh: list[Word], old: list[Word]) -> bool:
    return bool(fresh) and min(w.conf for w in fresh) > DOUBTFUL_CONF and _mean(fresh) > _mean(old)


def read_missed_lines(
    words: list[Word], image: np.ndarray, tables: list[Table], engine: OcrEngine
) -> list[Word]:
    """Lines of print outside the tables for which the page read returned no word at all:
    Tesseract's page layout can drop a whole line (a "Họ tên mẹ: ..." between two read
    lines). Each such band of ink is read on its own, and its words join the page's."""
    bands = _ink_bands(image, tables)
    missed = [(a, b) for a, b in bands if not any(a <= w.cy <= b for w in words)]
    segments = [box for a, b in missed for box in _line_segments(image, a, b)]
    found: list[Word] = []
    for box in segments[:MAX_MISSED_SEGMENTS]:
        found += _read_box(image, box, engine) or _read_box(image, box, engine, raw=True)
    return words + found


def _line_segments(image: np.ndarray, top: int, bottom: int) -> list[Box]:
    """A band of print cut at its wide blank gaps (label and value groups), with a margin:
    read whole, a line that mixes two fonts can come back empty, read in parts it does not."""
    height = bottom - top
    pad = height // 2
    y0 = max(0, top - pad)
    columns = np.flatnonzero((image[top : bottom + 1] < 128).any(axis=0))
    return [
        (a - pad, y0, b - a + 2 * pad, bottom + pad - y0) for a, b in _runs(columns, 2 * height)
    ]


def _ink_bands(image: np.ndarray, tables: list[Table]) -> list[tuple[int, int]]:
    """Runs of rows holding ink outside the tables, as tall as a line of print."""
    ink = image < 128
    edge = int(EDGE * image.shape[0])
    ink[:edge] = False
    ink[image.shape[0] - edge :] = False
    for table in tables:
        x, y, w, h = table.box
        ink[max(0, y - 5) : y + h + 5, max(0, x - 5) : x + w + 5] = False
    rows = np.flatnonzero(ink.sum(axis=1) >= MIN_LINE_INK)
    return [(a, b) for a, b in _runs(rows, 1) if LINE_ROWS[0] <= b - a <= LINE_ROWS[1]]


def _runs(indices: np.ndarray, gap: int) -> list[tuple[int, int]]:
    """(first, last) of each run of sorted indices, a run ending where the next index is
    more than `gap` further on."""
    if indices.size == 0:
        return []
    breaks = np.flatnonzero(np.diff(indices) > gap)
    starts = np.concatenate(([indices[0]], indices[breaks + 1]))
    ends = np.concatenate((indices[breaks], [indices[-1]]))
    return [(int(a), int(b)) for a, b in zip(starts, ends, strict=True)]


def _mean(words: list[Word]) -> float:
    return sum(w.conf for w in words) / len(words)


def _doubtful_runs(line: Line) -> list[tuple[list[Word], Box]]:
    """Neighbouring doubtful words of a line, each run with a box reaching halfway to the
    confident words around it (and at most half a line height past its own ink)."""
    height = line.height
    runs: list[tuple[list[Word], Box]] = []
    words = line.words
    i = 0
    while i < len(words):
        if words[i].conf >= DOUBTFUL_CONF or not 0.5 * height <= words[i].h <= 2 * height:
            i += 1
            continue
        j = i
        while j + 1 < len(words) and words[j + 1].conf < DOUBTFUL_CONF:
            j += 1
        run = words[i : j + 1]
        pad = int(0.5 * height)
        left = (
            run[0].x - pad if i == 0 else max(run[0].x - pad, (words[i - 1].right + run[0].x) // 2)
        )
        right = run[-1].right + pad
        if j + 1 < len(words):
            right = min(right, (run[-1].right + words[j + 1].x) // 2)
        top = min(w.y for w in run) - pad
        bottom = max(w.y + w.h for w in run) + pad
        runs.append((run, (left, top, right - left, bottom - top)))
        i = j + 1
    return runs


def _read_box(image: np.ndarray, box: Box, engine: OcrEngine, *, raw: bool = False) -> list[Word]:
    x, y, w, h = box
    x0, y0 = max(x, 0), max(y, 0)
    crop = image[y0 : y + h, x0 : x + w]
    if crop.size == 0:
        return []
    read = engine.read_raw_line(crop) if raw else engine.read_lines(crop)
    return [Word(r.text, r.conf, r.x + x0, r.y + y0, r.w, r.h) for r in read]


def _count(lines: list[Line], anchors: tuple[str, ...]) -> int:
    return sum(1 for anchor in anchors if any(phrase_in(line, anchor) for line in lines))


def header_texts(page: ReadPage, table: Table, rows: int = 2) -> list[str]:
    """Joined text per column of the first rows of a table (column headers)."""
    grid = table.grid(page.words)
    return [
        " ".join(cell_text(grid[r][c]) for r in range(min(rows, table.n_rows)))
        for c in range(table.n_cols)
    ]
