"""The re-ranker's features: one named column per signal, computed for a candidate pool.

The column names (``FEATURES``) are the field names of :class:`~retrieval.rerank.weights.RerankWeights`, so a column
and its weight are paired by name. Each feature (see retrieval/rerank/__init__.py) also yields the card reasons it
justifies, so every reason is true of the product it is on.
"""

from __future__ import annotations

import math
import statistics
from enum import StrEnum
from typing import TYPE_CHECKING, Any

import numpy as np

from core.settings import RerankSettings
from retrieval.models import Product, ProductHit
from retrieval.product_store import ProductStore
from retrieval.rerank.bands import PriceBands
from retrieval.rerank.signals import FeedbackContext, FeedbackSignal, ProfileSignals
from retrieval.rerank.vectors import ProductVectors

if TYPE_CHECKING:
    from retrieval.rerank.scoring import FeedbackReranker


class Feature(StrEnum):
    """The feature columns, in matrix order."""

    RELEVANCE = "relevance"
    ROCCHIO = "rocchio"
    LIKED_SIMILARITY = "liked_similarity"
    ATTRIBUTE = "attribute"
    NOVELTY = "novelty"
    PRICE = "price"
    PROFILE = "profile"


#: Column names in matrix order (plain strings: they key logs, exports and the weights file).
FEATURES: tuple[str, ...] = tuple(feature.value for feature in Feature)
#: Column of each feature in the matrix.
COLUMN: dict[str, int] = {name: i for i, name in enumerate(FEATURES)}
#: How much one feedback event moves the preference for each attribute value of its product.
EVENT_WEIGHT = {"like": 1.0, "added_to_cart": 1.5, "opened": 0.3, "dislike": -1.0}
#: Attribute keys never learned as preferences (a product offers many sizes; that says nothing about taste).
SKIP_KEYS = frozenset({"size"})
#: Weight of an explicitly ruled-out brand ("not Acme") in the attribute preferences.
RULED_OUT_WEIGHT = 2.0
#: The attribute feature is the mean (over feedback events) agreement on a product's facts, divided by this: a
#: product sharing type, brand, colour, material and price band with everything liked scores about 1. A mean, not a
#: squashed sum, so that it keeps telling products apart as likes accumulate.
ATTRIBUTE_FACTS = 5.0

Fact = tuple[str, str, float]


def attribute_values(product: Product, bands: PriceBands) -> list[Fact]:
    """(key, value, share) facts a preference can attach to: brand, type, price band and single attributes."""
    facts: list[Fact] = [("type", product.leaf_category.lower(), 1.0), ("price band", bands.band(product), 1.0)]
    if product.brand:
        facts.append(("brand", product.brand.lower(), 1.0))
    for key, values in product.attributes.items():
        if key in SKIP_KEYS or not values:
            continue
        share = 1.0 / len(values)
        facts.extend((key, value.lower(), share) for value in values)
    return facts


class FeatureBuilder:
    """Computes the feature matrix of a candidate pool, with the reasons each feature justifies."""

    def __init__(self, settings: RerankSettings, store: ProductStore, vectors: ProductVectors) -> None:
        self.settings = settings
        self.store = store
        self.vectors = vectors
        self._bands: PriceBands | None = None
        self._facts: dict[str, list[Fact]] = {}

    @property
    def bands(self) -> PriceBands:
        if self._bands is None:
            self._bands = PriceBands(self.store.facets())
        return self._bands

    def facts(self, product: Product) -> list[Fact]:
        """``attribute_values`` of a product, cached (products do not change under a running store)."""
        cached = self._facts.get(product.id)
        if cached is None:
            if len(self._facts) > 200_000:
                self._facts.clear()
            cached = self._facts[product.id] = attribute_values(product, self.bands)
        return cached

    def matrix(self, query: str, hits: list[ProductHit], context: FeedbackContext) -> tuple[np.ndarray, list[list[str]]]:
        """The (len(hits) × len(FEATURES)) feature matrix and, per hit, the reasons its features justify."""
        products = [h.product for h in hits]
        n = len(products)
        notes: list[list[str]] = [[] for _ in range(n)]
        matrix = np.zeros((n, len(FEATURES)), dtype=np.float64)
        matrix[:, COLUMN[Feature.RELEVANCE]] = _relevance(hits)
        liked = [pid for pid in context.liked if self.store.get(pid) is not None]
        disliked = [pid for pid in context.disliked if self.store.get(pid) is not None]
        if liked or disliked:
            self._similarity_features(query, products, liked, disliked, matrix, notes)
        matrix[:, COLUMN[Feature.ATTRIBUTE]] = self._attribute_feature(products, context, notes)
        matrix[:, COLUMN[Feature.NOVELTY]] = self._novelty_feature(products, context)
        matrix[:, COLUMN[Feature.PRICE]] = self._price_feature(products, context, notes)
        if context.profile is not None and not context.profile.is_empty():
            matrix[:, COLUMN[Feature.PROFILE]] = self._profile_feature(products, context.profile, notes)
        return matrix, notes

    def _similarity_features(
        self, query: str, products: list[Product], liked: list[str], disliked: list[str], matrix: np.ndarray, notes: list[list[str]]
    ) -> None:
        """The Rocchio and liked-similarity columns (and "similar to the … you liked")."""
        candidates = self.vectors.get([p.id for p in products])
        liked_vectors = self.vectors.get(liked) if liked else None
        moved = self.vectors.moved_query(query, liked, disliked)
        if candidates is None or moved is None:
            return
        query_vector = self.vectors.query(query)
        shifted = candidates @ moved
        matrix[:, COLUMN[Feature.ROCCHIO]] = shifted - (candidates @ query_vector if query_vector is not None else shifted.mean())
        if liked_vectors is None:
            return
        similarity = candidates @ liked_vectors.T  # n × liked
        closest = similarity.max(axis=1)
        matrix[:, COLUMN[Feature.LIKED_SIMILARITY]] = closest - closest.mean()
        threshold = self.settings.rerank_similar_reason
        for i, product in enumerate(products):
            j = int(similarity[i].argmax())
            if product.id not in liked and closest[i] >= threshold and (anchor := self.store.get(liked[j])) is not None:
                notes[i].append(f"similar to the {anchor.title} you liked")

    def _attribute_feature(self, products: list[Product], context: FeedbackContext, notes: list[list[str]]) -> np.ndarray:
        prefs: dict[tuple[str, str], float] = {}
        evidence = 0.0
        for signal in context.signals:
            weight = EVENT_WEIGHT.get(signal.kind)
            product = self.store.get(signal.product_id) if signal.product_id and weight else None
            if product is None or weight is None:
                continue
            evidence += abs(weight)
            for key, value, share in self.facts(product):
                scale = self.settings.rerank_dislike_kind if weight < 0 and key == "type" else 1.0
                prefs[(key, value)] = prefs.get((key, value), 0.0) + weight * share * scale
        for brand in context.ruled_out_brands:
            prefs[("brand", brand.lower())] = prefs.get(("brand", brand.lower()), 0.0) - RULED_OUT_WEIGHT
            evidence += RULED_OUT_WEIGHT
        if not prefs:
            return np.zeros(len(products))
        out = np.zeros(len(products))
        for i, product in enumerate(products):
            total = 0.0
            liked_facts: list[str] = []
            for key, value, share in self.facts(product):
                pref = prefs.get((key, value), 0.0)
                total += pref * share
                if pref >= 1.0 and share == 1.0 and key in ("brand", "color", "material", "price band"):
                    liked_facts.append(_display(product, key, value))
            out[i] = max(-1.0, min(1.0, total / (evidence * ATTRIBUTE_FACTS)))
            if out[i] > 0.2 and liked_facts:
                notes[i].append(f"{', '.join(liked_facts[:2])}, like what you liked")
        return out

    @staticmethod
    def _novelty_feature(products: list[Product], context: FeedbackContext) -> np.ndarray:
        keep = set(context.liked)
        return np.array([
            -min(1.0, 0.5 * (1 + context.shown_counts.get(p.id, 0))) if p.id in context.shown_counts and p.id not in keep else 0.0
            for p in products
        ])

    def _price_feature(self, products: list[Product], context: FeedbackContext, notes: list[list[str]]) -> np.ndarray:
        signal = next((s for s in reversed(context.signals) if s.kind in ("too_expensive", "more_premium")), None)
        if signal is None:
            return np.zeros(len(products))
        reference = self._reference_price(signal, context)
        if not reference:
            return np.zeros(len(products))
        direction = 1.0 if signal.kind == "too_expensive" else -1.0
        out = np.array([direction * float(np.clip((reference - p.price) / reference, -1.0, 1.0)) for p in products])
        for i, product in enumerate(products):
            if direction > 0 and product.price < reference:
                notes[i].append("cheaper than what you saw")
            elif direction < 0 and product.price > reference:
                notes[i].append("more premium than what you saw")
        return out

    def _reference_price(self, signal: FeedbackSignal, context: FeedbackContext) -> float | None:
        """The price the remark was about: the card's product, else the median of what was shown just before."""
        if signal.product_id and (product := self.store.get(signal.product_id)) is not None:
            return product.price
        earlier = [t for t in context.shown_by_turn if t < signal.turn and context.shown_by_turn[t]]
        if not earlier:
            earlier = [t for t in context.shown_by_turn if context.shown_by_turn[t]]
        if not earlier:
            return None
        prices = [p.price for pid in context.shown_by_turn[max(earlier)] if (p := self.store.get(pid)) is not None]
        return float(statistics.median(prices)) if prices else None

    def _profile_feature(self, products: list[Product], profile: ProfileSignals, notes: list[list[str]]) -> np.ndarray:
        out = np.zeros(len(products))
        for i, product in enumerate(products):
            brand = profile.brands.get((product.brand or "").lower(), 0.0)
            sizes = [s for s in product.values("size") if profile.sizes.get(s, 0.0) > 0]
            level = 1.0 - 2.0 * abs(self.bands.percentile(product) - profile.price_level) if profile.price_level is not None else 0.0
            out[i] = 0.5 * math.tanh(brand) + (0.25 if sizes else 0.0) + 0.25 * level
            if brand > 0:
                notes[i].append(f"{product.brand}, a brand you liked before")
        return out


def feature_rows(reranker: FeedbackReranker, query: str, hits: list[ProductHit], context: FeedbackContext) -> list[dict[str, Any]]:
    """Named features of each hit (for logs, export and training)."""
    matrix, _ = reranker.features(query, hits, context)
    return [{"product_id": h.product.id, **dict(zip(FEATURES, map(float, row)))} for h, row in zip(hits, matrix)]


def _relevance(hits: list[ProductHit]) -> np.ndarray:
    """Retrieval scores scaled to 0..1; products added by Rocchio expansion rank with the pool's weakest."""
    retrieved = [i for i, h in enumerate(hits) if "expanded" not in h.signals]
    out = np.zeros(len(hits))
    if not retrieved:
        return out
    scores = np.array([hits[i].score for i in retrieved], dtype=np.float64)
    top, bottom = float(scores.max()), float(scores.min())
    if top <= 0 or top == bottom:
        scaled = np.linspace(1.0, 0.5, len(retrieved)) if len(retrieved) > 1 else np.ones(1)
    else:
        scaled = np.clip(scores / top, 0.0, 1.0)
    out[:] = float(scaled.min())
    out[retrieved] = scaled
    return out


def _display(product: Product, key: str, value: str) -> str:
    """How a liked fact reads on a card: the product's own spelling of the value."""
    if key == "brand":
        return product.brand or value
    if key == "price band":
        return f"{value} price"
    for original in product.values(key):
        if original.lower() == value:
            return original
    return value
