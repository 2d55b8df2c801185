"""The public verification page over real HTTP (uvicorn), real signed PDFs, real PostgreSQL.

The module issues three documents in a private database: one valid, one revoked and the
corrected re-issue that replaces it. Each test speaks from its own client address
(X-Forwarded-For, trusted by uvicorn from 127.0.0.1 as from a local reverse proxy) so that the
per-IP rate limit of one test does not spend another's budget.
"""

from __future__ import annotations

import datetime as dt
import html
import itertools
import logging
import secrets
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import cv2
import httpx
import pytest
import uvicorn
from fastapi import FastAPI

from domain.record import TranscriptRecord
from pipelines.issue_step import Issued, record_hash
from pipelines.lifecycle import reissue, revoke, verify_document
from pipelines.settings import Settings, load_settings
from review import public
from review.app import _HEADERS, ReviewConfig, create_app
from review.ratelimit import RateLimiter
from tests.conftest import PgCluster, free_port
from tests.pipelines.test_lifecycle import _issue
from tests.signing.test_sign import _tampered

REASON = "sai điểm Toán lớp 6 của học sinh"
_ADDRESSES = (f"198.51.100.{n}" for n in itertools.count(1))


@dataclass(frozen=True)
class Docs:
    settings: Settings
    valid: tuple[TranscriptRecord, Issued, bytes]
    revoked: tuple[TranscriptRecord, Issued, bytes]
    successor: Issued


@pytest.fixture(scope="module")
def docs(pg_cluster: PgCluster, tmp_path_factory: pytest.TempPathFactory) -> Docs:
    name = f"public_{secrets.token_hex(4)}"
    pg_cluster.migrated_database(name)
    settings = load_settings({
        "HOCBA_STATE_DIR": str(tmp_path_factory.mktemp("public-state")),
        "HOCBA_DATABASE_URL": pg_cluster.app_dsn(name),
    })  # fmt: skip
    valid = _issue(settings)
    old_record, old, old_pdf = _issue(settings)
    year = old_record.years[0].model_copy(update={"absences": 3})
    corrected = old_record.model_copy(update={"years": [year, *old_record.years[1:]]})
    revoke(settings, old.doc_id, REASON, "tester")
    new = reissue(settings, old.doc_id, corrected, reason=None, revoked_by="tester")
    return Docs(settings, valid, (old_record, old, old_pdf), new)


@contextmanager
def _serving(app: FastAPI) -> Iterator[str]:
    """`app` under uvicorn on a free 127.0.0.1 port, in a thread."""
    port = free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning",
                            timeout_graceful_shutdown=1)  # fmt: skip
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "the app did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        app.state.pool.close()


@pytest.fixture(scope="module")
def base(docs: Docs) -> Iterator[str]:
    """The whole app (stewards' routes and public page), configured with the module's settings."""
    app = create_app(ReviewConfig(str(docs.settings.database_url), secure_cookies=False))
    public.configure(app, docs.settings)
    with _serving(app) as url:
        yield url


@pytest.fixture
def client(base: str) -> Iterator[httpx.Client]:
    """A client with its own address, hence its own rate-limit budget."""
    headers = {"X-Forwarded-For": next(_ADDRESSES)}
    with httpx.Client(base_url=base, headers=headers, timeout=60) as http:
        yield http


def _upload(client: httpx.Client, pdf: bytes, name: str = "hocba.pdf") -> httpx.Response:
    return client.post("/xac-minh", files={"file": (name, pdf, "application/pdf")})


def _personal(record: TranscriptRecord) -> list[str]:
    """Personal data of the record that no public page may show."""
    student = record.student
    assert student is not None and student.full_name and student.date_of_birth
    born = dt.date.fromisoformat(student.date_of_birth)
    values = [student.full_name, student.date_of_birth, f"{born:%d/%m/%Y}",
              student.place_of_birth, student.father_name, student.mother_name,
              student.personal_id, record.identity_link.personal_id]  # fmt: skip
    return [v for v in values if v]


def _qr_url(pdf: bytes, tmp_path: Path) -> str:
    """The URL in the QR code printed at the bottom right of the PDF's first page.

    OpenCV's classic detector misses about 3 % of these codes (the doc id in the URL changes
    the pattern each run); the ArUco-based one read all of 1,500 random ones."""
    path = tmp_path / "doc.pdf"
    path.write_bytes(pdf)
    args = ["pdftoppm", "-r", "200", "-f", "1", "-l", "1", "-png", str(path), str(tmp_path / "p")]
    subprocess.run(args, check=True, timeout=30)
    image = cv2.imread(str(next(tmp_path.glob("p*.png"))))
    assert image is not None
    height, width = image.shape[:2]
    decoded, _, _ = cv2.QRCodeDetectorAruco().detectAndDecode(
        image[int(height * 0.85) :, int(width * 0.75) :]
    )
    return str(decoded)


def _local(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


def _assert_headers(response: httpx.Response) -> None:
    for key, value in _HEADERS.items():
        assert response.headers.get(key) == value, key
    assert "set-cookie" not in response.headers  # no session, no tracking


# ---------------------------------------------------------------- upload


def test_upload_form_needs_no_login(client: httpx.Client) -> None:
    page = client.get("/xac-minh", follow_redirects=False)

    assert page.status_code == 200
    assert 'enctype="multipart/form-data"' in page.text and 'name="file"' in page.text
    assert "Đăng xuất" not in page.text and "/queue" not in page.text
    _assert_headers(page)


def test_valid_issued_pdf_gets_a_valid_verdict(
    client: httpx.Client, docs: Docs, caplog: pytest.LogCaptureFixture
) -> None:
    record, issued, pdf = docs.valid
    with caplog.at_level(logging.INFO, logger="hocba.review.public"):
        verdict = _upload(client, pdf)

    assert verdict.status_code == 200
    assert "Văn bản hợp lệ" in verdict.text and issued.doc_id in verdict.text
    assert verdict.text.count("<td>Đạt</td>") == 4 and "Không đạt" not in verdict.text
    assert not [value for value in _personal(record) if value in verdict.text]
    _assert_headers(verdict)
    logged = " ".join(r.getMessage() for r in caplog.records)
    assert "outcome=valid" in logged
    assert issued.doc_id not in logged and "198.51.100." not in logged


def test_one_byte_tampered_pdf_is_invalid(client: httpx.Client, docs: Docs) -> None:
    verdict = _upload(client, _tampered(docs.valid[2], "one_byte"))

    assert verdict.status_code == 200
    assert "Văn bản không hợp lệ" in verdict.text and "Văn bản hợp lệ" not in verdict.text
    assert "<td>Không đạt</td>" in verdict.text


def test_revoked_document_says_revoked_and_names_the_successor(
    client: httpx.Client, docs: Docs
) -> None:
    verdict = _upload(client, docs.revoked[2])

    assert verdict.status_code == 200
    assert "Văn bản đã bị thu hồi" in verdict.text
    assert f"Văn bản thay thế: {docs.successor.doc_id}" in verdict.text
    assert REASON not in verdict.text  # the reason is the database's, not the holder's


def test_new_edition_verifies(client: httpx.Client, docs: Docs) -> None:
    pdf = docs.settings.objects_dir.joinpath(docs.successor.object_key).read_bytes()

    verdict = _upload(client, pdf)

    assert "Văn bản hợp lệ" in verdict.text and docs.successor.doc_id in verdict.text


def test_non_pdf_too_large_and_missing_files_are_refused_in_vietnamese(
    client: httpx.Client,
) -> None:
    not_pdf = _upload(client, b"\x89PNG\r\n\x1a\n" + bytes(2000), "anh.png")
    too_large = _upload(client, b"%PDF-1.7\n" + bytes(public.MAX_PDF_BYTES))
    missing = client.post("/xac-minh", data={"other": "x"})
    garbage = _upload(client, b"%PDF-1.7\nnot a transcript\n%%EOF\n")

    assert not_pdf.status_code == 415 and "không phải là tệp PDF" in not_pdf.text
    assert too_large.status_code == 413 and "Tệp quá lớn" in too_large.text
    assert missing.status_code == 400 and "Vui lòng chọn tệp PDF" in missing.text
    assert garbage.status_code == 200 and "Văn bản không hợp lệ" in garbage.text
    _assert_headers(not_pdf)


def test_cross_site_posts_are_refused(client: httpx.Client, docs: Docs) -> None:
    pdf = docs.valid[2]
    files = {"file": ("hocba.pdf", pdf, "application/pdf")}

    fetched = client.post("/xac-minh", files=files, headers={"Sec-Fetch-Site": "cross-site"})
    origin = client.post("/xac-minh", files=files, headers={"Origin": "https://evil.example"})
    same = client.post("/xac-minh", files=files,
                       headers={"Sec-Fetch-Site": "same-origin",
                                "Origin": str(client.base_url).rstrip("/")})  # fmt: skip

    assert fetched.status_code == 403 and "Yêu cầu không hợp lệ" in fetched.text
    assert origin.status_code == 403
    assert same.status_code == 200 and "Văn bản hợp lệ" in same.text


def test_raw_pdf_body_is_accepted(client: httpx.Client, docs: Docs) -> None:
    verdict = client.post(
        "/xac-minh", content=docs.valid[2], headers={"Content-Type": "application/pdf"}
    )

    assert verdict.status_code == 200 and "Văn bản hợp lệ" in verdict.text


# ---------------------------------------------------------------- QR URL


def test_qr_url_shows_the_status_and_nothing_personal(
    client: httpx.Client, docs: Docs, tmp_path: Path
) -> None:
    record, issued, pdf = docs.valid
    url = _qr_url(pdf, tmp_path)
    assert url.startswith(docs.settings.verify_base_url + "/")
    assert urlsplit(docs.settings.verify_base_url).path == public.PREFIX

    page = client.get(_local(url))

    assert page.status_code == 200
    assert "Văn bản còn hiệu lực" in page.text and issued.doc_id in page.text
    assert f"{dt.datetime.now(dt.timezone(dt.timedelta(hours=7))):%d/%m/%Y}" in page.text
    signer = verify_document(docs.settings, pdf).signature.signer
    assert signer and html.escape(signer) in page.text  # the signing unit
    assert not [value for value in _personal(record) if value in page.text]
    for subject in ("Toán", "Ngữ văn"):  # nor anything of the record
        assert subject not in page.text
    _assert_headers(page)


def test_qr_url_of_a_revoked_document_names_the_successor(client: httpx.Client, docs: Docs) -> None:
    record, issued, _ = docs.revoked

    page = client.get(f"/xac-minh/{issued.doc_id}", params={"h": record_hash(record)[:32]})

    assert page.status_code == 200
    assert "Văn bản đã bị thu hồi" in page.text and docs.successor.doc_id in page.text
    assert REASON not in page.text
    assert not [value for value in _personal(record) if value in page.text]


def test_wrong_hash_says_it_does_not_match(client: httpx.Client, docs: Docs) -> None:
    record, issued, _ = docs.valid
    right = record_hash(record)[:32]
    wrong = ("0" if right[0] != "0" else "1") + right[1:]

    pages = [client.get(f"/xac-minh/{issued.doc_id}", params={"h": h}) for h in (wrong, "")]

    for page in pages:
        assert page.status_code == 200 and "không khớp" in page.text
        assert "còn hiệu lực" not in page.text.lower() and "Ngày cấp" not in page.text


def test_unknown_document_is_a_vietnamese_404(client: httpx.Client) -> None:
    unknown = client.get("/xac-minh/HB-0123456789ABCDEF-1", params={"h": "0" * 32})
    odd = client.get("/xac-minh/'; DROP TABLE x --", params={"h": "0" * 32})

    for page in (unknown, odd):
        assert page.status_code == 404
        assert "Không tìm thấy văn bản" in page.text
    _assert_headers(unknown)


# ---------------------------------------------------------------- rate limit


def test_eleventh_request_in_a_minute_is_429(client: httpx.Client, base: str, docs: Docs) -> None:
    record, issued, _ = docs.valid
    url = f"/xac-minh/{issued.doc_id}"
    params = {"h": record_hash(record)[:32]}

    codes = [client.get(url, params=params).status_code for _ in range(public.RATE_LIMIT)]
    refused = client.get(url, params=params)
    upload_refused = _upload(client, docs.valid[2])
    with httpx.Client(base_url=base, headers={"X-Forwarded-For": "192.0.2.200"}) as other:
        elsewhere = other.get(url, params=params)

    assert codes == [200] * public.RATE_LIMIT
    assert refused.status_code == 429 and upload_refused.status_code == 429
    assert "quá nhiều yêu cầu" in refused.text.lower()
    assert 1 <= int(refused.headers["Retry-After"]) <= int(public.RATE_WINDOW_S)
    _assert_headers(refused)
    assert elsewhere.status_code == 200  # the limit is per client address


class _Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_rate_limiter_window_slides() -> None:
    clock = _Clock()
    limiter = RateLimiter(3, 60.0, clock=clock)
    for _ in range(3):
        assert limiter.hit("a").allowed
        clock.now += 10

    refused = limiter.hit("a")  # at +30 s: the first hit leaves the window at +60 s
    clock.now += 30
    again = limiter.hit("a")

    assert not refused.allowed and refused.retry_after == 30
    assert again.allowed and limiter.hit("b").allowed


def test_rate_limiter_memory_is_bounded() -> None:
    clock = _Clock()
    limiter = RateLimiter(2, 60.0, max_keys=100, clock=clock)
    for n in range(1000):
        limiter.hit(f"10.0.{n // 256}.{n % 256}")
    assert len(limiter) == 100
    clock.now += 61
    limiter.hit("new")
    assert len(limiter) == 1


def test_unconfigured_app_verifies_with_the_environment_settings(
    docs: Docs, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`hocba review serve` does not call `public.configure`: the environment's settings (trust
    roots of the state folder) and the app's own database are used."""
    monkeypatch.setenv("HOCBA_STATE_DIR", str(docs.settings.state_dir))
    monkeypatch.delenv("HOCBA_DATABASE_URL", raising=False)
    app = create_app(ReviewConfig(str(docs.settings.database_url), secure_cookies=False))
    with _serving(app) as url, httpx.Client(base_url=url, timeout=60) as http:
        verdict = _upload(http, docs.valid[2])

    assert verdict.status_code == 200 and "Văn bản hợp lệ" in verdict.text
