"""Shared fixtures: a throwaway PostgreSQL cluster and a real S3-protocol server (moto).

Both are session-scoped, listen on 127.0.0.1 on free ports and are torn down at the end.
Any test package can use `pg_cluster` / `pg_dsn` / `pg_admin_dsn` and `s3_endpoint`.
"""

from __future__ import annotations

import os
import shutil
import socket
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from pipelines import localpg
from pipelines.repository import apply_migrations, ensure_database
from pipelines.settings import Settings, load_settings

S3_TEST_ENV = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
}


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass(frozen=True)
class PgCluster:
    settings: Settings
    dsn: str  # application role
    admin_dsn: str  # superuser: for test setup and assertions only

    def migrated_database(self, name: str) -> str:
        """A database of its own on the cluster, every migration applied; its admin DSN."""
        ensure_database(localpg.admin_dsn(self.settings, "postgres"), name)
        admin = localpg.admin_dsn(self.settings, name)
        apply_migrations(admin)
        return admin

    def app_dsn(self, name: str) -> str:
        """The application role's DSN for the database `name`."""
        return self.dsn.rsplit("/", 1)[0] + "/" + name


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[PgCluster]:
    # Not pytest's tmp_path: its 0700 parents would stop the postgres OS user (when run as root).
    root = Path(tempfile.mkdtemp(prefix="hocba-test-pg-"))
    root.chmod(0o711)
    settings = load_settings(
        {"HOCBA_STATE_DIR": str(root / "state"), "HOCBA_PG_PORT": str(free_port())}
    )
    try:
        dsn = localpg.ensure_local_cluster(settings)
        yield PgCluster(settings, dsn, localpg.admin_dsn(settings))
    finally:
        localpg.stop_local_cluster(settings)
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="session")
def pg_dsn(pg_cluster: PgCluster) -> str:
    return pg_cluster.dsn


@pytest.fixture(scope="session")
def pg_admin_dsn(pg_cluster: PgCluster) -> str:
    return pg_cluster.admin_dsn


@pytest.fixture(scope="session")
def s3_endpoint() -> Iterator[str]:
    """URL of moto's S3 server; sets dummy AWS credentials in the environment meanwhile."""
    from moto.server import ThreadedMotoServer

    saved = {k: os.environ.get(k) for k in S3_TEST_ENV}
    os.environ.update(S3_TEST_ENV)
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stop()
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
