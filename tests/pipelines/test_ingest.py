"""Ingest (pipelines/ingest.py) on a real PostgreSQL and a folder object store."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from domain.record import Source
from pipelines.ingest import Fate, document_id_for, ingest_one, list_inputs
from pipelines.repository import Repository
from pipelines.storage import LocalStore
from synth.content import make_records
from synth.layouts import DEV_VARIANTS, VARIANTS
from synth.render import render_booklet

BATCH = "test-ingest-1"


@pytest.fixture(scope="module")
def inbox(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("inbox")
    record = make_records(3, 1)[0]
    pages = [p.convert("L") for p in render_booklet(record, VARIANTS[DEV_VARIANTS[0]], dpi=150)]
    good = folder / "a-good.tif"
    pages[0].save(good, save_all=True, append_images=pages[1:], compression="tiff_lzw")
    (folder / "b-empty.tif").write_bytes(b"")
    data = good.read_bytes()
    (folder / "c-corrupt.tif").write_bytes(data[:2000])  # header, then nothing
    (folder / "d-notes.txt").write_text("Biên bản bàn giao hồ sơ\n" * 50, encoding="utf-8")
    shutil.copyfile(good, folder / "e-rescan.tif")
    return folder


@pytest.fixture(scope="module")
def later(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A booklet of its own, so that these tests' extraction rows don't touch the others."""
    folder = tmp_path_factory.mktemp("later")
    record = make_records(3, 2)[0]
    pages = [p.convert("L") for p in render_booklet(record, VARIANTS[DEV_VARIANTS[0]], dpi=150)]
    pages[0].save(folder / "a-good.tif", save_all=True, append_images=pages[1:])
    return folder


def _ingest(inbox: Path, repo: Repository, store: LocalStore) -> dict[str, Fate]:
    repo.start_batch(BATCH, str(inbox), {}, "test")
    return {p.name: ingest_one(p, BATCH, repo, store)[0] for p in list_inputs(inbox)}


def test_every_file_gets_a_fate_and_reruns_change_nothing(
    inbox: Path, pg_dsn: str, tmp_path: Path
) -> None:
    store = LocalStore(tmp_path / "objects")
    with Repository(pg_dsn) as repo:
        fates = _ingest(inbox, repo, store)
        first = repo.batch_summary(BATCH)
        again = _ingest(inbox, repo, store)
        second = repo.batch_summary(BATCH)
    assert {n: f.fate for n, f in fates.items()} == {
        "a-good.tif": "accepted",
        "b-empty.tif": "quarantined",
        "c-corrupt.tif": "quarantined",
        "d-notes.txt": "quarantined",
        "e-rescan.tif": "duplicate",
    }
    assert fates["b-empty.tif"].reason == "tệp rỗng (0 byte)"
    assert fates["c-corrupt.tif"].reason == "không phải ảnh quét hoặc PDF đọc được"
    assert fates["d-notes.txt"].reason == "không phải ảnh quét hoặc PDF đọc được"
    assert fates["e-rescan.tif"].reason == f"trùng nội dung với {BATCH}/a-good.tif"
    assert fates["a-good.tif"].reason is None
    assert first["files"] == {"accepted": 1, "quarantined": 3, "duplicate": 1}
    assert sum(first["quarantine_reasons"].values()) == 3
    assert again == fates  # the good file is not a duplicate of itself on a re-run
    assert second["files"] == first["files"]
    assert second["quarantine_reasons"] == first["quarantine_reasons"]


def test_a_failed_run_is_taken_over_and_a_finished_one_makes_a_duplicate(
    later: Path, pg_dsn: str, tmp_path: Path
) -> None:
    store = LocalStore(tmp_path / "objects")
    scan = later / "a-good.tif"
    with Repository(pg_dsn) as repo:
        for batch in ("test-ingest-failed", "test-ingest-retry"):
            repo.start_batch(batch, str(later), {}, "test")
            fate, item = ingest_one(scan, batch, repo, store)
            # the first run stops here, before extraction: the retry takes the file over
            assert fate.fate == "accepted" and item is not None
        record = make_records(3, 2)[0]
        record.document_id = item.document_id
        record.source = Source(file=scan.name, sha256=item.sha256, page_count=item.page_count)
        repo.save_extraction(record, [], "test-ingest-retry", "test")
        repo.start_batch("test-ingest-2", str(later), {}, "test")
        fate, item = ingest_one(scan, "test-ingest-2", repo, store)
    assert item is None
    assert fate.fate == "duplicate"
    assert fate.reason == "trùng nội dung với test-ingest-failed/a-good.tif"  # earliest receipt


def test_accepted_scan_is_stored_by_content_hash(inbox: Path, pg_dsn: str, tmp_path: Path) -> None:
    store = LocalStore(tmp_path / "objects")
    with Repository(pg_dsn) as repo:
        repo.start_batch(BATCH, str(inbox), {}, "test")
        _, item = ingest_one(inbox / "a-good.tif", BATCH, repo, store)
    assert item is not None
    assert item.page_count >= 2
    assert item.document_id == document_id_for(item.sha256)
    assert store.get_bytes(item.object_key) == (inbox / "a-good.tif").read_bytes()


def test_multipage_tiff_cut_mid_file_is_quarantined(
    inbox: Path, pg_dsn: str, tmp_path: Path
) -> None:
    """A transfer cut short leaves a TIFF whose page directory points past the end of the file."""
    data = (inbox / "a-good.tif").read_bytes()
    cut = tmp_path / "f-cut.tif"
    cut.write_bytes(data[: len(data) // 3])
    store = LocalStore(tmp_path / "objects")
    with Repository(pg_dsn) as repo:
        repo.start_batch("test-ingest-3", str(tmp_path), {}, "test")
        fate, item = ingest_one(cut, "test-ingest-3", repo, store)
        summary = repo.batch_summary("test-ingest-3")
    assert item is None
    assert fate.fate == "quarantined"
    assert fate.reason == "không phải ảnh quét hoặc PDF đọc được"
    assert summary["files"] == {"quarantined": 1}
