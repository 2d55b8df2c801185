"""Split names settled by the linked registry person's spelling (validation/registry_names.py)."""

from __future__ import annotations

from domain.record import Student
from validation.registry_names import (
    ID_MATCHES_REGISTRY,
    NAME_MATCHES_REGISTRY,
    settle_names_by_registry,
)
from validation.report import Finding

REGISTRY = {"full_name": "Nguyễn Thị Linh", "father_name": "Nguyễn Trọng Hùng", "mother_name": ""}
PUPIL = Student(full_name="Nguyên Thị Linh", father_name="Nguyễn Trọng Hùng")


def split(field: str, code: str = "READS_DISAGREE") -> Finding:
    return Finding(
        "d1", f"student.{field}", code, "Hai lần đọc cho kết quả khác nhau", "error", "ocr"
    )


def settle(findings: list[Finding], reads: dict[str, list[str]], student: Student = PUPIL):
    return settle_names_by_registry("d1", student, REGISTRY, reads, findings)


def test_a_read_that_is_the_registry_spelling_settles_the_name() -> None:
    reads = {"student.full_name": ["NGUYÊN THỊ LINH", "NGUYỄN THỊ LINH", "NGUYÊN THỊ LINH"]}
    student, findings = settle([split("full_name")], reads)
    assert student.full_name == "Nguyễn Thị Linh"
    assert [(f.field, f.code, f.severity) for f in findings] == [
        ("student.full_name", NAME_MATCHES_REGISTRY, "info")
    ]
    assert "Linh" not in findings[0].message  # no personal data in the note


def test_a_registry_spelling_no_read_shows_never_replaces_the_reads() -> None:
    reads = {"student.full_name": ["NGUYÊN THỊ LINH", "NGUYỄN THI LINH"]}
    student, findings = settle([split("full_name")], reads)
    assert student.full_name == PUPIL.full_name
    assert [f.code for f in findings] == ["READS_DISAGREE"]


def test_another_error_on_the_name_keeps_it_with_a_person() -> None:
    reads = {"student.full_name": ["NGUYỄN THỊ LINH", "NGUYÊN THỊ LINH"]}
    findings = [split("full_name"), split("full_name", "NAME_INCOMPLETE")]
    student, out = settle(findings, reads)
    assert student.full_name == PUPIL.full_name and out == findings


def test_a_blank_registry_field_settles_nothing() -> None:
    reads = {"student.mother_name": ["ĐÀO THU NHUNG", "ĐÀO THỦ NHUNG"]}
    student = Student(full_name="Nguyễn Thị Linh", mother_name="Đào Thủ Nhung")
    out_student, out = settle([split("mother_name")], reads, student)
    assert out_student == student and [f.code for f in out] == ["READS_DISAGREE"]


def test_a_proposed_surname_the_registry_has_is_confirmed() -> None:
    # extraction proposed «Nguyễn» for the «Nguyên» every read showed (SURNAME_MARKS_LOST)
    student = Student(full_name="Nguyễn Thị Linh", father_name="Nguyễn Trọng Hùng")
    reads = {"student.full_name": ["NGUYÊN THỊ LINH"]}
    out_student, out = settle([split("full_name", "SURNAME_MARKS_LOST")], reads, student)
    assert out_student.full_name == "Nguyễn Thị Linh"
    assert [f.code for f in out] == [NAME_MATCHES_REGISTRY]


def test_only_names_are_settled_and_other_findings_stay() -> None:
    other = Finding("d1", "years[0].class_name", "READS_DISAGREE", "…", "error", "ocr")
    reads = {
        "student.full_name": ["NGUYỄN THỊ LINH", "NGUYÊN THỊ LINH"],
        "student.residence": ["Ấp 5", "Ap 5"],
    }
    findings = [split("full_name"), split("residence"), other]
    _, out = settle(findings, reads)
    assert [(f.field, f.code) for f in out] == [
        ("student.residence", "READS_DISAGREE"),
        ("years[0].class_name", "READS_DISAGREE"),
        ("student.full_name", NAME_MATCHES_REGISTRY),
    ]


def test_a_split_personal_id_is_settled_by_the_linked_persons_id() -> None:
    """Given only when the link stood on the compared fields alone (pipelines.checks_step)."""
    reads = {"student.personal_id": ["0949312553824", "040312553824", "940312553824"]}
    pupil = PUPIL.model_copy(update={"personal_id": "040312553824"})
    registry = {**REGISTRY, "personal_id": "040312553824"}
    student, findings = settle_names_by_registry(
        "d1", pupil, registry, reads, [split("personal_id")]
    )
    assert student.personal_id == "040312553824"
    assert [(f.code, f.severity) for f in findings] == [(ID_MATCHES_REGISTRY, "info")]
    _, kept = settle([split("personal_id")], reads, pupil)  # no registry ID given: stays
    assert [f.code for f in kept] == ["READS_DISAGREE"]
