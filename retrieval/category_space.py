"""A catalog's categories in its products' embedding space, so a shopper's word that the taxonomy names differently
("sneakers" where the catalog says "Shoes", "couch" where it says "Furniture") finds its category by meaning.

Each category name (any level of any path) gets two vectors: the embedding of its name and the unit centroid of its
products' vectors. A phrase's score for a category is a weighted sum of its cosine similarity to both; the best
category wins when it scores at least ``min_score``, beats every category outside its own line (its ancestors and
descendants do not compete) by ``min_margin``, and holds the single product nearest the phrase (so "phone case" does
not become "Smartphones" when the case itself sits in "Mobile Accessories"). When the runner-up is too close but
shares a parent with the winner, the parent is judged instead ("makeup" between lipstick and skin care: beauty).
Everything is computed once per store (about a second at 40k products); a match costs one query embedding (usually a
cache hit: the search embeds the same words), a (categories × dimension) product and one exact nearest-product
look-up.
"""

from __future__ import annotations

import logging
import time
from collections import defaultdict

import numpy as np
from pydantic import BaseModel, Field

from retrieval.models import SearchConstraints
from retrieval.product_store import ProductStore

log = logging.getLogger(__name__)


class CategoryMatch(BaseModel):
    """The category a phrase means, how sure that is, and the nearest category that competed."""

    category: str
    score: float = Field(description="Weighted cosine similarity to the category's name and product centroid.")
    runner_up: str | None = Field(default=None, description="The best category outside the winner's line.")
    margin: float = Field(description="score minus the runner-up's score (the score itself when there is none).")


class CategorySpace:
    """Category names and product centroids of one catalog; build with :meth:`build`."""

    def __init__(self, store: ProductStore, names: list[str], name_vectors: np.ndarray, centroids: np.ndarray,
                 paths: list[list[str]], *, min_score: float = 0.45, min_margin: float = 0.05, name_weight: float = 0.5,
                 within_discount: float = 0.05) -> None:
        self.store = store
        self.names = names
        self.names_lower = [name.lower() for name in names]
        self._names = _unit(name_vectors)
        self._centroids = _unit(centroids)
        self.within_discount = within_discount
        self.min_score = min_score
        self.min_margin = min_margin
        self.name_weight = name_weight
        above: dict[str, set[str]] = defaultdict(set)
        below: dict[str, set[str]] = defaultdict(set)
        for path in paths:
            for depth, level in enumerate(path):
                above[level.lower()].update(p.lower() for p in path[:depth])
                below[level.lower()].update(p.lower() for p in path[depth + 1:])
        self._above = dict(above)
        self._below = dict(below)

    @classmethod
    def build(cls, store: ProductStore, *, min_score: float = 0.45, min_margin: float = 0.05,
              name_weight: float = 0.5) -> CategorySpace | None:
        """The category space of ``store``'s catalog; None when the store has no vectors for its products."""
        started = time.perf_counter()
        facets = store.facets()
        members = facets.rows_by_level()
        display: dict[str, str] = {}
        for path in facets.paths:
            for level in path:
                display.setdefault(level.lower(), level)
        if not members:
            return None
        names = sorted(display.values(), key=str.lower)
        centroids = []
        for name in names:
            vectors = store.vectors([facets.ids[row] for row in members[name.lower()].tolist()])
            if vectors is None or not len(vectors):
                log.info("category_space.unavailable reason=no-vectors category=%r", name)
                return None
            centroids.append(vectors.mean(axis=0))
        name_vectors = np.stack([np.asarray(store.embed_query(name), dtype=np.float32) for name in names])
        space = cls(store, names, name_vectors, np.stack(centroids).astype(np.float32), [list(p) for p in facets.paths],
                    min_score=min_score, min_margin=min_margin, name_weight=name_weight)
        log.info("category_space.built categories=%d ms=%.0f", len(names), (time.perf_counter() - started) * 1000)
        return space

    # reading -------------------------------------------------------------------------------------------
    def scores(self, vector: np.ndarray) -> np.ndarray:
        """Every category's score for the unit query ``vector`` (in the order of :attr:`names`)."""
        return self.name_weight * (self._names @ vector) + (1.0 - self.name_weight) * (self._centroids @ vector)

    def match(self, text: str, *, within: str | None = None) -> CategoryMatch | None:
        """The category ``text`` means, if one stands out; ``within`` limits the choice to the categories below one
        (the shopper named a broad category, e.g. "Women", and a kind of product in it): the bar is then
        ``within_discount`` lower, the choice being narrower, but the category must beat the broad one itself, and one
        category below is no choice at all."""
        if not text.strip():
            return None
        vector = np.asarray(self.store.embed_query(text), dtype=np.float32)
        vector = vector / (np.linalg.norm(vector) or 1.0)
        scores = self.scores(vector)
        allowed = np.ones(len(self.names), dtype=bool)
        if within is not None:
            below = self._below.get(within.lower(), set())
            allowed = np.array([name.lower() in below for name in self.names], dtype=bool)
            if allowed.sum() < 2:  # one category below is no choice: the broad one stands
                return None
        candidates = np.flatnonzero(allowed)
        best = int(candidates[np.argmax(scores[candidates])])
        threshold = self.min_score - (self.within_discount if within is not None else 0.0)
        broad = scores[self.names_lower.index(within.lower())] if within is not None and within.lower() in self.names_lower else -1.0
        match = self._standing_out(best, scores, candidates)
        if match.margin < self.min_margin and match.runner_up is not None and \
                (parent := self._shared_parent(match.category, match.runner_up)) is not None and \
                allowed[(above := self.names_lower.index(parent))]:
            log.debug("category_space.too_close text=%r best=%s parent=%r", text, match.model_dump(), parent)
            match = self._standing_out(above, scores, candidates)  # "化妆": 彩妆 and 护肤 too close, 美妆个护 holds both
        if match.score < threshold or match.margin < self.min_margin or match.score <= broad:
            log.debug("category_space.no_match text=%r best=%s", text, match.model_dump())
            return None
        nearest = self.store.nearest(vector, SearchConstraints(category=within), 1)
        if nearest and not any(level.lower() == match.category.lower() for level in nearest[0].category):
            log.debug("category_space.no_match text=%r best=%s nearest=%r", text, match.model_dump(), nearest[0].category)
            return None
        return match

    def _standing_out(self, index: int, scores: np.ndarray, candidates: np.ndarray) -> CategoryMatch:
        """Category ``index`` as a match: its score and how far it leads the best candidate outside its own line."""
        winner = self.names[index]
        rivals = [int(i) for i in candidates if int(i) != index and not self.related(winner, self.names[int(i)])]
        runner = max(rivals, key=lambda i: scores[i]) if rivals else None
        score = float(scores[index])
        margin = score - float(scores[runner]) if runner is not None else score
        return CategoryMatch(category=winner, score=round(score, 4), runner_up=self.names[runner] if runner is not None else None,
                             margin=round(margin, 4))

    def _shared_parent(self, a: str, b: str) -> str | None:
        """The nearest category above both ``a`` and ``b`` (siblings' parent), or None when no category is."""
        shared = self._above.get(a.lower(), set()) & self._above.get(b.lower(), set())
        return max(shared, key=lambda name: len(self._above.get(name, set())), default=None)

    def related(self, a: str, b: str) -> bool:
        """True when ``a`` and ``b`` are the same category or one lies above the other in some path."""
        a, b = a.lower(), b.lower()
        return a == b or b in self._above.get(a, set()) or a in self._above.get(b, set())

    def is_leaf(self, category: str) -> bool:
        """True when no category lies below ``category``."""
        return not self._below.get(category.lower())


def _unit(matrix: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return (matrix / np.where(norms == 0, 1.0, norms)).astype(np.float32)
