"""Publish: booklets a steward approved in review -> render, sign, load, exactly once.

Each approved item is taken under a row lock (SKIP LOCKED, so two runs never take the same
one), issued with the same functions as the batch issue step, and marked `published` in the
same locked transaction. A crash between loading and marking is healed on the next run: the
issued document already exists, so the item is only marked, never signed a second time.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from domain.errors import HocbaError
from domain.record import Review, TranscriptRecord
from pipelines.issue_step import Issued, issue_one, open_steps, signing_setup
from pipelines.repository import Repository, approved_item
from pipelines.settings import Settings
from pipelines.storage import ObjectStore
from validation.report import to_flags
from validation.rules import check_record

log = logging.getLogger(__name__)
DEFAULT_ISSUER = "Sở Giáo dục và Đào tạo (bản phát triển)"
PUBLISHER = "hocba-publish"


@dataclass
class PublishRun:
    published: list[Issued] = field(default_factory=list)  # `new` False: issued by a crashed run
    failed: dict[str, str] = field(default_factory=dict)  # document id -> error (stays approved)


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
    version = settings.pipeline_version
    run = PublishRun()
    with Repository(dsn) as repo, open_steps(setup) as steps:
        while limit is None or len(run.published) < limit:
            with approved_item(dsn, batch, list(run.failed)) as item:
                if item is None:
                    break
                try:
                    done = issue_one(
                        reviewed_record(item.record), repo, store, settings, setup, steps,
                        issuer_unit=issuer_unit, pipeline_version=version,
                        loaded_by=f"{PUBLISHER} {version}",
                    )  # fmt: skip
                except HocbaError as exc:
                    log.warning("publish of %s failed: %s", item.document_id, exc)
                    run.failed[item.document_id] = str(exc)
                    continue
                item.mark_published()
                run.published.append(done)
    return run
