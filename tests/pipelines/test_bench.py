"""The bench's field comparison on hand-made contract records (no OCR), and its memory measure."""

from __future__ import annotations

import copy
import multiprocessing
from typing import Any

import numpy as np

from pipelines.bench import _rss_mb, compare, covers

TRUTH: dict[str, Any] = {
    "student": {"full_name": "Lê Văn An", "date_of_birth": "2010-09-05", "guardian_name": None},
    "years": [
        {
            "school_year": "2021-2022",
            "grade": 6,
            "subjects": [
                {"name": "Toán", "hk1": 7.5, "hk2": 8.0, "year": 7.8},
                {"name": "Thể dục", "hk1": "Đ", "hk2": "Đ", "year": "Đ"},
            ],
            "conduct": {"hk1": "Tốt", "hk2": "Tốt", "year": "Tốt"},
        }
    ],
    "review": {"flags": []},
}


def _extracted() -> dict[str, Any]:
    doc = copy.deepcopy(TRUTH)
    doc["student"]["full_name"] = "Lê Văn Ân"  # wrong, not flagged
    doc["student"]["date_of_birth"] = None  # wrong, flagged below
    doc["years"][0]["subjects"] = [  # Toán read with one wrong score; Thể dục missing
        {"name": "Toán", "hk1": 7.5, "hk2": 8, "year": 7.3},
    ]
    doc["review"]["flags"] = [
        {"field": "student.date_of_birth", "code": "X", "message": "", "severity": "error"},
        {"field": "years[0].subjects", "code": "Y", "message": "", "severity": "error"},
    ]
    return doc


def test_compare_counts_matches_flags_and_missing_subjects() -> None:
    rows = {r.key: r for r in compare(TRUTH, _extracted())}
    assert "student.guardian_name" not in rows  # null on both sides is not a field
    assert not rows["student.full_name"].correct and not rows["student.full_name"].flagged
    assert rows["student.full_name"].kind == "name"
    assert rows["student.date_of_birth"].flagged and rows["student.date_of_birth"].kind == "date"
    assert rows["years[0].subjects[Toán].hk2"].correct  # 8 == 8.0
    assert not rows["years[0].subjects[Toán].year"].correct
    assert rows["years[0].subjects[Toán].year"].flagged  # covered by the subjects flag
    missing = [r for k, r in rows.items() if k.startswith("years[0].subjects[Thể dục]")]
    assert len(missing) == 3 and all(not r.correct and r.kind == "mark" for r in missing)
    assert rows["years[0].conduct.year"].correct and rows["years[0].conduct.year"].kind == "rating"
    assert rows["years[0].grade"].kind == "integer" and not rows["years[0].grade"].flagged


def test_failed_extraction_counts_everything_wrong_and_flagged() -> None:
    rows = compare(TRUTH, None)
    assert len(rows) == 2 + 2 + 6 + 3 and all(not r.correct and r.flagged for r in rows)


def test_covers_respects_path_boundaries() -> None:
    assert covers("", "student.full_name")
    assert covers("years[1]", "years[1].subjects[0].hk1")
    assert not covers("years[1]", "years[10].grade")
    assert not covers("student.father", "student.father_name")


def _booklet(doc_id: str, variant: str, handwritten: bool) -> dict[str, Any]:
    return {"document_id": doc_id, "variant": variant, "handwritten": handwritten, "pages": [1, 2]}


def test_report_keeps_handwritten_booklets_out_of_typed_accuracy() -> None:
    from pipelines.bench import WorkerResult, baseline_report, report

    truths = {"a": TRUTH, "b": TRUTH}
    flagged = copy.deepcopy(TRUTH)
    flagged["review"]["flags"] = [{"field": "", "code": "HANDWRITTEN", "message": ""}]
    done = [
        WorkerResult("a", copy.deepcopy(TRUTH), None, 6.0, 300.0),
        WorkerResult("b", flagged, None, 6.0, 420.0),
    ]
    booklets = [_booklet("a", "holdout", False), _booklet("b", "p1", True)]
    text = report(2, booklets, truths, done, wall=10.0)
    assert "Accuracy of typed values (1 booklets, 13 fields" in text
    assert "holdout" in text and "  p1 " not in text  # per variant: typed booklets only
    assert "handwritten: 13 fields in 1 booklets, flagged 100.0%" in text
    assert "pages/min per core (CPU)         20.0" in text  # 4 pages in 12 CPU seconds
    assert "peak RSS per worker               420 MB" in text
    base = [({"student.full_name": "Lê Văn An"}, 3.0)]
    lines = baseline_report(booklets[:1], truths, done, base)
    assert "40.0 vs 20.0" in lines  # 2 pages in 3 s against 2 pages in 6 s
    assert "student.full_name             100.0% vs  100.0%" in lines


def _child_peak(_: int) -> float:
    return _rss_mb()


def test_a_spawned_workers_peak_memory_is_its_own_not_its_parents() -> None:
    """Linux carries `ru_maxrss` over an exec: a worker spawned by a big parent would report
    the parent's peak as its own."""
    ballast = np.ones(300 * 1024 * 1024 // 8)  # 300 MB touched in this (the parent) process
    with multiprocessing.get_context("spawn").Pool(1) as pool:
        (child,) = pool.map(_child_peak, [0])
    assert ballast.sum() > 0
    assert child < 200  # a bare interpreter with the bench module: tens of MB
    assert _rss_mb() > 300
