"""A development PKI: a root CA and an organization-seal certificate, made once per directory.

For development and tests only. Production seals are organization certificates on a token
issued by Ban Cơ yếu Chính phủ (domain.md §4), reached through PKCS#11, never these files.
The directory holds the root certificate (PEM, the trust anchor verifiers are given), the seal
certificate (PEM) and the seal key + chain as PKCS#12, protected by a random password kept in a
0600 file beside it. The root key is discarded after issuing: the dev root cannot issue more.
"""

from __future__ import annotations

import datetime as dt
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID

from domain.errors import ConfigError

ROOT_CERT = "root-ca.pem"
SIGNER_CERT = "seal.pem"
SIGNER_P12 = "seal.p12"
PASSWORD_FILE = "seal.p12.password"
_FILES = (ROOT_CERT, SIGNER_CERT, SIGNER_P12, PASSWORD_FILE)
_ROOT_YEARS = 20
_SEAL_YEARS = 5


@dataclass(frozen=True)
class DevPki:
    root_cert_pem: Path  # trust anchor for verify_pdf and pdfsig
    signer_p12: Path  # seal key + certificate + root, PKCS#12
    p12_password_file: Path  # mode 0600
    signer_cert_pem: Path

    def p12_password(self) -> bytes:
        return self.p12_password_file.read_bytes().strip()


def ensure_dev_pki(directory: Path, organization: str = "Sở GD&ĐT (phát triển)") -> DevPki:
    """The dev PKI in `directory`, generated on the first call and reused afterwards."""
    pki = DevPki(
        root_cert_pem=directory / ROOT_CERT,
        signer_p12=directory / SIGNER_P12,
        p12_password_file=directory / PASSWORD_FILE,
        signer_cert_pem=directory / SIGNER_CERT,
    )
    present = [name for name in _FILES if (directory / name).exists()]
    if len(present) == len(_FILES):
        return pki
    if present:
        raise ConfigError(
            f"Dev PKI in {directory} is incomplete (has {', '.join(present)})",
            hint="delete the directory to generate a new dev PKI; documents sealed with the "
            "old one will then no longer verify against the new root",
        )
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    _generate(pki, organization)
    return pki


def _generate(pki: DevPki, organization: str) -> None:
    now = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=5)  # tolerate small clock skew
    root_key = ec.generate_private_key(ec.SECP256R1())
    root_name = _name(organization, "hocba dev root CA (không dùng cho văn bản thật)")
    root = _root_certificate(root_key, root_name, now)
    seal_key = ec.generate_private_key(ec.SECP256R1())
    seal = _seal_certificate(seal_key, _name(organization, organization), root, root_key, now)
    password = secrets.token_urlsafe(24).encode("ascii")
    p12 = pkcs12.serialize_key_and_certificates(
        name=b"hocba-seal",
        key=seal_key,
        cert=seal,
        cas=[root],
        encryption_algorithm=serialization.BestAvailableEncryption(password),
    )
    _write_private(pki.p12_password_file, password + b"\n")
    _write_private(pki.signer_p12, p12)
    pki.signer_cert_pem.write_bytes(seal.public_bytes(serialization.Encoding.PEM))
    # root last: its presence marks a complete PKI for a concurrent reader
    pki.root_cert_pem.write_bytes(root.public_bytes(serialization.Encoding.PEM))


def _name(organization: str, common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, organization),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def _root_certificate(
    key: ec.EllipticCurvePrivateKey, name: x509.Name, now: dt.datetime
) -> x509.Certificate:
    usage = x509.KeyUsage(
        digital_signature=False,
        content_commitment=False,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=True,
        crl_sign=True,
        encipher_only=False,
        decipher_only=False,
    )
    return (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + dt.timedelta(days=365 * _ROOT_YEARS))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(usage, critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )


def _seal_certificate(
    key: ec.EllipticCurvePrivateKey,
    name: x509.Name,
    root: x509.Certificate,
    root_key: ec.EllipticCurvePrivateKey,
    now: dt.datetime,
) -> x509.Certificate:
    usage = x509.KeyUsage(
        digital_signature=True,
        content_commitment=True,  # nonRepudiation: pyHanko requires it for document seals
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=False,
        crl_sign=False,
        encipher_only=False,
        decipher_only=False,
    )
    root_ski = root.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
    return (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(root.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + dt.timedelta(days=365 * _SEAL_YEARS))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(usage, critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(root_ski),
            critical=False,
        )
        .sign(root_key, hashes.SHA256())
    )


def _write_private(path: Path, data: bytes) -> None:
    """Create with mode 0600 from the start (no window where the secret is world-readable)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    os.chmod(path, 0o600)  # O_CREAT mode is masked by umask; also fixes a pre-existing file
