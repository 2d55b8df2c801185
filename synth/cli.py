"""`hocba synth`: write a synthetic scanned archive (scans, truth, registry, manifest).

hocba synth --booklets N --seed S --out DIR [--degradation L] [--bad-files]
            [--variants p1,p2] [--jobs N] [--residents-per-pupil N] [--handwritten SHARE]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from domain.errors import HocbaError
from synth.archive import generate_archive
from synth.degrade import PROFILES
from synth.layouts import DEV_VARIANTS, VARIANTS


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="hocba synth", description="Generate a synthetic archive of scanned học bạ booklets."
    )
    parser.add_argument("--booklets", type=int, required=True, help="number of booklets")
    parser.add_argument("--seed", type=int, required=True, help="same seed, same bytes")
    parser.add_argument("--out", type=Path, required=True, help="output directory")
    parser.add_argument("--degradation", choices=list(PROFILES), default="typical")
    parser.add_argument("--bad-files", action="store_true", help="add corrupt and junk files")
    parser.add_argument(
        "--variants",
        default=",".join(DEV_VARIANTS),
        help=f"comma-separated print variants from {', '.join(VARIANTS)} (default: dev ones)",
    )
    parser.add_argument(
        "--handwritten",
        type=float,
        default=0.0,
        metavar="SHARE",
        help="share of booklets whose values are written by hand (0-1; default 0)",
    )
    parser.add_argument("--jobs", type=int, default=1, help="worker processes")
    parser.add_argument("--residents-per-pupil", type=int, default=20)
    return parser


def main(argv: list[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    if args_list[:1] == ["synth"]:  # called through the `hocba` entry point
        args_list = args_list[1:]
    args = _parser().parse_args(args_list)
    started = time.monotonic()
    try:
        summary = generate_archive(
            args.out,
            args.booklets,
            args.seed,
            degradation=args.degradation,
            variants=[v.strip() for v in args.variants.split(",") if v.strip()],
            bad_files=args.bad_files,
            residents_per_pupil=args.residents_per_pupil,
            jobs=args.jobs,
            handwritten=args.handwritten,
        )
    except HocbaError as error:
        print(f"hocba synth: {error}", file=sys.stderr)
        return 2
    formats = ", ".join(f"{n} {fmt}" for fmt, n in sorted(summary.formats.items()))
    print(
        f"wrote {summary.booklets} booklets ({summary.pages} pages; {formats}), "
        f"{summary.bad_files} bad files to {summary.out_dir} "
        f"in {time.monotonic() - started:.1f} s"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
