"""Measurements a request names in a category's own units: "a tent for 4 people", "a 55 inch TV", "16GB of RAM", "at
least 10 hours of battery", "under 20 lbs", 55寸电视, 16G内存.

A category's measured attributes come from its catalog values ("55 inches", "16 GB", "4 people", "120分钟"): an
attribute counts when at least half of its values are a number and one unit. A number followed by that unit (or a
usual other form of it: "inch", '"', "person", "G", 寸) names the attribute; where the unit belongs to several
attributes ("GB": RAM and storage), the attribute's name in the message decides ("16GB of RAM"), else the one whose
values span the number. An amount of money ("$4k") is never a measurement. What is wanted:

* "at least 16 GB", "16GB or more", 10小时以上 → the values of at least that;
* "under 20 lbs", "at most 3 kg", 30分钟以内 → the values of at most that;
* otherwise the values about that (within 5 %: "a 13 inch laptop" is a 13.3-inch one), or, when the catalog has none,
  those above it ("12 GB" → 16 GB and more).

The result is the catalog values themselves, so the search filters on them as on any feature (``dialogue.features``).
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass

from dialogue.lexicon import singular
from dialogue.lexicon_zh import HAN_RANGES, has_han

#: A value that is a measurement: a number and one unit ("55 inches", "16 GB", "4 people", "120分钟").
_NUMBER = r"(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?"
_VALUE = re.compile(rf"^\s*({_NUMBER})\s*([a-z°][a-z°. ]*|[{HAN_RANGES}]+)\s*$", re.IGNORECASE)
#: Other ways shoppers write a unit.
_ALIASES: dict[str, tuple[str, ...]] = {
    "people": ("person", "persons", "ppl"), "person": ("people", "persons"), "inches": ("inch", "in", '"', "″"),
    "in": ("inch", "inches", '"', "″"), "gb": ("g", "gig", "gigs"), "tb": ("t",), "hours": ("hour", "hrs", "hr", "h"),
    "minutes": ("minute", "mins", "min"), "lb": ("lbs", "pound", "pounds"), "lbs": ("lb", "pound", "pounds"),
    "ft": ("feet", "foot"), "l": ("liter", "liters", "litre", "litres"), "w": ("watt", "watts"), "mp": ("megapixel", "megapixels"),
    "英寸": ("寸",), "小时": ("个小时",), "公斤": ("kg", "千克"), "厘米": ("cm",), "毫米": ("mm",), "升": ("l",),
}
_AT_LEAST_BEFORE = re.compile(r"(?:at\s+least|minimum(?:\s+of)?|min\.?|more\s+than|over|above|bigger\s+than|larger\s+than|"
                              r"longer\s+than|no\s+less\s+than|至少|不少于|不低于|大于|超过)\s*$")
_AT_MOST_BEFORE = re.compile(r"(?:under|below|less\s+than|at\s+most|no\s+more\s+than|max(?:imum)?\.?|up\s+to|smaller\s+than|"
                             r"lighter\s+than|shorter\s+than|不超过|不到|小于|低于|最多)\s*$")
_AT_LEAST_AFTER = re.compile(r"^\s*(?:or\s+(?:more|bigger|larger|longer|higher|above)|plus\b|\+|and\s+(?:up|above|over)|以上|及以上|起)")
_AT_MOST_AFTER = re.compile(r"^\s*(?:or\s+(?:less|fewer|smaller|lighter|shorter|under|below)|and\s+(?:under|below)|以内|以下|之内)")
#: How close "about N" is: a share of N.
_ABOUT = 0.05


@dataclass(frozen=True)
class _Measured:
    key: str
    numbers: dict[str, float]  # catalog value -> its number

    def values(self, number: float, direction: str) -> list[str]:
        if direction == "at_least":
            return self._sorted(v for v, n in self.numbers.items() if n >= number)
        if direction == "at_most":
            return self._sorted(v for v, n in self.numbers.items() if n <= number)
        about = self._sorted(v for v, n in self.numbers.items() if abs(n - number) <= _ABOUT * number)
        return about or self._sorted(v for v, n in self.numbers.items() if n >= number)

    def spans(self, number: float) -> bool:
        return min(self.numbers.values()) <= number <= max(self.numbers.values())

    def _sorted(self, values: object) -> list[str]:
        return sorted(values, key=lambda v: self.numbers[v])  # type: ignore[arg-type]


class CategoryMeasures:
    """The measured attributes of one category and the pattern that finds them in a message."""

    def __init__(self, values_by_key: dict[str, set[str]]) -> None:
        by_unit: dict[str, list[_Measured]] = defaultdict(list)
        for key, values in values_by_key.items():
            parsed = [(v, m) for v in values if (m := _VALUE.match(v))]
            if len(parsed) < 2 or len(parsed) * 2 < len(values):
                continue  # mostly not measurements ("2-in-1", "trail"; 单人 and 双人 beside 4人 are fine)
            unit, _ = Counter(m.group(2).strip().lower() for _, m in parsed).most_common(1)[0]
            numbers = {v: _number(m.group(1)) for v, m in parsed if m.group(2).strip().lower() == unit}
            if len(set(numbers.values())) >= 2:
                for form in _forms(unit):
                    by_unit[form].append(_Measured(key, numbers))
        self._by_unit = dict(by_unit)
        forms = sorted(by_unit, key=len, reverse=True)
        self._pattern = re.compile(
            rf"(?<![a-z0-9.,$¥€£])({_NUMBER})\s*-?\s*(" + "|".join(re.escape(f) for f in forms) + r")(?![a-z])(?!-\d)", re.IGNORECASE
        ) if forms else None

    def named(self, text: str) -> dict[str, list[str]]:
        """Each measured attribute ``text`` names → the catalog values it wants (nothing when no value fits)."""
        if self._pattern is None:
            return {}
        lowered = text.lower()
        wanted: dict[str, list[str]] = {}
        for match in self._pattern.finditer(lowered):
            if match.group(2) == "in" and re.match(r"\s+[a-z]", lowered[match.end():]):
                continue  # "10 in red", "6 in stock": the word, not inches
            number = _number(match.group(1))
            measured = _choose(self._by_unit[match.group(2).lower()], number, lowered)
            if measured is None:
                continue
            values = measured.values(number, _direction(lowered[:match.start()], lowered[match.end():]))
            if values:
                wanted[measured.key] = values
        return wanted


def value_range(key: str, values: list[str]) -> str | None:
    """Several values of one measured attribute in words, as the range they span: "battery life 12–18 hours",
    续航10–20小时; None for one value or for values that are no measurements of one unit."""
    parsed = [m for v in values if (m := _VALUE.match(v))]
    units = {m.group(2).strip() for m in parsed}
    if len(values) < 2 or len(parsed) != len(values) or len(units) != 1:
        return None
    low, high = min(parsed, key=lambda m: _number(m.group(1))).group(1), max(parsed, key=lambda m: _number(m.group(1))).group(1)
    unit = units.pop()
    return f"{key}{low}–{high}{unit}" if has_han(key + unit) else f"{key} {low}–{high} {unit}"


def _number(text: str) -> float:
    return float(text.replace(",", ""))


def _forms(unit: str) -> set[str]:
    forms = {unit, *_ALIASES.get(unit, ())}
    if not has_han(unit) and len(unit) > 3:
        forms |= {singular(unit), unit + "s"}
    return {f.lower() for f in forms}


def _choose(candidates: list[_Measured], number: float, text: str) -> _Measured | None:
    """The attribute a number in this unit measures: the one the message names, else the only one whose values span
    the number, else the only one."""
    if len(candidates) == 1:
        return candidates[0]
    named = [m for m in candidates if _names_key(text, m.key)]
    if len(named) == 1:
        return named[0]
    spanning = [m for m in candidates if m.spans(number)]
    return spanning[0] if len(spanning) == 1 else None


def _names_key(text: str, key: str) -> bool:
    if has_han(key):
        return key in text or key[-2:] in text
    return any(re.search(rf"\b{re.escape(word)}\b", text) for word in key.lower().split() if len(word) > 2)


def _direction(before: str, after: str) -> str:
    if _AT_LEAST_BEFORE.search(before) or _AT_LEAST_AFTER.match(after):
        return "at_least"
    if _AT_MOST_BEFORE.search(before) or _AT_MOST_AFTER.match(after):
        return "at_most"
    return "about"
