"""Table roles of the year pages (ocr/year_common.py, ocr/year_thcs.py)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from ocr.year_common import column_roles, name_first, term_of
from ocr.year_thcs import SCORE_ROLES, _is_average_row, score_columns


def test_a_garbled_signature_header_cannot_take_the_name_column() -> None:
    # The first header read garbled; the signature header lost "Giáo viên" but kept "môn".
    headers = ["Mẫn h hẹc", "Học kỳ I", "Học kỳ II", "Cả năm", "Điểm sau kiểm tra lại", "bộ môn ký"]
    roles = column_roles(headers, SCORE_ROLES)
    assert roles["name"] == 5
    name_first(roles)
    assert roles["name"] == 0
    assert 5 not in roles.values()
    assert (roles["hk1"], roles["hk2"], roles["year"]) == (1, 2, 3)


@pytest.mark.parametrize(
    ("label", "average"),
    [
        ("ĐTB các môn", True),
        ("Điểm TB các môn", True),
        ("Điểm trung bình các môn", True),
        ("ĐEB các môn", True),  # the bold ĐTB misread
        ("Giáo dục công dân", False),
        ("Toán", False),
    ],
)
def test_the_average_row_is_known_by_cac_mon(label: str, average: bool) -> None:
    assert _is_average_row(label) is average


HEADERS = ["Môn học", "Học kỳ I", "Học kỳ II", "Cả năm", "Điểm kiểm tra lại", "Giáo viên ký"]


def _with(*changes: int | str) -> list[str]:
    """HEADERS with some cells read otherwise: column, text, column, text..."""
    out = list(HEADERS)
    for col, text in zip(changes[::2], changes[1::2], strict=True):
        out[int(col)] = str(text)
    return out


def _reread(texts: list[str]) -> Callable[[], list[str]]:
    return lambda: texts


@pytest.mark.parametrize(
    ("page_read", "reread"),
    [
        (HEADERS, HEADERS),
        # "II" lost on the page, and the re-read takes HK I's header for HK II
        (_with(2, "xế kỳ"), _with(1, "Học kỳ ÏI", 2, "Học lậi kỳ")),
        # the page read takes HK II's header for HK I, the re-read is no better
        (_with(1, "Học H kỳ", 2, "Học kỳ I"), _with(1, "Học H kỳ", 2, "Học kỳ I")),
        (_with(1, "", 2, ""), _with(1, "", 2, "")),  # both terms' headers lost
    ],
)
def test_term_columns_follow_the_forms_order_whatever_one_header_reads(
    page_read: list[str], reread: list[str]
) -> None:
    roles = score_columns(page_read, _reread(reread), len(HEADERS))
    assert [roles.get(t) for t in ("name", "hk1", "hk2", "year")] == [0, 1, 2, 3]


@pytest.mark.parametrize(
    ("text", "term"),
    [
        ("Học kỳ I", "hk1"),
        ("Học kỳI", "hk1"),  # the numeral read joined to "kỳ"
        ("Học kỳII", "hk2"),
        ("Học kỳ II", "hk2"),
        ("Học kì 1", "hk1"),
        ("HKII", "hk2"),
        ("HK I", "hk1"),
        ("Cả năm", "year"),
        ("CN", "year"),
        ("Học kỳ", None),  # the column's header, no term
        ("Hạnh kiểm", None),
    ],
)
def test_term_rows_and_headers_name_their_term(text: str, term: str | None) -> None:
    assert term_of(text) == term
