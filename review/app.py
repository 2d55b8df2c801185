"""The stewards' web app: FastAPI with server-rendered Jinja2 pages (Vietnamese, keyboard-first).

Security: argon2 passwords with lock-out, an HttpOnly SameSite=Strict session cookie (Secure
over https), a per-session CSRF token checked on every POST, out-of-scope booklets are 404.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from domain.errors import HocbaError
from pipelines.storage import ObjectStore
from review import accounts, images, service, store
from review.db import Pool
from review.security import AUDIT_READERS, Account, ReviewError, new_token, same_token

HERE = Path(__file__).resolve().parent
SESSION_COOKIE = "hocba_session"
LOGIN_CSRF_COOKIE = "hocba_login_csrf"
_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self'; style-src 'self';"
    " script-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


@dataclass(frozen=True)
class ReviewConfig:
    dsn: str
    secure_cookies: bool = True  # False only for plain-http development and tests
    store: ObjectStore | None = None  # page images (pages/<document_id>/<page>.png)


class LoginRequired(Exception):
    pass


class CsrfRefused(Exception):
    pass


@dataclass(frozen=True)
class Who:
    account: Account
    csrf: str
    token: str


def create_app(config: ReviewConfig) -> FastAPI:
    app = FastAPI(title="hocba review", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.pool = Pool(config.dsn)
    app.state.config = config
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    templates = Jinja2Templates(directory=HERE / "templates")
    app.state.templates = templates
    _handlers(app, templates)
    from review import public, routes

    app.include_router(routes.router)
    app.include_router(public.router)  # the public verification page: no log-in

    @app.middleware("http")
    async def headers(request: Request, call_next: Any) -> Response:
        response: Response = await call_next(request)
        for key, value in _HEADERS.items():
            response.headers.setdefault(key, value)
        return response

    return app


def _handlers(app: FastAPI, templates: Jinja2Templates) -> None:
    @app.exception_handler(LoginRequired)
    def to_login(request: Request, exc: LoginRequired) -> Response:
        target = "/login?" + urlencode({"next": request.url.path})
        return RedirectResponse(target, status_code=303)

    @app.exception_handler(CsrfRefused)
    def csrf_refused(request: Request, exc: CsrfRefused) -> Response:
        return HTMLResponse("<h1>403 – Yêu cầu không hợp lệ (thiếu mã CSRF)</h1>", status_code=403)

    @app.exception_handler(service.NotFound)
    def not_found(request: Request, exc: service.NotFound) -> Response:
        return HTMLResponse("<h1>404 – Không tìm thấy</h1>", status_code=404)

    @app.exception_handler(HocbaError)
    def refused(request: Request, exc: HocbaError) -> Response:
        status = 400 if isinstance(exc, ReviewError) else 503
        message = str(exc.args[0]) if exc.args else "Lỗi"
        return templates.TemplateResponse(
            request, "error.html", {"message": message, "back": _back(request.url.path)},
            status_code=status,
        )  # fmt: skip


def _back(path: str) -> str:
    """Where to go after a refused action: the booklet it was about, else the queue."""
    parts = path.split("/")
    return f"/b/{quote(parts[2])}" if len(parts) > 3 and parts[1] == "b" else "/queue"


def pool(request: Request) -> Pool:
    return request.app.state.pool


def config(request: Request) -> ReviewConfig:
    return request.app.state.config


def who(request: Request) -> Who:
    """The logged-in account, or a redirect to the login page."""
    token = request.cookies.get(SESSION_COOKIE)
    found = accounts.session(pool(request), token) if token else None
    if found is None or token is None:
        raise LoginRequired()
    return Who(found[0], found[1], token)


async def posted(request: Request) -> tuple[Who, dict[str, str]]:
    """The account and form of a POST, after checking the session's CSRF token."""
    user = who(request)
    form = {k: str(v) for k, v in (await request.form()).items()}
    if not same_token(form.get("csrf"), user.csrf):
        raise CsrfRefused()
    return user, form


def render(request: Request, name: str, context: dict[str, Any], status: int = 200) -> Response:
    templates: Jinja2Templates = request.app.state.templates
    return templates.TemplateResponse(request, name, context, status_code=status)


def set_session_cookie(request: Request, response: Response, token: str) -> None:
    response.set_cookie(
        SESSION_COOKIE, token, httponly=True, samesite="strict",
        secure=config(request).secure_cookies, path="/",
    )  # fmt: skip


def login_csrf(request: Request) -> str:
    return request.cookies.get(LOGIN_CSRF_COOKIE) or new_token()


def can_read_audit(account: Account) -> bool:
    return account.role in AUDIT_READERS


__all__ = ["ReviewConfig", "create_app", "images", "store"]
