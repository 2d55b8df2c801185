"""The loopback test PKI services answer like a CA's: OCSP (POST and GET), CRLs and RFC 3161."""

from __future__ import annotations

import base64
import urllib.parse

import httpx
from asn1crypto import tsp
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.x509 import ocsp

from signing.services import serve_test_pki


def test_ocsp_crl_and_tsa_answer_and_follow_revocation() -> None:
    with serve_test_pki() as pki:
        person = pki.issue_person("Trần Văn Thu Hồi")
        pki.revoke(person.cert)
        request = (
            ocsp.OCSPRequestBuilder()
            .add_certificate(person.cert, pki.intermediate.cert, hashes.SHA256())
            .build()
            .public_bytes(serialization.Encoding.DER)
        )
        posted = httpx.post(f"{pki.base_url}/ocsp", content=request, timeout=10)
        path = urllib.parse.quote(base64.b64encode(request).decode(), safe="")
        fetched = httpx.get(f"{pki.base_url}/ocsp/{path}", timeout=10)
        seal_request = (
            ocsp.OCSPRequestBuilder()
            .add_certificate(pki.seal.cert, pki.intermediate.cert, hashes.SHA256())
            .build()
            .public_bytes(serialization.Encoding.DER)
        )
        good = httpx.post(f"{pki.base_url}/ocsp", content=seal_request, timeout=10)
        crl = httpx.get(f"{pki.base_url}/crl/intermediate.crl", timeout=10)
        stamp_request = tsp.TimeStampReq(
            {
                "version": "v1",
                "message_imprint": {
                    "hash_algorithm": {"algorithm": "sha256"},
                    "hashed_message": b"\x01" * 32,
                },
                "cert_req": True,
            }
        )
        stamp = httpx.post(f"{pki.base_url}/tsa", content=stamp_request.dump(), timeout=10)

    for answer in (posted, fetched):
        response = ocsp.load_der_ocsp_response(answer.content)
        assert response.certificate_status == ocsp.OCSPCertStatus.REVOKED
        assert response.certificates == [pki.ocsp_responder.cert]  # delegated responder
    assert ocsp.load_der_ocsp_response(good.content).certificate_status == ocsp.OCSPCertStatus.GOOD
    revoked = x509.load_der_x509_crl(crl.content)
    assert revoked.get_revoked_certificate_by_serial_number(person.cert.serial_number) is not None
    assert revoked.is_signature_valid(pki.intermediate.cert.public_key())  # type: ignore[arg-type]
    assert tsp.TimeStampResp.load(stamp.content)["status"]["status"].native == "granted"
