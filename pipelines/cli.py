"""`hocba` command line. Typed errors become one clear line and exit code 2."""

from __future__ import annotations

import argparse
import json
import os
import sys
from importlib.metadata import EntryPoint, entry_points
from pathlib import Path
from typing import Any

from domain.errors import HocbaError
from pipelines.settings import Settings


def _jobs(value: str | None) -> int:
    return int(value) if value else (os.cpu_count() or 1)


def _checked_batch(args: argparse.Namespace, command: str) -> tuple[Settings, str]:
    """Ingest -> pages -> fields -> checks -> linking -> routing for a folder; (settings, batch)."""
    from pipelines import batch
    from pipelines.report import Progress
    from pipelines.settings import load_settings

    settings = load_settings()
    batch_id = args.batch_id or batch.new_batch_id(command)
    if args.registry:
        batch.load_registry(settings, Path(args.registry))
    _, accepted = batch.ingest_batch(settings, Path(args.scans), batch_id, {"command": command})
    items = [c for ch in batch.chunks(accepted) for c in ch]
    batch.extract_chunk(settings, batch_id, items, _jobs(args.jobs), Progress("Đọc học bạ"))
    batch.check_and_route(settings, batch_id, Path(args.out) if args.out else None)
    return settings, batch_id


def cmd_extract(args: argparse.Namespace) -> int:
    """Without Airflow, up to routing; one contract JSON per booklet in --out."""
    from pipelines import batch
    from pipelines.report import format_summary

    settings, batch_id = _checked_batch(args, "extract")
    print(format_summary(batch.batch_summary(settings, batch_id)))
    print(f"  Bản ghi JSON (contract records):         {args.out}")
    return 0


def cmd_backfill(args: argparse.Namespace) -> int:
    """The whole pipeline without Airflow, including signing and loading."""
    from pipelines import batch
    from pipelines.report import format_summary

    settings, batch_id = _checked_batch(args, "backfill")
    issued = batch.issue_batch(settings, batch_id)
    summary = batch.batch_summary(settings, batch_id)
    print(format_summary(summary, issued=len(issued), loaded=len(issued)))
    return 0


def cmd_summary(args: argparse.Namespace) -> int:
    from pipelines import batch
    from pipelines.report import format_summary
    from pipelines.settings import load_settings

    summary = batch.batch_summary(load_settings(), args.batch_id)
    print(
        json.dumps(summary, default=str, ensure_ascii=False, indent=2)
        if args.json
        else format_summary(summary)
    )
    return 0


def cmd_db(args: argparse.Namespace) -> int:
    from pipelines import localpg
    from pipelines.settings import load_settings

    settings = load_settings()
    if args.action == "stop":
        print("stopped" if localpg.stop_local_cluster(settings) else "not running")
    else:
        localpg.ensure_local_cluster(settings)
        print(f"PostgreSQL ready on {settings.pg_host}:{settings.pg_port}")
    return 0


def cmd_verify(args: argparse.Namespace) -> int:
    """Signature, trust, changes since signing; then (unless --offline) the sector database."""
    from pipelines import lifecycle
    from pipelines.settings import load_settings
    from signing.verify import verify_pdf

    settings = load_settings()
    pdf = Path(args.pdf).read_bytes()
    if args.offline:
        verdict = verify_pdf(pdf, lifecycle.trust_roots(settings))
        print(verdict.summary_vi())
        print(verdict.summary_en())
        return 0 if verdict.valid and verdict.trusted else 1
    result = lifecycle.verify_document(settings, pdf)
    print(result.summary_vi())
    print(result.summary_en())
    return 0 if result.valid else 1


def cmd_revoke(args: argparse.Namespace) -> int:
    from pipelines import lifecycle
    from pipelines.settings import load_settings

    lifecycle.revoke(load_settings(), args.doc_id, args.reason, args.by)
    print(f"Đã thu hồi {args.doc_id} / revoked {args.doc_id}")
    return 0


def cmd_reissue(args: argparse.Namespace) -> int:
    from domain.record import TranscriptRecord
    from pipelines import lifecycle
    from pipelines.settings import load_settings

    record = TranscriptRecord.from_contract(json.loads(Path(args.record).read_text("utf-8")))
    issued = lifecycle.reissue(
        load_settings(), args.doc_id, record, reason=args.reason, revoked_by=args.by
    )
    print(f"Đã cấp {issued.doc_id} thay thế {args.doc_id} / issued {issued.doc_id}")
    print(f"  {issued.object_key}")
    return 0


def cmd_fixity(args: argparse.Namespace) -> int:
    from pipelines import lifecycle
    from pipelines.settings import load_settings

    report = lifecycle.fixity(load_settings())
    for doc_id, key, problem in report.mismatches:
        print(f"MISMATCH {doc_id} {key}: {problem}")
    print(f"fixity: {report.checked} checked, {len(report.mismatches)} mismatches")
    return 0 if report.ok else 1


def cmd_bench_sign(argv: list[str]) -> int:
    from pipelines.sign_bench import main as bench_sign_main
    from synth.content import make_booklet  # dev tool: production code never imports synth

    return bench_sign_main(argv, make_booklet)


def cmd_synth(argv: list[str]) -> int:
    from synth.cli import main as synth_main  # dev tool: production code never imports synth

    return synth_main(argv)


def cmd_bench(argv: list[str]) -> int:
    from pipelines.bench import main as bench_main

    return bench_main(argv)


def cmd_demo(argv: list[str]) -> int:
    from pipelines.demo import main as demo_main

    return demo_main(argv)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="hocba", description="Học bạ giấy → bản ghi số đã kiểm tra và ký số"
    )
    sub = parser.add_subparsers(dest="command", required=True)
    for name, fn, help_text in (
        ("extract", cmd_extract, "extract without Airflow; writes contract JSON"),
        ("backfill", cmd_backfill, "extract, check, sign and load without Airflow"),
    ):
        p = sub.add_parser(name, help=help_text)
        p.add_argument("scans", help="folder of scanned booklets")
        p.add_argument("--registry", help="registry extract CSV (contract format)")
        p.add_argument(
            "--out", required=name == "extract", help="folder for the contract JSON records"
        )
        p.add_argument("--jobs", help="worker processes (default: all cores)")
        p.add_argument("--batch-id")
        p.set_defaults(fn=fn)
    p = sub.add_parser("summary", help="print a batch summary")
    p.add_argument("batch_id")
    p.add_argument("--json", action="store_true")
    p.set_defaults(fn=cmd_summary)
    p = sub.add_parser("db", help="start/stop the project-local PostgreSQL")
    p.add_argument("action", choices=["start", "stop", "migrate"])
    p.set_defaults(fn=cmd_db)
    p = sub.add_parser("verify", help="verify a signed transcript PDF")
    p.add_argument("pdf")
    p.add_argument("--offline", action="store_true", help="signature only, no database")
    p.set_defaults(fn=cmd_verify)
    _lifecycle_parsers(sub)
    for name in (*PASSTHROUGH, *_plugins()):
        sub.add_parser(name, help=f"{name} (see `hocba {name} --help`)", add_help=False)
    return parser


def _lifecycle_parsers(sub: Any) -> None:
    by = os.environ.get("USER") or "operator"
    p = sub.add_parser("revoke", help="revoke an issued document")
    p.add_argument("doc_id")
    p.add_argument("--reason", required=True, help="why (no personal data)")
    p.add_argument("--by", default=by, help="who revokes (default: $USER)")
    p.set_defaults(fn=cmd_revoke)
    p = sub.add_parser("reissue", help="issue a corrected record replacing a document")
    p.add_argument("doc_id")
    p.add_argument("record", help="the corrected contract JSON record")
    p.add_argument("--reason", help="revoke doc_id with this reason first (if not yet revoked)")
    p.add_argument("--by", default=by, help="who re-issues (default: $USER)")
    p.set_defaults(fn=cmd_reissue)
    p = sub.add_parser("fixity", help="recompute issued PDFs' hashes; report mismatches")
    p.set_defaults(fn=cmd_fixity)


def cmd_bench_checks(argv: list[str]) -> int:
    from pipelines.bench_checks import main as bench_checks_main

    return bench_checks_main(argv)


def cmd_bench_score(argv: list[str]) -> int:
    from pipelines.bench_score import main as bench_score_main

    return bench_score_main(argv)


PASSTHROUGH = {
    "synth": cmd_synth,
    "bench": cmd_bench,
    "demo": cmd_demo,
    "bench-sign": cmd_bench_sign,
    "bench-checks": cmd_bench_checks,
    "bench-score": cmd_bench_score,
}
PLUGIN_GROUP = "hocba.commands"  # commands of packages pipelines/ must not import (review/)


def _plugins() -> dict[str, EntryPoint]:
    return {ep.name: ep for ep in entry_points(group=PLUGIN_GROUP)}


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        if argv and argv[0] in PASSTHROUGH:
            return PASSTHROUGH[argv[0]](argv[1:])
        plugin = _plugins().get(argv[0]) if argv else None
        if plugin is not None:
            return int(plugin.load()(argv[1:]))
        args = build_parser().parse_args(argv)
        return int(args.fn(args))
    except HocbaError as exc:
        print(f"hocba: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
