"""SIMMC evaluation pieces that need no model: gold pairs, the learned slot lexicon, dialogue-state tracking, how
answers to a "which one?" question are routed (by the assistant's own previous action only), and the in-domain
training examples' annotated context."""

from __future__ import annotations

import inspect

import pytest

from lab.eval.simmc import SimmcTurn, fold_examples, routed_intents
from lab.eval.simmc_slots import LexiconTurn, SlotLexicon, gold_pairs, track_dialogue

LEXICON = SlotLexicon(forms={"jacket": ("type", "jacket"), "coat": ("type", "coat"), "green": ("color", "green"),
                             "black": ("color", "black"), "xl": ("size", "xl"), "extra large": ("size", "xl")})


def turn(text: str, act: str, intent: str | None, previous: str | None = None, index: int = 0) -> SimmcTurn:
    return SimmcTurn(dialogue=1, turn=index, text=text, act=act, intent=intent, gold_previous_action=previous)


def test_gold_pairs_split_multi_valued_slots_and_skip_unscored_ones() -> None:
    pairs = gold_pairs({"type": "jacket", "color": "white, red", "availableSizes": ["XL"], "price": ""})
    assert pairs == {("type", "jacket"), ("color", "white"), ("color", "red")}


def test_lexicon_learns_an_alias_the_values_do_not_spell_out() -> None:
    turns = [LexiconTurn(text=f"any {kind} with great reviews?", pairs={("type", kind), ("customerReview", "good")},
                         new={("type", kind), ("customerReview", "good")}) for kind in ("coat", "jacket", "dress", "hat")]
    lexicon = SlotLexicon.learn(turns, min_count=3)
    assert lexicon.match("a hat with great reviews please").pairs() == {("type", "hat"), ("customerReview", "good")}
    assert lexicon.learned_aliases >= 1


def test_values_inside_a_definite_reference_describe_a_seen_item() -> None:
    match = LEXICON.match("anything like the black coat but in green?")
    assert match.pairs() == {("type", "coat"), ("color", "green")}
    assert [pair for _, pair in match.references] == [("color", "black")]


def test_tracking_refines_the_running_search_and_a_new_search_keeps_only_the_type() -> None:
    texts = ["show me jackets in black", "any in extra large?", "what sizes is it?", "something green"]
    states = track_dialogue(texts, ["search_product", "refine", "ask_product_question", "search_product"], LEXICON)
    assert states == [
        {("type", "jacket"), ("color", "black")},
        {("type", "jacket"), ("color", "black"), ("size", "xl")},
        set(),
        {("type", "jacket"), ("color", "green")},
    ]


def test_an_answer_to_the_assistants_own_which_one_is_served_by_the_intent_that_asked() -> None:
    # The assistant asked "which one?" after the first turn; the answer names a reference; an explicit request does not
    # answer; a turn without a reference is taken as what the classifier says.
    routed = routed_intents(["ask_product_question", "refine", "add_to_cart", "refine"],
                            [None, "ask_product_question", "ask_product_question", "ask_product_question"],
                            [False, True, True, False])
    assert routed == ["ask_product_question", "ask_product_question", "add_to_cart", "refine"]


def test_routing_knows_only_what_the_assistant_knew_never_the_wizards_acts() -> None:
    # Whatever SIMMC's wizard did, a turn is routed as an answer only while the assistant itself waits for one.
    assert routed_intents(["ask_product_question", "refine"], [None, None], [False, True]) == ["ask_product_question", "refine"]
    assert list(inspect.signature(routed_intents).parameters) == ["intents", "awaiting_reference", "references"]
    with pytest.raises(ValueError):
        routed_intents(["refine"], [], [])


def test_in_domain_training_examples_keep_the_action_they_followed() -> None:
    dialogue = [turn("any coats?", "REQUEST:GET", "search_product", None, 0),
                turn("how do those two compare on price?", "REQUEST:COMPARE", "compare", "show_products", 1),
                turn("the left one", "INFORM:DISAMBIGUATE", None, "ask_clarification", 2)]
    examples = fold_examples([dialogue])
    assert [(e.intent, e.context) for e in examples] == [("search_product", None), ("compare", "show_products")]
    assert examples[1].source == "simmc:1:1"
