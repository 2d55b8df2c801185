"""Accounts, log-in with lock-out, and sessions (SQL of the review app's own tables)."""

from __future__ import annotations

from typing import Any

from review.db import Conn, Pool, append_audit
from review.security import (
    LOCKOUT_MINUTES,
    MAX_FAILURES,
    ROLES,
    SESSION_HOURS,
    Account,
    ReviewError,
    check_password,
    dummy_check,
    hash_password,
    new_token,
    token_digest,
)

_ACCOUNT_COLS = "account_id, username, display_name, role, scope_level, province, district, school"
LEVELS = ("all", "province", "district", "school")


def _account(row: tuple[Any, ...]) -> Account:
    return Account(int(row[0]), *row[1:8])


def add_account(
    pool: Pool,
    username: str,
    display_name: str,
    role: str,
    password: str,
    *,
    province: str | None = None,
    district: str | None = None,
    school: str | None = None,
    actor: str = "cli",
) -> Account:
    """Create an account; its scope level is the narrowest of school, district, province."""
    if role not in ROLES:
        raise ReviewError(f"unknown role {role!r}", hint=f"use one of {', '.join(ROLES)}")
    level = "school" if school else "district" if district else "province" if province else "all"
    if (school and not district) or (district and not province):
        raise ReviewError("incomplete scope", hint="a school needs its district and province")
    if level == "all" and role not in ("admin", "auditor"):
        raise ReviewError("only admins and auditors may have no scope", hint="pass --province")
    with pool.tx() as conn:
        row = conn.execute(
            f"INSERT INTO hocba.review_account (username, display_name, role, scope_level,"
            f" province, district, school, password_hash) VALUES (%s,%s,%s,%s,%s,%s,%s,%s)"
            f" ON CONFLICT (username) DO NOTHING RETURNING {_ACCOUNT_COLS}",
            (username, display_name, role, level, province, district, school,
             hash_password(password)),
        ).fetchone()  # fmt: skip
        if row is None:
            raise ReviewError(f"account {username!r} exists", hint="pick another user name")
        append_audit(conn, actor, "account_add", detail={"username": username, "role": role})
    return _account(row)


def set_password(pool: Pool, username: str, password: str, actor: str = "cli") -> None:
    with pool.tx() as conn:
        cur = conn.execute(
            "UPDATE hocba.review_account SET password_hash = %s, failed_logins = 0,"
            " locked_until = NULL WHERE username = %s",
            (hash_password(password), username),
        )
        if cur.rowcount == 0:
            raise ReviewError(f"no account {username!r}", hint="list accounts: review user list")
        _end_sessions(conn, username)
        append_audit(conn, actor, "account_password", detail={"username": username})


def set_active(pool: Pool, username: str, active: bool, actor: str = "cli") -> None:
    """Disable (or re-enable) an account; disabling ends its sessions at once."""
    with pool.tx() as conn:
        cur = conn.execute(
            "UPDATE hocba.review_account SET active = %s WHERE username = %s", (active, username)
        )
        if cur.rowcount == 0:
            raise ReviewError(f"no account {username!r}", hint="list accounts: review user list")
        if not active:
            _end_sessions(conn, username)
        action = "account_enable" if active else "account_disable"
        append_audit(conn, actor, action, detail={"username": username})


def _end_sessions(conn: Conn, username: str) -> None:
    conn.execute(
        "UPDATE hocba.review_session s SET ended_at = now() FROM hocba.review_account a"
        " WHERE a.account_id = s.account_id AND a.username = %s AND s.ended_at IS NULL",
        (username,),
    )


def list_accounts(pool: Pool) -> list[Account]:
    with pool.tx() as conn:
        rows = conn.execute(
            f"SELECT {_ACCOUNT_COLS} FROM hocba.review_account ORDER BY username"
        ).fetchall()
    return [_account(r) for r in rows]


def login(pool: Pool, username: str, password: str) -> tuple[Account, str, str] | str:
    """(account, session token, csrf token), or the reason as a code: bad | locked."""
    with pool.tx() as conn:
        row = conn.execute(
            f"SELECT {_ACCOUNT_COLS}, password_hash, active, locked_until > now()"
            " FROM hocba.review_account WHERE username = %s FOR UPDATE",
            (username,),
        ).fetchone()
        if row is None or not row[9]:
            dummy_check(password)
            append_audit(conn, "anonymous", "login_failed", detail={"username": username[:64]})
            return "bad"
        account = _account(row)
        if row[10]:
            append_audit(conn, account.username, "login_refused_locked")
            return "locked"
        if not check_password(str(row[8]), password):
            return _failed(conn, account)
        conn.execute(
            "UPDATE hocba.review_account SET failed_logins = 0, locked_until = NULL"
            " WHERE account_id = %s",
            (account.account_id,),
        )
        token, csrf = new_token(), new_token()
        conn.execute(
            "INSERT INTO hocba.review_session (token_sha256, account_id, csrf_token, expires_at)"
            " VALUES (%s, %s, %s, now() + make_interval(hours => %s))",
            (token_digest(token), account.account_id, csrf, SESSION_HOURS),
        )
        append_audit(conn, account.username, "login")
    return account, token, csrf


def _failed(conn: Conn, account: Account) -> str:
    row = conn.execute(
        "UPDATE hocba.review_account SET locked_until = CASE WHEN failed_logins + 1 >= %s"
        "   THEN now() + make_interval(mins => %s) END,"
        " failed_logins = CASE WHEN failed_logins + 1 >= %s THEN 0 ELSE failed_logins + 1 END"
        " WHERE account_id = %s RETURNING locked_until IS NOT NULL",
        (MAX_FAILURES, LOCKOUT_MINUTES, MAX_FAILURES, account.account_id),
    ).fetchone()
    locked = bool(row and row[0])
    append_audit(conn, account.username, "login_locked" if locked else "login_failed")
    return "locked" if locked else "bad"


def session(pool: Pool, token: str) -> tuple[Account, str] | None:
    """The live session's account and CSRF token, or None."""
    with pool.tx() as conn:
        row = conn.execute(
            f"SELECT {', '.join('a.' + c.strip() for c in _ACCOUNT_COLS.split(','))},"
            " s.csrf_token FROM hocba.review_session s JOIN hocba.review_account a USING"
            " (account_id) WHERE s.token_sha256 = %s AND s.ended_at IS NULL"
            " AND s.expires_at > now() AND a.active",
            (token_digest(token),),
        ).fetchone()
    return None if row is None else (_account(row), str(row[8]))


def logout(pool: Pool, token: str, actor: str) -> None:
    with pool.tx() as conn:
        conn.execute(
            "UPDATE hocba.review_session SET ended_at = now() WHERE token_sha256 = %s",
            (token_digest(token),),
        )
        append_audit(conn, actor, "logout")
