"""Category matching by meaning (``retrieval.category_space``) on a tiny store with hand-made vectors: a shopper's word
finds the category whose name and products it is closest to, only when it stands out, and never against the product
nearest to it."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from retrieval.category_space import CategorySpace
from retrieval.facets import CatalogFacets
from retrieval.models import Product, SearchConstraints

#: Axes of the toy embedding space.
AXES = ["shoe", "shirt", "phone", "case", "watch"]


def vec(**weights: float) -> np.ndarray:
    v = np.array([weights.get(axis, 0.0) for axis in AXES], dtype=np.float32)
    return v / np.linalg.norm(v)


class ToyStore:
    """A ProductStore with given product vectors and a phrase → vector table for queries."""

    def __init__(self, products: list[tuple[Product, np.ndarray]], queries: dict[str, np.ndarray]) -> None:
        self._products = [p for p, _ in products]
        self._vectors = {p.id: v for p, v in products}
        self._queries = queries
        self.embedded: list[str] = []

    def products(self) -> list[Product]:
        return self._products

    def facets(self) -> CatalogFacets:
        return CatalogFacets.from_products(self._products)

    def vectors(self, ids: Sequence[str]) -> np.ndarray | None:
        return np.stack([self._vectors[i] for i in ids]) if ids and all(i in self._vectors for i in ids) else None

    def embed_query(self, text: str) -> np.ndarray:
        self.embedded.append(text)
        return self._queries[text.lower()]

    def nearest(self, vector: np.ndarray, constraints: SearchConstraints, k: int) -> list[Product]:
        allowed = [p for p in self._products if constraints.matches(p)]
        return sorted(allowed, key=lambda p: -float(self._vectors[p.id] @ vector))[:k]


def product(pid: str, category: str) -> Product:
    return Product(id=pid, title=pid, category=category, price=10.0, stock=1)


def store() -> ToyStore:
    products = [
        (product("m-shoe-1", "Men > Shoes"), vec(shoe=1.0, shirt=0.1)),
        (product("w-shoe-1", "Women > Shoes"), vec(shoe=1.0)),
        (product("m-shirt-1", "Men > Shirts"), vec(shirt=1.0)),
        (product("w-watch-1", "Women > Watches"), vec(watch=1.0)),
        (product("phone-1", "Electronics > Smartphones"), vec(phone=1.0)),
        (product("phone-2", "Electronics > Smartphones"), vec(phone=1.0, case=0.3)),
        (product("case-1", "Electronics > Mobile Accessories"), vec(phone=0.8, case=0.6)),
    ]
    queries = {
        # category names ("Electronics" says little about what is in it)
        "men": vec(shoe=0.5, shirt=0.5), "women": vec(shoe=0.4, watch=0.6), "shoes": vec(shoe=1.0), "shirts": vec(shirt=1.0),
        "watches": vec(watch=1.0), "electronics": vec(watch=1.0), "smartphones": vec(phone=1.0),
        "mobile accessories": vec(case=1.0),
        # shopper words
        "sneakers": vec(shoe=1.0, shirt=0.05), "men's sneakers": vec(shoe=0.9, shirt=0.35), "trainers": vec(shoe=0.8, watch=0.2),
        "phone case": vec(phone=0.8, case=0.6), "stuff": vec(shoe=1.0, shirt=1.0, phone=1.0, case=1.0, watch=1.0),
        "top": vec(shirt=1.0, watch=1.0), "phone gear": vec(phone=0.77, case=0.63),
    }
    return ToyStore(products, queries)


def test_a_word_the_taxonomy_does_not_use_finds_its_category() -> None:
    space = CategorySpace.build(store())
    assert space is not None
    match = space.match("men's sneakers")
    assert match is not None and match.category == "Shoes", match
    assert match.runner_up not in {"Men", "Women"}  # categories in the winner's line do not compete with it
    assert space.match("sneakers").category == "Shoes"  # type: ignore[union-attr]


def test_a_vague_or_split_phrase_matches_nothing() -> None:
    space = CategorySpace.build(store())
    assert space is not None
    assert space.match("stuff") is None  # low similarity to everything
    assert space.match("top") is None  # shirts and watches too close to call
    assert space.match("   ") is None


def test_two_siblings_too_close_to_call_give_their_parent() -> None:
    space = CategorySpace.build(store())
    assert space is not None
    scores = dict(zip(space.names, space.scores(vec(phone=0.77, case=0.63))))
    assert abs(scores["Smartphones"] - scores["Mobile Accessories"]) < space.min_margin  # either alone is a guess
    match = space.match("phone gear")
    assert match is not None and match.category == "Electronics", match


def test_the_nearest_product_vetoes_a_category_it_is_not_in() -> None:
    """"phone case" is closest to Smartphones by name and centroid, but the product nearest to it is the case."""
    toy = store()
    space = CategorySpace.build(toy, min_score=0.3, min_margin=0.0)
    assert space is not None
    scores = dict(zip(space.names, space.scores(toy.embed_query("phone case"))))
    assert scores["Smartphones"] > scores["Mobile Accessories"]
    assert space.match("phone case") is None


def test_within_a_broad_category_the_choice_is_among_the_categories_below_it() -> None:
    space = CategorySpace.build(store(), min_score=0.5)
    assert space is not None
    match = space.match("trainers", within="Women")
    assert match is not None and match.category == "Shoes"
    assert space.match("trainers", within="Electronics") is None  # nothing below Electronics means trainers


def test_built_once_names_embedded_once() -> None:
    toy = store()
    space = CategorySpace.build(toy)
    assert space is not None
    names = len(space.names)
    assert names == len(set(toy.embedded)) == 8  # Men, Women, Shoes, Shirts, Watches, Electronics, Smartphones, Mobile Accessories
    space.match("sneakers")
    space.match("sneakers")
    assert toy.embedded[names:] == ["sneakers", "sneakers"]  # a match embeds the phrase only (the embedder caches it)


def test_no_vectors_no_space() -> None:
    toy = store()
    toy._vectors.clear()
    assert CategorySpace.build(toy) is None


def test_related_and_leaves() -> None:
    space = CategorySpace.build(store())
    assert space is not None
    assert space.related("Men", "Shoes") and space.related("Shoes", "Women") and not space.related("Shirts", "Shoes")
    assert space.is_leaf("Shoes") and not space.is_leaf("Electronics")
