"""Issue and load: render the approved record as PDF/A-3b, sign it, verify it, store it, load it.

Idempotent: a record that already has an issued document is left as it is, neither re-signed
nor re-loaded; issued documents are immutable (a correction is a revocation and a new issue,
see pipelines/lifecycle.py). The signer, the PAdES level and the named individual signers come
from the settings (`signing_setup`); the default is the dev PKCS#12 seal at level B-B.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from domain.errors import SigningError
from domain.record import TranscriptRecord
from pipelines.repository import Repository
from pipelines.settings import Settings
from pipelines.storage import ObjectStore
from signing.pki import ensure_dev_pki
from signing.render import IssueInfo, render_transcript
from signing.sign import SEAL_FIELD, SealOptions, SignStep, sign_document
from signing.signers import SignerConfig, open_signer
from signing.verify import verify_pdf

_SCAN_LONG_SIDE = 1600  # px: legible evidence at about 140 dpi, small enough to sign fast


@dataclass(frozen=True)
class Issued:
    document_id: str
    doc_id: str
    object_key: str
    new: bool


@dataclass(frozen=True)
class SigningSetup:
    steps: tuple[tuple[str, SignerConfig], ...]  # (field, signer): individuals, then the seal
    options: SealOptions
    trust_roots: tuple[Path, ...]


def doc_id_for(record: TranscriptRecord, edition: int = 1) -> str:
    return "HB-" + record.document_id.removeprefix("hb-").upper() + f"-{edition}"


def contract_hash(contract: dict[str, Any]) -> str:
    canonical = json.dumps(contract, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def record_hash(record: TranscriptRecord) -> str:
    return contract_hash(record.to_contract())


def signing_setup(settings: Settings) -> SigningSetup:
    """Signers and level from the settings; the dev seal (and root) when nothing is configured."""
    seal = _seal_config(settings)
    roots = settings.trust_roots
    if not roots:
        roots = (ensure_dev_pki(settings.pki_dir).root_cert_pem,)
    individuals = tuple(
        (name, SignerConfig(key_file=p12, secret_file=p12.with_name(p12.name + ".password")))
        for name, p12 in settings.individual_signers
    )
    options = SealOptions(
        level=settings.sign_level,  # type: ignore[arg-type]  # checked by load_settings
        tsa_url=settings.tsa_url,
        trust_roots=roots,
    )
    return SigningSetup((*individuals, (SEAL_FIELD, seal)), options, roots)


def _seal_config(settings: Settings) -> SignerConfig:
    if settings.signer_backend == "pkcs12" and settings.signer_key_file is None:
        pki = ensure_dev_pki(settings.pki_dir)
        return SignerConfig(key_file=pki.signer_p12, secret_file=pki.p12_password_file)
    return SignerConfig(
        backend=settings.signer_backend,  # type: ignore[arg-type]  # checked by load_settings
        key_file=settings.signer_key_file,
        secret_file=settings.signer_secret_file,
        cert_file=settings.signer_cert_file,
        chain_files=settings.signer_chain_files,
        pkcs11_module=settings.pkcs11_module,
        pkcs11_token=settings.pkcs11_token,
        key_label=settings.pkcs11_key_label,
        remote_url=settings.remote_signer_url,
        remote_key_id=settings.remote_signer_key_id,
    )


@contextmanager
def open_steps(setup: SigningSetup) -> Iterator[list[SignStep]]:
    """Open every configured signer once (token sessions) for a whole batch."""
    with ExitStack() as stack:
        yield [SignStep(name, stack.enter_context(open_signer(c))) for name, c in setup.steps]


def issue_and_load(
    records: Sequence[TranscriptRecord],
    repo: Repository,
    store: ObjectStore,
    settings: Settings,
    *,
    issuer_unit: str,
    pipeline_version: str,
) -> list[Issued]:
    setup = signing_setup(settings)
    with open_steps(setup) as steps:
        return [
            issue_one(
                record,
                repo,
                store,
                settings,
                setup,
                steps,
                issuer_unit=issuer_unit,
                pipeline_version=pipeline_version,
            )  # fmt: skip
            for record in records
            if record.review.status == "auto_approved"
        ]


def issue_one(
    record: TranscriptRecord,
    repo: Repository,
    store: ObjectStore,
    settings: Settings,
    setup: SigningSetup,
    steps: Sequence[SignStep],
    *,
    issuer_unit: str,
    pipeline_version: str,
    loaded_by: str | None = None,
) -> Issued:
    """Sign, load and register one record; a record issued before is immutable: never
    re-signed or re-loaded (a re-run, or a publish run that crashed before marking)."""
    existing = repo.find_issued(record.document_id)
    if existing:
        return Issued(record.document_id, existing["doc_id"], existing["object_key"], False)
    doc_id = doc_id_for(record)
    pdf = sign_record(record, doc_id, store, settings, setup, steps,
                      issuer_unit=issuer_unit, pipeline_version=pipeline_version)  # fmt: skip
    repo.load_record(record, loaded_by=loaded_by or pipeline_version)
    return store_and_register(record, doc_id, pdf, repo, store, setup, pipeline_version)


def sign_record(
    record: TranscriptRecord,
    doc_id: str,
    store: ObjectStore,
    settings: Settings,
    setup: SigningSetup,
    steps: Sequence[SignStep],
    *,
    issuer_unit: str,
    pipeline_version: str,
) -> bytes:
    """Render with the scans appendix, sign, and refuse a result that does not verify."""
    info = IssueInfo(
        doc_id=doc_id,
        issuer_unit=issuer_unit,
        converted_by=f"hocba {pipeline_version}",
        issued_on=dt.date.today(),
        verify_url=f"{settings.verify_base_url}/{doc_id}?h={record_hash(record)[:32]}",
    )
    pdf = render_transcript(record, info, scan_jpegs(store, record))
    return sign_document(pdf, steps, setup.options)


def store_and_register(
    record: TranscriptRecord,
    doc_id: str,
    pdf: bytes,
    repo: Repository,
    store: ObjectStore,
    setup: SigningSetup,
    pipeline_version: str,
    *,
    replaces: str | None = None,
) -> Issued:
    verdict = verify_pdf(pdf, setup.trust_roots)
    if not verdict.valid:
        raise SigningError(
            f"a freshly signed document does not verify: {verdict.problems}",
            hint="check the signer configuration, the trust roots and the PKI",
        )
    key = f"issued/{doc_id}.pdf"
    store.put_bytes(key, pdf, content_type="application/pdf")
    digest = hashlib.sha256(pdf).hexdigest()
    repo.record_issued(doc_id, record.document_id, digest, key, verdict.signer or "",
                       pipeline_version, replaces=replaces, record_sha256=record_hash(record))  # fmt: skip
    return Issued(record.document_id, doc_id, key, True)


def scan_jpegs(store: ObjectStore, record: TranscriptRecord) -> list[bytes]:
    """The booklet's original pages from the object store, as grayscale JPEGs, in page order."""
    import cv2

    from ocr.decode import decode_booklet

    sha = record.source.sha256
    prefix = f"scans/{sha[:2]}/{sha}/"
    keys = sorted(store.list(prefix))
    if not keys:
        raise SigningError(
            f"the original scans of {record.document_id} are not in the object store",
            hint="the appendix needs the scans: re-ingest the booklet, then issue again",
        )
    with tempfile.TemporaryDirectory(prefix="hocba-scan-") as tmp:
        for key in keys:
            Path(tmp, key.removeprefix(prefix)).write_bytes(store.get_bytes(key))
        path = Path(tmp) if len(keys) > 1 else Path(tmp, keys[0].removeprefix(prefix))
        pages = decode_booklet(path)
    jpegs = []
    for page in pages:
        pixels = (
            page.pixels if page.pixels.ndim == 2 else cv2.cvtColor(page.pixels, cv2.COLOR_BGR2GRAY)
        )
        scale = min(1.0, _SCAN_LONG_SIDE / max(pixels.shape))
        if scale < 1.0:
            pixels = cv2.resize(pixels, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
        ok, encoded = cv2.imencode(".jpg", pixels, [cv2.IMWRITE_JPEG_QUALITY, 70])
        if not ok:
            raise SigningError(f"cannot encode page {page.number} of {record.document_id}")
        jpegs.append(encoded.tobytes())
    return jpegs
