"""hocba_publish: the DAG file imports, and a run publishes what a steward approved."""

from __future__ import annotations

import tempfile
from pathlib import Path

import psycopg
import pytest

from pipelines.demo import run_dag
from pipelines.settings import REPO_ROOT
from pipelines.storage import open_store
from review import accounts, service
from review.db import Pool
from tests.conftest import PgCluster
from tests.pipelines.test_publish_step import _store_scans
from tests.review.seed import SCORE_PATH, seed_batch


def test_publish_dag_imports_and_is_scheduled(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AIRFLOW_HOME", str(tmp_path))
    monkeypatch.setenv("AIRFLOW__CORE__LOAD_EXAMPLES", "False")
    from airflow.dag_processing.dagbag import DagBag

    bag = DagBag(dag_folder=str(REPO_ROOT / "dags"))
    assert not bag.import_errors, bag.import_errors
    dag = bag.dags["hocba_publish"]
    assert dag.schedule == "*/15 * * * *" and dag.max_active_runs == 1
    assert {"batch_id", "limit"} <= set(dag.params.keys())


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_publish_dag_publishes_an_approved_booklet(
    pg_cluster: PgCluster, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings, dsn = pg_cluster.settings, pg_cluster.dsn
    monkeypatch.setenv("HOCBA_PG_PORT", str(settings.pg_port))
    monkeypatch.delenv("HOCBA_DATABASE_URL", raising=False)
    store = open_store(settings)
    tmp = Path(tempfile.mkdtemp(prefix="hocba-publish-dag-"))
    seeded = seed_batch(dsn, store, "pubdag-1", province="Tỉnh DAG", district="Huyện D",
                        count=1, seed=92, tmp=tmp, with_images=1)[0]  # fmt: skip
    _store_scans(store, pg_cluster.admin_dsn, seeded.document_id)  # type: ignore[arg-type]
    pool = Pool(dsn)
    steward = accounts.add_account(pool, "dag.steward", "Cán bộ", "steward", "mat-khau-dag-12345",
                                   province="Tỉnh DAG", district="Huyện D")  # fmt: skip
    service.open_booklet(pool, steward, seeded.document_id)
    service.edit_field(pool, steward, seeded.document_id, SCORE_PATH, str(seeded.true_score))
    assert service.decide(pool, steward, seeded.document_id, "approve") == "final"
    pool.close()

    run_dag(settings, {"batch_id": "pubdag-1", "limit": 0}, dag_id="hocba_publish")

    with psycopg.connect(pg_cluster.admin_dsn) as conn:
        row = conn.execute(
            "SELECT q.status, count(d.doc_id) FROM hocba.review_queue q LEFT JOIN"
            " hocba.issued_document d USING (document_id) WHERE q.document_id = %s GROUP BY 1",
            (seeded.document_id,),
        ).fetchone()
    assert row == ("published", 1)
