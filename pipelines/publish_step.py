"""Publish: booklets a steward approved in review -> render, sign, load, exactly once.

Each approved item is taken under a row lock (SKIP LOCKED, so two runs never take the same
one), issued with the same functions as the batch issue step, and marked `published` in the
same locked transaction. A crash between loading and marking is healed on the next run: the
issued document already exists, so the item is only marked, never signed a second time.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import psycopg

from domain.errors import HocbaError, StorageError
from domain.record import Review, TranscriptRecord
from pipelines.issue_step import (
    Issued,
    SigningSetup,
    doc_id_for,
    open_steps,
    sign_record,
    signing_setup,
    store_and_register,
)
from pipelines.repository import Repository, connect
from pipelines.settings import Settings
from pipelines.storage import ObjectStore
from signing.sign import SignStep
from validation.report import to_flags
from validation.rules import check_record

log = logging.getLogger(__name__)
DEFAULT_ISSUER = "Sở Giáo dục và Đào tạo (bản phát triển)"
PUBLISHER = "hocba-publish"

# The steward's draft when there is one, else the record as extracted.
_NEXT_APPROVED = (
    "SELECT q.document_id, coalesce(d.record, e.record) FROM hocba.review_queue q"
    " JOIN hocba.extraction e USING (document_id)"
    " LEFT JOIN hocba.review_draft d USING (document_id)"
    " WHERE q.status = 'approved' AND (%(batch)s::text IS NULL OR q.batch_id = %(batch)s)"
    " AND NOT q.document_id = ANY(%(skip)s) ORDER BY q.decided_at, q.document_id"
    " FOR UPDATE OF q SKIP LOCKED LIMIT 1"
)
_MARK = (
    "UPDATE hocba.review_queue SET status = 'published' WHERE document_id = %s"
    " AND status = 'approved'"
)


@dataclass(frozen=True)
class Published:
    document_id: str
    doc_id: str
    object_key: str
    new: bool  # False: it had been issued before (a crashed run), only marked now


@dataclass
class PublishRun:
    published: list[Published] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)  # document id -> error (stays approved)


@contextmanager
def _next_approved(
    dsn: str, batch: str | None, skip: list[str]
) -> Iterator[tuple[psycopg.Connection[Any], str, dict[str, Any]] | None]:
    """The oldest approved item, locked until the block ends (committed on success)."""
    with connect(dsn, autocommit=False) as conn:
        try:
            row = conn.execute(_NEXT_APPROVED, {"batch": batch, "skip": skip}).fetchone()
            yield None if row is None else (conn, str(row[0]), row[1])
            conn.commit()
        except psycopg.Error as exc:
            conn.rollback()
            raise StorageError(
                f"database refused to publish: {exc.diag.message_primary or type(exc).__name__}",
                hint="check the database is up and migrated (sql/002_review.sql)",
            ) from exc
        except BaseException:
            conn.rollback()
            raise


def reviewed_record(doc: dict[str, Any]) -> TranscriptRecord:
    """The approved record; its flags are what the checks still say (confirmed as printed)."""
    record = TranscriptRecord.from_contract(doc)
    record.review = Review(status="needs_review", flags=to_flags(check_record(record)))
    return record


def publish_approved(
    settings: Settings,
    dsn: str,
    store: ObjectStore,
    *,
    issuer_unit: str = DEFAULT_ISSUER,
    batch: str | None = None,
    limit: int | None = None,
) -> PublishRun:
    """Issue every approved booklet (of one batch, up to `limit`). A booklet that fails stays
    approved for the next run and does not stop the others."""
    setup = signing_setup(settings)
    run = PublishRun()
    with Repository(dsn) as repo, open_steps(setup) as steps:
        while limit is None or len(run.published) < limit:
            with _next_approved(dsn, batch, list(run.failed)) as taken:
                if taken is None:
                    break
                conn, document_id, doc = taken
                try:
                    done = _publish_one(document_id, doc, repo, store, settings, setup, steps,
                                        issuer_unit)  # fmt: skip
                except HocbaError as exc:
                    log.warning("publish of %s failed: %s", document_id, exc)
                    run.failed[document_id] = str(exc)
                    continue
                conn.execute(_MARK, (document_id,))
                run.published.append(done)
    return run


def _publish_one(
    document_id: str,
    doc: dict[str, Any],
    repo: Repository,
    store: ObjectStore,
    settings: Settings,
    setup: SigningSetup,
    steps: Sequence[SignStep],
    issuer_unit: str,
) -> Published:
    existing = repo.find_issued(document_id)
    if existing:
        return Published(document_id, existing["doc_id"], existing["object_key"], False)
    issued = _issue(reviewed_record(doc), repo, store, settings, setup, steps, issuer_unit)
    return Published(document_id, issued.doc_id, issued.object_key, True)


def _issue(
    record: TranscriptRecord,
    repo: Repository,
    store: ObjectStore,
    settings: Settings,
    setup: SigningSetup,
    steps: Sequence[SignStep],
    issuer_unit: str,
) -> Issued:
    doc_id = doc_id_for(record)
    version = settings.pipeline_version
    pdf = sign_record(record, doc_id, store, settings, setup, steps,
                      issuer_unit=issuer_unit, pipeline_version=version)  # fmt: skip
    repo.load_record(record, loaded_by=f"{PUBLISHER} {version}")
    return store_and_register(record, doc_id, pdf, repo, store, setup, version)
