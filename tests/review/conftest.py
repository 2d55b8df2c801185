"""Review workbench fixtures: seeded queue in two districts, accounts, a live app server."""

from __future__ import annotations

import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import uvicorn

from pipelines.storage import LocalStore
from review import accounts
from review.app import ReviewConfig, create_app
from review.db import Pool
from tests.conftest import free_port
from tests.review.seed import Seeded, seed_batch

PASSWORD = "mat-khau-thu-nghiem-1"
PROVINCE = "Tỉnh Thử"


@dataclass(frozen=True)
class ReviewEnv:
    dsn: str
    admin_dsn: str
    store: LocalStore
    district_a: list[Seeded]
    district_b: list[Seeded]
    pool: Pool


@pytest.fixture(scope="session")
def review_env(pg_dsn: str, pg_admin_dsn: str) -> Iterator[ReviewEnv]:
    tmp = Path(tempfile.mkdtemp(prefix="hocba-review-"))
    store = LocalStore(tmp / "objects")
    a = seed_batch(pg_dsn, store, "rv-a", province=PROVINCE, district="Huyện A", count=6,
                   seed=41, tmp=tmp, with_images=2,
                   misread_names=(1,))  # fmt: skip
    b = seed_batch(pg_dsn, None, "rv-b", province=PROVINCE, district="Huyện B", count=2,
                   seed=42, tmp=tmp)  # fmt: skip
    pool = Pool(pg_dsn)
    for name, role, district in (
        ("steward.a", "steward", "Huyện A"),
        ("steward.a2", "steward", "Huyện A"),
        ("steward.b", "steward", "Huyện B"),
        ("super.a", "supervisor", "Huyện A"),
        ("locked.a", "steward", "Huyện A"),
    ):
        accounts.add_account(pool, name, f"Cán bộ {name}", role, PASSWORD, province=PROVINCE,
                             district=district)  # fmt: skip
    accounts.add_account(pool, "auditor", "Kiểm toán", "auditor", PASSWORD)
    yield ReviewEnv(pg_dsn, pg_admin_dsn, store, a, b, pool)
    pool.close()


@pytest.fixture(scope="session")
def server(review_env: ReviewEnv) -> Iterator[str]:
    """The app under uvicorn on a free 127.0.0.1 port, in a thread."""
    port = free_port()
    app = create_app(ReviewConfig(review_env.dsn, secure_cookies=False, store=review_env.store))
    srv = uvicorn.Server(
        uvicorn.Config(
            app, host="127.0.0.1", port=port, log_level="warning", timeout_graceful_shutdown=1
        )
    )
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not srv.started:
        if time.monotonic() > deadline:
            raise RuntimeError("review app did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(timeout=10)


def login(base: str, username: str, password: str = PASSWORD) -> httpx.Client:
    """An HTTP client logged in through the form (CSRF cookie + field)."""
    client = httpx.Client(base_url=base, follow_redirects=False, timeout=20)
    page = client.get("/login")
    csrf = page.text.split('name="csrf" value="', 1)[1].split('"', 1)[0]
    done = client.post("/login", data={"csrf": csrf, "username": username,
                                       "password": password, "next": "/queue"})  # fmt: skip
    assert done.status_code == 303
    return client


def csrf_of(html: str) -> str:
    return html.split('name="csrf" value="', 1)[1].split('"', 1)[0]
