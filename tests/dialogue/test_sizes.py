"""Sizes in order: "a size bigger" moves a search's size to the next one its category comes in."""

from __future__ import annotations

import pytest

from dialogue.request_cues import size_step
from dialogue.sizes import next_size, size_order


@pytest.mark.parametrize(("current", "available", "step", "expected"), [
    ("9", ["8", "9", "9.5", "10"], 1, "9.5"), ("9", ["8", "9", "10"], -1, "8"), ("M", ["S", "M", "L", "XL"], 1, "L"),
    ("M", ["XS", "S", "M", "L"], -1, "S"), ("XL", ["S", "M", "L", "XL"], 1, None), ("42码", ["41码", "42码", "43码"], 1, "43码"),
    ("2XL", ["XL", "XXL", "XXXL"], 1, "XXXL"), ("one size", ["S", "M"], 1, None), ("均码", ["均码", "L"], 1, None),
])
def test_the_next_size_the_category_comes_in(current: str, available: list[str], step: int, expected: str | None) -> None:
    assert next_size(current, available, step) == expected


def test_letter_sizes_sort_in_their_order() -> None:
    assert sorted(["XL", "S", "XXS", "M", "L"], key=lambda v: size_order(v) or 0.0) == ["XXS", "S", "M", "L", "XL"]


@pytest.mark.parametrize(("text", "step"), [
    ("a size bigger", 1), ("one size up please", 1), ("can I get a bigger size", 1), ("one bigger size", 1), ("size down", -1),
    ("one size smaller", -1), ("大一码的", 1), ("小一号的", -1), ("尺码大一点", 1), ("a bigger one", 0), ("size 10", 0),
])
def test_a_step_in_size(text: str, step: int) -> None:
    assert size_step(text) == step
