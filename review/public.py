"""The public verification page: upload a transcript PDF, or open the URL of its QR code.

No log-in. What a holder sees is what the holder already has (the document number, the seal on
the PDF) plus the document's status: issued or revoked, the successor's number, the issue date
and the signing unit. Never the record, the revocation reason or anything personal.

- `GET  /xac-minh`             the upload form.
- `POST /xac-minh`             a PDF (multipart field `file`, or a raw `application/pdf` body)
                               -> the full verdict of `pipelines.lifecycle.verify_document`.
- `GET  /xac-minh/{doc_id}?h=` the QR URL (`HOCBA_VERIFY_BASE_URL/<doc_id>?h=<record hash[:32]>`,
                               pipelines/issue_step.py) -> status page, "không khớp" on a wrong
                               hash, 404 for an unknown number.

CSRF: these routes read no cookie and change nothing, so a forged cross-site request carries no
authority to abuse. A POST is still refused (403) when the browser says it comes from another
site (Fetch Metadata `Sec-Fetch-Site`, else an `Origin` other than the host): nobody can submit
the form from elsewhere and show an official-looking verdict page as theirs. A public form thus
needs no session and no token. Verifications (QR lookups and uploads) are rate-limited per
client IP; behind a reverse proxy run uvicorn with proxy headers from that proxy only.
Logs carry the kind and the outcome of a verification, never a document number or an address.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hmac
import logging
import re
import threading
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import urlsplit

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.types import Message

from domain.errors import HocbaError
from pipelines.lifecycle import DocumentVerdict, verify_document
from pipelines.settings import Settings, load_settings
from review.app import config, pool, render
from review.ratelimit import RateLimiter

PREFIX = "/xac-minh"  # the path of the default HOCBA_VERIFY_BASE_URL
MAX_PDF_BYTES = 10 * 1024 * 1024
_FORM_OVERHEAD = 64 * 1024  # multipart boundaries and headers around the file
RATE_LIMIT = 10  # verifications ...
RATE_WINDOW_S = 60.0  # ... per client IP and minute
_DOC_ID = re.compile(r"HB-[0-9A-Z]{1,64}-[0-9]{1,6}")
_CHECK_HASH = re.compile(r"[0-9a-f]{32}")
_VIETNAM = dt.timezone(dt.timedelta(hours=7))
_STATE_LOCK = threading.Lock()

log = logging.getLogger("hocba.review.public")
router = APIRouter()

State = Literal["ok", "fail", "unknown"]


@dataclass(frozen=True)
class Check:
    label: str
    state: State


@dataclass(frozen=True)
class Headline:
    tone: Literal["ok", "warn", "error"]
    title: str
    text: str = ""


# ---------------------------------------------------------------- configuration


def configure(app: FastAPI, settings: Settings, limiter: RateLimiter | None = None) -> None:
    """The settings (trust roots, database) that uploads are verified with, and the limiter."""
    app.state.public_settings = settings
    app.state.public_limiter = limiter or RateLimiter(RATE_LIMIT, RATE_WINDOW_S)


def _settings(request: Request) -> Settings:
    """Configured settings, else the environment's with the app's own database."""
    state = request.app.state
    with _STATE_LOCK:
        if getattr(state, "public_settings", None) is None:
            state.public_settings = dataclasses.replace(
                load_settings(), database_url=config(request).dsn
            )
        found: Settings = state.public_settings
    return found


def _limiter(request: Request) -> RateLimiter:
    state = request.app.state
    with _STATE_LOCK:
        if getattr(state, "public_limiter", None) is None:
            state.public_limiter = RateLimiter(RATE_LIMIT, RATE_WINDOW_S)
        found: RateLimiter = state.public_limiter
    return found


# ---------------------------------------------------------------- guards


def _rate_limited(request: Request) -> Response | None:
    """None when the client may verify now, else the 429 page with Retry-After."""
    client = request.client.host if request.client else "unknown"
    decision = _limiter(request).hit(client)
    if decision.allowed:
        return None
    log.info("public verification refused: rate limit")
    message = (
        "Bạn đã gửi quá nhiều yêu cầu xác minh trong một phút. "
        f"Vui lòng thử lại sau {decision.retry_after} giây."
    )
    response = _error(request, 429, "Quá nhiều yêu cầu", message)
    response.headers["Retry-After"] = str(decision.retry_after)
    return response


def _cross_site(request: Request) -> bool:
    """True when the browser tells the POST was sent from another site."""
    site = request.headers.get("sec-fetch-site")
    if site is not None:
        return site not in ("same-origin", "none")
    origin = request.headers.get("origin")
    if origin is None:
        return False  # not a browser form post from elsewhere (curl, old browsers)
    host = (request.headers.get("host") or "").lower()
    return urlsplit(origin).netloc.lower() != host


def _error(request: Request, status: int, title: str, message: str) -> Response:
    return render(request, "public_error.html", {"title": title, "message": message}, status)


# ---------------------------------------------------------------- upload


@router.get(PREFIX)
def upload_page(request: Request) -> Response:
    return render(request, "public_upload.html", {"max_mb": MAX_PDF_BYTES // (1024 * 1024)})


@router.post(PREFIX)
async def upload(request: Request) -> Response:
    refused = _rate_limited(request)
    if refused is not None:
        return refused
    if _cross_site(request):
        log.info("public verification refused: cross-site post")
        return _error(request, 403, "Yêu cầu không hợp lệ",
                      "Vui lòng gửi tệp từ trang xác minh của hệ thống.")  # fmt: skip
    body = await _capped_body(request, MAX_PDF_BYTES + _FORM_OVERHEAD)
    if body is None:
        return _too_large(request)
    pdf = await _pdf_of(request, body)
    if pdf is None or not pdf:
        return _error(request, 400, "Chưa có tệp",
                      "Vui lòng chọn tệp PDF học bạ điện tử cần xác minh.")  # fmt: skip
    if len(pdf) > MAX_PDF_BYTES:
        return _too_large(request)
    if not _looks_like_pdf(pdf):
        log.info("public verification refused: not a pdf")
        return _error(request, 415, "Không phải tệp PDF",
                      "Tệp đã chọn không phải là tệp PDF. Vui lòng chọn đúng tệp học bạ điện "
                      "tử (đuôi .pdf) mà bạn được cấp.")  # fmt: skip
    try:
        verdict = await run_in_threadpool(verify_document, _settings(request), pdf)
    except HocbaError as exc:
        log.warning("public verification failed: %s", type(exc).__name__)
        return _unavailable(request)
    log.info("public verification: upload outcome=%s", _outcome(verdict))
    return render(request, "public_verdict.html", verdict_context(verdict))


def _too_large(request: Request) -> Response:
    mb = MAX_PDF_BYTES // (1024 * 1024)
    return _error(request, 413, "Tệp quá lớn",
                  f"Tệp vượt quá giới hạn {mb} MB. Học bạ điện tử do hệ thống cấp nhỏ hơn "
                  "giới hạn này; vui lòng kiểm tra lại tệp.")  # fmt: skip


def _unavailable(request: Request) -> Response:
    return _error(request, 503, "Tạm thời không xác minh được",
                  "Dịch vụ xác minh đang gặp sự cố. Vui lòng thử lại sau.")  # fmt: skip


async def _capped_body(request: Request, cap: int) -> bytes | None:
    """The request body, or None as soon as it is (or is declared) longer than `cap`."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > cap:
        return None
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > cap:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


async def _pdf_of(request: Request, body: bytes) -> bytes | None:
    """The uploaded file: a raw application/pdf body or the multipart field `file`."""
    kind = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if kind == "application/pdf":
        return body
    if kind != "multipart/form-data":
        return None
    replayed = False

    async def receive() -> Message:  # the body was read already (with its cap): replay it
        nonlocal replayed
        if replayed:
            return {"type": "http.disconnect"}
        replayed = True
        return {"type": "http.request", "body": body, "more_body": False}

    try:
        form = await Request(request.scope, receive).form(max_files=1, max_fields=4)
    except Exception:  # a malformed multipart body is the sender's problem: 400 below
        return None
    upload = form.get("file")
    return await upload.read() if isinstance(upload, UploadFile) else None


def _looks_like_pdf(data: bytes) -> bool:
    return b"%PDF-" in data[:1024]  # the header may follow a little junk (PDF 32000 7.5.2)


def _outcome(verdict: DocumentVerdict) -> str:
    if verdict.valid:
        return "valid"
    if verdict.signature.valid and verdict.revoked:
        return "revoked"
    return "invalid" if verdict.database_checked else "unchecked"


def verdict_context(verdict: DocumentVerdict) -> dict[str, Any]:
    """What the verdict page shows: the four checks, the seal, the status; no record data."""
    sig = verdict.signature
    signed_at = sig.signed_at.astimezone(_VIETNAM) if sig.signed_at else None
    return {
        "headline": _headline(verdict),
        "checks": _checks(verdict),
        "doc_id": verdict.doc_id,
        "signer": sig.signer,
        "signed_at": f"{signed_at:%H:%M ngày %d/%m/%Y}" if signed_at else None,
        "timestamped": sig.timestamped,
        "successor": verdict.successor if verdict.revoked else None,
    }


def _checks(verdict: DocumentVerdict) -> list[Check]:
    sig = verdict.signature
    db = verdict.database_checked
    found = db and verdict.doc_id is not None
    return [
        Check("Chữ ký số đúng, chứng thư số thuộc nơi cấp tin cậy",
              _state(bool(sig.signer) and sig.intact and sig.trusted)),
        Check("Văn bản không bị sửa đổi sau khi ký",
              _state(bool(sig.signer) and sig.intact and sig.unchanged_since_signing)),
        Check("Khớp với bản đã cấp lưu trong cơ sở dữ liệu ngành",
              _state(verdict.registered and verdict.record_matches) if db else "unknown"),
        Check("Chưa bị thu hồi", _state(not verdict.revoked) if found else "unknown"),
    ]  # fmt: skip


def _state(ok: bool) -> State:
    return "ok" if ok else "fail"


def _headline(verdict: DocumentVerdict) -> Headline:
    if verdict.valid:
        return Headline("ok", "Văn bản hợp lệ",
                        f"Học bạ điện tử số {verdict.doc_id} đúng là bản đã cấp và còn hiệu lực")  # fmt: skip
    if verdict.signature.valid and verdict.revoked:
        successor = f" Văn bản thay thế: {verdict.successor}." if verdict.successor else ""
        return Headline("warn", "Văn bản đã bị thu hồi",
                        f"Văn bản số {verdict.doc_id} không còn hiệu lực.{successor}")  # fmt: skip
    if verdict.signature.valid and not verdict.database_checked:
        return Headline("warn", "Chưa đối chiếu được",
                        "Chữ ký số hợp lệ nhưng chưa đối chiếu được với cơ sở dữ liệu ngành; "
                        "vui lòng thử lại sau")  # fmt: skip
    return Headline("error", "Văn bản không hợp lệ",
                    "Không dùng bản này; xem các mục không đạt bên dưới")  # fmt: skip


# ---------------------------------------------------------------- QR URL


@router.get(PREFIX + "/{doc_id}")
def qr_status(request: Request, doc_id: str, h: str = "") -> Response:
    refused = _rate_limited(request)
    if refused is not None:
        return refused
    try:
        row = _issued(request, doc_id) if _DOC_ID.fullmatch(doc_id) else None
    except HocbaError as exc:
        log.warning("public status lookup failed: %s", type(exc).__name__)
        return _unavailable(request)
    if row is None:
        log.info("public verification: link outcome=unknown")
        return _error(request, 404, "Không tìm thấy văn bản",
                      "Không có học bạ điện tử nào được cấp với số văn bản này. Hãy kiểm tra lại "
                      "đường dẫn hoặc quét lại mã QR trên văn bản.")  # fmt: skip
    matched = _hash_matches(h, row["record_sha256"])
    log.info("public verification: link outcome=%s", "found" if matched else "mismatch")
    return render(request, "public_status.html", status_context(row, matched))


def _issued(request: Request, doc_id: str) -> dict[str, Any] | None:
    """Status, date, signing unit, check hash and successor of one document number."""
    with pool(request).tx() as conn:
        row = conn.execute(
            "SELECT d.status, d.signed_at, d.signer, d.record_sha256, (SELECT s.doc_id FROM"
            " hocba.issued_document s WHERE s.replaces = d.doc_id) FROM hocba.issued_document d"
            " WHERE d.doc_id = %s",
            (doc_id,),
        ).fetchone()
    if row is None:
        return None
    keys = ("status", "signed_at", "signer", "record_sha256", "successor")
    return {"doc_id": doc_id, **dict(zip(keys, row, strict=True))}


def _hash_matches(given: str, record_sha256: str | None) -> bool:
    given = given.strip().lower()
    if record_sha256 is None or not _CHECK_HASH.fullmatch(given):
        return False
    return hmac.compare_digest(given, record_sha256[: len(given)])


def status_context(row: dict[str, Any], matched: bool) -> dict[str, Any]:
    """Only the status of the document number; nothing when the check hash does not match."""
    if not matched:
        return {"matched": False, "doc_id": row["doc_id"]}
    signed_at: dt.datetime = row["signed_at"]
    return {
        "matched": True,
        "doc_id": row["doc_id"],
        "revoked": row["status"] == "revoked",
        "successor": row["successor"],
        "issued_on": f"{signed_at.astimezone(_VIETNAM):%d/%m/%Y}",
        "issuer": row["signer"],
    }
