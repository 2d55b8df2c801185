"""`hocba bench-checks`: how well checks, linking and routing stop OCR errors, against truth.

    hocba bench-checks [--booklets 400] [--registry-rows 20000] [--seed 5]
                       [--error-rate 0.003] [--check-sample 10000] [--dsn DSN]

Generated booklets (synth.content) get OCR-style errors extraction lets through unflagged
(digit slips, dropped decimal commas, lost diacritics); the registry extract (synth.registry)
carries traps: namesakes, twins, tone-mark look-alikes, typos, missing pupils. Every booklet is
linked (set-based candidates in PostgreSQL, vectorised scoring); the first --check-sample
booklets also go through the rules, the GX suite and routing. A developer tool: synth is
imported inside functions only. It uses its own database (hocba_bench) and empties its registry.
"""

from __future__ import annotations

import argparse
import math
import random
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from domain.record import IdentityLink, Student, TranscriptRecord
from pipelines.registry_store import RegistryStore
from validation.lexicon import Lexicon
from validation.linking import LinkResult, link_batch, link_queries
from validation.places import known_places, place_findings
from validation.report import Finding, is_blocking

BENCH_DB = "hocba_bench"
_SKIP = ("source", "identity_link", "review", "schema", "document_id")


@dataclass(frozen=True)
class BenchData:
    truth: list[TranscriptRecord]  # the checked sample, whole booklets
    noisy: list[TranscriptRecord]  # the same booklets as extraction hands them over
    pupils: list[TranscriptRecord]  # every booklet's truth, identity only (no year pages)
    students: list[Student]  # every booklet's identity page with its OCR errors
    registry_path: Path
    registry_rows: int
    missing: frozenset[str]


def main(argv: list[str] | None = None) -> int:
    args = _parse(argv)
    dsn = args.dsn or bench_database()
    with tempfile.TemporaryDirectory(prefix="hocba-bench-checks-") as tmp:
        run(args, dsn, Path(tmp), emit=lambda line: print(line, flush=True))
    return 0


def bench_database() -> str:
    """The local cluster's hocba_bench database, migrated (never the working registry)."""
    from pipelines import localpg
    from pipelines.repository import apply_migrations, ensure_database
    from pipelines.settings import load_settings

    settings = load_settings()
    localpg.ensure_local_cluster(settings)
    ensure_database(localpg.admin_dsn(settings, "postgres"), BENCH_DB)
    apply_migrations(localpg.admin_dsn(settings, BENCH_DB))
    return localpg.admin_dsn(settings, BENCH_DB)


def run(
    args: argparse.Namespace, dsn: str, work: Path, emit: Callable[[str], None] | None = None
) -> list[str]:
    """The whole benchmark; returns the report lines (and emits each as soon as it is known)."""
    lines: list[str] = []

    def say(*new: str) -> None:
        lines.extend(new)
        for line in new:
            (emit or (lambda _: None))(line)

    t0 = time.perf_counter()
    data = make_data(args, work)
    say(
        f"Data: {len(data.students)} booklets, {data.registry_rows} registry rows,"
        f" error rate {args.error_rate} per field ({time.perf_counter() - t0:.0f} s)"
    )
    with RegistryStore(dsn) as store:
        store.clear()
        t1 = time.perf_counter()
        store.load_csv(data.registry_path)
        say(f"Registry load (COPY + upsert): {time.perf_counter() - t1:.1f} s")
        cpu = time.process_time()
        links, fetch_s, score_s = link_all(store, data.students)
        cpu = time.process_time() - cpu  # this process only: the server's share is not in it
        known = known_places(store.place_names())
    say(
        f"Linking {len(data.students)} booklets against {data.registry_rows} rows:"
        f" {fetch_s + score_s:.1f} s (candidates in SQL {fetch_s:.1f} s,"
        f" scoring and decisions {score_s:.1f} s; Python CPU {cpu:.1f} s)",
        *link_metrics(data, links),
    )
    sample = len(data.noisy)
    t3 = time.perf_counter()
    statuses, findings = check_and_route(data.noisy, links[:sample], known, args.seed)
    say(f"Checks + routing on {sample} booklets: {time.perf_counter() - t3:.1f} s")
    say(*check_metrics(data.truth, data.noisy, statuses, findings))
    return lines


def make_data(args: argparse.Namespace, work: Path) -> BenchData:
    """Whole booklets for the checked sample, identity pages only for the rest (cheap)."""
    from synth.content import inject_ocr_errors, iter_identities, iter_records
    from synth.registry import trapped_registry, write_registry

    rng = random.Random(f"bench-checks-{args.seed}")
    truth = list(iter_records(args.seed, min(args.check_sample, args.booklets)))
    noisy = [inject_ocr_errors(rng, r, args.error_rate) for r in truth]
    for record in noisy:
        record.identity_link = IdentityLink()  # extraction hands over no link
    pupils = [r.model_copy(update={"years": []}) for r in truth]
    students = [r.student for r in noisy]
    for identity in iter_identities(args.seed, args.booklets):
        if int(identity.document_id.rsplit("-", 1)[1]) >= len(truth):
            pupils.append(identity)
            students.append(inject_ocr_errors(rng, identity, args.error_rate).student)
    registry = trapped_registry(rng, pupils, args.registry_rows)
    path = work / "registry.csv"
    write_registry(path, registry.rows)
    return BenchData(truth, noisy, pupils, students, path, len(registry.rows), registry.missing)


def link_all(
    store: RegistryStore, students: Sequence[Student]
) -> tuple[list[LinkResult], float, float]:
    """Blocking keys -> one set-based candidate query -> vectorised scoring and decisions.

    Returns the links and the seconds spent fetching candidates and scoring them.
    """
    t0 = time.perf_counter()
    candidates = store.link_candidates(link_queries(students))
    t1 = time.perf_counter()
    links = link_batch(students, [f"b{i}" for i in range(len(students))], candidates)
    return links, t1 - t0, time.perf_counter() - t1


def link_metrics(data: BenchData, links: Sequence[LinkResult]) -> list[str]:
    present = [t.identity_link.personal_id not in data.missing for t in data.pupils]
    correct = wrong = 0
    counts: dict[str, int] = {}
    for truth, link, here in zip(data.pupils, links, present, strict=True):
        counts[link.status] = counts.get(link.status, 0) + 1
        if link.status == "linked":
            ok = here and link.personal_id == truth.identity_link.personal_id
            correct, wrong = correct + ok, wrong + (not ok)
    linked = correct + wrong
    return [
        "Link statuses: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())),
        f"Linking precision: {_pct(correct, linked)} ({wrong} wrong auto-links)",
        f"Linking recall (pupils present in the registry): {_pct(correct, sum(present))}",
    ]


def check_and_route(
    records: Sequence[TranscriptRecord],
    links: Sequence[LinkResult],
    known: Lexicon,
    seed: int,
) -> tuple[list[str], list[list[Finding]]]:
    from validation.gx_suite import run_gx_checks
    from validation.routing import RoutingPolicy, route
    from validation.rules import check_record

    gx: dict[str, list[Finding]] = {}
    for f in run_gx_checks(records):
        gx.setdefault(f.document_id, []).append(f)
    statuses: list[str] = []
    all_findings: list[list[Finding]] = []
    policy = RoutingPolicy()
    for record, link in zip(records, links, strict=True):
        findings = [
            *check_record(record),
            *gx.get(record.document_id, []),
            *link.findings,
            *place_findings(record, known),
        ]
        record.identity_link = IdentityLink(
            status=link.status, personal_id=link.personal_id, score=link.score,
            candidates=link.candidates,
        )  # fmt: skip
        draw = random.Random(f"{seed}:{record.document_id}").random()
        review = route(record, findings, policy, audit_draw=draw)
        audit_only = all(f.code == "AUDIT_SAMPLE" for f in review.flags if f.severity != "info")
        audit = any(f.code == "AUDIT_SAMPLE" for f in review.flags)
        statuses.append("audit" if audit and audit_only else review.status)
        all_findings.append(findings)
    return statuses, all_findings


def check_metrics(
    truth: Sequence[TranscriptRecord],
    noisy: Sequence[TranscriptRecord],
    statuses: Sequence[str],
    findings: Sequence[Sequence[Finding]],
) -> list[str]:
    wrong_total = caught = located = auto_fields = auto_wrong = 0
    for t, r, status, found in zip(truth, noisy, statuses, findings, strict=True):
        expected, got = fields(t), fields(r)
        wrong = [p for p, v in got.items() if expected.get(p) != v]
        wrong_total += len(wrong)
        stopped = status not in ("auto_approved", "audit")
        caught += len(wrong) if stopped else 0
        located += sum(_located(p, found) for p in wrong)
        if not stopped:
            auto_fields, auto_wrong = auto_fields + len(got), auto_wrong + len(wrong)
    n = len(statuses)
    return [
        f"Wrong fields injected: {wrong_total}",
        f"Wrong fields caught (booklet not auto-approved): {_pct(caught, wrong_total)}",
        f"Wrong fields located (a blocking finding on the field or its row): "
        f"{_pct(located, wrong_total)}",
        f"Booklets sent to review (audit excluded): {_pct(statuses.count('needs_review'), n)};"
        f" audit sample {statuses.count('audit')}; rejected {statuses.count('rejected')};"
        f" auto-approved {statuses.count('auto_approved')}",
        f"Wrong values in auto-approved booklets: {auto_wrong} in {auto_fields} fields"
        f" = {_per_10k(auto_wrong, auto_fields)}",
        f"Top review reasons (booklets): {_top_reasons(statuses, findings)}",
    ]


def _top_reasons(statuses: Sequence[str], findings: Sequence[Sequence[Finding]]) -> str:
    counts: dict[str, int] = {}
    for status, found in zip(statuses, findings, strict=True):
        if status == "needs_review":
            for code in {f.code for f in found if is_blocking(f)}:
                counts[code] = counts.get(code, 0) + 1
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:8]
    return ", ".join(f"{code} {count}" for code, count in ranked) or "-"


def fields(record: TranscriptRecord) -> dict[str, Any]:
    """Every non-null leaf of the record's content by JSON path (provenance and verdicts out)."""
    out: dict[str, Any] = {}
    _flatten(record.to_contract(), "", out)
    return out


def _flatten(node: Any, path: str, out: dict[str, Any]) -> None:
    if isinstance(node, dict):
        for key, value in node.items():
            if key not in _SKIP:
                _flatten(value, f"{path}.{key}" if path else key, out)
    elif isinstance(node, list):
        for i, value in enumerate(node):
            _flatten(value, f"{path}[{i}]", out)
    elif node is not None:
        out[path] = node


def _located(path: str, found: Sequence[Finding]) -> bool:
    """A blocking finding on the field itself, its subject row or its rating/average triple."""
    row = path.rsplit(".", 1)[0] if "years[" in path else path
    return any(
        is_blocking(f) and (f.field == path or (row != path and f.field.startswith(row)))
        for f in found
    )


def _per_10k(count: int, fields: int) -> str:
    """The rate with its 95 % interval: the count is a Poisson draw, and on a few thousand
    booklets its sampling error (±2·√count) is as large as the gap to the target."""
    if not fields:
        return "n/a (0 fields)"
    low, high = poisson_interval(count)
    scale = 10_000 / fields
    return (
        f"{count * scale:.2f} per 10,000 fields"
        f" (95 % interval {low * scale:.2f}-{high * scale:.2f})"
    )


def poisson_interval(count: int, z: float = 1.96) -> tuple[float, float]:
    """Byar's approximation of the exact (Garwood) 95 % interval of a Poisson count."""
    low = 0.0
    if count > 0:
        low = count * (1 - 1 / (9 * count) - z / (3 * math.sqrt(count))) ** 3
    upper = count + 1
    high = upper * (1 - 1 / (9 * upper) + z / (3 * math.sqrt(upper))) ** 3
    return low, high


def _pct(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f} % ({part}/{whole})" if whole else "n/a (0)"


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="hocba bench-checks", description=__doc__)
    parser.add_argument("--booklets", type=int, default=400)
    parser.add_argument("--registry-rows", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--error-rate", type=float, default=0.003, help="misreads per field")
    parser.add_argument(
        "--check-sample",
        type=int,
        default=10_000,
        help="booklets checked and routed (10,000 puts the rate per 10,000 within about ±0.15)",
    )
    parser.add_argument("--dsn", help="a migrated database to use (its registry is emptied)")
    return parser.parse_args(argv)
