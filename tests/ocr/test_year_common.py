"""Table roles of the year pages (ocr/year_common.py, ocr/year_thcs.py)."""

from __future__ import annotations

import pytest

from ocr.year_common import column_roles, name_first
from ocr.year_thcs import SCORE_ROLES, _is_average_row


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
