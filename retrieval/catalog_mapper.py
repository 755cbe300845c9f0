"""Apply a ``CatalogMapping`` to raw records: Product-shaped dicts, variant joins and review aggregation."""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from core.errors import UserError
from retrieval.mapping import CatalogMapping, FieldSpec, PackedAttributes, ReviewsSpec, VariantSpec
from retrieval.transforms import REGISTRY, get_path, is_missing, parse_packed

log = logging.getLogger(__name__)


class RowProblem(ValueError):
    """A row the mapping cannot read; the message is the short reason reported for it."""


@dataclass
class ReviewStats:
    """Ratings of one product key from a reviews table."""

    ratings: list[float] = field(default_factory=list)
    texts: list[dict[str, Any]] = field(default_factory=list)  # Review fields, for rows that carry a text

    @property
    def mean(self) -> float | None:
        return round(sum(self.ratings) / len(self.ratings), 2) if self.ratings else None


def _text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return "" if value is None else str(value).strip()


def _extract(name: str, spec: FieldSpec, record: dict[str, Any]) -> Any:
    try:
        return spec.extract(record)
    except ValueError as exc:
        raise RowProblem(f"{name}: {exc}") from None


def _attribute_values(value: Any) -> list[str]:
    items = value if isinstance(value, list) else [value]
    return [_text(v) for v in items if not is_missing(v) and not isinstance(v, (dict, list))]


def packed_attributes(spec: PackedAttributes, record: dict[str, Any]) -> dict[str, list[str]]:
    """The attributes packed in ``spec.source`` of ``record`` (``k=v,k=v``), filtered and transformed."""
    raw = get_path(record, spec.source)
    if is_missing(raw):
        return {}
    out: dict[str, list[str]] = {}
    for key, text in parse_packed(str(raw), spec.pair_sep, spec.kv_sep).items():
        key = spec.rename.get(key, key)
        if key in spec.exclude or (spec.include is not None and key not in spec.include):
            continue
        value: Any = [v.strip() for v in text.split(spec.value_sep)] if spec.value_sep else [text]
        for call in spec.transforms:
            value = call.apply(value)
        out[key] = _attribute_values(value)
    return out


class RecordMapper:
    """Turns one raw record into the keyword arguments of a ``Product`` (validation is the caller's)."""

    def __init__(
        self,
        mapping: CatalogMapping,
        children: dict[str, dict[str, Any]] | None = None,
        reviews: dict[str, ReviewStats] | None = None,
    ) -> None:
        self.mapping = mapping
        self.children = children or {}
        self.reviews = reviews or {}

    def product_dict(self, record: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
        """The Product fields for ``record`` and any warnings; raises RowProblem when a value cannot be read."""
        m = self.mapping
        out: dict[str, Any] = {}
        for name in type(m.fields).model_fields:
            spec = getattr(m.fields, name)
            if spec is not None:
                value = _extract(name, spec, record)
                if not is_missing(value):
                    out[name] = value
        if "id" in out:
            out["id"] = m.id_prefix + _text(out["id"])
        attributes: dict[str, list[str]] = {}
        for name, spec in m.attributes.items():
            values = _attribute_values(_extract(f"attributes.{name}", spec, record))
            if values:
                attributes.setdefault(name, []).extend(values)
        for packed in m.packed_attributes:
            try:
                for name, values in packed_attributes(packed, record).items():
                    attributes.setdefault(name, []).extend(values)
            except ValueError as exc:
                raise RowProblem(f"{packed.source}: {exc}") from None
        if attributes:
            out["attributes"] = attributes
        warnings: list[str] = []
        if m.variants is not None:
            variants = [self._variant(m.variants, raw, warnings) for raw in m.variants.records(record)]
            if variants:
                out["variants"] = variants
                prices = [v["price"] for v in variants if v.get("price") is not None]
                if "price" not in out and prices:
                    out["price"] = min(prices)
        if m.reviews is not None:
            self._add_reviews(m.reviews, record, out)
        return out, warnings

    def _variant(self, spec: VariantSpec, raw: dict[str, Any], warnings: list[str]) -> dict[str, Any]:
        sku = _text(_extract("variants.sku", spec.sku, raw))
        merged = raw
        if spec.join_on:
            child = self.children.get(sku)
            if child is None:
                warnings.append(f"variant {sku!r}: no row with {spec.join_on}={sku!r} to join")
            else:
                merged = {**child, **raw}
        variant: dict[str, Any] = {"sku": self.mapping.id_prefix + sku if sku else sku}
        if spec.price is not None:
            variant["price"] = _extract("variants.price", spec.price, merged)
        stock = _extract("variants.stock", spec.stock, merged) if spec.stock is not None else None
        variant["stock"] = 0 if is_missing(stock) else stock
        if spec.in_stock is not None and not REGISTRY["bool"](_extract("variants.in_stock", spec.in_stock, merged) or False):
            variant["stock"] = 0
        attributes = {}
        for name, attr_spec in spec.attributes.items():
            values = _attribute_values(_extract(f"variants.attributes.{name}", attr_spec, merged))
            if values:
                attributes[name] = ", ".join(values)
        variant["attributes"] = attributes
        return variant

    def _add_reviews(self, spec: ReviewsSpec, record: dict[str, Any], out: dict[str, Any]) -> None:
        match = spec.match or (self.mapping.fields.id.sources or [""])[0]
        stats = self.reviews.get(_text(get_path(record, match)))
        if stats is None or not stats.ratings:
            return
        if spec.overwrite or "rating" not in out:
            out["rating"] = stats.mean
        if spec.overwrite or "review_count" not in out:
            out["review_count"] = len(stats.ratings)
        if stats.texts and (spec.overwrite or "reviews" not in out):
            out["reviews"] = stats.texts


def variant_skus(mapping: CatalogMapping, records: Iterable[dict[str, Any]]) -> set[str]:
    """Skus that kept parent rows list as their variants (the child rows a join consumes)."""
    spec = mapping.variants
    if spec is None or not spec.join_on:
        return set()
    skus: set[str] = set()
    for record in records:
        if mapping.keep(record):
            for raw in spec.records(record):
                try:
                    skus.add(_text(spec.sku.extract(raw)))
                except ValueError:
                    continue
    return skus


def child_index(mapping: CatalogMapping, records: Iterable[dict[str, Any]], wanted: set[str]) -> dict[str, dict[str, Any]]:
    """Rows by their ``join_on`` value, for the skus in ``wanted``."""
    join_on = mapping.variants.join_on if mapping.variants else None
    if not join_on:
        return {}
    index: dict[str, dict[str, Any]] = {}
    for record in records:
        key = _text(get_path(record, join_on))
        if key in wanted:
            index[key] = record
    return index


def find_reviews(
    spec: ReviewsSpec, catalog_paths: list[Path], mapping_dir: Path | None, warn: Callable[[str, str], None]
) -> Path | None:
    """``spec.path`` as given when absolute, else beside a catalog file, else beside the mapping file. Not found:
    a UserError, or with ``required: false`` a warning and None."""
    if spec.path.is_absolute():
        candidates = [spec.path]
    else:
        candidates = [p.parent / spec.path for p in catalog_paths] + ([mapping_dir / spec.path] if mapping_dir else [])
    for candidate in candidates:
        if candidate.is_file():
            return candidate
    tried = ", ".join(str(c) for c in dict.fromkeys(candidates))
    if not spec.required:
        warn(str(spec.path), f"reviews file not found (tried {tried}); ratings are left out")
        return None
    raise UserError(f"Reviews file {spec.path} not found (tried {tried}); fix 'reviews.path' in the mapping.")


def aggregate_reviews(spec: ReviewsSpec, rows: Iterable[dict[str, Any]]) -> dict[str, ReviewStats]:
    """Ratings per product key; rows without a key or a readable rating are skipped (and counted in the log)."""
    stats: dict[str, ReviewStats] = defaultdict(ReviewStats)
    skipped = 0
    for row in rows:
        key = _text(get_path(row, spec.key))
        raw = get_path(row, spec.rating_column)
        try:
            rating = REGISTRY["number"](raw) if not is_missing(raw) else None
        except ValueError:
            rating = None
        if not key or rating is None:
            skipped += 1
            continue
        stats[key].ratings.append(rating)
        text = get_path(row, spec.text_column) if spec.text_column else None
        if not is_missing(text) and str(text).strip():
            review: dict[str, Any] = {"text": str(text), "rating": rating}
            for name, column in (("title", spec.title_column), ("author", spec.author_column)):
                value = get_path(row, column) if column else None
                if not is_missing(value):
                    review[name] = str(value)
            stats[key].texts.append(review)
    if skipped:
        log.warning("reviews.skipped rows=%d (no %s or unreadable %s)", skipped, spec.key, spec.rating_column)
    return dict(stats)


def missing_columns(
    file_names: list[str], records: list[tuple[str, dict[str, Any]]], mapping: CatalogMapping
) -> list[tuple[str, str]]:
    """``(file, reason)`` for each ``fields`` source found in no row of a file: most likely a typo."""
    seen: dict[str, set[str]] = {name: set() for name in file_names}
    for location, data in records:
        seen.setdefault(location.rsplit("[", 1)[0].rsplit(":", 1)[0], set()).update(data)
    found: list[tuple[str, str]] = []
    for file_name, keys in seen.items():
        for field_name in type(mapping.fields).model_fields:
            spec = getattr(mapping.fields, field_name)
            sources = spec.sources if spec is not None and spec.const is None else []
            if keys and sources and not any(s in keys or s.split(".")[0] in keys for s in sources):
                found.append((file_name, f"fields.{field_name}: no column {' or '.join(map(repr, sources))} in this file"))
    return found
