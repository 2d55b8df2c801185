"""The project-local cluster, migrations, privileges and settings."""

from __future__ import annotations

import shutil
import stat
import uuid
from pathlib import Path

import psycopg
import pytest

from domain.errors import ConfigError, StorageError
from pipelines import localpg
from pipelines.repository import SQL_DIR, Repository, apply_migrations, ensure_database
from pipelines.settings import Settings, load_settings
from tests.conftest import PgCluster

SHA = "ab" * 32


def _postmaster_pid(settings: Settings) -> str:
    return (settings.pg_dir / "data" / "postmaster.pid").read_text().splitlines()[0]


def _count_migrations(admin_dsn: str) -> int:
    with psycopg.connect(admin_dsn) as conn:
        row = conn.execute("SELECT count(*) FROM hocba.schema_migrations").fetchone()
    assert row is not None
    return int(row[0])


def test_second_ensure_is_a_no_op(pg_cluster: PgCluster) -> None:
    pid = _postmaster_pid(pg_cluster.settings)
    migrations = _count_migrations(pg_cluster.admin_dsn)
    assert migrations == len(list(SQL_DIR.glob("[0-9][0-9][0-9]_*.sql")))
    assert localpg.ensure_local_cluster(pg_cluster.settings) == pg_cluster.dsn
    assert _postmaster_pid(pg_cluster.settings) == pid  # not restarted
    assert apply_migrations(pg_cluster.admin_dsn) == []
    assert _count_migrations(pg_cluster.admin_dsn) == migrations


def test_listens_on_loopback_with_scram(pg_cluster: PgCluster) -> None:
    with psycopg.connect(pg_cluster.admin_dsn) as conn:
        settings = dict(
            conn.execute(
                "SELECT name, setting FROM pg_settings WHERE name IN"
                " ('listen_addresses', 'password_encryption')"
            ).fetchall()
        )
        rule_methods = conn.execute("SELECT DISTINCT auth_method FROM pg_hba_file_rules")
        methods = {r[0] for r in rule_methods.fetchall()}
    assert settings == {"listen_addresses": "127.0.0.1", "password_encryption": "scram-sha-256"}
    assert methods == {"scram-sha-256"}
    bad = pg_cluster.dsn.replace("hocba_app:", "hocba_app:wrong", 1)
    with pytest.raises(psycopg.OperationalError):
        psycopg.connect(bad, connect_timeout=5)


def test_secrets_are_private_and_not_logged(pg_cluster: PgCluster) -> None:
    secrets_dir = pg_cluster.settings.secrets_dir
    assert stat.S_IMODE(secrets_dir.stat().st_mode) == 0o700
    files = sorted(secrets_dir.iterdir())
    assert [f.name for f in files] == ["pg_hocba_admin.password", "pg_hocba_app.password"]
    log_text = (pg_cluster.settings.pg_dir / "postgres.log").read_text(errors="replace")
    for f in files:
        assert stat.S_IMODE(f.stat().st_mode) == 0o600
        assert len(f.read_text().strip()) >= 32
        assert f.read_text().strip() not in log_text
    assert not (pg_cluster.settings.pg_dir / ".initdb-pw").exists()


def _issue(pg_dsn: str) -> str:
    doc_id = f"D-{uuid.uuid4().hex[:10]}"
    with Repository(pg_dsn) as repo:
        repo.record_issued(doc_id, f"doc-{doc_id}", SHA, f"issued/{doc_id}.pdf", "School", "t")
    return doc_id


def test_app_role_cannot_delete_or_do_ddl(pg_dsn: str) -> None:
    doc_id = _issue(pg_dsn)
    with psycopg.connect(pg_dsn, autocommit=True) as conn:
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("DELETE FROM hocba.issued_document WHERE doc_id = %s", (doc_id,))
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("DELETE FROM hocba.booklet")
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("CREATE TABLE hocba.sneaky (x int)")
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("DROP TABLE hocba.batch")
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("INSERT INTO hocba.schema_migrations VALUES ('999_x.sql', %s)", (SHA,))


def test_issued_rows_only_change_by_revocation(pg_dsn: str, pg_admin_dsn: str) -> None:
    doc_id = _issue(pg_dsn)
    changes = [
        "UPDATE hocba.issued_document SET pdf_sha256 = repeat('c', 64) WHERE doc_id = %s",
        "UPDATE hocba.issued_document SET signer = 'Someone else' WHERE doc_id = %s",
        "UPDATE hocba.issued_document SET revoked_reason = 'x' WHERE doc_id = %s",
    ]
    refused = (psycopg.errors.InsufficientPrivilege, psycopg.errors.IntegrityConstraintViolation)
    with psycopg.connect(pg_dsn, autocommit=True) as conn:  # column grants first, then the trigger
        for change in changes:
            with pytest.raises(refused):
                conn.execute(change, (doc_id,))
    with psycopg.connect(pg_admin_dsn, autocommit=True) as admin:  # even the superuser
        with pytest.raises(psycopg.errors.IntegrityConstraintViolation):
            admin.execute("DELETE FROM hocba.issued_document WHERE doc_id = %s", (doc_id,))
        with pytest.raises(psycopg.errors.IntegrityConstraintViolation):
            admin.execute("TRUNCATE hocba.issued_document CASCADE")
    with Repository(pg_dsn) as repo:
        repo.revoke_issued(doc_id, "Sai điểm môn Toán năm lớp 7")
        assert repo.find_issued(f"doc-{doc_id}") is None
        with pytest.raises(StorageError):
            repo.revoke_issued(doc_id, "again")
    unrevoke = "UPDATE hocba.issued_document SET status = 'issued' WHERE doc_id = %s"
    with (
        psycopg.connect(pg_dsn, autocommit=True) as conn,
        pytest.raises(psycopg.errors.IntegrityConstraintViolation),
    ):
        conn.execute(unrevoke, (doc_id,))


def test_migrations_run_once_in_order_and_refuse_edits(
    pg_cluster: PgCluster, tmp_path: Path
) -> None:
    dbname = f"mig_{uuid.uuid4().hex[:8]}"
    ensure_database(localpg.admin_dsn(pg_cluster.settings, "postgres"), dbname)
    dsn = localpg.admin_dsn(pg_cluster.settings, dbname)
    sql_dir = tmp_path / "sql"
    shutil.copytree(SQL_DIR, sql_dir)
    extra = sql_dir / "900_extra.sql"
    extra.write_text("CREATE TABLE hocba.extra (id int); INSERT INTO hocba.extra VALUES (1);")
    first = apply_migrations(dsn, sql_dir)
    assert first == sorted(p.name for p in sql_dir.glob("*.sql")) and first[-1] == extra.name
    assert apply_migrations(dsn, sql_dir) == []
    with psycopg.connect(dsn) as conn:
        assert conn.execute("SELECT count(*) FROM hocba.extra").fetchone() == (1,)
    extra.write_text("CREATE TABLE hocba.extra2 (id int);")
    with pytest.raises(StorageError, match="changed after it was applied"):
        apply_migrations(dsn, sql_dir)


def test_missing_binaries_give_an_install_hint(tmp_path: Path) -> None:
    settings = load_settings({"HOCBA_STATE_DIR": str(tmp_path), "HOCBA_PG_BIN_DIR": "/nonexist"})
    with pytest.raises(StorageError) as err:
        localpg.ensure_local_cluster(settings)
    assert "scripts/setup.sh" in err.value.hint


def test_network_host_refused_for_local_cluster(tmp_path: Path) -> None:
    settings = load_settings({"HOCBA_STATE_DIR": str(tmp_path), "HOCBA_PG_HOST": "0.0.0.0"})
    with pytest.raises(ConfigError, match="loopback"):
        localpg.ensure_local_cluster(settings)


# ---------------------------------------------------------------- settings


def test_settings_defaults_and_derived_dirs(tmp_path: Path) -> None:
    s = load_settings({"HOCBA_STATE_DIR": str(tmp_path / "st")})
    assert (s.env, s.pg_port, s.pg_host, s.s3_endpoint) == ("development", 54329, "127.0.0.1", None)
    assert s.pg_dir == tmp_path / "st" / "pg" and s.runs_dir == tmp_path / "st" / "runs"
    assert s.uses_local_cluster
    assert s.pipeline_version.startswith("0.1.0")
    s.ensure_dirs()
    assert stat.S_IMODE(s.secrets_dir.stat().st_mode) == 0o700
    for d in (s.objects_dir, s.airflow_home, s.pki_dir, s.runs_dir):
        assert d.is_dir()
    default = load_settings({})
    assert default.state_dir == Path(localpg.__file__).resolve().parent.parent / ".state"


def test_settings_repr_hides_secrets() -> None:
    s = load_settings(
        {
            "HOCBA_DATABASE_URL": "postgresql://u:s3cr3t-value@db/hocba",
            "AWS_SECRET_ACCESS_KEY": "k9",
        }
    )
    assert "s3cr3t" not in repr(s) and "k9" not in repr(s)
    assert not s.uses_local_cluster


@pytest.mark.parametrize(
    ("env", "match"),
    [
        ({}, "HOCBA_DATABASE_URL"),
        ({"HOCBA_DATABASE_URL": "postgresql://app@db/hocba"}, "placeholder password"),
        ({"HOCBA_DATABASE_URL": "postgresql://app:changeme@db/hocba"}, "placeholder password"),
        (
            {
                "HOCBA_DATABASE_URL": "postgresql://app:Xq7-long-generated@db/hocba",
                "HOCBA_S3_ENDPOINT": "https://s3.example.vn",
                "AWS_ACCESS_KEY_ID": "minioadmin",
                "AWS_SECRET_ACCESS_KEY": "minioadmin",
            },
            "AWS_ACCESS_KEY_ID",
        ),
        ({"HOCBA_PG_PORT": "port"}, "TCP port"),
    ],
)
def test_production_refuses_unsafe_settings(env: dict[str, str], match: str) -> None:
    with pytest.raises(ConfigError, match=match):
        load_settings({"HOCBA_ENV": "production", **env})


def test_production_accepts_real_secrets() -> None:
    s = load_settings(
        {
            "HOCBA_ENV": "production",
            "HOCBA_DATABASE_URL": "postgresql://app:Xq7-long-generated@db.internal/hocba",
            "HOCBA_S3_ENDPOINT": "https://s3.example.vn",
            "AWS_ACCESS_KEY_ID": "AKIA-generated-1",
            "AWS_SECRET_ACCESS_KEY": "generated-secret-2",
        }
    )
    assert s.env == "production" and s.s3_endpoint == "https://s3.example.vn"


def test_unknown_environment_refused() -> None:
    with pytest.raises(ConfigError, match="HOCBA_ENV"):
        load_settings({"HOCBA_ENV": "staging"})


def test_external_database_url_starts_no_cluster(pg_cluster: PgCluster, tmp_path: Path) -> None:
    env = {
        "HOCBA_STATE_DIR": str(tmp_path / "st"),
        "HOCBA_DATABASE_URL": pg_cluster.dsn,
        "HOCBA_ADMIN_DATABASE_URL": pg_cluster.admin_dsn,
    }
    settings = load_settings(env)
    assert localpg.ensure_local_cluster(settings) == pg_cluster.dsn  # migrations: already applied
    assert not settings.pg_dir.exists()
    assert localpg.stop_local_cluster(settings) is False


def test_parallel_ensure_calls_agree(pg_cluster: PgCluster) -> None:
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(4) as pool:
        dsns = list(pool.map(lambda _: localpg.ensure_local_cluster(pg_cluster.settings), range(4)))
    assert dsns == [pg_cluster.dsn] * 4
