"""Two requests in one message: where it splits, and which pairs are carried out in order."""

from __future__ import annotations

import pytest

from dialogue.compound import (
    adds_to,
    answers_the_question,
    carried_out_in_order,
    goes_on_after,
    split_all,
    split_requests,
    waits_for_an_answer,
)
from dialogue.pending import AwaitingSize
from dialogue.plan import ProductCard, ReplyPlan
from dialogue.reply_facts import ClarificationFacts
from dialogue.state import ConversationState, TurnRecord


@pytest.mark.parametrize(("text", "parts"), [
    ("add the second to my cart and show me cheaper ones", ("add the second to my cart", "show me cheaper ones")),
    ("Add the second to my cart. Show me cheaper ones.", ("Add the second to my cart", "Show me cheaper ones.")),
    ("find running shoes, then compare the first two", ("find running shoes", "compare the first two")),
    ("I need a laptop and what's your return policy?", ("I need a laptop", "what's your return policy?")),
    ("can you add it to my cart and then show my cart", ("can you add it to my cart", "show my cart")),
    ("ok add it and checkout", ("ok add it", "checkout")),
    ("remove the blender; show me kettles", ("remove the blender", "show me kettles")),
    ("actually remove it and show me puzzles instead", ("actually remove it", "show me puzzles instead")),
    ("ok thanks, add it to my cart and what's the shipping", ("ok thanks, add it to my cart", "what's the shipping")),
])
def test_english_requests_split_where_a_request_verb_follows_a_joint(text: str, parts: tuple[str, str]) -> None:
    assert split_requests(text, "en") == parts


@pytest.mark.parametrize("text", [
    "show me black and white sneakers",  # one request: no verb after "and"
    "add the first and the third to my cart",
    "compare the first and second",
    "find me a laptop and a mouse",
    "I bought a lamp last week. Where is my order?",  # a story, then the request
    "running shoes and show cheaper",  # no request opens the message
    "add it and go",
])
def test_one_english_request_stays_whole(text: str) -> None:
    assert split_requests(text, "en") is None


@pytest.mark.parametrize(("text", "parts"), [
    ("把第二个加入购物车，再看看便宜点的", ("把第二个加入购物车", "看看便宜点的")),
    ("第二个加入购物车然后看看购物车", ("第二个加入购物车", "看看购物车")),
    ("我要跑步鞋，然后比较一下前两个", ("我要跑步鞋", "比较一下前两个")),
    ("找个台灯，顺便问下运费怎么算", ("找个台灯", "问下运费怎么算")),
])
def test_chinese_requests_split_at_a_connective(text: str, parts: tuple[str, str]) -> None:
    assert split_requests(text, "zh") == parts


@pytest.mark.parametrize("text", [
    "跑步鞋，500元以内",  # a comma alone adds a detail
    "来两件，再便宜点行吗",  # 再便宜点: "cheaper still", not "then"
    "再来一个",
    "红色的，不要太贵",
])
def test_one_chinese_request_stays_whole(text: str) -> None:
    assert split_requests(text, "zh") is None


@pytest.mark.parametrize(("first", "second", "in_order"), [
    ("add_to_cart", "refine", True),
    ("search_product", "compare", True),
    ("search_product", "return_policy", True),
    ("remove_from_cart", "view_cart", True),
    ("compare", "add_to_cart", False),  # a comparison first: which "first one" would the second mean?
    ("add_to_cart", "thanks", False),
    ("greet", "search_product", False),
    ("add_to_cart", "out_of_scope", False),
])
def test_which_pairs_are_carried_out_in_order(first: str, second: str, in_order: bool) -> None:
    assert carried_out_in_order(first, second) is in_order


@pytest.mark.parametrize(("text", "language", "parts"), [
    ("add the first to my cart, then show my cart and checkout", "en", ["add the first to my cart", "show my cart", "checkout"]),
    ("find running shoes and compare the first two and tell me which is lighter", "en",
     ["find running shoes", "compare the first two", "tell me which is lighter"]),
    ("把第一个加入购物车，然后看看便宜点的，再把第一个也加进去", "zh", ["把第一个加入购物车", "看看便宜点的", "把第一个也加进去"]),
    ("add the second to my cart and show me cheaper ones", "en", ["add the second to my cart", "show me cheaper ones"]),
    ("show me black and white sneakers", "en", None),
])
def test_a_message_splits_at_every_joint(text: str, language: str, parts: list[str] | None) -> None:
    assert split_all(text, language) == parts  # type: ignore[arg-type]


@pytest.mark.parametrize(("intents", "in_order"), [
    (("add_to_cart", "view_cart", "checkout"), True),
    (("search_product", "add_to_cart", "checkout"), True),
    (("search_product", "compare", "ask_product_question"), False),  # a comparison is no step before the next
    (("add_to_cart", "refine", "thanks"), False),
])
def test_which_runs_of_requests_are_carried_out_in_order(intents: tuple[str, ...], in_order: bool) -> None:
    assert carried_out_in_order(*intents) is in_order


def test_the_second_request_waits_when_the_first_found_nothing_or_asked() -> None:
    assert goes_on_after(ReplyPlan(action="cart_add"))
    assert goes_on_after(ReplyPlan(action="show_cart"))
    assert not goes_on_after(ReplyPlan(action="show_products"))  # nothing found
    asked = ClarificationFacts(slot="size", question="Which size?", options=["M", "L"])
    assert not goes_on_after(ReplyPlan(action="ask_clarification", facts=asked))


def test_only_the_last_reply_s_question_holds_the_message_whole() -> None:
    state = ConversationState(conversation_id="c", sender="s")
    state.turns.append(TurnRecord(index=0, text="add the first", action="ask_clarification", asked="size", reply="Which size?"))
    state.pending = AwaitingSize(product_id="P1", quantity=1)
    assert waits_for_an_answer(state)
    state.turns.append(TurnRecord(index=1, text="what's in my cart", action="show_cart", reply="Your cart is empty."))
    assert not waits_for_an_answer(state)  # asked turns ago: the shopper moved on


def test_showing_the_cart_right_after_changing_it_adds_nothing() -> None:
    assert not adds_to("cart_add", "view_cart")
    assert not adds_to("cart_remove", "view_cart")
    assert adds_to("cart_add", "refine")
    assert adds_to("show_products", "view_cart")


def test_a_held_request_waits_for_the_answer_its_question_asked_for() -> None:
    assert answers_the_question(ReplyPlan(action="cart_add"), "size")
    assert not answers_the_question(ReplyPlan(action="show_products"), "size")  # the shopper moved on
    found = ReplyPlan(action="show_products", products=[ProductCard(
        position=1, product_id="P1", title="Trail Runner", brand=None, category="Shoes > Running Shoes", price=89.0, currency="USD",
        rating=None, review_count=0, in_stock=True)])
    assert answers_the_question(found, "type")  # "what kind of shoes?" answered with products
    assert not answers_the_question(ReplyPlan(action="show_products"), "category")  # nothing found
    assert not answers_the_question(ReplyPlan(action="cart_add"), "category")
