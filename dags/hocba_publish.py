"""hocba_publish: booklets approved in the review workbench -> signed, loaded records.

Thin wiring only. Runs every 15 minutes; each run publishes what has been approved since, and
each approved booklet is issued exactly once (pipelines.publish_step).
"""

from __future__ import annotations

import pendulum
from airflow.sdk import Param, dag, get_current_context, task


@dag(
    dag_id="hocba_publish",
    schedule="*/15 * * * *",
    start_date=pendulum.datetime(2026, 1, 1, tz="Asia/Ho_Chi_Minh"),
    catchup=False,
    max_active_runs=1,
    tags=["hocba"],
    params={
        "batch_id": Param("", type="string", description="only this batch (default: all)"),
        "limit": Param(0, type="integer", minimum=0, description="0: all approved"),
    },
)
def hocba_publish() -> None:
    @task
    def publish() -> int:
        from pipelines.batch import database_dsn
        from pipelines.publish_step import publish_approved
        from pipelines.settings import load_settings
        from pipelines.storage import open_store

        params = get_current_context()["params"]
        settings = load_settings()
        run = publish_approved(
            settings, database_dsn(settings), open_store(settings),
            batch=params["batch_id"] or None, limit=int(params["limit"]) or None,
        )  # fmt: skip
        print(f"published {len(run.published)}; failed {len(run.failed)} (left approved)")
        if run.failed:  # the others are published; the run shows red so an operator looks
            raise RuntimeError(f"{len(run.failed)} approved booklets could not be published")
        return len(run.published)

    publish()


hocba_publish()
