"""HK I and HK II read into each other's columns (a header the scan lost, a print variant that
orders them the other way). The year average tells the two orders apart: (HK I + 2 × HK II) / 3
is not symmetric. Rows whose two scores are close fit both orders and decide nothing."""

from __future__ import annotations

from domain.record import YearPage
from validation.rules import TOLERANCE, as_decimal, year_average

MIN_DECIDING_ROWS = 2  # one row could be a single misread digit, not a swapped column


def fits(hk1: object, hk2: object, year: object) -> bool | None:
    """Does the row satisfy the year-average formula? None when a value is not a score."""
    a, b, y = as_decimal(hk1), as_decimal(hk2), as_decimal(year)
    if a is None or b is None or y is None:
        return None
    return abs(y - year_average(a, b)) <= TOLERANCE


def read_swapped(page: YearPage) -> bool:
    """True when every row that tells the orders apart fits only the swapped one."""
    for_swap = against = 0
    for subject in page.subjects:
        as_read = fits(subject.hk1, subject.hk2, subject.year)
        swapped = fits(subject.hk2, subject.hk1, subject.year)
        if as_read is None or swapped is None or as_read == swapped:
            continue
        for_swap += swapped
        against += as_read
    return against == 0 and for_swap >= MIN_DECIDING_ROWS


def swap(page: YearPage) -> None:
    """Exchange HK I and HK II in every row of the subject table, ĐTB các môn included."""
    for subject in page.subjects:
        subject.hk1, subject.hk2 = subject.hk2, subject.hk1
    if page.average_all is not None:
        average = page.average_all
        average.hk1, average.hk2 = average.hk2, average.hk1
