"""Hybrid search on the ingested demo catalog: written queries whose relevant set is defined by attributes.

Each query goes through the real slot extractor (text → constraints) and the real store (Chroma + BM25)."""

from __future__ import annotations

import pytest

from retrieval.models import SearchConstraints

#: (query text, the constraints that define its relevant set — the truth, written by hand)
QUERIES: list[tuple[str, SearchConstraints]] = [
    ("red running shoes under $100", SearchConstraints(category="Running Shoes", attributes_in={"color": ["Red"]}, price_max=100)),
    ("quiet dishwasher under $600", SearchConstraints(category="Dishwashers", price_max=600)),
    ("desk lamp under $40", SearchConstraints(category="Desk Lamps", price_max=40)),
    ("blue t-shirt", SearchConstraints(category="T-Shirts", attributes_in={"color": ["Blue"]})),
    ("leather sofa", SearchConstraints(category="Sofas", attributes_in={"material": ["Leather"]})),
    ("headphones under $150", SearchConstraints(category="Headphones", price_max=150)),
    ("black jacket", SearchConstraints(category="Jackets", attributes_in={"color": ["Black"]})),
    ("laptops between $500 and $1000", SearchConstraints(category="Laptops", price_min=500, price_max=1000)),
    ("yoga mat under $30", SearchConstraints(category="Yoga Mats", price_max=30)),
    ("coffee maker", SearchConstraints(category="Coffee Makers")),
    ("office chair over $200", SearchConstraints(category="Office Chairs", price_min=200)),
    ("white sneakers", SearchConstraints(category="Sneakers", attributes_in={"color": ["White"]})),
    ("tents rated 4 stars and up", SearchConstraints(category="Tents", rating_min=4)),
    ("green hoodie", SearchConstraints(category="Hoodies", attributes_in={"color": ["Green"]})),
    ("board games under $50", SearchConstraints(category="Board Games", price_max=50)),
    ("stainless steel cookware", SearchConstraints(category="Cookware", attributes_in={"material": ["Stainless Steel"]})),
    ("backpack under $80", SearchConstraints(category="Backpacks", price_max=80)),
    ("cotton dress", SearchConstraints(category="Dresses", attributes_in={"material": ["Cotton"]})),
    ("monitor under $300", SearchConstraints(category="Monitors", price_max=300)),
    ("dog bed", SearchConstraints(category="Dog Beds")),
    ("jeans size 32", SearchConstraints(category="Jeans", attributes_in={"size": ["32"]})),
    ("grey rug", SearchConstraints(category="Rugs", attributes_in={"color": ["Gray"]})),
    ("blender under $100", SearchConstraints(category="Blenders", price_max=100)),
    ("smartwatch rated 4.5+", SearchConstraints(category="Smartwatches", rating_min=4.5)),
    ("boots not black", SearchConstraints(category="Boots", attributes_out={"color": ["Black"]})),
    ("wooden desk", SearchConstraints(category="Desks", attributes_in={"material": ["Wood"]})),
    ("vacuum cleaner under $250", SearchConstraints(category="Vacuums", price_max=250)),
    ("keyboard", SearchConstraints(category="Keyboards")),
]


@pytest.fixture(scope="module")
def extractor(demo_store):  # type: ignore[no-untyped-def]
    from dialogue.slots import SlotExtractor
    from dialogue.vocabulary import CatalogVocabulary

    return SlotExtractor(CatalogVocabulary.from_products(demo_store.products()))


def test_every_query_has_a_relevant_set(demo_store) -> None:  # type: ignore[no-untyped-def]
    for text, truth in QUERIES:
        assert sum(truth.matches(p) for p in demo_store.products()) >= 3, f"catalog has too few products for {text!r}"


def test_results_satisfy_hard_constraints_and_recall_at_10(demo_store, extractor) -> None:  # type: ignore[no-untyped-def]
    recalls: dict[str, float] = {}
    for text, truth in QUERIES:
        constraints = extractor.extract(text).to_constraints()
        hits = demo_store.search(text, constraints, 10)
        assert hits, f"no results for {text!r}"
        for hit in hits:
            assert truth.matches(hit.product), f"{text!r} returned {hit.product.title} breaking {truth.violations(hit.product)}"
        relevant = {p.id for p in demo_store.products() if truth.matches(p)}
        found = {h.product.id for h in hits} & relevant
        recalls[text] = len(found) / min(10, len(relevant))
    mean = sum(recalls.values()) / len(recalls)
    assert len(QUERIES) >= 25
    assert mean >= 0.8, f"mean recall@10 {mean:.2f}; worst: {sorted(recalls.items(), key=lambda kv: kv[1])[:5]}"


def test_a_kind_left_out_is_left_out_at_every_level_of_its_path(demo_store) -> None:  # type: ignore[no-untyped-def]
    """"a gift for someone who likes cooking, not a knife": the knives leave, the rest of the kitchen stays; leaving out
    "Kitchen" leaves out everything below it."""
    no_knives = SearchConstraints(price_max=60, categories_out=["Kitchen Knives"])
    hits = demo_store.search("a gift for someone who likes cooking", no_knives, 10)
    assert len(hits) == 10 and not any(h.product.in_category("Kitchen Knives") for h in hits)
    assert any(h.product.in_category("Kitchen") for h in hits)
    products = demo_store.products()
    for constraints in (no_knives, SearchConstraints(categories_out=["Kitchen", "Shoes"])):
        assert demo_store.count(constraints) == sum(constraints.matches(p) for p in products) > 0
    assert SearchConstraints(categories_out=["kitchen"]).violations(next(p for p in products if p.in_category("Cookware"))) == ["categories_out"]


def test_search_is_deterministic(demo_store) -> None:  # type: ignore[no-untyped-def]
    constraints = SearchConstraints(category="Headphones", price_max=200)
    first = [h.product.id for h in demo_store.search("noise cancelling headphones", constraints, 10)]
    assert first == [h.product.id for h in demo_store.search("noise cancelling headphones", constraints, 10)]


def test_every_hit_has_true_reasons(demo_store) -> None:  # type: ignore[no-untyped-def]
    constraints = SearchConstraints(category="Running Shoes", price_max=100, attributes_in={"color": ["Red"]})
    for hit in demo_store.search("red running shoes", constraints, 5):
        assert hit.reasons
        assert any("red" in r.lower() and "under $100" in r for r in hit.reasons)
        mentioned = [r for r in hit.reasons if r.startswith("mentions")]
        for reason in mentioned:
            for word in ("red", "running", "shoes"):
                if f"“{word}”" in reason:
                    assert word.rstrip("s") in hit.product.lexical_text().lower()


def test_exclusions_are_enforced(demo_store) -> None:  # type: ignore[no-untyped-def]
    first = demo_store.search("headphones", SearchConstraints(category="Headphones"), 5)
    banned = first[0].product.brand
    excluded = first[1].product.id
    again = demo_store.search("headphones", SearchConstraints(category="Headphones", brands_out=[banned], exclude_ids=[excluded]), 10)
    assert again and all(h.product.brand != banned and h.product.id != excluded for h in again)
