"""Comments printed more than once, read with other marks (ocr/same_text.py)."""

from __future__ import annotations

from domain.record import Flag, RatedItem, SubjectResult, YearPage
from ocr.same_text import check_comments

RIGHT, LOST = "Nắm vững kiến thức, vận dụng tốt.", "Năm vững kiến thức, vận dụng tốt."


def _flagged(years: list[YearPage]) -> list[str]:
    flags: list[Flag] = []
    check_comments(years, flags)
    assert all(f.code == "COMMENTS_DISAGREE" and f.severity == "error" for f in flags)
    return sorted(f.field for f in flags)


def _page(*comments: str, homeroom: str | None = None) -> YearPage:
    subjects = [SubjectResult(name=f"Môn {i}", comment=c) for i, c in enumerate(comments)]
    return YearPage(page=2, subjects=subjects, homeroom_comment=homeroom)


def test_one_text_read_with_other_marks_in_two_cells_flags_every_cell_of_it() -> None:
    first = _page(RIGHT, LOST, "Học tốt, tích cực phát biểu xây dựng bài.")
    second = _page(RIGHT)
    second.qualities = [RatedItem(name="Chăm học", comment=LOST)]
    assert _flagged([first, second]) == [
        "years[0].subjects[0].comment",
        "years[0].subjects[1].comment",
        "years[1].qualities[0].comment",
        "years[1].subjects[0].comment",
    ]


def test_texts_read_alike_other_words_and_short_texts_are_left_alone() -> None:
    assert _flagged([_page(RIGHT, RIGHT, homeroom=RIGHT)]) == []  # read alike everywhere
    assert _flagged([_page(RIGHT, RIGHT.rstrip("."))]) == []  # a lost full stop is no mark
    assert _flagged([_page(RIGHT, "Nắm được kiến thức cơ bản.")]) == []  # other letters
    assert _flagged([_page("Tốt", "Tột")]) == []  # too short to be one text


def test_every_cell_of_a_split_text_takes_its_fullest_spelling_and_stays_flagged() -> None:
    years = [_page(RIGHT, LOST, LOST), _page(LOST)]
    assert len(_flagged(years)) == 4
    assert {s.comment for year in years for s in year.subjects} == {RIGHT}


def test_spellings_as_full_as_each_other_are_left_as_read() -> None:
    other = "Nắm vững kiến thức, vận dụng tột."  # as many marks as RIGHT, other ones
    years = [_page(RIGHT, other, LOST)]
    assert len(_flagged(years)) == 3
    assert [s.comment for s in years[0].subjects] == [RIGHT, other, LOST]
