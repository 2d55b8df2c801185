"""Browser tests in Debian's headless Chromium (Playwright): what a steward actually does.

Set HOCBA_SCREENSHOTS=1 to refresh docs/screenshots/ from these runs.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import psycopg
import pytest

from pipelines.publish_step import publish_approved
from pipelines.settings import REPO_ROOT
from tests.conftest import PgCluster
from tests.pipelines.test_publish_step import _store_scans
from tests.review.conftest import PASSWORD, ReviewEnv

pytestmark = pytest.mark.slow
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]  # fmt: skip
SHOTS = REPO_ROOT / "docs" / "screenshots"


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield chromium
        chromium.close()


def _login(browser: Any, base: str, username: str) -> Any:
    page = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="vi-VN").new_page()
    page.goto(f"{base}/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/queue")
    return page


def _shot(page: Any, name: str) -> None:
    if os.environ.get("HOCBA_SCREENSHOTS"):
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / name), full_page=False)


def _queue_status(env: ReviewEnv, document_id: str) -> tuple[str, str | None]:
    with psycopg.connect(env.admin_dsn) as conn:
        row = conn.execute(
            "SELECT status, decided_by FROM hocba.review_queue WHERE document_id = %s",
            (document_id,),
        ).fetchone()
    assert row is not None
    return str(row[0]), row[1]


def test_fix_flagged_score_approve_and_see_it_published(
    browser: Any, server: str, review_env: ReviewEnv, pg_cluster: PgCluster
) -> None:
    seeded = review_env.district_a[0]
    page = _login(browser, server, "steward.a")
    page.goto(f"{server}/queue")
    assert page.locator(f"text={seeded.document_id}").count() == 1
    _shot(page, "queue.png")
    page.click(f"text={seeded.document_id}")
    page.wait_for_selector("svg rect.flag")  # the page image with the flagged field's box
    assert page.locator("img.crop").count() >= 1
    _shot(page, "booklet.png")
    value = f"{seeded.true_score:.1f}".replace(".", ",")
    keys = 0
    page.wait_for_function(  # the page is ready: the flagged score's input has the focus,
        "(e => e && e.name === 'value' && e.selectionStart === 0"  # its text selected
        " && e.selectionEnd === e.value.length)(document.activeElement)"
    )
    page.keyboard.type(value)
    keys += len(value)
    with page.expect_navigation():
        page.keyboard.press("Enter")  # save: the checks run again
    keys += 1
    assert page.locator("text=Không còn lỗi nào").count() == 1
    page.wait_for_function("document.activeElement && document.activeElement.id === 'approve'")
    with page.expect_navigation():
        page.keyboard.press("Enter")  # the approve button has the focus now
    keys += 1
    assert keys <= 6
    assert _queue_status(review_env, seeded.document_id) == ("approved", "steward.a")
    # The publish DAG's step (tests/dags/test_publish_dag.py runs the DAG itself).
    _store_scans(review_env.store, review_env.admin_dsn, seeded.document_id)
    with ThreadPoolExecutor(1) as pool:  # pyHanko runs its own asyncio loop; Playwright's is here
        run = pool.submit(
            publish_approved, pg_cluster.settings, review_env.dsn, review_env.store, batch="rv-a"
        ).result()
    assert seeded.document_id in {p.document_id for p in run.published}
    page.goto(f"{server}/b/{seeded.document_id}")
    assert page.locator("text=Đã cấp bản số").count() == 1


def test_steward_of_another_district_gets_404(
    browser: Any, server: str, review_env: ReviewEnv
) -> None:
    page = _login(browser, server, "steward.b")
    response = page.goto(f"{server}/b/{review_env.district_a[0].document_id}")
    assert response is not None and response.status == 404
    response = page.goto(f"{server}/b/{review_env.district_b[0].document_id}")
    assert response is not None and response.status == 200


def test_post_without_csrf_token_is_refused(
    browser: Any, server: str, review_env: ReviewEnv
) -> None:
    page = _login(browser, server, "steward.b")
    doc = review_env.district_b[1].document_id
    page.goto(f"{server}/b/{doc}")
    response = page.request.post(f"{server}/b/{doc}/decide", form={"action": "approve"})
    assert response.status == 403
    assert _queue_status(review_env, doc)[0] == "claimed"


def test_supervisor_confirms_an_identity_change(
    browser: Any, server: str, review_env: ReviewEnv
) -> None:
    seeded = review_env.district_a[1]  # its name was misread: no registry match
    steward = _login(browser, server, "steward.a")
    steward.goto(f"{server}/b/{seeded.document_id}")
    name_form = steward.locator("form.edit:has(input[value='student.full_name'])").first
    name_form.locator("input[name=value]").fill(seeded.full_name)
    with steward.expect_navigation():
        name_form.locator("input[name=value]").press("Enter")
    assert steward.locator("table.identity th", has_text=f"{seeded.personal_id} ✓").count() == 1
    score_form = steward.locator("form.edit:has(input[value='years[0].subjects[0].year'])")
    score_form.locator("input[name=value]").fill(f"{seeded.true_score:.1f}")
    with steward.expect_navigation():
        score_form.locator("input[name=value]").press("Enter")
    with steward.expect_navigation():
        steward.click("#approve")
    assert steward.locator("text=chờ giám sát xác nhận").count() >= 1
    assert _queue_status(review_env, seeded.document_id)[0] == "claimed"

    other = _login(browser, server, "steward.a2")  # a steward cannot confirm
    assert other.goto(f"{server}/confirmations") is not None
    assert other.locator("button", has_text="Xác nhận").count() == 0

    supervisor = _login(browser, server, "super.a")
    supervisor.goto(f"{server}/confirmations")
    row = supervisor.locator("tr", has_text=seeded.document_id)
    with supervisor.expect_navigation():
        row.locator("button", has_text="Xác nhận").click()
    assert _queue_status(review_env, seeded.document_id) == ("approved", "super.a")
