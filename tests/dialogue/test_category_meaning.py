"""On the DummyJSON catalog with the shipped mapping, a shopper's word that its taxonomy names differently finds the
category by meaning (``retrieval.category_space``), not only through the synonyms file.

"men's sneakers" once showed a men's T-shirt among the shoes, because "sneakers" is none of the catalog's category
names ("Men > Shoes", "Women > Shoes"). The 194 products are ingested into a temporary home."""

from __future__ import annotations

import pytest

from dialogue.reply_facts import ShowProductsFacts


@pytest.fixture(scope="module")
def dummyjson(catalog_assistant):  # type: ignore[no-untyped-def]
    return catalog_assistant(("dummyjson", "products.json"), "dummyjson.yml")


def search(assistant, text: str):  # type: ignore[no-untyped-def]
    sender = f"dj-{abs(hash(text))}"
    plan = assistant.handle(assistant.start(sender), sender, text).plan
    products = [assistant.products.get(card.product_id) for card in plan.products]
    return plan, [p for p in products if p is not None]


def test_mens_sneakers_are_only_shoes(dummyjson) -> None:  # type: ignore[no-untyped-def]
    plan, products = search(dummyjson, "men's sneakers")
    assert plan.action == "show_products" and len(products) >= 3
    assert plan.facts_as(ShowProductsFacts).category == "Shoes"
    assert all("Shoes" in p.category for p in products), [(p.title, p.category) for p in products]


@pytest.mark.parametrize(("text", "category"), [
    ("do you have couches", "Furniture"),  # the catalog says "Furniture"; couch/sofa is no category name
    ("some jewelry for my wife", "Jewellery"),  # British spelling in the catalog
    ("any lipstick", "Beauty"),  # lipsticks sit in the flat "beauty" category
    ("something for women to wear at a party", "Dresses"),
])
def test_shopper_words_find_the_catalogs_category(dummyjson, text: str, category: str) -> None:  # type: ignore[no-untyped-def]
    plan, products = search(dummyjson, text)
    assert plan.action == "show_products" and products
    assert plan.facts_as(ShowProductsFacts).category == category
    assert all(category in p.category for p in products), [(p.title, p.category) for p in products]


def test_a_brand_the_catalog_carries_is_found_and_one_it_lacks_is_said(dummyjson) -> None:  # type: ignore[no-untyped-def]
    sender = "dj-brands"
    conversation = dummyjson.start(sender)
    assert dummyjson.handle(conversation, sender, "show me laptops").plan.products
    apple = dummyjson.handle(conversation, sender, "any from Apple?")
    assert apple.plan.products and all(dummyjson.products.get(c.product_id).brand == "Apple" for c in apple.plan.products)
    assert "don't carry" not in apple.text
    samsung = dummyjson.handle(conversation, sender, "any from samsung")
    assert "We don't carry Samsung laptops" in samsung.text and samsung.plan.products
