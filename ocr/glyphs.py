"""A score read glyph by glyph: the third, context-free read of a score cell.

Both Tesseract models read a whole cell as one sequence, and in some fonts both misread a
glyph in one context: a serif "7,5" read "7,9" by `vie` and `eng` alike, on the page and in
the cell. Cut apart, each digit on its own line, the same glyphs read right. This read never
makes a value; it only doubts one (see `FieldSink._vote`).
"""

from __future__ import annotations

from collections.abc import Sequence

import cv2
import numpy as np

from ocr.engine import OcrEngine, Word

DIGIT_ALPHABET = "0123456789"
# Every glyph is scaled to one ink height: alone on its line, a large serif "5" (over about
# 30 px) reads as nothing at all, the same glyph at 20 px reads right.
GLYPH_HEIGHT = 20
_GAP = 30  # white rows between stacked glyphs: each glyph is a line of its own
_PAD = 8


def split_glyphs(ink: np.ndarray) -> tuple[list[np.ndarray], bool] | None:
    """The digit glyphs of a thresholded cell (black on white), left to right, and whether a
    comma sits between the first two; None when the cell holds no digit-sized ink."""
    _, binary = cv2.threshold(ink, 127, 255, cv2.THRESH_BINARY_INV)
    _, _, stats, _ = cv2.connectedComponentsWithStats(binary)
    parts = [(x, y, w, h) for x, y, w, h, area in stats[1:] if area >= 12]
    if not parts:
        return None
    tallest = max(h for *_, h in parts)
    spans: list[list[int]] = []  # left, right, top, bottom of each digit
    for x, y, w, h in sorted(p for p in parts if p[3] >= 0.6 * tallest):
        if spans and x <= spans[-1][1]:  # a glyph broken in two by the threshold
            last = spans[-1]
            spans[-1] = [last[0], max(last[1], x + w), min(last[2], y), max(last[3], y + h)]
        else:
            spans.append([x, x + w, y, y + h])
    comma = len(spans) >= 2 and any(
        h < 0.6 * tallest and spans[0][1] <= x + w / 2 <= spans[1][0] for x, _, w, h in parts
    )
    return [_normalized(ink[top:bottom, left:right]) for left, right, top, bottom in spans], comma


def _normalized(glyph: np.ndarray) -> np.ndarray:
    scale = GLYPH_HEIGHT / glyph.shape[0]
    width = max(1, round(glyph.shape[1] * scale))
    interpolation = cv2.INTER_AREA if scale < 1 else cv2.INTER_CUBIC
    return cv2.resize(glyph, (width, GLYPH_HEIGHT), interpolation=interpolation)


def read_glyphs(engine: OcrEngine, cells: Sequence[np.ndarray]) -> list[str]:
    """Each cell's digits read one glyph at a time, formatted as a score ("7,5", "10"); ""
    when a glyph reads as no single digit. One engine call for all the cells."""
    split = [split_glyphs(cell) for cell in cells]
    lines = [glyph for item in split if item for glyph in item[0]]
    if not lines:
        return ["" for _ in cells]
    width = max(g.shape[1] for g in lines) + 2 * _PAD
    parts, spans, y = [], [], 0
    for glyph in lines:
        right = width - glyph.shape[1] - _PAD
        part = cv2.copyMakeBorder(glyph, _PAD, _GAP, _PAD, right, cv2.BORDER_CONSTANT, value=255)
        parts.append(part)
        spans.append((y, y + _PAD + glyph.shape[0]))
        y += part.shape[0]
    words = engine.read_lines(np.vstack(parts), alphabet=DIGIT_ALPHABET)
    digits = iter(_one_digit(words, top, bottom) for top, bottom in spans)
    out = []
    for item in split:
        if not item:
            out.append("")
            continue
        read = [next(digits) for _ in item[0]]
        out.append(_format(read, comma=item[1]) if all(read) else "")
    return out


def _one_digit(words: Sequence[Word], top: int, bottom: int) -> str:
    text = "".join(w.text for w in words if top <= w.cy < bottom)
    return text if len(text) == 1 else ""


def _format(digits: Sequence[str], *, comma: bool) -> str:
    if comma and len(digits) >= 2:
        return "".join(digits[:-1]) + "," + digits[-1]
    return "".join(digits)
