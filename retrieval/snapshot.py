"""The product store's catalog saved as files next to Chroma's data, so a worker opens a large store without reading
every product back from Chroma and parsing it (200k products: minutes) — it maps files and parses a product only when a
row is read.

Ingest writes a snapshot after every change, in ``home/snapshot/<collection>/<fingerprint>/``, and records the
fingerprint in the collection's metadata (:data:`retrieval.chroma_store.SNAPSHOT_METADATA`); any write to the
collection clears that record first. A store opens from a snapshot only when its fingerprint is the one the collection
records, so a snapshot never serves products the collection no longer holds. Files:

- ``manifest.json``: format, fingerprint, product count, vector dimension;
- ``products.jsonl`` and ``offsets.npy``: each product's JSON, parsed the first time its row is read;
- ``vectors.npy``: the unit product vectors, memory-mapped (workers on one host share the pages);
- ``facets.npz`` and ``facets.json``: titles, brands, category paths, attribute values and prices as columns
  (:class:`CatalogFacets`) — what catalog-wide summaries (vocabulary, category counts, price bands, category
  centroids) read, with no product parsed;
- ``columns.npz`` and ``columns.json``: the constraint columns (:class:`CatalogIndex`).

The BM25 index keeps its own folder (``home/lexical``), keyed by the same fingerprint.
"""

from __future__ import annotations

import json
import logging
import mmap
import os
import shutil
import zipfile
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import overload

import numpy as np

from retrieval.catalog_index import CatalogIndex
from retrieval.facets import CatalogFacets
from retrieval.models import Product

log = logging.getLogger(__name__)

FORMAT = 3
_MANIFEST = "manifest.json"


def unit_matrix(ids: Sequence[str], vectors: Mapping[str, np.ndarray], dimension: int) -> np.ndarray:
    """The vectors of ``ids`` as rows in that order, scaled to unit length (an id without a vector: a zero row)."""
    matrix = np.zeros((len(ids), dimension), dtype=np.float32)
    for row, pid in enumerate(ids):
        if (vector := vectors.get(pid)) is not None:
            matrix[row] = vector
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return matrix / np.where(norms == 0, 1.0, norms)


class ProductRows(Sequence[Product]):
    """Products by row; a row read from a snapshot is parsed from its stored JSON the first time it is read."""

    def __init__(self, parsed: list[Product | None], raw: mmap.mmap | None = None, offsets: np.ndarray | None = None) -> None:
        self._parsed = parsed
        self._raw, self._offsets = raw, offsets

    def __len__(self) -> int:
        return len(self._parsed)

    @overload
    def __getitem__(self, row: int) -> Product: ...
    @overload
    def __getitem__(self, row: slice) -> list[Product]: ...
    def __getitem__(self, row: int | slice) -> Product | list[Product]:
        if isinstance(row, slice):
            return [self[i] for i in range(*row.indices(len(self)))]
        if row < 0:
            row += len(self._parsed)
        product = self._parsed[row]
        if product is None:
            assert self._raw is not None and self._offsets is not None
            start, end = int(self._offsets[row]), int(self._offsets[row + 1])
            product = self._parsed[row] = Product.model_validate_json(self._raw[start:end])
        return product

    def __iter__(self) -> Iterator[Product]:
        return (self[i] for i in range(len(self)))


class CatalogSnapshot:
    """One catalog version: its products by row, unit vectors, constraint columns and facets."""

    def __init__(self, fingerprint: str, products: ProductRows, vectors: np.ndarray, index: CatalogIndex,
                 facets: CatalogFacets) -> None:
        self.fingerprint, self.products, self.vectors, self.index, self.facets = fingerprint, products, vectors, index, facets

    @classmethod
    def build(cls, products: list[Product], vectors: np.ndarray, fingerprint: str) -> CatalogSnapshot:
        return cls(fingerprint, ProductRows(list(products)), vectors, CatalogIndex.from_products(products),
                   CatalogFacets.from_products(products))

    # saving ----------------------------------------------------------------------------------------------------
    def save(self, root: Path) -> Path:
        """Writes this snapshot as ``root/<fingerprint>`` (atomically: a temporary folder renamed) and removes the other
        versions under ``root``."""
        root.mkdir(parents=True, exist_ok=True)
        target = root / self.fingerprint
        if not (target / _MANIFEST).exists():
            staging = root / f".staging-{self.fingerprint}-{os.getpid()}"
            shutil.rmtree(staging, ignore_errors=True)
            staging.mkdir()
            self._write(staging)
            try:
                staging.rename(target)
            except OSError:  # another process saved this version first
                shutil.rmtree(staging, ignore_errors=True)
        for old in root.iterdir():
            if old.name != self.fingerprint and not old.name.startswith(".staging-"):
                shutil.rmtree(old, ignore_errors=True)
        return target

    def _write(self, folder: Path) -> None:
        rows = [self.products[i].model_dump_json().encode() for i in range(len(self.products))]
        offsets = np.zeros(len(rows) + 1, dtype=np.int64)
        np.cumsum([len(r) for r in rows], out=offsets[1:])
        (folder / "products.jsonl").write_bytes(b"".join(rows))
        np.save(folder / "offsets.npy", offsets)
        np.save(folder / "vectors.npy", np.ascontiguousarray(self.vectors, dtype=np.float32))
        self.facets.save(folder)
        self.index.save(folder)
        manifest = {"format": FORMAT, "fingerprint": self.fingerprint, "products": len(rows),
                    "dimension": int(self.vectors.shape[1]) if self.vectors.ndim == 2 else 0}
        (folder / _MANIFEST).write_text(json.dumps(manifest))  # written last: a folder without it is incomplete

    # loading ---------------------------------------------------------------------------------------------------
    @classmethod
    def load(cls, root: Path, fingerprint: str) -> CatalogSnapshot | None:
        """The saved snapshot of ``fingerprint``, or None when there is none (or it is incomplete or of another format)."""
        folder = root / fingerprint
        try:
            manifest = json.loads((folder / _MANIFEST).read_text())
        except (OSError, ValueError):
            return None
        if manifest.get("format") != FORMAT or manifest.get("fingerprint") != fingerprint:
            return None
        try:
            index = CatalogIndex.load(folder)
            offsets = np.load(folder / "offsets.npy")
            vectors = np.load(folder / "vectors.npy", mmap_mode="r")
            facets = CatalogFacets.load(folder, index.ids)
            with (folder / "products.jsonl").open("rb") as handle:
                raw = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) if offsets[-1] else None
        except (OSError, ValueError, KeyError, zipfile.BadZipFile) as exc:
            log.warning("snapshot.unreadable folder=%s error=%s", folder, exc)
            return None
        if not len(index) == len(facets) == len(facets.titles) == len(offsets) - 1 == manifest["products"]:
            log.warning("snapshot.inconsistent folder=%s", folder)
            return None
        return cls(fingerprint, ProductRows([None] * len(facets), raw, offsets), vectors, index, facets)
