"""Catalog facets (``retrieval.facets``): the columns catalog summaries are built from give the counts a pass over the
products gives, ties in first-seen order, and survive a save and load."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import numpy as np

from retrieval.facets import CatalogFacets
from retrieval.models import Product


def _products() -> list[Product]:
    def make(i: int, path: list[str], brand: str | None, price: float, **attributes: list[str]) -> Product:
        return Product(id=f"P{i}", title=f"Item {i}", brand=brand, category=path, price=price, attributes=attributes)

    return [
        make(0, ["Shoes", "Running Shoes"], "Stride", 80, color=["Red", "Blue"], size=["9", "10"]),
        make(1, ["Home", "Lamps"], None, 20, color=["Black"]),
        make(2, ["Shoes", "Boots"], "Trek", 120, size=["10", "11"], material=["Leather"]),
        make(3, ["Shoes", "Running Shoes"], "Stride", 60, color=["Blue"], size=["8"]),
        make(4, ["Home", "Lamps"], "Glowix", 35),
    ]


def test_summaries_equal_a_pass_over_the_products(tmp_path: Path) -> None:
    products = _products()
    facets = CatalogFacets.from_products(products)
    assert facets.path_counts() == [(("Shoes", "Running Shoes"), 2), (("Home", "Lamps"), 2), (("Shoes", "Boots"), 1)]
    levels: Counter[str] = Counter()
    for p in products:
        levels.update(p.category)
    assert facets.level_counts() == levels and list(facets.level_counts()) == list(levels)  # first-seen order kept
    assert facets.brand_counts() == Counter({"Stride": 2, "Trek": 1, "Glowix": 1})
    assert list(facets.value_counts("color").items()) == [("Red", 1), ("Blue", 2), ("Black", 1)]
    assert facets.value_counts("pattern") == Counter()
    assert facets.values_by_level("size") == {"Shoes": {"8", "9", "10", "11"}, "Running Shoes": {"8", "9", "10"}, "Boots": {"10", "11"}}
    rows = facets.rows_by_level()
    assert {level: r.tolist() for level, r in rows.items()} == {"shoes": [0, 2, 3], "running shoes": [0, 3], "home": [1, 4],
                                                               "lamps": [1, 4], "boots": [2]}
    prices = facets.prices_by_leaf()
    assert {leaf: p.tolist() for leaf, p in prices.items()} == {"running shoes": [60, 80], "lamps": [20, 35], "boots": [120]}
    facets.save(tmp_path)
    loaded = CatalogFacets.load(tmp_path, facets.ids)
    assert (loaded.titles, loaded.brands, loaded.paths, loaded.path_counts()) == (facets.titles, facets.brands, facets.paths, facets.path_counts())
    assert all(np.array_equal(loaded.values[k].codes, facets.values[k].codes) for k in facets.values)
    assert loaded.values_by_level("size") == facets.values_by_level("size") and loaded.all_values() == facets.all_values()
