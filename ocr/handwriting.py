"""Handwritten values: detected so they go to a person with their crops, never read as print.

Printers put every glyph of a value on one straight baseline; a hand does not. The measure is
the spread of the glyphs' bottoms around a straight line fitted through them, relative to the
glyph height. It needs a few glyphs, so one field says little (a lone "8"); a page says a lot:
the values of a page are filled in by one hand or by one printer. A page whose typical value
is irregular is handwritten, and each of its values is flagged; a field irregular enough on
its own is flagged wherever it is.
"""

from __future__ import annotations

from collections.abc import Sequence
from statistics import median

import cv2
import numpy as np

from ocr.engine import Box

MIN_GLYPHS = 2  # a lone glyph carries no baseline
SHORT = 4  # short values (scores, codes): too few glyphs to fit a tilted baseline
PAGE_SPREAD = 0.018  # a page's median spread above this: values written by hand
FIELD_SPREAD = 0.25  # one field this irregular is handwritten whatever the page
MIN_FIELDS = 6  # a page verdict needs this many measurable values (identity pages have fewer)


def baseline_spread(gray: np.ndarray, box: Box) -> float | None:
    """How far the main glyphs stray from one baseline, over the median glyph height; None
    with fewer than MIN_GLYPHS glyphs."""
    x, y, w, h = box
    crop = gray[max(0, y) : y + h, max(0, x) : x + w]
    if crop.size == 0 or int(crop.min()) > 150:
        return None
    _, ink = cv2.threshold(crop, 0, 255, cv2.THRESH_BINARY_INV | cv2.THRESH_OTSU)
    _, _, stats, _ = cv2.connectedComponentsWithStats(ink)
    parts = [(px, py, pw, ph) for px, py, pw, ph, area in stats[1:] if area >= 20]
    if not parts:
        return None
    tall = float(np.percentile([ph for *_, ph in parts], 90))
    # main glyphs: not marks or dots, not ruling remnants or underlines
    main = [(px + pw / 2, py + ph, ph) for px, py, pw, ph in parts if 0.5 * tall <= ph <= 2 * tall]
    main = [g for g in main if g[2] >= 12]
    if len(main) < MIN_GLYPHS:
        return None
    if max(bottom - h for _, bottom, h in main) > min(bottom for _, bottom, _ in main):
        return None  # a glyph below another: a value wrapped onto two lines has no one baseline
    # a mark sitting low on the line (a monospace font's tall comma) has no baseline to give
    line = float(np.median([bottom for _, bottom, _ in main]))
    size = float(np.median([h for *_, h in main]))
    main = [g for g in main if g[1] - g[2] < line - size / 2]
    if len(main) < MIN_GLYPHS:
        return None
    xs = np.array([g[0] for g in main])
    bottoms = np.array([g[1] for g in main], dtype=np.float64)
    size = float(np.median([g[2] for g in main]))
    if len(main) <= SHORT:  # too few to fit a tilt (the page is deskewed): flat baseline
        return float(np.abs(bottoms - np.median(bottoms)).mean() / size)
    slope, offset = np.polyfit(xs, bottoms, 1)
    residual = np.abs(bottoms - (slope * xs + offset))
    return float(np.median(residual) / size)


Field = tuple[Box | None, str]  # a reading's box and raw text


def _digits(raw: str) -> bool:
    """Digits are what a page's verdict rests on: printed digits share one baseline and one
    height, while letters bring descenders and the dot below (ạ, ộ) that touch after a scan."""
    return any(ch.isdigit() for ch in raw)


def page_verdict(
    gray: np.ndarray, fields: Sequence[Field]
) -> tuple[bool | None, list[bool], list[float]]:
    """(Is the page's typical numeric value handwritten? None when too few to say; for each
    field, whether it is irregular enough on its own; the spreads measured.)"""
    spreads = [
        baseline_spread(gray, box) if box is not None and _digits(raw) else None
        for box, raw in fields
    ]
    measured = [s for s in spreads if s is not None]
    singles = [s is not None and s > FIELD_SPREAD for s in spreads]
    return _verdict(measured), singles, measured


def _verdict(spreads: Sequence[float]) -> bool | None:
    return median(spreads) > PAGE_SPREAD if len(spreads) >= MIN_FIELDS else None


def booklet_verdicts(pages: Sequence[tuple[np.ndarray, Sequence[Field]]]) -> list[list[bool]]:
    """For each page, for each field: handwritten? One booklet is filled in by hand or by
    software, rarely both, so the booklet has a verdict too: the one most of its judged pages
    reached, or, when no page has enough numeric values to judge (a primary booklet's pages
    hold few), the verdict of all its values pooled. A page is handwritten when it or its
    booklet says so: in a hand-filled booklet, a page whose values happen to sit straight
    still goes to a person (a flag too many costs a look; a hand read as print costs a
    wrong value). For the same reason a tie goes to the hand: two of four pages judged
    handwritten make the booklet handwritten."""
    judged = [page_verdict(gray, fields) for gray, fields in pages]
    known = [v for v, _, _ in judged if v is not None]
    if known:
        booklet = sum(known) * 2 >= len(known)
    else:
        booklet = bool(_verdict([s for _, _, spreads in judged for s in spreads]))
    return [[bool(v) or booklet or alone for alone in singles] for v, singles, _ in judged]
