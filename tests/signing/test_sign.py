"""Dev PKI, sealing and verification with real pyHanko, poppler's pdfsig and pikepdf."""

from __future__ import annotations

import stat
import time
from contextlib import ExitStack
from io import BytesIO
from pathlib import Path

import pikepdf
import pytest
from cryptography import x509

from domain.errors import ConfigError, SigningError
from domain.record import TranscriptRecord
from signing.pdfsig import build_nss_trust_db, check_pdfa_structure, run_pdfsig_bytes
from signing.pki import DevPki, ensure_dev_pki
from signing.render import ATTACHMENT_NAME, render_transcript
from signing.services import serve_test_pki
from signing.sign import SealOptions, SignStep, sign_document, sign_pdf
from signing.signers import SignerConfig, open_signer
from signing.verify import verify_pdf
from tests.signing.conftest import ServedPki, issue_info, write_pki_files


@pytest.fixture(scope="module")
def signed(th_record: TranscriptRecord, dev_pki: DevPki) -> bytes:
    return sign_pdf(render_transcript(th_record, issue_info(th_record.document_id)), dev_pki)


@pytest.fixture(scope="module")
def nss_db(dev_pki: DevPki, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_nss_trust_db(tmp_path_factory.mktemp("nss"), dev_pki.root_cert_pem)


# --- dev PKI ----------------------------------------------------------------------------------


def test_dev_pki_is_idempotent_and_private(tmp_path: Path) -> None:
    first = ensure_dev_pki(tmp_path / "pki")
    before = {p: p.read_bytes() for p in tmp_path.joinpath("pki").iterdir()}

    second = ensure_dev_pki(tmp_path / "pki")

    assert second == first
    assert {p: p.read_bytes() for p in tmp_path.joinpath("pki").iterdir()} == before
    assert stat.S_IMODE(first.p12_password_file.stat().st_mode) == 0o600
    assert stat.S_IMODE(first.signer_p12.stat().st_mode) == 0o600


def test_seal_certificate_is_issued_by_root_for_non_repudiation(dev_pki: DevPki) -> None:
    root = x509.load_pem_x509_certificate(dev_pki.root_cert_pem.read_bytes())
    seal = x509.load_pem_x509_certificate(dev_pki.signer_cert_pem.read_bytes())

    usage = seal.extensions.get_extension_for_class(x509.KeyUsage).value
    assert usage.digital_signature and usage.content_commitment and not usage.key_cert_sign
    assert seal.issuer == root.subject
    seal.verify_directly_issued_by(root)


def test_incomplete_pki_directory_is_refused(tmp_path: Path) -> None:
    pki = ensure_dev_pki(tmp_path / "pki")
    pki.signer_p12.unlink()

    with pytest.raises(ConfigError, match="incomplete"):
        ensure_dev_pki(tmp_path / "pki")


# --- a good seal ------------------------------------------------------------------------------


def test_signed_pdf_verifies_with_pyhanko(
    signed: bytes, dev_pki: DevPki, th_record: TranscriptRecord
) -> None:
    verdict = verify_pdf(signed, [dev_pki.root_cert_pem])

    assert verdict.valid and verdict.trusted and verdict.intact
    assert verdict.unchanged_since_signing
    assert verdict.problems == []
    assert verdict.signer == "Sở GD&ĐT (phát triển)"
    assert verdict.signed_at is not None
    assert verdict.embedded_record == th_record.to_contract()
    assert verdict.summary_vi().startswith("Văn bản hợp lệ")


def test_signed_pdf_keeps_pdfa_markers(signed: bytes) -> None:
    assert check_pdfa_structure(signed) == []


def test_pdfsig_reports_valid_and_trusted_with_dev_root(signed: bytes, nss_db: Path) -> None:
    plain = run_pdfsig_bytes(signed)
    trusted = run_pdfsig_bytes(signed, nssdir=nss_db)

    assert plain.ok and plain.signatures == 1 and plain.whole_document
    assert not plain.trusted  # the dev root is unknown to the default NSS store
    assert trusted.ok and trusted.trusted, trusted.output


def test_other_root_is_not_trusted(signed: bytes, tmp_path: Path) -> None:
    stranger = ensure_dev_pki(tmp_path / "other", organization="Ai đó")

    verdict = verify_pdf(signed, [stranger.root_cert_pem])

    assert not verdict.valid and not verdict.trusted
    assert verdict.intact and verdict.unchanged_since_signing
    assert "chứng thư số không thuộc nơi cấp tin cậy" in verdict.summary_vi()


def test_signing_twice_is_refused(signed: bytes, dev_pki: DevPki) -> None:
    with pytest.raises(SigningError, match="already"):
        sign_pdf(signed, dev_pki)


def test_unsigned_pdf_is_not_valid(th_record: TranscriptRecord, dev_pki: DevPki) -> None:
    pdf = render_transcript(th_record, issue_info(th_record.document_id))

    verdict = verify_pdf(pdf, [dev_pki.root_cert_pem])

    assert not verdict.valid and verdict.signer is None
    assert verdict.embedded_record == th_record.to_contract()


# --- tampering --------------------------------------------------------------------------------


def test_one_changed_byte_in_signed_range_is_detected(signed: bytes, dev_pki: DevPki) -> None:
    at = signed.index(b"xmptk=")  # XMP is an uncompressed stream inside the signed range
    assert at < _signature_gap_start(signed)
    tampered = signed[:at] + b"X" + signed[at + 1 :]

    verdict = verify_pdf(tampered, [dev_pki.root_cert_pem])
    poppler = run_pdfsig_bytes(tampered)

    assert not verdict.valid and not verdict.intact
    assert "sửa đổi" in verdict.summary_vi()
    assert not poppler.ok, poppler.output


def test_page_changed_in_appended_update_is_detected(signed: bytes, dev_pki: DevPki) -> None:
    tampered = _append_page_edit(signed, page_index=1)

    verdict = verify_pdf(tampered, [dev_pki.root_cert_pem])
    poppler = run_pdfsig_bytes(tampered)

    assert verdict.intact  # the signed bytes are untouched ...
    assert not verdict.unchanged_since_signing and not verdict.valid  # ... but the page is not
    assert any("changed after signing" in p for p in verdict.problems)
    assert poppler.ok and not poppler.whole_document  # poppler only sees partial coverage


def test_record_is_read_from_the_signed_revision(
    signed: bytes, dev_pki: DevPki, th_record: TranscriptRecord
) -> None:
    tampered = _append_attachment_swap(signed, b'{"schema": "forged"}')
    with pikepdf.open(BytesIO(tampered)) as doc:  # the latest revision does carry the forgery
        assert doc.attachments[ATTACHMENT_NAME].get_file().read_bytes() == b'{"schema": "forged"}'

    verdict = verify_pdf(tampered, [dev_pki.root_cert_pem])

    assert not verdict.valid
    assert verdict.embedded_record == th_record.to_contract()


def test_render_and_sign_time_per_booklet(thcs_record: TranscriptRecord, dev_pki: DevPki) -> None:
    info = issue_info(thcs_record.document_id)
    sign_pdf(render_transcript(thcs_record, info), dev_pki)  # warm caches (fonts, key)
    runs = 5
    start = time.process_time()
    for _ in range(runs):
        sign_pdf(render_transcript(thcs_record, info), dev_pki)
    per_booklet = (time.process_time() - start) / runs
    print(f"render+sign CPU per 5-page booklet: {per_booklet * 1000:.0f} ms")
    assert per_booklet < 1.0  # generous bound for loaded CI; the target is 0.2 s


# --- helpers ----------------------------------------------------------------------------------


def _signature_gap_start(pdf: bytes) -> int:
    import re

    match = re.search(rb"/ByteRange\s*\[\s*(\d+)\s+(\d+)", pdf)
    assert match
    return int(match.group(1)) + int(match.group(2))


def _append_page_edit(pdf: bytes, page_index: int) -> bytes:
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    writer = IncrementalPdfFileWriter(BytesIO(pdf))
    cover = generic.StreamObject(stream_data=b"q 1 1 1 rg 100 600 200 40 re f Q")
    writer.add_stream_to_page(page_index, writer.add_object(cover))
    out = BytesIO()
    writer.write(out)
    return out.getvalue()


def _append_attachment_swap(pdf: bytes, payload: bytes) -> bytes:
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    writer = IncrementalPdfFileWriter(BytesIO(pdf))
    names = writer.root["/Names"]["/EmbeddedFiles"]["/Names"]
    spec = names[1].get_object()
    ef = spec["/EF"]
    forged = generic.StreamObject(
        {generic.NameObject("/Type"): generic.NameObject("/EmbeddedFile")}, stream_data=payload
    )
    ef[generic.NameObject("/F")] = writer.add_object(forged)
    writer.update_container(ef)
    out = BytesIO()
    writer.write(out)
    return out.getvalue()


# --- levels, individual signers and tampering on timestamped documents (test PKI) ------------


@pytest.fixture(scope="module")
def signed_bt(th_record: TranscriptRecord, served_pki: ServedPki) -> bytes:
    pdf = render_transcript(th_record, issue_info("HB-BT-1"))
    with open_signer(served_pki.p12_config()) as signer:
        return sign_document(pdf, [SignStep("ToChuc", signer)], served_pki.options("B-T"))


def test_b_lt_validates_offline_after_the_services_stop(
    th_record: TranscriptRecord, tmp_path: Path
) -> None:
    pdf = render_transcript(th_record, issue_info("HB-LT-1"))
    with serve_test_pki() as pki:
        files = write_pki_files(pki, tmp_path)
        options = SealOptions(
            level="B-LT", tsa_url=f"{pki.base_url}/tsa", trust_roots=(files / "root.pem",)
        )
        config = SignerConfig(key_file=files / "seal.p12", secret_file=files / "seal.pw")
        with open_signer(config) as signer:
            signed = sign_document(pdf, [SignStep("ToChuc", signer)], options)
    # the OCSP responder, CRL publisher and TSA are gone now: nothing can be fetched

    verdict = verify_pdf(signed, [files / "root.pem"])

    assert verdict.valid and verdict.timestamped, verdict.problems
    assert verdict.level == "B-LT"
    with pikepdf.open(BytesIO(signed)) as doc:
        assert len(doc.Root.DSS.OCSPs) >= 1 and len(doc.Root.DSS.CRLs) >= 1


def test_b_lt_refuses_a_revoked_signer(th_record: TranscriptRecord, tmp_path: Path) -> None:
    pdf = render_transcript(th_record, issue_info("HB-LT-2"))
    with serve_test_pki() as pki:
        files = write_pki_files(pki, tmp_path)
        pki.revoke(pki.seal.cert)
        options = SealOptions(
            level="B-LT", tsa_url=f"{pki.base_url}/tsa", trust_roots=(files / "root.pem",)
        )
        config = SignerConfig(key_file=files / "seal.p12", secret_file=files / "seal.pw")
        with pytest.raises(SigningError), open_signer(config) as signer:
            sign_document(pdf, [SignStep("ToChuc", signer)], options)


def test_b_t_without_a_tsa_is_a_config_error(signed: bytes, dev_pki: DevPki) -> None:
    unsigned = signed[: _signature_gap_start(signed)]  # any bytes: refused before parsing
    with pytest.raises(ConfigError, match="timestamp authority"):
        sign_document(unsigned, [SignStep("ToChuc", object())], SealOptions(level="B-T"))


def test_individual_signers_then_seal_with_all_fields_created_first(
    thcs_record: TranscriptRecord, served_pki: ServedPki, tmp_path: Path
) -> None:
    pdf = render_transcript(thcs_record, issue_info("HB-MULTI-1"))
    pki = served_pki.pki
    people = [pki.issue_person("Nguyễn Văn Hiệu Trưởng"), pki.issue_person("Trần Thị Cán Bộ")]
    steps = []
    for i, person in enumerate(people):
        (tmp_path / f"p{i}.p12").write_bytes(pki.pkcs12(person, b"pw"))
        (tmp_path / f"p{i}.pw").write_bytes(b"pw")
        config = SignerConfig(key_file=tmp_path / f"p{i}.p12", secret_file=tmp_path / f"p{i}.pw")
        steps.append((f"CaNhan{i + 1}", config))
    steps.append(("ToChuc", served_pki.p12_config()))
    with ExitStack() as stack:
        signed = sign_document(
            pdf,
            [SignStep(name, stack.enter_context(open_signer(c))) for name, c in steps],
            served_pki.options("B-T"),
        )

    verdict = verify_pdf(signed, [served_pki.root_pem])
    poppler = run_pdfsig_bytes(signed, nssdir=served_pki.nss)

    assert verdict.valid and verdict.signer == "Sở GD&ĐT (thử nghiệm)", verdict.problems
    assert poppler.signatures == 3 and poppler.ok and poppler.trusted, poppler.output
    first_signed = signed[: _first_signed_revision_end(signed)]
    with pikepdf.open(BytesIO(first_signed)) as doc:  # the first signature already saw all fields
        names = sorted(str(f.T) for f in doc.Root.AcroForm.Fields)
    assert names == ["CaNhan1", "CaNhan2", "ToChuc"]


@pytest.mark.parametrize("tamper", ["one_byte", "appended_page", "swapped_attachment"])
def test_tampering_a_timestamped_document_is_detected_by_both_validators(
    signed_bt: bytes, served_pki: ServedPki, tamper: str
) -> None:
    tampered = _tampered(signed_bt, tamper)

    verdict = verify_pdf(tampered, [served_pki.root_pem])
    poppler = run_pdfsig_bytes(tampered, nssdir=served_pki.nss)

    assert not verdict.valid and verdict.problems
    assert not (poppler.ok and poppler.whole_document), poppler.output


def _tampered(pdf: bytes, how: str) -> bytes:
    if how == "one_byte":
        at = pdf.index(b"xmptk=")
        return pdf[:at] + b"X" + pdf[at + 1 :]
    if how == "appended_page":
        return _append_new_page(pdf)
    return _append_attachment_swap(pdf, b'{"schema": "forged"}')


def _append_new_page(pdf: bytes) -> bytes:
    """An incremental update that adds a whole page (copied from page 1) to the page tree."""
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    writer = IncrementalPdfFileWriter(BytesIO(pdf))
    pages = writer.root["/Pages"]
    first = pages["/Kids"][0].get_object()
    page = generic.DictionaryObject(
        {
            generic.NameObject("/Type"): generic.NameObject("/Page"),
            generic.NameObject("/Parent"): writer.root.raw_get("/Pages"),
            generic.NameObject("/MediaBox"): generic.ArrayObject(
                [generic.NumberObject(0), generic.NumberObject(0)]
                + [generic.FloatObject(595.28), generic.FloatObject(841.89)]
            ),
            generic.NameObject("/Resources"): first.raw_get("/Resources"),
            generic.NameObject("/Contents"): writer.add_object(
                generic.StreamObject(stream_data=b"BT ET")
            ),
        }
    )
    pages["/Kids"].append(writer.add_object(page))
    pages[generic.NameObject("/Count")] = generic.NumberObject(int(pages["/Count"]) + 1)
    writer.update_container(pages)
    out = BytesIO()
    writer.write(out)
    return out.getvalue()


def _first_signed_revision_end(pdf: bytes) -> int:
    import re

    ends = [
        int(m.group(3)) + int(m.group(4))
        for m in re.finditer(rb"/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)", pdf)
    ]
    return min(ends)


def test_a_cms_larger_than_the_reservation_is_still_signed(
    th_record: TranscriptRecord, dev_pki: DevPki, monkeypatch: pytest.MonkeyPatch
) -> None:
    import signing.sign

    monkeypatch.setitem(signing.sign._RESERVED, "B-B", 1024)  # far too small for the CMS
    pdf = sign_pdf(render_transcript(th_record, issue_info("HB-RESERVE-1")), dev_pki)

    assert verify_pdf(pdf, [dev_pki.root_cert_pem]).valid
