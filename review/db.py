"""Database access of the review app: a small connection pool and the audit-log writer.

Every connection runs as the hocba_review role (SET ROLE), which can append audit rows but
never update or delete them. A change and its audit row commit in one transaction.
"""

from __future__ import annotations

import datetime as dt
import queue
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
from psycopg.types.json import Jsonb

from domain.errors import StorageError
from review.audit import GENESIS, Entry, chain_hash, normalized

REVIEW_ROLE = "hocba_review"
_AUDIT_LOCK = 0x6B0CBB  # advisory lock: one audit append at a time keeps the chain linear
Conn = psycopg.Connection[Any]


class Pool:
    """A few reusable connections; sync FastAPI routes run in threads, one connection each."""

    def __init__(self, dsn: str, size: int = 8, *, role: str | None = REVIEW_ROLE) -> None:
        self._dsn, self._role = dsn, role
        self._idle: queue.LifoQueue[Conn] = queue.LifoQueue(maxsize=size)

    def _open(self) -> Conn:
        try:
            conn = psycopg.connect(self._dsn, connect_timeout=10, application_name="hocba-review")
            if self._role:
                conn.execute(f"SET ROLE {self._role}")
                conn.commit()
        except psycopg.Error as exc:
            raise StorageError(
                f"cannot connect to the review database: {type(exc).__name__}",
                hint="check the database is up and migrated (sql/002_review.sql applied)",
            ) from exc
        return conn

    @contextmanager
    def tx(self) -> Iterator[Conn]:
        """A connection inside one transaction: committed on success, rolled back on error."""
        try:
            conn = self._idle.get_nowait()
        except queue.Empty:
            conn = self._open()
        try:
            with conn.transaction():
                yield conn
        except psycopg.Error as exc:
            conn.close()
            primary = exc.diag.message_primary or type(exc).__name__
            raise StorageError(
                f"review database refused an operation: {primary}",
                hint="retry; if it persists check the server log",
            ) from exc
        except BaseException:
            conn.close()
            raise
        try:
            self._idle.put_nowait(conn)
        except queue.Full:
            conn.close()

    def close(self) -> None:
        while True:
            try:
                self._idle.get_nowait().close()
            except queue.Empty:
                return


def append_audit(
    conn: Conn,
    actor: str,
    action: str,
    document_id: str | None = None,
    *,
    detail: dict[str, Any] | None = None,
    before: Any = None,
    after: Any = None,
) -> int:
    """Append one chained audit row inside the caller's transaction; returns its seq."""
    conn.execute("SELECT pg_advisory_xact_lock(%s)", (_AUDIT_LOCK,))
    last = conn.execute(
        "SELECT seq, hash FROM hocba.audit_log ORDER BY seq DESC LIMIT 1"
    ).fetchone()
    seq, prev = (1, GENESIS) if last is None else (int(last[0]) + 1, str(last[1]))
    entry = Entry(
        seq=seq,
        at=dt.datetime.now(dt.UTC),
        actor=actor,
        action=action,
        document_id=document_id,
        detail=normalized(detail or {}),
        before=normalized(before),
        after=normalized(after),
    )
    conn.execute(
        "INSERT INTO hocba.audit_log (seq, at, actor, action, document_id, detail, before,"
        " after, prev_hash, hash) VALUES (%s,%s,%s,%s,%s,%s,%s,%s,%s,%s)",
        (seq, entry.at, actor, action, document_id, Jsonb(entry.detail), _json(entry.before),
         _json(entry.after), prev, chain_hash(prev, entry)),
    )  # fmt: skip
    return seq


def _json(value: Any) -> Jsonb | None:
    return None if value is None else Jsonb(value)


def audit_rows(conn: Conn, batch: int = 2000) -> Iterator[tuple[Entry, str, str]]:
    """Every audit row in seq order, streamed with a server-side cursor."""
    with conn.cursor(name="audit_walk") as cur:
        cur.itersize = batch
        cur.execute(
            "SELECT seq, at, actor, action, document_id, detail, before, after, prev_hash, hash"
            " FROM hocba.audit_log ORDER BY seq"
        )
        for row in cur:
            entry = Entry(int(row[0]), row[1], row[2], row[3], row[4], row[5], row[6], row[7])
            yield entry, str(row[8]), str(row[9])
