"""Tesseract through tesserocr: the engine stays loaded in the process, so a call costs the
recognition only (~10 ms for a field crop) instead of a process start (~140 ms).

One `PyTessBaseAPI` per (language, page segmentation mode) per process, created on first use
and reused; the character whitelist is set per call, so each read family's alphabet (digits,
a vocabulary's letters) costs no model of its own. The models come from Debian's tessdata
(the wheel bundles the library, not the models). Output is Tesseract's own TSV, the same
table pytesseract's `image_to_data` parses, so both engines yield the same `Word`s for the
same image.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Any

import numpy as np

from domain.errors import OcrEngineError
from ocr.engine import DIGITS as DIGITS  # re-exported: callers and tests name it here
from ocr.engine import Word

os.environ.setdefault("OMP_THREAD_LIMIT", "1")  # parallelism is by process

TESSDATA_CANDIDATES = (
    "/usr/share/tesseract-ocr/5/tessdata",
    "/usr/share/tesseract-ocr/4.00/tessdata",
    "/usr/share/tessdata",
)

_apis: dict[tuple[str, int], Any] = {}
_lock = threading.Lock()  # an API instance has no lock of its own


class TessdataMissing(OcrEngineError):
    """No tessdata folder holds the models the engine needs."""


def tessdata_dir() -> str:
    """$TESSDATA_PREFIX when it holds models, else the first Debian location that does."""
    env = os.environ.get("TESSDATA_PREFIX")
    for folder in (env, *TESSDATA_CANDIDATES):
        if folder and (Path(folder) / "vie.traineddata").is_file():
            return folder.rstrip("/") + "/"
    raise TessdataMissing(
        "no tessdata folder with vie.traineddata",
        hint="install tesseract-ocr-vie and tesseract-ocr-eng, or set TESSDATA_PREFIX",
    )


def _api(lang: str, psm: int) -> Any:
    key = (lang, psm)
    api = _apis.get(key)
    if api is None:
        import tesserocr

        try:
            api = tesserocr.PyTessBaseAPI(path=tessdata_dir(), lang=lang, psm=psm)
        except RuntimeError as exc:
            raise OcrEngineError(
                f"Tesseract could not load the {lang!r} model: {exc}",
                hint="check the tessdata folder holds vie and eng traineddata",
            ) from exc
        _apis[key] = api
    return api


def recognize(
    image: np.ndarray, lang: str, psm: int, whitelist: str = "", timeout_s: float = 60.0
) -> list[Word]:
    """Words of a grey image, with Tesseract's word confidences and boxes."""
    gray = np.ascontiguousarray(image if image.dtype == np.uint8 else image.astype(np.uint8))
    if gray.ndim != 2:
        raise OcrEngineError("the OCR engine reads grey images only", hint="convert to grey first")
    height, width = gray.shape
    with _lock:
        api = _api(lang, psm)
        api.SetVariable("tessedit_char_whitelist", whitelist)  # "" lifts the previous one
        api.SetImageBytes(gray.tobytes(), width, height, 1, width)
        if not api.Recognize(timeout=int(timeout_s * 1000)):
            api.Clear()
            raise OcrEngineError(
                f"Tesseract gave up on a {width}x{height} image within {timeout_s:.0f} s",
                hint="look at the page scan: it may be noise or not a document",
            )
        tsv = api.GetTSVText(0)
        api.Clear()
    return parse_tsv(tsv)


def parse_tsv(tsv: str) -> list[Word]:
    """Word rows (level 5) of Tesseract's TSV: level page block par line word l t w h conf text."""
    words = []
    for row in tsv.splitlines():
        cols = row.split("\t")
        if len(cols) < 12 or cols[0] != "5":
            continue
        text, conf = cols[11].strip(), float(cols[10])
        if text and conf >= 0:
            x, y, w, h = (int(c) for c in cols[6:10])
            words.append(Word(text, conf, x, y, w, h))
    return words


def release() -> None:
    """End every cached engine (tests; a worker that is about to exit needs nothing)."""
    with _lock:
        for api in _apis.values():
            api.End()
        _apis.clear()


PSM_BLOCK_COLUMNS = 4  # a page: one column of text of variable sizes
PSM_BLOCK = 6  # a strip of stacked crops: one uniform block
PSM_LINE = 7
PSM_RAW_LINE = 13


class TesserocrEngine:
    """The production engine: same reads as `TesseractEngine`, without a process per call."""

    def __init__(self, lang: str = "vie", timeout: float = 60.0) -> None:
        self.lang = lang
        self.timeout = timeout

    def read_page(self, image: np.ndarray) -> list[Word]:
        return recognize(image, self.lang, PSM_BLOCK_COLUMNS, timeout_s=self.timeout)

    def read_lines(self, image: np.ndarray, *, alphabet: str | None = None) -> list[Word]:
        """Words of a strip of stacked crops, one crop per text line; with an `alphabet`,
        `eng` restricted to it (a second read family)."""
        return recognize(image, self._model(alphabet), PSM_BLOCK, alphabet or "", self.timeout)

    def read_raw_line(self, image: np.ndarray) -> list[Word]:
        """Words of one line taken as it is, without layout analysis: a label and its value
        printed on two baselines (a form filled by a second printer pass) can make the line
        finder of the other modes return nothing at all."""
        return recognize(image, self.lang, PSM_RAW_LINE, timeout_s=self.timeout)

    def read_line(self, image: np.ndarray, *, alphabet: str | None = None) -> tuple[str, float]:
        """One line of text from a crop: (text, minimum word confidence)."""
        words = recognize(image, self._model(alphabet), PSM_LINE, alphabet or "", self.timeout)
        if not words:
            return "", 0.0
        return " ".join(w.text for w in words), min(w.conf for w in words)

    def _model(self, alphabet: str | None) -> str:
        """A restricted alphabet is read with `eng`: a model independent of the page's."""
        return "eng" if alphabet else self.lang
