"""Typed errors. Each message tells the operator what to do next."""

from __future__ import annotations


class HocbaError(Exception):
    """Base of every error hocba raises on purpose."""

    code = "HOCBA_ERROR"

    def __init__(self, message: str, *, hint: str = "") -> None:
        super().__init__(message)
        self.hint = hint

    def __str__(self) -> str:
        base = super().__str__()
        return f"{base} ({self.hint})" if self.hint else base


class UnreadableScan(HocbaError):
    """An input file that cannot be decoded into page images: it is quarantined."""

    code = "UNREADABLE_SCAN"


class UnsupportedPage(HocbaError):
    """A page decoded fine but is not a page of a booklet family in scope."""

    code = "UNSUPPORTED_PAGE"


class OcrEngineError(HocbaError):
    """The OCR engine crashed or timed out; the page is flagged, never silently empty."""

    code = "OCR_ENGINE_ERROR"


class ConfigError(HocbaError):
    """Settings are missing or unsafe (e.g. a placeholder secret outside development)."""

    code = "CONFIG_ERROR"


class StorageError(HocbaError):
    """The object store or the database refused an operation."""

    code = "STORAGE_ERROR"


class SigningError(HocbaError):
    """Rendering, signing or verifying a transcript failed."""

    code = "SIGNING_ERROR"
