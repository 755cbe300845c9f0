"""Catalog values with units read as numbers: "5,000 mAh", "18 hours", "6.4 inches", "2 TB SSD", "44 dBA".

A value becomes a :class:`Quantity` in its family's base unit (hours, GB, inches, grams, …), so "7 days" and
"18 hours" compare as 168 and 18 hours, and "1 TB SSD" beats "512 GB SSD". Values of different families (a
"battery" attribute holding "40 V" for one mower and "4,500 mAh" for another) never compare with each other.
"""

from __future__ import annotations

import re

from pydantic import BaseModel

#: unit word (lower case) → (family, factor to the family's base unit)
UNITS: dict[str, tuple[str, float]] = {
    **{u: ("time", 1 / 60) for u in ("min", "mins", "minute", "minutes")},
    **{u: ("time", 1.0) for u in ("h", "hr", "hrs", "hour", "hours")},
    **{u: ("time", 24.0) for u in ("day", "days")},
    **{u: ("time", 168.0) for u in ("week", "weeks")},
    **{u: ("time", 730.0) for u in ("month", "months")},
    **{u: ("time", 8760.0) for u in ("year", "years", "yr", "yrs")},
    "mah": ("charge", 1.0), "wh": ("energy", 1.0),
    "mb": ("data", 0.001), "gb": ("data", 1.0), "tb": ("data", 1000.0),
    **{u: ("length", 1 / 25.4) for u in ("mm",)},
    **{u: ("length", 1 / 2.54) for u in ("cm",)},
    **{u: ("length", 39.37) for u in ("m", "meter", "meters", "metre", "metres")},
    **{u: ("length", 1.0) for u in ("in", "inch", "inches", '"', "”")},
    **{u: ("length", 12.0) for u in ("ft", "foot", "feet", "'")},
    **{u: ("weight", 1.0) for u in ("g", "gram", "grams")},
    **{u: ("weight", 1000.0) for u in ("kg", "kgs", "kilogram", "kilograms")},
    **{u: ("weight", 453.6) for u in ("lb", "lbs", "pound", "pounds")},
    "oz": ("ounces", 1.0), "fl oz": ("ounces", 1.0),
    **{u: ("volume", 1.0) for u in ("ml",)},
    **{u: ("volume", 1000.0) for u in ("l", "liter", "liters", "litre", "litres")},
    **{u: ("cups", 1.0) for u in ("cup", "cups")},
    "dba": ("sound", 1.0), "db": ("sound", 1.0),
    "w": ("power", 1.0), "kw": ("power", 1000.0), "v": ("voltage", 1.0),
    "hz": ("frequency", 1.0), "mp": ("megapixels", 1.0), "dpi": ("dpi", 1.0), "pa": ("suction", 1.0),
    "aw": ("air watts", 1.0), "hrc": ("hardness", 1.0), "atm": ("water resistance", 1.0),
    "°f": ("temperature", 1.0), "f": ("temperature", 1.0),
    **{u: ("count", 1.0) for u in ("piece", "pieces", "page", "pages", "pack", "place settings",
                                   "speed", "core", "cores", "settings", "cycles")},
}
_RESOLUTIONS = {"720p": 720.0, "1080p": 1080.0, "1440p": 1440.0, "4k": 2160.0, "5k": 2880.0, "8k": 4320.0}
_NUMBER = re.compile(r"(?P<num>\d+(?:,\d{3})*(?:\.\d+)?|\.\d+)(?:\s*/\s*(?P<den>\d+))?\s*-?\s*(?P<unit>[a-z°\"”']+(?:\s(?:oz|settings))?)?",
                     re.IGNORECASE)


class Quantity(BaseModel):
    value: float
    family: str
    text: str

    def __str__(self) -> str:
        return self.text


def parse_quantity(text: str) -> Quantity | None:
    """The first number in ``text`` with its unit, in the family's base unit; None when there is no number.
    A bare number ("8", "4+") is of family ``"number"``."""
    cleaned = text.strip()
    resolution = _RESOLUTIONS.get(cleaned.lower())
    if resolution is not None:
        return Quantity(value=resolution, family="resolution", text=cleaned)
    match = _NUMBER.search(cleaned)
    if match is None:
        return None
    number = float(match.group("num").replace(",", ""))
    if match.group("den"):
        number /= max(float(match.group("den")), 1.0)
    unit = (match.group("unit") or "").lower()
    family, factor = UNITS.get(unit, UNITS.get(unit.split()[0], ("number", 1.0)) if unit else ("number", 1.0))
    if unit and family == "number":
        family = f"per {unit.split()[0]}"  # an unknown unit word ("12-speed" reads "speed" above; "5-pack" …)
    return Quantity(value=number * factor, family=family, text=cleaned)


def comparable(values: list[Quantity | None]) -> bool:
    """True when every value parsed and all share one family."""
    families = {q.family for q in values if q is not None}
    return len(families) == 1 and all(q is not None for q in values)
