"""Batch linking (one candidate frame for many booklets) and the vetoes found at 2M scale."""

from __future__ import annotations

import pandas as pd

from domain.record import Student
from tests.validation.test_linking import AN, COLUMNS, noise, student
from validation.linking import link_batch, link_queries, link_student

TRUNG = {
    "personal_id": "052209054704",
    "full_name": "Nguyễn Văn Trung",
    "gender": "Nam",
    "date_of_birth": "2009-09-10",
    "birth_registration_place": "052",
    "father_name": "Nguyễn Công Nam",
    "mother_name": "Nguyễn Bảo Hoa",
    "residence": "",
}


def frame(*rows: dict[str, str], qid: int = 0) -> pd.DataFrame:
    return pd.DataFrame([{**r, "qid": qid} for r in rows], columns=[*COLUMNS, "qid"])


def test_missing_pupils_namesake_born_the_same_day_is_not_linked() -> None:
    # found in the 2M-row benchmark: same name, birth date and gender; the mother's name
    # differs by one tone mark, the father's given name differs
    pupil = Student(
        full_name="Nguyễn Văn Trung", gender="Nam", date_of_birth="2009-09-10",
        place_of_birth="Xã Nghĩa Hưng, huyện Bình Xuyên, tỉnh Vĩnh Phúc",
        father_name="Nguyễn Công Thịnh", mother_name="Nguyễn Bảo Hòa",
    )  # fmt: skip
    result = link_student(pupil, frame(TRUNG), document_id="d1")
    assert result.status == "ambiguous" and result.personal_id is None


def test_other_middle_name_with_look_alike_parents_is_not_linked() -> None:
    other = {
        **TRUNG, "personal_id": "019206382202", "full_name": "Nguyễn Đức Huy",
        "date_of_birth": "2006-04-11", "birth_registration_place": "019",
        "father_name": "Nguyễn Văn Đạt", "mother_name": "Trần Thị Ánh",
    }  # fmt: skip
    pupil = Student(
        full_name="Nguyễn Công Huy", gender="Nam", date_of_birth="2006-04-11",
        place_of_birth="Xã Tân Hòa, huyện Phú Bình, tỉnh Thái Nguyên",
        father_name="Nguyễn Văn An", mother_name="Trần Thị Oanh",
    )  # fmt: skip
    assert link_student(pupil, frame(other), document_id="d1").status != "linked"


def test_another_middle_name_is_not_linked_even_with_the_same_father() -> None:
    # found in the 2M-row benchmark: a missing pupil; a resident born the same day, same
    # surname, given name and father's name (a common one), another middle name and province
    other = {
        **TRUNG, "personal_id": "068207988045", "full_name": "Phạm Anh Nghĩa",
        "date_of_birth": "2007-12-25", "birth_registration_place": "068",
        "father_name": "Phạm Văn Lâm", "mother_name": "",
    }  # fmt: skip
    pupil = Student(
        full_name="Phạm Đăng Nghĩa", gender="Nam", date_of_birth="2007-12-25",
        place_of_birth="Xã An Hòa, huyện Cẩm Khê, tỉnh Phú Thọ",
        father_name="Phạm Văn Lâm", mother_name="Lê Khánh Oanh",
    )  # fmt: skip
    assert link_student(pupil, frame(other), document_id="d1").status != "linked"
    typo = {**other, "full_name": "Phạm Đămg Nghĩa"}  # a clerk's one-letter slip still links
    assert link_student(pupil, frame(typo), document_id="d1").status == "linked"


def test_same_name_and_birth_date_needs_one_independent_agreement() -> None:
    bare = student(father_name=None, mother_name=None, place_of_birth=None)
    assert link_student(bare, frame(AN), document_id="d1").status == "ambiguous"
    with_place = student(father_name=None, mother_name=None)  # Thanh Hóa = 038
    assert link_student(with_place, frame(AN), document_id="d1").status == "linked"


def test_batch_equals_one_by_one_and_reports_registry_differences() -> None:
    residents = noise(3)
    students = [
        student(),
        student(full_name="Nguyen Van An"),  # lost marks: links, the name is flagged
        student(full_name="Lò Văn Páo"),
        Student(),
    ]
    rows = [AN, *residents]
    batch = pd.concat([frame(*rows, qid=q) for q in range(len(students))], ignore_index=True)
    results = link_batch(students, [f"d{i}" for i in range(len(students))], batch)
    singles = [link_student(s, frame(*rows), document_id=f"d{i}") for i, s in enumerate(students)]
    assert results == singles
    assert [r.status for r in results][:2] == ["linked", "linked"]
    assert results[2].status != "linked" and results[3].status == "not_found"
    assert results[0].findings == []
    (finding,) = results[1].findings
    assert (finding.field, finding.code, finding.severity) == (
        "student.full_name", "REGISTRY_MISMATCH", "error",
    )  # fmt: skip
    assert "Nguyen" not in finding.message  # no personal data in the message
    # the linked person's fields come along, for the checks that compare spellings
    assert results[1].registry["full_name"] == AN["full_name"] and results[2].registry == {}


def test_link_queries_blocking_arms() -> None:
    q = link_queries([student(full_name="Hoàng Thị Lụa"), Student(personal_id="038205001111")])
    assert list(q["qid"]) == [0, 0, 1]
    first = q.iloc[0]
    assert (first["name_key"], first["given_key"], first["family_key"]) == (
        "hoang thi lua", "lua", "hoang thi",
    )  # fmt: skip
    assert q.iloc[1]["name_key"] == "huynh thi lua"
    assert q.iloc[2]["printed_id"] == "038205001111" and pd.isna(q.iloc[2]["name_key"])
