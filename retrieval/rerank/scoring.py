"""The re-ranker: build the candidate pool (retrieval's hits plus the Rocchio expansion), score it as
``features @ weights``, put ruled-out brands last (and products out of stock after those in stock), and give every hit
its reasons."""

from __future__ import annotations

import numpy as np

from core.settings import RerankSettings
from retrieval.models import Product, ProductHit, SearchConstraints
from retrieval.product_store import ProductStore
from retrieval.rerank.bands import PriceBands
from retrieval.rerank.features import FEATURES, Fact, FeatureBuilder
from retrieval.rerank.signals import FeedbackContext
from retrieval.rerank.vectors import ProductVectors
from retrieval.rerank.weights import RerankWeights


class FeedbackReranker:
    """Re-ranks a retrieval candidate pool with the conversation's feedback (see retrieval/rerank/__init__.py)."""

    def __init__(self, settings: RerankSettings, store: ProductStore, weights: RerankWeights | None = None) -> None:
        self.settings = settings
        self.store = store
        self.weights = weights or RerankWeights.load(settings)
        self.vectors = ProductVectors(settings, store)
        self._features = FeatureBuilder(settings, store, self.vectors)

    @property
    def bands(self) -> PriceBands:
        return self._features.bands

    def facts(self, product: Product) -> list[Fact]:
        """The (key, value, share) facts a preference can attach to (cached per product)."""
        return self._features.facts(product)

    def features(self, query: str, hits: list[ProductHit], context: FeedbackContext) -> tuple[np.ndarray, list[list[str]]]:
        """The (len(hits) × len(FEATURES)) feature matrix and, per hit, the reasons its features justify."""
        return self._features.matrix(query, hits, context)

    def pool_size(self, k: int) -> int:
        return max(k * self.settings.rerank_candidate_factor, self.settings.rerank_min_candidates, k)

    def rerank(self, query: str, constraints: SearchConstraints, hits: list[ProductHit], context: FeedbackContext, k: int) -> list[ProductHit]:
        """The best ``k`` of ``hits`` (retrieval order) for this conversation, each with its reasons."""
        if not hits:
            return []
        if context.is_empty():
            return [with_reason(h) for h in hits[:k]]
        hits = self._pool(query, constraints, hits, context, k)
        products = [h.product for h in hits]
        matrix, notes = self.features(query, hits, context)
        scores = matrix @ self.weights.vector()
        ruled_out = {b.lower() for b in context.ruled_out_brands if not _asked_for(b, query, constraints)}
        excluded = np.array([bool(p.brand) and p.brand.lower() in ruled_out for p in products])
        sold_out = [constraints.stock_first and not p.in_stock for p in products]  # in stock first, unless asked otherwise
        order = sorted(range(len(hits)), key=lambda i: (bool(excluded[i]), sold_out[i], -scores[i], i))[:k]
        out: list[ProductHit] = []
        for i in order:
            hit = hits[i]
            reasons = list(hit.reasons)
            reasons.extend(notes[i])
            if excluded[i]:
                reasons.append(f"{hit.product.brand}, which you ruled out, is ranked lower")
            signals = {**hit.signals, **{name: round(float(v), 4) for name, v in zip(FEATURES, matrix[i])}, "rerank": round(float(scores[i]), 4)}
            out.append(with_reason(hit.model_copy(update={"score": float(scores[i]), "reasons": list(dict.fromkeys(reasons)), "signals": signals})))
        return out

    def candidates(self, query: str, constraints: SearchConstraints, context: FeedbackContext, k: int) -> list[ProductHit]:
        """The pool :meth:`rerank` would score for this request: retrieval's candidates plus the Rocchio expansion."""
        return self._pool(query, constraints, self.store.search(query, constraints, self.pool_size(k)), context, k)

    def _pool(self, query: str, constraints: SearchConstraints, hits: list[ProductHit], context: FeedbackContext, k: int) -> list[ProductHit]:
        """Retrieval's ``hits`` plus, when there is feedback, the products the Rocchio expansion adds."""
        return hits + self._expand(query, constraints, hits, context, k) if hits and not context.is_empty() else hits

    def _expand(self, query: str, constraints: SearchConstraints, hits: list[ProductHit], context: FeedbackContext, k: int) -> list[ProductHit]:
        """Rocchio retrieval: the products (satisfying ``constraints``) nearest the query moved toward what was liked,
        added to the pool when retrieval missed them."""
        liked = [pid for pid in context.liked if self.store.get(pid) is not None]
        if not liked or self.settings.rerank_expand <= 0:
            return []
        moved = self.vectors.moved_query(query, liked, [pid for pid in context.disliked if self.store.get(pid) is not None])
        if moved is None:
            return []
        unseen = constraints.model_copy(update={"exclude_ids": [*constraints.exclude_ids, *(hit.product.id for hit in hits)]})
        extra: list[ProductHit] = []
        for product in self.store.nearest(moved, unseen, self.settings.rerank_expand * k):
            matched = constraints.describe_match(product)
            extra.append(ProductHit.model_construct(product=product, score=0.0, reasons=[f"matches {matched}"] if matched else [], signals={"expanded": 1.0}))
        return extra


def with_reason(hit: ProductHit) -> ProductHit:
    """Every hit says why it is there; when retrieval gave no reason, the (true) category it was found in."""
    if hit.reasons:
        return hit
    return hit.model_copy(update={"reasons": [f"one of the {hit.product.leaf_category.lower()} for your request"]})


def _asked_for(brand: str, query: str, constraints: SearchConstraints) -> bool:
    """A ruled-out brand the request names (as a constraint or in its words) is wanted again."""
    return brand.lower() in {b.lower() for b in constraints.brands_in} or f" {brand.lower()} " in f" {' '.join(query.lower().split())} "
