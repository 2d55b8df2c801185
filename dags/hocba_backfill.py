"""hocba_backfill: a folder (or S3 prefix synced to one) of scanned booklets -> signed, loaded records.

Thin wiring only: every task turns params into arguments and calls pipelines.batch.
"""

from __future__ import annotations

import pendulum
from airflow.sdk import Param, dag, get_current_context, task


@dag(
    dag_id="hocba_backfill",
    schedule=None,
    start_date=pendulum.datetime(2026, 1, 1, tz="Asia/Ho_Chi_Minh"),
    catchup=False,
    max_active_runs=1,
    tags=["hocba"],
    params={
        "source": Param("", type="string", description="folder of scanned booklets"),
        "registry": Param("", type="string", description="registry extract CSV (optional)"),
        "batch_id": Param("", type="string", description="batch id (default: from the run)"),
        "province": Param("", type="string"),
        "district": Param("", type="string"),
        "school": Param("", type="string"),
        "jobs": Param(2, type="integer", minimum=1),
    },
)
def hocba_backfill() -> None:
    @task
    def ingest() -> dict[str, object]:
        from pathlib import Path

        from pipelines import batch
        from pipelines.settings import load_settings

        params = get_current_context()["params"]
        settings = load_settings()
        batch_id = params["batch_id"] or batch.new_batch_id("backfill")
        if params["registry"]:
            batch.load_registry(settings, Path(params["registry"]))
        meta = {k: params[k] for k in ("province", "district", "school")}
        _, accepted = batch.ingest_batch(settings, Path(params["source"]), batch_id, meta)
        return {"batch_id": batch_id, "chunks": batch.chunks(accepted)}

    @task
    def chunks_of(ingested: dict[str, object]) -> list[list[dict[str, object]]]:
        return list(ingested["chunks"])  # type: ignore[call-overload]

    @task
    def extract(chunk: list[dict[str, object]], ingested: dict[str, object]) -> int:
        from pipelines import batch
        from pipelines.settings import load_settings

        jobs = int(get_current_context()["params"]["jobs"])
        return batch.extract_chunk(load_settings(), str(ingested["batch_id"]), chunk, jobs)

    @task
    def check(ingested: dict[str, object], extracted: list[int]) -> int:
        from pipelines import batch
        from pipelines.settings import load_settings

        return len(batch.check_and_route(load_settings(), str(ingested["batch_id"])))

    @task
    def issue(ingested: dict[str, object], checked: int) -> int:
        from pipelines import batch
        from pipelines.settings import load_settings

        return len(batch.issue_batch(load_settings(), str(ingested["batch_id"])))

    @task
    def summarize(ingested: dict[str, object], issued: int) -> None:
        from pipelines import batch
        from pipelines.report import format_summary
        from pipelines.settings import load_settings

        summary = batch.batch_summary(load_settings(), str(ingested["batch_id"]))
        print(format_summary(summary, issued=issued, loaded=issued))

    ingested = ingest()
    extracted = extract.partial(ingested=ingested).expand(chunk=chunks_of(ingested))
    checked = check(ingested, extracted)
    summarize(ingested, issue(ingested, checked))


hocba_backfill()
