"""Class-name glyphs (domain/vocab.py)."""

from __future__ import annotations

import pytest

from domain.vocab import digit_form, digit_lookalike


@pytest.mark.parametrize(
    ("class_name", "doubted"),
    [("1DI", True), ("9AO", True), ("1D1", False), ("6I", False), ("7B6", False), ("6CLC", False)],
)
def test_an_i_or_o_after_a_class_letter_may_be_a_digit(class_name: str, doubted: bool) -> None:
    assert digit_lookalike(class_name) is doubted


@pytest.mark.parametrize(
    ("class_name", "digits"), [("1DI", "1D1"), ("9AO", "9A0"), ("6I", "6I"), ("7B6", "7B6")]
)
def test_the_digit_form_reads_an_i_or_o_after_the_letter_as_a_digit(
    class_name: str, digits: str
) -> None:
    assert digit_form(class_name) == digits
