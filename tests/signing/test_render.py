"""Rendering: PDF/A-3b structure, Vietnamese text, the conversion statement, QR and attachment."""

from __future__ import annotations

import json
import subprocess
from io import BytesIO
from pathlib import Path

import cv2
import pikepdf
import pytest
from fpdf import FPDF

from domain.errors import SigningError
from domain.record import TranscriptRecord
from signing.pdfsig import check_pdfa_structure
from signing.render import ATTACHMENT_NAME, CONVERSION_STATEMENT, render_transcript
from tests.signing.conftest import issue_info


def _text(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "doc.pdf"
    path.write_bytes(pdf)
    args = ["pdftotext", "-layout", str(path), "-"]
    return subprocess.run(args, capture_output=True, text=True, timeout=30, check=True).stdout


@pytest.fixture(params=["th", "thcs"])
def record(request: pytest.FixtureRequest) -> TranscriptRecord:
    return request.getfixturevalue(f"{request.param}_record")


def test_pdfa_structure_pages_and_attachment(record: TranscriptRecord) -> None:
    pdf = render_transcript(record, issue_info(record.document_id))

    assert check_pdfa_structure(pdf) == []
    with pikepdf.open(BytesIO(pdf)) as doc:
        assert len(doc.pages) == 1 + len(record.years)
        attached = doc.attachments[ATTACHMENT_NAME].get_file().read_bytes()
    assert json.loads(attached) == record.to_contract()


def test_th_page_shows_vietnamese_values(th_record: TranscriptRecord, tmp_path: Path) -> None:
    text = _text(render_transcript(th_record, issue_info(th_record.document_id)), tmp_path)

    assert "Nguyễn Thị Ánh Tuyết" in text
    for label in ("Mức đạt được", "KTĐK", "Năng lực", "Phẩm chất", "Tự học và giải quyết vấn đề"):
        assert label in text
    assert "Hoàn thành chương trình lớp học" in text
    assert "05/09/2010" in text  # ISO date shown the Vietnamese way
    assert CONVERSION_STATEMENT.upper() in text
    assert text.count(f"Số văn bản: {th_record.document_id}") == 1 + len(th_record.years)


def test_thcs_page_uses_decimal_comma(thcs_record: TranscriptRecord, tmp_path: Path) -> None:
    text = _text(render_transcript(thcs_record, issue_info(thcs_record.document_id)), tmp_path)

    assert "Hóa học" in text and "Giáo dục công dân" in text and "Điểm TB các môn" in text
    assert "8,3" in text and "8.3" not in text  # Toán HK I
    assert "CĐ" in text
    assert "Hoàn thành chương trình THCS" in text
    assert "Sở Giáo dục và Đào tạo Long An" in text


def test_qr_code_decodes_to_verify_url(th_record: TranscriptRecord, tmp_path: Path) -> None:
    info = issue_info(th_record.document_id)
    path = tmp_path / "doc.pdf"
    path.write_bytes(render_transcript(th_record, info))
    args = ["pdftoppm", "-r", "200", "-f", "1", "-l", "1", "-png", str(path), str(tmp_path / "p")]
    subprocess.run(args, check=True, timeout=30)
    image = cv2.imread(str(next(tmp_path.glob("p*.png"))))
    height, width = image.shape[:2]
    corner = image[int(height * 0.85) :, int(width * 0.75) :]  # the QR sits bottom right

    decoded, _, _ = cv2.QRCodeDetectorAruco().detectAndDecode(corner)  # the classic one misses ~3 %

    assert decoded == info.verify_url


def test_character_without_glyph_is_refused(th_record: TranscriptRecord) -> None:
    odd = th_record.model_copy(deep=True)
    assert odd.student is not None
    odd.student.full_name = "Nguyễn 张 Tuyết"  # a Han character: not in the Vietnamese fonts

    with pytest.raises(SigningError, match="U\\+5F20"):
        render_transcript(odd, issue_info(odd.document_id))


def test_structure_check_flags_a_plain_pdf() -> None:
    plain = FPDF()
    plain.add_page()
    plain.set_font("helvetica", size=12)
    plain.cell(text="not an archival copy")

    problems = check_pdfa_structure(bytes(plain.output()))

    assert any("pdfaid" in p or "XMP" in p for p in problems)
    assert any("OutputIntents" in p for p in problems)
    assert any("not embedded" in p for p in problems)
    assert any("/AF" in p for p in problems)


def test_scans_appendix_follows_the_year_pages(th_record: TranscriptRecord, tmp_path: Path) -> None:
    scans = []
    for page in (1, 2):
        image = (255 - cv2.putText(
            cv2.UMat(600, 420, cv2.CV_8UC1, 0).get(), f"scan {page}", (60, 300),
            cv2.FONT_HERSHEY_SIMPLEX, 2, 255, 4,
        ))  # fmt: skip
        scans.append(cv2.imencode(".jpg", image)[1].tobytes())

    pdf = render_transcript(th_record, issue_info("HB-SCANS-1"), scans)

    assert check_pdfa_structure(pdf) == []
    with pikepdf.open(BytesIO(pdf)) as doc:
        assert len(doc.pages) == 1 + len(th_record.years) + 2
        last = doc.pages[-1]
        assert any(pikepdf.PdfImage(im).filters == ["/DCTDecode"] for im in last.images.values())
    text = _text(pdf, tmp_path)
    assert "PHỤ LỤC - BẢN QUÉT HỌC BẠ GIẤY: TRANG 2/2" in text
