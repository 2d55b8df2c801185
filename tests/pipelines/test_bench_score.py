"""`hocba bench-score`: routed records scored against the generator's truth."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pipelines.bench_score import score
from synth.content import make_records


def _write(folder: Path, name: str, doc: dict[str, Any]) -> None:
    folder.mkdir(exist_ok=True)
    (folder / f"{name}.json").write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")


def _flag(code: str, severity: str = "error") -> dict[str, str]:
    return {"field": "", "code": code, "message": "-", "severity": severity}


def test_wrong_values_let_through_and_review_reasons_are_counted(tmp_path: Path) -> None:
    truths = [r.to_contract() for r in make_records(3, 4)]
    records, truth_dir = tmp_path / "records", tmp_path / "truth"
    statuses = [
        ("auto_approved", []),
        ("auto_approved", []),
        ("needs_review", [_flag("AUDIT_SAMPLE", "info")]),
        ("needs_review", [_flag("READS_DISAGREE"), _flag("VALUE_REPAIRED", "info")]),
    ]
    for i, (truth, (status, flags)) in enumerate(zip(truths, statuses, strict=True)):
        name = f"scan-{i}"
        _write(truth_dir, name, truth)
        record = json.loads(json.dumps(truth))
        record["source"]["file"] = f"{name}.tif"
        record["review"] = {"status": status, "flags": flags}
        if i == 1:
            record["student"]["full_name"] += " X"  # a wrong value that was auto-approved
        _write(records, f"doc-{i}", record)
    result = score(records, truth_dir)
    assert (result.booklets, result.auto_approved, result.audit, result.review) == (4, 2, 1, 1)
    assert result.auto_wrong == [f"{truths[1]['document_id']}: student.full_name"]
    assert result.auto_fields > 100
    assert dict(result.reasons) == {"READS_DISAGREE": 1}
