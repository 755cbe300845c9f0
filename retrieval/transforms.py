"""The named value transforms a catalog mapping can apply, and dotted-path lookup into records.

A mapping names transforms in a field's ``transforms`` list, either bare (``strip_html``), with one
positional argument (``{split: "|"}``) or with keyword arguments (``{map: {values: {...}, fallback: title_case}}``).
Each transform is a small function registered with :func:`transform`; adding one is adding a function here.

Unless a transform is registered with ``per_item=False`` it applies to every item when the value is a list
(list results are flattened, missing results dropped).
Transforms are skipped for a missing value (``None``) unless registered with ``accepts_none=True``.
A transform that cannot read its input raises ``ValueError`` with a short reason; the row is then reported.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from dataclasses import dataclass
from statistics import fmean
from typing import Any, TypeVar

MISSING_VALUES: tuple[Any, ...] = (None, "", [], {})


@dataclass(frozen=True)
class Transform:
    """A registered transform: the function and how it treats lists and missing values."""

    name: str
    fn: Callable[..., Any]
    per_item: bool = True
    accepts_none: bool = False

    def __call__(self, value: Any, *args: Any, **kwargs: Any) -> Any:
        if value is None and not self.accepts_none:
            return None
        if self.per_item and isinstance(value, list):
            out: list[Any] = []
            for item in value:
                result = None if item is None else self.fn(item, *args, **kwargs)
                out.extend(result if isinstance(result, list) else [result])
            return [v for v in out if not is_missing(v)]
        return self.fn(value, *args, **kwargs)


REGISTRY: dict[str, Transform] = {}


F = TypeVar("F", bound=Callable[..., Any])


def transform(name: str, *, per_item: bool = True, accepts_none: bool = False) -> Callable[[F], F]:
    """Register ``fn`` under ``name`` (decorator)."""

    def register(fn: F) -> F:
        REGISTRY[name] = Transform(name, fn, per_item, accepts_none)
        return fn

    return register


def is_missing(value: Any) -> bool:
    return any(value is m or value == m for m in MISSING_VALUES) or (isinstance(value, str) and not value.strip())


def get_path(record: Any, path: str) -> Any:
    """``record[path]``, or follow a dotted path (``dimensions.width``, ``images.0``); None when absent."""
    if isinstance(record, dict) and path in record:
        return record[path]
    value = record
    for part in path.split("."):
        if isinstance(value, dict):
            value = value.get(part)
        elif isinstance(value, list) and part.lstrip("-").isdigit() and -len(value) <= int(part) < len(value):
            value = value[int(part)]
        else:
            return None
    return value


def parse_packed(text: str, pair_sep: str = ",", kv_sep: str = "=") -> dict[str, str]:
    """``"size=XS,color=Black"`` → ``{"size": "XS", "color": "Black"}``; a piece without ``kv_sep`` belongs to the
    previous value (so values may contain ``pair_sep``)."""
    out: dict[str, str] = {}
    last: str | None = None
    for piece in str(text).split(pair_sep):
        if kv_sep in piece:
            key, _, val = piece.partition(kv_sep)
            last = key.strip()
            out[last] = val.strip()
        elif last is not None and piece.strip():
            out[last] += pair_sep + piece.rstrip()
    return out


# Text ----------------------------------------------------------------------------------------------
@transform("strip")
def _strip(value: Any) -> str:
    return str(value).strip()


@transform("lower")
def _lower(value: Any) -> str:
    return str(value).lower()


@transform("upper")
def _upper(value: Any) -> str:
    return str(value).upper()


@transform("title_case")
def _title_case(value: Any) -> str:
    """``kitchen-accessories`` → ``Kitchen Accessories``: separators become spaces, each word capitalised."""
    words = re.split(r"[\s_\-]+", str(value).strip())
    return " ".join(w[:1].upper() + w[1:] for w in words if w)


_BLOCK_TAGS = re.compile(r"<\s*(br|/?p|/?div|/?li|/?ul|/?ol|/?tr|/?h[1-6])\b[^>]*>", re.IGNORECASE)
_TAGS = re.compile(r"<[^>]*>")


@transform("strip_html")
def _strip_html(value: Any) -> str:
    """Remove tags and decode entities; block tags become line breaks, runs of spaces collapse."""
    text = _TAGS.sub(" ", _BLOCK_TAGS.sub("\n", str(value)))
    lines = (" ".join(line.split()) for line in html.unescape(text).replace("\xa0", " ").splitlines())
    return "\n".join(line for line in lines if line)


@transform("html_unescape")
def _html_unescape(value: Any) -> str:
    return html.unescape(str(value))


@transform("split")
def _split(value: Any, sep: str = ",") -> list[str]:
    """Split text into stripped, non-empty parts (``sep`` may be ``"\\n"``)."""
    return [part.strip() for part in str(value).split(sep) if part.strip()]


@transform("join", per_item=False)
def _join(value: Any, sep: str = ", ") -> str:
    return sep.join(str(v) for v in value) if isinstance(value, list) else str(value)


@transform("url_prefix")
def _url_prefix(value: Any, base: str) -> str:
    """Prefix ``base`` to a relative path; absolute URLs (``https://``, ``//``, ``data:``) are left alone."""
    text = str(value).strip()
    if re.match(r"^([a-z][a-z0-9+.\-]*:|//)", text, re.IGNORECASE):
        return text
    return base.rstrip("/") + "/" + text.lstrip("/")


# Numbers -------------------------------------------------------------------------------------------
@transform("number")
def _number(value: Any) -> float:
    """Read ``12``, ``"$1,299.00"``, ``"1.299,00 €"``, ``"12,5"`` as a float."""
    if isinstance(value, bool):
        raise ValueError(f"cannot read {value!r} as a number")
    if isinstance(value, (int, float)):
        return float(value)
    text = re.sub(r"[^\d,.\-]", "", str(value))
    if "," in text and "." in text:
        decimal = "," if text.rfind(",") > text.rfind(".") else "."
        text = text.replace("." if decimal == "," else ",", "").replace(",", ".")
    elif "," in text:
        head, _, tail = text.rpartition(",")
        text = text.replace(",", "") if len(tail) == 3 and head else text.replace(",", ".")
    try:
        return float(text)
    except ValueError:
        raise ValueError(f"cannot read {str(value)[:40]!r} as a number") from None


@transform("int")
def _int(value: Any) -> int:
    return round(_number(value))


@transform("multiply")
def _multiply(value: Any, factor: float) -> float:
    """Scale a number, e.g. cents to dollars (``{multiply: 0.01}``) or a 10-point rating to 5."""
    return _number(value) * factor


@transform("bool")
def _bool(value: Any) -> bool:
    """Truthy texts: 1, yes, y, true, t, in stock, available; everything else is false."""
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() in {"1", "yes", "y", "true", "t", "in stock", "instock", "available"}


# Lists ---------------------------------------------------------------------------------------------
@transform("length", per_item=False, accepts_none=True)
def _length(value: Any) -> int:
    """Number of items (e.g. a list of reviews); a missing value counts 0."""
    if value is None or value == "":
        return 0
    return len(value) if isinstance(value, (list, dict)) else 1


@transform("first", per_item=False)
def _first(value: Any) -> Any:
    """The first non-empty item of a list; a non-list passes through."""
    if isinstance(value, list):
        return next((v for v in value if not is_missing(v)), None)
    return value


@transform("pluck")
def _pluck(value: Any, key: str) -> Any:
    """``key`` of an object (dotted paths allowed); on a list of objects, of each."""
    return get_path(value, key)


@transform("reviews", per_item=False, accepts_none=True)
def _reviews(value: Any, text: str = "text", rating: str | None = "rating", title: str | None = None,
             author: str | None = None) -> list[dict[str, Any]]:
    """A list of review objects as ``Review`` fields, reading ``text``/``rating``/``title``/``author`` from the keys
    named; objects without text are dropped."""
    items = value if isinstance(value, list) else [] if is_missing(value) else [value]
    out = []
    for item in items:
        if not isinstance(item, dict) or is_missing(get_path(item, text)):
            continue
        review: dict[str, Any] = {"text": str(get_path(item, text))}
        for field, key in (("rating", rating), ("title", title), ("author", author)):
            raw = get_path(item, key) if key else None
            if not is_missing(raw):
                review[field] = _number(raw) if field == "rating" else str(raw)
        out.append(review)
    return out


@transform("mean", per_item=False)
def _mean(value: Any) -> float | None:
    """Average of a list of numbers (None for an empty list)."""
    items = value if isinstance(value, list) else [value]
    numbers = [_number(v) for v in items if not is_missing(v)]
    return round(fmean(numbers), 2) if numbers else None


# Lookup --------------------------------------------------------------------------------------------
@transform("map")
def _map(value: Any, values: dict[str, Any], default: Any = None, fallback: str | None = None, ignore_case: bool = True) -> Any:
    """Replace a value through ``values``. Unmatched: ``default`` when given, else ``fallback`` (a transform
    name, e.g. ``title_case``) applied to the value, else the value unchanged."""
    key = str(value).strip()
    table = {str(k).strip().lower(): v for k, v in values.items()} if ignore_case else {str(k): v for k, v in values.items()}
    lookup = key.lower() if ignore_case else key
    if lookup in table:
        return table[lookup]
    if default is not None:
        return default
    return REGISTRY[fallback](value) if fallback else value


@transform("category_path", per_item=False)
def _category_path(
    value: Any,
    path_sep: str = ">",
    list_sep: str | None = None,
    pick: str = "first",
    strip_prefix: list[str] | None = None,
    skip_roots: list[str] | None = None,
    stop_at: list[str] | None = None,
    max_depth: int | None = None,
) -> list[str]:
    """Turn category text into a root-first path.

    ``list_sep`` splits several paths (``"A/B,C/D"``); ``pick`` chooses ``first`` or ``deepest`` of them.
    ``strip_prefix`` drops leading levels (``Default Category``); paths whose root is in ``skip_roots``
    (``Collections``) are ignored when another path remains; ``stop_at`` cuts a path before such a level;
    ``max_depth`` keeps the first N levels.
    """
    raw = value if isinstance(value, list) else (str(value).split(list_sep) if list_sep else [str(value)])
    strip = [s.lower() for s in strip_prefix or []]
    paths: list[list[str]] = []
    for item in raw:
        levels = item if isinstance(item, list) else [p.strip() for p in str(item).split(path_sep)]
        levels = [str(p).strip() for p in levels if str(p).strip()]
        while levels and levels[0].lower() in strip:
            levels = levels[1:]
        for i, level in enumerate(levels):
            if level.lower() in {s.lower() for s in stop_at or []}:
                levels = levels[:i]
                break
        if levels:
            paths.append(levels[:max_depth] if max_depth else levels)
    preferred = [p for p in paths if p[0].lower() not in {s.lower() for s in skip_roots or []}] or paths
    if not preferred:
        return []
    if pick == "deepest":
        return max(preferred, key=len)
    if pick != "first":
        raise ValueError(f"category_path pick must be 'first' or 'deepest', not {pick!r}")
    return preferred[0]
