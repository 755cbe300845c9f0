"""A simulated shopper's own judgement of a product card: how close the whole product is to the one it wants.

The shopper's utility of a product ``p`` for its hidden target ``t`` is

    u(p) = (1 − price_weight) · text(p, t) + price_weight · price(p, t) + noise

* ``text``  — cosine similarity of the two products' full texts (title, brand, category path, description, every
  attribute and variant value) as TF-IDF vectors fitted on the catalog (scikit-learn; sublinear tf, English stop
  words): the shopper reads the whole card, not a handful of facts;
* ``price`` — 2^−|log2(price_p / price_t)|: 1 at the target's price, ½ at double or half of it;
* ``noise`` — Gaussian, drawn anew for every judgement (a person is not consistent).

It likes a card whose (noisy) utility ranks in the top ``like_share`` of the catalog (at least among the best
:data:`LIKE_AT_LEAST`), and dislikes one that ranks in the bottom ``dislike_share`` — ranks, not raw values, so one
rule reads the same on a 200- and a 40,000-product catalog. Nothing here comes from the re-ranker (``retrieval.rerank``): no price bands, no attribute facts, no product
vectors; ``tests/lab/bench/test_feedback_bench.py`` checks the imports.
"""

from __future__ import annotations

import random
import statistics
from collections.abc import Sequence

import numpy as np
from pydantic import BaseModel, Field

from retrieval.models import Product

#: On a small catalog a shopper still likes what ranks among its few best (top ``like_share`` of 200 is 2–10 products).
LIKE_AT_LEAST = 5


class Traits(BaseModel):
    """One shopper's temperament, drawn from its seed (:meth:`draw`)."""

    price_weight: float = Field(ge=0, le=1, description="Share of the utility that is price closeness (the rest: text similarity).")
    noise: float = Field(ge=0, description="Standard deviation of the Gaussian noise added to each judgement.")
    silence: float = Field(ge=0, le=1, description="Chance per product list of giving no card feedback at all.")
    like_share: float = Field(gt=0, lt=1, description="Likes cards ranking in this top share of the catalog by utility.")
    dislike_share: float = Field(gt=0, lt=1, description="Dislikes cards ranking in this bottom share.")
    max_likes: int = Field(default=2, ge=0, description="At most this many likes per list (the best-ranked first).")
    max_dislikes: int = Field(default=2, ge=0, description="At most this many dislikes per list (the worst-ranked first).")

    @classmethod
    def draw(cls, rng: random.Random, lurker_rate: float = 0.1) -> Traits:
        """Uniform draws within plausible ranges; one shopper in ten (``lurker_rate``) never clicks like or dislike."""
        lurker = rng.random() < lurker_rate
        return cls(
            price_weight=round(rng.uniform(0.1, 0.4), 3), noise=round(rng.uniform(0.02, 0.08), 3),
            silence=1.0 if lurker else round(rng.uniform(0.1, 0.5), 3), like_share=round(rng.uniform(0.01, 0.05), 4),
            dislike_share=round(rng.uniform(0.3, 0.6), 3), max_likes=rng.choice((1, 2, 2, 3)), max_dislikes=rng.choice((1, 2, 2)),
        )


def product_text(product: Product) -> str:
    """Everything a card (and its product page) says: title, brand, category path, description, attributes, variants."""
    parts = [product.title, product.brand or "", " ".join(product.category), product.description]
    for key, values in product.attributes.items():
        parts.append(f"{key} {' '.join(values)}")
    variant_values = {str(v) for variant in product.variants for v in variant.attributes.values()}
    parts.append(" ".join(sorted(variant_values)))
    return " ".join(p for p in parts if p)


class CatalogTexts:
    """TF-IDF vectors of every product's full text, fitted on the catalog (shared by all shoppers of a run)."""

    def __init__(self, products: Sequence[Product]) -> None:
        from sklearn.feature_extraction.text import TfidfVectorizer

        self.products = list(products)
        self.row = {p.id: i for i, p in enumerate(self.products)}
        vectorizer = TfidfVectorizer(sublinear_tf=True, stop_words="english", dtype=np.float32)
        self.matrix = vectorizer.fit_transform([product_text(p) for p in self.products]).tocsr()
        self.log_prices = np.log2(np.maximum(np.array([p.price for p in self.products], dtype=np.float64), 0.01))

    def similarity_to(self, product_id: str) -> np.ndarray:
        """Cosine similarity (TF-IDF rows are unit length) of every product's text to ``product_id``'s."""
        row = self.matrix[self.row[product_id]]
        return np.asarray((self.matrix @ row.T).todense()).ravel().astype(np.float64)

    def price_closeness_to(self, product_id: str) -> np.ndarray:
        return np.exp2(-np.abs(self.log_prices - self.log_prices[self.row[product_id]]))


class Taste:
    """One shopper's utility over the catalog for its target, and its verdict on a card."""

    def __init__(self, texts: CatalogTexts, target: Product, traits: Traits) -> None:
        self.texts = texts
        self.target = target
        self.traits = traits
        w = traits.price_weight
        self.utility = (1 - w) * texts.similarity_to(target.id) + w * texts.price_closeness_to(target.id)
        others = np.delete(self.utility, texts.row[target.id])
        self._ranked = np.sort(others)

    def judge(self, product_id: str, rng: random.Random) -> tuple[int, float]:
        """(how many catalog products rank above it, the share of the catalog it beats), judged with fresh noise."""
        noisy = self.utility[self.texts.row[product_id]] + rng.gauss(0.0, self.traits.noise)
        count = len(self._ranked)
        below = int(np.searchsorted(self._ranked, noisy, side="left"))
        above = count - int(np.searchsorted(self._ranked, noisy, side="right"))
        return above, below / max(count, 1)

    def reactions(self, shown: Sequence[str], rng: random.Random) -> tuple[list[str], list[str]]:
        """(liked, disliked) product ids of one list: nothing at all with chance ``silence``, else the cards ranking
        in the top ``like_share`` of the catalog (or among its best :data:`LIKE_AT_LEAST` on a small catalog; best
        first, at most ``max_likes``) and those in the bottom ``dislike_share`` (worst first, at most ``max_dislikes``)."""
        if rng.random() < self.traits.silence:
            return [], []
        like_rank = max(self.traits.like_share * len(self._ranked), LIKE_AT_LEAST)
        judged = [(*self.judge(pid, rng), i, pid) for i, pid in enumerate(shown) if pid in self.texts.row and pid != self.target.id]
        liked = [pid for above, _, i, pid in sorted(judged, key=lambda x: (x[0], x[2])) if above < like_rank]
        disliked = [pid for _, beats, i, pid in sorted(judged, key=lambda x: (x[1], x[2])) if beats <= self.traits.dislike_share]
        return liked[: self.traits.max_likes], disliked[: self.traits.max_dislikes]


def price_ratio(target: Product, shown: Sequence[Product]) -> float | None:
    """The target's price over the median shown price (None when nothing priced is shown)."""
    prices = [p.price for p in shown]
    median = statistics.median(prices) if prices else 0.0
    return target.price / median if median > 0 else None
