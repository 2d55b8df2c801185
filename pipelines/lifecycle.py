"""The life of an issued document after signing: verify against the sector database, revoke,
re-issue a correction, and check the stored files' fixity.

`verify_document` is what `hocba verify` and the public verification page call. Its verdict
holds only what the PDF itself carries plus the document's status (number, revoked or not, the
successor's number): no personal data from the database reaches the holder.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from domain.errors import HocbaError, StorageError
from domain.record import TranscriptRecord
from pipelines import localpg
from pipelines.batch import DEFAULT_ISSUER, database_dsn
from pipelines.issue_step import (
    Issued,
    contract_hash,
    open_steps,
    sign_record,
    signing_setup,
    store_and_register,
)
from pipelines.repository import Repository
from pipelines.settings import Settings
from pipelines.storage import open_store
from signing.pki import ensure_dev_pki
from signing.verify import Verdict, verify_pdf


class LifecycleError(HocbaError):
    """A revocation or re-issue that the document's current state does not allow."""

    code = "LIFECYCLE_ERROR"


@dataclass(frozen=True)
class DocumentVerdict:
    signature: Verdict
    doc_id: str | None = None  # the registered document number, when found
    database_checked: bool = False
    registered: bool = False  # this exact file was issued (its SHA-256 is in the database)
    record_matches: bool = False  # the signed record is the one registered for the document
    revoked: bool = False
    revoked_reason: str | None = None
    revoked_at: dt.datetime | None = None
    successor: str | None = None  # the corrected document that replaces a revoked one
    problems: list[str] = field(default_factory=list)

    @property
    def valid(self) -> bool:
        return self.signature.valid and self.registered and self.record_matches and not self.revoked

    def summary_vi(self) -> str:
        if self.signature.valid and self.revoked:
            nxt = f" Văn bản thay thế: {self.successor}." if self.successor else ""
            return f"Văn bản {self.doc_id} đã bị thu hồi ({self.revoked_reason}).{nxt}"
        if not self.signature.valid:
            return self.signature.summary_vi()
        if not self.database_checked:
            return "Chữ ký số hợp lệ nhưng chưa đối chiếu được với cơ sở dữ liệu ngành."
        if not (self.registered and self.record_matches):
            return "Chữ ký số hợp lệ nhưng văn bản không khớp với bản đã cấp trong cơ sở dữ liệu."
        return f"{self.signature.summary_vi()} Số văn bản {self.doc_id} còn hiệu lực."

    def public_view(self) -> dict[str, object]:
        """What the public verification page may show: status and the seal, never the record
        (the holder already has it) nor anything else from the database."""
        sig = self.signature
        return {
            "valid": self.valid,
            "doc_id": self.doc_id,
            "revoked": self.revoked,
            "successor": self.successor,
            "signer": sig.signer,
            "signed_at": sig.signed_at.isoformat() if sig.signed_at else None,
            "timestamped": sig.timestamped,
            "level": sig.level,
        }  # no summary text: it quotes the revocation reason, free text from the database

    def summary_en(self) -> str:
        state = "VALID" if self.valid else "INVALID"
        db = (
            f"registered={self.registered}, record_matches={self.record_matches}, "
            f"revoked={self.revoked}, successor={self.successor}"
            if self.database_checked
            else "database not checked"
        )
        extra = f"; {'; '.join(self.problems)}" if self.problems else ""
        return f"{state}: doc_id={self.doc_id}, {db}{extra} | {self.signature.summary_en()}"


def trust_roots(settings: Settings) -> tuple[Path, ...]:
    """The configured roots, else the dev root of the state folder (development)."""
    return settings.trust_roots or (ensure_dev_pki(settings.pki_dir).root_cert_pem,)


def verify_document(settings: Settings, pdf: bytes) -> DocumentVerdict:
    """Signature, trust and integrity (offline), then the document's record in the database."""
    signature = verify_pdf(pdf, trust_roots(settings))
    record = signature.embedded_record
    record_sha = contract_hash(record) if record is not None else None
    try:
        with Repository(_reading_dsn(settings)) as repo:
            row = repo.find_issued_by_hash(hashlib.sha256(pdf).hexdigest(), record_sha)
            successor = repo.successor_of(row["doc_id"]) if row else None
    except HocbaError as exc:  # the signature verdict still stands on its own
        return DocumentVerdict(signature, problems=[f"database: {exc}"])
    return _with_row(signature, row, hashlib.sha256(pdf).hexdigest(), record_sha, successor)


def _reading_dsn(settings: Settings) -> str:
    """Verifying only reads: never start, let alone create, a local cluster for it."""
    if not settings.uses_local_cluster:
        return str(settings.database_url)
    if not localpg.is_running(settings):
        raise StorageError(
            "the local sector database is not running", hint="start it with `hocba db start`"
        )
    return localpg.app_dsn(settings)


def _with_row(
    signature: Verdict,
    row: dict[str, Any] | None,
    pdf_sha: str,
    record_sha: str | None,
    successor: str | None,
) -> DocumentVerdict:
    if row is None:
        return DocumentVerdict(
            signature, database_checked=True, problems=["no issued document has this file"]
        )
    registered = row["pdf_sha256"] == pdf_sha
    problems = [] if registered else [f"this file is not the file issued as {row['doc_id']}"]
    return DocumentVerdict(
        signature,
        doc_id=row["doc_id"],
        database_checked=True,
        registered=registered,
        record_matches=record_sha is not None and row["record_sha256"] in (record_sha, None),
        revoked=row["status"] == "revoked",
        revoked_reason=row["revoked_reason"],
        revoked_at=row["revoked_at"],
        successor=successor,
        problems=problems,
    )


def revoke(settings: Settings, doc_id: str, reason: str, revoked_by: str) -> None:
    """Mark an issued document revoked (it stays stored and verifiable as revoked)."""
    if not reason.strip():
        raise LifecycleError(
            "a revocation needs a reason", hint="say why, e.g. --reason 'sai điểm môn Toán lớp 7'"
        )
    with Repository(database_dsn(settings)) as repo:
        repo.revoke_issued(doc_id, reason.strip(), revoked_by)


def reissue(
    settings: Settings,
    doc_id: str,
    record: TranscriptRecord,
    *,
    reason: str | None,
    revoked_by: str,
    issuer_unit: str = DEFAULT_ISSUER,
) -> Issued:
    """Issue the corrected `record` as the next edition replacing `doc_id` (revoked here when
    `reason` is given). The new PDF is signed before anything in the database changes."""
    store = open_store(settings)
    setup = signing_setup(settings)
    with Repository(database_dsn(settings)) as repo:
        old = _replaceable(repo, doc_id, record, reason)
        new_doc_id = _next_edition(doc_id)
        with open_steps(setup) as steps:
            pdf = sign_record(record, new_doc_id, store, settings, setup, steps,
                              issuer_unit=issuer_unit,
                              pipeline_version=settings.pipeline_version)  # fmt: skip
        if old["status"] == "issued":
            repo.revoke_issued(doc_id, str(reason).strip(), revoked_by)
        repo.load_record(record, loaded_by=settings.pipeline_version)
        return store_and_register(record, new_doc_id, pdf, repo, store, setup,
                                  settings.pipeline_version, replaces=doc_id)  # fmt: skip


def _replaceable(
    repo: Repository, doc_id: str, record: TranscriptRecord, reason: str | None
) -> dict[str, Any]:
    old = repo.get_issued(doc_id)
    if old is None:
        raise LifecycleError(f"no issued document {doc_id!r}", hint="check the document number")
    if old["document_id"] != record.document_id:
        raise LifecycleError(
            f"the corrected record is for booklet {record.document_id}, not for {doc_id}",
            hint="give the corrected record of the same booklet",
        )
    successor = repo.successor_of(doc_id)
    if successor:
        raise LifecycleError(
            f"{doc_id} was already replaced by {successor}", hint=f"re-issue {successor} instead"
        )
    if old["status"] == "issued" and not (reason and reason.strip()):
        raise LifecycleError(
            f"{doc_id} is still valid", hint="give --reason to revoke it as part of the re-issue"
        )
    return old


def _next_edition(doc_id: str) -> str:
    stem, _, edition = doc_id.rpartition("-")
    if not stem or not edition.isdigit():
        raise LifecycleError(f"{doc_id!r} is not a hocba document number (HB-...-N)")
    return f"{stem}-{int(edition) + 1}"


@dataclass(frozen=True)
class FixityReport:
    checked: int
    mismatches: list[tuple[str, str, str]]  # (doc_id, object key, problem)

    @property
    def ok(self) -> bool:
        return not self.mismatches


def fixity(settings: Settings) -> FixityReport:
    """Recompute the SHA-256 of every issued PDF in the object store against the database."""
    store = open_store(settings)
    with Repository(database_dsn(settings)) as repo:
        objects = repo.issued_objects()
    mismatches = []
    for doc_id, key, expected in objects:
        try:
            actual = hashlib.sha256(store.get_bytes(key)).hexdigest()
        except StorageError:
            mismatches.append((doc_id, key, "missing from the object store"))
            continue
        if actual != expected:
            mismatches.append((doc_id, key, f"sha256 {actual[:16]}… != recorded {expected[:16]}…"))
    return FixityReport(len(objects), mismatches)
