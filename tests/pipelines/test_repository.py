"""Repository against the real throwaway cluster: idempotent loads, registry, review, fates."""

from __future__ import annotations

import csv
import hashlib
import random
import unicodedata
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest

from domain.errors import StorageError
from domain.record import (
    FieldReading,
    IdentityLink,
    RatedItem,
    Review,
    Source,
    Student,
    SubjectResult,
    TermTriple,
    TranscriptRecord,
    YearPage,
)
from pipelines.repository import REGISTRY_COLUMNS, Repository
from validation.linking import link_queries


@pytest.fixture
def repo(pg_dsn: str) -> Iterator[Repository]:
    with Repository(pg_dsn) as r:
        yield r


def _uid() -> str:
    return uuid.uuid4().hex[:12]


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _pid(rng: random.Random) -> str:
    return "".join(rng.choice("0123456789") for _ in range(12))


def _thcs_year(page: int, grade: int) -> YearPage:
    subjects = [
        SubjectResult(name="Toán", hk1=7.5, hk2=8.0, year=7.8),
        SubjectResult(name="Ngữ văn", hk1=6.5, hk2=7.0, year=6.8, retest=None),
        SubjectResult(name="Thể dục", hk1="Đ", hk2="Đ", year="Đ"),
    ]
    return YearPage(
        page=page,
        school_year=f"{2005 + grade}-{2006 + grade}",
        grade=grade,
        class_name=f"{grade}A1",
        school_name="Trường THCS Nguyễn Du",
        regulation="TT58",
        subjects=subjects,
        average_all=TermTriple(hk1=7.0, hk2=7.5, year=7.3),
        conduct=TermTriple(hk1="Tốt", hk2="Tốt", year="Tốt"),
        academic=TermTriple(hk1="Khá", hk2="Khá", year="Khá"),
        absences=2,
        decision="Được lên lớp",
        awards="Học sinh tiên tiến",
    )


def _th_year(page: int) -> YearPage:
    return YearPage(
        page=page,
        school_year="2017-2018",
        grade=3,
        class_name="3B",
        regulation="TT22-2016",
        subjects=[SubjectResult(name="Tiếng Việt", level="Hoàn thành tốt", test_score=9)],
        competencies=[RatedItem(name="Hợp tác", level="Tốt")],
        qualities=[RatedItem(name="Chăm học, chăm làm", level="Đạt", comment="Chăm chỉ")],
        decision="Hoàn thành chương trình lớp học",
    )


def make_record(personal_id: str | None = None, *, family: str = "THCS-2011") -> TranscriptRecord:
    uid = _uid()
    years = [_thcs_year(2, 6), _thcs_year(3, 7)] if family == "THCS-2011" else [_th_year(2)]
    return TranscriptRecord(
        document_id=f"doc-{uid}",
        source=Source(file=f"{uid}.tif", sha256=_sha(uid), page_count=len(years) + 1),
        family=family,  # type: ignore[arg-type]
        student=Student(full_name="Nguyễn Thị Ánh Tuyết", gender="Nữ", date_of_birth="2005-09-05"),
        years=years,
        identity_link=IdentityLink(
            status="linked" if personal_id else "not_found", personal_id=personal_id
        ),
        review=Review(status="auto_approved"),
    )


def _rows(dsn: str, query: str, *params: Any) -> list[tuple[Any, ...]]:
    with psycopg.connect(dsn) as conn:
        return conn.execute(query, params).fetchall()


def _snapshot(dsn: str, booklet_id: int) -> dict[str, list[tuple[Any, ...]]]:
    return {
        t: _rows(dsn, f"SELECT * FROM hocba.{t} WHERE booklet_id = %s ORDER BY 1, 2", booklet_id)
        for t in ("booklet", "year_result", "subject_result")
    }


# ---------------------------------------------------------------- sector database


def test_load_record_twice_gives_the_same_rows(repo: Repository, pg_dsn: str) -> None:
    record = make_record(_pid(random.Random(1)))
    booklet_id = repo.load_record(record, loaded_by="0.1.0+gtest")
    before = _snapshot(pg_dsn, booklet_id)
    assert repo.load_record(record, loaded_by="0.1.0+gtest") == booklet_id
    assert _snapshot(pg_dsn, booklet_id) == before  # same rows, same timestamps
    assert len(before["year_result"]) == 2 and len(before["subject_result"]) == 6
    toan = _rows(
        pg_dsn,
        "SELECT score_hk1, score_year, mark_year FROM hocba.subject_result"
        " WHERE booklet_id = %s AND page = 2 AND subject = 'Toán'",
        booklet_id,
    )
    the_duc = _rows(
        pg_dsn,
        "SELECT score_year, mark_year FROM hocba.subject_result"
        " WHERE booklet_id = %s AND page = 2 AND subject = 'Thể dục'",
        booklet_id,
    )
    assert [(float(a), float(b), c) for a, b, c in toan] == [(7.5, 7.8, None)]
    assert the_duc == [(None, "Đ")]
    students = _rows(
        pg_dsn,
        "SELECT count(*) FROM hocba.student WHERE personal_id = %s",
        record.identity_link.personal_id,
    )
    assert students == [(1,)]


def test_corrected_record_replaces_stale_rows(repo: Repository, pg_dsn: str) -> None:
    record = make_record(_pid(random.Random(2)))
    booklet_id = repo.load_record(record, loaded_by="pipeline")
    fixed = record.model_copy(deep=True)
    fixed.years = [fixed.years[0]]
    fixed.years[0].subjects = fixed.years[0].subjects[:2]
    fixed.years[0].subjects[0].year = 8.0
    assert repo.load_record(fixed, loaded_by="steward:lan") == booklet_id
    after = _snapshot(pg_dsn, booklet_id)
    assert [r[1] for r in after["year_result"]] == [2]
    assert sorted(r[2] for r in after["subject_result"]) == ["Ngữ văn", "Toán"]
    assert _rows(
        pg_dsn, "SELECT loaded_by FROM hocba.booklet WHERE booklet_id = %s", booklet_id
    ) == [("steward:lan",)]


def test_primary_record_keeps_ratings_as_json(repo: Repository, pg_dsn: str) -> None:
    booklet_id = repo.load_record(make_record(_pid(random.Random(3)), family="TH-2014"), "p")
    rows = _rows(
        pg_dsn,
        "SELECT y.qualities->0->>'comment', s.level, s.test_score FROM hocba.year_result y"
        " JOIN hocba.subject_result s USING (booklet_id, page) WHERE y.booklet_id = %s",
        booklet_id,
    )
    assert rows == [("Chăm chỉ", "Hoàn thành tốt", 9)]


def test_second_booklet_fills_gaps_but_never_blanks_identity(repo: Repository, pg_dsn: str) -> None:
    pid = _pid(random.Random(4))
    first = make_record(pid)
    first.student.father_name = "Nguyễn Văn Ba"
    repo.load_record(first, "p")
    second = make_record(pid, family="TH-2014")
    second.student.residence = "Xã Yên Sở, Hà Nội"
    repo.load_record(second, "p")
    assert _rows(
        pg_dsn,
        "SELECT father_name, residence FROM hocba.student WHERE personal_id = %s",
        pid,
    ) == [("Nguyễn Văn Ba", "Xã Yên Sở, Hà Nội")]


def test_unlinked_or_inconsistent_records_are_refused(repo: Repository) -> None:
    with pytest.raises(StorageError, match="not linked"):
        repo.load_record(make_record(None), "p")
    dup = make_record(_pid(random.Random(5)))
    dup.years[0].subjects.append(SubjectResult(name="Toán", hk1=1.0))
    with pytest.raises(StorageError, match="repeats"):
        repo.load_record(dup, "p")


def test_issued_booklet_cannot_change_until_revoked(repo: Repository, pg_dsn: str) -> None:
    record = make_record(_pid(random.Random(6)))
    doc_id = f"HB-{_uid()}"
    pdf = _sha("pdf")
    assert repo.record_issued(doc_id, record.document_id, pdf, f"issued/{doc_id}.pdf", "S", "v")
    assert not repo.record_issued(doc_id, record.document_id, pdf, f"issued/{doc_id}.pdf", "S", "v")
    with pytest.raises(StorageError, match="other content"):
        repo.record_issued(doc_id, record.document_id, _sha("other"), "x.pdf", "S", "v")
    booklet_id = repo.load_record(record, "p")  # first load attaches the issued document
    issued = repo.find_issued(record.document_id)
    assert issued is not None and issued["booklet_id"] == booklet_id
    assert repo.load_record(record, "p") == booklet_id  # unchanged reload is fine
    changed = record.model_copy(deep=True)
    changed.years[0].absences = 30
    with pytest.raises(StorageError, match="issued document"):
        repo.load_record(changed, "p")
    repo.revoke_issued(doc_id, "Sửa số buổi nghỉ")
    assert repo.load_record(changed, "p") == booklet_id


# ---------------------------------------------------------------- registry


def _write_registry(path: Path, rows: list[dict[str, str]]) -> None:
    columns = list(reversed(REGISTRY_COLUMNS))  # any column order is allowed
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=columns)
        writer.writeheader()
        writer.writerows(rows)


def _person(pid: str, name: str, dob: str, gender: str = "Nữ") -> dict[str, str]:
    return {
        "personal_id": pid,
        "full_name": name,
        "gender": gender,
        "date_of_birth": dob,
        "birth_registration_place": "001",
        "father_name": "",
        "mother_name": "Lê Thị Hoa",
        "residence": "",
    }


def test_registry_load_and_set_based_candidates(
    repo: Repository, pg_dsn: str, tmp_path: Path
) -> None:
    rng = random.Random(11)
    ids = [_pid(rng) for _ in range(6)]
    nfd = unicodedata.normalize("NFD", "Trần Thị Ánh Tuyết")
    rows = [
        _person(ids[0], "Trần Thị Ánh Tuyết", "1991-03-04"),
        _person(ids[1], nfd, "1991-11-30"),  # NFD input is stored NFC
        _person(ids[2], "Phạm Minh Tuyết", "1991-01-01"),  # same given name, same year
        _person(ids[3], "Trần Thị Ánh Tuyết", "1992-03-04"),  # other year
        _person(ids[4], "Đỗ Văn Đức", "1991-06-06", "Nam"),
        _person(ids[5], "Old Name", "1991-06-06"),
        _person(ids[5], "Hoàng Thị Lan", "1991-06-07"),  # repeated id: the last row wins
    ]
    path = tmp_path / "registry.csv"
    _write_registry(path, rows)
    assert repo.load_registry_csv(path) == 7
    assert repo.load_registry_csv(path) == 7  # idempotent
    stored = _rows(
        pg_dsn,
        "SELECT personal_id, full_name, name_key, birth_year FROM hocba.registry_person"
        " WHERE personal_id = ANY(%s) ORDER BY personal_id",
        ids,
    )
    assert len(stored) == 6
    assert (ids[1], "Trần Thị Ánh Tuyết", "tran thi anh tuyet", 1991) in stored
    assert (ids[5], "Hoàng Thị Lan", "hoang thi lan", 1991) in stored

    students = [
        Student(full_name="TRẦN THỊ ÁNH TUYẾT", date_of_birth="1991-03-04"),
        Student(full_name="Đỗ Văn Đức", date_of_birth="1991-01-01"),
    ]
    found = repo.link_candidates(link_queries(students))
    mine = found[found.personal_id.isin(ids)]
    assert {ids[0], ids[1], ids[4]} <= set(mine.personal_id)  # NFD stored NFC: same key
    assert ids[3] not in set(found.personal_id)  # born another year
    row = mine[mine.personal_id == ids[0]].iloc[0]
    assert row.mother_name == "Lê Thị Hoa"
    assert repo.link_candidates(link_queries([])).empty


def test_registry_load_keeps_the_unit_names_residences_use(
    repo: Repository, tmp_path: Path
) -> None:
    rng = random.Random(12)
    rows = [_person(_pid(rng), "Lê Văn An", "1990-01-01") for _ in range(2)]
    rows[0]["residence"] = "Xóm Trung, xã Nghi Lâm, huyện Nghi Lộc, tỉnh Nghệ An"
    rows[1]["residence"] = unicodedata.normalize("NFD", "Thôn 2, xã Đắk Lao, huyện Đắk Mil")
    path = tmp_path / "registry.csv"
    _write_registry(path, rows)
    repo.load_registry_csv(path)
    repo.load_registry_csv(path)  # idempotent: a name is kept once
    names = repo.place_names()
    assert {"Trung", "Nghi Lâm", "Nghi Lộc", "Nghệ An", "Đắk Lao", "Đắk Mil"} <= set(names)
    assert len(names) == len(set(names))
    assert not {"Xóm Trung", "xã Nghi Lâm"} & set(names)  # names, without their unit


def test_registry_rejects_bad_extracts(repo: Repository, tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    _write_registry(path, [_person("12345", "Lê Văn A", "1990-01-01")])
    with pytest.raises(StorageError, match="line 2"):
        repo.load_registry_csv(path)
    _write_registry(path, [_person("123456789012", "Lê Văn A", "01/02/1990")])
    with pytest.raises(StorageError, match="YYYY-MM-DD"):
        repo.load_registry_csv(path)
    path.write_text("personal_id,full_name\n123456789012,Lê Văn A\n", encoding="utf-8")
    with pytest.raises(StorageError, match="lacks columns"):
        repo.load_registry_csv(path)


# ---------------------------------------------------------------- batches, fates, review


def _start(repo: Repository) -> str:
    batch_id = f"b-{_uid()}"
    repo.start_batch(batch_id, "folder:/inbox", {"province": "001"}, "0.1.0+gtest")
    return batch_id


def test_input_fates_and_dedup_across_batches(repo: Repository, pg_dsn: str) -> None:
    first, second = _start(repo), _start(repo)
    sha_a, sha_b = _sha(_uid()), _sha(_uid())
    repo.record_input(first, "a.tif", sha_a, 100, "inbox/a.tif", "accepted")
    assert repo.accepted_sha256(sha_a, batch_id=first, file_name="a.tif") is None  # itself
    assert repo.accepted_sha256(sha_a, batch_id=first) == f"{first}/a.tif"  # a copy in-batch
    assert repo.accepted_sha256(sha_a, batch_id=second) is None  # never extracted: taken over
    repo.record_input(
        second, "copy-of-a.tif", sha_a, 100, None, "duplicate", None, f"{first}/a.tif"
    )
    repo.record_input(second, "b.pdf", sha_b, 5, "inbox/b.pdf", "quarantined", "UNREADABLE_SCAN")
    repo.record_input(second, "c.pdf", _sha("c"), 5, None, "quarantined", "UNREADABLE_SCAN")
    repo.record_input(second, "notes.txt", _sha("n"), 1, None, "skipped", "not a scan")
    # re-running the batch overwrites the same row instead of adding one
    repo.record_input(second, "b.pdf", sha_b, 5, "inbox/b.pdf", "quarantined", "UNREADABLE_SCAN")
    assert repo.accepted_sha256(sha_b) is None
    with pytest.raises(StorageError, match="check"):  # a quarantine needs a reason
        repo.record_input(second, "d.pdf", _sha("d"), 5, None, "quarantined")
    with pytest.raises(StorageError):
        repo.record_input(second, "e.pdf", _sha("e"), 5, None, "lost")
    repo.finish_batch(second)
    summary = repo.batch_summary(second)
    assert summary["files"] == {"duplicate": 1, "quarantined": 2, "skipped": 1}
    assert summary["quarantine_reasons"] == {"UNREADABLE_SCAN": 2}
    assert summary["finished_at"] is not None
    with pytest.raises(StorageError, match="never started"):
        repo.finish_batch("no-such-batch")


def test_review_queue_upsert_keeps_claims_and_decisions(repo: Repository, pg_dsn: str) -> None:
    batch_id = _start(repo)
    record = make_record(None)
    record.review = Review(status="needs_review")
    readings = [FieldReading(path="years[0].subjects[0].year", page=2, raw="7,8", confidence=61)]
    assert repo.save_extraction(record, readings, batch_id, "v1")
    assert repo.save_extraction(record, readings, batch_id, "v1")  # pending: still replaceable
    assert (
        repo.enqueue_review(record.document_id, batch_id, ["LOW_CONFIDENCE"], False, 1) == "pending"
    )
    assert (
        repo.enqueue_review(record.document_id, batch_id, ["ID_NOT_FOUND"], False, 5) == "pending"
    )
    with psycopg.connect(pg_dsn, autocommit=True) as conn:  # a steward claims it
        conn.execute(
            "UPDATE hocba.review_queue SET status = 'claimed', claimed_by = 'lan',"
            " claimed_at = now() WHERE document_id = %s",
            (record.document_id,),
        )
    assert repo.enqueue_review(record.document_id, batch_id, ["OTHER"], True, 9) == "claimed"
    queue = _rows(
        pg_dsn,
        "SELECT status, reasons, priority, claimed_by, school_name, school_year"
        " FROM hocba.review_queue WHERE document_id = %s",
        record.document_id,
    )
    assert queue == [("claimed", ["ID_NOT_FOUND"], 5, "lan", "Trường THCS Nguyễn Du", "2012-2013")]
    rerun = record.model_copy(deep=True)
    rerun.student.full_name = "Nguyễn Thị Ánh Tuyế"
    assert not repo.save_extraction(rerun, [], batch_id, "v2")  # human work is kept
    stored = _rows(
        pg_dsn,
        "SELECT record->'student'->>'full_name', pipeline_version, jsonb_array_length(readings)"
        " FROM hocba.extraction WHERE document_id = %s",
        record.document_id,
    )
    assert stored == [("Nguyễn Thị Ánh Tuyết", "v1", 1)]
    summary = repo.batch_summary(batch_id)
    assert summary["review"] == {"claimed": 1}
    assert summary["extractions"] == {"needs_review": 1}
    assert summary["top_review_reasons"] == {"ID_NOT_FOUND": 1}
    with pytest.raises(StorageError, match="save_extraction first"):
        repo.enqueue_review("doc-missing", batch_id, [], False, 0)
