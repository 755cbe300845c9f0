"""The catalog as columns of what catalog-wide summaries read (titles, brands, category paths, attribute values,
prices), so the vocabulary, category counts, price bands and category centroids of a 200k-product catalog are built
from counts and arrays, without a product object each; saved and loaded with the store's snapshot."""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from retrieval.models import Product

_ARRAYS = "facets.npz"
_NAMES = "facets.json"


@dataclass(frozen=True)
class ValueColumn:
    """One attribute's values as entries: entry ``i`` says row ``rows[i]`` has the value ``names[codes[i]]`` (rows
    ascending, each row's values in the product's order). Only rows with the attribute have entries, so a catalog of
    many attributes costs what it holds, not rows × attributes."""

    names: list[str]
    rows: np.ndarray
    codes: np.ndarray


class CatalogFacets:
    """Columns in catalog (row) order. Names (brands, paths, values) are kept in first-seen order, so counts built
    from them break ties as a pass over the products would."""

    def __init__(self, ids: list[str], titles: list[str], brands: list[str | None], brand_code: np.ndarray,
                 paths: list[tuple[str, ...]], path_code: np.ndarray, price: np.ndarray, values: dict[str, ValueColumn]) -> None:
        self.ids, self.titles, self.brands, self.brand_code = ids, titles, brands, brand_code
        self.paths, self.path_code, self.price, self.values = paths, path_code, price, values

    def __len__(self) -> int:
        return len(self.ids)

    @classmethod
    def from_products(cls, products: Sequence[Product]) -> CatalogFacets:
        brands: dict[str | None, int] = {}
        paths: dict[tuple[str, ...], int] = {}
        names: dict[str, dict[str, int]] = defaultdict(dict)
        entries: dict[str, list[tuple[int, int]]] = defaultdict(list)
        for row, product in enumerate(products):
            for key, values in product.attributes.items():
                known = names[key]
                entries[key] += [(row, known.setdefault(v, len(known))) for v in values]
        columns = {key: ValueColumn(list(names[key]), np.array([r for r, _ in pairs], dtype=np.int32),
                                    np.array([c for _, c in pairs], dtype=np.int32)) for key, pairs in entries.items()}
        brand_code = np.array([brands.setdefault(p.brand, len(brands)) for p in products], dtype=np.int32)
        path_code = np.array([paths.setdefault(tuple(p.category), len(paths)) for p in products], dtype=np.int32)
        return cls([p.id for p in products], [p.title for p in products], list(brands), brand_code, list(paths), path_code,
                   np.array([p.price for p in products], dtype=np.float64), columns)

    # summaries --------------------------------------------------------------------------------------------------
    def path_counts(self) -> list[tuple[tuple[str, ...], int]]:
        """Each category path with its product count, in first-seen order."""
        counts = np.bincount(self.path_code, minlength=len(self.paths)).tolist()
        return list(zip(self.paths, counts))

    def level_counts(self) -> Counter[str]:
        """How many products have each category level (a level twice in a path counts twice), first seen first."""
        counts: Counter[str] = Counter()
        for path, count in self.path_counts():
            for level in path:
                counts[level] += count
        return counts

    def brand_counts(self) -> Counter[str]:
        counts = np.bincount(self.brand_code, minlength=len(self.brands)).tolist()
        return Counter({brand: count for brand, count in zip(self.brands, counts) if brand})

    def value_counts(self, key: str) -> Counter[str]:
        column = self.values.get(key)
        if column is None:
            return Counter()
        counts = np.bincount(column.codes, minlength=len(column.names)).tolist()
        return Counter({name: count for name, count in zip(column.names, counts) if count})

    def values_by_level(self, key: str) -> dict[str, set[str]]:
        """Each category level → the values of ``key`` its products have."""
        column = self.values.get(key)
        out: dict[str, set[str]] = defaultdict(set)
        if column is None:
            return out
        pairs = np.unique(self.path_code[column.rows].astype(np.int64) * len(column.names) + column.codes)
        for path, code in zip((pairs // len(column.names)).tolist(), (pairs % len(column.names)).tolist()):
            for level in self.paths[path]:
                out[level].add(column.names[code])
        return out

    def rows_by_level(self) -> dict[str, np.ndarray]:
        """Each category level (lower-cased) → its rows, ascending."""
        by_path: dict[int, list[str]] = {}
        for code, path in enumerate(self.paths):
            by_path[code] = list(dict.fromkeys(level.lower() for level in path))
        order = np.argsort(self.path_code, kind="stable")
        bounds = np.searchsorted(self.path_code[order], np.arange(len(self.paths) + 1))
        parts: dict[str, list[np.ndarray]] = defaultdict(list)
        for code, levels in by_path.items():
            rows = order[bounds[code]:bounds[code + 1]]
            for level in levels:
                parts[level].append(rows)
        return {level: np.sort(np.concatenate(chunks)) for level, chunks in parts.items()}

    def prices_by_leaf(self) -> dict[str, np.ndarray]:
        """Each leaf category (lower-cased) → its products' prices, sorted."""
        leaf_code: dict[str, int] = {}
        codes = np.array([leaf_code.setdefault(path[-1].lower(), len(leaf_code)) for path in self.paths], dtype=np.int64)
        leaf_of_row = codes[self.path_code] if len(self.paths) else np.zeros(0, dtype=np.int64)
        order = np.lexsort((self.price, leaf_of_row))  # by leaf, then by price
        bounds = np.searchsorted(leaf_of_row[order], np.arange(len(leaf_code) + 1))
        return {leaf: self.price[order[bounds[code]:bounds[code + 1]]] for leaf, code in leaf_code.items()}

    def all_values(self) -> set[str]:
        return {name for column in self.values.values() for name in column.names}

    # persistence ------------------------------------------------------------------------------------------------
    def save(self, folder: Path) -> None:
        keys = sorted(self.values)
        arrays = {"brand_code": self.brand_code, "path_code": self.path_code, "price": self.price}
        for i, key in enumerate(keys):
            arrays[f"rows_{i}"], arrays[f"codes_{i}"] = self.values[key].rows, self.values[key].codes
        np.savez(folder / _ARRAYS, **arrays)  # type: ignore[arg-type]
        names = {"titles": self.titles, "brands": self.brands, "paths": [list(p) for p in self.paths],
                 "keys": keys, "values": [self.values[k].names for k in keys]}
        (folder / _NAMES).write_text(json.dumps(names, ensure_ascii=False))

    @classmethod
    def load(cls, folder: Path, ids: list[str]) -> CatalogFacets:
        names = json.loads((folder / _NAMES).read_text())
        with np.load(folder / _ARRAYS) as arrays:
            values = {key: ValueColumn(value_names, arrays[f"rows_{i}"], arrays[f"codes_{i}"])
                      for i, (key, value_names) in enumerate(zip(names["keys"], names["values"]))}
            return cls(ids, names["titles"], names["brands"], arrays["brand_code"], [tuple(p) for p in names["paths"]],
                       arrays["path_code"], arrays["price"], values)
