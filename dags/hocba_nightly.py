"""hocba_nightly: every night, the booklets that arrived in the inbox since the last run.

A file leaves the inbox only after its results are committed (moved to inbox-done/<batch>).
"""

from __future__ import annotations

import pendulum
from airflow.sdk import dag, get_current_context, task


@dag(
    dag_id="hocba_nightly",
    schedule="0 1 * * *",
    start_date=pendulum.datetime(2026, 1, 1, tz="Asia/Ho_Chi_Minh"),
    catchup=False,
    max_active_runs=1,
    tags=["hocba"],
)
def hocba_nightly() -> None:
    @task
    def ingest_inbox() -> dict[str, object]:
        from pipelines import batch, inbox
        from pipelines.settings import load_settings

        settings = load_settings()
        run_id = str(get_current_context()["run_id"])
        batch_id = "nightly-" + "".join(ch for ch in run_id if ch.isalnum())[-20:]
        staged = inbox.stage(settings, batch_id)
        _, accepted = batch.ingest_batch(
            settings, staged, batch_id, {"inbox": str(inbox.inbox_dir(settings))}
        )
        return {"batch_id": batch_id, "chunks": batch.chunks(accepted)}

    @task
    def chunks_of(ingested: dict[str, object]) -> list[list[dict[str, object]]]:
        return list(ingested["chunks"])  # type: ignore[call-overload]

    @task
    def extract(chunk: list[dict[str, object]], ingested: dict[str, object]) -> int:
        from pipelines import batch
        from pipelines.settings import load_settings

        return batch.extract_chunk(load_settings(), str(ingested["batch_id"]), chunk, 1)

    @task
    def finish(ingested: dict[str, object], extracted: list[int]) -> None:
        from pipelines import batch, inbox
        from pipelines.settings import load_settings

        settings = load_settings()
        batch_id = str(ingested["batch_id"])
        batch.check_and_route(settings, batch_id)
        batch.issue_batch(settings, batch_id)
        inbox.commit(settings, batch_id)  # only now do the files leave the inbox

    ingested = ingest_inbox()
    finish(ingested, extract.partial(ingested=ingested).expand(chunk=chunks_of(ingested)))


hocba_nightly()
