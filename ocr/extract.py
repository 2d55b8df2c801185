"""One booklet's pages -> the contract record, every field's reading, and OCR flags."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

import cv2
import numpy as np
from rapidfuzz.distance import Levenshtein

from domain.errors import OcrEngineError, UnsupportedPage
from domain.record import FieldReading, Flag, Source, Student, TranscriptRecord, YearPage
from domain.text import search_key
from ocr.decode import PageImage
from ocr.engine import OcrEngine, default_engine
from ocr.fields import parse_school_name, school_name_doubtful
from ocr.handwriting import booklet_verdicts
from ocr.identity import read_identity
from ocr.pages import ReadPage, read_page
from ocr.same_text import check_comments
from ocr.sink import READ_SEPARATOR, FieldSink, flag_message
from ocr.year_th import read_th_year
from ocr.year_thcs import read_thcs_year


@dataclass
class Extraction:
    record: TranscriptRecord
    readings: list[FieldReading] = field(default_factory=list)
    rotations: list[int] = field(default_factory=list)  # per page, for the review view
    # Each page as the OCR saw it (upright, deskewed, 300 dpi), JPEG: the readings' boxes are in
    # these pixels, so the review view draws them and cuts crops without any transformation.
    # JPEG, not PNG: a grey scan compresses badly losslessly (3.5 MB and 0.1 s a page, against
    # 1.2 MB and 0.02 s), and the original scan is kept as it came.
    page_images: dict[int, bytes] = field(default_factory=dict)


def extract_booklet(
    pages: Sequence[PageImage], *, source: Source, document_id: str, engine: OcrEngine | None = None
) -> Extraction:
    """Raises UnsupportedPage when no page looks like a booklet of a v1 family."""
    engine = engine or default_engine()
    flags: list[Flag] = []
    read: list[ReadPage] = []
    for page in pages:
        try:
            read.append(read_page(page, engine))
        except OcrEngineError as exc:
            flags.append(
                Flag(
                    field="",
                    code="OCR_ENGINE_ERROR",
                    message=f"Trang {page.number}: máy đọc chữ gặp lỗi ({exc}); cần xem ảnh quét.",
                )
            )
    family = _family(read)
    if family is None:
        raise UnsupportedPage(
            "no page looks like a THCS-2011 or TH-2014 booklet page",
            hint="check that the file is a scanned học bạ of a family in scope",
        )
    record = TranscriptRecord(document_id=document_id, source=source, family=family)  # type: ignore[arg-type]
    extraction = Extraction(
        record,
        rotations=[p.clean.rotation for p in read],
        page_images={p.number: _jpeg(p.clean.gray) for p in read},
    )
    _fill(record, read, family, engine, flags, extraction.readings)
    record.review.flags = flags
    return extraction


PAGE_JPEG_QUALITY = 90  # for a person's eyes: text and the crops of fields stay crisp


def _jpeg(gray: np.ndarray) -> bytes:
    ok, data = cv2.imencode(".jpg", gray, [cv2.IMWRITE_JPEG_QUALITY, PAGE_JPEG_QUALITY])
    if not ok:
        raise OcrEngineError("could not encode a page image", hint="check OpenCV's JPEG support")
    return bytes(data.tobytes())


def _family(read: Sequence[ReadPage]) -> str | None:
    votes = Counter(p.family for p in read if p.family and p.kind != "unknown")
    return votes.most_common(1)[0][0] if votes else None


def _fill(
    record: TranscriptRecord,
    read: Sequence[ReadPage],
    family: str,
    engine: OcrEngine,
    flags: list[Flag],
    readings: list[FieldReading],
) -> None:
    identity_seen = False
    year_names: list[tuple[int, object]] = []
    sinks: list[tuple[ReadPage, FieldSink]] = []
    for page in read:
        sink = FieldSink(page.number, page.clean.gray, engine)
        sinks.append((page, sink))
        if page.kind == "identity" and not identity_seen:
            identity_seen = True
            record.student = read_identity(page, sink)
        elif page.kind == "year":
            prefix = f"years[{len(record.years)}]"
            reader = read_thcs_year if family == "THCS-2011" else read_th_year
            year: YearPage = reader(page, sink, prefix)
            record.years.append(year)
            year_names.append((len(record.years) - 1, _name_reading(sink)))
        else:
            flags.append(
                Flag(
                    field="",
                    code="PAGE_NOT_RECOGNIZED",
                    message=f"Trang {page.number} không nhận ra là trang sơ yếu lý lịch hay trang năm học; cần xem ảnh quét.",
                )
            )
    flag_handwritten([sink for _, sink in sinks])
    for page, sink in sinks:
        flags.extend(
            f for f in sink.flags if f.field != "student.full_name" or page.kind == "identity"
        )
        readings.extend(sink.readings)
    if not identity_seen:
        flags.append(
            Flag(
                field="student",
                code="IDENTITY_PAGE_MISSING",
                message="Không tìm thấy trang sơ yếu lý lịch của học sinh; cần xem ảnh quét.",
            )
        )
    _check_page_owner(record.student, year_names, flags)
    _settle_school_names(record.years, flags, readings)
    _flag_doubtful_school_names(record.years, flags)
    _check_school_names(record.years, flags)
    check_comments(record.years, flags)


def _name_reading(sink: FieldSink) -> object:
    for reading in sink.readings:
        if reading.path == "student.full_name":
            return reading.raw
    return None


def _check_page_owner(
    student: Student, year_names: list[tuple[int, object]], flags: list[Flag]
) -> None:
    """A year page whose printed name differs from the identity page may belong to someone else."""
    if not student.full_name:
        return
    expected = _letters(student.full_name)
    for index, raw in year_names:
        if not isinstance(raw, str) or not raw:
            continue
        # every read of the line is kept in `raw`; one close to the name clears the page
        # (a read may carry the dotted leader or a speck after the name as letters)
        reads = [_letters(text) for text in raw.split(READ_SEPARATOR)]
        if min(Levenshtein.distance(read, expected) for read in reads) > 2:
            flags.append(
                Flag(
                    field=f"years[{index}]",
                    code="PAGE_NAME_MISMATCH",
                    message="Họ tên trên trang năm học khác với trang sơ yếu lý lịch; trang này có thể thuộc học sinh khác.",
                )
            )


SCHOOL_PAGES = 3  # year pages whose reads show one school name, to settle another page's split
_UNSURE = ("READS_DISAGREE", "LOW_CONFIDENCE")


def _settle_school_names(
    years: Sequence[YearPage], flags: list[Flag], readings: Sequence[FieldReading]
) -> None:
    """A school's name is printed on every year page the pupil spent there, so its reads on
    other pages are independent images of the same print. A page whose own reads split (or
    read unsurely) takes the name one of them shows when reads on SCHOOL_PAGES pages or more
    show it letter for letter, twice as many pages as any other name this page's reads show.
    The page keeps a note of it; a page with no read of that name is left flagged."""
    names: dict[int, set[str]] = {}
    for reading in readings:
        index = _school_page(reading.path)
        if index is not None and reading.raw:
            parsed = (parse_school_name(t).value for t in reading.raw.split(READ_SEPARATOR))
            names[index] = {v for v in parsed if isinstance(v, str) and not school_name_doubtful(v)}
    pages = Counter(name for found in names.values() for name in found)
    for flag in [f for f in flags if f.code in _UNSURE]:
        index = _school_page(flag.field)
        if index is None:
            continue
        ranked = sorted(names.get(index, ()), key=lambda n: -pages[n])
        if not ranked or pages[ranked[0]] < SCHOOL_PAGES:
            continue
        if len(ranked) > 1 and pages[ranked[0]] < 2 * pages[ranked[1]]:
            continue
        years[index].school_name = ranked[0]
        flags.remove(flag)
        raw = READ_SEPARATOR.join(sorted(names[index]))
        flags.append(
            Flag(
                field=flag.field,
                code="SCHOOL_NAME_FROM_PAGES",
                message=flag_message("SCHOOL_NAME_FROM_PAGES", raw),
                severity="info",
            )
        )


def _school_page(path: str) -> int | None:
    found = re.fullmatch(r"years\[(\d+)\]\.school_name", path)
    return int(found[1]) if found else None


def _flag_doubtful_school_names(years: Sequence[YearPage], flags: list[Flag]) -> None:
    """A page's school name no school could have (`school_name_doubtful`) goes to a person."""
    flagged = {f.field for f in flags}
    for index, year in enumerate(years):
        field = f"years[{index}].school_name"
        if year.school_name and school_name_doubtful(year.school_name) and field not in flagged:
            message = flag_message("UNPARSEABLE", year.school_name)
            flags.append(Flag(field=field, code="UNPARSEABLE", message=message))


def _check_school_names(years: Sequence[YearPage], flags: list[Flag]) -> None:
    """A school's name is printed on each year page; pages where it has the same letters but
    other accents («Đại Đồng», «Đại Đông») disagree, and which read is right is not known, so
    every one of them is flagged. A pupil who changed schools has other letters: not compared."""
    pages: dict[str, list[int]] = {}
    for index, year in enumerate(years):
        if year.school_name:
            pages.setdefault(_letters(year.school_name), []).append(index)
    for indices in pages.values():
        spellings = sorted({str(years[i].school_name) for i in indices})
        if len(spellings) < 2:
            continue
        for index in indices:
            flags.append(
                Flag(
                    field=f"years[{index}].school_name",
                    code="PAGES_DISAGREE",
                    message=f"Tên trường đọc được khác nhau giữa các trang năm học («{'» / «'.join(spellings)}»); cần đối chiếu với ảnh quét.",
                )
            )


def _letters(text: str) -> str:
    """A name's letters, accents and spaces folded away: what two reads of it must share."""
    return "".join(ch for ch in search_key(text) if ch.isalpha())


def flag_handwritten(sinks: Sequence[FieldSink]) -> None:
    """Values that look written by hand go to a person with their crops (the readings' boxes):
    the engine reads print, and a hand's digits can fool it without a sign."""
    marks = booklet_verdicts([(s.image, [(r.box, r.raw or "") for r in s.readings]) for s in sinks])
    for sink, page_marks in zip(sinks, marks, strict=True):
        for reading, is_hand in zip(list(sink.readings), page_marks, strict=True):
            if is_hand:
                sink.flag(reading.path, "HANDWRITTEN", reading.raw or "")
