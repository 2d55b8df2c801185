"""Page cleanup with OpenCV: resolution, orientation, skew, background, ruling lines.

Everything downstream works on a page normalized to TARGET_DPI, upright and deskewed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import cv2
import numpy as np

from ocr.decode import PageImage, estimated_dpi

TARGET_DPI = 300.0
MAX_SKEW_DEG = 6.0


@dataclass(frozen=True)
class CleanPage:
    number: int
    gray: np.ndarray  # upright, deskewed, background-flattened, TARGET_DPI
    binary: np.ndarray  # ink = 255
    text_only: np.ndarray  # gray with ruling lines painted white: what OCR reads
    h_lines: np.ndarray  # mask of horizontal ruling lines
    v_lines: np.ndarray  # mask of vertical ruling lines
    rotation: int  # degrees clockwise applied to make it upright (0/90/180/270)
    skew: float  # degrees corrected
    source_dpi: float

    def without_masks(self) -> CleanPage:
        """Only `gray` is needed once the page is read and its tables found: dropping the
        other full-page arrays saves ~35 MB a page, over a booklet the worker's peak memory."""
        empty = np.zeros((0, 0), np.uint8)
        return replace(self, binary=empty, text_only=empty, h_lines=empty, v_lines=empty)


def has_glyphs(
    gray: np.ndarray, box: tuple[int, int, int, int], text_height: float, dark: int = 128
) -> bool:
    """Any ink in the box at least a third of the text height tall: dotted or ruled leaders
    and specks are not glyphs; `dark` is the grey level below which a pixel is ink."""
    x, y, w, h = box
    crop = gray[max(0, y) : y + h, max(0, x) : x + w]
    if crop.size == 0:
        return False
    ink = (crop < dark).astype(np.uint8)
    n, _, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    return bool((stats[1:n, cv2.CC_STAT_HEIGHT] >= text_height / 3).any())


def to_gray(pixels: np.ndarray) -> np.ndarray:
    """Colour scans keep the red channel: red seals and stamps fade into the paper there."""
    if pixels.ndim == 3:
        return np.ascontiguousarray(pixels[:, :, 2])
    return pixels


def normalize_resolution(gray: np.ndarray, dpi: float | None) -> tuple[np.ndarray, float]:
    source = dpi or estimated_dpi(gray)
    # Metadata that disagrees wildly with an A4 page is wrong more often than the page size.
    if abs(source - estimated_dpi(gray)) / source > 0.35:
        source = estimated_dpi(gray)
    scale = TARGET_DPI / source
    if abs(scale - 1.0) < 0.03:
        return gray, source
    interp = cv2.INTER_AREA if scale < 1 else cv2.INTER_CUBIC
    return cv2.resize(gray, None, fx=scale, fy=scale, interpolation=interp), source


def flatten_background(gray: np.ndarray) -> np.ndarray:
    """Divide by a coarse background estimate: removes uneven lighting, stains and yellowing."""
    small = cv2.resize(gray, None, fx=0.125, fy=0.125, interpolation=cv2.INTER_AREA)
    background = cv2.morphologyEx(small, cv2.MORPH_CLOSE, np.ones((9, 9), np.uint8))
    background = cv2.medianBlur(background, 5)
    background = cv2.resize(
        background, (gray.shape[1], gray.shape[0]), interpolation=cv2.INTER_LINEAR
    )
    flat = cv2.divide(gray, np.maximum(background, 1), scale=255)
    return flat


def binarize(gray: np.ndarray) -> np.ndarray:
    _, binary = cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY_INV | cv2.THRESH_OTSU)
    return binary


def remove_dark_border(gray: np.ndarray) -> np.ndarray:
    """Paint scanner-lid borders (dark strips along the edges) white."""
    out = gray.copy()
    h, w = gray.shape
    limit = int(min(h, w) * 0.06)
    for axis, size in ((0, h), (1, w)):
        means = gray.mean(axis=1 - axis)
        for index_range in (range(limit), range(size - 1, size - 1 - limit, -1)):
            for i in index_range:
                if means[i] > 110:
                    break
                if axis == 0:
                    out[i, :] = 255
                else:
                    out[:, i] = 255
    return out


def text_is_vertical(binary: np.ndarray) -> bool:
    """Smear ink sideways and count the long thin blobs it makes: horizontal text lines make
    many, vertical ones (a page turned 90°) almost none. Robust to skew and to table rules."""
    small = _without_lines(cv2.resize(binary, None, fx=0.25, fy=0.25, interpolation=cv2.INTER_AREA))
    return _line_blobs(small) < _line_blobs(cv2.rotate(small, cv2.ROTATE_90_CLOCKWISE))


def _line_blobs(small: np.ndarray) -> int:
    smeared = cv2.dilate(small, np.ones((1, 9), np.uint8))
    count, _, stats, _ = cv2.connectedComponentsWithStats(smeared)
    w, h = stats[1:, cv2.CC_STAT_WIDTH], stats[1:, cv2.CC_STAT_HEIGHT]
    return int(((w > 6 * h) & (h >= 3)).sum()) if count > 1 else 0


def upside_down(binary: np.ndarray) -> bool:
    """On a deskewed page: does the ink of text lines sit high in the line (upside down)?"""
    small = _without_lines(cv2.resize(binary, None, fx=0.5, fy=0.5, interpolation=cv2.INTER_AREA))
    return not _ink_sits_low(small)


def _profile_sharpness(profile: np.ndarray) -> float:
    p = profile.astype(np.float64)
    if p.sum() == 0:
        return 0.0
    return float(np.abs(np.diff(p)).sum() / p.sum())


def _ink_sits_low(binary: np.ndarray) -> bool:
    """Vote over text lines: is the ink centroid below the middle of the line band?"""
    profile = (binary > 0).sum(axis=1)
    threshold = max(2, int(profile.max() * 0.05)) if profile.size else 2
    inked = profile > threshold
    votes = 0
    start = None
    for y, on in enumerate(np.append(inked, False)):
        if on and start is None:
            start = y
        elif not on and start is not None:
            band = profile[start:y].astype(np.float64)
            if 6 <= y - start <= 60 and band.sum() > 0:
                centroid = (band * np.arange(len(band))).sum() / band.sum()
                votes += 1 if centroid > (len(band) - 1) / 2 else -1
            start = None
    return votes >= 0


def rotate_upright(gray: np.ndarray, rotation: int) -> np.ndarray:
    codes = {90: cv2.ROTATE_90_CLOCKWISE, 180: cv2.ROTATE_180, 270: cv2.ROTATE_90_COUNTERCLOCKWISE}
    return cv2.rotate(gray, codes[rotation]) if rotation in codes else gray


def estimate_skew(binary: np.ndarray) -> float:
    """Angle (degrees) maximizing the row-profile sharpness; coarse then fine search.

    The page is not rotated per candidate angle: its ink is summed in narrow vertical strips
    once, and a small rotation moves each strip's profile up or down by sin(angle) times the
    strip's distance from the centre, so each angle costs a sum of shifted profiles."""
    strips, offsets = _strip_profiles(binary)
    best = _best_angle(strips, offsets, np.arange(-MAX_SKEW_DEG, MAX_SKEW_DEG + 0.01, 0.5))
    # Rounded: arange's float steps would report 0.30000000000000004 for a 0.3 grid point.
    return _best_angle(strips, offsets, np.round(np.arange(best - 0.5, best + 0.51, 0.1), 1))


_STRIP_PX = 32  # at 300 dpi a 6° turn moves a line 3 px across a strip: still one line


def _strip_profiles(binary: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Ink per row of each vertical strip at half the rows (strips x rows), and each strip's
    centre's distance from the page's centre in those half-scale pixels."""
    h, w = binary.shape
    count = max(1, w // _STRIP_PX)
    width = count * _STRIP_PX
    means = cv2.resize(binary[:, :width], (count, h // 2), interpolation=cv2.INTER_AREA)
    offsets = ((np.arange(count) + 0.5) * _STRIP_PX - width / 2) / 2
    return means.T.astype(np.float64), offsets


def _best_angle(strips: np.ndarray, offsets: np.ndarray, angles: np.ndarray) -> float:
    rows = strips.shape[1]
    pad = int(np.ceil(np.abs(offsets).max() * np.sin(np.radians(np.abs(angles).max())))) + 1
    profile = np.zeros(rows + 2 * pad)
    scores = []
    for angle in angles:
        profile[:] = 0
        # a turn by `angle` (counter-clockwise, as cv2.getRotationMatrix2D) lifts a point
        # at x from the centre by x·sin(angle)
        starts = pad - np.rint(np.sin(np.radians(angle)) * offsets).astype(np.int64)
        for strip, start in zip(strips, starts.tolist(), strict=True):
            profile[start : start + rows] += strip
        scores.append(float(np.square(np.diff(profile)).sum()))
    return float(angles[int(np.argmax(scores))])


def rotate_by(gray: np.ndarray, angle: float) -> np.ndarray:
    if abs(angle) < 0.05:
        return gray
    h, w = gray.shape
    matrix = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    return cv2.warpAffine(
        gray,
        matrix,
        (w, h),
        flags=cv2.INTER_LINEAR,
        borderMode=cv2.BORDER_CONSTANT,
        borderValue=255,
    )


def _deskewed(gray: np.ndarray, binary: np.ndarray) -> tuple[np.ndarray, np.ndarray, float]:
    """The page turned straight, its binary image (thresholded again only if it turned)."""
    skew = estimate_skew(binary)
    straight = rotate_by(gray, skew)
    return straight, binary if straight is gray else binarize(straight), skew


# A glyph whose loop can hold a dotted zero's dot: 300 dpi text from about 6 to 36 points.
_GLYPH_HEIGHTS = (10, 150)


def without_loop_dots(gray: np.ndarray, binary: np.ndarray) -> np.ndarray:
    """`gray` with every small dot that sits alone in the middle of a glyph's full-height
    loop painted white. Typewriters, dot-matrix printers and monospace fonts print a dotted
    zero; both Tesseract models read it 9, 8 or g. Without its dot it is a plain 0, and no
    other glyph of Vietnamese text has ink floating inside a loop (marks sit above or below)."""
    contours, hierarchy = cv2.findContours(binary, cv2.RETR_TREE, cv2.CHAIN_APPROX_SIMPLE)
    if hierarchy is None:
        return gray
    links = hierarchy[0]  # next, previous, first child, parent
    boxes = [cv2.boundingRect(c) for c in contours]  # x, y, width, height
    dots = [
        contours[i]
        for i, (_, _, child, hole) in enumerate(links)
        if child < 0
        and hole >= 0
        and links[hole][3] >= 0
        and _is_loop_dot(boxes[links[hole][3]], boxes[hole], boxes[i])
    ]
    if not dots:
        return gray
    out = gray.copy()
    cv2.drawContours(out, dots, -1, 255, thickness=cv2.FILLED)
    cv2.drawContours(out, dots, -1, 255, thickness=2)  # and the dot's grey fringe
    return out


def _is_loop_dot(glyph: Sequence[int], loop: Sequence[int], dot: Sequence[int]) -> bool:
    """A dot in the middle of a loop spanning most of a glyph's height (0, O, D: not the
    part loops of 6, 9, a, e), small beside the loop, like the dot of a dotted zero."""
    _, _, _, glyph_h = glyph
    x, y, w, h = loop
    dx, dy, dw, dh = dot
    centre_x, centre_y = dx + dw / 2, dy + dh / 2
    return (
        _GLYPH_HEIGHTS[0] <= glyph_h <= _GLYPH_HEIGHTS[1]
        and h >= 0.6 * glyph_h
        and dh <= 0.45 * h
        and dw <= 0.6 * w
        and abs(centre_x - (x + w / 2)) <= w / 4
        and abs(centre_y - (y + h / 2)) <= h / 4
    )


def ruling_lines(binary: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Masks of long horizontal and vertical strokes (table grid, underlines)."""
    h, w = binary.shape
    horizontal = cv2.morphologyEx(binary, cv2.MORPH_OPEN, np.ones((1, max(40, w // 25)), np.uint8))
    vertical = cv2.morphologyEx(binary, cv2.MORPH_OPEN, np.ones((max(40, h // 40), 1), np.uint8))
    return horizontal, vertical


def _without_lines(binary: np.ndarray) -> np.ndarray:
    horizontal, vertical = ruling_lines(binary)
    return cv2.subtract(binary, cv2.bitwise_or(horizontal, vertical))


def clean_page(page: PageImage, rotation: int | None = None) -> CleanPage:
    """Full cleanup. `rotation` forces an orientation (used when OCR says the guess was wrong)."""
    gray, source_dpi = normalize_resolution(to_gray(page.pixels), page.dpi)
    gray = remove_dark_border(flatten_background(gray))
    if rotation is None:
        rotation, binary = 0, binarize(gray)
        if text_is_vertical(binary):
            rotation, gray, binary = 90, rotate_upright(gray, 90), rotate_upright(binary, 90)
        gray, binary, skew = _deskewed(gray, binary)
        if upside_down(binary):
            rotation = (rotation + 180) % 360
            gray, binary = rotate_upright(gray, 180), rotate_upright(binary, 180)
            skew = -skew
    else:
        gray = rotate_upright(gray, rotation)
        gray, binary, skew = _deskewed(gray, binarize(gray))
    gray = without_loop_dots(gray, binary)
    h_lines, v_lines = ruling_lines(binary)
    grid = cv2.dilate(cv2.bitwise_or(h_lines, v_lines), np.ones((3, 3), np.uint8))
    text_only = gray.copy()
    text_only[grid > 0] = 255
    return CleanPage(
        page.number, gray, binary, text_only, h_lines, v_lines, rotation, skew, source_dpi
    )
