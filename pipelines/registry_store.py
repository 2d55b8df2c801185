"""The population-registry side of the storage layer: bulk load and set-based candidates.

Loading streams the extract through COPY into a staging table and upserts from there (2M rows
in about a minute). Candidates for a whole batch come from one query: the batch's blocking
keys (validation.linking.link_queries) are COPYed into a temporary table and joined to the
indexed registry, and the result comes back as CSV through COPY TO (pandas' C parser reads it).
"""

from __future__ import annotations

import csv
import io
import unicodedata
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

import pandas as pd
import psycopg
from psycopg import sql

from domain.errors import StorageError
from domain.record import REGISTRY_COLUMNS
from domain.text import clean, search_key
from pipelines import sector_rows as rows_of
from pipelines.dberrors import db_errors
from pipelines.sector_rows import CANDIDATE_COLUMNS
from validation.places import unit_names

# Registry columns the linker scores (residence is not evidence: people move).
LINK_COLUMNS = (
    "personal_id", "full_name", "gender", "date_of_birth", "birth_registration_place",
    "father_name", "mother_name",
)  # fmt: skip
_QUERY_TABLE = """
CREATE TEMP TABLE link_query (
    qid integer NOT NULL, name_key text, given_key text, family_key text, birth_year integer,
    date_of_birth date, printed_id char(12)
) ON COMMIT DROP
"""
# One row per (query, person): the four blocking arms, each an index lookup, then the rows.
_LINK_SQL = """
COPY (
    WITH m AS (
        SELECT q.qid, p.personal_id FROM link_query q JOIN hocba.registry_person p
            ON p.name_key = q.name_key AND p.birth_year = q.birth_year
        UNION
        SELECT q.qid, p.personal_id FROM link_query q JOIN hocba.registry_person p
            ON p.given_key = q.given_key AND p.date_of_birth = q.date_of_birth
        UNION
        SELECT q.qid, p.personal_id FROM link_query q JOIN hocba.registry_person p
            ON regexp_replace(p.name_key, ' [^ ]*$', '') = q.family_key
           AND p.date_of_birth = q.date_of_birth
        UNION
        SELECT q.qid, p.personal_id FROM link_query q JOIN hocba.registry_person p
            ON p.personal_id = q.printed_id)
    SELECT m.qid, r.personal_id, r.full_name, r.gender, to_char(r.date_of_birth, 'YYYY-MM-DD'),
           r.birth_registration_place, r.father_name, r.mother_name
    FROM m JOIN hocba.registry_person r USING (personal_id)
) TO STDOUT WITH (FORMAT csv)
"""


def load_registry_csv(conn: psycopg.Connection[Any], path: Path) -> int:
    """Load a registry extract (contract CSV, columns in any order); returns rows read.

    Rows are validated and keyed in Python (search_key is the one shared definition), sent
    with COPY into a staging table, then upserted: re-loading an extract is idempotent. The
    caller runs this inside one transaction.
    """
    with open(path, encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        rows_of.check_registry_header(reader.fieldnames)
        conn.execute(
            "CREATE TEMP TABLE registry_stage (LIKE hocba.registry_person,"
            " line integer NOT NULL) ON COMMIT DROP"
        )
        count, places = _copy_registry(conn, reader)
        conn.execute(rows_of.REGISTRY_UPSERT)
        _add_place_names(conn, places)
    return count


def _copy_registry(
    conn: psycopg.Connection[Any], reader: csv.DictReader[str]
) -> tuple[int, set[str]]:
    """Rows COPYed into the staging table, and the unit names their residences use."""
    cols = sql.SQL(", ").join(sql.Identifier(c) for c in (*CANDIDATE_COLUMNS, "line"))
    count, places = 0, set()
    copy_sql = sql.SQL("COPY registry_stage ({}) FROM STDIN").format(cols)
    with conn.cursor() as cur, cur.copy(copy_sql) as cp:
        for row in reader:
            cp.write_row(registry_row(row, reader.line_num))
            places.update(unit_names(row.get("residence")))
            count += 1
    return count, places


def _add_place_names(conn: psycopg.Connection[Any], names: set[str]) -> None:
    conn.execute("CREATE TEMP TABLE place_stage (name text) ON COMMIT DROP")
    with conn.cursor() as cur, cur.copy("COPY place_stage (name) FROM STDIN") as cp:
        for name in names:
            cp.write_row((name,))
    conn.execute(
        "INSERT INTO hocba.registry_place_name SELECT DISTINCT name FROM place_stage"
        " ON CONFLICT DO NOTHING"
    )


def place_names(conn: psycopg.Connection[Any]) -> list[str]:
    """The unit names the loaded registry's residences use (`validation.places`)."""
    return [name for (name,) in conn.execute("SELECT name FROM hocba.registry_place_name")]


def registry_row(row: dict[str, str], line: int) -> tuple[Any, ...]:
    """One CSV row as (contract columns..., name_key, given_key, birth_year, line).

    Messages name the line and column, never the values (they are personal data). Most
    extract cells are already clean NFC text: they skip the regex (2M rows a load).
    """
    values = [_clean(row.get(c)) for c in REGISTRY_COLUMNS]
    pid, name, dob = values[_PID], values[_NAME], values[_DOB]
    if pid is None or len(pid) != 12 or not pid.isdigit() or name is None:
        raise StorageError(
            f"registry extract line {line}: personal_id must be 12 digits and full_name given",
            hint="fix or drop the row in the extract and load again",
        )
    try:
        born = date.fromisoformat(dob) if dob else None
    except ValueError as exc:
        raise StorageError(
            f"registry extract line {line}: date_of_birth is not YYYY-MM-DD",
            hint="fix the row in the extract and load again",
        ) from exc
    values[_DOB] = born
    key = _search_key(name)
    # The given name (tên) is the last syllable: retrieval still works when OCR damaged the
    # surname or middle name.
    return (*values, key, key.rsplit(" ", 1)[-1], born.year if born else None, line)


_PID, _NAME, _DOB = (
    REGISTRY_COLUMNS.index(c) for c in ("personal_id", "full_name", "date_of_birth")
)


def _clean(value: str | None) -> Any:
    """domain.text.clean, with a fast path for text that is already NFC and single-spaced."""
    if not value:
        return None
    # isprintable() is False for tabs, newlines and other spaces than " " (e.g. NBSP)
    simple = value.isprintable() and value == value.strip() and "  " not in value
    if simple and unicodedata.is_normalized("NFC", value):
        return value
    return clean(value) or None


@lru_cache(maxsize=1 << 20)
def _search_key(name: str) -> str:
    return search_key(name)


def link_candidates(conn: psycopg.Connection[Any], queries: pd.DataFrame) -> pd.DataFrame:
    """Candidate rows (`qid` + LINK_COLUMNS, all text) for a batch's blocking keys.

    `queries` is `validation.linking.link_queries(...)`. Call inside a transaction (the
    temporary table lives until its end).
    """
    columns = ["qid", *LINK_COLUMNS]
    if queries.empty:
        return pd.DataFrame(columns=columns)
    conn.execute(_QUERY_TABLE)
    names = list(queries.columns)
    copy_in = sql.SQL("COPY link_query ({}) FROM STDIN").format(
        sql.SQL(", ").join(sql.Identifier(c) for c in names)
    )
    with conn.cursor() as cur:
        with cur.copy(copy_in) as cp:
            for row in _plain_rows(queries):
                cp.write_row(row)
        cur.execute("ANALYZE link_query")
        buffer = io.BytesIO()
        with cur.copy(_LINK_SQL) as cp:
            for block in cp:
                buffer.write(block)
    buffer.seek(0)
    if buffer.getbuffer().nbytes == 0:
        return pd.DataFrame(columns=columns)
    frame = pd.read_csv(buffer, header=None, names=columns, dtype=str, keep_default_na=False)
    frame["qid"] = frame["qid"].astype(int)
    return frame


def _plain_rows(frame: pd.DataFrame) -> list[list[object]]:
    """Rows of Python values (no numpy scalars, None for blanks) for COPY."""
    columns = [[None if _blank(v) else _plain(v) for v in frame[c].tolist()] for c in frame]
    return [list(row) for row in zip(*columns, strict=True)]


def _plain(value: object) -> object:
    return int(value) if isinstance(value, float) and value.is_integer() else value


def _blank(value: object) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and value != value)


class RegistryStore:
    """Its own connection, for tools that link without a `Repository` (the bench)."""

    def __init__(self, dsn: str) -> None:
        with db_errors("open a connection"):
            self._conn = psycopg.connect(
                dsn, autocommit=True, connect_timeout=10, application_name="hocba-registry"
            )

    def __enter__(self) -> RegistryStore:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._conn.close()

    def load_csv(self, path: Path) -> int:
        with db_errors("load the registry extract"), self._conn.transaction():
            return load_registry_csv(self._conn, path)

    def link_candidates(self, queries: pd.DataFrame) -> pd.DataFrame:
        with db_errors("fetch registry candidates"), self._conn.transaction():
            return link_candidates(self._conn, queries)

    def place_names(self) -> list[str]:
        with db_errors("read the registry's place names"), self._conn.transaction():
            return place_names(self._conn)

    def clear(self) -> None:
        """Empty the registry (benchmarks on their own database only; needs the owner role)."""
        with db_errors("empty the registry"), self._conn.transaction():
            self._conn.execute("TRUNCATE hocba.registry_person, hocba.registry_place_name")
