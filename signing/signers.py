"""Signer backends behind one interface: `open_signer(config)` yields a pyHanko `Signer`.

- `pkcs12`: a key file (development, the dev seal from `signing.pki`);
- `pkcs11`: a token (the USB-token case; Ban Cơ yếu tokens speak PKCS#11; tested with SoftHSM2);
- `remote`: a remote signing service over HTTP. The key never leaves the service; we send the
  digest of the CMS signed attributes and get the raw signature back:
  `POST {url}/v1/sign` with `Authorization: Bearer <token>` and JSON
  `{"key_id", "hash_algorithm", "signature_algorithm", "hash_b64"}` ->
  `{"signature_b64"}`. The signer certificate and chain are configured locally (PEM files).
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from domain.errors import ConfigError, SigningError

Backend = Literal["pkcs12", "pkcs11", "remote"]
BACKENDS: tuple[Backend, ...] = ("pkcs12", "pkcs11", "remote")


class RemoteSignerError(SigningError):
    """The remote signing service refused or failed a signature."""

    code = "REMOTE_SIGNER_ERROR"


@dataclass(frozen=True)
class SignerConfig:
    backend: Backend = "pkcs12"
    key_file: Path | None = None  # pkcs12: the .p12 file
    secret_file: Path | None = None  # pkcs12 password, PKCS#11 user PIN or remote bearer token
    cert_file: Path | None = None  # pkcs11/remote: the signer certificate (PEM/DER)
    chain_files: tuple[Path, ...] = ()  # pkcs11/remote: intermediates (and root) to embed
    pkcs11_module: Path = Path("/usr/lib/softhsm/libsofthsm2.so")
    pkcs11_token: str | None = None  # token label
    key_label: str | None = None  # pkcs11 key label
    remote_url: str | None = None
    remote_key_id: str | None = None
    timeout: float = 10.0


@contextmanager
def open_signer(config: SignerConfig) -> Iterator[Any]:
    """A ready pyHanko Signer for the configured backend; closes token sessions afterwards."""
    if config.backend == "pkcs12":
        yield pkcs12_signer(_need(config.key_file, "key_file"), _need(config.secret_file, "pin"))
    elif config.backend == "pkcs11":
        with _pkcs11_signer(config) as signer:
            yield signer
    elif config.backend == "remote":
        yield _remote_signer(config)
    else:
        raise ConfigError(
            f"unknown signer backend {config.backend!r}",
            hint=f"set HOCBA_SIGNER to one of {', '.join(BACKENDS)}",
        )


def _need(value: Path | None, what: str) -> Path:
    if value is None:
        raise ConfigError(f"signer setting {what} is missing", hint="see pipelines/settings.py")
    return value


def _read_secret(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8").strip()
    except OSError as exc:
        raise ConfigError(
            f"cannot read the signer secret file {path.name}",
            hint="check the secret file path and that it is readable by this user",
        ) from exc


# --- PKCS#12 ----------------------------------------------------------------------------------


def pkcs12_signer(p12: Path, password_file: Path) -> Any:
    try:
        stamp = (p12.stat().st_mtime_ns, password_file.stat().st_mtime_ns)
    except OSError as exc:
        raise ConfigError(
            f"Seal key material not found: {exc.filename}",
            hint="run ensure_dev_pki for development or configure the production signer",
        ) from exc
    return _cached_pkcs12(p12, password_file, stamp)


@lru_cache(maxsize=8)
def _cached_pkcs12(p12: Path, password_file: Path, _stamp: tuple[int, int]) -> Any:
    """Parsing PKCS#12 costs more than a signature; reload only when the files change."""
    from pyhanko.sign.signers import SimpleSigner

    password = password_file.read_bytes().strip()
    try:
        return SimpleSigner.load_pkcs12_data(p12.read_bytes(), (), passphrase=password)
    except ValueError as exc:
        raise ConfigError(
            f"Cannot open the seal key store {p12.name}",
            hint="the password file does not match the PKCS#12 file; regenerate the dev PKI",
        ) from exc


# --- PKCS#11 ----------------------------------------------------------------------------------


@contextmanager
def _pkcs11_signer(config: SignerConfig) -> Iterator[Any]:
    from pyhanko.config.pkcs11 import TokenCriteria
    from pyhanko.sign.pkcs11 import PKCS11Signer, open_pkcs11_session

    pin = _read_secret(_need(config.secret_file, "pin"))
    try:
        session = open_pkcs11_session(
            str(config.pkcs11_module),
            token_criteria=TokenCriteria(label=config.pkcs11_token),
            user_pin=pin,
        )
    except Exception as exc:  # PKCS11Error, library load errors: all mean "no usable token"
        raise SigningError(
            f"cannot open the PKCS#11 token {config.pkcs11_token!r}: {type(exc).__name__}",
            hint="plug in the token, check HOCBA_PKCS11_MODULE, the token label and the PIN",
        ) from exc
    try:
        yield PKCS11Signer(
            session,
            key_label=config.key_label,
            signing_cert=_load_cert(_need(config.cert_file, "cert_file")),
            ca_chain=[_load_cert(p) for p in config.chain_files],
            # hash here, sign the digest on the token: SoftHSM2 and many USB tokens only
            # offer the raw CKM_ECDSA / CKM_RSA_PKCS mechanisms
            use_raw_mechanism=True,
        )
    finally:
        session.close()


# --- remote signing service -------------------------------------------------------------------


def _remote_signer(config: SignerConfig) -> Any:
    url = config.remote_url
    if not url or not config.remote_key_id:
        raise ConfigError(
            "remote signer needs a service URL and a key id",
            hint="set HOCBA_REMOTE_SIGNER_URL and HOCBA_REMOTE_SIGNER_KEY_ID",
        )
    return make_remote_signer(
        url,
        config.remote_key_id,
        _read_secret(_need(config.secret_file, "token")),
        _load_cert(_need(config.cert_file, "cert_file")),
        [_load_cert(p) for p in config.chain_files],
        config.timeout,
    )


def make_remote_signer(
    url: str, key_id: str, token: str, cert: Any, chain: Sequence[Any], timeout: float = 10.0
) -> Any:
    """A pyHanko Signer whose raw signatures come from the remote service at `url`."""
    from pyhanko.sign.signers import Signer
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    class RemoteSigner(Signer):
        async def async_sign_raw(
            self, data: bytes, digest_algorithm: str, dry_run: bool = False
        ) -> bytes:
            if dry_run:  # only the size matters: the largest DER ECDSA / RSA-4096 signature
                return bytes(512)
            mechanism = self.get_signature_mechanism_for_digest(digest_algorithm)
            digest = hashlib.new(digest_algorithm, data).digest()
            return await _remote_sign(
                url, token, timeout, key_id, digest_algorithm, mechanism["algorithm"].native, digest
            )

    return RemoteSigner(
        signing_cert=cert, cert_registry=SimpleCertificateStore.from_certs([cert, *chain])
    )


async def _remote_sign(
    url: str, token: str, timeout: float, key_id: str, hash_alg: str, sig_alg: str, digest: bytes
) -> bytes:
    import httpx

    body = {
        "key_id": key_id,
        "hash_algorithm": hash_alg,
        "signature_algorithm": sig_alg,
        "hash_b64": base64.b64encode(digest).decode("ascii"),
    }
    try:
        async with httpx.AsyncClient(timeout=timeout) as client:
            response = await client.post(
                f"{url.rstrip('/')}/v1/sign",
                json=body,
                headers={"Authorization": f"Bearer {token}"},
            )
    except httpx.HTTPError as exc:
        raise RemoteSignerError(
            f"remote signing service unreachable: {type(exc).__name__}",
            hint="check HOCBA_REMOTE_SIGNER_URL and the network; the document was not signed",
        ) from exc
    if response.status_code != 200:
        raise RemoteSignerError(
            f"remote signing service answered HTTP {response.status_code}",
            hint="401/403: check the token file; 404: check the key id",
        )
    try:
        return base64.b64decode(response.json()["signature_b64"], validate=True)
    except (ValueError, KeyError, TypeError) as exc:
        raise RemoteSignerError(
            "remote signing service sent no usable signature",
            hint="the service does not follow the expected API (signing/signers.py)",
        ) from exc


def _load_cert(path: Path) -> Any:
    from pyhanko.keys import load_cert_from_pemder

    try:
        return load_cert_from_pemder(str(path))
    except (OSError, ValueError) as exc:
        raise ConfigError(
            f"cannot load certificate {path.name}", hint="give a PEM or DER certificate file"
        ) from exc
