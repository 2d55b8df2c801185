"""Comment splits in marks only: which the fullest spelling settles, which stay with a person."""

from __future__ import annotations

import pytest

from domain.record import Flag
from tests.validation import th_record
from validation.comment_marks import (
    BATCH_CONFIRMED,
    MARKS_CONFIRMED,
    confirmed_comments,
    settle_comment_marks,
)
from validation.report import Finding

CELL = "years[0].subjects[1].comment"
OTHER = "years[1].subjects[4].comment"
NAM = "Nắm được kiến thức cơ bản."
NAM_LOST = "Năm được kiến thức cơ bản."


def split(path: str = CELL, code: str = "READS_DISAGREE") -> Finding:
    return Finding("th-1", path, code, "Hai lần đọc cho kết quả khác nhau.", "error", "ocr")


def settle(
    values: dict[str, str], reads: dict[str, list[str]], findings: list[Finding]
) -> list[tuple[str, str, str]]:
    found, _ = settle_comment_marks("th-1", values.get, reads, findings)
    return [(f.field, f.code, f.severity) for f in found]


def test_a_lost_stacked_tone_is_settled_as_a_note() -> None:
    found = settle({CELL: NAM}, {CELL: [NAM_LOST, NAM, NAM_LOST]}, [split()])
    assert found == [(CELL, MARKS_CONFIRMED, "info")]


@pytest.mark.parametrize(
    ("value", "reads"),
    [
        (NAM_LOST, [NAM_LOST, NAM]),  # the value is not the fullest spelling read
        ("phát biểu xây dựng bài.", ["phát biểu xây dựng bài.", "phát biếu xây dựng bài."]),  # tie
        (NAM, ["bê vững kiến thức", NAM, NAM_LOST]),  # a read with other letters
        ("Quân chăm học.", ["Quân chăm học.", "Quần chăm học."]),  # a grave: no evidence
    ],
)
def test_splits_the_prior_cannot_decide_stay_errors(value: str, reads: list[str]) -> None:
    assert settle({CELL: value}, {CELL: reads}, [split()]) == [(CELL, "READS_DISAGREE", "error")]


def test_a_comment_read_the_same_in_every_cell_is_settled_by_the_other_cells() -> None:
    """COMMENTS_DISAGREE: one cell read «Năm» by every read took «Nắm» from another cell."""
    values = {CELL: NAM, OTHER: NAM}
    reads = {CELL: [NAM_LOST, NAM_LOST], OTHER: [NAM]}
    findings = [split(CELL, "COMMENTS_DISAGREE"), split(OTHER, "COMMENTS_DISAGREE")]
    assert sorted(settle(values, reads, findings)) == [
        (CELL, MARKS_CONFIRMED, "info"),
        (OTHER, MARKS_CONFIRMED, "info"),
    ]


def test_another_letter_elsewhere_in_the_booklet_keeps_the_split() -> None:
    """«Mạnh đạn» read the same in one cell, «Mạnh dạn» in another: a letter, not a mark."""
    values = {CELL: "Mạnh đạn, tự tin.", OTHER: "Mạnh dạn, tự tin."}
    reads = {CELL: ["Mạnh đạn, tự tin."], OTHER: ["Mạnh dạn, tự tin."]}
    findings = [split(CELL, "COMMENTS_DISAGREE"), split(OTHER, "COMMENTS_DISAGREE")]
    assert {code for _, code, _ in settle(values, reads, findings)} == {"COMMENTS_DISAGREE"}


def test_only_comments_and_only_splits_are_settled() -> None:
    name = "student.full_name"
    values = {CELL: NAM, name: "Nguyễn Thị Lan"}
    reads = {CELL: [NAM_LOST, NAM], name: ["Nguyên Thị Lan", "Nguyễn Thị Lan"]}
    findings = [split(), split(name), split(CELL, "FOREIGN_LETTERS")]
    assert settle(values, reads, findings) == [
        (name, "READS_DISAGREE", "error"),
        (CELL, "FOREIGN_LETTERS", "error"),
        (CELL, MARKS_CONFIRMED, "info"),
    ]


@pytest.mark.parametrize(
    ("reads", "settled"),
    [
        (["bê vững kiến thức", NAM, NAM_LOST, NAM], True),  # a garbled page read, outvoted
        (["Mạnh đạn, tự tin.", NAM, NAM, NAM_LOST], True),  # any other letters, outvoted
        (["bê vững kiến thức", "Nắm vững", NAM, NAM], False),  # two of four: no majority
        (["bê vững kiến thức", NAM_LOST, NAM_LOST, NAM_LOST], False),  # not the fullest
    ],
)
def test_three_reads_with_the_values_letters_outvote_one_with_others(
    reads: list[str], settled: bool
) -> None:
    code = MARKS_CONFIRMED if settled else "READS_DISAGREE"
    assert [c for _, c, _ in settle({CELL: NAM}, {CELL: reads}, [split()])] == [code]


def test_most_reads_of_a_cell_outvote_its_page_read() -> None:
    """The page read «Mạnh đạn» is the value; the three reads of the cell alone show «Mạnh
    dạn», as does another cell of the booklet: both cells settle on «Mạnh dạn»."""
    dan, dan_bar = "Mạnh dạn, tự tin.", "Mạnh đạn, tự tin."
    values = {CELL: dan_bar, OTHER: dan}
    reads = {CELL: [dan_bar, dan, dan, dan], OTHER: [dan]}
    findings = [split(), split(CELL, "COMMENTS_DISAGREE"), split(OTHER, "COMMENTS_DISAGREE")]
    found, settled = settle_comment_marks("th-1", values.get, reads, findings)
    assert settled == {CELL: dan, OTHER: dan}
    assert sorted((f.field, f.code) for f in found) == [
        (CELL, MARKS_CONFIRMED),
        (OTHER, MARKS_CONFIRMED),
    ]
    assert "lần đọc cả dòng" in next(f.message for f in found if f.field == CELL)


BIEU = "Học tốt, tích cực phát biểu xây dựng bài."
BIEU_ACUTE = "Học tốt, tích cực phát biếu xây dựng bài."  # one tone mark each: no prior decides


def batch(**booklets: list[str]) -> dict[str, frozenset[str]]:
    """The batch's agreed comments: text -> the booklets that read it alike."""
    found: dict[str, set[str]] = {}
    for document_id, texts in booklets.items():
        for text in texts:
            found.setdefault(text, set()).add(document_id)
    return {text: frozenset(ids) for text, ids in found.items()}


def settle_in(confirmed: dict[str, frozenset[str]], value: str, reads: list[str]) -> list:
    found, settled = settle_comment_marks(
        "th-1", {CELL: value}.get, {CELL: reads}, [split()], confirmed
    )
    return [(f.code, settled.get(f.field)) for f in found]


def test_a_tie_in_marks_takes_the_spelling_other_booklets_read_alike() -> None:
    confirmed = batch(a=[BIEU], b=[BIEU], c=[BIEU, NAM])
    reads = [BIEU, BIEU_ACUTE, BIEU_ACUTE, BIEU]
    assert settle_in(confirmed, BIEU, reads) == [(BATCH_CONFIRMED, BIEU)]
    assert settle_in(confirmed, BIEU_ACUTE, reads) == [(BATCH_CONFIRMED, BIEU)]


def test_a_gained_mark_outvoted_by_the_batch() -> None:
    """«tự tỉn» in one read of four: the fullest spelling is the wrong one; the batch knows."""
    tin, tin_hook = "Mạnh dạn, tự tin.", "Mạnh dạn, tự tỉn."
    confirmed = batch(a=[tin], b=[tin], c=[tin])
    assert settle_in(confirmed, tin, [tin, tin, tin_hook, tin]) == [(BATCH_CONFIRMED, tin)]


@pytest.mark.parametrize(
    "confirmed",
    [
        batch(a=[BIEU], b=[BIEU]),  # two other booklets are not enough
        batch(**{"th-1": [BIEU]}, a=[BIEU], b=[BIEU]),  # the booklet itself does not count
        batch(a=[BIEU], b=[BIEU], c=[BIEU], d=[BIEU_ACUTE]),  # a rival read alike somewhere
    ],
)
def test_the_batch_decides_only_with_enough_evidence_and_no_rival(
    confirmed: dict[str, frozenset[str]],
) -> None:
    assert settle_in(confirmed, BIEU, [BIEU, BIEU_ACUTE]) == [("READS_DISAGREE", None)]


def test_the_batch_does_not_override_other_letters() -> None:
    confirmed = batch(a=[BIEU], b=[BIEU], c=[BIEU])
    garbled = "Học tốt, ch cực phát biểu xây dựng bài."
    assert settle_in(confirmed, BIEU, [garbled, BIEU, BIEU_ACUTE]) == [("READS_DISAGREE", None)]


def test_confirmed_comments_are_the_cells_extraction_raised_nothing_on() -> None:
    record = th_record("th-9")
    year = record.years[0]
    year.subjects[0].comment, year.subjects[1].comment, year.homeroom_comment = BIEU, NAM_LOST, NAM
    doubt = Flag(field="years[0].subjects[1].comment", code="X", message="x", severity="info")
    record.review.flags.append(doubt)
    assert confirmed_comments([record]) == {BIEU: {"th-9"}, NAM: {"th-9"}}
