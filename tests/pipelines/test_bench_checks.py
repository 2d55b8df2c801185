"""`hocba bench-checks` end to end on a small archive: real PostgreSQL, GX, rules, routing."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from pipelines.bench_checks import _parse, fields, poisson_interval, run
from synth.content import make_records
from tests.conftest import PgCluster

DB = "hocba_bench_checks_test"


@pytest.fixture(scope="module")
def dsn(pg_cluster: PgCluster) -> str:
    return pg_cluster.migrated_database(DB)


def _figure(lines: list[str], label: str) -> tuple[float, int, int]:
    line = next(x for x in lines if x.startswith(label))
    match = re.search(r"([\d.]+) % \((\d+)/(\d+)\)", line)
    assert match, line
    return float(match[1]), int(match[2]), int(match[3])


@pytest.mark.slow
def test_small_benchmark_reports_every_figure(dsn: str, tmp_path: Path) -> None:
    args = _parse(["--booklets", "60", "--registry-rows", "1800", "--error-rate", "0.01"])
    args.check_sample = 30
    lines = run(args, dsn, tmp_path)
    text = "\n".join(lines)
    for label in (
        "Registry load",
        "Linking 60 booklets against",
        "Linking precision",
        "Linking recall",
        "Wrong fields caught",
        "Booklets sent to review",
        "per 10,000 fields",
    ):
        assert label in text
    precision, correct, linked = _figure(lines, "Linking precision")
    assert linked > 0 and "(0 wrong auto-links)" in text  # target: never a wrong auto-link
    recall, _, present = _figure(lines, "Linking recall")
    assert present >= 50 and recall >= 85.0
    caught, _, wrong = _figure(lines, "Wrong fields caught")
    assert wrong > 0 and caught >= 60.0


def test_fields_are_content_leaves_only() -> None:
    (record,) = make_records(4, 1)
    paths = fields(record)
    assert "student.full_name" in paths and "years[0].school_year" in paths
    assert not any(
        p.startswith(("source", "identity_link", "review", "document_id")) for p in paths
    )
    assert all(v is not None for v in paths.values())


def test_injected_ocr_errors_are_of_the_promised_kinds() -> None:
    import random

    from synth.content import inject_ocr_errors

    truth = make_records(6, 40)
    rng = random.Random(1)
    noisy = [inject_ocr_errors(rng, r, 0.05) for r in truth]
    kinds: set[str] = set()
    for t, n in zip(truth, noisy, strict=True):
        expected, got = fields(t), fields(n)
        assert expected.keys() == got.keys()  # values change, fields never vanish
        for path, value in got.items():
            if value != expected[path]:
                kinds.add(_kind(expected[path], value))
    assert {"digit slip", "dropped decimal", "lost diacritics"} <= kinds


def _kind(before: object, after: object) -> str:
    if isinstance(before, float) and isinstance(after, float) and after == round(before * 10, 1):
        return "dropped decimal"
    if isinstance(before, str) and isinstance(after, str) and not any(c.isdigit() for c in after):
        return "lost diacritics"
    return "digit slip"


def test_identity_only_booklets_match_the_whole_ones() -> None:
    from synth.content import iter_identities, iter_records

    whole = list(iter_records(8, 120))
    assert whole == make_records(8, 120)  # make_records is iter_records, unchanged
    light = list(iter_identities(8, 120))
    assert [r.student for r in light] == [r.student for r in whole]
    assert [r.identity_link for r in light] == [r.identity_link for r in whole]
    assert all(r.years == [] for r in light)


@pytest.mark.parametrize(
    ("count", "exact"),  # Garwood's exact 95 % limits (chi-square quantiles)
    [(0, (0.0, 3.689)), (10, (4.795, 18.390)), (38, (26.891, 52.157)), (175, (150.03, 202.94))],
)
def test_poisson_interval_is_close_to_the_exact_one(count: int, exact: tuple[float, float]) -> None:
    low, high = poisson_interval(count)
    assert low == pytest.approx(exact[0], rel=0.02, abs=1e-9)
    assert high == pytest.approx(exact[1], rel=0.02)
