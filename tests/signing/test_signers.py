"""Each signer backend signs and the result verifies: PKCS#12, PKCS#11 (SoftHSM2), remote HTTP."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from domain.errors import SigningError
from domain.record import TranscriptRecord
from signing.pdfsig import run_pdfsig_bytes
from signing.render import render_transcript
from signing.services import serve_remote_signer
from signing.sign import SignStep, sign_document
from signing.signers import RemoteSignerError, SignerConfig, open_signer
from signing.verify import verify_pdf
from tests.signing.conftest import ServedPki, issue_info

SOFTHSM = Path("/usr/lib/softhsm/libsofthsm2.so")


@pytest.fixture(scope="module")
def unsigned(th_record: TranscriptRecord) -> bytes:
    return render_transcript(th_record, issue_info("HB-SIGNERS-1"))


def _sign_and_check(pdf: bytes, config: SignerConfig, served: ServedPki) -> None:
    with open_signer(config) as signer:
        signed = sign_document(pdf, [SignStep("ToChuc", signer)], served.options("B-T"))

    verdict = verify_pdf(signed, [served.root_pem])
    poppler = run_pdfsig_bytes(signed, nssdir=served.nss)

    assert verdict.valid and verdict.timestamped and verdict.level == "B-T", verdict.problems
    assert verdict.signer == "Sở GD&ĐT (thử nghiệm)"
    assert poppler.ok and poppler.trusted and poppler.whole_document, poppler.output


def test_pkcs12_backend(unsigned: bytes, served_pki: ServedPki) -> None:
    _sign_and_check(unsigned, served_pki.p12_config(), served_pki)


@pytest.fixture(scope="module")
def softhsm_token(
    served_pki: ServedPki, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Path]:
    """A SoftHSM2 token 'hocba-test' holding the seal key (label 'seal'); PIN file returned."""
    util = shutil.which("softhsm2-util")
    assert util and SOFTHSM.exists(), "install the softhsm2 package (scripts/test.sh does)"
    home = tmp_path_factory.mktemp("softhsm")
    (home / "tokens").mkdir()
    conf = home / "softhsm2.conf"
    conf.write_text(f"directories.tokendir = {home / 'tokens'}\nobjectstore.backend = file\n")
    before = os.environ.get("SOFTHSM2_CONF")
    os.environ["SOFTHSM2_CONF"] = str(conf)  # read by the library when the token opens
    key = home / "seal-key.pem"
    key.write_bytes(served_pki.pki.seal.key_pem())
    for args in (
        ["--init-token", "--free", "--label", "hocba-test", "--pin", "2468", "--so-pin", "97531"],
        ["--import", str(key), "--token", "hocba-test", "--label", "seal", "--id", "01",
         "--pin", "2468"],
    ):  # fmt: skip
        subprocess.run([util, *args], check=True, capture_output=True, timeout=30)
    key.unlink()
    (home / "pin").write_text("2468\n")
    yield home / "pin"
    if before is None:
        os.environ.pop("SOFTHSM2_CONF", None)
    else:
        os.environ["SOFTHSM2_CONF"] = before


def _pkcs11_config(served: ServedPki, pin: Path, **changes: object) -> SignerConfig:
    base = {
        "backend": "pkcs11",
        "secret_file": pin,
        "cert_file": served.dir / "seal.pem",
        "chain_files": (served.dir / "intermediate.pem",),
        "pkcs11_module": SOFTHSM,
        "pkcs11_token": "hocba-test",
        "key_label": "seal",
    }
    return SignerConfig(**{**base, **changes})  # type: ignore[arg-type]


def test_pkcs11_backend_with_softhsm(
    unsigned: bytes, served_pki: ServedPki, softhsm_token: Path
) -> None:
    _sign_and_check(unsigned, _pkcs11_config(served_pki, softhsm_token), served_pki)


def test_pkcs11_wrong_pin_is_a_typed_error(served_pki: ServedPki, softhsm_token: Path) -> None:
    wrong = softhsm_token.with_name("wrong-pin")
    wrong.write_text("0000\n")

    with (
        pytest.raises(SigningError, match="PKCS#11 token"),
        open_signer(_pkcs11_config(served_pki, wrong)),
    ):
        pass


def _remote_config(served: ServedPki, url: str, token_file: Path) -> SignerConfig:
    return SignerConfig(
        backend="remote",
        secret_file=token_file,
        cert_file=served.dir / "seal.pem",
        chain_files=(served.dir / "intermediate.pem",),
        remote_url=url,
        remote_key_id="seal-2026",
    )


def test_remote_backend(unsigned: bytes, served_pki: ServedPki, tmp_path: Path) -> None:
    token = tmp_path / "token"
    token.write_text("s3rvice-t0ken\n")
    with serve_remote_signer({"seal-2026": served_pki.pki.seal.key}, "s3rvice-t0ken") as url:
        _sign_and_check(unsigned, _remote_config(served_pki, url, token), served_pki)


def test_remote_backend_refusal_is_a_typed_error(
    unsigned: bytes, served_pki: ServedPki, tmp_path: Path
) -> None:
    token = tmp_path / "token"
    token.write_text("not-the-token\n")
    with serve_remote_signer({"seal-2026": served_pki.pki.seal.key}, "s3rvice-t0ken") as url:
        config = _remote_config(served_pki, url, token)
        with pytest.raises(RemoteSignerError, match="HTTP 401"), open_signer(config) as signer:
            sign_document(unsigned, [SignStep("ToChuc", signer)], served_pki.options("B-B"))
