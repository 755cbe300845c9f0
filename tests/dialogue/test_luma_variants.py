"""On the Magento Luma catalog with the shipped mapping, a colour or size a product lacks is said, never swapped.

"add it in black, size M" for a hoodie offered only in other colours once added another colour and said nothing. The
147 configurable Luma products (apparel with size/colour variants) are ingested into a temporary home."""

from __future__ import annotations

import pytest

from dialogue.reply_facts import CartAddFacts, ClarificationFacts

ORDINALS = ("first", "second", "third", "fourth", "fifth")


@pytest.fixture(scope="module")
def luma(catalog_assistant):  # type: ignore[no-untyped-def]
    return catalog_assistant(("magento-luma", "configurable_products.csv"), "magento_luma.yml")


def test_a_colour_the_hoodie_lacks_is_said_and_nothing_is_added(luma) -> None:  # type: ignore[no-untyped-def]
    conversation = luma.start("luma-shopper")
    shown = luma.handle(conversation, "luma-shopper", "hoodies").plan.products
    products = [luma.products.get(card.product_id) for card in shown[: len(ORDINALS)]]
    position, hoodie = next((i, p) for i, p in enumerate(products) if p and "Black" not in p.values("color") and "M" in p.values("size"))
    plan = luma.handle(conversation, "luma-shopper", f"add the {ORDINALS[position]} one in black, size M").plan
    assert plan.action == "ask_clarification", plan.action
    facts = plan.facts_as(ClarificationFacts)
    assert facts.slot == "color" and "doesn't come in Black" in facts.question and hoodie.title in facts.question
    stocked_in_m = {v.attributes["color"] for v in hoodie.variants if v.attributes.get("size") == "M" and v.stock > 0}
    assert facts.options and set(facts.options) <= stocked_in_m and set(plan.quick_replies) == set(facts.options)
    assert not luma.state(conversation, "luma-shopper").cart
    chosen = facts.options[-1]
    added = luma.handle(conversation, "luma-shopper", chosen.lower()).plan
    assert added.action == "cart_add" and added.facts_as(CartAddFacts).added
    assert added.facts_as(CartAddFacts).variant == {"size": "M", "color": chosen}
    cart = luma.state(conversation, "luma-shopper").cart
    assert [(line.product_id, line.variant) for line in cart] == [(hoodie.id, {"size": "M", "color": chosen})]


def test_a_size_said_with_the_search_is_used_when_adding(luma) -> None:  # type: ignore[no-untyped-def]
    conversation = luma.start("luma-sized")
    assert luma.handle(conversation, "luma-sized", "men's hoodies in size xl").plan.products
    plan = luma.handle(conversation, "luma-sized", "add the first one to my cart").plan
    assert plan.action == "cart_add", plan.facts
    assert plan.facts_as(CartAddFacts).variant.get("size") == "XL"
