"""Records and registry-extract rows as table rows, for `pipelines.repository` to execute.

No database access here: only the mapping of the contract onto the sql/ tables (parameter
tuples and composed upsert statements), kept apart so that each stays small and testable.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from psycopg import sql
from psycopg.types.json import Jsonb

from domain.errors import StorageError
from domain.record import REGISTRY_COLUMNS, TermTriple, TranscriptRecord, YearPage

CANDIDATE_COLUMNS = (*REGISTRY_COLUMNS, "name_key", "given_key", "birth_year")
STUDENT_COLUMNS = (
    "date_of_birth",
    "full_name",
    "gender",
    "place_of_birth",
    "ethnicity",
    "nationality",
    "residence",
    "father_name",
    "mother_name",
    "guardian_name",
)
YEAR_COLUMNS = (
    "booklet_id", "page", "school_year", "grade", "class_name", "school_name", "regulation",
    "avg_hk1", "avg_hk2", "avg_year", "conduct_hk1", "conduct_hk2", "conduct_year",
    "academic_hk1", "academic_hk2", "academic_year", "absences", "decision", "awards",
    "homeroom_comment", "competencies", "qualities", "source_sha256", "source_page",
)  # fmt: skip
SUBJECT_COLUMNS = (
    "booklet_id", "page", "subject", "score_hk1", "score_hk2", "score_year", "score_retest",
    "mark_hk1", "mark_hk2", "mark_year", "mark_retest", "level", "test_score", "comment",
)  # fmt: skip


# ---------------------------------------------------------------- registry extract


# Staging rows (registry_stage, filled by COPY) into the registry; the last row of a repeated
# personal_id wins and unchanged persons are not rewritten.
REGISTRY_UPSERT = """
INSERT INTO hocba.registry_person AS r
SELECT DISTINCT ON (personal_id) personal_id, full_name, gender, date_of_birth,
       birth_registration_place, father_name, mother_name, residence, name_key, given_key,
       birth_year
FROM registry_stage ORDER BY personal_id, line DESC
ON CONFLICT (personal_id) DO UPDATE SET
    full_name = EXCLUDED.full_name, gender = EXCLUDED.gender,
    date_of_birth = EXCLUDED.date_of_birth,
    birth_registration_place = EXCLUDED.birth_registration_place,
    father_name = EXCLUDED.father_name, mother_name = EXCLUDED.mother_name,
    residence = EXCLUDED.residence, name_key = EXCLUDED.name_key,
    given_key = EXCLUDED.given_key, birth_year = EXCLUDED.birth_year
WHERE (r.*) IS DISTINCT FROM (EXCLUDED.*)
"""


def check_registry_header(fieldnames: Sequence[str] | None) -> None:
    missing = sorted(set(REGISTRY_COLUMNS) - set(fieldnames or ()))
    if missing:
        raise StorageError(
            f"registry extract lacks columns: {', '.join(missing)}",
            hint="the extract must have the contract header (shared/contract/README.md)",
        )


# ---------------------------------------------------------------- sector database


def linked_personal_id(record: TranscriptRecord) -> str:
    link = record.identity_link
    if link.status != "linked" or not link.personal_id:
        raise StorageError(
            f"record {record.document_id!r} is not linked to a registry person",
            hint="resolve the identity in review before loading",
        )
    return link.personal_id


def student_values(record: TranscriptRecord) -> list[Any]:
    """STUDENT_COLUMNS values of the record's identity page."""
    s = record.student
    try:
        born = date.fromisoformat(s.date_of_birth) if s.date_of_birth else None
    except ValueError as exc:
        raise StorageError(
            f"record {record.document_id!r}: date_of_birth is not YYYY-MM-DD",
            hint="correct it in review",
        ) from exc
    return [born, *(getattr(s, c) for c in STUDENT_COLUMNS[1:])]


def student_upsert_sql() -> sql.Composed:
    """Upsert by personal_id: a later booklet fills gaps but never blanks a known value;
    an unchanged student is not rewritten (updated_at stays)."""
    ids = [sql.Identifier(c) for c in STUDENT_COLUMNS]
    merged = sql.SQL(", ").join(sql.SQL("COALESCE(EXCLUDED.{0}, s.{0})").format(i) for i in ids)
    return sql.SQL(
        "INSERT INTO hocba.student AS s (personal_id, {names}, updated_by)"
        " VALUES (%s, {params}, %s) ON CONFLICT (personal_id) DO UPDATE SET"
        " ({names}, updated_by, updated_at) = ({merged}, EXCLUDED.updated_by, now())"
        " WHERE ({current}) IS DISTINCT FROM ({merged})"
    ).format(
        names=sql.SQL(", ").join(ids),
        params=sql.SQL(", ").join(sql.Placeholder() * len(ids)),
        merged=merged,
        current=sql.SQL(", ").join(sql.SQL("s.{}").format(i) for i in ids),
    )


def upsert_sql(table: str, cols: Sequence[str], key: Sequence[str]) -> sql.Composed:
    """INSERT ... ON CONFLICT (key) DO UPDATE, skipping rows whose values did not change."""
    ident = [sql.Identifier(c) for c in cols if c not in key]
    return sql.SQL(
        "INSERT INTO {table} AS t ({cols}) VALUES ({params}) ON CONFLICT ({key}) DO UPDATE SET"
        " ({rest}) = ({excluded}) WHERE ({current}) IS DISTINCT FROM ({excluded})"
    ).format(
        table=sql.Identifier(*table.split(".")),
        cols=sql.SQL(", ").join(sql.Identifier(c) for c in cols),
        params=sql.SQL(", ").join(sql.Placeholder() * len(cols)),
        key=sql.SQL(", ").join(sql.Identifier(c) for c in key),
        rest=sql.SQL(", ").join(ident),
        excluded=sql.SQL(", ").join(sql.SQL("EXCLUDED.{}").format(i) for i in ident),
        current=sql.SQL(", ").join(sql.SQL("t.{}").format(i) for i in ident),
    )


def _num(value: object) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _terms(triple: TermTriple | None, conv: Any) -> list[Any]:
    if triple is None:
        return [None, None, None]
    return [conv(triple.hk1), conv(triple.hk2), conv(triple.year)]


def _rated(items: Sequence[Any] | None) -> Jsonb | None:
    return None if items is None else Jsonb([i.model_dump(mode="json") for i in items])


def year_row(booklet_id: int, source_sha256: str, y: YearPage) -> tuple[Any, ...]:
    """YEAR_COLUMNS values of one year page."""
    return (
        booklet_id, y.page, y.school_year, y.grade, y.class_name, y.school_name, y.regulation,
        *_terms(y.average_all, _num), *_terms(y.conduct, _text), *_terms(y.academic, _text),
        y.absences, y.decision, y.awards, y.homeroom_comment,
        _rated(y.competencies), _rated(y.qualities), source_sha256, y.page,
    )  # fmt: skip


def subject_rows(booklet_id: int, y: YearPage) -> list[tuple[Any, ...]]:
    """SUBJECT_COLUMNS values; THCS scores go to score_*, the marks Đ/CĐ to mark_*."""
    rows = []
    for s in y.subjects:
        terms = (s.hk1, s.hk2, s.year, s.retest)
        rows.append(
            (booklet_id, y.page, s.name, *map(_num, terms), *map(_text, terms), s.level,
             s.test_score, s.comment)
        )  # fmt: skip
    return rows


def result_rows(
    booklet_id: int, record: TranscriptRecord
) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """(year rows, subject rows) of a record; refuses repeated pages or subjects on a page."""
    years = sorted(record.years, key=lambda y: y.page)
    subjects = [row for y in years for row in subject_rows(booklet_id, y)]
    repeated_subject = len({(r[1], r[2]) for r in subjects}) != len(subjects)
    if repeated_subject or len({y.page for y in years}) != len(years):
        raise StorageError(
            f"record {record.document_id!r} repeats a page or a subject within a page",
            hint="fix the record in review: one row per subject per page",
        )
    return [year_row(booklet_id, record.source.sha256, y) for y in years], subjects
