"""Comments printed more than once in a booklet, read with other marks in different cells.

Teachers reuse their comments («Nắm vững kiến thức, vận dụng tốt.» on many subject rows), so
one booklet often holds several prints of one text, each read on its own. Two cells whose
texts have the same letters but other marks cannot both be right, and a font that loses a
stacked mark («Nắm» read «Năm») loses it in some cells and not in others: every cell of such a
group is flagged, with the spellings read, as the school name is across pages, and takes the
group's fullest spelling as its best guess (`domain.text.fullest_marks`: a lost mark is far more
common than an invented one).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator, Sequence

from domain.record import Flag, YearPage
from domain.text import fullest_marks, search_key

Cell = tuple[str, object, str]  # (record path, the model holding the comment, its attribute)

MIN_LETTERS = 8  # shorter texts («Tốt», «Khá») may be other words with the same letters


def check_comments(years: Sequence[YearPage], flags: list[Flag]) -> None:
    """COMMENTS_DISAGREE on every comment whose letters another comment shares, marks apart;
    each such comment takes the group's fullest spelling."""
    groups: dict[str, dict[str, list[tuple[Cell, str]]]] = {}
    for cell, text in _comments(years):
        letters = _letters(search_key(text))
        if len(letters) >= MIN_LETTERS:
            marked = _letters(unicodedata.normalize("NFC", text).casefold())
            groups.setdefault(letters, {}).setdefault(marked, []).append((cell, text))
    for spellings in groups.values():
        if len(spellings) < 2:
            continue
        texts = sorted({text for cells in spellings.values() for _, text in cells})
        shown = "» / «".join(texts)
        message = (
            f"Cùng một lời nhận xét được đọc với dấu khác nhau ở các ô khác nhau («{shown}»); "
            "cần đối chiếu với ảnh quét."
        )
        cells = [cell_text for group in spellings.values() for cell_text in group]
        flags.extend(
            Flag(field=path, code="COMMENTS_DISAGREE", message=message) for (path, *_), _ in cells
        )
        for (_, holder, attribute), text in cells:
            setattr(holder, attribute, fullest_marks(text, texts))


def _letters(text: str) -> str:
    """Letters only: punctuation and spacing slips are not other marks."""
    return "".join(ch for ch in text if ch.isalpha())


def _comments(years: Sequence[YearPage]) -> Iterator[tuple[Cell, str]]:
    for i, year in enumerate(years):
        prefix = f"years[{i}]"
        for j, subject in enumerate(year.subjects):
            if subject.comment:
                yield (f"{prefix}.subjects[{j}].comment", subject, "comment"), subject.comment
        for kind in ("competencies", "qualities"):
            for k, item in enumerate(getattr(year, kind) or []):
                if item.comment:
                    yield (f"{prefix}.{kind}[{k}].comment", item, "comment"), item.comment
        if year.homeroom_comment:
            yield (f"{prefix}.homeroom_comment", year, "homeroom_comment"), year.homeroom_comment
