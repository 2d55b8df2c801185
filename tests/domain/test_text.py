"""Vietnamese text helpers: the spelling a split read proposes."""

import pytest

from domain.text import fullest_marks, is_syllable


@pytest.mark.parametrize(
    ("guess", "reads", "proposed"),
    [
        ("Năm vững", ["Nắm vững", "Năm vững"], "Nắm vững"),  # a stacked mark lost
        ("NGUYÊN VĂN AN", ["Nguyễn Văn An"], "Nguyễn Văn An"),  # case apart
        ("Nắm vững", ["Năm vững"], "Nắm vững"),  # the guess is the fullest already
        ("Năm vững", ["Nắm vững", "Nấm vững"], "Năm vững"),  # two as full: no choice
        ("Quân", ["Quần"], "Quân"),  # a grave beside the hat is invented, not lost
        ("Đinh Văn An", ["Định Văn An"], "Đinh Văn An"),  # a lone letter's mark: invented as often
        ("Năm vững", ["Nắm vựng kiến"], "Năm vững"),  # other letters: not a spelling of it
        ("Dũng", ["Đũng"], "Dũng"),  # the bar of đ is a letter, not a mark
        (7.5, [8.5], 7.5),  # numbers are not spelled
    ],
)
def test_the_fullest_spelling_of_a_split_text_is_its_best_guess(
    guess: object, reads: list[object], proposed: object
) -> None:
    assert fullest_marks(guess, reads) == proposed


@pytest.mark.parametrize(
    "word",
    ["Nguyễn", "NGHIÊM", "Khuyến", "Quỳnh", "Oanh", "Ý", "Giữ", "Hoè", "Thuỷ", "Nguyệt", "Ưng"],
)
def test_vietnamese_syllables_are_syllables(word: str) -> None:
    assert is_syllable(word)


@pytest.mark.parametrize("word", ["Htếu", "Hoàng1", "Lnh", "Ksor", "H'Hen", "Anna", ""])
def test_words_no_syllable_is_spelt_like_are_not(word: str) -> None:
    assert not is_syllable(word)
