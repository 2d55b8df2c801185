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
from dataclasses import dataclass, field, replace
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
    signed_at: dt.datetime | None  # the timestamp (B-T and up), else the signer's claim
    embedded_record: dict[str, Any] | None
    problems: list[str] = field(default_factory=list)
    timestamped: bool = False  # signed_at comes from a trusted RFC 3161 timestamp
    level: str = "B-B"  # PAdES baseline level found: B-B, B-T, B-LT (revocation info embedded)

    def summary_vi(self) -> str:
        """One sentence for citizens and stewards."""
        if self.valid:
            local = self.signed_at.astimezone(_VIETNAM) if self.signed_at else None
            when = f" lúc {local:%H:%M ngày %d/%m/%Y}" if local else ""
            when += " (có dấu thời gian)" if self.timestamped else ""
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
        stamp = "timestamp" if self.timestamped else "signer-reported"
        return (
            f"{state}: signer={self.signer!r}, signed_at={self.signed_at} ({stamp}), "
            f"level={self.level}, {details}"
        )


def verify_pdf(pdf: bytes, trust_roots: Sequence[Path]) -> Verdict:
    """Validate every signature of `pdf` against `trust_roots` (PEM/DER root certificates).

    Never fetches anything: with revocation info embedded (B-LT) it is required and used
    offline; without it revocation is not checked (B-B/B-T, soft-fail).
    """
    from pyhanko.pdf_utils.reader import PdfFileReader

    roots = _load_roots(trust_roots)
    try:
        reader = PdfFileReader(BytesIO(pdf), strict=False)
        signatures = reader.embedded_regular_signatures
        context, has_revinfo = _validation_context(reader, roots)
    except Exception as exc:  # a mangled file is a verdict, not a crash
        return _unsigned(f"not a readable PDF: {exc}", None)
    if not signatures:
        return _unsigned("the document carries no signature", _record_from(pdf))
    signatures = sorted(signatures, key=_signed_revision_end)
    checks = [_check_signature(sig, context) for sig in signatures]
    verdict = _combine(checks, _record_from(pdf[: _signed_revision_end(signatures[0])]))
    level = "B-LT" if verdict.timestamped and has_revinfo else verdict.level
    return replace(verdict, level=level)


@dataclass(frozen=True)
class _SigCheck:
    bottom_line: bool
    trusted: bool
    intact: bool
    unchanged: bool
    signer: str | None
    signed_at: dt.datetime | None
    problems: list[str]
    timestamped: bool = False


def _check_signature(sig: Any, context: Any) -> _SigCheck:
    from pyhanko.sign.validation import validate_pdf_signature

    name = sig.field_name
    try:
        status = validate_pdf_signature(sig, context)
    except Exception as exc:  # malformed CMS, broken byte range, ...
        return _SigCheck(False, False, False, False, None, None, [f"{name}: {exc}"])
    problems = _problems(name, status)
    stamp = status.timestamp_validity
    stamp_ok = stamp is not None and bool(stamp.valid and stamp.intact and stamp.trusted)
    if stamp is not None and not stamp_ok:
        problems.append(f"{name}: the signature timestamp does not verify or is not trusted")
    return _SigCheck(
        bottom_line=bool(status.bottom_line),
        trusted=bool(status.trusted),
        intact=bool(status.intact and status.valid),
        unchanged=_unchanged(status),
        signer=_signer_name(status.signing_cert),
        signed_at=stamp.timestamp if stamp is not None else status.signer_reported_dt,
        problems=problems,
        timestamped=stamp_ok,
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
    """The organization seal is the last signature (individual signers sign before it)."""
    unchanged = all(c.unchanged for c in checks)
    seal = checks[-1]
    timestamped = all(c.timestamped for c in checks)
    return Verdict(
        valid=all(c.bottom_line for c in checks) and unchanged,
        trusted=all(c.trusted for c in checks),
        intact=all(c.intact for c in checks),
        unchanged_since_signing=unchanged,
        signer=seal.signer,
        signed_at=seal.signed_at,
        embedded_record=record,
        problems=[p for c in checks for p in c.problems],
        timestamped=timestamped,
        level="B-T" if timestamped else "B-B",
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


def _load_roots(trust_roots: Sequence[Path]) -> list[Any]:
    from pyhanko.keys import load_cert_from_pemder

    if not trust_roots:
        raise ConfigError("No trust roots given", hint="pass the root CA certificate(s) to trust")
    try:
        return [load_cert_from_pemder(str(path)) for path in trust_roots]
    except (OSError, ValueError) as exc:
        raise ConfigError(
            f"Cannot load trust root: {exc}", hint="check the root certificate path (PEM or DER)"
        ) from exc


def _validation_context(reader: Any, roots: list[Any]) -> tuple[Any, bool]:
    """(context, revocation info embedded). Offline: the DSS is the only revocation source."""
    from pyhanko.sign.validation.dss import DocumentSecurityStore
    from pyhanko_certvalidator import ValidationContext

    try:
        dss = DocumentSecurityStore.read_dss(reader)
    except Exception:  # NoDSSFoundError, or a DSS too broken to use: validate without it
        return ValidationContext(trust_roots=roots), False
    if not (dss.ocsps or dss.crls):
        return dss.as_validation_context({"trust_roots": roots}), False
    kwargs = {"trust_roots": roots, "allow_fetching": False, "revocation_mode": "hard-fail"}
    # revocation answers are as of signing time; accept them for the validation time too
    return dss.as_validation_context({**kwargs, "retroactive_revinfo": True}), True
