"""SQL of the work list, booklets, drafts, edits and decisions (the review app's storage).

Scope is part of every query: an item outside the account's province/district/school is not
found at all, which the web layer turns into 404.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from psycopg.rows import dict_row
from psycopg.types.json import Jsonb

from review.db import Conn
from review.security import Account

OPEN = "q.status IN ('pending', 'claimed')"
PAGE_SIZE = 50
_QUEUE_COLS = (
    "q.document_id, q.batch_id, q.status, q.reasons, q.is_audit, q.priority, q.school_name,"
    " q.school_year, q.created_at, q.claimed_by, q.province, q.district"
)


@dataclass(frozen=True)
class QueueFilter:
    batch: str = ""
    school: str = ""
    school_year: str = ""
    reason: str = ""
    min_age_days: int = 0
    after: str = ""  # keyset cursor: "<priority>|<created_at iso>|<document_id>"


def scope_sql(account: Account) -> tuple[str, list[Any]]:
    """WHERE fragment (over alias q) limiting rows to the account's scope."""
    if account.scope_level == "all":
        return "TRUE", []
    if account.scope_level == "province":
        return "q.province = %s", [account.province]
    if account.scope_level == "district":
        return "q.province = %s AND q.district = %s", [account.province, account.district]
    return (
        "q.province = %s AND q.district = %s AND q.school_name = %s",
        [account.province, account.district, account.school],
    )


def _filters(account: Account, f: QueueFilter, *, with_reason: bool) -> tuple[str, list[Any]]:
    where, params = scope_sql(account)
    parts = [OPEN, where]
    for column, value in (("batch_id", f.batch), ("school_name", f.school),
                          ("school_year", f.school_year)):  # fmt: skip
        if value:
            parts.append(f"q.{column} = %s")
            params.append(value)
    if with_reason and f.reason:
        parts.append("%s = ANY(q.reasons)")
        params.append(f.reason)
    if f.min_age_days > 0:
        parts.append("q.created_at <= now() - make_interval(days => %s)")
        params.append(f.min_age_days)
    return " AND ".join(parts), params


def queue_page(
    conn: Conn, account: Account, f: QueueFilter, limit: int = PAGE_SIZE
) -> list[dict[str, Any]]:
    """One page of open items, by priority (higher first) then age, with keyset paging."""
    where, params = _filters(account, f, with_reason=True)
    if f.after:
        priority, created, doc = f.after.split("|", 2)
        where += (
            " AND (q.priority < %s OR (q.priority = %s AND (q.created_at, q.document_id)"
            " > (%s::timestamptz, %s)))"
        )
        params += [int(priority), int(priority), created, doc]
    sql = (
        f"SELECT {_QUEUE_COLS} FROM hocba.review_queue q WHERE {where}"
        " ORDER BY q.priority DESC, q.created_at, q.document_id LIMIT %s"
    )
    with conn.cursor(row_factory=dict_row) as cur:
        return cur.execute(sql, [*params, limit]).fetchall()


def cursor_of(row: dict[str, Any]) -> str:
    return f"{row['priority']}|{row['created_at'].isoformat()}|{row['document_id']}"


def reason_counts(conn: Conn, account: Account, f: QueueFilter) -> tuple[int, dict[str, int]]:
    """(open items, items per reason) under the filters other than the reason itself."""
    where, params = _filters(account, f, with_reason=False)
    total = conn.execute(
        f"SELECT count(*) FROM hocba.review_queue q WHERE {where}", params
    ).fetchone()
    rows = conn.execute(
        f"SELECT r, count(*) FROM hocba.review_queue q, unnest(q.reasons) AS r WHERE {where}"
        " GROUP BY r ORDER BY 2 DESC, 1",
        params,
    ).fetchall()
    return int(total[0] if total else 0), {str(r): int(n) for r, n in rows}


def item(conn: Conn, account: Account, document_id: str) -> dict[str, Any] | None:
    """The queue item with its records (draft, as extracted) and readings, if in scope."""
    where, params = scope_sql(account)
    with conn.cursor(row_factory=dict_row) as cur:
        return cur.execute(
            f"SELECT {_QUEUE_COLS}, q.decided_by, e.record AS extracted, e.readings,"
            " d.record AS draft FROM hocba.review_queue q"
            " JOIN hocba.extraction e USING (document_id)"
            " LEFT JOIN hocba.review_draft d USING (document_id)"
            f" WHERE q.document_id = %s AND {where}",
            [document_id, *params],
        ).fetchone()


def claim(conn: Conn, account: Account, document_id: str) -> bool:
    """Claim a pending item; True when this call claimed it."""
    cur = conn.execute(
        "UPDATE hocba.review_queue SET status = 'claimed', claimed_by = %s, claimed_at = now()"
        " WHERE document_id = %s AND status = 'pending'",
        (account.username, document_id),
    )
    return cur.rowcount == 1


def release(conn: Conn, document_id: str) -> None:
    conn.execute(
        "UPDATE hocba.review_queue SET status = 'pending', claimed_by = NULL, claimed_at = NULL"
        " WHERE document_id = %s AND status = 'claimed'",
        (document_id,),
    )


def save_draft(conn: Conn, account: Account, document_id: str, record: dict[str, Any]) -> None:
    conn.execute(
        "INSERT INTO hocba.review_draft (document_id, record, updated_by) VALUES (%s, %s, %s)"
        " ON CONFLICT (document_id) DO UPDATE SET record = EXCLUDED.record,"
        " updated_by = EXCLUDED.updated_by, updated_at = now()",
        (document_id, Jsonb(record), account.account_id),
    )


def add_edit(
    conn: Conn, account: Account, document_id: str, field: str, before: Any, after: Any,
    *, sensitive: bool,
) -> None:  # fmt: skip
    conn.execute(
        "INSERT INTO hocba.review_edit (document_id, account_id, field, before, after, sensitive)"
        " VALUES (%s, %s, %s, %s, %s, %s)",
        (document_id, account.account_id, field, Jsonb(before), Jsonb(after), sensitive),
    )


def edits(conn: Conn, document_id: str) -> list[dict[str, Any]]:
    with conn.cursor(row_factory=dict_row) as cur:
        return cur.execute(
            "SELECT e.edit_id, e.field, e.before, e.after, e.sensitive, e.at, a.username"
            " FROM hocba.review_edit e JOIN hocba.review_account a USING (account_id)"
            " WHERE e.document_id = %s ORDER BY e.edit_id",
            (document_id,),
        ).fetchall()


def registry_rows(conn: Conn, personal_ids: list[str]) -> list[dict[str, Any]]:
    with conn.cursor(row_factory=dict_row) as cur:
        return cur.execute(
            "SELECT personal_id, full_name, gender, to_char(date_of_birth, 'YYYY-MM-DD')"
            " AS date_of_birth, birth_registration_place, father_name, mother_name, residence"
            " FROM hocba.registry_person WHERE personal_id = ANY(%s) ORDER BY personal_id",
            (personal_ids,),
        ).fetchall()


# ---------------------------------------------------------------- decisions


def add_decision(
    conn: Conn, account: Account, document_id: str, action: str, reason: str | None,
    *, awaiting: bool, edit_count: int, is_audit: bool,
) -> int:  # fmt: skip
    row = conn.execute(
        "INSERT INTO hocba.review_decision (document_id, action, reason, requested_by, status,"
        " edits, is_audit) VALUES (%s,%s,%s,%s,%s,%s,%s) RETURNING decision_id",
        (document_id, action, reason, account.account_id, "awaiting" if awaiting else "final",
         edit_count, is_audit),
    ).fetchone()  # fmt: skip
    assert row is not None
    if not awaiting:
        finish(conn, document_id, action, account.username)
    return int(row[0])


def finish(conn: Conn, document_id: str, action: str, by: str) -> None:
    status = "approved" if action == "approve" else "rejected"
    conn.execute(
        "UPDATE hocba.review_queue SET status = %s, decided_by = %s, decided_at = now()"
        " WHERE document_id = %s",
        (status, by, document_id),
    )
    if action == "reject":
        conn.execute(
            "UPDATE hocba.extraction SET review_status = 'rejected', updated_at = now()"
            " WHERE document_id = %s",
            (document_id,),
        )


def awaiting(conn: Conn, account: Account, document_id: str | None = None) -> list[dict[str, Any]]:
    """Decisions waiting for a second person, within scope (optionally of one booklet)."""
    where, params = scope_sql(account)
    if document_id:
        where += " AND d.document_id = %s"
        params = [*params, document_id]
    with conn.cursor(row_factory=dict_row) as cur:
        return cur.execute(
            "SELECT d.decision_id, d.document_id, d.action, d.reason, d.requested_at,"
            " a.username AS requested_by, d.requested_by AS requester_id, q.school_name"
            " FROM hocba.review_decision d JOIN hocba.review_account a"
            " ON a.account_id = d.requested_by JOIN hocba.review_queue q USING (document_id)"
            f" WHERE d.status = 'awaiting' AND {where} ORDER BY d.requested_at",
            params,
        ).fetchall()


def close_decision(conn: Conn, account: Account, decision_id: int, accept: bool) -> str | None:
    """Confirm or refuse an awaiting decision by another person; returns its document id."""
    row = conn.execute(
        "UPDATE hocba.review_decision SET status = %s, confirmed_by = %s, confirmed_at = now()"
        " WHERE decision_id = %s AND status = 'awaiting' AND requested_by <> %s"
        " RETURNING document_id, action",
        ("confirmed" if accept else "refused", account.account_id, decision_id,
         account.account_id),
    ).fetchone()  # fmt: skip
    if row is None:
        return None
    if accept:
        finish(conn, str(row[0]), str(row[1]), account.username)
    return str(row[0])


def audit_sample_results(conn: Conn, account: Account) -> dict[str, int]:
    """Audit-sample booklets decided, and how many needed a correction (auto-approval errors)."""
    where, params = scope_sql(account)
    row = conn.execute(
        "SELECT count(*), count(*) FILTER (WHERE d.edits > 0 OR d.action = 'reject')"
        " FROM hocba.review_decision d JOIN hocba.review_queue q USING (document_id)"
        f" WHERE d.is_audit AND d.status IN ('final', 'confirmed') AND {where}",
        params,
    ).fetchone()
    return {"decided": int(row[0]) if row else 0, "corrected": int(row[1]) if row else 0}
