"""Pages and form posts of the review app (every POST checks the session's CSRF token)."""

from __future__ import annotations

import time
from typing import Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from review import accounts, images, service, store
from review.app import (
    LOGIN_CSRF_COOKIE,
    SESSION_COOKIE,
    CsrfRefused,
    can_read_audit,
    config,
    login_csrf,
    pool,
    posted,
    render,
    set_session_cookie,
    who,
)
from review.db import Conn
from review.security import Account, same_token
from review.store import scope_sql

router = APIRouter()
COUNTS_TTL = 15.0  # seconds
_COUNTS: dict[tuple[object, ...], tuple[float, int, dict[str, int]]] = {}


def _see(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def _safe_next(target: str | None) -> str:
    """Only a local path: no scheme, no host, no backslash tricks (no open redirect)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


# ---------------------------------------------------------------- log-in


@router.get("/login")
def login_page(request: Request, next: str = "/", error: str = "") -> Response:
    token = login_csrf(request)
    response = render(request, "login.html", {"csrf": token, "next": next, "error": error})
    response.set_cookie(LOGIN_CSRF_COOKIE, token, httponly=True, samesite="strict",
                        secure=config(request).secure_cookies, path="/login")  # fmt: skip
    return response


@router.post("/login")
async def login_post(request: Request) -> Response:
    form = {k: str(v) for k, v in (await request.form()).items()}
    if not same_token(form.get("csrf"), request.cookies.get(LOGIN_CSRF_COOKIE)):
        raise CsrfRefused()
    result = accounts.login(pool(request), form.get("username", ""), form.get("password", ""))
    target = _safe_next(form.get("next"))
    if isinstance(result, str):
        message = "locked" if result == "locked" else "bad"
        return _see("/login?" + urlencode({"next": target, "error": message}))
    response = _see(target)
    set_session_cookie(request, response, result[1])
    return response


@router.post("/logout")
async def logout(request: Request) -> Response:
    user, _ = await posted(request)
    accounts.logout(pool(request), user.token, user.account.username)
    response = _see("/login")
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


# ---------------------------------------------------------------- queue


@router.get("/")
def home(request: Request) -> Response:
    who(request)
    return _see("/queue")


@router.get("/queue")
def queue(
    request: Request, batch: str = "", school: str = "", year: str = "", reason: str = "",
    age: int = 0, after: str = "",
) -> Response:  # fmt: skip
    user = who(request)
    f = store.QueueFilter(batch, school, year, reason, max(0, age), after)
    with pool(request).tx() as conn:
        rows = store.queue_page(conn, user.account, f)
        total, counts = _counts(conn, user.account, f)
    query = {"batch": batch, "school": school, "year": year, "reason": reason, "age": age}
    more = (
        "/queue?" + urlencode({**query, "after": store.cursor_of(rows[-1])})
        if len(rows) == store.PAGE_SIZE
        else None
    )
    links = [(r, n, "/queue?" + urlencode({**query, "reason": r})) for r, n in counts.items()]
    return render(request, "queue.html", {
        "user": user, "rows": rows, "total": total, "counts": counts, "f": f, "more": more,
        "reason_links": links,
    })  # fmt: skip


def _counts(conn: Conn, account: Account, f: store.QueueFilter) -> tuple[int, dict[str, int]]:
    """Counters per reason, kept COUNTS_TTL seconds per scope and filter: counting 100,000
    open items costs ~150 ms, the page itself a few ms, so counts may lag a few seconds."""
    key = (scope_sql(account)[1].__repr__(), f.batch, f.school, f.school_year, f.min_age_days)
    now = time.monotonic()
    hit = _COUNTS.get(key)
    if hit is None or hit[0] < now:
        hit = (now + COUNTS_TTL, *store.reason_counts(conn, account, f))
        _COUNTS[key] = hit
    return hit[1], hit[2]


@router.get("/next")
def next_item(request: Request) -> Response:
    """The first open item this account may work on: its own claims first, then free ones."""
    user = who(request)
    with pool(request).tx() as conn:
        rows = store.queue_page(conn, user.account, store.QueueFilter(), limit=200)
    for row in rows:
        if row["status"] == "pending" or row["claimed_by"] == user.account.username:
            return _see(f"/b/{quote(row['document_id'])}")
    return _see("/queue")


# ---------------------------------------------------------------- booklet


@router.get("/b/{document_id}")
def booklet(request: Request, document_id: str, msg: str = "") -> Response:
    user = who(request)
    b = service.open_booklet(pool(request), user.account, document_id)
    pages = _pages(request, b)
    return render(request, "booklet.html", {
        "user": user, "b": b, "doc": b.record.to_contract(), "pages": pages, "msg": msg,
    })  # fmt: skip


def _pages(request: Request, b: service.Booklet) -> list[dict[str, Any]]:
    """Page images that exist, with the boxes of flagged fields (SVG overlay)."""
    flagged = {f.path for f in b.fields}
    out = []
    for page in range(1, b.record.source.page_count + 1):
        image = images.page_image(config(request).store, b.record.document_id, page)
        if image is None:
            continue
        w, h = images.page_size(image)
        boxes = [
            {"box": r.box, "flagged": r.path in flagged, "path": r.path}
            for r in b.readings
            if r.page == page and r.box is not None
        ]
        out.append({"page": page, "w": w, "h": h, "boxes": boxes})
    return sorted(out, key=lambda p: not any(b["flagged"] for b in p["boxes"]))  # flagged first


@router.get("/b/{document_id}/page/{page}.jpg")
def page_image(request: Request, document_id: str, page: int) -> Response:
    user = who(request)
    service.peek(pool(request), user.account, document_id, {"page": page})  # 404 outside scope
    image = images.page_image(config(request).store, document_id, page)
    if image is None:
        raise service.NotFound("no page image", hint="extraction did not keep page images")
    return Response(image, media_type="image/jpeg")


@router.get("/b/{document_id}/crop/{index}.png")
def crop_image(request: Request, document_id: str, index: int) -> Response:
    user = who(request)
    b = service.peek(pool(request), user.account, document_id, {"crop": index})
    if not 0 <= index < len(b.readings):
        raise service.NotFound("no such reading", hint="reload the page")
    reading = b.readings[index]
    image = images.page_image(config(request).store, document_id, reading.page)
    crop = images.crop_png(image, reading) if image else None
    if crop is None:
        raise service.NotFound("no crop", hint="the reading has no box or page image")
    return Response(crop, media_type="image/png")


@router.post("/b/{document_id}/edit")
async def edit(request: Request, document_id: str) -> Response:
    user, form = await posted(request)
    path = form.get("field", "")
    service.edit_field(pool(request), user.account, document_id, path, form.get("value", ""))
    return _see(f"/b/{quote(document_id)}?" + urlencode({"msg": "saved", "after": path}))


@router.post("/b/{document_id}/link")
async def link(request: Request, document_id: str) -> Response:
    user, form = await posted(request)
    service.choose_candidate(pool(request), user.account, document_id, form.get("personal_id", ""))
    return _see(f"/b/{quote(document_id)}?msg=linked")


@router.post("/b/{document_id}/decide")
async def decide(request: Request, document_id: str) -> Response:
    user, form = await posted(request)
    state = service.decide(
        pool(request), user.account, document_id, form.get("action", ""),
        form.get("reason", ""), as_printed=form.get("as_printed") == "1",
    )  # fmt: skip
    if state == "awaiting":
        return _see(f"/b/{quote(document_id)}?msg=awaiting")
    return _see("/next")


@router.post("/b/{document_id}/send-back")
async def send_back(request: Request, document_id: str) -> Response:
    user, _ = await posted(request)
    service.send_back(pool(request), user.account, document_id)
    return _see("/queue")


# ---------------------------------------------------------------- four eyes and audit results


@router.get("/confirmations")
def confirmations(request: Request) -> Response:
    user = who(request)
    with pool(request).tx() as conn:
        rows = store.awaiting(conn, user.account)
    return render(request, "confirmations.html", {"user": user, "rows": rows})


@router.post("/confirmations/{decision_id}")
async def confirm(request: Request, decision_id: int) -> Response:
    user, form = await posted(request)
    service.confirm(pool(request), user.account, decision_id, form.get("accept") == "1")
    return _see("/confirmations")


@router.get("/dashboard")
def dashboard(request: Request) -> Response:
    user = who(request)
    if not can_read_audit(user.account):
        raise service.NotFound("dashboard", hint="auditors, supervisors and admins only")
    with pool(request).tx() as conn:
        results = store.audit_sample_results(conn, user.account)
    rate = results["corrected"] / results["decided"] if results["decided"] else None
    return render(request, "dashboard.html", {"user": user, "r": results, "rate": rate})
