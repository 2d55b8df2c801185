"""The audit log: append-only for the app's roles, and `hocba audit verify` finds tampering."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
import pytest

from review.audit import GENESIS, Entry, chain_hash, verify_chain
from review.cli import audit_main
from review.db import append_audit
from tests.conftest import PgCluster
from tests.review.conftest import ReviewEnv


@pytest.fixture()
def cli_env(pg_cluster: PgCluster, monkeypatch: pytest.MonkeyPatch) -> None:
    """`hocba audit verify` finds the test cluster through the usual settings."""
    monkeypatch.setenv("HOCBA_STATE_DIR", str(pg_cluster.settings.state_dir))
    monkeypatch.setenv("HOCBA_PG_PORT", str(pg_cluster.settings.pg_port))
    monkeypatch.delenv("HOCBA_DATABASE_URL", raising=False)


@contextmanager
def superuser(admin_dsn: str) -> Iterator[psycopg.Connection[Any]]:
    """A DBA session that bypasses the append-only trigger: the tampering being tested."""
    with psycopg.connect(admin_dsn, autocommit=True) as conn:
        conn.execute("SET session_replication_role = replica")
        yield conn


def _some_rows(env: ReviewEnv, n: int = 4) -> None:
    with env.pool.tx() as conn:
        for i in range(n):
            append_audit(conn, "tester", "view", f"hb-audit-{i}", before={"a": 7.5}, after=None)


def test_chain_hash_covers_every_field() -> None:
    import datetime as dt

    e = Entry(1, dt.datetime(2026, 1, 2, tzinfo=dt.UTC), "a", "edit", "d", {}, 7.5, 8.0)
    base = chain_hash(GENESIS, e)
    for changed in (
        Entry(2, e.at, "a", "edit", "d", {}, 7.5, 8.0),
        Entry(1, e.at, "b", "edit", "d", {}, 7.5, 8.0),
        Entry(1, e.at, "a", "edit", "d", {}, 7.5, 8.1),
        Entry(1, e.at + dt.timedelta(microseconds=1), "a", "edit", "d", {}, 7.5, 8.0),
    ):
        assert chain_hash(GENESIS, changed) != base
    assert verify_chain([(e, GENESIS, base)]).ok


@pytest.mark.parametrize("role", ["hocba_app", "hocba_review"])
def test_app_roles_cannot_change_or_delete_audit_rows(review_env: ReviewEnv, role: str) -> None:
    _some_rows(review_env, 1)
    with psycopg.connect(review_env.dsn, autocommit=True) as conn:
        conn.execute(f"SET ROLE {role}")
        for statement in (
            "UPDATE hocba.audit_log SET actor = 'x' WHERE seq = 1",
            "DELETE FROM hocba.audit_log WHERE seq = 1",
            "TRUNCATE hocba.audit_log",
        ):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(statement)


def test_verify_detects_altered_and_deleted_rows(
    review_env: ReviewEnv, cli_env: None, capsys: pytest.CaptureFixture[str]
) -> None:
    _some_rows(review_env)
    assert audit_main(["verify"]) == 0
    assert "audit log OK" in capsys.readouterr().out
    with superuser(review_env.admin_dsn) as conn:
        seq, before = conn.execute(
            "SELECT seq, before FROM hocba.audit_log WHERE before IS NOT NULL"
            " ORDER BY seq DESC LIMIT 1"
        ).fetchone()  # type: ignore[misc]
        conn.execute("UPDATE hocba.audit_log SET before = '{\"a\": 9.5}' WHERE seq = %s", (seq,))
        try:
            assert audit_main(["verify"]) == 1
            assert f"BROKEN at entry {seq}: entry {seq} was altered" in capsys.readouterr().out
        finally:
            conn.execute(
                "UPDATE hocba.audit_log SET before = %s WHERE seq = %s",
                (psycopg.types.json.Jsonb(before), seq),
            )
        assert audit_main(["verify"]) == 0
        row = conn.execute("SELECT * FROM hocba.audit_log WHERE seq = %s", (seq - 1,)).fetchone()
        conn.execute("DELETE FROM hocba.audit_log WHERE seq = %s", (seq - 1,))
        try:
            assert audit_main(["verify"]) == 1
            assert f"entry {seq - 1} is missing (deleted)" in capsys.readouterr().out
        finally:
            assert row is not None
            conn.execute(
                "INSERT INTO hocba.audit_log VALUES (%s,%s,%s,%s,%s,%s,%s,%s,%s,%s)",
                [psycopg.types.json.Jsonb(v) if isinstance(v, dict | list) else v for v in row],
            )
    assert audit_main(["verify"]) == 0


def test_verify_detects_a_cut_tail_against_a_recorded_head(
    review_env: ReviewEnv, cli_env: None, capsys: pytest.CaptureFixture[str]
) -> None:
    _some_rows(review_env, 2)
    audit_main(["verify"])
    head = capsys.readouterr().out.strip().rsplit("head ", 1)[1]
    _some_rows(review_env, 1)  # the log grows: the recorded head is still in the chain
    assert audit_main(["verify", "--expect-head", head]) == 0
    seq = int(head.split(":")[0])
    with superuser(review_env.admin_dsn) as conn:
        rows = conn.execute("SELECT * FROM hocba.audit_log WHERE seq >= %s", (seq,)).fetchall()
        conn.execute("DELETE FROM hocba.audit_log WHERE seq >= %s", (seq,))
        try:
            assert audit_main(["verify"]) == 0  # no gap: only the recorded head shows the cut
            assert audit_main(["verify", "--expect-head", head]) == 1
            assert f"entries from {seq} on were removed" in capsys.readouterr().out
        finally:
            for row in rows:
                conn.execute(
                    "INSERT INTO hocba.audit_log VALUES (%s,%s,%s,%s,%s,%s,%s,%s,%s,%s)",
                    [psycopg.types.json.Jsonb(v) if isinstance(v, dict | list) else v for v in row],
                )
    assert audit_main(["verify", "--expect-head", head]) == 0


def test_cli_adds_and_lists_accounts(
    review_env: ReviewEnv, cli_env: None, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    import io

    from review.cli import main

    monkeypatch.setattr("sys.stdin", io.StringIO("mot-mat-khau-dai-du\n"))
    args = ["user", "add", "cli.school", "--role", "steward", "--province", "P", "--district",
            "D", "--school", "Trường THCS A", "--password-stdin"]  # fmt: skip
    assert main(args) == 0
    assert "scope: Trường THCS A, D, P" in capsys.readouterr().out
    monkeypatch.setattr("sys.stdin", io.StringIO("mot-mat-khau-dai-du\n"))
    assert main(args) == 2  # exists
    assert "exists" in capsys.readouterr().err
    monkeypatch.setattr("sys.stdin", io.StringIO("ngan\n"))
    assert main(["user", "add", "cli.short", "--role", "auditor", "--password-stdin"]) == 2
    assert main(["user", "list"]) == 0
    assert "cli.school\tsteward\tschool" in capsys.readouterr().out
    assert main(["user", "disable", "cli.school"]) == 0
    assert main(["user", "disable", "nobody"]) == 2


def test_disabling_an_account_ends_its_sessions(server: str, review_env: ReviewEnv) -> None:
    from review import accounts
    from tests.review.conftest import PASSWORD, login

    accounts.add_account(review_env.pool, "gone.a", "Cán bộ", "steward", PASSWORD,
                         province="Tỉnh Thử", district="Huyện A")  # fmt: skip
    client = login(server, "gone.a")
    assert client.get("/queue").status_code == 200
    accounts.set_active(review_env.pool, "gone.a", False)
    assert client.get("/queue").status_code == 303  # back to the log-in page
