"""Decode a scanned booklet (multi-page TIFF, PDF, single image, or a folder of page images)."""

from __future__ import annotations

import io
import struct
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageSequence, UnidentifiedImageError

from domain.errors import UnreadableScan

IMAGE_SUFFIXES = {".tif", ".tiff", ".png", ".jpg", ".jpeg", ".bmp"}
SCAN_SUFFIXES = IMAGE_SUFFIXES | {".pdf"}
MAX_PAGES = 40  # a booklet has an identity page and at most ~6 year pages; more means a wrong file
A4_SHORT_SIDE_INCH = 8.27


@dataclass(frozen=True)
class PageImage:
    number: int  # 1-based page number in the source
    pixels: np.ndarray  # grayscale uint8, or BGR uint8 for colour scans decoded in colour
    dpi: float | None  # from file metadata when plausible


def is_scan_candidate(path: Path) -> bool:
    """A file or folder the ingest step should try to read as a booklet."""
    if path.is_dir():
        return any(p.suffix.lower() in IMAGE_SUFFIXES for p in path.iterdir())
    return True  # unknown suffixes are tried and quarantined with a reason, never ignored


def decode_booklet(path: Path, colour: bool = True) -> list[PageImage]:
    """All pages of one booklet, in order. Raises UnreadableScan with the reason.

    `colour=False` keeps only what OCR reads of a colour scan, its red channel (red seals fade
    into the paper there): a third of the memory, a booklet of 400 dpi colour pages 180 MB less.
    """
    if path.is_dir():
        files = sorted(p for p in path.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)
        if not files:
            raise UnreadableScan(f"folder {path.name} holds no page images")
        pages = [page for f in files for page in _decode_file(f, colour)]
    else:
        pages = list(_decode_file(path, colour))
    if not pages:
        raise UnreadableScan(f"{path.name} has no pages")
    if len(pages) > MAX_PAGES:
        raise UnreadableScan(f"{path.name} has {len(pages)} pages; a booklet has far fewer")
    return [PageImage(i + 1, p.pixels, p.dpi) for i, p in enumerate(pages)]


def _decode_file(path: Path, colour: bool) -> Iterator[PageImage]:
    data = path.read_bytes()
    if not data:
        raise UnreadableScan(f"{path.name} is empty (0 bytes)", hint="rescan the booklet")
    if data[:5] == b"%PDF-":
        yield from _decode_pdf(data, path.name, colour)
    else:
        yield from _decode_image(data, path.name, colour)


def _decode_image(data: bytes, name: str, colour: bool) -> Iterator[PageImage]:
    try:
        with Image.open(io.BytesIO(data)) as img:
            for frame in ImageSequence.Iterator(img):
                yield PageImage(0, _to_array(frame, colour), _dpi_of(frame))
    except (
        UnidentifiedImageError,
        OSError,
        SyntaxError,
        ValueError,
        TypeError,
        EOFError,
        struct.error,
    ) as exc:
        # PIL raises all of these for truncated or malformed files (TypeError: a multi-page
        # TIFF cut before a page's tags); every one means the same thing for the batch.
        raise UnreadableScan(
            f"{name} is not a readable image or PDF: {type(exc).__name__}",
            hint="check the file; rescan if it is damaged",
        ) from exc


def _decode_pdf(data: bytes, name: str, colour: bool) -> Iterator[PageImage]:
    import pikepdf

    try:
        pdf = pikepdf.open(io.BytesIO(data))
    except pikepdf.PdfError as exc:
        raise UnreadableScan(f"{name} is a damaged PDF", hint="rescan the booklet") from exc
    with pdf:
        for page in pdf.pages:
            yield _pdf_page_image(page, name, colour)


def _pdf_page_image(page: object, name: str, colour: bool) -> PageImage:
    """The page's scanned image: the largest image drawn on it (scanners write one per page)."""
    import pikepdf

    images = list(page.images.values())  # type: ignore[attr-defined]
    if not images:
        raise UnreadableScan(f"{name} has a PDF page without a scanned image")
    try:
        pdf_images = [pikepdf.PdfImage(obj) for obj in images]
        biggest = max(pdf_images, key=lambda im: im.width * im.height)
        pil = biggest.as_pil_image()
    except Exception as exc:  # pikepdf raises many types for broken streams
        raise UnreadableScan(f"{name} has a PDF page whose image cannot be decoded") from exc
    width_pt = float(page.mediabox[2]) - float(page.mediabox[0])  # type: ignore[attr-defined]
    dpi = pil.width / (width_pt / 72.0) if width_pt > 0 else None
    return PageImage(0, _to_array(pil, colour), dpi)


def _to_array(img: Image.Image, colour: bool) -> np.ndarray:
    if img.mode in ("RGB", "RGBA", "P", "CMYK", "YCbCr"):
        rgb = img if img.mode == "RGB" else img.convert("RGB")
        if not colour:
            return np.asarray(rgb.getchannel("R"))
        return np.ascontiguousarray(np.asarray(rgb)[:, :, ::-1])  # BGR, the OpenCV convention
    return np.asarray(img.convert("L"))


def _dpi_of(img: Image.Image) -> float | None:
    dpi = img.info.get("dpi")
    if not dpi:
        return None
    value = float(dpi[0])
    return value if 100 <= value <= 1200 else None


def estimated_dpi(pixels: np.ndarray) -> float:
    """Resolution guessed from the page's short side, assuming A4 (margins may be cropped)."""
    return min(pixels.shape[:2]) / A4_SHORT_SIDE_INCH
