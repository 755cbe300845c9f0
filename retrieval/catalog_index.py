"""Columns over the catalog that turn :class:`SearchConstraints` into a boolean row mask fast, saved and loaded as
arrays (a 200k-product catalog loads in milliseconds instead of being rebuilt from every product)."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from retrieval.models import Product, SearchConstraints

_ARRAYS = "columns.npz"
_NAMES = "columns.json"


def _norm(value: str) -> str:
    return " ".join(value.lower().split())


class CatalogIndex:
    """Rows in a fixed product order (``ids``); masks are vectorised so 200k products filter in a few milliseconds.

    Columns: price, rating, review count, in stock, brand code; postings (the rows of each category level and
    attribute value, normalised)."""

    def __init__(self, ids: list[str], columns: dict[str, np.ndarray], brands: list[str],
                 postings: dict[tuple[str, str], np.ndarray]) -> None:
        self.ids = ids
        self.row_of = {pid: i for i, pid in enumerate(ids)}
        self.price: np.ndarray = columns["price"]
        self.rating: np.ndarray = columns["rating"]
        self.review_count: np.ndarray = columns["review_count"]
        self.in_stock: np.ndarray = columns["in_stock"]
        self.brand: np.ndarray = columns["brand"]
        self._brands = brands
        self._brand_code = {b: i for i, b in enumerate(brands)}
        self._rows = postings
        self._size = len(ids)

    @classmethod
    def from_products(cls, products: Sequence[Product]) -> CatalogIndex:
        brands = sorted({_norm(p.brand or "") for p in products})
        code = {b: i for i, b in enumerate(brands)}
        columns = {
            "price": np.array([p.price for p in products], dtype=np.float64),
            "rating": np.array([p.rating or 0.0 for p in products], dtype=np.float64),
            "review_count": np.array([p.review_count for p in products], dtype=np.int64),
            "in_stock": np.array([p.in_stock for p in products], dtype=bool),
            "brand": np.array([code[_norm(p.brand or "")] for p in products], dtype=np.int32),
        }
        rows: dict[tuple[str, str], list[int]] = defaultdict(list)
        for i, p in enumerate(products):
            for level in p.category:
                rows[("category", _norm(level))].append(i)
            for key, values in p.attributes.items():
                for value in values:
                    rows[(key, _norm(value))].append(i)
        postings = {k: np.unique(np.array(v, dtype=np.int64)) for k, v in rows.items()}
        return cls([p.id for p in products], columns, brands, postings)

    # persistence ------------------------------------------------------------------------------------------
    def save(self, folder: Path) -> None:
        keys = sorted(self._rows)
        lengths = np.array([len(self._rows[k]) for k in keys], dtype=np.int64)
        rows = np.concatenate([self._rows[k] for k in keys]) if keys else np.zeros(0, dtype=np.int64)
        np.savez(folder / _ARRAYS, price=self.price, rating=self.rating, review_count=self.review_count,
                 in_stock=self.in_stock, brand=self.brand, posting_lengths=lengths, posting_rows=rows)
        (folder / _NAMES).write_text(json.dumps({"ids": self.ids, "brands": self._brands, "keys": [list(k) for k in keys]}))

    @classmethod
    def load(cls, folder: Path) -> CatalogIndex:
        names = json.loads((folder / _NAMES).read_text())
        with np.load(folder / _ARRAYS) as arrays:
            columns = {name: arrays[name] for name in ("price", "rating", "review_count", "in_stock", "brand")}
            ends = np.cumsum(arrays["posting_lengths"])
            rows = arrays["posting_rows"]
        starts = ends - np.diff(ends, prepend=0)
        postings = {(key, value): rows[s:e] for (key, value), s, e in zip(names["keys"], starts.tolist(), ends.tolist())}
        return cls(names["ids"], columns, names["brands"], postings)

    # masks --------------------------------------------------------------------------------------------------
    def __len__(self) -> int:
        return self._size

    def _has(self, key: str, values: list[str]) -> np.ndarray:
        mask = np.zeros(self._size, dtype=bool)
        for value in values:
            rows = self._rows.get((key, _norm(value)))
            if rows is not None:
                mask[rows] = True
        return mask

    def _brand_mask(self, brands: list[str]) -> np.ndarray:
        codes = [self._brand_code[_norm(b)] for b in brands if _norm(b) in self._brand_code]
        return np.isin(self.brand, codes)

    def mask(self, c: SearchConstraints) -> np.ndarray:
        """True for every product satisfying ``c`` (same semantics as ``SearchConstraints.matches``)."""
        mask = np.ones(self._size, dtype=bool)
        if c.category:
            mask &= self._has("category", [c.category])
        if c.categories_out:
            mask &= ~self._has("category", c.categories_out)
        if c.brands_in:
            mask &= self._brand_mask(c.brands_in)
        if c.brands_out:
            mask &= ~self._brand_mask(c.brands_out)
        if c.price_min is not None:
            mask &= self.price >= c.price_min
        if c.price_max is not None:
            mask &= self.price <= c.price_max
        for key, values in c.attributes_in.items():
            if values:
                mask &= self._has(key, values)
        for key, values in c.attributes_out.items():
            mask &= ~self._has(key, values)
        if c.rating_min is not None:
            mask &= self.rating >= c.rating_min
        if c.in_stock:
            mask &= self.in_stock
        for pid in c.exclude_ids:
            row = self.row_of.get(pid)
            if row is not None:
                mask[row] = False
        return mask
