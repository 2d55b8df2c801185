"""OCR engines behind one small interface: Tesseract, kept loaded in the process through
tesserocr (`ocr.tess_api`, the default), or through pytesseract (the reference and fallback).

pytesseract starts a process per call (~140 ms fixed); tesserocr costs the recognition only.
Every call has a timeout; a crash or timeout raises OcrEngineError so the page is flagged,
never silently emptied.
"""

from __future__ import annotations

import logging
import os
import tempfile
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

from domain.errors import OcrEngineError

# Tesseract's OpenMP threads fight each other when we parallelize by process.
os.environ.setdefault("OMP_THREAD_LIMIT", "1")

log = logging.getLogger(__name__)

# Alphabets of the second read family: the `eng` model restricted to a cell's possible
# characters. A closed letter vocabulary gets its own (see ocr.fields.vocab_alphabet).
DIGITS = "0123456789,."


Box = tuple[int, int, int, int]  # x, y, width, height in page pixels


@dataclass(frozen=True)
class Word:
    text: str
    conf: float  # 0-100
    x: int
    y: int
    w: int
    h: int

    @property
    def cx(self) -> float:
        return self.x + self.w / 2

    @property
    def cy(self) -> float:
        return self.y + self.h / 2

    @property
    def right(self) -> int:
        return self.x + self.w


class OcrEngine(Protocol):
    def read_page(self, image: np.ndarray) -> list[Word]: ...

    def read_line(self, image: np.ndarray, *, alphabet: str | None = None) -> tuple[str, float]: ...

    def read_lines(self, image: np.ndarray, *, alphabet: str | None = None) -> list[Word]: ...

    def read_raw_line(self, image: np.ndarray) -> list[Word]: ...


class TesseractEngine:
    """Tesseract 5 with the Vietnamese model; with an `alphabet`, `eng` restricted to it."""

    def __init__(self, lang: str = "vie", timeout: float = 60.0) -> None:
        self.lang = lang
        self.timeout = timeout

    def read_page(self, image: np.ndarray) -> list[Word]:
        return _words(self._call("image_to_data", image, self.lang, "--psm 4"))

    def read_lines(self, image: np.ndarray, *, alphabet: str | None = None) -> list[Word]:
        """Words of a strip of stacked crops, one crop per text line (uniform block)."""
        return _words(self._call("image_to_data", image, *self._model(6, alphabet)))

    def read_raw_line(self, image: np.ndarray) -> list[Word]:
        """Words of one line taken as it is, without layout analysis (see TesserocrEngine)."""
        return _words(self._call("image_to_data", image, self.lang, "--psm 13"))

    def read_line(self, image: np.ndarray, *, alphabet: str | None = None) -> tuple[str, float]:
        """One line of text from a crop: (text, minimum word confidence)."""
        data = self._call("image_to_data", image, *self._model(7, alphabet))
        pairs = [(t.strip(), float(c)) for t, c in zip(data["text"], data["conf"], strict=True)]
        pairs = [(t, c) for t, c in pairs if t and c >= 0]
        if not pairs:
            return "", 0.0
        return " ".join(t for t, _ in pairs), min(c for _, c in pairs)

    def _model(self, psm: int, alphabet: str | None) -> tuple[str, str]:
        """(language, config): `eng` with a whitelist for an alphabet, else the page model."""
        if alphabet:
            return "eng", f"--psm {psm} -c tessedit_char_whitelist={alphabet}"
        return self.lang, f"--psm {psm}"

    def _call(self, fn: str, image: np.ndarray, lang: str, config: str) -> dict[str, list]:
        import cv2
        import pytesseract

        # pytesseract would PNG-compress the array first (over half the page time): hand
        # Tesseract an uncompressed PGM file instead.
        with tempfile.NamedTemporaryFile(suffix=".pgm") as handle:
            cv2.imwrite(handle.name, image)
            return self._run(pytesseract, fn, handle.name, lang, config)

    def _run(self, pytesseract: Any, fn: str, path: str, lang: str, config: str) -> dict[str, list]:
        try:
            result: dict[str, list] = getattr(pytesseract, fn)(
                path,
                lang=lang,
                config=config,
                timeout=self.timeout,
                output_type=pytesseract.Output.DICT,
            )
        except RuntimeError as exc:  # pytesseract signals its timeout this way
            raise OcrEngineError(f"Tesseract timed out after {self.timeout:.0f} s") from exc
        except (pytesseract.TesseractError, OSError) as exc:
            raise OcrEngineError(
                f"Tesseract failed: {exc}", hint="check `tesseract --list-langs` shows vie and eng"
            ) from exc
        return result


def _words(data: dict[str, list]) -> list[Word]:
    words = []
    for text, conf, x, y, w, h in zip(
        data["text"],
        data["conf"],
        data["left"],
        data["top"],
        data["width"],
        data["height"],
        strict=True,
    ):
        if text and text.strip() and float(conf) >= 0:
            words.append(Word(text.strip(), float(conf), int(x), int(y), int(w), int(h)))
    return words


_default: OcrEngine | None = None


def default_engine() -> OcrEngine:
    """The process's engine: tesserocr when its wheel and the models load, else pytesseract."""
    global _default
    if _default is None:
        try:
            from ocr.tess_api import TesserocrEngine, tessdata_dir

            tessdata_dir()
            _default = TesserocrEngine()
        except (ImportError, OcrEngineError) as exc:
            log.warning("tesserocr unavailable (%s); using pytesseract, a process per call", exc)
            _default = TesseractEngine()
    return _default
