"""The storage layer's database side: the only module that talks to PostgreSQL and reads sql/.

Plain SQL over psycopg 3. Every write is an upsert keyed by natural ids (batch id, file name,
document id, content hash), so re-running a batch never duplicates or drops a record. Errors
surface as `StorageError` carrying the server's primary message only: details may hold
personal data and are not copied into messages or logs.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql
from psycopg.rows import dict_row
from psycopg.types.json import Jsonb

from domain.errors import StorageError
from domain.record import FieldReading, TranscriptRecord
from pipelines import registry_store
from pipelines import sector_rows as rows_of
from pipelines.dberrors import db_errors
from pipelines.sector_rows import REGISTRY_COLUMNS

__all__ = ["REGISTRY_COLUMNS", "SQL_DIR", "Repository", "apply_migrations", "connect"]

SQL_DIR = Path(__file__).resolve().parent.parent / "sql"
_MIGRATION_LOCK = 0x6B0CBA  # advisory lock id: one migrator at a time
_REVIEW_LOCKED = ("claimed", "approved", "rejected", "published")


def connect(dsn: str, *, autocommit: bool = True) -> psycopg.Connection[Any]:
    with db_errors("open a connection"):
        return psycopg.connect(
            dsn, autocommit=autocommit, connect_timeout=10, application_name="hocba"
        )


# ---------------------------------------------------------------- publishing


# The steward's draft when there is one, else the record as extracted.
_NEXT_APPROVED = (
    "SELECT q.document_id, coalesce(d.record, e.record) FROM hocba.review_queue q"
    " JOIN hocba.extraction e USING (document_id)"
    " LEFT JOIN hocba.review_draft d USING (document_id)"
    " WHERE q.status = 'approved' AND (%(batch)s::text IS NULL OR q.batch_id = %(batch)s)"
    " AND NOT q.document_id = ANY(%(skip)s) ORDER BY q.decided_at, q.document_id"
    " FOR UPDATE OF q SKIP LOCKED LIMIT 1"
)


class ApprovedItem:
    """An approved review item, row-locked by the `approved_item` block that yielded it."""

    def __init__(self, conn: psycopg.Connection[Any], document_id: str, record: dict[str, Any]):
        self._conn, self.document_id, self.record = conn, document_id, record

    def mark_published(self) -> None:
        """Committed with the block, so the mark and the lock end together."""
        self._conn.execute(
            "UPDATE hocba.review_queue SET status = 'published' WHERE document_id = %s"
            " AND status = 'approved'",
            (self.document_id,),
        )


@contextmanager
def approved_item(dsn: str, batch: str | None, skip: list[str]) -> Iterator[ApprovedItem | None]:
    """The oldest approved item not in `skip` (SKIP LOCKED: two runs never take the same one),
    locked until the block ends; committed on success, rolled back on any error."""
    with connect(dsn, autocommit=False) as conn, db_errors("take an approved booklet"):
        try:
            row = conn.execute(_NEXT_APPROVED, {"batch": batch, "skip": skip}).fetchone()
            yield None if row is None else ApprovedItem(conn, str(row[0]), row[1])
            conn.commit()
        except BaseException:
            conn.rollback()
            raise


# ---------------------------------------------------------------- administration


def ensure_database(maintenance_dsn: str, dbname: str) -> bool:
    """CREATE DATABASE if missing (owned by the connecting role); True when created."""
    with connect(maintenance_dsn) as conn, db_errors("create the database"):
        found = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (dbname,)).fetchone()
        if found:
            return False
        conn.execute(sql.SQL("CREATE DATABASE {} ENCODING 'UTF8'").format(sql.Identifier(dbname)))
        return True


def set_login_password(admin_dsn: str, role: str, password: str) -> None:
    """Give `role` LOGIN with a SCRAM verifier computed client-side (no cleartext on the wire)."""
    with connect(admin_dsn) as conn, db_errors("set a role password"):
        verifier = conn.pgconn.encrypt_password(password.encode(), role.encode(), b"scram-sha-256")
        conn.execute(
            sql.SQL("ALTER ROLE {} WITH LOGIN PASSWORD {}").format(
                sql.Identifier(role), sql.Literal(verifier.decode())
            )
        )


def migration_files(sql_dir: Path = SQL_DIR) -> list[Path]:
    files = sorted(p for p in sql_dir.glob("[0-9][0-9][0-9]_*.sql"))
    if not files:
        raise StorageError(f"no migrations found in {sql_dir}", hint="check the sql/ folder")
    return files


def apply_migrations(admin_dsn: str, sql_dir: Path = SQL_DIR) -> list[str]:
    """Run sql/NNN_*.sql in order, each once (tracked in hocba.schema_migrations); returns the
    names applied now. Safe to call on every start; concurrent callers wait on a lock."""
    applied_now: list[str] = []
    with connect(admin_dsn) as conn, db_errors("apply migrations"), conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (_MIGRATION_LOCK,))
        conn.execute(
            "CREATE SCHEMA IF NOT EXISTS hocba;"
            "CREATE TABLE IF NOT EXISTS hocba.schema_migrations ("
            " name text PRIMARY KEY, sha256 char(64) NOT NULL,"
            " applied_at timestamptz NOT NULL DEFAULT now())"
        )
        done = dict(conn.execute("SELECT name, sha256 FROM hocba.schema_migrations").fetchall())
        for path in migration_files(sql_dir):
            text = path.read_text(encoding="utf-8")
            digest = hashlib.sha256(text.encode()).hexdigest()
            if path.name in done:
                _check_unchanged(path.name, done[path.name], digest)
                continue
            conn.execute(text.encode())  # no parameters: simple protocol, many statements
            conn.execute(
                "INSERT INTO hocba.schema_migrations (name, sha256) VALUES (%s, %s)",
                (path.name, digest),
            )
            applied_now.append(path.name)
    return applied_now


def _check_unchanged(name: str, recorded: str, digest: str) -> None:
    if recorded != digest:
        raise StorageError(
            f"migration {name} changed after it was applied",
            hint="add a new numbered sql file instead; in development delete .state/pg to rebuild",
        )


# ---------------------------------------------------------------- the repository


class Repository:
    """One connection to the sector database (as the application role); one transaction per
    method call."""

    def __init__(self, dsn: str) -> None:
        self._conn = connect(dsn)

    def __enter__(self) -> Repository:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        self._conn.close()

    @contextmanager
    def _tx(self, what: str) -> Iterator[psycopg.Connection[Any]]:
        with db_errors(what), self._conn.transaction():
            yield self._conn

    # -- batches and input files

    def start_batch(
        self, batch_id: str, source: str, params: dict[str, Any], pipeline_version: str
    ) -> None:
        """Open (or re-open, on a re-run) a batch."""
        with self._tx("start a batch") as conn:
            conn.execute(
                "INSERT INTO hocba.batch (batch_id, source, params, pipeline_version)"
                " VALUES (%s, %s, %s, %s) ON CONFLICT (batch_id) DO UPDATE SET"
                " source = EXCLUDED.source, params = EXCLUDED.params,"
                " pipeline_version = EXCLUDED.pipeline_version, started_at = now(),"
                " finished_at = NULL",
                (batch_id, source, Jsonb(params), pipeline_version),
            )

    def finish_batch(self, batch_id: str) -> None:
        with self._tx("finish a batch") as conn:
            cur = conn.execute(
                "UPDATE hocba.batch SET finished_at = now() WHERE batch_id = %s", (batch_id,)
            )
            if cur.rowcount == 0:
                raise StorageError(f"batch {batch_id!r} was never started", hint="call start_batch")

    def record_input(
        self,
        batch_id: str,
        file_name: str,
        sha256: str,
        size: int,
        object_key: str | None,
        fate: str,
        reason: str | None = None,
        duplicate_of: str | None = None,
    ) -> None:
        """Record what happened to one input file; a re-run overwrites the same row."""
        with self._tx("record an input file") as conn:
            conn.execute(
                "INSERT INTO hocba.input_file (batch_id, file_name, sha256, size_bytes,"
                " object_key, fate, reason, duplicate_of) VALUES (%s,%s,%s,%s,%s,%s,%s,%s)"
                " ON CONFLICT (batch_id, file_name) DO UPDATE SET sha256 = EXCLUDED.sha256,"
                " size_bytes = EXCLUDED.size_bytes, object_key = EXCLUDED.object_key,"
                " fate = EXCLUDED.fate, reason = EXCLUDED.reason,"
                " duplicate_of = EXCLUDED.duplicate_of",
                (batch_id, file_name, sha256, size, object_key, fate, reason, duplicate_of),
            )

    def accepted_sha256(
        self, sha256: str, *, batch_id: str | None = None, file_name: str | None = None
    ) -> str | None:
        """`"<batch_id>/<file_name>"` of the earliest accepted file with this content, if any.

        Pass the current file's batch_id/file_name so that a re-run does not find the file
        itself and mark it a duplicate of itself. A file accepted by an earlier batch that
        never got as far as extraction (a failed run) does not count: this batch takes it over.
        """
        with self._tx("look up a content hash") as conn:
            row = conn.execute(
                "SELECT batch_id, file_name FROM hocba.input_file f WHERE sha256 = %s"
                " AND fate = 'accepted' AND (batch_id, file_name) IS DISTINCT FROM (%s, %s)"
                " AND (batch_id = %s OR EXISTS (SELECT 1 FROM hocba.extraction e"
                "      WHERE e.source_sha256 = f.sha256))"
                " ORDER BY received_at, batch_id, file_name LIMIT 1",
                (sha256, batch_id, file_name, batch_id),
            ).fetchone()
        return None if row is None else f"{row[0]}/{row[1]}"

    # -- extraction and review queue

    def save_extraction(
        self,
        record: TranscriptRecord,
        readings: Sequence[FieldReading],
        batch_id: str,
        pipeline_version: str,
    ) -> bool:
        """Upsert the extracted record. A record a steward has claimed or decided is kept as
        is (returns False): a re-run must not overwrite human work."""
        with self._tx("save an extraction") as conn:
            cur = conn.execute(
                "INSERT INTO hocba.extraction AS e (document_id, source_sha256, batch_id, family,"
                " record, readings, review_status, pipeline_version)"
                " VALUES (%s,%s,%s,%s,%s,%s,%s,%s) ON CONFLICT (document_id) DO UPDATE SET"
                " source_sha256 = EXCLUDED.source_sha256, batch_id = EXCLUDED.batch_id,"
                " family = EXCLUDED.family, record = EXCLUDED.record,"
                " readings = EXCLUDED.readings, review_status = EXCLUDED.review_status,"
                " pipeline_version = EXCLUDED.pipeline_version, updated_at = now()"
                " WHERE NOT EXISTS (SELECT 1 FROM hocba.review_queue q"
                "  WHERE q.document_id = e.document_id AND q.status = ANY(%s))",
                (
                    record.document_id,
                    record.source.sha256,
                    batch_id,
                    record.family,
                    Jsonb(record.to_contract()),
                    Jsonb([r.model_dump(mode="json") for r in readings]),
                    record.review.status,
                    pipeline_version,
                    list(_REVIEW_LOCKED),
                ),
            )
            return cur.rowcount == 1

    def enqueue_review(
        self,
        document_id: str,
        batch_id: str,
        reasons: Sequence[str],
        is_audit: bool,
        priority: int,
    ) -> str:
        """Put a saved extraction on the stewards' work list; returns the item's status.

        Re-enqueueing refreshes reasons and priority while the item is pending and never
        touches its claim or decision. School name and year come from the last year page.
        """
        with self._tx("enqueue a review") as conn:
            conn.execute(
                "INSERT INTO hocba.review_queue AS q (document_id, batch_id, reasons, is_audit,"
                " priority, school_name, school_year)"
                " SELECT e.document_id, %s, %s, %s, %s, e.record->'years'->-1->>'school_name',"
                " e.record->'years'->-1->>'school_year' FROM hocba.extraction e"
                " WHERE e.document_id = %s"
                " ON CONFLICT (document_id) DO UPDATE SET batch_id = EXCLUDED.batch_id,"
                " reasons = EXCLUDED.reasons, is_audit = q.is_audit OR EXCLUDED.is_audit,"
                " priority = EXCLUDED.priority, school_name = EXCLUDED.school_name,"
                " school_year = EXCLUDED.school_year WHERE q.status = 'pending'",
                (batch_id, list(reasons), is_audit, priority, document_id),
            )
            row = conn.execute(
                "SELECT status FROM hocba.review_queue WHERE document_id = %s", (document_id,)
            ).fetchone()
        if row is None:
            raise StorageError(
                f"no extraction {document_id!r} to review", hint="call save_extraction first"
            )
        return str(row[0])

    # -- population registry

    def load_registry_csv(self, path: Path) -> int:
        """Load a registry extract (contract CSV); returns rows read (`registry_store`)."""
        with self._tx("load the registry extract") as conn:
            return registry_store.load_registry_csv(conn, path)

    def place_names(self) -> list[str]:
        """The unit names the registry's residences use (`registry_store.place_names`)."""
        with self._tx("read the registry's place names") as conn:
            return registry_store.place_names(conn)

    def link_candidates(self, queries: Any) -> Any:
        """Candidates of a whole batch (`validation.linking.link_queries` frame) in one query."""
        with self._tx("fetch registry candidates") as conn:
            return registry_store.link_candidates(conn, queries)

    # -- sector database

    def load_record(self, record: TranscriptRecord, loaded_by: str) -> int:
        """Idempotent upsert of student, booklet, year and subject rows; returns booklet_id.

        Needs a linked personal id. Refuses to change a booklet that has an issued document:
        revoke it first.
        """
        personal_id = rows_of.linked_personal_id(record)
        with self._tx("load a record") as conn:
            student_id = _upsert_student(conn, record, personal_id, loaded_by)
            booklet_id = _upsert_booklet(conn, record, student_id, loaded_by)
            _replace_years(conn, booklet_id, record)
            conn.execute(
                "UPDATE hocba.issued_document SET booklet_id = %s"
                " WHERE document_id = %s AND booklet_id IS NULL",
                (booklet_id, record.document_id),
            )
        return booklet_id

    def record_issued(
        self,
        doc_id: str,
        document_id: str,
        pdf_sha256: str,
        object_key: str,
        signer: str,
        pipeline_version: str,
        *,
        replaces: str | None = None,
        record_sha256: str | None = None,
    ) -> bool:
        """Register a signed PDF; True when new. Re-registering the same PDF is a no-op; the
        same doc_id with another PDF is refused (issued documents are immutable)."""
        with self._tx("record an issued document") as conn:
            cur = conn.execute(
                "INSERT INTO hocba.issued_document (doc_id, booklet_id, document_id, pdf_sha256,"
                " object_key, signer, replaces, pipeline_version, record_sha256) SELECT %s,"
                " (SELECT booklet_id FROM hocba.booklet WHERE document_id = %s), %s, %s, %s, %s,"
                " %s, %s, %s ON CONFLICT (doc_id) DO NOTHING",
                (doc_id, document_id, document_id, pdf_sha256, object_key, signer, replaces,
                 pipeline_version, record_sha256),
            )  # fmt: skip
            if cur.rowcount == 1:
                return True
            row = conn.execute(
                "SELECT document_id, pdf_sha256 FROM hocba.issued_document WHERE doc_id = %s",
                (doc_id,),
            ).fetchone()
        if row is None or (row[0], row[1]) != (document_id, pdf_sha256):
            raise StorageError(
                f"issued document {doc_id!r} already exists with other content",
                hint="issue a new doc_id that replaces the old one, then revoke the old one",
            )
        return False

    def revoke_issued(self, doc_id: str, reason: str, revoked_by: str | None = None) -> None:
        with self._tx("revoke an issued document") as conn:
            cur = conn.execute(
                "UPDATE hocba.issued_document SET status = 'revoked', revoked_reason = %s,"
                " revoked_at = now(), revoked_by = %s WHERE doc_id = %s AND status = 'issued'",
                (reason, revoked_by, doc_id),
            )
            if cur.rowcount == 0:
                raise StorageError(
                    f"no issued (unrevoked) document {doc_id!r}",
                    hint="check the document number; a revoked document stays revoked",
                )

    def get_issued(self, doc_id: str) -> dict[str, Any] | None:
        """One issued document row (any status) by its document number."""
        with self._tx("look up an issued document") as conn, conn.cursor(row_factory=dict_row) as c:
            c.execute("SELECT * FROM hocba.issued_document WHERE doc_id = %s", (doc_id,))
            return c.fetchone()

    def find_issued_by_hash(
        self, pdf_sha256: str, record_sha256: str | None
    ) -> dict[str, Any] | None:
        """The issued row of this exact PDF, else the newest one issued for this record."""
        with self._tx("look up an issued document") as conn, conn.cursor(row_factory=dict_row) as c:
            c.execute(
                "SELECT * FROM hocba.issued_document WHERE pdf_sha256 = %s"
                " OR (%s::text IS NOT NULL AND record_sha256 = %s)"
                " ORDER BY pdf_sha256 = %s DESC, signed_at DESC LIMIT 1",
                (pdf_sha256, record_sha256, record_sha256, pdf_sha256),
            )
            return c.fetchone()

    def successor_of(self, doc_id: str) -> str | None:
        """The document number that replaced `doc_id`, if any."""
        with self._tx("look up a successor") as conn:
            row = conn.execute(
                "SELECT doc_id FROM hocba.issued_document WHERE replaces = %s", (doc_id,)
            ).fetchone()
        return None if row is None else str(row[0])

    def issued_objects(self) -> list[tuple[str, str, str]]:
        """(doc_id, object_key, pdf_sha256) of every issued document, revoked ones included."""
        with self._tx("list issued objects") as conn:
            rows = conn.execute(
                "SELECT doc_id, object_key, pdf_sha256 FROM hocba.issued_document ORDER BY doc_id"
            ).fetchall()
        return [(str(a), str(b), str(c)) for a, b, c in rows]

    def issued_keys(self, batch_id: str) -> list[str]:
        """Object keys of the current issued documents of a batch's records."""
        with self._tx("list issued documents") as conn:
            rows = conn.execute(
                "SELECT d.object_key FROM hocba.issued_document d JOIN hocba.extraction e"
                " ON e.document_id = d.document_id WHERE e.batch_id = %s AND d.status = 'issued'"
                " ORDER BY d.doc_id",
                (batch_id,),
            ).fetchall()
        return [str(r[0]) for r in rows]

    def find_issued(self, document_id: str) -> dict[str, Any] | None:
        """The current (unrevoked) issued document of a record, newest first, if any."""
        with self._tx("look up issued documents") as conn, conn.cursor(row_factory=dict_row) as c:
            c.execute(
                "SELECT * FROM hocba.issued_document WHERE document_id = %s"
                " AND status = 'issued' ORDER BY signed_at DESC LIMIT 1",
                (document_id,),
            )
            return c.fetchone()

    # -- reporting

    def batch_summary(self, batch_id: str) -> dict[str, Any]:
        """Counts by input fate and review status, quarantine reasons, top review reasons."""
        with self._tx("summarize a batch") as conn:
            batch = conn.execute(
                "SELECT started_at, finished_at, pipeline_version FROM hocba.batch"
                " WHERE batch_id = %s",
                (batch_id,),
            ).fetchone()
            if batch is None:
                raise StorageError(f"unknown batch {batch_id!r}", hint="check the batch id")
            return {
                "batch_id": batch_id,
                "started_at": batch[0],
                "finished_at": batch[1],
                "pipeline_version": batch[2],
                "files": _counts(conn, _FATES_SQL, batch_id),
                "quarantine_reasons": _counts(conn, _QUARANTINE_SQL, batch_id),
                "extractions": _counts(conn, _EXTRACTIONS_SQL, batch_id),
                "review": _counts(conn, _REVIEW_SQL, batch_id),
                "top_review_reasons": _counts(conn, _REASONS_SQL, batch_id),
            }


# ---------------------------------------------------------------- record loading helpers


def _upsert_student(
    conn: psycopg.Connection[Any], record: TranscriptRecord, personal_id: str, by: str
) -> int:
    values = rows_of.student_values(record)
    conn.execute(rows_of.student_upsert_sql(), (personal_id, *values, by))
    row = conn.execute(
        "SELECT student_id FROM hocba.student WHERE personal_id = %s", (personal_id,)
    ).fetchone()
    assert row is not None
    return int(row[0])


def _upsert_booklet(
    conn: psycopg.Connection[Any], record: TranscriptRecord, student_id: int, by: str
) -> int:
    doc = Jsonb(record.to_contract())
    existing = conn.execute(
        "SELECT b.record = %s, EXISTS (SELECT 1 FROM hocba.issued_document i"
        "  WHERE i.document_id = b.document_id AND i.status = 'issued')"
        " FROM hocba.booklet b WHERE b.document_id = %s FOR UPDATE",
        (doc, record.document_id),
    ).fetchone()
    if existing is not None and existing[1] and not existing[0]:
        raise StorageError(
            f"booklet {record.document_id!r} has an issued document and cannot change",
            hint="revoke the issued document, then load and issue the corrected record",
        )
    src = record.source
    row = conn.execute(
        "INSERT INTO hocba.booklet AS b (document_id, student_id, family, source_file,"
        " source_sha256, page_count, record, loaded_by) VALUES (%s,%s,%s,%s,%s,%s,%s,%s)"
        " ON CONFLICT (document_id) DO UPDATE SET student_id = EXCLUDED.student_id,"
        " family = EXCLUDED.family, source_file = EXCLUDED.source_file,"
        " source_sha256 = EXCLUDED.source_sha256, page_count = EXCLUDED.page_count,"
        " record = EXCLUDED.record, loaded_by = EXCLUDED.loaded_by, loaded_at = now()"
        " WHERE (b.student_id, b.record) IS DISTINCT FROM (EXCLUDED.student_id, EXCLUDED.record)"
        " RETURNING booklet_id",
        (record.document_id, student_id, record.family, src.file, src.sha256, src.page_count,
         doc, by),
    ).fetchone()  # fmt: skip
    if row is None:  # unchanged: nothing updated, nothing returned
        row = conn.execute(
            "SELECT booklet_id FROM hocba.booklet WHERE document_id = %s", (record.document_id,)
        ).fetchone()
    assert row is not None
    return int(row[0])


def _replace_years(
    conn: psycopg.Connection[Any], booklet_id: int, record: TranscriptRecord
) -> None:
    """Make the page and subject rows equal to the record: drop stale rows, then upsert."""
    years, subjects = rows_of.result_rows(booklet_id, record)
    conn.execute(
        "DELETE FROM hocba.year_result WHERE booklet_id = %s AND NOT page = ANY(%s)",
        (booklet_id, [y[1] for y in years]),
    )
    conn.execute(
        "DELETE FROM hocba.subject_result s WHERE booklet_id = %s AND NOT EXISTS"
        " (SELECT 1 FROM unnest(%s::int[], %s::text[]) AS n(page, subject)"
        "  WHERE n.page = s.page AND n.subject = s.subject)",
        (booklet_id, [r[1] for r in subjects], [r[2] for r in subjects]),
    )
    with conn.cursor() as cur:
        for table, cols, key, rows in (
            ("hocba.year_result", rows_of.YEAR_COLUMNS, 2, years),
            ("hocba.subject_result", rows_of.SUBJECT_COLUMNS, 3, subjects),
        ):
            if rows:
                cur.executemany(rows_of.upsert_sql(table, cols, cols[:key]), rows)


# ---------------------------------------------------------------- summary helpers

_FATES_SQL = "SELECT fate, count(*) FROM hocba.input_file WHERE batch_id = %s GROUP BY 1"
_QUARANTINE_SQL = (
    "SELECT reason, count(*) FROM hocba.input_file WHERE batch_id = %s"
    " AND fate = 'quarantined' GROUP BY 1 ORDER BY 2 DESC, 1"
)
_EXTRACTIONS_SQL = (
    "SELECT review_status, count(*) FROM hocba.extraction WHERE batch_id = %s GROUP BY 1"
)
_REVIEW_SQL = "SELECT status, count(*) FROM hocba.review_queue WHERE batch_id = %s GROUP BY 1"
_REASONS_SQL = (
    "SELECT reason, count(*) FROM hocba.review_queue, unnest(reasons) AS reason"
    " WHERE batch_id = %s GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 10"
)


def _counts(conn: psycopg.Connection[Any], query: str, batch_id: str) -> dict[str, int]:
    return {str(k): int(n) for k, n in conn.execute(query, (batch_id,)).fetchall()}
