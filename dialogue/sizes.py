"""Sizes in order, so that "a size bigger" after size 9 is size 10 and "one size up" after M is L."""

from __future__ import annotations

import re
from collections.abc import Iterable

#: Letter sizes, smallest first.
LETTER_SIZES = ("XXS", "XS", "S", "M", "L", "XL", "XXL", "XXXL")
_ALIASES = {"2XL": "XXL", "3XL": "XXXL", "SMALL": "S", "MEDIUM": "M", "LARGE": "L"}
_NUMBER = re.compile(r"^\s*(\d+(?:\.\d+)?)")


def size_order(value: str) -> float | None:
    """Where a size value sorts among others of its kind (letters in their order, numbers by value), or None."""
    text = value.strip().upper().removesuffix("码").removesuffix("号")
    text = _ALIASES.get(text, text)
    if text in LETTER_SIZES:
        return float(LETTER_SIZES.index(text))
    found = _NUMBER.match(text)
    return float(found.group(1)) if found else None


def next_size(current: str, available: Iterable[str], step: int) -> str | None:
    """The size of ``available`` right after ``current`` (``step`` 1: bigger; -1: smaller), or None when there is
    none or ``current`` has no order."""
    here = size_order(current)
    if here is None or step == 0:
        return None
    ranked = sorted((order, value) for value in set(available) if (order := size_order(value)) is not None)
    beyond = [value for order, value in ranked if (order > here if step > 0 else order < here)]
    return (beyond[0] if step > 0 else beyond[-1]) if beyond else None
