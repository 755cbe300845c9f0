"""Vectors the re-ranker compares: products' unit embeddings and the query, plain or moved by feedback (Rocchio).

Both the Rocchio expansion of the pool (scoring) and the similarity features need the moved query, so it lives here
rather than in either of them. Every vector comes from the store through the ``ProductStore`` protocol."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from core.settings import RerankSettings
from retrieval.product_store import ProductStore


class ProductVectors:
    """Unit-length product and query vectors of one store."""

    def __init__(self, settings: RerankSettings, store: ProductStore) -> None:
        self.settings = settings
        self.store = store

    def get(self, ids: Sequence[str]) -> np.ndarray | None:
        """The products' unit vectors, one row per id (None when any of them has none)."""
        return self.store.vectors(ids)

    def query(self, text: str) -> np.ndarray | None:
        """The query's unit vector (None for blank text)."""
        if not text.strip():
            return None
        return unit(np.asarray(self.store.embed_query(text), dtype=np.float64))

    def moved_query(self, query: str, liked: list[str], disliked: list[str]) -> np.ndarray | None:
        """Rocchio: α·query + β·mean(liked) − γ·mean(disliked), unit length (None without vectors)."""
        liked_vectors = self.get(liked) if liked else None
        disliked_vectors = self.get(disliked) if disliked else None
        if liked_vectors is None and disliked_vectors is None:
            return None
        dimension = (liked_vectors if liked_vectors is not None else disliked_vectors).shape[1]  # type: ignore[union-attr]
        query_vector = self.query(query)
        moved = np.zeros(dimension) if query_vector is None else self.settings.rerank_rocchio_alpha * query_vector
        if liked_vectors is not None:
            moved = moved + self.settings.rerank_rocchio_beta * liked_vectors.mean(axis=0)
        if disliked_vectors is not None:
            moved = moved - self.settings.rerank_rocchio_gamma * disliked_vectors.mean(axis=0)
        return unit(moved)


def unit(vector: np.ndarray) -> np.ndarray:
    norm = float(np.linalg.norm(vector))
    return vector / norm if norm else vector
