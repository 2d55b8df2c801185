"""A synthetic population-registry extract (contract README, "Registry extract (CSV)").

Every pupil appears once with the truth of their booklet; around them live residents who must
not be linked: namesakes born the same year, twins (same birth date and parents), people whose
name differs only by tone marks, and ordinary residents of the same ages.
"""

from __future__ import annotations

import csv
import random
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from domain.record import REGISTRY_COLUMNS, TranscriptRecord
from synth import people

Row = dict[str, str]
# (trap kind, chance a pupil gets one); the rest of a pupil's residents are random people
TRAP_RATES: tuple[tuple[str, float], ...] = (
    ("namesake", 0.6),
    ("namesake", 0.15),
    ("accent", 0.3),
    ("twin", 0.05),
)


def pupil_row(record: TranscriptRecord) -> Row:
    """The registry's row for a booklet's pupil: its truth, keyed by the linked personal id."""
    pid = record.identity_link.personal_id
    if pid is None:
        raise ValueError(f"{record.document_id}: ground truth has no linked personal_id")
    student = record.student
    return {
        "personal_id": pid,
        "full_name": student.full_name or "",
        "gender": student.gender or "",
        "date_of_birth": student.date_of_birth or "",
        "birth_registration_place": pid[:3],
        "father_name": student.father_name or "",
        "mother_name": student.mother_name or "",
        "residence": student.residence or "",
    }


def registry_rows(
    rng: random.Random, records: Sequence[TranscriptRecord], residents_per_pupil: int = 20
) -> list[Row]:
    """Each pupil once plus `residents_per_pupil` non-matching residents each, shuffled."""
    rows = [pupil_row(record) for record in records]
    used = {row["personal_id"] for row in rows}
    if len(used) != len(rows):
        raise ValueError("two booklets share a personal_id; generate them with make_records")
    for pupil in list(rows):
        rows.extend(residents_around(rng, pupil, residents_per_pupil, used))
    rng.shuffle(rows)
    return rows


def residents_around(rng: random.Random, pupil: Row, count: int, used: set[str]) -> list[Row]:
    """`count` residents near a pupil: some traps, the rest random people of similar age."""
    makers: dict[str, Callable[[random.Random, Row, set[str]], Row | None]] = {
        "namesake": namesake,
        "accent": accent_twin,
        "twin": twin,
    }
    out: list[Row] = []
    for kind, rate in TRAP_RATES:
        if len(out) < count and rng.random() < rate:
            row = makers[kind](rng, pupil, used)
            if row is not None:
                out.append(row)
    birth_year = int(pupil["date_of_birth"][:4])
    while len(out) < count:
        out.append(random_resident(rng, birth_year + rng.randint(-2, 2), used))
    return out


def random_resident(rng: random.Random, birth_year: int, used: set[str]) -> Row:
    """An ordinary resident born in `birth_year` (cheap: a few draws from flat pools)."""
    gender = "Nam" if rng.random() < 0.5 else "Nữ"
    name = people.random_name(rng, gender)
    return _row(rng, name, gender, people.random_date(rng, birth_year), used)


def namesake(rng: random.Random, pupil: Row, used: set[str]) -> Row:
    """Same full name, gender and birth year; another birth date and other parents."""
    year = int(pupil["date_of_birth"][:4])
    dob = pupil["date_of_birth"]
    while dob == pupil["date_of_birth"]:
        dob = people.random_date(rng, year)
    return _row(rng, pupil["full_name"], pupil["gender"], dob, used)


def twin(rng: random.Random, pupil: Row, used: set[str]) -> Row:
    """Same birth date, parents, home and registration place; another given name."""
    gender = "Nam" if rng.random() < 0.5 else "Nữ"
    words = pupil["full_name"].split(" ")
    given = rng.choice([g for g in people.GIVEN[gender] if g != words[-1]])
    if gender == pupil["gender"]:
        name = " ".join(words[:-1] + [given])
    else:
        name = people.full_name(words[0], people.middle_for(rng, gender), given)
    province = people.PROVINCE_BY_CODE[pupil["birth_registration_place"]]
    row = _row(rng, name, gender, pupil["date_of_birth"], used, province=province)
    for column in ("father_name", "mother_name", "residence"):
        row[column] = pupil[column]
    return row


def accent_twin(rng: random.Random, pupil: Row, used: set[str]) -> Row | None:
    """A name that differs only by tone marks ("Lê Văn Hòa" / "Lê Văn Hóa"), same gender and
    birth year (half of them the same birth date), other parents."""
    name = people.accent_variant(pupil["full_name"], rng)
    if name == pupil["full_name"]:
        return None
    dob = pupil["date_of_birth"]
    if rng.random() < 0.5:
        dob = people.random_date(rng, int(dob[:4]))
    return _row(rng, name, pupil["gender"], dob, used)


def _surname(full_name: str) -> str:
    return full_name.split(" ", 1)[0]


def _row(
    rng: random.Random,
    name: str,
    gender: str,
    dob: str,
    used: set[str],
    province: people.Province | None = None,
) -> Row:
    """A resident with fresh parents (the father carries the surname), home and personal id."""
    province = province or rng.choice(people.PROVINCES)
    father, mother = people.parent_names(rng, _surname(name))
    row = {
        "personal_id": "",
        "full_name": name,
        "gender": gender,
        "date_of_birth": dob,
        "birth_registration_place": province.code,
        "father_name": "" if rng.random() < 0.08 else father,
        "mother_name": "" if rng.random() < 0.08 else mother,
        "residence": "" if rng.random() < 0.05 else people.residence(rng, province),
    }
    row["personal_id"] = _unique_id(rng, province.code, row, used)
    return row


def _unique_id(rng: random.Random, province_code: str, row: Row, used: set[str]) -> str:
    year = int(row["date_of_birth"][:4])
    while True:
        pid = people.personal_id(rng, province_code, row["gender"], year)
        if pid not in used:
            used.add(pid)
            return pid


def write_registry(path: Path, rows: Iterable[Mapping[str, str]]) -> None:
    """Write the extract as UTF-8 CSV with a header row, columns in REGISTRY_COLUMNS order."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=REGISTRY_COLUMNS, extrasaction="raise")
        writer.writeheader()
        writer.writerows(rows)


# --- traps for the checks benchmark: typos in the registry, missing people, bulk filler ------

# Letter slips a clerk makes when typing a name (the accent-free key changes).
_TYPO_SWAPS = {"n": "m", "m": "n", "h": "k", "t": "l", "l": "t", "g": "q", "u": "v", "i": "l"}


def typo_name(rng: random.Random, name: str) -> str:
    """`name` with one letter slip in one syllable (never the given name's first letter)."""
    words = name.split(" ")
    for _ in range(20):
        w = rng.randrange(len(words))
        word = words[w]
        positions = [i for i, ch in enumerate(word) if ch.lower() in _TYPO_SWAPS and i > 0]
        if positions:
            i = rng.choice(positions)
            swapped = _TYPO_SWAPS[word[i].lower()]
            words[w] = word[:i] + swapped + word[i + 1 :]
            return " ".join(words)
    return name


@dataclass(frozen=True)
class TrappedRegistry:
    """A registry extract with the truth of its traps (for scoring the linker)."""

    rows: list[Row]
    missing: frozenset[str]  # personal ids of pupils left out of the extract
    typos: frozenset[str]  # personal ids of pupils whose registry name has a typo


def trapped_registry(
    rng: random.Random,
    records: Sequence[TranscriptRecord],
    total_rows: int,
    *,
    missing_rate: float = 0.03,
    typo_rate: float = 0.03,
) -> TrappedRegistry:
    """`registry_rows` traps around every pupil, some pupils missing or misspelt, then random
    residents up to `total_rows` (a province-sized extract for the linking benchmark)."""
    per_pupil = max(0, min(20, (total_rows - len(records)) // max(1, len(records))))
    rows = registry_rows(rng, records, per_pupil)
    pupils = {r.identity_link.personal_id for r in records}
    missing, typos = set(), set()
    kept: list[Row] = []
    for row in rows:
        pid = row["personal_id"]
        if pid in pupils and rng.random() < missing_rate:
            missing.add(pid)
            continue
        if pid in pupils and rng.random() < typo_rate:
            row = {**row, "full_name": typo_name(rng, row["full_name"])}
            typos.add(pid)
        kept.append(row)
    used = {row["personal_id"] for row in rows}
    years = sorted({int(r.student.date_of_birth[:4]) for r in records if r.student.date_of_birth})
    while len(kept) < total_rows and years:
        kept.append(random_resident(rng, rng.choice(years) + rng.randint(-1, 1), used))
    return TrappedRegistry(kept, frozenset(missing), frozenset(typos))
