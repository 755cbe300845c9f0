"""Feedback through the whole assistant: signals recorded with their turns, re-ranking with them, true reasons on
every card, and the cross-session profile (the simulated-shopper bench: tests/lab/bench/test_feedback_bench.py)."""

from __future__ import annotations

import statistics

import pytest

from assistant.service import ShopAssistant
from dialogue.reply_facts import ResetFacts
from lab.train.reranker import iter_feedback_rows


@pytest.fixture(scope="module")
def shop(assistant_factory) -> ShopAssistant:  # type: ignore[no-untyped-def]
    return assistant_factory()


def talk(shop: ShopAssistant, sender: str = "tester") -> tuple[str, object]:
    conversation = shop.start(sender)

    def say(text: str):  # type: ignore[no-untyped-def]
        return shop.handle(conversation, sender, text)

    return conversation, say


def kinds(shop: ShopAssistant, conversation: str) -> list[tuple[str, int, str | None]]:
    return [(f.kind, f.turn, f.product_id) for f in shop.state(conversation).feedback]


def test_signals_are_recorded_with_their_turn(shop: ShopAssistant) -> None:
    conversation, say = talk(shop)
    first = say("show me smartwatches")
    cards = [c.product_id for c in first.plan.products]
    shop.feedback(conversation, "tester", cards[1], liked=True)  # explicit, on a card
    say("these are too expensive")  # implicit, in words (turn 1)
    say("tell me about the first one")  # behaviour: opened (turn 2)
    say("add it to my cart")  # behaviour: added to cart (turn 3)
    recorded = kinds(shop, conversation)
    assert ("like", 0, cards[1]) in recorded
    assert ("too_expensive", 1, None) in recorded
    assert any(kind == "opened" and turn == 2 for kind, turn, _ in recorded)
    assert any(kind == "added_to_cart" and turn == 3 for kind, turn, _ in recorded)


def test_a_disliked_brand_leaves_the_next_results_unless_asked_for(shop: ShopAssistant) -> None:
    conversation, say = talk(shop)
    say("show me speakers")
    opened = say("tell me about the first one")
    brand = opened.plan.products[0].brand
    assert brand
    after = say("not that brand")
    assert after.plan.products and all(c.brand != brand for c in after.plan.products)
    assert any(f.kind == "dislike" and f.detail == f"brand:{brand}" for f in shop.state(conversation).feedback)
    more = say("show me more")
    assert all(c.brand != brand for c in more.plan.products)
    asked = say(f"show me {brand} speakers")
    assert asked.plan.products and all(c.brand == brand for c in asked.plan.products)


def test_a_card_like_pulls_similar_products_up(assistant_factory) -> None:  # type: ignore[no-untyped-def]
    results = {}
    for enabled in (True, False):
        shop = assistant_factory(rerank_enabled=enabled)
        conversation, say = talk(shop, "liker")
        first = say("show me some shoes")
        if first.plan.action != "show_products":
            first = say("no preference")
        liked = first.plan.products[-1]
        shop.feedback(conversation, "liker", liked.product_id, liked=True)
        results[enabled] = (liked, say("show me more").plan.products)
    liked, on = results[True]
    _, off = results[False]
    leaf = liked.category.split(" > ")[-1]
    assert sum(c.category.endswith(leaf) for c in on) > sum(c.category.endswith(leaf) for c in off)
    assert any(r == f"similar to the {liked.title} you liked" for c in on for r in c.reasons)


def test_too_expensive_lowers_the_price_band(shop: ShopAssistant) -> None:
    _, say = talk(shop)
    before = say("show me smartwatches").plan.products
    after = say("these are too expensive").plan.products
    assert after
    assert statistics.median(c.price for c in after) < statistics.median(c.price for c in before)
    assert max(c.price for c in after) < statistics.median(c.price for c in before)


def test_every_card_has_true_reasons(shop: ShopAssistant) -> None:
    conversation, say = talk(shop)
    cards = say("show me floor lamps").plan.products
    shop.feedback(conversation, "tester", cards[0].product_id, liked=True)
    shop.feedback(conversation, "tester", cards[1].product_id, liked=False)
    liked_title = cards[0].title
    for text in ("show me more", "these are too expensive", "show me rugs"):
        for card in say(text).plan.products:
            assert card.reasons, card
            for reason in card.reasons:
                if reason.startswith("similar to the "):
                    assert reason == f"similar to the {liked_title} you liked"
                if reason.startswith("matches under $"):
                    assert card.price <= float(reason.split("$")[1].split(",")[0])


def test_profile_persists_across_conversations_and_can_be_forgotten(shop: ShopAssistant) -> None:
    sender = "returning-shopper"
    conversation, say = talk(shop, sender)
    cards = say("show me speakers").plan.products
    brand = cards[0].brand
    shop.feedback(conversation, sender, cards[0].product_id, liked=True)
    assert shop.profiles is not None
    profile = shop.profiles.get(sender)
    assert profile is not None and profile.brands[brand.lower()] > 0 and profile.price_level is not None
    # a new conversation: the profile biases ranking, gently, and says so
    _, say2 = talk(shop, sender)
    later = say2("show me speakers").plan.products
    assert any(r == f"{brand}, a brand you liked before" for c in later for r in c.reasons)
    assert all(not r.endswith("a brand you liked before") or c.brand == brand for c in later for r in c.reasons)
    # another sender is not affected
    _, other = talk(shop, "someone-else")
    assert not any(r.endswith("a brand you liked before") for c in other("show me speakers").plan.products for r in c.reasons)
    forgot = say2("forget my preferences")
    assert forgot.plan.action == "reset" and forgot.plan.facts_as(ResetFacts).scope == "preferences"
    assert shop.profiles.get(sender) is None
    _, say3 = talk(shop, sender)
    assert not any(r.endswith("a brand you liked before") for c in say3("show me speakers").plan.products for r in c.reasons)


def test_feedback_export_rows(shop: ShopAssistant) -> None:
    conversation, say = talk(shop, "exporter")
    cards = say("show me rugs").plan.products
    shop.feedback(conversation, "exporter", cards[0].product_id, liked=False)
    rows = [r for r in iter_feedback_rows(shop.states, shop.products) if r.conversation_id == conversation]
    assert [(r.kind, r.turn, r.product_id, r.sender) for r in rows] == [("dislike", 0, cards[0].product_id, "exporter")]
    assert rows[0].product is not None and rows[0].product["title"] == cards[0].title and "attributes" in rows[0].product
