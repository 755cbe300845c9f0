"""Price bands: a product's price percentile within its leaf category (shared by the re-ranker and profiles)."""

from __future__ import annotations

import numpy as np

from retrieval.facets import CatalogFacets
from retrieval.models import Product

BANDS = ("budget", "mid-range", "premium")


class PriceBands:
    """A product's price percentile within its leaf category, and the band it falls in."""

    def __init__(self, facets: CatalogFacets) -> None:
        self._prices = facets.prices_by_leaf()
        self._cache: dict[tuple[str, float], float] = {}

    def percentile(self, product: Product) -> float:
        key = (product.leaf_category.lower(), product.price)
        cached = self._cache.get(key)
        if cached is not None:
            return cached
        prices = self._prices.get(key[0])
        if prices is None or len(prices) == 0:
            return 0.5
        below = np.searchsorted(prices, product.price, side="left")
        equal = np.searchsorted(prices, product.price, side="right") - below
        self._cache[key] = value = float((below + 0.5 * equal) / len(prices))
        return value

    def band(self, product: Product) -> str:
        return BANDS[min(int(self.percentile(product) * 3), 2)]
