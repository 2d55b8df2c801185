"""Write a synthetic scanned archive: scans, ground truth, registry extract and a manifest.

    out_dir/scans/<id>.tif | <id>.pdf | <id>/page_01.jpg ...   the "paper" as a scanner left it
    out_dir/truth/<id>.json      the contract record of each booklet (source filled in)
    out_dir/registry.csv         the registry extract (synth/registry.py)
    out_dir/manifest.json        how each booklet was printed and scanned; the bad files

Every random choice comes from generators seeded by (seed, document id), so the bytes are the
same for the same arguments whatever the number of worker processes.
"""

from __future__ import annotations

import hashlib
import io
import json
import multiprocessing
import random
import shutil
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from PIL import Image

from domain.errors import ConfigError
from domain.record import Source, TranscriptRecord
from synth.degrade import PROFILES, Degradation, apply_degradation
from synth.layouts import DEV_VARIANTS, VARIANTS
from synth.render import render_booklet

ScanFormat = Literal["tif", "pdf", "jpg"]
FORMAT_SHARES: tuple[tuple[ScanFormat, float], ...] = (("tif", 0.45), ("pdf", 0.45), ("jpg", 0.1))
COLOUR_SHARE = 0.3  # PDF and image-folder booklets scanned in colour; TIFFs are always grey
QUARANTINE, DUPLICATE = "quarantine", "skip_duplicate"


@dataclass(frozen=True)
class ArchiveSummary:
    out_dir: Path
    booklets: int
    pages: int
    formats: dict[str, int]
    bad_files: int
    manifest: Path


@dataclass(frozen=True)
class BookletJob:
    """Everything a worker needs to print and scan one booklet (picklable)."""

    record: dict[str, Any]
    variant: str
    scan_format: ScanFormat
    degradation: Degradation
    colour: bool
    scans_dir: str
    seed: int
    handwritten: bool = False  # values written by hand into the printed frame


def generate_archive(
    out_dir: Path,
    booklets: int,
    seed: int,
    *,
    degradation: Degradation = "typical",
    variants: Sequence[str] = DEV_VARIANTS,
    bad_files: bool = False,
    residents_per_pupil: int = 20,
    jobs: int = 1,
    handwritten: float = 0.0,
) -> ArchiveSummary:
    """Generate `booklets` ground-truth records (synth/content.py) and write their archive."""
    from synth.content import make_records

    if booklets < 1:
        raise ConfigError("booklets must be at least 1", hint="pass --booklets N with N >= 1")
    return write_archive(
        Path(out_dir),
        make_records(seed, booklets),
        seed,
        degradation=degradation,
        variants=variants,
        bad_files=bad_files,
        residents_per_pupil=residents_per_pupil,
        jobs=jobs,
        handwritten=handwritten,
    )


def write_archive(
    out_dir: Path,
    records: Sequence[TranscriptRecord],
    seed: int,
    *,
    degradation: Degradation = "typical",
    variants: Sequence[str] = DEV_VARIANTS,
    bad_files: bool = False,
    residents_per_pupil: int = 20,
    jobs: int = 1,
    handwritten: float = 0.0,
) -> ArchiveSummary:
    """Print, scan and describe the given truth records (the registry needs linked pupils).
    A `handwritten` share of the booklets has its values written by hand."""
    _check_arguments(degradation, variants, jobs)
    if not 0.0 <= handwritten <= 1.0:
        raise ConfigError("handwritten must be a share from 0 to 1", hint="e.g. --handwritten 0.2")
    scans, truth_dir = _prepare(out_dir)
    plan = _plan(records, seed, degradation, variants, scans, handwritten)
    results = _run(plan, jobs)
    truths, entries = [], []
    for job, result in zip(plan, results, strict=True):
        truth = _truth(TranscriptRecord.from_contract(job.record), result)
        _write_json(truth_dir / f"{truth.document_id}.json", truth.to_contract())
        truths.append(truth)
        entries.append(_manifest_entry(truth, job, result))
    bad = _write_bad_files(scans, truths, entries, seed) if bad_files else []
    _write_registry(out_dir / "registry.csv", truths, seed, residents_per_pupil)
    manifest = out_dir / "manifest.json"
    _write_json(manifest, _manifest(seed, degradation, variants, entries, bad))
    return ArchiveSummary(
        out_dir=out_dir,
        booklets=len(entries),
        pages=sum(len(e["pages"]) for e in entries),
        formats=dict(Counter(job.scan_format for job in plan)),
        bad_files=len(bad),
        manifest=manifest,
    )


def _check_arguments(degradation: str, variants: Sequence[str], jobs: int) -> None:
    if degradation not in PROFILES:
        raise ConfigError(
            f"unknown degradation {degradation!r}", hint=f"use one of {', '.join(PROFILES)}"
        )
    unknown = [v for v in variants if v not in VARIANTS]
    if unknown or not variants:
        raise ConfigError(
            f"unknown print variants {unknown or '(none given)'}",
            hint=f"choose from {', '.join(VARIANTS)}",
        )
    if jobs < 1:
        raise ConfigError("jobs must be at least 1", hint="pass --jobs 1 or more")


def _prepare(out_dir: Path) -> tuple[Path, Path]:
    """Make the layout; an earlier archive in `out_dir` is replaced, anything else is refused."""
    if out_dir.exists() and any(out_dir.iterdir()) and not (out_dir / "manifest.json").exists():
        raise ConfigError(
            f"{out_dir} is not empty and holds no synthetic archive",
            hint="choose an empty or new output directory",
        )
    for sub in ("scans", "truth"):
        shutil.rmtree(out_dir / sub, ignore_errors=True)
    scans, truth = out_dir / "scans", out_dir / "truth"
    scans.mkdir(parents=True)
    truth.mkdir()
    return scans, truth


def _plan(
    records: Sequence[TranscriptRecord],
    seed: int,
    degradation: Degradation,
    variants: Sequence[str],
    scans: Path,
    handwritten: float = 0.0,
) -> list[BookletJob]:
    """Formats as a shuffled deck (so the shares hold even for small archives), then variants."""
    rng = random.Random(f"hocba-archive-{seed}")
    deck = _format_deck(len(records), rng)
    # a separate generator: the printed-only archive stays the same bytes as before
    hands = random.Random(f"hocba-hand-{seed}")
    jobs = []
    for record, scan_format in zip(records, deck, strict=True):
        colour = scan_format != "tif" and rng.random() < COLOUR_SHARE
        jobs.append(
            BookletJob(
                record=record.to_contract(),
                variant=variants[rng.randrange(len(variants))],
                scan_format=scan_format,
                degradation=degradation,
                colour=colour,
                scans_dir=str(scans),
                seed=seed,
                handwritten=hands.random() < handwritten,
            )
        )
    return jobs


def _format_deck(count: int, rng: random.Random) -> list[ScanFormat]:
    folders = max(1, round(count * FORMAT_SHARES[2][1])) if count >= 3 else 0
    tifs = round((count - folders) / 2)
    tif: list[ScanFormat] = ["tif"]
    pdf: list[ScanFormat] = ["pdf"]
    jpg: list[ScanFormat] = ["jpg"]
    deck = tif * tifs + pdf * (count - folders - tifs) + jpg * folders
    rng.shuffle(deck)
    return deck


def _run(plan: list[BookletJob], jobs: int) -> list[dict[str, Any]]:
    if jobs == 1 or len(plan) < 2:
        return [scan_booklet(job) for job in plan]
    # spawn, not fork: OpenCV's thread pool does not survive a fork reliably
    context = multiprocessing.get_context("spawn")
    with context.Pool(min(jobs, len(plan)), initializer=_init_worker) as pool:
        return pool.map(scan_booklet, plan, chunksize=1)


def _init_worker() -> None:
    import cv2

    cv2.setNumThreads(1)  # one process per core is the parallelism


def scan_booklet(job: BookletJob) -> dict[str, Any]:
    """Render, degrade and write one booklet; returns its file name, hash and page traces."""
    record = TranscriptRecord.from_contract(job.record)
    rng = random.Random(f"hocba-scan-{job.seed}-{record.document_id}")
    profile = PROFILES[job.degradation]
    dpi = rng.choice(
        [d for d in (200, 240, 300, 360, 400) if profile.dpi[0] <= d <= profile.dpi[1]]
    )
    quality = rng.randint(*profile.jpeg) if profile.jpeg else None
    pages, traces = [], []
    for page in render_booklet(record, VARIANTS[job.variant], handwritten=job.handwritten):
        scanned, trace = apply_degradation(
            page if job.colour else page.convert("L"),
            rng,
            job.degradation,
            dpi=dpi,
            jpeg_quality=quality,
            round_trip=False,  # _save stores the pages as JPEG at this quality
        )
        pages.append(scanned)
        traces.append(trace.to_manifest())
    name, digest = _save(pages, Path(job.scans_dir), record.document_id, job, dpi, quality)
    return {"file": name, "sha256": digest, "dpi": dpi, "pages": traces}


def _save(
    pages: list[Image.Image],
    scans: Path,
    document_id: str,
    job: BookletJob,
    dpi: int,
    quality: int | None,
) -> tuple[str, str]:
    """Store lossy at the scanner's JPEG quality; a clean scan keeps TIFF lossless (LZW)."""
    if job.scan_format == "jpg":
        folder = scans / document_id
        folder.mkdir()
        digest = hashlib.sha256()
        for i, page in enumerate(pages, start=1):
            data = _encode(page, "JPEG", quality=quality or 95, dpi=(dpi, dpi))
            (folder / f"page_{i:02d}.jpg").write_bytes(data)
            digest.update(data)
        return document_id, digest.hexdigest()
    name = f"{document_id}.{job.scan_format}"
    data = _encode_multipage(pages, job.scan_format, dpi, quality)
    (scans / name).write_bytes(data)
    return name, hashlib.sha256(data).hexdigest()


def _encode(page: Image.Image, fmt: str, **options: Any) -> bytes:
    buffer = io.BytesIO()
    page.save(buffer, format=fmt, **options)
    return buffer.getvalue()


def _encode_multipage(pages: list[Image.Image], fmt: str, dpi: int, quality: int | None) -> bytes:
    if fmt == "tif":
        grey = [p.convert("L") for p in pages]
        options: dict[str, Any] = {"compression": "tiff_lzw"}
        if quality:
            options = {"compression": "jpeg", "quality": quality}
        return _encode(
            grey[0], "TIFF", save_all=True, append_images=grey[1:], dpi=(dpi, dpi), **options
        )
    # no creation/modification dates: the same arguments must give the same bytes
    return _encode(
        pages[0],
        "PDF",
        save_all=True,
        append_images=pages[1:],
        resolution=float(dpi),
        creationDate=None,
        modDate=None,
        quality=quality or 95,
    )


def _truth(record: TranscriptRecord, result: dict[str, Any]) -> TranscriptRecord:
    truth = record.model_copy(deep=True)
    truth.source = Source(
        file=result["file"], sha256=result["sha256"], page_count=len(result["pages"])
    )
    for index, year in enumerate(truth.years):
        year.page = index + 2  # page 1 is the identity page
    return truth


def _manifest_entry(
    truth: TranscriptRecord, job: BookletJob, result: dict[str, Any]
) -> dict[str, Any]:
    return {
        "document_id": truth.document_id,
        "file": result["file"],
        "format": job.scan_format,
        "family": truth.family,
        "variant": job.variant,
        "degradation": job.degradation,
        "colour": job.colour,
        "handwritten": job.handwritten,
        "dpi": result["dpi"],
        "pages": [{"page": i, **trace} for i, trace in enumerate(result["pages"], start=1)],
    }


def _manifest(
    seed: int,
    degradation: str,
    variants: Sequence[str],
    entries: list[dict[str, Any]],
    bad: list[dict[str, str]],
) -> dict[str, Any]:
    return {
        "generator": "hocba synth",
        "seed": seed,
        "degradation": degradation,
        "variants": list(variants),
        "conventions": {
            "file": "relative to scans/; a folder name for single-page images",
            "rotation": "clockwise quarter turn applied to the upright page",
            "skew": "degrees, positive counter-clockwise",
        },
        "booklets": entries,
        "bad_files": bad,
    }


def _write_bad_files(
    scans: Path, truths: list[TranscriptRecord], entries: list[dict[str, Any]], seed: int
) -> list[dict[str, str]]:
    """Files an ingest must survive: corrupt, empty, not an image, junk, and a duplicate."""
    rng = random.Random(f"hocba-bad-{seed}")
    page = render_booklet(truths[0], VARIANTS[DEV_VARIANTS[0]], dpi=150)[0].convert("L")
    tiff = _encode(page, "TIFF", compression="tiff_lzw", dpi=(150, 150))
    files: list[tuple[str, bytes, str]] = [
        ("scan-0001-truncated.tif", tiff[: len(tiff) * 2 // 5], "truncated_tiff"),
        ("scan-0002-empty.pdf", b"", "zero_byte_pdf"),
        ("scan-0003-text.tif", "Biên bản bàn giao hồ sơ học bạ\n".encode() * 40, "text_as_tiff"),
        ("notes.docx", b"PK\x03\x04" + rng.randbytes(2048), "junk_file"),
    ]
    bad = []
    for name, data, kind in files:
        (scans / name).write_bytes(data)
        bad.append({"file": name, "kind": kind, "expected_fate": QUARANTINE})
    original = next((e for e in entries if e["format"] != "jpg"), None)
    if original is not None:
        copy = f"{original['document_id']}-rescan.{original['format']}"
        shutil.copyfile(scans / original["file"], scans / copy)
        bad.append(
            {
                "file": copy,
                "kind": "duplicate",
                "expected_fate": DUPLICATE,
                "duplicate_of": original["file"],
            }
        )
    return bad


def _write_registry(
    path: Path, truths: list[TranscriptRecord], seed: int, residents_per_pupil: int
) -> None:
    from synth.registry import registry_rows, write_registry

    rows = registry_rows(random.Random(f"hocba-registry-{seed}"), truths, residents_per_pupil)
    write_registry(path, rows)


def _write_json(path: Path, document: dict[str, Any]) -> None:
    path.write_text(json.dumps(document, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
