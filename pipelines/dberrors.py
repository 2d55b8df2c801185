"""Database errors as typed StorageErrors whose message is safe to log."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import psycopg

from domain.errors import StorageError


@contextmanager
def db_errors(what: str) -> Iterator[None]:
    """The server's primary message only: details may hold personal data."""
    try:
        yield
    except psycopg.Error as exc:
        primary = exc.diag.message_primary or type(exc).__name__
        raise StorageError(
            f"database refused to {what}: {primary} [{exc.sqlstate or '-'}]",
            hint="check the database is up (`hocba db start` starts the local one) and migrated",
        ) from exc
