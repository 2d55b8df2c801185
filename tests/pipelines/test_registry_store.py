"""Registry bulk load and set-based candidates on a real PostgreSQL, linked by the real linker.

A database of its own on the session cluster: other tests' registry rows must not become
candidates here, and this module empties its registry.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from pathlib import Path

import pytest

from domain.record import Student
from pipelines.registry_store import RegistryStore
from pipelines.repository import Repository
from synth.content import make_records
from synth.registry import trapped_registry, write_registry
from tests.conftest import PgCluster
from validation.linking import link_batch, link_queries

DB = "hocba_registry_store_test"
AN = {
    "personal_id": "038205001111",
    "full_name": "Nguyễn Văn An",
    "gender": "Nam",
    "date_of_birth": "2005-03-14",
    "birth_registration_place": "038",
    "father_name": "Nguyễn Văn Bình",
    "mother_name": "Lê Thị Hoa",
    "residence": "",
}
OTHER = {**AN, "personal_id": "001305002222", "full_name": "Trần Thị Mai", "gender": "Nữ"}


@pytest.fixture(scope="module")
def dsn(pg_cluster: PgCluster) -> str:
    return pg_cluster.migrated_database(DB)


@pytest.fixture
def store(dsn: str) -> Iterator[RegistryStore]:
    with RegistryStore(dsn) as s:
        s.clear()
        yield s


def _load(store: RegistryStore, tmp_path: Path, rows: list[dict[str, str]]) -> int:
    path = tmp_path / "registry.csv"
    write_registry(path, rows)
    return store.load_csv(path)


def _link(store: RegistryStore, students: list[Student]) -> list[tuple[str, str | None]]:
    candidates = store.link_candidates(link_queries(students))
    results = link_batch(students, [f"d{i}" for i in range(len(students))], candidates)
    return [(r.status, r.personal_id) for r in results]


def test_each_blocking_arm_finds_the_person(store: RegistryStore, tmp_path: Path) -> None:
    assert _load(store, tmp_path, [AN, OTHER]) == 2
    assert _load(store, tmp_path, [AN, OTHER]) == 2  # idempotent
    exact = Student(**_student_fields(AN))
    middle_typo = exact.model_copy(update={"full_name": "Nguyễn Văm An"})  # given + birth date
    given_typo = exact.model_copy(update={"full_name": "Nguyễn Văn Am"})  # name w/o given + date
    students = [exact, middle_typo, given_typo]
    candidates = store.link_candidates(link_queries(students))
    assert sorted(candidates["qid"]) == [0, 1, 2]
    assert set(candidates["personal_id"]) == {AN["personal_id"]}
    assert candidates.iloc[0]["date_of_birth"] == "2005-03-14"
    assert _link(store, [exact])[0] == ("linked", AN["personal_id"])


def test_printed_id_of_another_person_is_fetched_and_conflicts(
    store: RegistryStore, tmp_path: Path
) -> None:
    _load(store, tmp_path, [AN, OTHER])
    student = Student(
        full_name="Nguyễn Văn An", gender="Nam", date_of_birth="2005-03-14",
        personal_id=OTHER["personal_id"],
    )  # fmt: skip
    candidates = store.link_candidates(link_queries([student]))
    assert set(candidates["personal_id"]) == {AN["personal_id"], OTHER["personal_id"]}
    assert _link(store, [student]) == [("conflict", None)]


def test_empty_queries_and_no_match(store: RegistryStore, tmp_path: Path) -> None:
    _load(store, tmp_path, [AN])
    assert store.link_candidates(link_queries([])).empty
    nobody = Student(full_name="Lò Văn Páo", gender="Nam", date_of_birth="2004-01-01")
    assert store.link_candidates(link_queries([nobody])).empty
    assert _link(store, [nobody]) == [("not_found", None)]
    bad_date = Student(full_name="Nguyễn Văn An", date_of_birth="2005-13-45")  # OCR: no date
    assert store.link_candidates(link_queries([bad_date])).empty


def test_synthetic_registry_with_traps_never_links_wrongly(
    store: RegistryStore, tmp_path: Path
) -> None:
    records = make_records(31, 60)
    registry = trapped_registry(
        random.Random(3), records, 60 * 21 + 500, missing_rate=0.1, typo_rate=0.15
    )
    assert registry.missing and registry.typos
    _load(store, tmp_path, registry.rows)
    links = _link(store, [r.student for r in records])
    truth = [r.identity_link.personal_id for r in records]
    present = [pid not in registry.missing for pid in truth]
    wrong = [
        (s, p) for (s, p), t, here in zip(links, truth, present, strict=True)
        if s == "linked" and (p != t or not here)
    ]  # fmt: skip
    assert wrong == []
    correct = sum(s == "linked" for (s, _), here in zip(links, present, strict=True) if here)
    assert correct >= 0.9 * sum(present)


def test_repository_delegates_to_the_store(dsn: str, tmp_path: Path) -> None:
    with RegistryStore(dsn) as s:
        s.clear()
    path = tmp_path / "r.csv"
    write_registry(path, [AN])
    with Repository(dsn) as repo:
        assert repo.load_registry_csv(path) == 1
        frame = repo.link_candidates(link_queries([Student(**_student_fields(AN))]))
        assert list(frame["personal_id"]) == [AN["personal_id"]]


def _student_fields(row: dict[str, str]) -> dict[str, str]:
    return {k: v for k, v in row.items() if k in Student.model_fields and v}
