"""Sign a rendered transcript with pyHanko: named individual signatures, then the organization seal.

Each signature is an invisible approval signature appended as an incremental update, so the
PDF/A markers written by the renderer stay untouched; the widget carries the print flag PDF/A
needs. When several signers are configured all signature fields are created in one update
before the first signature (engineering-notes.md: a field added later breaks earlier ones).
Levels (PAdES baseline), chosen per deployment:
- B-B: no timestamp; the signing time is the signer's claim;
- B-T: plus an RFC 3161 signature timestamp from the configured TSA;
- B-LT: plus the chain's OCSP/CRL answers in the DSS, so validation works offline.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from io import BytesIO
from pathlib import Path
from typing import Any, Literal

from domain.errors import ConfigError, SigningError
from signing.pki import DevPki
from signing.signers import pkcs12_signer

Level = Literal["B-B", "B-T", "B-LT"]
LEVELS: tuple[Level, ...] = ("B-B", "B-T", "B-LT")
DEFAULT_REASON = "Chứng thực bản điện tử chuyển đổi từ học bạ giấy"
DEFAULT_LOCATION = "Việt Nam"
SEAL_FIELD = "ToChuc"
# hex digits reserved for the CMS; measured 4.5k (B-B) and 10.2k (B-T) with a 3-level chain
_RESERVED: dict[str, int] = {"B-B": 6144, "B-T": 12288, "B-LT": 12288}
_REVINFO_REUSE_S = 600


@dataclass(frozen=True)
class SealOptions:
    level: Level = "B-B"
    tsa_url: str | None = None
    timestamper: Any = None  # a pyHanko TimeStamper; overrides tsa_url (tests)
    trust_roots: tuple[Path, ...] = ()  # B-LT: roots the embedded validation path ends at
    reason: str = DEFAULT_REASON
    location: str = DEFAULT_LOCATION
    timeout: float = 10.0


@dataclass(frozen=True)
class SignStep:
    field_name: str
    signer: Any  # pyHanko Signer (see signing.signers.open_signer)
    reason: str | None = None  # None: the options' reason


def sign_pdf(
    pdf: bytes,
    pki: DevPki,
    *,
    field_name: str = SEAL_FIELD,
    reason: str = DEFAULT_REASON,
    location: str = DEFAULT_LOCATION,
) -> bytes:
    """The PDF with the dev PKCS#12 seal in `field_name` (PAdES B-B)."""
    signer = pkcs12_signer(pki.signer_p12, pki.p12_password_file)
    options = SealOptions(reason=reason, location=location)
    return sign_document(pdf, [SignStep(field_name, signer)], options)


def sign_document(pdf: bytes, steps: Sequence[SignStep], options: SealOptions) -> bytes:
    """Apply `steps` in order (individuals first, the organization seal last)."""
    if not steps:
        raise ConfigError("no signer configured", hint="configure at least the organization seal")
    stamper = _timestamper(options)  # configuration errors before any work
    lt = options.level == "B-LT"
    context = _fetching_context(options.trust_roots) if lt else None
    try:
        if len(steps) > 1:
            pdf = _create_fields(pdf, [s.field_name for s in steps])
        for step in steps:
            pdf = _sign_one(pdf, step, options, stamper, context)
        return pdf
    except (SigningError, ConfigError):
        raise
    except Exception as exc:  # pyHanko raises many types (PdfReadError, SigningError, ...)
        raise SigningError(
            f"Signing the PDF failed: {type(exc).__name__}: {exc}",
            hint="re-render and retry; check the signer, the TSA and the OCSP/CRL URLs",
        ) from exc


def _create_fields(pdf: bytes, names: Sequence[str]) -> bytes:
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields

    writer = IncrementalPdfFileWriter(BytesIO(pdf), strict=False)
    for name in names:
        _refuse_if_signed(writer, name)
        fields.append_signature_field(writer, fields.SigFieldSpec(sig_field_name=name))
    out = BytesIO()
    writer.write(out)
    return out.getvalue()


def _sign_one(
    pdf: bytes, step: SignStep, options: SealOptions, stamper: Any, context: Any
) -> bytes:
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers

    writer = IncrementalPdfFileWriter(BytesIO(pdf), strict=False)
    _refuse_if_signed(writer, step.field_name)
    meta = signers.PdfSignatureMetadata(
        field_name=step.field_name,
        reason=step.reason or options.reason,
        location=options.location,
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
        embed_validation_info=context is not None,
        validation_context=context,
    )
    signer = signers.PdfSigner(meta, signer=step.signer, timestamper=stamper)
    try:  # a snug reservation: validators parse the whole hex /Contents, padding included
        return bytes(signer.sign_pdf(writer, bytes_reserved=_RESERVED[options.level]).getbuffer())
    except Exception as exc:  # pyHanko's SigningError "payload larger than expected"
        if "larger than expected" not in str(exc):
            raise
    # a longer chain or TSA token than ours: let pyHanko size the reservation
    writer = IncrementalPdfFileWriter(BytesIO(pdf), strict=False)
    return bytes(signer.sign_pdf(writer).getbuffer())


def _timestamper(options: SealOptions) -> Any:
    if options.level == "B-B":
        return None
    if options.timestamper is not None:
        return options.timestamper
    if not options.tsa_url:
        raise ConfigError(
            f"signature level {options.level} needs a timestamp authority",
            hint="set HOCBA_TSA_URL, or HOCBA_SIGN_LEVEL=B-B",
        )
    return _http_timestamper(options.tsa_url, options.timeout)


@lru_cache(maxsize=4)
def _http_timestamper(url: str, timeout: float) -> Any:
    from pyhanko.sign.timestamps.requests_client import RequestsHTTPTimeStamper

    return RequestsHTTPTimeStamper(url, timeout=timeout)


def _fetching_context(trust_roots: Sequence[Path]) -> Any:
    """Fetch OCSP/CRL at signing time and refuse to sign without them (B-LT promise).

    One context per roots and 10-minute window: the documents of a batch share the fetched
    answers instead of asking the CA again for every booklet."""
    if not trust_roots:
        raise ConfigError("B-LT signing needs the trust roots", hint="set HOCBA_TRUST_ROOTS")
    return _shared_context(tuple(trust_roots), int(time.time() // _REVINFO_REUSE_S))


@lru_cache(maxsize=2)
def _shared_context(trust_roots: tuple[Path, ...], _window: int) -> Any:
    from pyhanko_certvalidator import ValidationContext

    return ValidationContext(
        trust_roots=load_certs(trust_roots), allow_fetching=True, revocation_mode="hard-fail"
    )


def load_certs(paths: Sequence[Path]) -> list[Any]:
    from pyhanko.keys import load_cert_from_pemder

    try:
        return [load_cert_from_pemder(str(path)) for path in paths]
    except (OSError, ValueError) as exc:
        raise ConfigError(
            f"Cannot load certificate: {exc}", hint="check the certificate path (PEM or DER)"
        ) from exc


def _refuse_if_signed(writer: Any, field_name: str) -> None:
    """Signing twice is a pipeline bug (steps must be idempotent): say so instead of stacking."""
    for sig in writer.prev.embedded_signatures:
        if sig.field_name == field_name:
            raise SigningError(
                f"The PDF already carries a signature in field {field_name}",
                hint="the record was already issued; verify it instead of signing again",
            )
