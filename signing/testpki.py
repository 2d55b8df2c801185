"""A complete test PKI in memory: root, intermediate, seal and person signers, OCSP responder, TSA.

For tests and the signing benchmark only. Certificates point their OCSP (AIA) and CRL
distribution URLs at `base_url`, where `signing.services.PkiServices` answers on loopback, so
B-T and B-LT signing run exactly as against a real CA, with no outside network.
Signers use ECDSA P-256 (fast); the TSA uses RSA-2048 because pyHanko's DummyTimeStamper,
which builds our RFC 3161 tokens, is RSA-only.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

PrivateKey = ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey
_DAY = dt.timedelta(days=1)


@dataclass(frozen=True)
class Issued:
    cert: x509.Certificate
    key: PrivateKey

    def cert_pem(self) -> bytes:
        return self.cert.public_bytes(serialization.Encoding.PEM)

    def key_pem(self) -> bytes:
        return self.key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )


@dataclass
class TestPki:
    """The hierarchy plus the revocation state the loopback services publish."""

    __test__ = False  # not a pytest test class despite the name

    base_url: str
    root: Issued
    intermediate: Issued
    seal: Issued
    ocsp_responder: Issued
    tsa: Issued
    organization: str = "hocba"
    revoked: dict[int, dt.datetime] = field(default_factory=dict)  # serial -> revocation time
    known: dict[int, x509.Certificate] = field(default_factory=dict)  # serial -> issued cert

    @property
    def chain(self) -> list[x509.Certificate]:
        """Certificates a signer embeds besides its own (intermediate, root)."""
        return [self.intermediate.cert, self.root.cert]

    def issue_person(self, name: str) -> Issued:
        """A named individual signer (e.g. the principal) under the intermediate."""
        return _issue_leaf(self, _name(name, self.organization), _ec())

    def revoke(self, cert: x509.Certificate) -> None:
        self.revoked[cert.serial_number] = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=5)

    def pkcs12(self, who: Issued, password: bytes) -> bytes:
        return pkcs12.serialize_key_and_certificates(
            name=b"hocba-test",
            key=who.key,
            cert=who.cert,
            cas=self.chain,
            encryption_algorithm=serialization.BestAvailableEncryption(password),
        )

    def issuer_of(self, cert: x509.Certificate) -> Issued | None:
        for ca in (self.root, self.intermediate):
            if cert.issuer == ca.cert.subject:
                return ca
        return None


def build_test_pki(base_url: str, organization: str = "Sở GD&ĐT (thử nghiệm)") -> TestPki:
    """A fresh hierarchy whose OCSP/CRL/TSA URLs live under `base_url` (no trailing slash)."""
    now = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=5)
    root_key = ec.generate_private_key(ec.SECP256R1())
    root_name = _name("hocba test root CA", organization)
    root_cert = (
        _builder(root_name, root_name, root_key, now, 3650)
        .add_extension(x509.BasicConstraints(ca=True, path_length=1), critical=True)
        .add_extension(_ca_usage(), critical=True)
        .sign(root_key, hashes.SHA256())
    )
    root = Issued(root_cert, root_key)
    inter_key = ec.generate_private_key(ec.SECP256R1())
    inter_cert = (
        _builder(_name("hocba test issuing CA", organization), root_name, inter_key, now, 1825)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_ca_usage(), critical=True)
        .add_extension(_aki(root_cert), critical=False)
        .add_extension(_crl_dp(f"{base_url}/crl/root.crl"), critical=False)
        .sign(root_key, hashes.SHA256())
    )
    pki = TestPki(base_url, root, Issued(inter_cert, inter_key), root, root, root, organization)
    pki.known[inter_cert.serial_number] = inter_cert
    pki.seal = _issue_leaf(pki, _name(organization, organization), _ec())
    pki.ocsp_responder = _issue_service(pki, "hocba test OCSP responder", _ec(), "ocsp")
    pki.tsa = _issue_service(pki, "hocba test TSA", rsa.generate_private_key(65537, 2048), "tsa")
    return pki


def _ec() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


def _issue_leaf(pki: TestPki, subject: x509.Name, key: PrivateKey) -> Issued:
    inter = pki.intermediate
    cert = (
        _builder(subject, inter.cert.subject, key, _now(), 730)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_leaf_usage(), critical=True)
        .add_extension(_aki(inter.cert), critical=False)
        .add_extension(_crl_dp(f"{pki.base_url}/crl/intermediate.crl"), critical=False)
        .add_extension(
            x509.AuthorityInformationAccess(
                [
                    x509.AccessDescription(
                        x509.AuthorityInformationAccessOID.OCSP,
                        x509.UniformResourceIdentifier(f"{pki.base_url}/ocsp"),
                    )
                ]
            ),
            critical=False,
        )
        .sign(inter.key, hashes.SHA256())
    )
    pki.known[cert.serial_number] = cert
    return Issued(cert, key)


def _issue_service(pki: TestPki, common_name: str, key: PrivateKey, kind: str) -> Issued:
    inter = pki.intermediate
    builder = (
        _builder(_name(common_name, "hocba test"), inter.cert.subject, key, _now(), 730)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_aki(inter.cert), critical=False)
    )
    if kind == "ocsp":  # delegated responder: its own status is not checked (RFC 6960 4.2.2.2.1)
        builder = builder.add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.OCSP_SIGNING]), critical=False
        ).add_extension(x509.OCSPNoCheck(), critical=False)
    else:
        builder = builder.add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True
        ).add_extension(_crl_dp(f"{pki.base_url}/crl/intermediate.crl"), critical=False)
    cert = builder.sign(inter.key, hashes.SHA256())
    pki.known[cert.serial_number] = cert
    return Issued(cert, key)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC) - dt.timedelta(minutes=5)  # tolerate small clock skew


def _builder(
    subject: x509.Name, issuer: x509.Name, key: PrivateKey, now: dt.datetime, days: int
) -> x509.CertificateBuilder:
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + days * _DAY)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
    )


def _name(common_name: str, organization: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, organization),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def _aki(issuer: x509.Certificate) -> x509.AuthorityKeyIdentifier:
    ski = issuer.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
    return x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ski)


def _crl_dp(url: str) -> x509.CRLDistributionPoints:
    point = x509.DistributionPoint([x509.UniformResourceIdentifier(url)], None, None, None)
    return x509.CRLDistributionPoints([point])


def _ca_usage() -> x509.KeyUsage:
    return _usage(cert_sign=True)


def _leaf_usage() -> x509.KeyUsage:
    return _usage(cert_sign=False)


def _usage(*, cert_sign: bool) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=not cert_sign,
        content_commitment=not cert_sign,  # nonRepudiation for document signers
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=cert_sign,
        crl_sign=cert_sign,
        encipher_only=False,
        decipher_only=False,
    )
