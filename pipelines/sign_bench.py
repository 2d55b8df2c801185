"""`hocba bench-sign`: render + sign throughput and verification throughput, per core.

Runs against a fresh test PKI whose OCSP, CRL and TSA answer on loopback (signing.services)
in a child process, so a B-T signature includes a real RFC 3161 round trip while the TSA's
work is not counted as ours. Rates are booklets per CPU second of this process, i.e. per core.
Targets (issue 6): render + sign (B-T) >= 5 booklets/s per core, verification >= 20/s per core.
"""

from __future__ import annotations

import argparse
import datetime as dt
import multiprocessing
import random
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from io import BytesIO
from pathlib import Path
from typing import Any

from domain.record import TranscriptRecord
from signing.render import IssueInfo, render_transcript
from signing.services import serve_test_pki
from signing.sign import SealOptions, SignStep, sign_document
from signing.signers import SignerConfig, open_signer
from signing.verify import verify_pdf

RENDER_SIGN_TARGET = 5.0
VERIFY_TARGET = 20.0


MakeBooklet = Callable[[random.Random, Any, str], TranscriptRecord]


def _records(make_booklet: MakeBooklet, count: int, seed: int) -> list[TranscriptRecord]:
    rng = random.Random(seed)
    families = ("THCS-2011", "TH-2014")
    return [make_booklet(rng, families[i % 2], f"hb-{i:016x}") for i in range(count)]


def _scans(record: TranscriptRecord, seed: int) -> list[bytes]:
    """Distinct grey JPEG 'scans' (about 140 dpi A4), one per source page."""
    from PIL import Image, ImageDraw

    pages = []
    for page in range(record.source.page_count):
        image = Image.new("L", (1130, 1600), 236)
        draw = ImageDraw.Draw(image)
        rng = random.Random(seed * 100 + page)
        for _ in range(400):  # some line work so the JPEG is not trivially small
            x, y = rng.randrange(1100), rng.randrange(1580)
            draw.line((x, y, x + rng.randrange(20, 200), y), fill=rng.randrange(40, 120), width=2)
        out = BytesIO()
        image.save(out, "JPEG", quality=70)
        pages.append(out.getvalue())
    return pages


def _serve(directory: str, ready: Any, stop: Any) -> None:
    """Child process: the test PKI's services, so their CPU is not counted as ours."""
    with serve_test_pki() as pki:
        Path(directory, "root.pem").write_bytes(pki.root.cert_pem())
        Path(directory, "seal.p12").write_bytes(pki.pkcs12(pki.seal, b"bench"))
        Path(directory, "seal.pw").write_bytes(b"bench")
        ready.put(pki.base_url)
        stop.wait()


@contextmanager
def _services(directory: str) -> Iterator[str]:
    context = multiprocessing.get_context("spawn")
    ready, stop = context.Queue(), context.Event()
    child = context.Process(target=_serve, args=(directory, ready, stop), daemon=True)
    child.start()
    try:
        yield str(ready.get(timeout=60))
    finally:
        stop.set()
        child.join(timeout=10)


def run(make_booklet: MakeBooklet, booklets: int, level: str, seed: int = 7) -> tuple[float, float]:
    """(render+sign booklets/s per core, verifications/s per core)."""
    records = _records(make_booklet, booklets + 1, seed)
    scans = [_scans(r, i) for i, r in enumerate(records)]
    with tempfile.TemporaryDirectory(prefix="hocba-bench-") as tmp, _services(tmp) as base_url:
        root = Path(tmp, "root.pem")
        config = SignerConfig(key_file=Path(tmp, "seal.p12"), secret_file=Path(tmp, "seal.pw"))
        options = SealOptions(level=level, tsa_url=f"{base_url}/tsa", trust_roots=(root,))  # type: ignore[arg-type]
        with open_signer(config) as signer:
            steps = [SignStep("ToChuc", signer)]
            _issue(records[0], scans[0], steps, options)  # warm-up: fonts, key, TSA connection
            start = time.process_time()
            signed = [
                _issue(r, s, steps, options) for r, s in zip(records[1:], scans[1:], strict=True)
            ]
            sign_rate = booklets / (time.process_time() - start)
        start = time.process_time()
        for pdf in signed:
            if not verify_pdf(pdf, [root]).valid:
                raise RuntimeError("a benchmark document does not verify")
        verify_rate = booklets / (time.process_time() - start)
    return sign_rate, verify_rate


def _issue(
    record: TranscriptRecord, scans: list[bytes], steps: list[SignStep], options: SealOptions
) -> bytes:
    doc_id = "HB-" + record.document_id.removeprefix("hb-").upper() + "-1"
    info = IssueInfo(doc_id, "Sở GD&ĐT (đo hiệu năng)", "hocba bench", dt.date.today(),
                     f"https://hocba.local/xac-minh/{doc_id}")  # fmt: skip
    return sign_document(render_transcript(record, info, scans), steps, options)


def main(argv: list[str], make_booklet: MakeBooklet) -> int:
    """`make_booklet(rng, family, document_id)` makes the records (the CLI passes synth's)."""
    parser = argparse.ArgumentParser(prog="hocba bench-sign", description=__doc__)
    parser.add_argument("--booklets", type=int, default=20)
    parser.add_argument("--level", choices=["B-B", "B-T", "B-LT"], default="B-T")
    args = parser.parse_args(argv)
    sign_rate, verify_rate = run(make_booklet, args.booklets, args.level)
    print(f"booklets: {args.booklets} (with scan appendix), level {args.level}")
    print(f"render + sign: {sign_rate:.1f} booklets/s per core (target >= {RENDER_SIGN_TARGET:g})")
    print(f"verification:  {verify_rate:.1f} documents/s per core (target >= {VERIFY_TARGET:g})")
    return 0
