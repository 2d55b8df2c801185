"""Queue benchmark: server time of the queue page and the booklet view with N pending booklets.

    HOCBA_STATE_DIR=/tmp/hocba-bench HOCBA_PG_PORT=55432 python -m review.bench --pending 100000

Fills the database once (idempotent) with N pending booklets spread over 10 districts and 50
schools, each a full synthetic THCS record with flags; then times requests through the real app
in-process (ASGI, no network) as a district steward and prints p50/p95 per page.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import statistics
import time
from collections.abc import Callable
from typing import Any

from domain.record import Source, Student, SubjectResult, TranscriptRecord, YearPage
from review.db import Pool

PROVINCE = "Tỉnh Đo Tải"
DISTRICTS = 10
SCHOOLS = 50
PASSWORD = "bench-password-not-secret"
SUBJECTS = ("Toán", "Vật lí", "Hóa học", "Sinh học", "Ngữ văn", "Lịch sử", "Địa lí", "Ngoại ngữ",
            "Giáo dục công dân", "Công nghệ", "Thể dục", "Âm nhạc", "Mĩ thuật")  # fmt: skip
REASONS = (
    "{READS_DISAGREE,YEAR_AVG_MISMATCH}", "{LOW_CONFIDENCE}", "{IDENTITY_AMBIGUOUS}",
    "{OVERALL_AVG_MISMATCH,ACADEMIC_MISMATCH}", "{AUDIT_SAMPLE}",
)  # fmt: skip

_BATCHES = """
INSERT INTO hocba.batch (batch_id, source, params, pipeline_version)
SELECT 'bench-' || d, 'bench', jsonb_build_object('province', %(province)s::text,
       'district', 'Huyện ' || d), 'bench' FROM generate_series(1, %(districts)s::int) d
ON CONFLICT DO NOTHING
"""
_EXTRACTIONS = """
INSERT INTO hocba.extraction (document_id, source_sha256, batch_id, family, record, readings,
                              review_status, pipeline_version)
SELECT 'hb-bench-' || i, md5(i::text) || md5('x' || i), 'bench-' || (1 + i %% %(districts)s),
       'THCS-2011', jsonb_set(%(record)s::jsonb, '{document_id}', to_jsonb('hb-bench-' || i)),
       %(readings)s::jsonb, 'needs_review', 'bench'
FROM generate_series(%(start)s::int, %(stop)s::int) i ON CONFLICT DO NOTHING
"""
_QUEUE = """
INSERT INTO hocba.review_queue (document_id, batch_id, reasons, priority, school_name,
                                school_year, created_at)
SELECT 'hb-bench-' || i, 'bench-' || (1 + i %% %(districts)s),
       ((%(reasons)s::text[])[1 + (i / 7) %% 5])::text[], CASE WHEN i %% 17 = 0 THEN 10 ELSE 0 END,
       'Trường THCS Số ' || (1 + i %% %(schools)s), (2010 + i %% 10) || '-' || (2011 + i %% 10),
       now() - make_interval(mins => i %% 43200)
FROM generate_series(%(start)s::int, %(stop)s::int) i ON CONFLICT DO NOTHING
"""


def fill(pool: Pool, pending: int) -> int:
    """Add bench booklets until `pending` exist; returns how many were added."""
    with pool.tx() as conn:
        row = conn.execute(
            "SELECT count(*) FROM hocba.review_queue WHERE batch_id LIKE 'bench-%'"
        ).fetchone()
    have = int(row[0]) if row else 0
    record, readings = _template()
    for start in range(have + 1, pending + 1, 10_000):
        stop = min(pending, start + 9_999)
        params = {"province": PROVINCE, "districts": DISTRICTS, "record": record,
                  "readings": readings, "start": start, "stop": stop,
                  "reasons": list(REASONS), "schools": SCHOOLS}  # fmt: skip
        with pool.tx() as conn:
            for statement in (_BATCHES, _EXTRACTIONS, _QUEUE):
                conn.execute(statement, params)
        print(f"  {stop} / {pending} pending booklets", flush=True)
    with pool.tx() as conn:
        conn.execute("ANALYZE hocba.review_queue")
    return max(0, pending - have)


def _template() -> tuple[str, str]:
    """A THCS booklet of realistic size (4 year pages, 13 subjects), one score flagged."""
    rng = random.Random(7)
    years = []
    for k, grade in enumerate(range(6, 10)):
        subjects = []
        for name in SUBJECTS:
            hk1, hk2 = round(rng.uniform(5, 9.5), 1), round(rng.uniform(5, 9.5), 1)
            subjects.append(SubjectResult(name=name, hk1=hk1, hk2=hk2,
                                          year=round((hk1 + 2 * hk2) / 3, 1)))  # fmt: skip
        years.append(YearPage(page=k + 2, school_year=f"{2015 + k}-{2016 + k}", grade=grade,
                              class_name=f"{grade}A1", school_name="Trường THCS Số 1",
                              regulation="TT58", subjects=subjects, absences=2))  # fmt: skip
    student = Student(full_name="Nguyễn Thị Đo Tải", gender="Nữ", date_of_birth="2004-05-06")
    record = TranscriptRecord(document_id="hb-bench-0", family="THCS-2011", student=student,
                              source=Source(file="bench.tif", sha256="0" * 64, page_count=5),
                              years=years)  # fmt: skip
    doc = record.to_contract()
    doc["review"] = {"status": "needs_review", "flags": [{
        "field": "years[0].subjects[0].year", "code": "READS_DISAGREE",
        "message": "Các lần đọc ô này không khớp nhau.", "severity": "error"}]}  # fmt: skip
    reading = [{"path": "years[0].subjects[0].year", "page": 2, "box": [300, 400, 60, 30],
                "raw": "9,9 | 8,0", "confidence": 41.0}]  # fmt: skip
    return json.dumps(doc, ensure_ascii=False), json.dumps(reading)


def _account(pool: Pool) -> None:
    from review import accounts

    names = {a.username for a in accounts.list_accounts(pool)}
    if "bench.steward" not in names:
        accounts.add_account(pool, "bench.steward", "Bench", "steward", PASSWORD,
                             province=PROVINCE, district="Huyện 1")  # fmt: skip
    if "bench.province" not in names:
        accounts.add_account(pool, "bench.province", "Bench", "supervisor", PASSWORD,
                             province=PROVINCE)  # fmt: skip


def _times(call: Callable[[], int], n: int) -> tuple[float, float]:
    samples = []
    for _ in range(n):
        t0 = time.perf_counter()
        status = call()
        samples.append((time.perf_counter() - t0) * 1000)
        if status != 200:
            raise SystemExit(f"request failed with HTTP {status}")
    samples.sort()
    return statistics.median(samples), samples[int(0.95 * (len(samples) - 1))]


def _client(app: Any, username: str) -> Any:
    from fastapi.testclient import TestClient

    client = TestClient(app)
    csrf = client.get("/login").text.split('name="csrf" value="', 1)[1].split('"', 1)[0]
    client.post("/login", data={"csrf": csrf, "username": username, "password": PASSWORD})
    return client


def _uncached_counts(pool: Pool) -> int:
    """What the queue page pays every COUNTS_TTL seconds per scope and filter."""
    from review import accounts, store

    account = next(a for a in accounts.list_accounts(pool) if a.username == "bench.province")
    with pool.tx() as conn:
        store.reason_counts(conn, account, store.QueueFilter())
    return 200


def run(dsn: str, pending: int, n: int) -> dict[str, tuple[float, float]]:
    from review.app import ReviewConfig, create_app

    pool = Pool(dsn)
    added = fill(Pool(dsn, size=1, role=None), pending)  # the pipeline's role writes the queue
    _account(pool)
    print(f"data: {pending} pending bench booklets ({added} added now)")
    app = create_app(ReviewConfig(dsn, secure_cookies=False))
    steward, province = _client(app, "bench.steward"), _client(app, "bench.province")
    more = re.search(r'href="/queue\?([^"]*after=[^"]*)">Trang sau', steward.get("/queue").text)
    after = more.group(1).replace("&amp;", "&") if more else ""
    docs = iter(f"hb-bench-{i}" for i in range(DISTRICTS, pending + 1, DISTRICTS))  # Huyện 1
    results = {
        "queue, district (1/10)": _times(lambda: steward.get("/queue").status_code, n),
        "queue, district, reason": _times(
            lambda: steward.get("/queue?reason=LOW_CONFIDENCE").status_code, n),
        "queue, district, page 2": _times(lambda: steward.get(f"/queue?{after}").status_code, n),
        "queue, whole province": _times(lambda: province.get("/queue").status_code, n),
        "booklet view": _times(lambda: steward.get(f"/b/{next(docs)}").status_code, n),
        "counters, province, uncached": _times(lambda: _uncached_counts(pool), n),
    }  # fmt: skip
    pool.close()
    return results


def main(argv: list[str] | None = None) -> int:
    from pipelines.batch import database_dsn
    from pipelines.settings import load_settings

    parser = argparse.ArgumentParser(prog="python -m review.bench")
    parser.add_argument("--pending", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=50)
    args = parser.parse_args(argv)
    results = run(database_dsn(load_settings()), args.pending, args.requests)
    print(f"{'page':<28}{'p50 ms':>10}{'p95 ms':>10}")
    for name, (p50, p95) in results.items():
        print(f"{name:<28}{p50:>10.1f}{p95:>10.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
