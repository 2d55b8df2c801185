"""Loopback OCSP responder, CRL publisher and RFC 3161 TSA for a `TestPki` (tests, benchmark).

One `http.server` thread on 127.0.0.1 answers:
- `POST /ocsp` (and `GET /ocsp/<base64>`, RFC 6960 A.1): status of any certificate the PKI
  issued, signed by the delegated responder (or by the root for the intermediate);
- `GET /crl/root.crl`, `GET /crl/intermediate.crl`: fresh CRLs with the revoked serials;
- `POST /tsa`: timestamp tokens from pyHanko's DummyTimeStamper with the PKI's TSA key.
Nothing here is for production: a real deployment uses its CA's and TSA's URLs.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import threading
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding
from cryptography.hazmat.primitives.asymmetric.utils import Prehashed
from cryptography.x509 import ocsp

from signing.testpki import Issued, PrivateKey, TestPki, build_test_pki

_FRESH = dt.timedelta(days=7)


@contextmanager
def serve_test_pki(organization: str = "Sở GD&ĐT (thử nghiệm)") -> Iterator[TestPki]:
    """A fresh test PKI whose OCSP, CRL and TSA answer on loopback until the block ends."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.daemon_threads = True
    base_url = f"http://127.0.0.1:{server.server_address[1]}"
    pki = build_test_pki(base_url, organization)
    server.pki = pki  # type: ignore[attr-defined]
    with _serving(server, "hocba-test-pki"):
        yield pki


@contextmanager
def _serving(server: ThreadingHTTPServer, name: str) -> Iterator[None]:
    """Serve on a daemon thread until the block ends, then shut down and close the socket."""
    thread = threading.Thread(target=server.serve_forever, name=name, daemon=True)
    thread.start()
    try:
        yield
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.0"

    @property
    def pki(self) -> TestPki:
        return self.server.pki  # type: ignore[attr-defined]

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib name
        pass  # quiet: tests read pass/fail, not access logs

    def do_GET(self) -> None:
        path = urllib.parse.urlsplit(self.path).path
        if path.startswith("/crl/"):
            ca = {"root.crl": self.pki.root, "intermediate.crl": self.pki.intermediate}.get(
                path.removeprefix("/crl/")
            )
            if ca is None:
                return self._reply(404, b"unknown CRL", "text/plain")
            return self._reply(200, crl_for(self.pki, ca), "application/pkix-crl")
        if path.startswith("/ocsp/"):
            request = base64.b64decode(urllib.parse.unquote(path.removeprefix("/ocsp/")))
            return self._reply(200, ocsp_response(self.pki, request), "application/ocsp-response")
        return self._reply(404, b"not found", "text/plain")

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        path = urllib.parse.urlsplit(self.path).path
        if path.rstrip("/") == "/ocsp":
            return self._reply(200, ocsp_response(self.pki, body), "application/ocsp-response")
        if path == "/tsa":
            return self._reply(
                200, timestamp_response(self.pki, body), "application/timestamp-reply"
            )
        return self._reply(404, b"not found", "text/plain")

    def _reply(self, status: int, body: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def crl_for(pki: TestPki, ca: Issued) -> bytes:
    now = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)
    builder = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(ca.cert.subject)
        .last_update(now)
        .next_update(now + _FRESH)
        .add_extension(x509.CRLNumber(int(now.timestamp())), critical=False)
    )
    for serial, when in pki.revoked.items():
        cert = pki.known.get(serial)
        if cert is not None and cert.issuer == ca.cert.subject:
            revoked = x509.RevokedCertificateBuilder().serial_number(serial).revocation_date(when)
            builder = builder.add_revoked_certificate(revoked.build())
    return builder.sign(ca.key, hashes.SHA256()).public_bytes(serialization.Encoding.DER)


def ocsp_response(pki: TestPki, request_der: bytes) -> bytes:
    try:
        request = ocsp.load_der_ocsp_request(request_der)
    except ValueError:
        return _unsuccessful(ocsp.OCSPResponseStatus.MALFORMED_REQUEST)
    cert = pki.known.get(request.serial_number)
    issuer = pki.issuer_of(cert) if cert is not None else None
    if cert is None or issuer is None:
        return _unsuccessful(ocsp.OCSPResponseStatus.UNAUTHORIZED)
    # the delegated responder speaks for the intermediate; the root answers for itself
    signer = pki.ocsp_responder if issuer is pki.intermediate else issuer
    now = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=30)
    revoked_at = pki.revoked.get(cert.serial_number)
    builder = ocsp.OCSPResponseBuilder().add_response(
        cert=cert,
        issuer=issuer.cert,
        algorithm=request.hash_algorithm,
        cert_status=ocsp.OCSPCertStatus.REVOKED if revoked_at else ocsp.OCSPCertStatus.GOOD,
        this_update=now,
        next_update=now + _FRESH,
        revocation_time=revoked_at,
        revocation_reason=x509.ReasonFlags.key_compromise if revoked_at else None,
    )
    builder = builder.responder_id(ocsp.OCSPResponderEncoding.HASH, signer.cert)
    if signer is not issuer:
        builder = builder.certificates([signer.cert])
    for ext in request.extensions:
        if isinstance(ext.value, x509.OCSPNonce):
            builder = builder.add_extension(ext.value, critical=False)
    response = builder.sign(signer.key, hashes.SHA256())
    return response.public_bytes(serialization.Encoding.DER)


def _unsuccessful(status: ocsp.OCSPResponseStatus) -> bytes:
    return ocsp.OCSPResponseBuilder.build_unsuccessful(status).public_bytes(
        serialization.Encoding.DER
    )


def timestamp_response(pki: TestPki, request_der: bytes) -> bytes:
    from asn1crypto import keys, tsp
    from asn1crypto import x509 as asn1_x509
    from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper

    der = serialization.Encoding.DER
    stamper = DummyTimeStamper(
        tsa_cert=asn1_x509.Certificate.load(pki.tsa.cert.public_bytes(der)),
        tsa_key=keys.PrivateKeyInfo.load(
            pki.tsa.key.private_bytes(
                der, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            )
        ),
        certs_to_embed=[asn1_x509.Certificate.load(c.public_bytes(der)) for c in pki.chain],  # type: ignore[arg-type]
    )
    return bytes(stamper.request_tsa_response(tsp.TimeStampReq.load(request_der)).dump())


# --- a reference remote signing service (the API `signing.signers` speaks) ---------------------


@contextmanager
def serve_remote_signer(keys: dict[str, PrivateKey], token: str) -> Iterator[str]:
    """A loopback signing service holding `keys` (key id -> private key); yields its URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _SignHandler)
    server.daemon_threads = True
    server.keys = keys  # type: ignore[attr-defined]
    server.token = token  # type: ignore[attr-defined]
    with _serving(server, "hocba-remote-sign"):
        yield f"http://127.0.0.1:{server.server_address[1]}"


class _SignHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.0"

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib name
        pass

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if self.path != "/v1/sign":
            return self._json(404, {"error": "not found"})
        if self.headers.get("Authorization") != f"Bearer {self.server.token}":  # type: ignore[attr-defined]
            return self._json(401, {"error": "bad token"})
        try:
            request = json.loads(body)
            key = self.server.keys[request["key_id"]]  # type: ignore[attr-defined]
            digest = base64.b64decode(request["hash_b64"])
            algorithm = _HASHES[request["hash_algorithm"]]
        except (ValueError, KeyError):
            return self._json(404, {"error": "unknown key or malformed request"})
        signature = _sign_digest(key, digest, algorithm)
        return self._json(200, {"signature_b64": base64.b64encode(signature).decode("ascii")})

    def _json(self, status: int, payload: dict[str, str]) -> None:
        body = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


_HASHES: dict[str, hashes.HashAlgorithm] = {
    "sha256": hashes.SHA256(),
    "sha384": hashes.SHA384(),
    "sha512": hashes.SHA512(),
}


def _sign_digest(key: PrivateKey, digest: bytes, algorithm: hashes.HashAlgorithm) -> bytes:
    if isinstance(key, ec.EllipticCurvePrivateKey):
        return key.sign(digest, ec.ECDSA(Prehashed(algorithm)))
    return key.sign(digest, padding.PKCS1v15(), Prehashed(algorithm))
