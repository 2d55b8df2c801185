"""One typed settings object built from the environment (architecture guide: strict config).

Development works with no variables at all: state under `<repo>/.state`, a project-local
PostgreSQL cluster and a folder object store. Production refuses to start without an external
database and with empty or placeholder secrets.
"""

from __future__ import annotations

import functools
import os
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any, Literal

from domain.errors import ConfigError

REPO_ROOT = Path(__file__).resolve().parent.parent
Environment = Literal["development", "production"]

# Values copied from templates and tutorials; never acceptable as a production secret.
_PLACEHOLDERS = frozenset(
    {
        "changeme",
        "change-me",
        "change_me",
        "changethis",
        "secret",
        "password",
        "passwd",
        "admin",
        "postgres",
        "test",
        "testing",
        "example",
        "placeholder",
        "todo",
        "xxx",
        "minioadmin",
        "hocba",
    }
)


@dataclass(frozen=True)
class Settings:
    env: Environment = "development"
    state_dir: Path = REPO_ROOT / ".state"
    pg_host: str = "127.0.0.1"
    pg_port: int = 54329
    pg_bin_dir: Path | None = None  # None: the highest /usr/lib/postgresql/<ver>/bin
    database_url: str | None = field(default=None, repr=False)  # external server (app role)
    admin_database_url: str | None = field(default=None, repr=False)  # for migrations
    s3_endpoint: str | None = None
    s3_bucket: str = "hocba"
    s3_region: str = "us-east-1"
    aws_access_key_id: str | None = field(default=None, repr=False)
    aws_secret_access_key: str | None = field(default=None, repr=False)
    pipeline_version: str = "0+unknown"
    # signing (issue 6): the dev PKCS#12 seal from the state folder unless configured
    signer_backend: str = "pkcs12"  # pkcs12 | pkcs11 | remote (signing.signers)
    sign_level: str = "B-B"  # B-B | B-T | B-LT; B-T when only a TSA URL is given
    tsa_url: str | None = None
    trust_roots: tuple[Path, ...] = ()  # () = the dev root from pki_dir
    signer_key_file: Path | None = None  # pkcs12 file; None = dev seal
    signer_secret_file: Path | None = field(default=None, repr=False)  # password / PIN / token
    signer_cert_file: Path | None = None  # pkcs11 / remote
    signer_chain_files: tuple[Path, ...] = ()
    pkcs11_module: Path = Path("/usr/lib/softhsm/libsofthsm2.so")
    pkcs11_token: str | None = None
    pkcs11_key_label: str | None = None
    remote_signer_url: str | None = None
    remote_signer_key_id: str | None = None
    individual_signers: tuple[tuple[str, Path], ...] = ()  # (field, p12; password in p12.password)
    verify_base_url: str = "https://hocba.local/xac-minh"

    @property
    def pg_dir(self) -> Path:
        return self.state_dir / "pg"

    @property
    def objects_dir(self) -> Path:
        return self.state_dir / "objects"

    @property
    def airflow_home(self) -> Path:
        return self.state_dir / "airflow"

    @property
    def pki_dir(self) -> Path:
        return self.state_dir / "pki"

    @property
    def secrets_dir(self) -> Path:
        return self.state_dir / "secrets"

    @property
    def runs_dir(self) -> Path:
        return self.state_dir / "runs"

    @property
    def uses_local_cluster(self) -> bool:
        return self.database_url is None

    def ensure_dirs(self) -> None:
        """Create the state tree; secrets stay private (0700), the rest traversable."""
        # 0711: other users (the postgres OS user) may traverse to state/pg but not list.
        self.state_dir.mkdir(parents=True, exist_ok=True)
        self.state_dir.chmod(0o711)
        for path in (self.objects_dir, self.airflow_home, self.pki_dir, self.runs_dir):
            path.mkdir(exist_ok=True)
        self.secrets_dir.mkdir(mode=0o700, exist_ok=True)
        self.secrets_dir.chmod(0o700)


def load_settings(env: Mapping[str, str] | None = None) -> Settings:
    """Build `Settings` from environment variables (HOCBA_*, AWS_*); raise ConfigError if unsafe."""
    env = os.environ if env is None else env
    settings = Settings(
        env=_environment(env.get("HOCBA_ENV", "development")),
        state_dir=Path(env.get("HOCBA_STATE_DIR") or REPO_ROOT / ".state").resolve(),
        pg_host=env.get("HOCBA_PG_HOST") or "127.0.0.1",
        pg_port=_port(env.get("HOCBA_PG_PORT") or "54329"),
        pg_bin_dir=Path(env["HOCBA_PG_BIN_DIR"]) if env.get("HOCBA_PG_BIN_DIR") else None,
        database_url=env.get("HOCBA_DATABASE_URL") or None,
        admin_database_url=env.get("HOCBA_ADMIN_DATABASE_URL") or None,
        s3_endpoint=env.get("HOCBA_S3_ENDPOINT") or None,
        s3_bucket=env.get("HOCBA_S3_BUCKET") or "hocba",
        s3_region=env.get("HOCBA_S3_REGION") or env.get("AWS_DEFAULT_REGION") or "us-east-1",
        aws_access_key_id=env.get("AWS_ACCESS_KEY_ID") or None,
        aws_secret_access_key=env.get("AWS_SECRET_ACCESS_KEY") or None,
        pipeline_version=env.get("HOCBA_PIPELINE_VERSION") or pipeline_version(),
        **_signing_settings(env),
    )
    if settings.env == "production":
        _check_production(settings)
    return settings


def _signing_settings(env: Mapping[str, str]) -> dict[str, Any]:
    """HOCBA_SIGNER, HOCBA_SIGN_LEVEL, HOCBA_TSA_URL, HOCBA_TRUST_ROOTS (os.pathsep list), ..."""
    tsa = env.get("HOCBA_TSA_URL") or None
    level = env.get("HOCBA_SIGN_LEVEL") or ("B-T" if tsa else "B-B")
    if level not in ("B-B", "B-T", "B-LT"):
        raise ConfigError(
            f"HOCBA_SIGN_LEVEL={level!r} is not a PAdES level", hint="use B-B, B-T or B-LT"
        )
    backend = env.get("HOCBA_SIGNER") or "pkcs12"
    if backend not in ("pkcs12", "pkcs11", "remote"):
        raise ConfigError(
            f"HOCBA_SIGNER={backend!r} is not a signer backend", hint="use pkcs12, pkcs11 or remote"
        )
    return {
        "signer_backend": backend,
        "sign_level": level,
        "tsa_url": tsa,
        "trust_roots": _paths(env.get("HOCBA_TRUST_ROOTS")),
        "signer_key_file": _path(env.get("HOCBA_SIGNER_KEY_FILE")),
        "signer_secret_file": _path(env.get("HOCBA_SIGNER_SECRET_FILE")),
        "signer_cert_file": _path(env.get("HOCBA_SIGNER_CERT_FILE")),
        "signer_chain_files": _paths(env.get("HOCBA_SIGNER_CHAIN_FILES")),
        "pkcs11_module": Path(env.get("HOCBA_PKCS11_MODULE") or "/usr/lib/softhsm/libsofthsm2.so"),
        "pkcs11_token": env.get("HOCBA_PKCS11_TOKEN") or None,
        "pkcs11_key_label": env.get("HOCBA_PKCS11_KEY_LABEL") or None,
        "remote_signer_url": env.get("HOCBA_REMOTE_SIGNER_URL") or None,
        "remote_signer_key_id": env.get("HOCBA_REMOTE_SIGNER_KEY_ID") or None,
        "individual_signers": _individuals(env.get("HOCBA_INDIVIDUAL_SIGNERS")),
        "verify_base_url": env.get("HOCBA_VERIFY_BASE_URL") or "https://hocba.local/xac-minh",
    }


def _path(value: str | None) -> Path | None:
    return Path(value) if value else None


def _paths(value: str | None) -> tuple[Path, ...]:
    return tuple(Path(p) for p in (value or "").split(os.pathsep) if p)


def _individuals(value: str | None) -> tuple[tuple[str, Path], ...]:
    """`FIELD=/path/a.p12,FIELD2=/path/b.p12` (each password in `<p12>.password`)."""
    pairs = []
    for item in (value or "").split(","):
        if not item.strip():
            continue
        name, sep, path = item.partition("=")
        if not sep or not name.strip() or not path.strip():
            raise ConfigError(
                f"HOCBA_INDIVIDUAL_SIGNERS entry {item!r} is not FIELD=/path/to.p12",
                hint="list the named signers as FIELD=/path/to.p12, separated by commas",
            )
        pairs.append((name.strip(), Path(path.strip())))
    return tuple(pairs)


def _environment(value: str) -> Environment:
    if value == "development":
        return "development"
    if value == "production":
        return "production"
    raise ConfigError(
        f"HOCBA_ENV={value!r} is not a known environment",
        hint="set HOCBA_ENV to 'development' or 'production'",
    )


def _port(value: str) -> int:
    if value.isdigit() and 1 <= int(value) <= 65535:
        return int(value)
    raise ConfigError(f"HOCBA_PG_PORT={value!r} is not a TCP port", hint="use a number 1-65535")


def is_placeholder(secret: str | None) -> bool:
    return not secret or not secret.strip() or secret.strip().lower() in _PLACEHOLDERS


def _check_production(settings: Settings) -> None:
    if settings.database_url is None:
        raise ConfigError(
            "production needs HOCBA_DATABASE_URL (no local cluster is started in production)",
            hint="point HOCBA_DATABASE_URL at the sector database with the application role",
        )
    for name, url in (
        ("HOCBA_DATABASE_URL", settings.database_url),
        ("HOCBA_ADMIN_DATABASE_URL", settings.admin_database_url),
    ):
        if url is not None and is_placeholder(_dsn_password(url)):
            raise ConfigError(
                f"{name} has an empty or placeholder password",
                hint="use a generated password from the secret store",
            )
    if settings.s3_endpoint is not None and (
        is_placeholder(settings.aws_access_key_id) or is_placeholder(settings.aws_secret_access_key)
    ):
        raise ConfigError(
            "HOCBA_S3_ENDPOINT is set but AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY are empty or "
            "placeholders",
            hint="provide the object store credentials from the secret store",
        )


def _dsn_password(dsn: str) -> str | None:
    from psycopg.conninfo import conninfo_to_dict

    try:
        value = conninfo_to_dict(dsn).get("password")
    except Exception as exc:  # psycopg.ProgrammingError; never echo the DSN (it holds a secret)
        raise ConfigError(
            "a database URL could not be parsed", hint="check HOCBA_*DATABASE_URL syntax"
        ) from exc
    # A password may also come from PGPASSFILE/PGPASSWORD; those are outside this check.
    return None if value is None else str(value)


@functools.cache
def pipeline_version() -> str:
    """Package version plus the short git commit (PEP 440 local part) for lineage."""
    try:
        version = metadata.version("hocba")
    except metadata.PackageNotFoundError:
        version = "0+unknown"
    commit = _git(["rev-parse", "--short=10", "HEAD"])
    if not commit:
        return version
    dirty = _git(["status", "--porcelain", "--untracked-files=no"])
    return f"{version}+g{commit}" + (".dirty" if dirty else "")


def _git(args: list[str]) -> str:
    try:
        done = subprocess.run(
            ["git", "-C", str(REPO_ROOT), *args],
            capture_output=True,
            text=True,
            timeout=5,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return ""
    return done.stdout.strip() if done.returncode == 0 else ""
