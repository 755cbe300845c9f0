"""Adding a sized product offers only the sizes that are in stock, and a size picked from them is added."""

from __future__ import annotations

from dialogue.reply_facts import CartAddFacts, ClarificationFacts

ORDINALS = ("first", "second", "third", "fourth", "fifth")


def test_size_question_offers_only_sizes_in_stock(assistant) -> None:  # type: ignore[no-untyped-def]
    asked = 0
    conversation = assistant.start("size-shopper")
    shown = assistant.handle(conversation, "size-shopper", "running shoes under 100").plan.products
    assert shown
    for position, card in enumerate(shown[: len(ORDINALS)]):
        product = assistant.products.get(card.product_id)
        if not card.in_stock or not any("size" in v.attributes for v in product.variants):
            continue
        conversation = assistant.start(f"size-shopper-{position}")
        assistant.handle(conversation, f"size-shopper-{position}", "running shoes under 100")
        plan = assistant.handle(conversation, f"size-shopper-{position}", f"add the {ORDINALS[position]} one to my cart").plan
        if plan.action != "ask_clarification":
            continue
        asked += 1
        stocked = {v.attributes["size"] for v in product.variants if v.stock > 0 and "size" in v.attributes}
        options = plan.facts_as(ClarificationFacts).options
        assert options and set(options) <= stocked, (options, stocked)
        added = assistant.handle(conversation, f"size-shopper-{position}", options[0]).plan
        assert added.action == "cart_add" and added.facts_as(CartAddFacts).added is True, added.facts
    assert asked, "no shown product asked for a size"
