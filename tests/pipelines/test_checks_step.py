"""The checks step's use of the registry link (the batch itself runs in the end-to-end tests)."""

from __future__ import annotations

import pytest

from domain.record import FieldReading
from pipelines.checks_step import _names_by_registry, _places_by_registry, _with_consistent_id
from tests.validation import thcs_record
from validation.linking import LinkResult
from validation.places import known_places
from validation.report import Finding

REGISTRY = {"full_name": "Nguyễn Thị Linh", "date_of_birth": "", "gender": "", "father_name": ""}
NAME = "student.full_name"


@pytest.mark.parametrize(
    ("second_read", "name", "codes"),
    [
        ("NGUYỄN THỊ LINH", "Nguyễn Thị Linh", ["NAME_MATCHES_REGISTRY"]),
        ("NGUYÊN THI LINH", "Nguyên Thị Linh", ["READS_DISAGREE", "REGISTRY_MISMATCH"]),
    ],
)
def test_a_linked_person_settles_a_split_name_a_read_spells_like_the_registry(
    second_read: str, name: str, codes: list[str]
) -> None:
    record = thcs_record()
    record.student.full_name = "Nguyên Thị Linh"
    split = Finding(record.document_id, NAME, "READS_DISAGREE", "…", "error", "ocr")
    link = LinkResult("linked", "001306000001", 97.0, registry=REGISTRY)
    reads = {NAME: ["NGUYÊN THỊ LINH", second_read]}
    findings = _names_by_registry(record, reads, link, [split])
    assert record.student.full_name == name
    assert [f.code for f in findings] == codes


def test_an_unlinked_booklet_keeps_the_links_findings() -> None:
    record = thcs_record()
    note = Finding(record.document_id, "identity_link", "IDENTITY_AMBIGUOUS", "…", "error", "link")
    link = LinkResult("ambiguous", None, 80.0, findings=[note])
    assert _names_by_registry(record, {}, link, []) == [note]


def test_a_split_address_is_settled_before_its_place_names_are_checked() -> None:
    record = thcs_record()
    marked, plain = (
        "Xã Xuân Phú, huyện Nghỉ Lộc, tỉnh Nghệ An",
        "Xã Xuân Phú, huyện Nghi Lộc, tỉnh Nghệ An",
    )
    record.student.place_of_birth = marked
    path = "student.place_of_birth"
    split = Finding(record.document_id, path, "READS_DISAGREE", "…", "error", "ocr")
    known = known_places(["Xuân Phú", "Nghi Lộc"])
    findings = _places_by_registry(record, {path: [marked, plain + " ........"]}, known, [split])
    assert record.student.place_of_birth == plain  # the read as parsed: leaders dropped
    assert [(f.code, f.severity) for f in findings] == [("PLACE_MATCHES_REGISTRY", "info")]


def test_a_split_id_links_with_its_one_consistent_read_and_the_registry_settles_it() -> None:
    record = thcs_record()  # a boy born in 2003
    record.student.personal_id = "849203001234"
    path = "student.personal_id"
    reading = FieldReading(
        path=path, page=1, raw="849203001234 / 040203001234 / 940203001234", confidence=90.0
    )
    split = Finding(record.document_id, path, "READS_DISAGREE", "…", "error", "ocr")
    province = Finding(record.document_id, path, "ID_PROVINCE", "…", "error", "rule")
    record, _, findings = _with_consistent_id(record, [reading], [split, province])
    assert record.student.personal_id == "040203001234"
    assert [f.code for f in findings] == ["READS_DISAGREE"]  # until the registry confirms it
    link = LinkResult("linked", "040203001234", 97.0, registry=REGISTRY, by_fields_alone=True)
    settled = _names_by_registry(record, {path: reading.raw.split(" / ")}, link, findings)
    assert "ID_MATCHES_REGISTRY" in [f.code for f in settled]
    assert "READS_DISAGREE" not in [f.code for f in settled]
