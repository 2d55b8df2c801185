"""Test data for the review workbench, made by code: synthetic booklets routed into the queue.

Each booklet gets one wrong year score (the kind of digit slip OCR makes), flagged as the
pipeline would flag it, its page images in the object store, and the field's box found by
diffing the page drawn with the true and the wrong value.
"""

from __future__ import annotations

import csv
import hashlib
import io
from dataclasses import dataclass
from pathlib import Path

from PIL import ImageChops

from domain.record import FieldReading, Flag, Review, TranscriptRecord
from pipelines.repository import Repository
from pipelines.storage import ObjectStore, page_image_key
from synth.content import make_records
from synth.layouts import VARIANTS
from synth.render import render_booklet
from validation.report import to_flags
from validation.rules import check_record

SCORE_PATH = "years[0].subjects[0].year"
DPI = 100
VERSION = "test"


@dataclass(frozen=True)
class Seeded:
    document_id: str
    true_score: float
    wrong_score: float
    personal_id: str
    full_name: str


def _wrong(value: float) -> float:
    return 9.9 if abs(value - 9.9) > 1 else 1.0


def _pages_and_box(
    store: ObjectStore, truth: TranscriptRecord, wrong: TranscriptRecord
) -> tuple[int, int, int, int]:
    """Store the wrong record's pages; the box is where they differ from the true page 2."""
    variant = VARIANTS["p1"]
    pages = [p.convert("L") for p in render_booklet(wrong, variant, dpi=DPI)]
    true_page = render_booklet(truth, variant, dpi=DPI)[1].convert("L")
    for n, page in enumerate(pages, start=1):
        out = io.BytesIO()
        page.save(out, format="JPEG", quality=90)
        store.put_bytes(page_image_key(wrong.document_id, n), out.getvalue())
    x0, y0, x1, y1 = ImageChops.difference(true_page, pages[1]).getbbox() or (0, 0, 10, 10)
    return x0, y0, x1 - x0, y1 - y0


def misread_name(record: TranscriptRecord) -> TranscriptRecord:
    """The given name read with one wrong letter: no registry match, the name flagged."""
    name = record.student.full_name or ""
    doc = record.to_contract()
    doc["student"] = {**doc["student"], "full_name": name[:-1] + ("m" if name[-1] != "m" else "n")}  # type: ignore[dict-item]
    doc["identity_link"] = {
        "status": "not_found",
        "personal_id": None,
        "score": None,
        "candidates": [],
    }
    wrong = TranscriptRecord.from_contract(doc)
    flag = Flag(field="student.full_name", code="LOW_CONFIDENCE",
                message="Họ tên đọc được có độ tin cậy thấp.", severity="error")  # fmt: skip
    wrong.review = Review(status="needs_review", flags=[*wrong.review.flags, flag])
    return wrong


def flagged_booklet(truth: TranscriptRecord, *, images: ObjectStore | None) -> tuple[
    TranscriptRecord, list[FieldReading], float
]:  # fmt: skip
    """The record as extraction would deliver it: one wrong score, flagged, with its reading."""
    doc = truth.to_contract()
    truth = TranscriptRecord.from_contract(doc)
    truth.source.sha256 = hashlib.sha256(truth.document_id.encode()).hexdigest()
    subject = truth.years[0].subjects[0]
    true_score = float(subject.year)  # type: ignore[arg-type]
    wrong = TranscriptRecord.from_contract(truth.to_contract())
    wrong.years[0].subjects[0].year = _wrong(true_score)
    box = _pages_and_box(images, truth, wrong) if images is not None else (100, 100, 40, 20)
    ocr_flag = Flag(
        field=SCORE_PATH,
        code="READS_DISAGREE",
        message="Các lần đọc ô này không khớp nhau; cần người xem ảnh.",
        severity="error",
    )
    flags = [ocr_flag, *to_flags(check_record(wrong))]
    wrong.review = Review(status="needs_review", flags=flags)
    reading = FieldReading(
        path=SCORE_PATH, page=2, box=box, raw=f"{wrong.years[0].subjects[0].year} | {true_score}",
        confidence=41.0,
    )  # fmt: skip
    return wrong, [reading], true_score


def registry_csv(path: Path, records: list[TranscriptRecord]) -> Path:
    cols = ("personal_id", "full_name", "gender", "date_of_birth", "birth_registration_place",
            "father_name", "mother_name", "residence")  # fmt: skip
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(cols)
        for r in records:
            s, pid = r.student, r.identity_link.personal_id or ""
            writer.writerow([pid, s.full_name, s.gender, s.date_of_birth, pid[:3],
                             s.father_name or "", s.mother_name or "", s.residence or ""])  # fmt: skip
    return path


def seed_batch(
    dsn: str,
    store: ObjectStore | None,
    batch_id: str,
    *,
    province: str,
    district: str,
    count: int,
    seed: int,
    tmp: Path,
    with_images: int = 0,
    misread_names: tuple[int, ...] = (),
) -> list[Seeded]:
    """Route `count` THCS booklets with a flagged score into the review queue of a district."""
    records = [r for r in make_records(seed, count * 4) if r.family == "THCS-2011"][:count]
    records = [
        TranscriptRecord.from_contract({**r.to_contract(), "document_id": f"hb-{batch_id}-{i}"})
        for i, r in enumerate(records)
    ]
    out = []
    with Repository(dsn) as repo:
        repo.load_registry_csv(registry_csv(tmp / f"{batch_id}-registry.csv", records))
        repo.start_batch(batch_id, "test", {"province": province, "district": district}, VERSION)
        for i, record in enumerate(records):
            images = store if i < with_images else None
            wrong, readings, true_score = flagged_booklet(record, images=images)
            if i in misread_names:
                wrong = misread_name(wrong)
            repo.save_extraction(wrong, readings, batch_id, VERSION)
            reasons = list(dict.fromkeys(f.code for f in wrong.review.flags))
            repo.enqueue_review(wrong.document_id, batch_id, reasons, False, 0)
            pid = record.identity_link.personal_id or ""
            name = record.student.full_name or ""
            out.append(Seeded(wrong.document_id, true_score, _wrong(true_score), pid, name))
    return out
