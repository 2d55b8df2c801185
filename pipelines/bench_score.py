"""`hocba bench-score RECORDS_DIR TRUTH_DIR`: what routing let through, against the truth.

    hocba synth --booklets 36 --seed 2026 --out ARCHIVE
    hocba extract ARCHIVE/scans --registry ARCHIVE/registry.csv --out RECORDS
    hocba bench-score RECORDS ARCHIVE/truth

The end-to-end figures of issue 4 on real extraction (not injected errors): the share of
booklets sent to review (audit sample apart), the wrong values that reached auto-approved
booklets per 10,000 fields, and the review reasons. Records are matched to their truth by the
scanned file's name (the generator names both after the document).
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipelines.bench import compare


@dataclass
class Score:
    booklets: int = 0
    auto_approved: int = 0
    audit: int = 0
    review: int = 0
    rejected: int = 0
    auto_fields: int = 0
    auto_wrong: list[str] = field(default_factory=list)  # "document: field path"
    reasons: Counter[str] = field(default_factory=Counter)  # booklets per blocking code

    def lines(self) -> list[str]:
        n = self.booklets or 1
        per_10k = 10_000 * len(self.auto_wrong) / self.auto_fields if self.auto_fields else 0.0
        top = ", ".join(f"{code} {count}" for code, count in self.reasons.most_common(8))
        return [
            f"Booklets scored: {self.booklets}",
            f"Auto-approved: {self.auto_approved} ({100 * self.auto_approved / n:.1f} %)",
            f"Sent to review, audit sample apart: {self.review} ({100 * self.review / n:.1f} %);"
            f" audit sample {self.audit}; rejected {self.rejected}",
            f"Wrong values in auto-approved booklets: {len(self.auto_wrong)} in"
            f" {self.auto_fields} fields = {per_10k:.2f} per 10,000 fields",
            *(f"  wrong: {item}" for item in self.auto_wrong[:20]),
            f"Review reasons (booklets): {top or '-'}",
        ]


def score(records: Path, truth: Path) -> Score:
    result = Score()
    for record, expected in _pairs(records, truth):
        result.booklets += 1
        review = record.get("review") or {}
        flags = review.get("flags", [])
        blocking = {f["code"] for f in flags if f.get("severity") == "error"}
        audit = any(f["code"] == "AUDIT_SAMPLE" for f in flags)
        status = review.get("status")
        if status == "auto_approved":
            result.auto_approved += 1
            fields = compare(expected, record)
            result.auto_fields += len(fields)
            result.auto_wrong += [
                f"{record['document_id']}: {f.key}" for f in fields if not f.correct
            ]
        elif status == "rejected":
            result.rejected += 1
        elif audit and not blocking:
            result.audit += 1
        else:
            result.review += 1
            result.reasons.update(blocking)
    return result


def _pairs(records: Path, truth: Path) -> Iterator[tuple[dict[str, Any], dict[str, Any]]]:
    for path in sorted(records.glob("*.json")):
        record = json.loads(path.read_text(encoding="utf-8"))
        source = Path((record.get("source") or {}).get("file", "")).stem
        expected = truth / f"{source}.json"
        if expected.is_file():
            yield record, json.loads(expected.read_text(encoding="utf-8"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="hocba bench-score", description=__doc__.splitlines()[0])
    parser.add_argument("records", type=Path, help="contract JSON records (hocba extract --out)")
    parser.add_argument("truth", type=Path, help="the generator's truth folder")
    args = parser.parse_args(argv)
    result = score(args.records, args.truth)
    if not result.booklets:
        print(f"No record in {args.records} has a truth file in {args.truth}.")
        return 1
    print("\n".join(result.lines()))
    return 0
