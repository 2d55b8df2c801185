"""Layout finding: text lines, printed labels, and tables from their ruling lines.

Nothing here knows page coordinates of a form: labels are found by their words (accent-
insensitive, tolerant to one OCR slip per word) and tables by the grid actually printed.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from statistics import median

import cv2
import numpy as np
from rapidfuzz.distance import Levenshtein

from domain.text import search_key
from ocr.engine import Box, Word

_PUNCT = re.compile(r"^[\s:;.,…_·\-–—()\[\]|'\"]+|[\s:;.,…_·\-–—()\[\]|'\"]+$")
_LEADER = re.compile(r"^[.…_·,:\-–—\s]*$")
GRID_SCALE = 4  # tables are found on the ruling mask at 1/GRID_SCALE


@lru_cache(maxsize=1 << 16)  # label matching asks for the same words' keys again and again
def token_key(text: str) -> str:
    """Accent-insensitive key of one OCR word, punctuation trimmed."""
    return search_key(_PUNCT.sub("", text))


def is_leader(text: str) -> bool:
    """Dotted leaders and lone punctuation printed after labels."""
    return bool(_LEADER.match(text))


@dataclass
class Line:
    words: list[Word] = field(default_factory=list)

    @property
    def y(self) -> float:
        return float(median(w.cy for w in self.words))  # numpy costs more on a few numbers

    @property
    def height(self) -> float:
        return float(median(w.h for w in self.words))

    @property
    def keys(self) -> list[str]:
        return [token_key(w.text) for w in self.words]

    def text(self) -> str:
        return " ".join(w.text for w in self.words)


def group_lines(words: Iterable[Word]) -> list[Line]:
    """Words into lines by vertical overlap, each line sorted left to right."""
    lines: list[Line] = []
    for word in sorted(words, key=lambda w: w.cy):
        for line in reversed(lines[-3:]):
            if abs(word.cy - line.y) < 0.55 * max(line.height, word.h):
                line.words.append(word)
                break
        else:
            lines.append(Line([word]))
    lines = _with_strays_joined(lines)
    for line in lines:
        line.words.sort(key=lambda w: w.x)
    return lines


STRAY_WORDS = 2  # a "line" of this many words at most may be part of the line beside it


def _with_strays_joined(lines: list[Line]) -> list[Line]:
    """A word or two set apart from their line by their own baseline: a label in italic beside
    a value in another face sits lower, and its last word, with a descender and no ascender
    («Nơi ở hiện nay:»), falls outside the line's band. They rejoin the line next to them
    when each overlaps, over most of its height, the line's word nearest to it, and sits in
    a gap between that line's words."""
    kept: list[Line] = []
    for index, line in enumerate(lines):
        near = [*kept[-1:], *lines[index + 1 : index + 2]]
        host = next((n for n in near if _strays_of(line, n)), None)
        if host is None:
            kept.append(line)
        else:
            host.words.extend(line.words)
    return kept


def _strays_of(line: Line, host: Line) -> bool:
    if len(line.words) > STRAY_WORDS or len(host.words) <= len(line.words):
        return False
    for word in line.words:
        if any(word.x < w.right and w.x < word.right for w in host.words):
            return False  # a word of the host line under or over it: another line
        nearest = min(host.words, key=lambda w: abs(w.cx - word.cx))
        overlap = min(word.y + word.h, nearest.y + nearest.h) - max(word.y, nearest.y)
        if overlap < 0.6 * min(word.h, nearest.h):
            return False
    return True


def _slips(keys: Sequence[str], wanted: Sequence[str]) -> int | None:
    """OCR slips between printed words and a label's words; None when they cannot be it.

    A label of several words may carry one slip in all, in a word of at least four letters,
    or in a short word that is not the last of a label of three words or more («Hiọ tên cha:»
    for «Họ tên cha:»: the last word tells the label from its neighbours, «Họ tên mẹ»); a
    one-word label must match exactly: "Trọng" must not read as the label "Trường"."""
    total = 0
    for index, (key, want) in enumerate(zip(keys, wanted, strict=True)):
        if key == want:
            continue
        short_word_slip = len(wanted) >= 3 and index < len(wanted) - 1
        if len(want) < 4 and not short_word_slip:
            return None
        total += Levenshtein.distance(key, want)
    allowed = 2 if len(wanted) >= 4 else 1  # long labels survive two slips
    if total > allowed or (total and len(wanted) == 1):
        return None
    return total


def _key_matches(key: str, wanted: str) -> bool:
    return _slips([key], [wanted]) is not None


@dataclass(frozen=True)
class LabelHit:
    name: str  # the field the label announces
    start: int  # index of the label's first word in the line
    end: int  # index after the label's last word


def find_labels(line: Line, labels: Mapping[str, Sequence[str]]) -> list[LabelHit]:
    """Non-overlapping label occurrences in a line; the longest wording wins at each place."""
    keys = line.keys
    variants = sorted(
        ((name, label_tokens(v)) for name, vs in labels.items() for v in vs),
        key=lambda item: -len(item[1]),
    )
    hits: list[LabelHit] = []
    i = 0
    while i < len(keys):
        for name, tokens in variants:
            n = len(tokens)
            fits = i + n <= len(keys) and _slips(keys[i : i + n], tokens) is not None
            if fits and not _is_value_of(hits[-1] if hits else None, i, line):
                hits.append(LabelHit(name, i, i + n))
                i += n
                break
        else:
            i += 1
    return hits


def _is_value_of(previous: LabelHit | None, start: int, line: Line) -> bool:
    """Words right after a label, with no gap, are its value even when they read like a
    label: the surname «TRƯƠNG» folds to the label «Trường»."""
    if previous is None or previous.end != start:
        return False
    gap = line.words[start].x - line.words[start - 1].right
    return gap < 2 * line.height


def label_values(line: Line, labels: Mapping[str, Sequence[str]]) -> dict[str, list[Word]]:
    """For each label in the line, the words after it up to the next label (leaders dropped).

    A value also ends at a wide blank gap: the line may continue with unrelated print
    (the motto on the right of a school line).
    """
    values: dict[str, list[Word]] = {}
    for hit, stop in _label_spans(line, labels):
        values.setdefault(hit.name, value_words(line.words[hit.end : stop], line.height))
    return values


def label_spans(line: Line, labels: Mapping[str, Sequence[str]]) -> dict[str, list[Word]]:
    """For each label in the line, every word after it up to the next label, as read."""
    spans: dict[str, list[Word]] = {}
    for hit, stop in _label_spans(line, labels):
        spans.setdefault(hit.name, list(line.words[hit.end : stop]))
    return spans


def _label_spans(line: Line, labels: Mapping[str, Sequence[str]]) -> list[tuple[LabelHit, int]]:
    """Each label found in the line, with the index of the word its value stops before."""
    hits = find_labels(line, labels)
    stops = [h.start for h in hits[1:]] + [len(line.words)]
    return list(zip(hits, stops[: len(hits)], strict=True))


Place = tuple[Box, float]  # where a label's value is printed, and its line's text height


def labelled_places(
    lines: Sequence[Line], labels: Mapping[str, Sequence[str]], width: int
) -> tuple[dict[str, list[Word]], dict[str, Place]]:
    """Each label's value words (its first occurrence; names starting with "_" only end the
    value before them), and where that value is printed: from the label to the next label
    or the page's edge (`width`), so a value the page read missed can be looked for there."""
    found: dict[str, list[Word]] = {}
    places: dict[str, Place] = {}
    for line in lines:
        for hit, stop in _label_spans(line, labels):
            if hit.name.startswith("_") or hit.name in found:
                continue
            found[hit.name] = value_words(line.words[hit.end : stop], line.height)
            left = line.words[hit.end - 1].right
            right = line.words[stop].x if stop < len(line.words) else width
            top, height = int(line.y - 0.9 * line.height), int(1.5 * line.height)
            places[hit.name] = ((left, top, right - left, height), line.height)
    return found, places


def value_words(words: Sequence[Word], height: float) -> list[Word]:
    """Value words after a label: leaders dropped, cut at the first gap wider than 4 x height."""
    kept: list[Word] = []
    for word in words:
        if is_leader(word.text):
            continue
        if kept and word.x - kept[-1].right > 4 * height:
            break
        kept.append(word)
    return kept


def label_tokens(label: str) -> list[str]:
    """A printed label as OCR word keys: "Ngày, tháng, năm sinh" -> ngay thang nam sinh."""
    return [k for k in (token_key(t) for t in search_key(label).split()) if k]


def phrase_in(line: Line, phrase: str) -> bool:
    wanted = label_tokens(phrase)
    keys = line.keys
    n = len(wanted)
    return any(_slips(keys[i : i + n], wanted) is not None for i in range(len(keys) - n + 1))


@dataclass(frozen=True)
class Table:
    xs: tuple[int, ...]  # vertical rule positions, left to right
    ys: tuple[int, ...]  # horizontal rule positions, top to bottom

    @property
    def box(self) -> tuple[int, int, int, int]:
        return self.xs[0], self.ys[0], self.xs[-1] - self.xs[0], self.ys[-1] - self.ys[0]

    @property
    def n_rows(self) -> int:
        return len(self.ys) - 1

    @property
    def n_cols(self) -> int:
        return len(self.xs) - 1

    def cell_of(self, word: Word) -> tuple[int, int] | None:
        if not (self.xs[0] <= word.cx <= self.xs[-1] and self.ys[0] <= word.cy <= self.ys[-1]):
            return None
        return bisect_right(self.ys, word.cy) - 1, bisect_right(self.xs, word.cx) - 1

    def cell_box(self, row: int, col: int) -> tuple[int, int, int, int]:
        return (
            self.xs[col],
            self.ys[row],
            self.xs[col + 1] - self.xs[col],
            self.ys[row + 1] - self.ys[row],
        )

    def grid(self, words: Iterable[Word]) -> list[list[list[Word]]]:
        cells: list[list[list[Word]]] = [
            [[] for _ in range(self.n_cols)] for _ in range(self.n_rows)
        ]
        for word in words:
            where = self.cell_of(word)
            if where and 0 <= where[0] < self.n_rows and 0 <= where[1] < self.n_cols:
                cells[where[0]][where[1]].append(word)
        return [[reading_order(c) for c in row] for row in cells]


def reading_order(words: Iterable[Word]) -> list[Word]:
    """Lines top to bottom (by vertical overlap), words left to right in each."""
    return [w for line in group_lines(words) for w in line.words]


def cell_text(words: Sequence[Word]) -> str:
    return " ".join(w.text for w in words if not is_leader(w.text))


def find_tables(h_lines: np.ndarray, v_lines: np.ndarray) -> list[Table]:
    """Tables as grids of ruling lines, top to bottom. A table needs ≥ 2 rows and ≥ 2 columns."""
    page_w = h_lines.shape[1]
    tables = []
    for x, y, w, h in _grid_boxes(cv2.bitwise_or(h_lines, v_lines)):
        if w < page_w * 0.3 or h < 60:
            continue
        ys = _rule_positions(_profile(h_lines[y : y + h, x : x + w], axis=1), w, y)
        xs = _rule_positions(_profile(v_lines[y : y + h, x : x + w], axis=0), h, x)
        if len(xs) >= 3 and len(ys) >= 3:
            tables.append(Table(tuple(xs), tuple(ys)))
    return sorted(tables, key=lambda t: t.ys[0])


def _grid_boxes(rules: np.ndarray) -> Iterator[tuple[int, int, int, int]]:
    """Boxes of connected ruling: found at quarter scale (five times faster than at full
    scale), where a block with any rule is on and a 3×3 dilation bridges gaps of ~12 px."""
    scale = GRID_SCALE
    page_h, page_w = rules.shape
    small = cv2.resize(rules, None, fx=1 / scale, fy=1 / scale, interpolation=cv2.INTER_AREA)
    grid = cv2.dilate((small > 0).astype(np.uint8), np.ones((3, 3), np.uint8))
    count, _, stats, _ = cv2.connectedComponentsWithStats(grid)
    for i in range(1, count):
        x, y, w, h = (int(v) * scale for v in stats[i][:4])
        x, y = max(0, x - scale), max(0, y - scale)
        yield x, y, min(page_w - x, w + 2 * scale), min(page_h - y, h + 2 * scale)


def _profile(mask: np.ndarray, axis: int) -> np.ndarray:
    """Sum of a mask along rows (axis=1) or columns (axis=0); cv2.reduce is ~10× numpy's."""
    return cv2.reduce(mask, axis, cv2.REDUCE_SUM, dtype=cv2.CV_32S).ravel()


def _rule_positions(profile: np.ndarray, span: int, offset: int) -> list[int]:
    """Centres of runs where a ruling line covers at least 40 % of the table's span."""
    on = profile / 255 >= span * 0.4
    positions = []
    start = None
    for i, flag in enumerate(np.append(on, False)):
        if flag and start is None:
            start = i
        elif not flag and start is not None:
            positions.append(offset + (start + i - 1) // 2)
            start = None
    return positions
