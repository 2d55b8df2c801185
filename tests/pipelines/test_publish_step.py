"""Publish: an approved booklet is signed and loaded exactly once, with the steward's fix."""

from __future__ import annotations

import tempfile
from pathlib import Path

import psycopg
import pytest

from pipelines.publish_step import publish_approved
from pipelines.storage import LocalStore, open_store, page_image_key
from review import accounts, service
from review.db import Pool
from tests.conftest import PgCluster
from tests.review.seed import SCORE_PATH, seed_batch

pytestmark = pytest.mark.slow
PASSWORD = "mat-khau-xuat-ban-1"


def _store_scans(store: LocalStore, admin_dsn: str, document_id: str) -> None:
    """The seeded page images also serve as the booklet's original scans (the PDF appendix)."""
    with psycopg.connect(admin_dsn) as conn:
        row = conn.execute(
            "SELECT source_sha256, record->'source'->>'page_count' FROM hocba.extraction"
            " WHERE document_id = %s",
            (document_id,),
        ).fetchone()
    assert row is not None
    sha, pages = str(row[0]), int(row[1])
    for n in range(1, pages + 1):
        data = store.get_bytes(page_image_key(document_id, n))
        store.put_bytes(f"scans/{sha[:2]}/{sha}/page-{n}.jpg", data)


def _count(admin_dsn: str, sql: str, *args: object) -> object:
    with psycopg.connect(admin_dsn) as conn:
        row = conn.execute(sql, args).fetchone()
    assert row is not None
    return row[0]


def test_approved_booklet_is_published_once(pg_cluster: PgCluster) -> None:
    settings, dsn, admin = pg_cluster.settings, pg_cluster.dsn, pg_cluster.admin_dsn
    store = open_store(settings)
    assert isinstance(store, LocalStore)
    tmp = Path(tempfile.mkdtemp(prefix="hocba-publish-"))
    seeded = seed_batch(dsn, store, "pub-1", province="Tỉnh Xuất Bản", district="Huyện P",
                        count=2, seed=77, tmp=tmp, with_images=1)  # fmt: skip
    target = seeded[0]
    _store_scans(store, admin, target.document_id)
    pool = Pool(dsn)
    steward = accounts.add_account(pool, "pub.steward", "Cán bộ", "steward", PASSWORD,
                                   province="Tỉnh Xuất Bản", district="Huyện P")  # fmt: skip
    service.open_booklet(pool, steward, target.document_id)
    service.edit_field(pool, steward, target.document_id, SCORE_PATH, str(target.true_score))
    assert service.decide(pool, steward, target.document_id, "approve") == "final"

    first = publish_approved(settings, dsn, store, batch="pub-1").published
    assert [(p.document_id, p.new) for p in first] == [(target.document_id, True)]
    assert store.exists(first[0].object_key)
    status = "SELECT status FROM hocba.review_queue WHERE document_id = %s"
    assert _count(admin, status, target.document_id) == "published"
    assert _count(admin, status, seeded[1].document_id) == "pending"  # not approved: untouched
    record = _count(admin, "SELECT record FROM hocba.booklet WHERE document_id = %s",
                    target.document_id)  # fmt: skip
    assert record["years"][0]["subjects"][0]["year"] == target.true_score  # type: ignore[index]

    assert publish_approved(settings, dsn, store, batch="pub-1").published == []  # exactly once
    # A run that crashed after issuing but before marking: the next run only marks it.
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute("UPDATE hocba.review_queue SET status = 'approved' WHERE document_id = %s",
                     (target.document_id,))  # fmt: skip
    again = publish_approved(settings, dsn, store, batch="pub-1").published
    assert [(p.document_id, p.new, p.doc_id) for p in again] == [
        (target.document_id, False, first[0].doc_id)
    ]
    issued = "SELECT count(*) FROM hocba.issued_document WHERE document_id = %s"
    assert _count(admin, issued, target.document_id) == 1
    assert _count(admin, status, target.document_id) == "published"
    pool.close()


def test_a_failing_booklet_does_not_stop_the_others(pg_cluster: PgCluster) -> None:
    settings, dsn = pg_cluster.settings, pg_cluster.dsn
    store = open_store(settings)
    tmp = Path(tempfile.mkdtemp(prefix="hocba-publish-"))
    seeded = seed_batch(dsn, None, "pub-2", province="Tỉnh Xuất Bản", district="Huyện Q",
                        count=1, seed=78, tmp=tmp)  # fmt: skip
    pool = Pool(dsn)
    steward = accounts.add_account(pool, "pub.steward2", "Cán bộ", "steward", PASSWORD,
                                   province="Tỉnh Xuất Bản", district="Huyện Q")  # fmt: skip
    doc = seeded[0].document_id
    service.open_booklet(pool, steward, doc)
    service.edit_field(pool, steward, doc, SCORE_PATH, str(seeded[0].true_score))
    service.decide(pool, steward, doc, "approve")
    run = publish_approved(settings, dsn, store, batch="pub-2")  # no scans in the store
    assert run.published == [] and "scans" in run.failed[doc]
    status = "SELECT status FROM hocba.review_queue WHERE document_id = %s"
    assert _count(pg_cluster.admin_dsn, status, doc) == "approved"  # retried next run
    pool.close()
