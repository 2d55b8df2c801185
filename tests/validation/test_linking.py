from __future__ import annotations

import random

import pandas as pd

from domain.record import REGISTRY_COLUMNS, Student
from domain.text import search_key
from validation.linking import blocking_keys, link_student, name_similarity

COLUMNS = list(REGISTRY_COLUMNS)

AN = {
    "personal_id": "038205001111",
    "full_name": "Nguyễn Văn An",
    "gender": "Nam",
    "date_of_birth": "2005-03-14",
    "birth_registration_place": "038",
    "father_name": "Nguyễn Văn Bình",
    "mother_name": "Lê Thị Hoa",
    "residence": "Hoằng Hóa, Thanh Hóa",
}


def student(**changes: str | None) -> Student:
    base = {
        "full_name": "Nguyễn Văn An",
        "gender": "Nam",
        "date_of_birth": "2005-03-14",
        "place_of_birth": "xã Hoằng Lộc, huyện Hoằng Hóa, tỉnh Thanh Hóa",
        "father_name": "Nguyễn Văn Bình",
        "mother_name": "Lê Thị Hoa",
    }
    base.update(changes)
    return Student(**base)


def noise(seed: int, n: int = 30) -> list[dict[str, str]]:
    """Unrelated residents born the same year, seeded."""
    rng = random.Random(seed)
    surnames, middles = ["Trần", "Lê", "Phạm", "Hoàng", "Đỗ"], ["Văn", "Thị", "Minh", "Thu"]
    givens = ["Bảo", "Chi", "Dũng", "Giang", "Khoa", "Linh", "Phúc", "Quân", "Tâm", "Yến"]
    rows = []
    for i in range(n):
        rows.append(
            {
                "personal_id": f"038{rng.choice('23')}05{i:06d}",
                "full_name": f"{rng.choice(surnames)} {rng.choice(middles)} {rng.choice(givens)}",
                "gender": rng.choice(["Nam", "Nữ"]),
                "date_of_birth": f"2005-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
                "birth_registration_place": rng.choice(["038", "040", "001"]),
                "father_name": "",
                "mother_name": "",
                "residence": "",
            }
        )
    return rows


def registry(*rows: dict[str, str], seed: int = 7) -> pd.DataFrame:
    frame = pd.DataFrame([*rows, *noise(seed)], columns=COLUMNS)
    frame["name_key"] = frame["full_name"].map(search_key)
    frame["birth_year"] = frame["date_of_birth"].str[:4].astype(int)
    return frame


def test_exact_person_is_linked() -> None:
    result = link_student(student(), registry(AN), document_id="d1")
    assert result.status == "linked"
    assert result.personal_id == "038205001111"
    assert result.score is not None and result.score > 95
    assert result.findings == [] and result.by_fields_alone


def test_namesake_with_other_birth_date_is_not_linked() -> None:
    namesake = {
        **AN,
        "personal_id": "040205002222",
        "date_of_birth": "2005-11-02",
        "birth_registration_place": "040",
        "father_name": "Nguyễn Văn Cường",
        "mother_name": "Phạm Thị Lan",
    }
    alone = link_student(student(), registry(namesake), document_id="d1")
    assert alone.status != "linked" and alone.personal_id is None
    assert alone.findings and alone.findings[0].source == "link"
    both = link_student(student(), registry(namesake, AN), document_id="d1")
    assert (both.status, both.personal_id) == ("linked", "038205001111")


def test_namesake_with_blank_parents_is_offered_not_linked() -> None:
    namesake = {**AN, "personal_id": "040205002222", "date_of_birth": "2005-11-02"}
    result = link_student(
        student(father_name=None, mother_name=None), registry(namesake), document_id="d1"
    )
    assert result.status == "ambiguous"
    assert result.candidates == ["040205002222"]
    assert result.findings[0].code == "IDENTITY_AMBIGUOUS"


def test_twins_are_told_apart_by_given_name() -> None:
    twin = {**AN, "personal_id": "038205001112", "full_name": "Nguyễn Văn Bảo"}
    for_an = link_student(student(), registry(AN, twin), document_id="d1")
    assert (for_an.status, for_an.personal_id) == ("linked", "038205001111")
    for_bao = link_student(
        student(full_name="Nguyễn Văn Bảo"), registry(AN, twin), document_id="d2"
    )
    assert (for_bao.status, for_bao.personal_id) == ("linked", "038205001112")


def test_absent_twin_with_a_close_given_name_is_not_linked() -> None:
    twin = {**AN, "personal_id": "038205001112", "full_name": "Nguyễn Văn Anh"}
    result = link_student(student(), registry(twin), document_id="d1")
    assert result.status == "ambiguous" and result.personal_id is None
    assert result.candidates == ["038205001112"]


def test_other_gender_is_not_linked() -> None:
    result = link_student(student(), registry({**AN, "gender": "Nữ"}), document_id="d1")
    assert result.status == "ambiguous"


def test_twins_differing_only_by_a_tone_mark_are_never_auto_linked() -> None:
    twin = {**AN, "personal_id": "038305001113", "full_name": "Nguyễn Thị Ân", "gender": "Nữ"}
    sister = {**AN, "personal_id": "038305001114", "full_name": "Nguyễn Thị An", "gender": "Nữ"}
    result = link_student(
        student(full_name="Nguyễn Thị Ân", gender=None), registry(twin, sister), document_id="d1"
    )
    assert result.status == "ambiguous"
    assert set(result.candidates[:2]) == {"038305001113", "038305001114"}


def test_accent_variants_link() -> None:
    hoa = {**AN, "personal_id": "038305003333", "full_name": "Trần Thị Hòa", "gender": "Nữ"}
    new_style = link_student(
        student(full_name="Trần Thị Hoà", gender="Nữ"), registry(hoa), document_id="d1"
    )
    assert (new_style.status, new_style.personal_id) == ("linked", "038305003333")
    assert new_style.score == 100.0
    lost_marks = link_student(
        student(full_name="Tran Thi Hoa", gender="Nữ"), registry(hoa), document_id="d1"
    )
    assert lost_marks.status == "linked"
    assert name_similarity("Trần Thị Hòa", "Trần Thị Hoà") == 100.0
    assert name_similarity("Trần Thị Hòa", "Tran Thi Hoa") > name_similarity(
        "Trần Thị Hòa", "Trần Thị Hà"
    )


def test_printed_id_pointing_elsewhere_is_a_conflict() -> None:
    other = noise(7)[3]["personal_id"]
    result = link_student(student(personal_id=other), registry(AN), document_id="d1")
    assert result.status == "conflict" and result.personal_id is None
    assert result.candidates[:2] == [other, "038205001111"] or other in result.candidates
    assert result.findings[0].field == "student.personal_id"
    assert result.findings[0].code == "IDENTITY_CONFLICT"


def test_printed_id_pointing_to_nobody_is_a_conflict() -> None:
    result = link_student(student(personal_id="038205009999"), registry(), document_id="d1")
    assert result.status == "conflict"


def test_printed_id_confirms_the_best_match() -> None:
    twin = {**AN, "personal_id": "038205001112", "full_name": "Nguyễn Văn Ân"}
    unsure = link_student(student(), registry(AN, twin), document_id="d1")
    assert unsure.status == "ambiguous"
    sure = link_student(student(personal_id="038205001111"), registry(AN, twin), document_id="d1")
    assert (sure.status, sure.personal_id) == ("linked", "038205001111")
    assert not sure.by_fields_alone  # the printed ID told the twins apart
    alone = link_student(student(personal_id="038205001111"), registry(AN), document_id="d1")
    assert (alone.status, alone.by_fields_alone) == ("linked", True)


def test_nobody_matching_is_not_found() -> None:
    result = link_student(student(), registry(), document_id="d1")
    assert (result.status, result.personal_id, result.candidates) == ("not_found", None, [])
    assert result.findings[0].code == "IDENTITY_NOT_FOUND"
    empty = pd.DataFrame(columns=COLUMNS)
    assert link_student(student(), empty, document_id="d1").status == "not_found"


def test_missing_name_cannot_be_linked() -> None:
    result = link_student(student(full_name=None), registry(AN), document_id="d1")
    assert result.status == "not_found"
    assert result.findings[0].code == "IDENTITY_INCOMPLETE"


def test_ids_read_as_numbers_keep_leading_zeros() -> None:
    frame = registry(AN)
    frame["personal_id"] = frame["personal_id"].astype("int64")
    frame["birth_registration_place"] = frame["birth_registration_place"].astype(float)
    result = link_student(student(), frame, document_id="d1")
    assert (result.status, result.personal_id) == ("linked", "038205001111")


def test_blocking_keys() -> None:
    assert blocking_keys(student()) == [("nguyen van an", 2005)]
    assert blocking_keys(student(full_name="Hoàng Thị Lụa")) == [
        ("hoang thi lua", 2005),
        ("huynh thi lua", 2005),
    ]
    assert blocking_keys(student(date_of_birth=None)) == []
