"""The review app over real HTTP against real PostgreSQL: log-in, scope, CSRF, edit, decide."""

from __future__ import annotations

from pathlib import Path

import httpx
import psycopg

from review.audit import verify_chain
from review.db import audit_rows
from tests.review.conftest import PASSWORD, PROVINCE, ReviewEnv, csrf_of, login
from tests.review.seed import SCORE_PATH, seed_batch


def test_session_cookie_is_httponly_and_strict(server: str, review_env: ReviewEnv) -> None:
    client = httpx.Client(base_url=server)
    csrf = csrf_of(client.get("/login").text)
    done = client.post("/login", data={"csrf": csrf, "username": "steward.a",
                                       "password": PASSWORD})  # fmt: skip
    cookie = done.headers["set-cookie"].lower()
    assert "hocba_session=" in cookie and "httponly" in cookie and "samesite=strict" in cookie
    assert "content-security-policy" in done.headers


def test_pages_need_a_login(server: str, review_env: ReviewEnv) -> None:
    doc = review_env.district_a[0].document_id
    r = httpx.get(f"{server}/b/{doc}", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/login")


def test_queue_is_scoped_to_the_district(server: str, review_env: ReviewEnv) -> None:
    a_ids = {s.document_id for s in review_env.district_a}
    b_ids = {s.document_id for s in review_env.district_b}
    page_a = login(server, "steward.a").get("/queue").text
    page_b = login(server, "steward.b").get("/queue").text
    assert all(d in page_a for d in a_ids) and not any(d in page_a for d in b_ids)
    assert all(d in page_b for d in b_ids) and not any(d in page_b for d in a_ids)
    assert "YEAR_AVG_MISMATCH" in page_a  # counters per reason


def test_out_of_scope_booklet_is_404(server: str, review_env: ReviewEnv) -> None:
    client = login(server, "steward.b")
    doc = review_env.district_a[5].document_id
    assert client.get(f"/b/{doc}").status_code == 404
    assert client.get(f"/b/{doc}/page/1.jpg").status_code == 404
    assert client.get("/b/hb-does-not-exist").status_code == 404


def test_post_without_csrf_is_refused(server: str, review_env: ReviewEnv) -> None:
    client = login(server, "steward.a2")
    doc = review_env.district_a[4].document_id
    assert client.get(f"/b/{doc}").status_code == 200
    r = client.post(f"/b/{doc}/decide", data={"action": "approve"})
    assert r.status_code == 403
    r = client.post(f"/b/{doc}/decide", data={"action": "approve", "csrf": "forged"})
    assert r.status_code == 403


def test_lockout_after_five_failures(server: str, review_env: ReviewEnv) -> None:
    client = httpx.Client(base_url=server)
    csrf = csrf_of(client.get("/login").text)
    for _ in range(5):
        r = client.post("/login", data={"csrf": csrf, "username": "locked.a", "password": "sai"})
        assert "hocba_session" not in r.headers.get("set-cookie", "")
    r = client.post("/login", data={"csrf": csrf, "username": "locked.a", "password": PASSWORD},
                    follow_redirects=False)  # fmt: skip
    assert "error=locked" in r.headers["location"]
    assert "hocba_session" not in r.headers.get("set-cookie", "")


def test_fix_score_rechecks_and_approves(server: str, review_env: ReviewEnv) -> None:
    seeded = review_env.district_a[3]
    client = login(server, "steward.a")
    html = client.get(f"/b/{seeded.document_id}").text
    assert "READS_DISAGREE" not in html  # messages, not codes, are shown
    assert "không khớp" in html and SCORE_PATH in html
    csrf = csrf_of(html)
    refused = client.post(
        f"/b/{seeded.document_id}/decide", data={"csrf": csrf, "action": "approve"}
    )
    assert refused.status_code == 400  # errors remain
    value = str(seeded.true_score).replace(".", ",")
    r = client.post(f"/b/{seeded.document_id}/edit",
                    data={"csrf": csrf, "field": SCORE_PATH, "value": value})  # fmt: skip
    assert r.status_code == 303
    html = client.get(f"/b/{seeded.document_id}").text
    assert "Không còn lỗi nào" in html
    r = client.post(f"/b/{seeded.document_id}/decide", data={"csrf": csrf, "action": "approve"})
    assert r.status_code == 303 and r.headers["location"] == "/next"
    with psycopg.connect(review_env.admin_dsn) as conn:
        status, by = conn.execute(
            "SELECT status, decided_by FROM hocba.review_queue WHERE document_id = %s",
            (seeded.document_id,),
        ).fetchone()  # type: ignore[misc]
        actions = [r[0] for r in conn.execute(
            "SELECT action FROM hocba.audit_log WHERE document_id = %s ORDER BY seq",
            (seeded.document_id,),
        )]  # fmt: skip
        assert verify_chain(audit_rows(conn)).ok
    assert (status, by) == ("approved", "steward.a")
    assert actions == ["claim", "view", "edit", "view", "approve"]


def test_other_steward_sees_claimed_item_read_only(server: str, review_env: ReviewEnv) -> None:
    doc = review_env.district_a[2].document_id
    login(server, "steward.a").get(f"/b/{doc}")
    other = login(server, "steward.a2")
    assert "Đang xử lý: steward.a" in other.get("/queue").text
    html = other.get(f"/b/{doc}").text
    assert "chỉ xem" in html and 'action="/b/' + doc + '/edit"' not in html
    r = other.post(f"/b/{doc}/edit", data={"csrf": csrf_of(html), "field": SCORE_PATH,
                                           "value": "5"})  # fmt: skip
    assert r.status_code == 400


def test_rejection_needs_a_supervisor_and_audit_sample_shows_on_dashboard(
    server: str, review_env: ReviewEnv, tmp_path: Path
) -> None:
    a, b = seed_batch(review_env.dsn, None, "rv-four", province=PROVINCE, district="Huyện A",
                      count=2, seed=43, tmp=tmp_path)  # fmt: skip
    with psycopg.connect(review_env.admin_dsn, autocommit=True) as conn:
        conn.execute("UPDATE hocba.review_queue SET is_audit = true WHERE document_id = %s",
                     (b.document_id,))  # fmt: skip
    steward = login(server, "steward.a")
    csrf = csrf_of(steward.get(f"/b/{a.document_id}").text)
    r = steward.post(f"/b/{a.document_id}/decide", data={"csrf": csrf, "action": "reject"})
    assert r.status_code == 400  # a rejection needs its reason
    r = steward.post(f"/b/{a.document_id}/decide",
                     data={"csrf": csrf, "action": "reject", "reason": "Trang bị rách"})  # fmt: skip
    assert r.status_code == 303 and "awaiting" in r.headers["location"]
    assert "cần người khác xác nhận" in steward.get("/confirmations").text
    supervisor = login(server, "super.a")
    page = supervisor.get("/confirmations").text
    decision = page.split('action="/confirmations/', 1)[1].split('"', 1)[0]
    r = supervisor.post(f"/confirmations/{decision}", data={"csrf": csrf_of(page), "accept": "0"})
    assert r.status_code == 303
    with psycopg.connect(review_env.admin_dsn) as conn:
        row = conn.execute("SELECT status FROM hocba.review_queue WHERE document_id = %s",
                           (a.document_id,)).fetchone()  # fmt: skip
    assert row == ("claimed",)  # refused: back to the steward

    html = steward.get(f"/b/{b.document_id}").text  # the audit sample: fixed, then approved
    steward.post(f"/b/{b.document_id}/edit", data={"csrf": csrf_of(html), "field": SCORE_PATH,
                                                   "value": str(b.true_score)})  # fmt: skip
    steward.post(f"/b/{b.document_id}/decide", data={"csrf": csrf_of(html), "action": "approve"})
    assert login(server, "steward.b").get("/dashboard").status_code == 404
    board = login(server, "auditor").get("/dashboard").text
    assert "Tỷ lệ lỗi của tự duyệt" in board and "100.0 %" in board


def test_a_linking_choice_needs_a_supervisor(
    server: str, review_env: ReviewEnv, tmp_path: Path
) -> None:
    (seeded,) = seed_batch(review_env.dsn, None, "rv-link", province=PROVINCE,
                           district="Huyện A", count=1, seed=44, tmp=tmp_path)  # fmt: skip
    ambiguous = {"status": "ambiguous", "personal_id": None, "score": 80.0,
                 "candidates": [seeded.personal_id]}  # fmt: skip
    with psycopg.connect(review_env.admin_dsn, autocommit=True) as conn:
        conn.execute(
            "UPDATE hocba.extraction SET record = jsonb_set(record, '{identity_link}', %s)"
            " WHERE document_id = %s",
            (psycopg.types.json.Jsonb(ambiguous), seeded.document_id),
        )
    steward = login(server, "steward.a")
    html = steward.get(f"/b/{seeded.document_id}").text
    assert "Chọn người này" in html and seeded.personal_id in html
    csrf = csrf_of(html)
    steward.post(f"/b/{seeded.document_id}/edit", data={"csrf": csrf, "field": SCORE_PATH,
                                                        "value": str(seeded.true_score)})  # fmt: skip
    r = steward.post(f"/b/{seeded.document_id}/decide", data={"csrf": csrf, "action": "approve"})
    assert r.status_code == 400  # not linked yet: cannot be loaded
    r = steward.post(f"/b/{seeded.document_id}/link",
                     data={"csrf": csrf, "personal_id": seeded.personal_id})  # fmt: skip
    assert r.status_code == 303
    r = steward.post(f"/b/{seeded.document_id}/decide", data={"csrf": csrf, "action": "approve"})
    assert "awaiting" in r.headers["location"]
    with psycopg.connect(review_env.admin_dsn) as conn:
        row = conn.execute(
            "SELECT d.status, q.status FROM hocba.review_decision d JOIN hocba.review_queue q"
            " USING (document_id) WHERE d.document_id = %s",
            (seeded.document_id,),
        ).fetchone()
    assert row == ("awaiting", "claimed")


def test_page_image_views_are_audited(server: str, review_env: ReviewEnv) -> None:
    doc = review_env.district_a[0].document_id
    client = login(server, "super.a")
    r = client.get(f"/b/{doc}/page/2.jpg")
    assert r.status_code == 200 and r.headers["content-type"] == "image/jpeg"
    assert client.get(f"/b/{doc}/crop/0.png").status_code == 200
    with psycopg.connect(review_env.admin_dsn) as conn:
        rows = conn.execute(
            "SELECT detail FROM hocba.audit_log WHERE document_id = %s AND actor = 'super.a'"
            " AND action = 'view_image' ORDER BY seq",
            (doc,),
        ).fetchall()
    assert [r[0] for r in rows] == [{"page": 2}, {"crop": 0}]


def test_no_edits_while_a_decision_awaits_confirmation(
    server: str, review_env: ReviewEnv, tmp_path: Path
) -> None:
    (seeded,) = seed_batch(review_env.dsn, None, "rv-wait", province=PROVINCE,
                           district="Huyện A", count=1, seed=45, tmp=tmp_path)  # fmt: skip
    steward = login(server, "steward.a2")
    csrf = csrf_of(steward.get(f"/b/{seeded.document_id}").text)
    r = steward.post(f"/b/{seeded.document_id}/decide",
                     data={"csrf": csrf, "action": "reject", "reason": "Thiếu trang"})  # fmt: skip
    assert "awaiting" in r.headers["location"]
    html = steward.get(f"/b/{seeded.document_id}").text
    assert f'action="/b/{seeded.document_id}/edit"' not in html
    r = steward.post(f"/b/{seeded.document_id}/edit", data={"csrf": csrf, "field": SCORE_PATH,
                                                           "value": "5"})  # fmt: skip
    assert r.status_code == 400


def test_supervisor_may_release_another_stewards_claim(
    server: str, review_env: ReviewEnv, tmp_path: Path
) -> None:
    (seeded,) = seed_batch(review_env.dsn, None, "rv-release", province=PROVINCE,
                           district="Huyện A", count=1, seed=46, tmp=tmp_path)  # fmt: skip
    doc = seeded.document_id
    login(server, "steward.a").get(f"/b/{doc}")
    other = login(server, "steward.a2")
    r = other.post(f"/b/{doc}/send-back", data={"csrf": csrf_of(other.get(f"/b/{doc}").text)})
    assert r.status_code == 400  # a steward cannot take a colleague's booklet
    supervisor = login(server, "super.a")
    html = supervisor.get(f"/b/{doc}").text
    assert "Thu hồi và trả lại hàng chờ" in html
    assert supervisor.post(f"/b/{doc}/send-back", data={"csrf": csrf_of(html)}).status_code == 303
    with psycopg.connect(review_env.admin_dsn) as conn:
        row = conn.execute("SELECT status, claimed_by FROM hocba.review_queue WHERE"
                           " document_id = %s", (doc,)).fetchone()  # fmt: skip
    assert row == ("pending", None)


def test_login_never_redirects_off_site(server: str, review_env: ReviewEnv) -> None:
    for target in ("https://evil.example/", "//evil.example/", "/\\evil.example/"):
        client = httpx.Client(base_url=server)
        csrf = csrf_of(client.get("/login").text)
        r = client.post("/login", data={"csrf": csrf, "username": "auditor",
                                        "password": PASSWORD, "next": target})  # fmt: skip
        assert r.status_code == 303 and r.headers["location"] == "/"
