"""Understanding-level routing: the ``catalog-request`` rule, on its own (against the in-test catalog of
test_slots) and through the real assistant (demo catalog, trained classifier) for every department it sells."""

from __future__ import annotations

import pytest

from dialogue.intent_context import cart_order_rule, catalog_request_rule
from tests.dialogue.test_slots import EXTRACTOR


@pytest.mark.parametrize(("text", "other_words"), [
    ("garden hoodies", ["garden"]),
    ("show me some puzzles", ["show", "me", "some"]),
    ("any blue sofas?", ["any"]),
    ("not acme headphones", ["not"]),
    ("thanks for the laptops", ["thanks", "for", "the"]),
])
def test_extract_with_rest_returns_the_words_no_slot_explains(text: str, other_words: list[str]) -> None:
    slots, rest = EXTRACTOR.extract_with_rest(text)
    assert rest == other_words
    assert slots == EXTRACTOR.extract(text)


@pytest.mark.parametrize(("text", "model_intent", "routed"), [
    ("puzzles", "goodbye", "search_product"),                       # a bare category
    ("show me some puzzles", "out_of_scope", "search_product"),
    ("any blue sofas please?", "shipping_info", "search_product"),  # category plus catalog values
    ("hi, I need headphones", "greet", "search_product"),
    ("puzles", "out_of_scope", "search_product"),                   # a typo still names the category
    ("show me some puzzles", "search_product", None),               # the model agreed: no rule
    ("cheaper sofas", "refine", None),                              # refine is kept
    ("thanks for the laptops", "thanks", None),                     # "thanks" is not a request word
    ("I don't want headphones", "feedback_negative", None),         # neither is "don't"
    ("blue please", "out_of_scope", None),                          # no category: the model decides
])
def test_catalog_request_rule(text: str, model_intent: str, routed: str | None) -> None:
    slots, rest = EXTRACTOR.extract_with_rest(text)
    ruled = catalog_request_rule(model_intent, slots.category is not None, rest)
    assert (ruled[0] if ruled else None) == routed, (slots, rest)
    if ruled:
        assert ruled[1] == "catalog-request"


def test_product_features_may_stand_beside_the_category() -> None:
    slots, rest = EXTRACTOR.extract_with_rest("unlocked puzzles please")
    assert rest == ["unlocked", "please"] and catalog_request_rule("out_of_scope", slots.category is not None, rest) is None
    assert catalog_request_rule("out_of_scope", True, rest, frozenset({"unlocked", "oled"})) == ("search_product", "catalog-request")
    assert catalog_request_rule("out_of_scope", True, ["how", "clean", "oled"], frozenset({"oled"})) is None


@pytest.mark.parametrize(("text", "model_intent", "routed"), [
    ("put a blue sofa in my cart", "view_cart", "add_to_cart"),
    ("please add puzzles to my basket", "view_cart", "add_to_cart"),
    ("could you put the second one in the cart", "view_cart", "add_to_cart"),
    ("第二个加入购物车", "view_cart", "add_to_cart"),
    ("what did I add to my cart?", "view_cart", None),        # a question about the cart
    ("did I put the sofa in my cart?", "view_cart", None),
    ("put it in my cart", "view_cart", "add_to_cart"),        # "it": the product in focus
    ("add to my cart", "view_cart", None),                    # names nothing the rule can act on: the model decides
    ("购物车里有什么", "view_cart", None),
    ("add a blue sofa to my cart", "add_to_cart", None),     # the model agreed: no rule
    ("add running shoes to my cart", "out_of_scope", "add_to_cart"),  # a model unsure of it (another training)
    ("add running shoes to my cart", "search_product", "add_to_cart"),
    ("add puzzles to my cart", "remove_from_cart", None),    # only a misread view, a search or an unsure model is corrected
    ("what running shoes did I add to my cart?", "out_of_scope", None),
    ("clear my cart", "view_cart", "remove_from_cart"),        # an order to empty it, read as a look at it
    ("empty the basket please", "out_of_scope", "remove_from_cart"),
    ("清空购物车", "view_cart", "remove_from_cart"),
    ("都不要", "out_of_scope", None),                        # none of these products: no cart named
])
def test_cart_order_rule(text: str, model_intent: str, routed: str | None) -> None:
    slots = EXTRACTOR.extract(text)
    ruled = cart_order_rule(model_intent, text, slots.category is not None or bool(slots.references))
    assert (ruled[0] if ruled else None) == routed, slots
    if ruled:
        assert ruled[1] == ("add-order" if routed == "add_to_cart" else "clear-cart")


def test_every_department_is_a_product_request(assistant) -> None:  # type: ignore[no-untyped-def]
    """Bare department names and simple requests for them find products (or ask which kind), whatever the model says."""
    departments = sorted({p.category[0] for p in assistant.products.products()})
    misrouted = []
    for name in departments:
        for text in (name.lower(), f"show me some {name.lower()}", f"any {name.lower()}?", f"I need {name.lower()} stuff"):
            conversation = assistant.start("departments")
            result = assistant.handle(conversation, "departments", text)
            if result.plan.intent != "search_product" or result.plan.action not in ("show_products", "ask_clarification"):
                misrouted.append((text, result.plan.intent, result.plan.action))
    assert len(departments) >= 10
    assert not misrouted
