"""Make a clean rendered page look scanned: resampling, skew, rotation, blur, noise, JPEG, stains.

Heavy pixel work runs in OpenCV (several times faster than PIL on an A4 page). Seeded by the
caller's `random.Random`; the same page, generator state and level give the same
pixels. `apply_degradation` also returns what it did (`PageTrace`) for the archive manifest,
so a benchmark knows each page's true rotation, skew and resolution.

Conventions: `rotation` is the clockwise quarter turn applied to the upright page (undo it by
turning counter-clockwise by the same angle); `skew` is in degrees, positive counter-clockwise.
"""

from __future__ import annotations

import io
import random
from dataclasses import dataclass
from typing import Any, Literal

import cv2
import numpy as np
from numpy.typing import NDArray
from PIL import Image

Degradation = Literal["clean", "typical", "poor"]
Array = NDArray[Any]  # uint8 pages, H x W or H x W x 3
MASTER_DPI = 300


@dataclass(frozen=True)
class Profile:
    dpi: tuple[int, int]
    skew: float  # max |degrees|
    quarter_turn: float  # probability of a 90/180/270 rotation
    blur: tuple[float, float]  # gaussian radius at 300 dpi
    noise: tuple[float, float]  # gaussian sigma in grey levels
    jpeg: tuple[int, int] | None  # quality range of the round trip
    shading: float  # depth of uneven illumination
    stain: float  # probability of a stain blob
    bleed: float  # probability of bleed-through
    fold: float  # probability of a fold line
    border: float  # probability of dark scanner border strips
    crop: float  # probability of a few pixels cropped at an edge


PROFILES: dict[str, Profile] = {
    "clean": Profile((300, 300), 0.0, 0.0, (0.0, 0.0), (1.5, 2.5), None, 0.0, 0, 0, 0, 0, 0),
    "typical": Profile(
        (200, 400), 2.5, 0.1, (0.3, 0.8), (3.0, 7.0), (60, 85), 0.1, 0.25, 0.0, 0.0, 0.5, 0.15
    ),
    "poor": Profile(
        (200, 400), 4.0, 0.12, (0.8, 1.3), (8.0, 14.0), (35, 55), 0.22, 0.7, 0.7, 0.6, 0.8, 0.3
    ),
}
DPI_RANGE: dict[str, tuple[int, int]] = {name: p.dpi for name, p in PROFILES.items()}


@dataclass(frozen=True)
class PageTrace:
    """What one page went through; written per page to the manifest."""

    dpi: int
    rotation: int
    skew: float
    crop: tuple[int, int, int, int]  # pixels removed at left, top, right, bottom
    stain: bool
    bleed_through: bool
    fold: bool
    jpeg_quality: int | None  # None: stored losslessly

    def to_manifest(self) -> dict[str, object]:
        return {
            "dpi": self.dpi,
            "rotation": self.rotation,
            "skew": self.skew,
            "crop": list(self.crop),
            "stain": self.stain,
            "bleed_through": self.bleed_through,
            "fold": self.fold,
            "jpeg_quality": self.jpeg_quality,
        }


def degrade_page(img: Image.Image, rng: random.Random, level: Degradation) -> Image.Image:
    """The scanned look of `img` (any dpi in `DPI_RANGE[level]`, `info["dpi"]` set)."""
    return apply_degradation(img, rng, level)[0]


def apply_degradation(
    img: Image.Image,
    rng: random.Random,
    level: Degradation,
    *,
    dpi: int | None = None,
    jpeg_quality: int | None = None,
    round_trip: bool = True,
) -> tuple[Image.Image, PageTrace]:
    """Degrade one page.

    `dpi` and `jpeg_quality` fix the scanner settings (a booklet is scanned at one setting);
    `round_trip=False` skips the JPEG pass for a caller that stores the page as JPEG itself
    at `trace.jpeg_quality` (encoding twice costs time and adds nothing).
    """
    p = PROFILES[level]
    dpi = dpi or _pick_dpi(rng, p)
    quality = jpeg_quality or (rng.randint(*p.jpeg) if p.jpeg else None)
    src_dpi = int(img.info.get("dpi", (MASTER_DPI, MASTER_DPI))[0])
    mode = "RGB" if img.mode == "RGB" else "L"
    page = np.asarray(img.convert(mode))
    if dpi != src_dpi:
        page = _resample(page, dpi / src_dpi)
    gen = np.random.default_rng(rng.getrandbits(64))
    bleed = rng.random() < p.bleed
    if bleed:
        page = _bleed_through(page, rng)
    stain, fold = rng.random() < p.stain, rng.random() < p.fold
    page = _paper(page, rng, p.shading, stain, fold, level == "poor")
    skew = round(rng.uniform(-p.skew, p.skew), 2) if p.skew else 0.0
    if skew:
        page = _skew(page, skew)
    page = _blur(page, rng.uniform(*p.blur) * dpi / MASTER_DPI)
    page = _noise(page, gen, rng.uniform(*p.noise))
    if rng.random() < p.border:
        page = _borders(page, rng)
    crop = _crop_edges(rng) if rng.random() < p.crop else (0, 0, 0, 0)
    h, w = page.shape[:2]
    page = page[crop[1] : h - crop[3], crop[0] : w - crop[2]]
    rotation = rng.choice((90, 180, 270)) if rng.random() < p.quarter_turn else 0
    out = _turn(Image.fromarray(np.ascontiguousarray(page), mode), rotation)
    if quality and round_trip:
        out = _jpeg(out, quality)
    out.info["dpi"] = (dpi, dpi)
    return out, PageTrace(dpi, rotation, skew, crop, stain, bleed, fold, quality)


def _pick_dpi(rng: random.Random, p: Profile) -> int:
    low, high = p.dpi
    return (
        low
        if low == high
        else rng.choice([d for d in (200, 240, 300, 360, 400) if low <= d <= high])
    )


def _resample(page: Array, factor: float) -> Array:
    size = (round(page.shape[1] * factor), round(page.shape[0] * factor))
    interpolation = cv2.INTER_AREA if factor < 1 else cv2.INTER_LINEAR
    return cv2.resize(page, size, interpolation=interpolation)


def _bleed_through(page: Array, rng: random.Random) -> Array:
    """The reverse side showing through: the mirrored page, faint and soft."""
    strength = rng.uniform(0.05, 0.11)
    ghost = cv2.blur(page[:, ::-1], (9, 9)).astype(np.float32)
    ghost = 255.0 - (255.0 - ghost) * strength
    return cv2.multiply(page, ghost.astype(np.uint8), scale=1 / 255)


def _paper(
    page: Array, rng: random.Random, shading: float, stain: bool, fold: bool, strong: bool
) -> Array:
    """Uneven light, stains and a fold line as one low-resolution multiplicative field."""
    if not (shading or stain or fold):
        return page
    h, w = max(1, page.shape[0] // 8), max(1, page.shape[1] // 8)
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    cx, cy = rng.uniform(0, w), rng.uniform(0, h)
    dist = np.hypot((xx - cx) / w, (yy - cy) / h)
    field = (np.clip(1.0 - shading * np.clip(dist, 0, 1), 0, 1) * 255).astype(np.uint8)
    if stain:
        for _ in range(rng.randint(1, 3 if strong else 1)):
            r = rng.uniform(0.04, 0.12 if strong else 0.07) * w
            centre = (round(rng.uniform(0, w)), round(rng.uniform(0, h)))
            axes = (round(r), round(r * rng.uniform(0.6, 1.2)))
            depth = rng.randint(150, 200) if strong else rng.randint(195, 225)
            cv2.ellipse(field, centre, axes, rng.uniform(0, 180), 0, 360, depth, -1)
    if fold:
        y = round(h * rng.uniform(0.4, 0.6))
        cv2.line(field, (0, y), (w, y + rng.randint(-3, 3)), 165, 2)
    field = cv2.GaussianBlur(field, (0, 0), 2)
    field = cv2.resize(field, (page.shape[1], page.shape[0]), interpolation=cv2.INTER_LINEAR)
    if page.ndim == 3:
        field = cv2.merge([field, field, (field * 0.97).astype(np.uint8)])  # paper yellows
    return cv2.multiply(page, field, scale=1 / 255)


def _skew(page: Array, degrees: float) -> Array:
    h, w = page.shape[:2]
    matrix = cv2.getRotationMatrix2D((w / 2, h / 2), degrees, 1.0)
    fill = (238, 238, 238) if page.ndim == 3 else 238  # the scanner lid around the paper
    return cv2.warpAffine(page, matrix, (w, h), flags=cv2.INTER_LINEAR, borderValue=fill)


def _blur(page: Array, radius: float) -> Array:
    return cv2.GaussianBlur(page, (0, 0), radius) if radius >= 0.2 else page


def _noise(page: Array, gen: np.random.Generator, sigma: float) -> Array:
    """Sensor noise from a seeded tile rolled over the page (a full field costs 10x more)."""
    tile = np.rint(gen.standard_normal((512, 512), dtype=np.float32) * sigma).astype(np.int16)
    h, w = page.shape[:2]
    shift = (int(gen.integers(512)), int(gen.integers(512)))
    tile = np.roll(tile, shift, axis=(0, 1))
    reps = (h // 512 + 1, w // 512 + 1)
    up = np.tile(np.clip(tile, 0, 255).astype(np.uint8), reps)[:h, :w]
    down = np.tile(np.clip(-tile, 0, 255).astype(np.uint8), reps)[:h, :w]
    if page.ndim == 3:
        up, down = cv2.merge([up] * 3), cv2.merge([down] * 3)
    # saturating uint8 arithmetic: no int16 copy of the page
    return cv2.subtract(cv2.add(page, up), down)


def _borders(page: Array, rng: random.Random) -> Array:
    """Dark strips where the scanner lid did not cover the glass."""
    out = page.copy()
    for edge in rng.sample(("left", "top", "right", "bottom"), rng.randint(1, 2)):
        depth = max(2, round(min(page.shape[:2]) * rng.uniform(0.004, 0.015)))
        shade = rng.randint(15, 60)
        if edge == "left":
            out[:, :depth] = shade
        elif edge == "right":
            out[:, -depth:] = shade
        elif edge == "top":
            out[:depth] = shade
        else:
            out[-depth:] = shade
    return out


def _crop_edges(rng: random.Random) -> tuple[int, int, int, int]:
    edge = rng.randrange(4)
    return tuple(rng.randint(3, 25) if i == edge else 0 for i in range(4))  # type: ignore[return-value]


def _turn(page: Image.Image, rotation: int) -> Image.Image:
    transposes = {
        90: Image.Transpose.ROTATE_270,  # PIL turns counter-clockwise; 270 ccw = 90 cw
        180: Image.Transpose.ROTATE_180,
        270: Image.Transpose.ROTATE_90,
    }
    return page.transpose(transposes[rotation]) if rotation else page


def _jpeg(page: Image.Image, quality: int) -> Image.Image:
    buffer = io.BytesIO()
    page.save(buffer, format="JPEG", quality=quality)
    buffer.seek(0)
    out = Image.open(buffer)
    out.load()
    return out
