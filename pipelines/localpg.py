"""A project-local PostgreSQL cluster under state/pg, for development, tests and the demo.

Idempotent: `ensure_local_cluster` initialises the cluster once, starts it when it is not
running, creates the database and roles and applies migrations, then returns the application
DSN. It listens on loopback only, with scram-sha-256 everywhere. PostgreSQL refuses to run as
root, so under root every server command runs as the `postgres` OS user via runuser.
Passwords are generated on first run into state/secrets (0600) and never logged.
"""

from __future__ import annotations

import fcntl
import ipaddress
import logging
import os
import pwd
import re
import secrets
import shlex
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

from domain.errors import ConfigError, StorageError
from pipelines.repository import apply_migrations, connect, ensure_database, set_login_password
from pipelines.settings import Settings

__all__ = [
    "admin_dsn",
    "app_dsn",
    "apply_migrations",
    "ensure_local_cluster",
    "find_pg_bin_dir",
    "is_running",
    "stop_local_cluster",
]

log = logging.getLogger(__name__)

DATABASE = "hocba"
ADMIN_ROLE = "hocba_admin"
APP_ROLE = "hocba_app"
PG_OS_USER = "postgres"
_INSTALL_HINT = (
    "run `bash scripts/setup.sh` once to install PostgreSQL (apt-get install postgresql)"
)
_HBA = (
    "# written by hocba: password (scram-sha-256) logins only, loopback only\n"
    "local all all scram-sha-256\n"
    "host all all 127.0.0.1/32 scram-sha-256\n"
    "host all all ::1/128 scram-sha-256\n"
)


def find_pg_bin_dir(settings: Settings) -> Path:
    """The configured bin dir, else the highest /usr/lib/postgresql/<version>/bin."""
    if settings.pg_bin_dir is not None:
        candidates = [settings.pg_bin_dir]
    else:
        found = Path("/usr/lib/postgresql").glob("*/bin")
        candidates = sorted(found, key=_version_of, reverse=True)
    for bin_dir in candidates:
        if (bin_dir / "initdb").is_file() and (bin_dir / "pg_ctl").is_file():
            return bin_dir
    raise StorageError("PostgreSQL server binaries (initdb, pg_ctl) not found", hint=_INSTALL_HINT)


def _version_of(bin_dir: Path) -> tuple[int, ...]:
    return tuple(int(p) for p in re.findall(r"\d+", bin_dir.parent.name)) or (0,)


def _data_dir(settings: Settings) -> Path:
    return settings.pg_dir / "data"


def _socket_dir(settings: Settings) -> Path:
    return settings.pg_dir / "run"


def _log_file(settings: Settings) -> Path:
    return settings.pg_dir / "postgres.log"


# ---------------------------------------------------------------- secrets and DSNs


def _password(settings: Settings, role: str) -> str:
    """Read the role's password from state/secrets, generating it (0600) on first use."""
    settings.ensure_dirs()
    path = settings.secrets_dir / f"pg_{role}.password"
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_urlsafe(32))
    return path.read_text().strip()


def _dsn(settings: Settings, role: str, dbname: str) -> str:
    password = quote(_password(settings, role), safe="")
    return f"postgresql://{role}:{password}@{settings.pg_host}:{settings.pg_port}/{dbname}"


def admin_dsn(settings: Settings, dbname: str = DATABASE) -> str:
    """Superuser DSN of the local cluster (migrations, tests); contains a secret: never log."""
    return _dsn(settings, ADMIN_ROLE, dbname)


def app_dsn(settings: Settings) -> str:
    """Application-role DSN of the local cluster; contains a secret: never log."""
    return _dsn(settings, APP_ROLE, DATABASE)


# ---------------------------------------------------------------- running server commands


def _as_server_user(cmd: list[str]) -> list[str]:
    return ["runuser", "-u", PG_OS_USER, "--", *cmd] if os.geteuid() == 0 else cmd


def _run(cmd: list[str], what: str, timeout: float) -> subprocess.CompletedProcess[str]:
    try:
        done = subprocess.run(
            _as_server_user(cmd), capture_output=True, text=True, timeout=timeout, check=False
        )
    except FileNotFoundError as exc:
        raise StorageError(f"cannot {what}: {exc.filename} not found", hint=_INSTALL_HINT) from exc
    except subprocess.TimeoutExpired as exc:
        raise StorageError(
            f"timed out after {timeout:.0f} s trying to {what}",
            hint="see state/pg/postgres.log; the machine may be overloaded",
        ) from exc
    return done


def _check(done: subprocess.CompletedProcess[str], what: str) -> None:
    if done.returncode != 0:
        tail = (done.stderr or done.stdout).strip().splitlines()[-3:]
        raise StorageError(
            f"cannot {what} (exit {done.returncode}): {' | '.join(tail)}",
            hint="see state/pg/postgres.log",
        )


def _prepare_dirs(settings: Settings) -> None:
    """Create state/pg owned by the server user (0700), checking every parent is traversable."""
    settings.ensure_dirs()
    pg_dir = settings.pg_dir
    pg_dir.mkdir(mode=0o700, exist_ok=True)
    _socket_dir(settings).mkdir(mode=0o700, exist_ok=True)
    if os.geteuid() != 0:
        return
    user = _server_user()
    for path in (pg_dir, _socket_dir(settings)):
        os.chown(path, user.pw_uid, user.pw_gid)
    for parent in pg_dir.resolve().parents:
        if not os.stat(parent).st_mode & 0o001:
            raise StorageError(
                f"{parent} is not traversable by the {PG_OS_USER} user",
                hint=f"chmod o+x {parent}, or set HOCBA_STATE_DIR to a folder outside it",
            )


def _server_user() -> pwd.struct_passwd:
    try:
        return pwd.getpwnam(PG_OS_USER)
    except KeyError as exc:
        raise StorageError(f"OS user {PG_OS_USER!r} missing", hint=_INSTALL_HINT) from exc


def _initdb(settings: Settings, bin_dir: Path) -> None:
    """Create the cluster with the admin role's password; the password file lives only
    inside state/pg (owned by the server user) and is removed right after."""
    pwfile = settings.pg_dir / ".initdb-pw"
    fd = os.open(pwfile, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(_password(settings, ADMIN_ROLE) + "\n")
    if os.geteuid() == 0:
        user = _server_user()
        os.chown(pwfile, user.pw_uid, user.pw_gid)
    try:
        cmd = [str(bin_dir / "initdb"), "-D", str(_data_dir(settings)), "-U", ADMIN_ROLE]
        cmd += ["--pwfile", str(pwfile), "--auth=scram-sha-256", "--encoding=UTF8"]
        cmd += ["--locale=C.UTF-8", "--no-instructions"]
        _check(_run(cmd, "initialise the PostgreSQL cluster", timeout=120), "run initdb")
    finally:
        pwfile.unlink(missing_ok=True)
    (_data_dir(settings) / "pg_hba.conf").write_text(_HBA)


def is_running(settings: Settings) -> bool:
    if not (_data_dir(settings) / "PG_VERSION").exists():
        return False
    cmd = [str(find_pg_bin_dir(settings) / "pg_ctl"), "status", "-D", str(_data_dir(settings))]
    return _run(cmd, "check the PostgreSQL server", timeout=30).returncode == 0


def _start(settings: Settings, bin_dir: Path) -> None:
    options = " ".join(
        shlex.quote(o)
        for o in (
            "-c", f"listen_addresses={settings.pg_host}",
            "-p", str(settings.pg_port),
            "-c", f"unix_socket_directories={_socket_dir(settings)}",
            "-c", "password_encryption=scram-sha-256",
        )
    )  # fmt: skip
    cmd = [str(bin_dir / "pg_ctl"), "start", "-D", str(_data_dir(settings)), "-w", "-t", "60"]
    cmd += ["-l", str(_log_file(settings)), "-o", options]
    _check(
        _run(cmd, "start PostgreSQL", timeout=90), f"start PostgreSQL on port {settings.pg_port}"
    )


def _wait_ready(settings: Settings, timeout: float = 30.0) -> None:
    """pg_ctl -w waits for the socket; wait until a password login over TCP works too."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            connect(admin_dsn(settings, "postgres")).close()
            return
        except StorageError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


@contextmanager
def _cluster_lock(settings: Settings) -> Iterator[None]:
    """Serialize initdb/start between processes (parallel Airflow tasks, test workers)."""
    settings.ensure_dirs()
    with open(settings.state_dir / "pg.lock", "a") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


# ---------------------------------------------------------------- public entry points


def ensure_local_cluster(settings: Settings) -> str:
    """Make the database ready and return the application DSN (contains a secret).

    With HOCBA_DATABASE_URL set, no local cluster is started: migrations run when
    HOCBA_ADMIN_DATABASE_URL is given, and the external URL is returned.
    """
    if settings.database_url is not None:
        if settings.admin_database_url is not None:
            apply_migrations(settings.admin_database_url)
        return settings.database_url
    if not ipaddress.ip_address(settings.pg_host).is_loopback:
        raise ConfigError(
            f"HOCBA_PG_HOST={settings.pg_host} is not a loopback address",
            hint="the local cluster listens on 127.0.0.1 or ::1 only; use HOCBA_DATABASE_URL "
            "for a server on the network",
        )
    bin_dir = find_pg_bin_dir(settings)
    with _cluster_lock(settings):
        _prepare_dirs(settings)
        if not (_data_dir(settings) / "PG_VERSION").exists():
            log.info("initialising PostgreSQL cluster in %s", _data_dir(settings))
            _initdb(settings, bin_dir)
        if not is_running(settings):
            log.info("starting PostgreSQL on %s:%d", settings.pg_host, settings.pg_port)
            _start(settings, bin_dir)
        _wait_ready(settings)
    ensure_database(admin_dsn(settings, "postgres"), DATABASE)
    applied = apply_migrations(admin_dsn(settings))
    if applied:
        log.info("applied migrations: %s", ", ".join(applied))
    _ensure_app_login(settings)
    return app_dsn(settings)


def _ensure_app_login(settings: Settings) -> None:
    """Set the application role's password only when its login does not work yet."""
    try:
        connect(app_dsn(settings)).close()
    except StorageError:
        set_login_password(admin_dsn(settings), APP_ROLE, _password(settings, APP_ROLE))


def stop_local_cluster(settings: Settings) -> bool:
    """Stop the local server if it runs; True when it was stopped."""
    if settings.database_url is not None or not is_running(settings):
        return False
    cmd = [str(find_pg_bin_dir(settings) / "pg_ctl"), "stop", "-D", str(_data_dir(settings))]
    cmd += ["-m", "fast", "-w", "-t", "60"]
    _check(_run(cmd, "stop PostgreSQL", timeout=90), "stop PostgreSQL")
    return True
