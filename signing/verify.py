"""Verify a sealed transcript PDF: signatures, trust, later changes, and the attached record.

The decision follows pyHanko's `bottom_line` and modification level, never `intact` alone: a
page changed in an appended update leaves the signed bytes intact (engineering-notes.md). The
attached transcript.json is read from the revision the seal covers, so a record swapped in a
later update is never returned as if it were signed.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from io import BytesIO
from pathlib import Path
from typing import Any

import pikepdf

from domain.errors import ConfigError
from signing.render import ATTACHMENT_NAME

_VIETNAM = dt.timezone(dt.timedelta(hours=7))


@dataclass(frozen=True)
class Verdict:
    valid: bool  # every seal checks out, is trusted, and nothing was changed after the last one
    trusted: bool  # every signer chains to one of the given roots
    intact: bool  # the signed bytes hash to what was signed
    unchanged_since_signing: bool  # no content change after signing (later seals are allowed)
    signer: str | None
    signed_at: dt.datetime | None  # signer-reported (PAdES B-B has no timestamp token)
    embedded_record: dict[str, Any] | None
    problems: list[str] = field(default_factory=list)

    def summary_vi(self) -> str:
        """One sentence for citizens and stewards."""
        if self.valid:
            local = self.signed_at.astimezone(_VIETNAM) if self.signed_at else None
            when = f" lúc {local:%H:%M ngày %d/%m/%Y}" if local else ""
            return f"Văn bản hợp lệ: được ký bởi {self.signer}{when}, không bị sửa đổi sau khi ký."
        if not self.signer:
            return "Văn bản không có chữ ký số hợp lệ."
        if not self.intact:
            return "Văn bản đã bị sửa đổi: nội dung không còn khớp với chữ ký số."
        if not self.unchanged_since_signing:
            return "Văn bản đã bị thay đổi sau khi ký: không dùng bản này."
        if not self.trusted:
            return f"Chữ ký của {self.signer} đúng nhưng chứng thư số không thuộc nơi cấp tin cậy."
        return "Không xác nhận được chữ ký số: " + "; ".join(self.problems)

    def summary_en(self) -> str:
        state = "VALID" if self.valid else "INVALID"
        details = "; ".join(self.problems) if self.problems else "no problems"
        return f"{state}: signer={self.signer!r}, signed_at={self.signed_at}, {details}"


def verify_pdf(pdf: bytes, trust_roots: Sequence[Path]) -> Verdict:
    """Validate every signature of `pdf` against `trust_roots` (PEM/DER root certificates)."""
    from pyhanko.pdf_utils.reader import PdfFileReader

    context = _validation_context(trust_roots)
    try:
        signatures = PdfFileReader(BytesIO(pdf), strict=False).embedded_regular_signatures
    except Exception as exc:  # a mangled file is a verdict, not a crash
        return _unsigned(f"not a readable PDF: {exc}", None)
    if not signatures:
        return _unsigned("the document carries no signature", _record_from(pdf))
    signatures = sorted(signatures, key=_signed_revision_end)  # the organization seal first
    checks = [_check_signature(sig, context) for sig in signatures]
    return _combine(checks, _record_from(pdf[: _signed_revision_end(signatures[0])]))


@dataclass(frozen=True)
class _SigCheck:
    bottom_line: bool
    trusted: bool
    intact: bool
    unchanged: bool
    signer: str | None
    signed_at: dt.datetime | None
    problems: list[str]


def _check_signature(sig: Any, context: Any) -> _SigCheck:
    from pyhanko.sign.validation import validate_pdf_signature

    name = sig.field_name
    try:
        status = validate_pdf_signature(sig, context)
    except Exception as exc:  # malformed CMS, broken byte range, ...
        return _SigCheck(False, False, False, False, None, None, [f"{name}: {exc}"])
    problems = _problems(name, status)
    return _SigCheck(
        bottom_line=bool(status.bottom_line),
        trusted=bool(status.trusted),
        intact=bool(status.intact and status.valid),
        unchanged=_unchanged(status),
        signer=_signer_name(status.signing_cert),
        signed_at=status.signer_reported_dt,
        problems=problems,
    )


def _signer_name(cert: Any) -> str:
    subject = cert.subject.native
    return str(
        subject.get("common_name")
        or subject.get("organization_name")
        or cert.subject.human_friendly
    )


def _unchanged(status: Any) -> bool:
    """Only later signatures/DSS may follow a seal; anything else (page edits) is a change."""
    from pyhanko.sign.diff_analysis import ModificationLevel
    from pyhanko.sign.validation.status import SignatureCoverageLevel

    if status.coverage == SignatureCoverageLevel.ENTIRE_FILE:
        return True
    level = status.modification_level
    allowed = (
        ModificationLevel.NONE,
        ModificationLevel.LTA_UPDATES,
        ModificationLevel.FORM_FILLING,
    )
    return bool(status.docmdp_ok) and level in allowed


def _problems(name: str, status: Any) -> list[str]:
    problems = []
    if not status.intact:
        problems.append(f"{name}: signed bytes were altered")
    elif not status.valid:
        problems.append(f"{name}: cryptographic signature does not verify")
    if not status.trusted:
        problems.append(f"{name}: signer certificate does not chain to a trusted root")
    if not _unchanged(status):
        level = status.modification_level
        problems.append(f"{name}: document changed after signing ({getattr(level, 'name', level)})")
    return problems


def _combine(checks: list[_SigCheck], record: dict[str, Any] | None) -> Verdict:
    unchanged = all(c.unchanged for c in checks)
    return Verdict(
        valid=all(c.bottom_line for c in checks) and unchanged,
        trusted=all(c.trusted for c in checks),
        intact=all(c.intact for c in checks),
        unchanged_since_signing=unchanged,
        signer=checks[0].signer,  # the organization seal comes first
        signed_at=checks[0].signed_at,
        embedded_record=record,
        problems=[p for c in checks for p in c.problems],
    )


def _unsigned(problem: str, record: dict[str, Any] | None) -> Verdict:
    return Verdict(False, False, False, False, None, None, record, [problem])


def _signed_revision_end(sig: Any) -> int:
    """The signed revision ends where the signature's byte range ends."""
    start1, len1, start2, len2 = (int(v) for v in sig.sig_object["/ByteRange"])
    return start2 + len2


def _record_from(pdf: bytes) -> dict[str, Any] | None:
    """The attached transcript.json, or None when absent or unreadable."""
    try:
        with pikepdf.open(BytesIO(pdf)) as doc:
            spec = doc.attachments.get(ATTACHMENT_NAME)
            if spec is None:
                return None
            data = json.loads(spec.get_file().read_bytes().decode("utf-8"))
    except (pikepdf.PdfError, ValueError, KeyError):
        return None
    return data if isinstance(data, dict) else None


def _validation_context(trust_roots: Sequence[Path]) -> Any:
    from pyhanko.keys import load_cert_from_pemder
    from pyhanko_certvalidator import ValidationContext

    if not trust_roots:
        raise ConfigError("No trust roots given", hint="pass the root CA certificate(s) to trust")
    try:
        roots = [load_cert_from_pemder(str(path)) for path in trust_roots]
    except (OSError, ValueError) as exc:
        raise ConfigError(
            f"Cannot load trust root: {exc}", hint="check the root certificate path (PEM or DER)"
        ) from exc
    return ValidationContext(trust_roots=roots)
