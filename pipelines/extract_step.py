"""Extraction in worker processes: object key in, contract record and readings out."""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from domain.errors import HocbaError
from domain.record import Source
from ocr.decode import decode_booklet
from ocr.extract import extract_booklet
from pipelines.ingest import Accepted
from pipelines.settings import Settings
from pipelines.storage import ObjectStore, open_store, page_image_key


@dataclass(frozen=True)
class Outcome:
    """Picklable result of one booklet: the record, or why it could not be extracted."""

    item: Accepted
    record: dict[str, object] | None
    readings: list[dict[str, object]]
    error: str | None = None
    error_code: str | None = None


def extract_one(item: Accepted, store: ObjectStore) -> Outcome:
    try:
        with tempfile.TemporaryDirectory(prefix="hocba-") as tmp:
            path = _fetch(item, store, Path(tmp))
            pages = decode_booklet(path, colour=False)
            source = Source(file=item.file_name, sha256=item.sha256, page_count=len(pages))
            extraction = extract_booklet(pages, source=source, document_id=item.document_id)
    except HocbaError as exc:
        return Outcome(item, None, [], str(exc), exc.code)
    for number, jpeg in extraction.page_images.items():  # for the review view
        store.put_bytes(page_image_key(item.document_id, number), jpeg, content_type="image/jpeg")
    readings = [r.model_dump(mode="json") for r in extraction.readings]
    return Outcome(item, extraction.record.to_contract(), readings)


def _fetch(item: Accepted, store: ObjectStore, into: Path) -> Path:
    if item.object_key.endswith("/"):
        folder = into / item.file_name
        folder.mkdir()
        for key in store.list(item.object_key):
            (folder / key.rsplit("/", 1)[1]).write_bytes(store.get_bytes(key))
        return folder
    target = into / item.file_name
    target.write_bytes(store.get_bytes(item.object_key))
    return target


_worker_store: ObjectStore | None = None


def _init_worker(settings: Settings) -> None:
    global _worker_store
    _worker_store = open_store(settings, create_bucket=False)


def _extract_in_worker(item: Accepted) -> Outcome:
    assert _worker_store is not None, "worker not initialised"
    return extract_one(item, _worker_store)


def extract_all(
    items: Sequence[Accepted],
    settings: Settings,
    jobs: int,
    progress: Callable[[int, int], None] | None = None,
) -> Iterator[Outcome]:
    """Extract in `jobs` processes (OCR is CPU-bound; Tesseract runs one thread each)."""
    if jobs <= 1 or len(items) <= 1:
        _init_worker(settings)
        for done, item in enumerate(items, 1):
            yield _extract_in_worker(item)
            if progress:
                progress(done, len(items))
        return
    with ProcessPoolExecutor(
        max_workers=jobs, initializer=_init_worker, initargs=(settings,)
    ) as pool:
        for done, outcome in enumerate(pool.map(_extract_in_worker, items), 1):
            yield outcome
            if progress:
                progress(done, len(items))
