"""Seal a rendered transcript with the organization certificate (PAdES baseline B-B, pyHanko).

The seal is an invisible approval signature appended as an incremental update, so the PDF/A
markers written by the renderer stay untouched; the widget carries the print flag PDF/A needs.
B-B has no timestamp: the signing time is the signer's claim. B-T/B-LTA need a TSA and
revocation data and are a later step (engineering-notes.md).
"""

from __future__ import annotations

from functools import lru_cache
from io import BytesIO
from pathlib import Path
from typing import TYPE_CHECKING

from domain.errors import ConfigError, SigningError
from signing.pki import DevPki

if TYPE_CHECKING:
    from pyhanko.sign.signers import SimpleSigner

DEFAULT_REASON = "Chứng thực bản điện tử chuyển đổi từ học bạ giấy"
DEFAULT_LOCATION = "Việt Nam"


def sign_pdf(
    pdf: bytes,
    pki: DevPki,
    *,
    field_name: str = "ToChuc",
    reason: str = DEFAULT_REASON,
    location: str = DEFAULT_LOCATION,
) -> bytes:
    """The PDF with an organization seal in `field_name` added as an incremental update."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers

    signer = _load_signer(pki.signer_p12, pki.p12_password_file)
    try:
        writer = IncrementalPdfFileWriter(BytesIO(pdf), strict=False)
        _refuse_if_sealed(writer, field_name)
        meta = signers.PdfSignatureMetadata(
            field_name=field_name,
            reason=reason,
            location=location,
            md_algorithm="sha256",
            subfilter=fields.SigSeedSubFilter.PADES,
        )
        out = signers.PdfSigner(meta, signer=signer).sign_pdf(writer)
        return bytes(out.getbuffer())
    except SigningError:
        raise
    except Exception as exc:  # pyHanko raises many types (PdfReadError, SigningError, ...)
        raise SigningError(
            f"Sealing the PDF failed: {exc}",
            hint="re-render the transcript and retry; if it persists check the seal certificate",
        ) from exc


def _refuse_if_sealed(writer: object, field_name: str) -> None:
    """Signing twice is a pipeline bug (steps must be idempotent): say so instead of stacking."""
    from pyhanko.pdf_utils.reader import PdfFileReader

    reader = writer.prev  # type: ignore[attr-defined]
    assert isinstance(reader, PdfFileReader)
    for sig in reader.embedded_signatures:
        if sig.field_name == field_name:
            raise SigningError(
                f"The PDF already carries a signature in field {field_name}",
                hint="the record was already issued; verify it instead of signing again",
            )


def _load_signer(p12: Path, password_file: Path) -> SimpleSigner:
    try:
        stamp = (p12.stat().st_mtime_ns, password_file.stat().st_mtime_ns)
    except OSError as exc:
        raise ConfigError(
            f"Seal key material not found: {exc.filename}",
            hint="run ensure_dev_pki for development or configure the production signer",
        ) from exc
    return _cached_signer(p12, password_file, stamp)


@lru_cache(maxsize=4)
def _cached_signer(p12: Path, password_file: Path, _stamp: tuple[int, int]) -> SimpleSigner:
    """Parsing PKCS#12 costs more than a signature; reload only when the files change."""
    from pyhanko.sign.signers import SimpleSigner

    password = password_file.read_bytes().strip()
    try:
        return SimpleSigner.load_pkcs12_data(p12.read_bytes(), (), passphrase=password)
    except ValueError as exc:
        raise ConfigError(
            f"Cannot open the seal key store {p12.name}",
            hint="the password file does not match the PKCS#12 file; regenerate the dev PKI",
        ) from exc
