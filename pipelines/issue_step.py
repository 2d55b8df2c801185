"""Issue and load: render the approved record as PDF/A-3b, seal it, verify it, store it, load it.

Idempotent: a record that already has an issued document is left as it is, neither re-signed
nor re-loaded; issued documents are immutable (a correction is a revocation and a new issue).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass

from domain.errors import SigningError
from domain.record import TranscriptRecord
from pipelines.repository import Repository
from pipelines.settings import Settings
from pipelines.storage import ObjectStore
from signing.pki import ensure_dev_pki
from signing.render import IssueInfo, render_transcript
from signing.sign import sign_pdf
from signing.verify import verify_pdf

VERIFY_BASE_URL = "https://hocba.local/xac-minh"


@dataclass(frozen=True)
class Issued:
    document_id: str
    doc_id: str
    object_key: str
    new: bool


def doc_id_for(record: TranscriptRecord) -> str:
    return "HB-" + record.document_id.removeprefix("hb-").upper() + "-1"


def record_hash(record: TranscriptRecord) -> str:
    canonical = json.dumps(
        record.to_contract(), ensure_ascii=False, sort_keys=True, separators=(",", ":")
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


def issue_and_load(
    records: Sequence[TranscriptRecord],
    repo: Repository,
    store: ObjectStore,
    settings: Settings,
    *,
    issuer_unit: str,
    pipeline_version: str,
) -> list[Issued]:
    pki = ensure_dev_pki(settings.pki_dir)
    issued = []
    for record in records:
        if record.review.status != "auto_approved":
            continue
        existing = repo.find_issued(record.document_id)
        if existing:  # issued before (a re-run): immutable, never re-signed or re-loaded
            issued.append(
                Issued(record.document_id, existing["doc_id"], existing["object_key"], False)
            )
            continue
        doc_id = doc_id_for(record)
        info = IssueInfo(
            doc_id=doc_id,
            issuer_unit=issuer_unit,
            converted_by=f"hocba {pipeline_version}",
            issued_on=dt.date.today(),
            verify_url=f"{VERIFY_BASE_URL}/{doc_id}?h={record_hash(record)[:32]}",
        )
        pdf = sign_pdf(render_transcript(record, info), pki)
        verdict = verify_pdf(pdf, [pki.root_cert_pem])
        if not verdict.valid:
            raise SigningError(
                f"a freshly signed document does not verify: {verdict.problems}",
                hint="check the signing key and PKI under the state folder",
            )
        key = f"issued/{doc_id}.pdf"
        store.put_bytes(key, pdf, content_type="application/pdf")
        repo.load_record(record, loaded_by=pipeline_version)
        repo.record_issued(
            doc_id,
            record.document_id,
            hashlib.sha256(pdf).hexdigest(),
            key,
            verdict.signer or "",
            pipeline_version,
        )
        issued.append(Issued(record.document_id, doc_id, key, True))
    return issued
