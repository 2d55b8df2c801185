"""Issue step configured from settings: level, TSA, signer files and named individual signers."""

from __future__ import annotations

import secrets
from pathlib import Path

import pytest

from domain.errors import ConfigError
from pipelines.issue_step import signing_setup
from pipelines.lifecycle import verify_document
from pipelines.settings import load_settings
from signing.pdfsig import run_pdfsig_bytes
from tests.conftest import PgCluster
from tests.pipelines.test_lifecycle import _issue
from tests.signing.conftest import ServedPki, served_pki  # noqa: F401 - fixture


def test_signing_defaults_to_the_dev_seal_at_b_b(tmp_path: Path) -> None:
    settings = load_settings({"HOCBA_STATE_DIR": str(tmp_path)})

    setup = signing_setup(settings)

    assert setup.options.level == "B-B" and setup.options.tsa_url is None
    [(field, seal)] = setup.steps
    assert field == "ToChuc" and seal.backend == "pkcs12"
    assert seal.key_file == tmp_path.resolve() / "pki" / "seal.p12"
    assert setup.trust_roots == (tmp_path.resolve() / "pki" / "root-ca.pem",)


def test_a_tsa_url_alone_selects_b_t() -> None:
    assert load_settings({"HOCBA_TSA_URL": "http://tsa.example/"}).sign_level == "B-T"


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("HOCBA_SIGN_LEVEL", "B-LTA"),
        ("HOCBA_SIGNER", "usb"),
        ("HOCBA_INDIVIDUAL_SIGNERS", "HieuTruong"),
    ],
)
def test_bad_signing_settings_are_refused(name: str, value: str) -> None:
    with pytest.raises(ConfigError, match=name):
        load_settings({name: value})


def test_issue_with_a_named_signer_and_the_seal_at_b_lt(
    pg_cluster: PgCluster,
    served_pki: ServedPki,  # noqa: F811 - the imported fixture
    tmp_path: Path,
) -> None:
    name = f"issue_{secrets.token_hex(4)}"
    pg_cluster.migrated_database(name)
    principal = served_pki.pki.issue_person("Nguyễn Văn Hiệu Trưởng")
    (tmp_path / "principal.p12").write_bytes(served_pki.pki.pkcs12(principal, b"pw"))
    (tmp_path / "principal.p12.password").write_bytes(b"pw\n")
    settings = load_settings(
        {
            "HOCBA_STATE_DIR": str(tmp_path / "state"),
            "HOCBA_DATABASE_URL": pg_cluster.app_dsn(name),
            "HOCBA_SIGN_LEVEL": "B-LT",
            "HOCBA_TSA_URL": served_pki.tsa_url,
            "HOCBA_TRUST_ROOTS": str(served_pki.root_pem),
            "HOCBA_SIGNER_KEY_FILE": str(served_pki.dir / "seal.p12"),
            "HOCBA_SIGNER_SECRET_FILE": str(served_pki.dir / "seal.pw"),
            "HOCBA_INDIVIDUAL_SIGNERS": f"HieuTruong={tmp_path / 'principal.p12'}",
        }
    )
    _, _, pdf = _issue(settings)
    verdict = verify_document(settings, pdf)
    poppler = run_pdfsig_bytes(pdf, nssdir=served_pki.nss)

    assert verdict.valid, verdict.summary_en()
    assert verdict.signature.level == "B-LT" and verdict.signature.timestamped
    assert verdict.signature.signer == "Sở GD&ĐT (thử nghiệm)"  # the seal signs last
    assert poppler.signatures == 2 and poppler.ok and poppler.trusted, poppler.output
