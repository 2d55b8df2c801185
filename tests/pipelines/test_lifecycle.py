"""Issue, verify against the sector database, revoke, re-issue and fixity, on real PostgreSQL.

Each module run gets its own database in the session cluster, so fixity and lookups see only
the documents issued here.
"""

from __future__ import annotations

import hashlib
import io
import json
import secrets
from pathlib import Path

import psycopg
import pytest
from PIL import Image, ImageDraw

from domain.errors import StorageError
from domain.record import TranscriptRecord
from pipelines import localpg
from pipelines.cli import main as cli
from pipelines.issue_step import Issued, issue_and_load
from pipelines.lifecycle import LifecycleError, fixity, reissue, revoke, verify_document
from pipelines.repository import Repository
from pipelines.settings import Settings, load_settings
from pipelines.storage import ObjectStore, open_store
from signing.pdfsig import build_nss_trust_db, check_pdfa_structure, run_pdfsig_bytes
from tests.conftest import PgCluster
from tests.signing.conftest import build_thcs_record
from tests.signing.test_sign import _tampered


@pytest.fixture(scope="module")
def env(pg_cluster: PgCluster, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """HOCBA_* variables of a private database (app role) and state folder."""
    name = f"lifecycle_{secrets.token_hex(4)}"
    pg_cluster.migrated_database(name)
    return {
        "HOCBA_STATE_DIR": str(tmp_path_factory.mktemp("lifecycle-state")),
        "HOCBA_DATABASE_URL": pg_cluster.app_dsn(name),
        "HOCBA_ADMIN_DATABASE_URL": localpg.admin_dsn(pg_cluster.settings, name),
    }


@pytest.fixture
def settings(env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> Settings:
    for key, value in env.items():
        monkeypatch.setenv(key, value)  # for the CLI commands
    return load_settings(env)


def _record() -> TranscriptRecord:
    """A fresh linked, auto-approved THCS record (unique booklet hash and document id)."""
    sha = secrets.token_hex(32)
    record = build_thcs_record()
    return record.model_copy(
        update={
            "document_id": "hb-" + sha[:16],
            "source": record.source.model_copy(update={"sha256": sha}),
        }
    )


def _put_scans(store: ObjectStore, record: TranscriptRecord) -> None:
    sha = record.source.sha256
    for page in range(1, record.source.page_count + 1):
        image = Image.new("L", (620, 877), 240)
        ImageDraw.Draw(image).text((40, 40), f"trang {page}", fill=20)
        out = io.BytesIO()
        image.save(out, "PNG")
        store.put_bytes(f"scans/{sha[:2]}/{sha}/page-{page:02d}.png", out.getvalue())


def _issue(settings: Settings) -> tuple[TranscriptRecord, Issued, bytes]:
    record = _record()
    store = open_store(settings)
    _put_scans(store, record)
    with Repository(str(settings.database_url)) as repo:
        [issued] = issue_and_load([record], repo, store, settings,
                                  issuer_unit="Sở GD&ĐT Long An", pipeline_version="test")  # fmt: skip
    return record, issued, store.get_bytes(issued.object_key)


@pytest.fixture
def issued(settings: Settings) -> tuple[TranscriptRecord, Issued, bytes]:
    return _issue(settings)


def test_issued_document_verifies_against_the_database(
    settings: Settings, issued: tuple[TranscriptRecord, Issued, bytes], tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    record, doc, pdf = issued
    verdict = verify_document(settings, pdf)

    assert verdict.valid, verdict.summary_en()
    assert verdict.doc_id == doc.doc_id == "HB-" + record.document_id[3:].upper() + "-1"
    assert verdict.registered and verdict.record_matches and not verdict.revoked
    public = json.dumps(verdict.public_view(), ensure_ascii=False)
    assert str(record.student.full_name) not in public and "personal_id" not in public
    nss = build_nss_trust_db(tmp_path / "nss", settings.pki_dir / "root-ca.pem")
    poppler = run_pdfsig_bytes(pdf, nssdir=nss)  # the independent validator agrees
    assert poppler.ok and poppler.trusted and poppler.whole_document, poppler.output
    assert check_pdfa_structure(pdf) == []
    path = tmp_path / "doc.pdf"
    path.write_bytes(pdf)
    assert cli(["verify", str(path)]) == 0
    assert "còn hiệu lực" in capsys.readouterr().out


def test_appendix_holds_the_original_scans(issued: tuple[TranscriptRecord, Issued, bytes]) -> None:
    import pikepdf

    record, _, pdf = issued
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        pages = list(doc.pages)
    # identity page + one page per year + one appendix page per scanned page
    assert len(pages) == 1 + len(record.years) + record.source.page_count
    assert all(len(p.images) == 2 for p in pages[-record.source.page_count :])  # scan + QR


@pytest.mark.parametrize("tamper", ["one_byte", "appended_page", "swapped_attachment"])
def test_tampered_copies_fail_hocba_verify(
    settings: Settings, issued: tuple[TranscriptRecord, Issued, bytes], tmp_path: Path,
    tamper: str,
) -> None:  # fmt: skip
    path = tmp_path / "tampered.pdf"
    path.write_bytes(_tampered(issued[2], tamper))

    assert not verify_document(settings, path.read_bytes()).valid
    assert cli(["verify", str(path)]) == 1


def test_revoke_and_reissue(
    settings: Settings, issued: tuple[TranscriptRecord, Issued, bytes], tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    record, old, old_pdf = issued
    assert cli(["revoke", old.doc_id, "--reason", "sai điểm Toán lớp 6", "--by", "tester"]) == 0

    revoked = verify_document(settings, old_pdf)
    assert revoked.signature.valid and revoked.revoked and not revoked.valid
    assert revoked.successor is None and revoked.revoked_reason == "sai điểm Toán lớp 6"

    year = record.years[0].model_copy(update={"absences": 3})
    corrected = record.model_copy(update={"years": [year, *record.years[1:]]})
    corrected_json = tmp_path / "corrected.json"
    corrected_json.write_text(json.dumps(corrected.to_contract(), ensure_ascii=False))
    assert cli(["reissue", old.doc_id, str(corrected_json)]) == 0
    new_doc_id = old.doc_id[:-2] + "-2"

    capsys.readouterr()
    old_path = tmp_path / "old.pdf"
    old_path.write_bytes(old_pdf)
    assert cli(["verify", str(old_path)]) == 1
    assert f"Văn bản thay thế: {new_doc_id}" in capsys.readouterr().out
    new_pdf = open_store(settings).get_bytes(f"issued/{new_doc_id}.pdf")
    new = verify_document(settings, new_pdf)
    assert new.valid and new.doc_id == new_doc_id
    assert new.signature.embedded_record == corrected.to_contract()
    with Repository(str(settings.database_url)) as repo:
        row = repo.get_issued(new_doc_id)
    assert row is not None and row["replaces"] == old.doc_id


def test_reissue_refuses_a_valid_document_without_reason(
    settings: Settings, issued: tuple[TranscriptRecord, Issued, bytes]
) -> None:
    record, old, _ = issued
    with pytest.raises(LifecycleError, match="still valid"):
        reissue(settings, old.doc_id, record, reason=None, revoked_by="tester")
    with pytest.raises(LifecycleError, match="needs a reason"):
        revoke(settings, old.doc_id, "  ", "tester")


def test_issued_rows_cannot_be_updated_or_deleted(
    env: dict[str, str], issued: tuple[TranscriptRecord, Issued, bytes]
) -> None:
    _, doc, _ = issued
    attempts = [
        "UPDATE hocba.issued_document SET pdf_sha256 = repeat('0', 64) WHERE doc_id = %s",
        "UPDATE hocba.issued_document SET object_key = 'x' WHERE doc_id = %s",
        "DELETE FROM hocba.issued_document WHERE doc_id = %s",
        "UPDATE hocba.booklet SET page_count = 99 WHERE document_id ="
        " (SELECT document_id FROM hocba.issued_document WHERE doc_id = %s)",
        "DELETE FROM hocba.subject_result WHERE booklet_id ="
        " (SELECT booklet_id FROM hocba.issued_document WHERE doc_id = %s)",
        "UPDATE hocba.year_result SET absences = 40 WHERE booklet_id ="
        " (SELECT booklet_id FROM hocba.issued_document WHERE doc_id = %s)",
    ]
    for dsn in (env["HOCBA_DATABASE_URL"], env["HOCBA_ADMIN_DATABASE_URL"]):  # grants, triggers
        with psycopg.connect(dsn, autocommit=True) as conn:
            for statement in attempts:
                with pytest.raises(psycopg.Error) as caught:
                    conn.execute(statement, (doc.doc_id,))
                assert caught.value.sqlstate in ("42501", "23000"), statement  # denied / guard


def test_a_new_issue_may_only_replace_a_revoked_document(
    settings: Settings, issued: tuple[TranscriptRecord, Issued, bytes]
) -> None:
    record, doc, _ = issued
    with Repository(str(settings.database_url)) as repo, pytest.raises(StorageError):
        repo.record_issued(doc.doc_id[:-2] + "-9", record.document_id, "0" * 64, "issued/x.pdf",
                           "someone", "test", replaces=doc.doc_id)  # fmt: skip


def test_fixity_reports_changed_and_missing_objects(
    settings: Settings, issued: tuple[TranscriptRecord, Issued, bytes],
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    assert fixity(settings).ok
    assert cli(["fixity"]) == 0

    _, doc, pdf = issued
    store = open_store(settings)
    changed = pdf[:100] + bytes([pdf[100] ^ 1]) + pdf[101:]  # one flipped bit
    store.put_bytes(doc.object_key, changed)
    _, second, _ = _issue(settings)
    store.delete(second.object_key)

    report = fixity(settings)
    problems = {doc_id: problem for doc_id, _, problem in report.mismatches}
    assert problems[doc.doc_id].startswith("sha256 " + hashlib.sha256(changed).hexdigest()[:16])
    assert problems[second.doc_id] == "missing from the object store"
    capsys.readouterr()
    assert cli(["fixity"]) == 1
    assert f"MISMATCH {doc.doc_id}" in capsys.readouterr().out
    store.put_bytes(doc.object_key, pdf)  # leave the store consistent for later tests


def test_verify_without_a_running_database_keeps_the_signature_verdict(
    issued: tuple[TranscriptRecord, Issued, bytes], tmp_path: Path
) -> None:
    settings = load_settings({"HOCBA_STATE_DIR": str(tmp_path / "nothing-here")})
    settings.pki_dir.mkdir(parents=True)
    verdict = verify_document(settings, issued[2])  # another state folder: another dev root

    assert not verdict.database_checked and not verdict.valid
    assert not (tmp_path / "nothing-here" / "pg").exists()  # no cluster was created
    assert any("not running" in p for p in verdict.problems)
