"""In-memory columns over the catalog that turn :class:`SearchConstraints` into a boolean row mask fast."""

from __future__ import annotations

from collections import defaultdict

import numpy as np

from retrieval.models import Product, SearchConstraints


def _norm(value: str) -> str:
    return " ".join(value.lower().split())


class CatalogIndex:
    """Rows in a fixed product order; masks are vectorised so 40k products filter in well under a millisecond."""

    def __init__(self, products: list[Product]) -> None:
        self.products = products
        self.row_of = {p.id: i for i, p in enumerate(products)}
        n = len(products)
        self.price = np.array([p.price for p in products], dtype=np.float64)
        self.rating = np.array([p.rating or 0.0 for p in products], dtype=np.float64)
        self.in_stock = np.array([p.in_stock for p in products], dtype=bool)
        brands = sorted({_norm(p.brand or "") for p in products})
        self._brand_code = {b: i for i, b in enumerate(brands)}
        self.brand = np.array([self._brand_code[_norm(p.brand or "")] for p in products], dtype=np.int32)
        rows: dict[tuple[str, str], list[int]] = defaultdict(list)
        for i, p in enumerate(products):
            for level in p.category:
                rows[("category", _norm(level))].append(i)
            for key, values in p.attributes.items():
                for value in values:
                    rows[(key, _norm(value))].append(i)
        self._rows = {k: np.unique(np.array(v, dtype=np.int64)) for k, v in rows.items()}
        self._size = n

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
