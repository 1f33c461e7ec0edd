"""Saddle-stitch order for left-to-right and right-to-left booklets."""

from __future__ import annotations

import pytest

from kit.pdf.impose import padded_order, sheet_sides


def numbered(sides: list[tuple[int, int]]) -> list[tuple[int, int]]:
    return [(a + 1, b + 1) for a, b in sides]


def test_left_to_right_booklet_of_eight() -> None:
    # Outside of sheet 1: back cover left, front cover right; then its inside.
    assert numbered(sheet_sides(8)) == [(8, 1), (2, 7), (6, 3), (4, 5)]


def test_right_to_left_booklet_binds_on_the_right() -> None:
    assert numbered(sheet_sides(8, rtl=True)) == [(1, 8), (7, 2), (3, 6), (5, 4)]


def test_blank_pages_go_before_the_back_page() -> None:
    assert padded_order(6) == [0, 1, 2, 3, 4, None, None, 5]
    assert padded_order(8) == list(range(8))


def test_page_count_must_be_a_multiple_of_four() -> None:
    with pytest.raises(ValueError):
        sheet_sides(6)
