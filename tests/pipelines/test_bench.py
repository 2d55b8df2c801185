"""The bench's field comparison on hand-made contract records (no OCR)."""

from __future__ import annotations

import copy
from typing import Any

from pipelines.bench import compare, covers

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
