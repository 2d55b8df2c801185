"""A batch end to end, as steps the CLI runs in a row and the DAGs run as tasks.

Steps pass small values (ids, object keys); bulky intermediate results live in the object store
under work/<batch_id>/, so any step can be re-run on its own.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Sequence
from dataclasses import asdict
from pathlib import Path

from domain.record import TranscriptRecord
from pipelines.checks_step import Routed, check_batch
from pipelines.extract_step import Outcome, extract_all
from pipelines.ingest import Accepted, Fate, ingest_one, list_inputs
from pipelines.issue_step import Issued, issue_and_load
from pipelines.localpg import ensure_local_cluster
from pipelines.repository import Repository
from pipelines.settings import Settings
from pipelines.storage import ObjectStore, open_store

DEFAULT_ISSUER = "Sở Giáo dục và Đào tạo (bản phát triển)"
CHUNK_SIZE = 8  # booklets per mapped Airflow task: keeps the map far below max_map_length


def new_batch_id(prefix: str = "batch") -> str:
    return f"{prefix}-{dt.datetime.now(dt.UTC):%Y%m%dT%H%M%S}"


def database_dsn(settings: Settings) -> str:
    """The application DSN; starts the project-local PostgreSQL when no external one is set."""
    return (
        ensure_local_cluster(settings)
        if settings.uses_local_cluster
        else str(settings.database_url)
    )


def load_registry(settings: Settings, registry: Path) -> int:
    with Repository(database_dsn(settings)) as repo:
        return repo.load_registry_csv(registry)


def ingest_batch(
    settings: Settings, source: Path, batch_id: str, params: dict[str, object] | None = None
) -> tuple[list[Fate], list[Accepted]]:
    store = open_store(settings)
    fates, accepted = [], []
    with Repository(database_dsn(settings)) as repo:
        repo.start_batch(batch_id, str(source), dict(params or {}), settings.pipeline_version)
        for path in list_inputs(source):
            fate, item = ingest_one(path, batch_id, repo, store)
            fates.append(fate)
            if item:
                accepted.append(item)
    return fates, accepted


def chunks(items: Sequence[Accepted], size: int = CHUNK_SIZE) -> list[list[dict[str, object]]]:
    """Accepted items as plain dicts in chunks, for XCom and dynamic task mapping."""
    plain = [asdict(i) for i in items]
    return [plain[i : i + size] for i in range(0, len(plain), size)]


def extract_chunk(
    settings: Settings,
    batch_id: str,
    chunk: Sequence[dict[str, object]],
    jobs: int = 1,
    progress: Callable[[int, int], None] | None = None,
) -> int:
    """Extract booklets and keep each outcome in the store; returns how many were processed."""
    store = open_store(settings)
    items = [Accepted(**c) for c in chunk]  # type: ignore[arg-type]
    count = 0
    for outcome in extract_all(items, settings, jobs, progress):
        store.put_bytes(
            _outcome_key(batch_id, outcome.item.document_id),
            json.dumps(asdict(outcome), ensure_ascii=False).encode(),
        )
        count += 1
    return count


def check_and_route(settings: Settings, batch_id: str, out_dir: Path | None = None) -> list[Routed]:
    store = open_store(settings)
    outcomes = [
        _load_outcome(store, key) for key in sorted(store.list(f"work/{batch_id}/extract/"))
    ]
    with Repository(database_dsn(settings)) as repo:
        records, routed = check_batch(
            outcomes,
            repo,
            batch_id,
            settings.pipeline_version,
            report_dir=_reports_dir(settings, batch_id),
        )
    for record in records:
        body = json.dumps(record.to_contract(), ensure_ascii=False, indent=2).encode()
        store.put_bytes(f"records/{record.document_id}.json", body, content_type="application/json")
        if out_dir:
            out_dir.mkdir(parents=True, exist_ok=True)
            (out_dir / f"{Path(record.source.file).stem}.json").write_bytes(body)
    return routed


def issue_batch(
    settings: Settings, batch_id: str, issuer_unit: str = DEFAULT_ISSUER
) -> list[Issued]:
    store = open_store(settings)
    with Repository(database_dsn(settings)) as repo:
        issued = issue_and_load(
            batch_records(store, batch_id),
            repo,
            store,
            settings,
            issuer_unit=issuer_unit,
            pipeline_version=settings.pipeline_version,
        )
        repo.finish_batch(batch_id)
    return issued


def batch_summary(settings: Settings, batch_id: str) -> dict[str, object]:
    with Repository(database_dsn(settings)) as repo:
        summary = repo.batch_summary(batch_id)
    summary["reports_dir"] = str(_reports_dir(settings, batch_id))
    summary["objects"] = (
        str(settings.objects_dir) if settings.s3_endpoint is None else f"s3://{settings.s3_bucket}"
    )
    return summary


def batch_records(store: ObjectStore, batch_id: str) -> list[TranscriptRecord]:
    """The checked records of a batch, in document order."""
    records = [_record_of(store, doc) for doc in _batch_documents(store, batch_id)]
    return [r for r in records if r is not None]


def _batch_documents(store: ObjectStore, batch_id: str) -> list[str]:
    prefix = f"work/{batch_id}/extract/"
    return [key[len(prefix) : -len(".json")] for key in sorted(store.list(prefix))]


def _record_of(store: ObjectStore, document_id: str) -> TranscriptRecord | None:
    key = f"records/{document_id}.json"
    return (
        TranscriptRecord.from_contract(json.loads(store.get_bytes(key)))
        if store.exists(key)
        else None
    )


def _outcome_key(batch_id: str, document_id: str) -> str:
    return f"work/{batch_id}/extract/{document_id}.json"


def _load_outcome(store: ObjectStore, key: str) -> Outcome:
    data = json.loads(store.get_bytes(key))
    data["item"] = Accepted(**data["item"])
    return Outcome(**data)


def _reports_dir(settings: Settings, batch_id: str) -> Path:
    return settings.runs_dir / batch_id / "checks"
