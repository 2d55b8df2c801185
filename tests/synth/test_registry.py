"""The synthetic registry extract: every pupil once, unique ids, and the traps around them."""

from __future__ import annotations

import csv
import random
import re
import time
from collections import Counter, defaultdict
from pathlib import Path

import pytest

from domain.record import TranscriptRecord
from domain.text import search_key
from synth.content import make_records
from synth.registry import REGISTRY_COLUMNS, registry_rows, write_registry

Row = dict[str, str]


@pytest.fixture(scope="module")
def records() -> list[TranscriptRecord]:
    return make_records(21, 300)


@pytest.fixture(scope="module")
def rows(records: list[TranscriptRecord]) -> list[Row]:
    return registry_rows(random.Random(5), records, residents_per_pupil=20)


def test_columns_are_the_contract_columns_in_order() -> None:
    assert REGISTRY_COLUMNS == (
        "personal_id",
        "full_name",
        "gender",
        "date_of_birth",
        "birth_registration_place",
        "father_name",
        "mother_name",
        "residence",
    )


def test_each_pupil_appears_exactly_once_with_the_booklet_truth(
    records: list[TranscriptRecord], rows: list[Row]
) -> None:
    assert len(rows) == len(records) * 21
    by_id: dict[str, list[Row]] = defaultdict(list)
    for row in rows:
        by_id[row["personal_id"]].append(row)
    assert len(by_id) == len(rows)  # personal ids are unique
    for record in records:
        pid = record.identity_link.personal_id or ""
        (row,) = by_id[pid]
        student = record.student
        assert row["full_name"] == student.full_name
        assert row["gender"] == student.gender
        assert row["date_of_birth"] == student.date_of_birth
        assert row["father_name"] == (student.father_name or "")
        assert row["mother_name"] == (student.mother_name or "")
        assert row["residence"] == (student.residence or "")
        assert row["birth_registration_place"] == pid[:3]


def test_rows_are_well_formed(rows: list[Row]) -> None:
    for row in rows:
        assert set(row) == set(REGISTRY_COLUMNS)
        pid, dob = row["personal_id"], row["date_of_birth"]
        assert re.fullmatch(r"\d{12}", pid) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", dob)
        assert pid[:3] == row["birth_registration_place"]
        assert pid[4:6] == dob[2:4]
        assert int(pid[3]) % 2 == (0 if row["gender"] == "Nam" else 1)
        assert row["full_name"] and row["full_name"] == row["full_name"].strip()


def _pupil_rows(records: list[TranscriptRecord], rows: list[Row]) -> dict[str, Row]:
    ids = {r.identity_link.personal_id for r in records}
    return {row["personal_id"]: row for row in rows if row["personal_id"] in ids}


def test_traps_namesakes_twins_and_accent_variants(
    records: list[TranscriptRecord], rows: list[Row]
) -> None:
    pupils = _pupil_rows(records, rows)
    by_name: dict[str, list[Row]] = defaultdict(list)
    by_key: dict[str, list[Row]] = defaultdict(list)
    by_dob: dict[str, list[Row]] = defaultdict(list)
    for row in rows:
        by_name[row["full_name"]].append(row)
        by_key[search_key(row["full_name"])].append(row)
        by_dob[row["date_of_birth"]].append(row)
    found: Counter[str] = Counter()
    for pid, pupil in pupils.items():
        others = [r for r in by_name[pupil["full_name"]] if r["personal_id"] != pid]
        found["namesake"] += any(
            r["date_of_birth"][:4] == pupil["date_of_birth"][:4]
            and r["date_of_birth"] != pupil["date_of_birth"]
            for r in others
        )
        found["accent"] += any(
            r["full_name"] != pupil["full_name"] for r in by_key[search_key(pupil["full_name"])]
        )
        found["twin"] += any(
            r["personal_id"] != pid
            and r["full_name"] != pupil["full_name"]
            and (r["father_name"], r["mother_name"]) == (pupil["father_name"], pupil["mother_name"])
            and r["father_name"]
            for r in by_dob[pupil["date_of_birth"]]
        )
    assert found["namesake"] > 0.4 * len(pupils)
    assert found["accent"] > 0.1 * len(pupils)
    assert found["twin"] > 0


def test_no_resident_other_than_the_pupil_matches_name_birth_date_and_parents(
    records: list[TranscriptRecord], rows: list[Row]
) -> None:
    """Traps are near misses: none is a second copy of the pupil."""
    pupils = _pupil_rows(records, rows)
    identity = Counter(
        (r["full_name"], r["date_of_birth"], r["father_name"], r["mother_name"]) for r in rows
    )
    for pupil in pupils.values():
        key = (
            pupil["full_name"],
            pupil["date_of_birth"],
            pupil["father_name"],
            pupil["mother_name"],
        )
        assert identity[key] == 1


def test_deterministic_and_shuffled(records: list[TranscriptRecord], rows: list[Row]) -> None:
    assert registry_rows(random.Random(5), records[:20], 5) == registry_rows(
        random.Random(5), records[:20], 5
    )
    pupil_ids = {r.identity_link.personal_id for r in records}
    first_positions = [i for i, row in enumerate(rows) if row["personal_id"] in pupil_ids]
    assert max(first_positions) > len(rows) // 2 and min(first_positions) < len(rows) // 10


def test_write_registry_round_trips_as_utf8_csv(tmp_path: Path, rows: list[Row]) -> None:
    path = tmp_path / "extract" / "registry.csv"
    write_registry(path, rows[:200])
    raw = path.read_bytes()
    assert raw.decode("utf-8").splitlines()[0] == ",".join(REGISTRY_COLUMNS)
    with path.open(encoding="utf-8", newline="") as handle:
        assert list(csv.DictReader(handle)) == rows[:200]


def test_two_thousand_pupils_with_their_registry_are_cheap() -> None:
    """Later a 2-million-row registry is generated: keep the cost per row small."""
    start = time.process_time()
    batch = make_records(99, 2000)
    extract = registry_rows(random.Random(99), batch)
    elapsed = time.process_time() - start
    assert len(extract) == 2000 * 21
    assert elapsed < 10.0, f"{elapsed:.1f} s CPU"


# --- traps for the checks benchmark ------------------------------------------------------------


def test_typo_name_changes_one_letter_and_the_search_key() -> None:
    from synth.registry import typo_name

    rng = random.Random(2)
    for name in ("Nguyễn Văn An", "Trần Thị Thu Hương", "Lê Minh Tuấn"):
        typo = typo_name(rng, name)
        assert typo != name and len(typo) == len(name)
        assert search_key(typo) != search_key(name)
        assert sum(a != b for a, b in zip(typo, name, strict=True)) == 1
        assert [w[0] for w in typo.split()] == [w[0] for w in name.split()]


def test_trapped_registry_has_missing_and_misspelt_pupils(
    records: list[TranscriptRecord],
) -> None:
    from synth.registry import trapped_registry

    first = trapped_registry(random.Random(8), records, 9000, missing_rate=0.05, typo_rate=0.05)
    again = trapped_registry(random.Random(8), records, 9000, missing_rate=0.05, typo_rate=0.05)
    assert first == again  # seeded
    assert len(first.rows) == 9000
    ids = [r["personal_id"] for r in first.rows]
    assert len(set(ids)) == len(ids)
    pupils = {r.identity_link.personal_id for r in records}
    assert first.missing and first.typos and not first.missing & first.typos
    assert first.missing <= pupils and not first.missing & set(ids)
    truth = {r.identity_link.personal_id: r.student.full_name for r in records}
    by_id = {r["personal_id"]: r for r in first.rows}
    assert all(by_id[pid]["full_name"] != truth[pid] for pid in first.typos)
    present = pupils - first.missing - first.typos
    assert all(by_id[pid]["full_name"] == truth[pid] for pid in present)
