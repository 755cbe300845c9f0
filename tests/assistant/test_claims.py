"""Claim-level checks of single model sentences (``assistant.generators.claims``) and the template remainder that
finishes a reply the model did not complete."""

from __future__ import annotations

import pytest

from assistant.generators.claims import ClaimChecker, TemplateRemainder, sentence_problems, split_sentences
from assistant.generators.template import TemplateGenerator
from dialogue.plan import ReplyPlan
from tests.assistant.plans import cart_plan, compare_plan, greet_plan, policy_plan, products_plan


def problems(plan: ReplyPlan, sentence: str, *, first_turn: bool = False, earlier: list[str] | None = None) -> set[str]:
    return set(sentence_problems(sentence, plan, TemplateGenerator().generate(plan), first_turn=first_turn, earlier=earlier or []))


@pytest.mark.parametrize("plan, sentence", [
    (products_plan(), "Here are 3 rain jackets under $100 for you:"),
    (products_plan(), "The Northpeak Trailhead Waterproof Rain Jacket costs $89.99 and comes in navy or red."),
    (products_plan(), "The Summit Insulated Parka is out of stock."),
    (cart_plan(), "Done! I've added 2 Cityline Packable Shells to your cart, so your total is $129.00."),
    (policy_plan(), "You can return most items within 30 days of delivery for a full refund."),
    (compare_plan(), "The Nordvik Hazel 5 is quieter at 44 dBA, while the Cleanwave Cedar is $110.00 cheaper."),
    (greet_plan(), "Hello! I'm ShopAssist, happy to help you find what you need."),
    (products_plan(), "2. Cityline Packable Shell — $64.50, 4.5★"),
    (compare_plan(), "2. Nordvik Hazel 5 Quiet Built-In Dishwasher — $499.99, 4.5★"),  # a shown card, as the list showed it
])
def test_faithful_rephrasings_pass(plan: ReplyPlan, sentence: str) -> None:
    assert problems(plan, sentence, first_turn=plan.action == "greet") == set()


@pytest.mark.parametrize("plan, sentence, kind", [
    (policy_plan(), "The return policy is a matter of personal discretion.", "unsupported_words"),
    (policy_plan(), "We can only return a limited number of items.", "evaluative"),
    (policy_plan(), "Returns are always free.", "evaluative"),
    (compare_plan(), "The Cleanwave Cedar Quiet Built-In Dishwasher is the best at $389.99.", "evaluative"),
    (products_plan(), "The Cityline Packable Shell is lighter than the Trailhead.", "evaluative"),
    (products_plan(), "I would recommend the Trailhead Waterproof Rain Jacket.", "evaluative"),
    (products_plan(), "These jackets are made from recycled ocean plastic and breathable membranes.", "unsupported_words"),
    (products_plan(), "The Trailhead Waterproof Rain Jacket is $79.99 today.", "price"),
    (products_plan(), "Hi there, I'm ShopAssist.", "greeting"),
    (products_plan(), "Would you like a matching umbrella?", "unasked_question"),
    # re-listing: a wrong position, a price of another product, an altered name, a count from an earlier turn
    (products_plan(), "1. Cityline Packable Shell — $64.50, 4.5★", "list_line"),
    (products_plan(), "2. Cityline Packable Shell — $89.99, 4.5★", "list_line"),
    (products_plan(), "1. Trailhead Rain Jacket — $89.99, 4.5★", "list_line"),
    (compare_plan(), "Here are 5 dishwashers options:", "count"),
    (cart_plan(), "I'm sorry, I can't help with that.", "refusal"),
    (cart_plan(), "I'm not sure what I'm doing.", "hedge"),
    (products_plan(), "I think the Trailhead Waterproof Rain Jacket is $89.99.", "hedge"),
])
def test_unsupported_or_degenerate_sentences_fail(plan: ReplyPlan, sentence: str, kind: str) -> None:
    assert kind in problems(plan, sentence)


def test_repetition_and_loops_are_degenerate() -> None:
    plan = compare_plan()
    said = "The Nordvik Hazel 5 is quieter at 44 dBA."
    assert "repetition" in problems(plan, said, earlier=[said])
    assert "repetition" in problems(plan, "The first two, the first three, the first two, the first three, the first two, the first three")
    assert "repetition" not in problems(plan, "The Cleanwave Cedar costs $389.99.", earlier=[said])


def test_feel_free_is_phrasing_not_a_claim() -> None:
    assert "evaluative" not in problems(cart_plan(), "Feel free to keep shopping.")
    checker = ClaimChecker(greet_plan(), TemplateGenerator().generate(greet_plan()), first_turn=True)
    assert [p.kind for p in checker.problems("Hello! Feel free to ask me anything.")] == []


def test_the_remainder_holds_what_the_shown_text_left_out() -> None:
    template = TemplateGenerator().generate(products_plan())
    lines = template.splitlines()
    remainder = TemplateRemainder(template)
    assert remainder.unsaid("") == template
    shown = "Here are 3 jackets (under $100.00):\n" + lines[1]
    assert remainder.unsaid(shown) == "\n".join(lines[2:])
    # a rephrased line counts as said when it keeps the price and the title's first words
    assert lines[2] not in remainder.unsaid(shown + "\nThe Urbano Cityline Packable Shell is $64.50, rated 4.5 stars.")
    assert remainder.unsaid(template) == ""


def test_sentences_split_on_stops_and_lines_not_on_prices() -> None:
    assert split_sentences("Here you go: $89.99. Anything else?\n1. A — $5.50") == ["Here you go: $89.99.", "Anything else?", "1. A — $5.50"]
