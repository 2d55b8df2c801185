"""The DAG files: they import cleanly, and hocba_backfill runs end to end through Airflow."""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import cast

import pytest

from pipelines import batch, localpg
from pipelines.demo import run_dag
from pipelines.issue_step import issue_and_load
from pipelines.repository import Repository
from pipelines.settings import REPO_ROOT, Settings, load_settings
from pipelines.storage import open_store
from tests.conftest import free_port

DAG_IDS = {"hocba_backfill", "hocba_nightly"}


def test_dag_files_import_cleanly(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AIRFLOW_HOME", str(tmp_path))
    monkeypatch.setenv("AIRFLOW__CORE__LOAD_EXAMPLES", "False")
    from airflow.dag_processing.dagbag import DagBag

    bag = DagBag(dag_folder=str(REPO_ROOT / "dags"))
    assert not bag.import_errors, bag.import_errors
    assert set(bag.dag_ids) >= DAG_IDS
    nightly = bag.dags.get("hocba_nightly")
    assert nightly is not None
    assert nightly.schedule == "0 1 * * *"
    assert bag.dags["hocba_backfill"].schedule is None  # manual runs only
    assert bag.dags["hocba_backfill"].params["jobs"] == 2


@pytest.fixture()
def state(monkeypatch: pytest.MonkeyPatch) -> Iterator[Settings]:
    root = Path(tempfile.mkdtemp(prefix="hocba-test-dag-"))
    root.chmod(0o711)  # the postgres OS user must traverse to the cluster
    monkeypatch.setenv("HOCBA_STATE_DIR", str(root / "state"))
    monkeypatch.setenv("HOCBA_PG_PORT", str(free_port()))
    settings = load_settings()
    settings.ensure_dirs()
    try:
        yield settings
    finally:
        localpg.stop_local_cluster(settings)
        shutil.rmtree(root, ignore_errors=True)


@pytest.mark.slow
@pytest.mark.timeout(900)
def test_backfill_dag_end_to_end(state: Settings, tmp_path: Path) -> None:
    from signing.pdfsig import run_pdfsig
    from signing.pki import ensure_dev_pki
    from signing.verify import verify_pdf
    from synth.archive import generate_archive

    archive = tmp_path / "archive"
    generate_archive(archive, 3, 23, bad_files=True, jobs=2)
    batch_id = "dag-e2e-1"
    batch.database_dsn(state)  # start PostgreSQL before Airflow's tasks need it
    conf = {
        "source": str(archive / "scans"),
        "registry": str(archive / "registry.csv"),
        "batch_id": batch_id,
        "jobs": 2,
    }
    run_dag(state, conf)
    inputs = list((archive / "scans").iterdir())
    summary = batch.batch_summary(state, batch_id)
    files = cast(dict[str, int], summary["files"])
    extractions = cast(dict[str, int], summary["extractions"])
    assert sum(files.values()) == len(inputs)
    assert files["accepted"] >= 1
    assert sum(extractions.values()) == files["accepted"]
    store = open_store(state)
    pki = ensure_dev_pki(state.pki_dir)
    with Repository(batch.database_dsn(state)) as repo:
        keys = repo.issued_keys(batch_id)
        if not keys:  # nothing auto-approved: issue one record as a steward would
            record = batch.batch_records(store, batch_id)[0]
            assert record is not None
            # The first copy in name order wins: "<id>-rescan.tif" sorts before "<id>.tif".
            synth_id = Path(record.source.file).stem.removesuffix("-rescan")
            truth_file = archive / "truth" / f"{synth_id}.json"
            truth = json.loads(truth_file.read_text(encoding="utf-8"))
            record.review.status = "auto_approved"
            record.identity_link.status = "linked"
            record.identity_link.personal_id = truth["identity_link"]["personal_id"]
            issue_and_load([record], repo, store, state, issuer_unit="test", pipeline_version="t")
            keys = repo.issued_keys(batch_id)
    assert keys
    for key in keys:
        pdf = store.get_bytes(key)
        path = tmp_path / Path(key).name
        path.write_bytes(pdf)
        assert run_pdfsig(path).ok
        assert verify_pdf(pdf, [pki.root_cert_pem]).valid
        tampered = bytearray(pdf)
        tampered[len(pdf) // 2] ^= 0x01
        assert not verify_pdf(bytes(tampered), [pki.root_cert_pem]).valid


@pytest.mark.slow
@pytest.mark.timeout(900)
def test_nightly_dag_takes_the_inbox_and_empties_it_only_after_commit(
    state: Settings, tmp_path: Path
) -> None:
    import psycopg

    from pipelines import inbox
    from synth.archive import generate_archive

    archive = tmp_path / "archive"
    generate_archive(archive, 2, 31, jobs=2)
    arrived = inbox.inbox_dir(state)
    shutil.copytree(archive / "scans", arrived, dirs_exist_ok=True)
    names = sorted(p.name for p in arrived.iterdir())
    batch.database_dsn(state)
    run_dag(state, {}, dag_id="hocba_nightly")
    with psycopg.connect(batch.database_dsn(state)) as conn:
        (batch_id,) = conn.execute(
            "SELECT batch_id FROM hocba.batch WHERE batch_id LIKE 'nightly-%'"
        ).fetchone() or (None,)
    assert batch_id is not None
    summary = batch.batch_summary(state, batch_id)
    files = cast(dict[str, int], summary["files"])
    assert sum(files.values()) == len(names)  # every file that arrived has a fate
    assert sum(cast(dict[str, int], summary["extractions"]).values()) == files["accepted"]
    assert list(arrived.iterdir()) == []  # committed: the inbox is empty …
    done = state.state_dir / "inbox-done" / batch_id
    assert sorted(p.name for p in done.iterdir()) == names  # … and nothing was lost
