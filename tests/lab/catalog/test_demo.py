"""The committed demo catalog, demo orders and store policies, and the generator that makes them."""

from __future__ import annotations

import json
import re
from collections import Counter, defaultdict
from pathlib import Path

import pytest
import yaml

from lab.catalog.demo import (
    DEMO_COUNT,
    DEMO_PATH,
    generate_orders,
    generate_products,
    write_jsonl,
)
from retrieval.models import Product, SearchConstraints

DATA = DEMO_PATH.parents[1]
ORDERS_PATH = DATA / "orders.jsonl"
POLICIES_PATH = DATA / "policies.yml"

#: Common shopper requests and the constraints that define their matches; each needs several products.
SHOPPER_QUERIES: dict[str, SearchConstraints] = {
    "red running shoes under $100": SearchConstraints(category="Running Shoes", attributes_in={"color": ["Red"]}, price_max=100),
    "blue t-shirts": SearchConstraints(category="T-Shirts", attributes_in={"color": ["Blue"]}),
    "quiet dishwashers under $600": SearchConstraints(
        category="Dishwashers", price_max=600, attributes_in={"noise level": ["44 dBA", "43 dBA", "42 dBA", "40 dBA", "38 dBA"]}
    ),
    "noise cancelling headphones": SearchConstraints(category="Headphones", attributes_in={"noise cancelling": ["yes"]}),
    "leather sofas": SearchConstraints(category="Sofas", attributes_in={"material": ["Leather"]}),
    "wireless keyboards": SearchConstraints(category="Keyboards", attributes_in={"wireless": ["yes"]}),
    "desk lamps under $40": SearchConstraints(category="Desk Lamps", price_max=40),
    "waterproof hiking boots": SearchConstraints(category="Boots", attributes_in={"type": ["hiking"], "waterproof": ["yes"]}),
    "stainless steel cookware": SearchConstraints(category="Cookware", attributes_in={"material": ["Stainless Steel"]}),
    "jeans size 32": SearchConstraints(category="Jeans", attributes_in={"size": ["32"]}),
    "gray rugs": SearchConstraints(category="Rugs", attributes_in={"color": ["Gray"]}),
    "smartwatches rated 4.5+": SearchConstraints(category="Smartwatches", rating_min=4.5),
    "laptops $500-$1000": SearchConstraints(category="Laptops", price_min=500, price_max=1000),
    "wooden desks": SearchConstraints(category="Desks", attributes_in={"material": ["Wood"]}),
}


@pytest.fixture(scope="module")
def demo() -> list[Product]:
    return [Product.model_validate_json(line) for line in DEMO_PATH.read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.fixture(scope="module")
def by_leaf(demo: list[Product]) -> dict[str, list[Product]]:
    groups: dict[str, list[Product]] = defaultdict(list)
    for product in demo:
        groups[product.leaf_category].append(product)
    return groups


def test_demo_catalog_is_large_valid_and_unique(demo: list[Product]) -> None:
    assert len(demo) >= 1500
    assert len({p.id for p in demo}) == len(demo)
    assert len({p.title for p in demo}) == len(demo)
    assert all(re.fullmatch(r"P\d{5}", p.id) for p in demo)


def test_demo_catalog_covers_a_general_store(demo: list[Product], by_leaf: dict[str, list[Product]]) -> None:
    roots = {p.category[0] for p in demo}
    assert len(roots) >= 12
    assert {"Electronics", "Kitchen", "Appliances", "Furniture", "Home Decor", "Clothing", "Shoes", "Beauty"} <= roots
    assert all(2 <= len(p.category) <= 3 for p in demo)
    assert 50 <= len(by_leaf) <= 70
    for leaf, products in by_leaf.items():
        assert len(products) >= 15, leaf
        assert 4 <= len({p.brand for p in products}) <= 8, leaf
    for leaf in ("Headphones", "Dishwashers", "Desk Lamps", "Rugs", "T-Shirts", "Running Shoes", "Yoga Mats", "Board Games", "Dog Beds"):
        assert leaf in by_leaf


def test_prices_are_spread_and_shelf_like(demo: list[Product], by_leaf: dict[str, list[Product]]) -> None:
    for leaf, products in by_leaf.items():
        prices = [p.price for p in products]
        assert max(prices) >= 2 * min(prices), leaf
    assert all(round(p.price, 2) == p.price and p.price > 0 for p in demo)
    dishwashers = [p.price for p in by_leaf["Dishwashers"]]
    assert 300 <= min(dishwashers) and max(dishwashers) <= 1400
    assert max(p.price for p in by_leaf["T-Shirts"]) <= 45


def test_stock_ratings_and_reviews_look_real(demo: list[Product]) -> None:
    out_of_stock = sum(not p.in_stock for p in demo) / len(demo)
    assert 0.03 <= out_of_stock <= 0.12
    assert all(0 <= p.stock <= 500 for p in demo)
    rated = [p.rating for p in demo if p.rating is not None]
    assert all(1.0 <= r <= 5.0 for r in rated)
    assert sum(3.5 <= r <= 4.8 for r in rated) / len(rated) >= 0.75
    assert all(0 <= p.review_count <= 5000 for p in demo)
    assert all(p.image_url is None or p.image_url == f"https://example.com/img/{p.id}.jpg" for p in demo)


def test_clothing_and_shoes_have_size_colour_variants(demo: list[Product]) -> None:
    apparel = [p for p in demo if p.category[0] in {"Clothing", "Shoes"}]
    assert apparel and all(p.variants for p in apparel)
    skus = [v.sku for p in apparel for v in p.variants]
    assert len(skus) == len(set(skus))
    for product in apparel:
        assert product.stock == sum(v.stock for v in product.variants)
        assert all({"size", "color"} <= set(v.attributes) for v in product.variants)
    assert any(v.price is not None for p in apparel for v in p.variants)
    shoe_sizes = {s for p in apparel if p.category[0] == "Shoes" for s in p.values("size")}
    assert shoe_sizes <= {str(n) for n in range(6, 14)}


def test_attributes_and_descriptions_agree(demo: list[Product]) -> None:
    for product in demo:
        assert product.values("color") or product.category[0] in {"Beauty", "Toys & Games", "Garden"}
        assert all(key == key.lower() for key in product.attributes)
        assert 1 <= product.description.count(". ") + 1 <= 4 and product.description.endswith(".")
        if product.has_value("noise cancelling", "no"):
            assert "noise cancelling" not in product.description.lower(), product.id
        if product.leaf_category == "Dishwashers":
            assert product.values("noise level")[0] in product.description


@pytest.mark.parametrize("query", sorted(SHOPPER_QUERIES))
def test_common_shopper_queries_have_matches(demo: list[Product], query: str) -> None:
    assert sum(SHOPPER_QUERIES[query].matches(p) for p in demo) >= 3, query


def test_committed_catalog_is_what_the_generator_makes(demo: list[Product]) -> None:
    assert len(demo) == DEMO_COUNT
    assert [p.model_dump() for p in generate_products(DEMO_COUNT)] == [p.model_dump() for p in demo]


def test_generator_is_deterministic_and_prefix_stable() -> None:
    first = [p.model_dump() for p in generate_products(300, seed=3)]
    assert first == [p.model_dump() for p in generate_products(300, seed=3)]
    assert first == [p.model_dump() for p in generate_products(500, seed=3)][:300]
    assert first != [p.model_dump() for p in generate_products(300, seed=4)]


def test_scaled_catalog_is_unique_with_the_same_mix(tmp_path: Path) -> None:
    out = tmp_path / "scaled.jsonl"
    assert write_jsonl(generate_products(5000), out) == 5000
    products = [Product.model_validate_json(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert len({p.id for p in products}) == len({p.title for p in products}) == 5000
    mix = Counter(p.leaf_category for p in products)
    assert max(mix.values()) - min(mix.values()) <= 1


def test_orders_reference_catalog_products(demo: list[Product]) -> None:
    from dialogue.orders import Order

    catalog = {p.id: p for p in demo}
    rows = [json.loads(line) for line in ORDERS_PATH.read_text(encoding="utf-8").splitlines() if line.strip()]
    orders = [Order.model_validate(row) for row in rows]
    assert 30 <= len(orders) <= 50
    assert len({o.order_id for o in orders}) == len(orders)
    assert all(re.fullmatch(r"ORD-\d{5}", o.order_id) for o in orders)
    for order in orders:
        assert str(order.placed_at).startswith("2026-")
        for item in order.items:
            assert item.product_id in catalog
            assert item.title == catalog[item.product_id].title and item.price == catalog[item.product_id].price
        assert order.total == round(sum(i.price * i.quantity for i in order.items), 2)
        assert (order.tracking_number is not None) == (order.status in {"shipped", "delivered", "returned"})
    mine = {o.status for o in orders if o.sender == "demo-shopper"}
    assert {"processing", "shipped", "delivered", "cancelled", "returned"} <= mine
    assert len({o.sender for o in orders}) >= 5
    assert rows == json.loads(json.dumps(generate_orders(demo)))


def test_policies_cover_what_shoppers_ask() -> None:
    raw = yaml.safe_load(POLICIES_PATH.read_text(encoding="utf-8"))
    policies = raw["policies"]
    assert {"returns", "shipping", "cancellation", "warranty", "price_match", "payment", "contact"} <= set(policies)
    returns, shipping = (json.dumps(policies[key], ensure_ascii=False) for key in ("returns", "shipping"))
    assert "30 days" in returns and "Final Sale" in returns
    assert "{free_shipping}" in shipping and raw["amounts"]["free_shipping"] == 50 and "3\u20135 business days" in shipping


def test_policy_book_reads_the_policies() -> None:
    from dialogue.policies import PolicyBook

    book = PolicyBook(POLICIES_PATH)
    answer = book.answer("returns")
    assert answer.title and any("30 days" in s for s in answer.sentences)
    assert book.topic_for("do you ship to Canada?", None) == "shipping"
