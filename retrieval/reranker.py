"""Feedback-aware re-ranking: retrieval relevance combined with a per-conversation preference model.

A pool of retrieval candidates (larger than a page) is scored as ``features @ weights`` where the features are

* ``relevance``         — the retrieval score scaled to 0..1 over the pool;
* ``rocchio``           — how much closer the product is to the query vector moved toward liked and away from
                          disliked products (Rocchio) than to the query itself;
* ``liked_similarity``  — cosine similarity to the closest liked product, centred on the pool;
* ``attribute``         — learned brand / colour / material / type / price-band preferences (likes +, dislikes −,
                          a dislike weighing mostly on the kind of product);
* ``novelty``           — −1 for products already shown and passed over (neither liked nor added to the cart);
* ``price``             — price anchoring after "too expensive" (cheaper is better) or "more premium";
* ``profile``           — the sender's long-term preferences (liked brands, sizes, price level), a gentle bias.

Brands the shopper ruled out explicitly are hard-excluded (shown last, and said so, only if nothing else is left)
unless the request asks for them. Every hit gets short, true reasons. Everything is deterministic: ties break on
the retrieval order.
"""

from __future__ import annotations

import json
import logging
import math
import statistics
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import BaseModel, Field

from core.settings import Settings
from retrieval.models import Product, ProductHit, SearchConstraints
from retrieval.product_store import ProductStore

log = logging.getLogger(__name__)

FEATURES = ("relevance", "rocchio", "liked_similarity", "attribute", "novelty", "price", "profile")
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
BANDS = ("budget", "mid-range", "premium")


# Inputs ----------------------------------------------------------------------------------------------
class FeedbackSignal(BaseModel):
    """One feedback event, as the re-ranker sees it (built from the conversation state by the dialogue layer)."""

    turn: int
    kind: str
    product_id: str | None = None
    detail: str = ""

    @property
    def ruled_out_brand(self) -> str | None:
        """``detail="brand:Acme"`` on a dislike: the shopper ruled the whole brand out."""
        return self.detail.split(":", 1)[1].strip() or None if self.kind == "dislike" and self.detail.startswith("brand:") else None


class ProfileSignals(BaseModel):
    """Long-term preferences of a sender (see dialogue/profiles.py)."""

    brands: dict[str, float] = Field(default_factory=dict, description="brand (lower case) → accumulated liking.")
    sizes: dict[str, float] = Field(default_factory=dict, description="size → how often chosen.")
    price_level: float | None = Field(default=None, ge=0, le=1, description="Mean price percentile (within category) of liked products.")

    def is_empty(self) -> bool:
        return not self.brands and not self.sizes and self.price_level is None


class FeedbackContext(BaseModel):
    """Everything the conversation says about the shopper's taste, for one re-ranking."""

    signals: list[FeedbackSignal] = Field(default_factory=list)
    shown_counts: dict[str, int] = Field(default_factory=dict, description="product id → turns it was shown in.")
    shown_by_turn: dict[int, list[str]] = Field(default_factory=dict, description="turn index → product ids shown then.")
    profile: ProfileSignals | None = None

    @property
    def liked(self) -> list[str]:
        return list(dict.fromkeys(s.product_id for s in self.signals if s.kind in ("like", "added_to_cart") and s.product_id))

    @property
    def disliked(self) -> list[str]:
        liked = set(self.liked)
        return list(dict.fromkeys(s.product_id for s in self.signals if s.kind == "dislike" and s.product_id and s.product_id not in liked))

    @property
    def ruled_out_brands(self) -> list[str]:
        return list(dict.fromkeys(b for s in self.signals if (b := s.ruled_out_brand)))

    def is_empty(self) -> bool:
        return not self.signals and not self.shown_counts and (self.profile is None or self.profile.is_empty())


class RerankWeights(BaseModel):
    """One weight per feature (see the module docstring); defaults come from settings, fitted ones from a file."""

    relevance: float = 1.0
    rocchio: float = 2.0
    liked_similarity: float = 1.0
    attribute: float = 8.0
    novelty: float = 0.6
    price: float = 1.0
    profile: float = 0.3
    source: str = "settings"

    @classmethod
    def from_settings(cls, settings: Settings) -> RerankWeights:
        return cls(**{name: getattr(settings, f"rerank_{name}") for name in FEATURES})

    @classmethod
    def load(cls, settings: Settings) -> RerankWeights:
        """Fitted weights from ``home/models/<rerank_weights_file>`` when present, else the settings' weights."""
        path = weights_path(settings)
        if path.exists():
            try:
                data = json.loads(path.read_text())
                return cls(**{name: float(data["weights"][name]) for name in FEATURES}, source=str(path))
            except (KeyError, ValueError, TypeError) as exc:
                log.warning("reranker.weights_unreadable path=%s error=%s", path, exc)
        return cls.from_settings(settings)

    def vector(self) -> np.ndarray:
        return np.array([getattr(self, name) for name in FEATURES], dtype=np.float64)


def weights_path(settings: Settings) -> Path:
    return settings.models_dir / settings.rerank_weights_file


# Catalog-side helpers --------------------------------------------------------------------------------
class PriceBands:
    """A product's price percentile within its leaf category, and the band it falls in."""

    def __init__(self, products: Sequence[Product]) -> None:
        by_leaf: dict[str, list[float]] = {}
        for product in products:
            by_leaf.setdefault(product.leaf_category.lower(), []).append(product.price)
        self._prices = {leaf: np.sort(np.asarray(prices)) for leaf, prices in by_leaf.items()}
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


class ProductVectors:
    """Unit-length product embeddings: the store's in-memory matrix when it has one (no second copy), else the
    vectors stored in Chroma (fetched by id once, then cached), or the store's embedder on ``Product.embedding_text``."""

    def __init__(self, store: ProductStore) -> None:
        self.store = store
        self._cache: dict[str, np.ndarray] = {}
        self._matrix: np.ndarray | None = None

    def _shared(self) -> np.ndarray | None:
        """The store's own unit-length matrix aligned with its index rows (HybridProductStore.vectors), if it has one."""
        shared = getattr(self.store, "vectors", None)
        return shared if isinstance(shared, np.ndarray) and getattr(self.store, "index", None) is not None else None

    def matrix(self) -> np.ndarray | None:
        """Every product's vector, aligned with the store's index rows (loaded once); None without an index."""
        shared = self._shared()
        if shared is not None:
            return shared
        index = getattr(self.store, "index", None)
        if index is None:
            return None
        if self._matrix is None:
            ids = [p.id for p in index.products]
            vectors = self.get(ids)
            if vectors is None:
                return None
            self._matrix = vectors
            log.info("reranker.vectors loaded=%d", len(ids))
        return self._matrix

    def get(self, ids: Sequence[str]) -> np.ndarray | None:
        shared = self._shared()
        if shared is not None and ids and all(pid in self.store.index.row_of for pid in ids):  # type: ignore[attr-defined]
            return shared[[self.store.index.row_of[pid] for pid in ids]]  # type: ignore[attr-defined]
        missing = [pid for pid in dict.fromkeys(ids) if pid not in self._cache]
        if missing:
            self._fetch(missing)
        if any(pid not in self._cache for pid in ids):
            return None
        return np.stack([self._cache[pid] for pid in ids]) if ids else None

    def _fetch(self, ids: list[str]) -> None:
        catalog = getattr(self.store, "catalog", None)
        found: dict[str, np.ndarray] = {}
        if catalog is not None and hasattr(catalog, "embeddings"):
            found = catalog.embeddings(ids)
        rest = [pid for pid in ids if pid not in found]
        embedder = getattr(self.store, "embedder", None)
        if rest and embedder is not None:
            products = [p for pid in rest if (p := self.store.get(pid)) is not None]
            if products:
                vectors = embedder.embed([p.embedding_text() for p in products])
                found.update({p.id: v for p, v in zip(products, vectors)})
        for pid, vector in found.items():
            vector = np.asarray(vector, dtype=np.float32)
            norm = float(np.linalg.norm(vector)) or 1.0
            self._cache[pid] = vector / norm


def attribute_values(product: Product, bands: PriceBands) -> list[tuple[str, str, float]]:
    """(key, value, share) facts a preference can attach to: brand, type, price band and single attributes."""
    facts: list[tuple[str, str, float]] = [("type", product.leaf_category.lower(), 1.0), ("price band", bands.band(product), 1.0)]
    if product.brand:
        facts.append(("brand", product.brand.lower(), 1.0))
    for key, values in product.attributes.items():
        if key in SKIP_KEYS or not values:
            continue
        share = 1.0 / len(values)
        facts.extend((key, value.lower(), share) for value in values)
    return facts


# The re-ranker ---------------------------------------------------------------------------------------
class FeedbackReranker:
    """Re-ranks a retrieval candidate pool with the conversation's feedback (see the module docstring)."""

    def __init__(self, settings: Settings, store: ProductStore, weights: RerankWeights | None = None) -> None:
        self.settings = settings
        self.store = store
        self.weights = weights or RerankWeights.load(settings)
        self.vectors = ProductVectors(store)
        self._bands: PriceBands | None = None
        self._facts: dict[str, list[tuple[str, str, float]]] = {}

    @property
    def bands(self) -> PriceBands:
        if self._bands is None:
            self._bands = PriceBands(self.store.products())
        return self._bands

    def facts(self, product: Product) -> list[tuple[str, str, float]]:
        """``attribute_values`` of a product, cached (products do not change under a running store)."""
        cached = self._facts.get(product.id)
        if cached is None:
            if len(self._facts) > 200_000:
                self._facts.clear()
            cached = self._facts[product.id] = attribute_values(product, self.bands)
        return cached

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
        order = sorted(range(len(hits)), key=lambda i: (bool(excluded[i]), -scores[i], i))[:k]
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
        index = getattr(self.store, "index", None)
        if not liked or index is None or self.settings.rerank_expand <= 0:
            return []
        matrix = self.vectors.matrix()
        moved = self._moved_query(query, liked, [pid for pid in context.disliked if self.store.get(pid) is not None])
        if matrix is None or moved is None:
            return []
        mask = index.mask(constraints)
        for hit in hits:
            row = index.row_of.get(hit.product.id)
            if row is not None:
                mask[row] = False
        rows = np.flatnonzero(mask)
        if rows.size == 0:
            return []
        sims = matrix[rows] @ moved
        n = min(self.settings.rerank_expand * k, rows.size)
        top = rows[np.argsort(-sims, kind="stable")[:n]]
        extra: list[ProductHit] = []
        for row in top.tolist():
            product = index.products[row]
            matched = constraints.describe_match(product)
            extra.append(ProductHit.model_construct(product=product, score=0.0, reasons=[f"matches {matched}"] if matched else [], signals={"expanded": 1.0}))
        return extra

    def _moved_query(self, query: str, liked: list[str], disliked: list[str]) -> np.ndarray | None:
        """Rocchio: α·query + β·mean(liked) − γ·mean(disliked), unit length (None without vectors)."""
        liked_vectors = self.vectors.get(liked) if liked else None
        disliked_vectors = self.vectors.get(disliked) if disliked else None
        if liked_vectors is None and disliked_vectors is None:
            return None
        dimension = (liked_vectors if liked_vectors is not None else disliked_vectors).shape[1]  # type: ignore[union-attr]
        query_vector = self._query_vector(query)
        moved = np.zeros(dimension) if query_vector is None else self.settings.rerank_rocchio_alpha * query_vector
        if liked_vectors is not None:
            moved = moved + self.settings.rerank_rocchio_beta * liked_vectors.mean(axis=0)
        if disliked_vectors is not None:
            moved = moved - self.settings.rerank_rocchio_gamma * disliked_vectors.mean(axis=0)
        return _unit(moved)

    def _query_vector(self, query: str) -> np.ndarray | None:
        embedder = getattr(self.store, "embedder", None)
        if embedder is None or not query.strip():
            return None
        return _unit(np.asarray(embedder.embed_query(query), dtype=np.float64))

    # features ------------------------------------------------------------------------------------------
    def features(self, query: str, hits: list[ProductHit], context: FeedbackContext) -> tuple[np.ndarray, list[list[str]]]:
        """The (len(hits) × len(FEATURES)) feature matrix and, per hit, the reasons its features justify."""
        products = [h.product for h in hits]
        n = len(products)
        notes: list[list[str]] = [[] for _ in range(n)]
        matrix = np.zeros((n, len(FEATURES)), dtype=np.float64)
        matrix[:, 0] = _relevance(hits)
        liked = [pid for pid in context.liked if self.store.get(pid) is not None]
        disliked = [pid for pid in context.disliked if self.store.get(pid) is not None]
        if liked or disliked:
            self._similarity_features(query, products, liked, disliked, matrix, notes)
        matrix[:, 3] = self._attribute_feature(products, context, notes)
        matrix[:, 4] = self._novelty_feature(products, context)
        matrix[:, 5] = self._price_feature(products, context, notes)
        if context.profile is not None and not context.profile.is_empty():
            matrix[:, 6] = self._profile_feature(products, context.profile, notes)
        return matrix, notes

    def _similarity_features(
        self, query: str, products: list[Product], liked: list[str], disliked: list[str], matrix: np.ndarray, notes: list[list[str]]
    ) -> None:
        candidates = self.vectors.get([p.id for p in products])
        liked_vectors = self.vectors.get(liked) if liked else None
        moved = self._moved_query(query, liked, disliked)
        if candidates is None or moved is None:
            return
        query_vector = self._query_vector(query)
        shifted = candidates @ moved
        matrix[:, 1] = shifted - (candidates @ query_vector if query_vector is not None else shifted.mean())
        if liked_vectors is None:
            return
        similarity = candidates @ liked_vectors.T  # n × liked
        closest = similarity.max(axis=1)
        matrix[:, 2] = closest - closest.mean()
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


# helpers ---------------------------------------------------------------------------------------------
def with_reason(hit: ProductHit) -> ProductHit:
    """Every hit says why it is there; when retrieval gave no reason, the (true) category it was found in."""
    if hit.reasons:
        return hit
    return hit.model_copy(update={"reasons": [f"one of the {hit.product.leaf_category.lower()} for your request"]})


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


def _unit(vector: np.ndarray) -> np.ndarray:
    norm = float(np.linalg.norm(vector))
    return vector / norm if norm else vector


def _asked_for(brand: str, query: str, constraints: SearchConstraints) -> bool:
    """A ruled-out brand the request names (as a constraint or in its words) is wanted again."""
    return brand.lower() in {b.lower() for b in constraints.brands_in} or f" {brand.lower()} " in f" {' '.join(query.lower().split())} "


def _display(product: Product, key: str, value: str) -> str:
    if key == "brand":
        return product.brand or value
    if key == "price band":
        return f"{value} price"
    for original in product.values(key):
        if original.lower() == value:
            return original
    return value


def feature_rows(reranker: FeedbackReranker, query: str, hits: list[ProductHit], context: FeedbackContext) -> list[dict[str, Any]]:
    """Named features of each hit (for logs, export and training)."""
    matrix, _ = reranker.features(query, hits, context)
    return [{"product_id": h.product.id, **dict(zip(FEATURES, map(float, row)))} for h, row in zip(hits, matrix)]

