"""`hocba bench`: OCR accuracy and throughput on a seeded synthetic archive, against truth.

    hocba bench [--booklets 50] [--seed 11] [--degradation clean,typical,poor]
                [--variants p1,holdout] [--handwritten SHARE] [--baseline-booklets N]
                [--jobs N] [--keep DIR]

Each degradation level gets its own archive of --booklets booklets, printed in the given
variants (by default all of them, the held-out one included: it is never used in tuning).

A developer tool: it imports synth (the archive generator) inside `main`, never at module level.
No database and no Airflow; every booklet is decoded and read in a process pool.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import tempfile
import time
from collections import defaultdict
from collections.abc import Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from multiprocessing import get_context
from pathlib import Path
from typing import Any

KINDS: dict[str, str] = {
    **dict.fromkeys(("full_name", "father_name", "mother_name", "guardian_name"), "name"),
    "date_of_birth": "date",
    **dict.fromkeys(("test_score", "absences", "grade"), "integer"),
    **dict.fromkeys(("level", "decision", "gender", "conduct", "academic"), "rating"),
    **dict.fromkeys(("class_name", "school_year", "personal_id"), "code"),
    **dict.fromkeys(
        ("place_of_birth", "residence", "school_name", "comment", "homeroom_comment", "awards"),
        "text",
    ),
    **dict.fromkeys(("ethnicity", "nationality"), "text"),
}
YEAR_FIELDS: tuple[str, ...] = (
    *("school_year", "grade", "class_name", "school_name"),
    *("absences", "decision", "awards", "homeroom_comment"),
)
SUBJECT_FIELDS = ("hk1", "hk2", "year", "retest", "level", "test_score", "comment")
KIND_ORDER = ("name", "date", "score", "mark", "integer", "rating", "code", "text")
BASELINE_FIELDS = ("student.full_name", "student.date_of_birth", "years[0].school_year")

Entry = tuple[str, str, Any]  # (path in this record, field kind, value)


@dataclass(frozen=True)
class FieldResult:
    key: str  # subjects and rated items keyed by name, e.g. years[0].subjects[Toán].hk1
    kind: str
    correct: bool
    flagged: bool


@dataclass(frozen=True)
class WorkerResult:
    document_id: str
    record: dict[str, Any] | None  # contract dict; None when extraction raised
    error: str | None
    cpu_s: float  # worker plus its tesseract children
    rss_mb: float  # peak resident set of the worker process


def _value_kind(key: str, value: Any) -> str:
    if key in ("hk1", "hk2", "year", "retest"):
        return "mark" if isinstance(value, str) else "score"
    return KINDS[key]


def flatten(doc: dict[str, Any]) -> dict[str, Entry]:
    """Every compared field of a contract record, keyed so truth and extraction line up."""
    out: dict[str, Entry] = {}
    for name, value in (doc.get("student") or {}).items():
        out[f"student.{name}"] = (f"student.{name}", KINDS[name], value)
    for i, year in enumerate(doc.get("years") or []):
        p = f"years[{i}]"
        for name in YEAR_FIELDS:
            out[f"{p}.{name}"] = (f"{p}.{name}", KINDS[name], year.get(name))
        for j, subject in enumerate(year.get("subjects") or []):
            for name in SUBJECT_FIELDS:
                value = subject.get(name)
                key = f"{p}.subjects[{subject['name']}].{name}"
                out[key] = (f"{p}.subjects[{j}].{name}", _value_kind(name, value), value)
        for group in ("average_all", "conduct", "academic"):
            kind = "score" if group == "average_all" else "rating"
            for term, value in (year.get(group) or {}).items():
                out[f"{p}.{group}.{term}"] = (f"{p}.{group}.{term}", kind, value)
        for group in ("competencies", "qualities"):
            for j, item in enumerate(year.get(group) or []):
                for name in ("level", "comment"):
                    key = f"{p}.{group}[{item['name']}].{name}"
                    out[key] = (f"{p}.{group}[{j}].{name}", KINDS[name], item.get(name))
    return out


def covers(flag_field: str, path: str) -> bool:
    """A flag on a field covers it and everything below it; a flag on "" covers the record."""
    return (
        flag_field == ""
        or path == flag_field
        or path.startswith((flag_field + ".", flag_field + "["))
    )


def _same(a: Any, b: Any) -> bool:
    numbers = (int, float)
    if isinstance(a, numbers) and isinstance(b, numbers) and not isinstance(a, bool):
        return abs(float(a) - float(b)) < 1e-9
    return bool(a == b)


def blocking_flags(record: dict[str, Any] | None) -> list[dict[str, Any]]:
    """The flags that send a booklet to a person (info flags, e.g. TEXT_SETTLED, do not)."""
    flags = ((record or {}).get("review") or {}).get("flags", [])
    return [f for f in flags if f.get("severity", "error") == "error"]


def compare(truth: dict[str, Any], extracted: dict[str, Any] | None) -> list[FieldResult]:
    """Field-by-field results where truth or extraction has a value; a failed booklet is flagged."""
    want = flatten(truth)
    got = flatten(extracted) if extracted else {}
    flags = [f["field"] for f in blocking_flags(extracted)]
    results = []
    for key in sorted(want.keys() | got.keys()):
        t_path, t_kind, t_value = want.get(key, (key, "", None))
        e_path, e_kind, e_value = got.get(key, (key, "", None))
        if t_value is None and e_value is None:
            continue
        kind = t_kind if t_value is not None else e_kind
        flagged = extracted is None or any(covers(f, e_path) for f in flags)
        results.append(FieldResult(key, kind, _same(t_value, e_value), flagged))
    return results


def _init_worker() -> None:
    os.environ["OMP_THREAD_LIMIT"] = "1"  # one process per core is the parallelism
    import cv2

    cv2.setNumThreads(1)


def _cpu_seconds() -> float:
    own, kids = (resource.getrusage(w) for w in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def _rss_mb() -> float:
    """This process's peak resident set. Not `ru_maxrss`: Linux carries it over an exec, so a
    spawned worker would report the peak of the parent it was forked from (a bench that
    generated its archive in-process made its one worker "peak" at 1.3 GB)."""
    try:
        status = Path("/proc/self/status").read_text(encoding="ascii")
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    kib = next(line.split()[1] for line in status.splitlines() if line.startswith("VmHWM:"))
    return int(kib) / 1024


def extract_one(task: tuple[str, str, dict[str, Any]]) -> WorkerResult:
    from domain.errors import HocbaError
    from domain.record import Source
    from ocr.decode import decode_booklet
    from ocr.extract import extract_booklet

    path, document_id, source = task
    start = _cpu_seconds()
    try:
        pages = decode_booklet(Path(path), colour=False)
        found = extract_booklet(pages, source=Source(**source), document_id=document_id)
        record, error = found.record.to_contract(), None
    except HocbaError as exc:
        record, error = None, type(exc).__name__
    return WorkerResult(document_id, record, error, _cpu_seconds() - start, _rss_mb())


BASELINE_PATTERNS = {
    "student.full_name": re.compile(r"Họ và tên[^:\n]*:\s*(.+)"),
    "student.date_of_birth": re.compile(r"Ngày[^:\n]*sinh:\s*(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})"),
    "years[0].school_year": re.compile(r"Năm học:?\s*(\d{4})\s*-\s*(\d{4})"),
}


def baseline_one(path: str) -> tuple[dict[str, Any], float]:
    """What a newcomer writes: whole-page Tesseract on a grey page, then three regexes."""
    import pytesseract
    from PIL import Image

    from ocr.decode import decode_booklet

    start = _cpu_seconds()
    text = "\n".join(
        pytesseract.image_to_string(Image.fromarray(page.pixels).convert("L"), lang="vie")
        for page in decode_booklet(Path(path))
    )
    found: dict[str, Any] = {}
    for key, pattern in BASELINE_PATTERNS.items():
        m = pattern.search(text)
        if m and key.endswith("full_name"):
            found[key] = m.group(1).strip().title()
        elif m and key.endswith("date_of_birth"):
            found[key] = f"{m.group(3)}-{int(m.group(2)):02d}-{int(m.group(1)):02d}"
        elif m:
            found[key] = f"{m.group(1)}-{m.group(2)}"
    return found, _cpu_seconds() - start


def _pct(part: int, whole: int) -> str:
    return f"{100 * part / whole:6.1f}%" if whole else "     -"


def _row(label: str, rows: list[FieldResult]) -> str:
    n, ok = len(rows), sum(r.correct for r in rows)
    flagged = sum(r.flagged for r in rows)
    silent = sum(not r.correct and not r.flagged for r in rows)
    return f"  {label:<10}{n:>8} {_pct(ok, n):>9} {_pct(flagged, n):>9} {silent:>13}"


def accuracy_table(results: list[FieldResult], by_variant: dict[str, list[FieldResult]]) -> str:
    lines = [f"  {'kind':<10}{'fields':>8} {'exact':>9} {'flagged':>9} {'wrong+silent':>13}"]
    lines += [_row(k, [r for r in results if r.kind == k]) for k in KIND_ORDER]
    lines += [_row("overall", results), "", "  per print variant:"]
    lines += [_row(v, rows) for v, rows in sorted(by_variant.items())]
    return "\n".join(lines)


def _pool(jobs: int) -> ProcessPoolExecutor:
    # spawn, not fork: OpenCV's thread pool does not survive a fork reliably
    return ProcessPoolExecutor(jobs, mp_context=get_context("spawn"), initializer=_init_worker)


def _parse(argv: list[str] | None) -> argparse.Namespace:
    from synth.layouts import VARIANTS

    parser = argparse.ArgumentParser(prog="hocba bench", description=__doc__.splitlines()[0])
    parser.add_argument("--booklets", type=int, default=50, help="per degradation level")
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument(
        "--degradation", default="typical", help="one or more of clean,typical,poor (comma list)"
    )
    parser.add_argument("--variants", default=",".join(VARIANTS), help="default: all, held-out too")
    parser.add_argument(
        "--handwritten", type=float, default=0.0, help="share of hand-filled booklets"
    )
    parser.add_argument(
        "--baseline-booklets", type=int, help="run the baseline on the first N only (0: none)"
    )
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--keep", type=Path, help="keep the archive and extractions here")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = _parse(argv)
    levels = [lv.strip() for lv in args.degradation.split(",") if lv.strip()]
    for level in levels:
        args.level = level
        if args.keep:
            run(args, args.keep / level)
            continue
        with tempfile.TemporaryDirectory(prefix="hocba-bench-") as tmp:
            run(args, Path(tmp))
    return 0


def run(args: argparse.Namespace, out: Path) -> int:
    from synth.archive import generate_archive

    variants = [v.strip() for v in args.variants.split(",") if v.strip()]
    t0 = time.perf_counter()
    archive = out / "archive"
    generate_archive(
        archive, args.booklets, args.seed, degradation=args.level,
        variants=variants, jobs=args.jobs, handwritten=args.handwritten,
    )  # fmt: skip
    print(f"\n== degradation {args.level}: {args.booklets} booklets generated in "
          f"{time.perf_counter() - t0:.0f} s")  # fmt: skip
    booklets = json.loads((archive / "manifest.json").read_text(encoding="utf-8"))["booklets"]
    truths = {
        b["document_id"]: json.loads(
            (archive / "truth" / f"{b['document_id']}.json").read_text(encoding="utf-8")
        )
        for b in booklets
    }
    tasks = [
        (str(archive / "scans" / b["file"]), b["document_id"], truths[b["document_id"]]["source"])
        for b in booklets
    ]
    sample = booklets if args.baseline_booklets is None else booklets[: args.baseline_booklets]
    with _pool(args.jobs) as pool:
        t0 = time.perf_counter()
        done = list(pool.map(extract_one, tasks))
        wall = time.perf_counter() - t0
        base = list(pool.map(baseline_one, [t[0] for t in tasks[: len(sample)]]))
    if args.keep:
        _save(out / "extracted", done)
    print(report(args.jobs, booklets, truths, done, wall))
    print(baseline_report(sample, truths, done, base) if sample else "\nBaseline: not run")
    return 0


def _save(folder: Path, done: Iterable[WorkerResult]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for w in done:
        if w.record is not None:
            text = json.dumps(w.record, ensure_ascii=False, indent=2)
            (folder / f"{w.document_id}.json").write_text(text + "\n", encoding="utf-8")


def _pages(booklets: list[dict[str, Any]]) -> int:
    return sum(len(b["pages"]) for b in booklets)


def report(
    jobs: int,
    booklets: list[dict[str, Any]],
    truths: dict[str, dict[str, Any]],
    done: list[WorkerResult],
    wall: float,
) -> str:
    """Typed-value accuracy (per kind, per print variant), the handwritten booklets' flag
    rate, throughput and memory."""
    results: list[FieldResult] = []
    by_variant: dict[str, list[FieldResult]] = defaultdict(list)
    hand: list[FieldResult] = []
    for b, w in zip(booklets, done, strict=True):
        rows = compare(truths[b["document_id"]], w.record)
        if b.get("handwritten"):  # the fields that carry a hand-written value
            truth = flatten(truths[b["document_id"]])
            hand += [r for r in rows if r.key in truth and truth[r.key][2] is not None]
            continue
        results += rows
        by_variant[b["variant"]] += rows
    typed = [w for b, w in zip(booklets, done, strict=True) if not b.get("handwritten")]
    failed = [w.error for w in done if w.error]
    clean = sum(1 for w in typed if w.record and not blocking_flags(w.record))
    cpu_min = sum(w.cpu_s for w in done) / 60
    pages = _pages(booklets)
    lines = [
        f"Accuracy of typed values ({len(typed)} booklets, {len(results)} fields; failed "
        f"extractions: {len(failed)} {sorted(set(failed)) if failed else ''})",
        accuracy_table(results, by_variant),
    ]
    if hand:
        n_hand = sum(1 for b in booklets if b.get("handwritten"))
        lines.append(
            f"  handwritten: {len(hand)} fields in {n_hand} booklets, "
            f"flagged {_pct(sum(r.flagged for r in hand), len(hand)).strip()}"
        )
    lines += [
        "",
        f"Throughput ({jobs} workers, {pages} pages)",
        f"  wall time                    {wall:8.1f} s",
        f"  pages/min per core (CPU)     {pages / cpu_min if cpu_min else 0:8.1f}",
        f"  pages/min per core (wall)    {pages / (wall / 60 * jobs):8.1f}",
        f"  peak RSS per worker          {max(w.rss_mb for w in done):8.0f} MB",
        f"  typed booklets, zero flags   {_pct(clean, len(typed))} ({clean}/{len(typed)})",
    ]
    return "\n".join(lines)


def baseline_report(
    sample: list[dict[str, Any]],
    truths: dict[str, dict[str, Any]],
    done: list[WorkerResult],
    base: list[tuple[dict[str, Any], float]],
) -> str:
    """The newcomer's full-page read against hocba on the same booklets (the first N)."""
    ours_done = {w.document_id: w for w in done}
    cpu = sum(ours_done[b["document_id"]].cpu_s for b in sample) / 60
    base_cpu = sum(c for _, c in base) / 60
    pages, n = _pages(sample), len(sample)
    lines = [
        "",
        f"Baseline (full-page image_to_string + regexes) vs hocba, same {n} booklets",
        f"  pages/min per core (CPU)     {pages / base_cpu if base_cpu else 0:8.1f} vs "
        f"{pages / cpu if cpu else 0:.1f}",
    ]
    for key in BASELINE_FIELDS:
        theirs = ours = 0
        for b, (found, _) in zip(sample, base, strict=True):
            want = flatten(truths[b["document_id"]]).get(key, ("", "", None))[2]
            got = flatten(ours_done[b["document_id"]].record or {}).get(key, ("", "", None))[2]
            theirs += found.get(key) == want
            ours += _same(got, want) and got is not None
        lines.append(f"  {key:<28} {_pct(theirs, n)} vs {_pct(ours, n)}")
    return "\n".join(lines)
