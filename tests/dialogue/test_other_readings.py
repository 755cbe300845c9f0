"""Turns routed by what they say, whatever intent the model gives them: another training of the same data (CI trains
its own models) may read a turn otherwise, or be too unsure of it. Each case replays a conversation on the real
assistant and answers its last message under readings other trainings gave, or could give, to it
(``lab.scripted.other_readings``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from dialogue.intent_classifier import IntentPrediction
from lab.scripted.format import parse_suite
from lab.scripted.other_readings import UNSURE, answer_as, evaluate_readings, other_readings

SUITES = Path(__file__).parents[1] / "dialogues"


@pytest.mark.parametrize("intent", ["return_item", "reset", "out_of_scope", UNSURE])
def test_a_fault_report_gets_the_warranty_whatever_the_intent(assistant, intent: str) -> None:  # type: ignore[no-untyped-def]
    plan = answer_as(assistant, ["I want to return my headphones"], "they stopped working", intent)
    assert plan.action == "policy_answer" and plan.facts.topic == "warranty" and plan.facts.fault


def test_a_fault_report_that_asks_for_a_return_stays_a_return(assistant) -> None:  # type: ignore[no-untyped-def]
    plan = answer_as(assistant, [], "they stopped working, can I return them?", "return_item")
    assert plan.action == "return_item"


@pytest.mark.parametrize("intent", ["ask_product_question", "out_of_scope", "search_product"])
def test_a_warranty_question_about_a_kind_of_product_is_about_the_terms(assistant, intent: str) -> None:  # type: ignore[no-untyped-def]
    plan = answer_as(assistant, ["i need a laptop under 800"], "is there a warranty on laptops", intent)
    assert plan.action == "policy_answer" and plan.facts.topic == "warranty"


@pytest.mark.parametrize("intent", ["feedback_positive", "compare", UNSURE])
def test_what_about_a_position_is_the_question_again(assistant, intent: str) -> None:  # type: ignore[no-untyped-def]
    plan = answer_as(assistant, ["I need a laptop for college under 900", "which is the lightest?"], "what about the third?", intent)
    assert plan.action == "answer_question"


@pytest.mark.parametrize("intent", ["chitchat", "ask_product_question", "out_of_scope"])
def test_what_people_complain_about_asks_which_product(assistant, intent: str) -> None:  # type: ignore[no-untyped-def]
    plan = answer_as(assistant, ["wireless headphones under 150"], "what do people complain about?", intent)
    assert plan.action == "ask_clarification" and plan.facts.slot == "reference"


@pytest.mark.parametrize("intent", ["feedback_positive", "chitchat"])
def test_a_remark_stays_a_remark(assistant, intent: str) -> None:  # type: ignore[no-untyped-def]
    plan = answer_as(assistant, ["wireless headphones under 150"], "what a great selection", intent)
    assert plan.action != "answer_question"


@pytest.mark.parametrize("intent", ["ask_product_question", "refine", UNSURE])
def test_showing_the_sold_out_ones_too_is_a_refinement(assistant, intent: str) -> None:  # type: ignore[no-untyped-def]
    plan = answer_as(assistant, ["sneakers under 60"], "show me the sold out ones too", intent)
    assert plan.action == "show_products" and len(plan.products) >= 3


def test_whether_one_is_sold_out_stays_a_question(assistant) -> None:  # type: ignore[no-untyped-def]
    plan = answer_as(assistant, ["sneakers under 60"], "is the first one sold out?", "ask_product_question")
    assert plan.action == "answer_question"


@pytest.mark.parametrize("intent", ["return_item", "return_policy"])
def test_when_the_money_comes_back_is_a_policy_question(assistant, intent: str) -> None:  # type: ignore[no-untyped-def]
    plan = answer_as(assistant, ["how long does a refund take?"], "when will I get my money back?", intent)
    assert plan.action == "policy_answer" and plan.facts.topic == "returns"


@pytest.mark.parametrize("intent", ["view_cart", "remove_from_cart", UNSURE])
def test_clearing_the_cart_empties_it(assistant, intent: str) -> None:  # type: ignore[no-untyped-def]
    plan = answer_as(assistant, ["yoga mats", "add the first one to my cart"], "clear my cart", intent)
    assert plan.action == "cart_remove" and plan.facts.removed


@pytest.mark.parametrize("intent", ["refine", "ask_product_question", UNSURE])
def test_what_about_other_ones_asks_the_search_again(assistant, intent: str) -> None:  # type: ignore[no-untyped-def]
    plan = answer_as(assistant, ["I want a tent for 4 people"], "what about 6 person ones?", intent)
    assert plan.action == "show_products" and len(plan.products) >= 3
    assert all(assistant.products.get(card.product_id).values("capacity") == ["6 people"] for card in plan.products)


@pytest.mark.parametrize("intent", ["refine", "out_of_scope", UNSURE])
def test_what_about_a_brand_not_carried_says_so(assistant, intent: str) -> None:  # type: ignore[no-untyped-def]
    plan = answer_as(assistant, ["need a laptop for school"], "what about dell", intent)
    assert plan.action == "show_products" and plan.facts.not_carried


@pytest.mark.parametrize("intent", ["compare", "refine", "feedback_negative", "out_of_scope", UNSURE])
def test_a_misspelt_which_question_is_a_question(assistant, intent: str) -> None:  # type: ignore[no-untyped-def]
    plan = answer_as(assistant, ["show me smartphnes"], "wich one is the cheapest", intent)
    assert plan.action == "answer_question"


@pytest.mark.parametrize(("earlier", "text"), [([], "can I return a yoga mat?"), (["show me mattresses"], "can i send a mattress back if i dont like it")])
@pytest.mark.parametrize("intent", ["return_item", "return_policy", UNSURE])
def test_whether_a_kind_of_product_can_be_returned_is_a_policy_question(assistant, earlier: list[str], text: str,  # type: ignore[no-untyped-def]
                                                                        intent: str) -> None:
    plan = answer_as(assistant, earlier, text, intent)
    assert plan.action == "policy_answer" and plan.facts.topic == "returns"


@pytest.mark.parametrize("intent", ["refine", UNSURE])
def test_any_from_a_brand_not_carried_says_so(assistant, intent: str) -> None:  # type: ignore[no-untyped-def]
    plan = answer_as(assistant, ["need a laptop for school"], "any from Apple?", intent)
    assert plan.action == "show_products" and plan.facts.not_carried


@pytest.mark.parametrize("intent", ["search_product", UNSURE])
def test_a_present_to_buy_is_a_search(assistant, intent: str) -> None:  # type: ignore[no-untyped-def]
    plan = answer_as(assistant, [], "I want to buy a present for my 8 year old nephew", intent)
    assert plan.action == "show_products" and plan.products


@pytest.mark.parametrize("intent", ["refine", "shipping_info"])
def test_cheaper_options_like_a_shown_one_are_products(assistant, intent: str) -> None:  # type: ignore[no-untyped-def]
    plan = answer_as(assistant, ["show me sofas"], "are there cheaper options like the second one?", intent)
    assert plan.action == "show_products" and plan.products


@pytest.mark.parametrize("intent", ["refine", "feedback_positive"])
def test_a_bare_reference_tells_about_that_product(assistant, intent: str) -> None:  # type: ignore[no-untyped-def]
    plan = answer_as(assistant, ["show me desk lamps"], "the second one", intent)
    assert plan.action == "answer_question" and len(plan.products) == 1


def test_praise_of_a_product_stays_praise(assistant) -> None:  # type: ignore[no-untyped-def]
    plan = answer_as(assistant, ["show me desk lamps"], "I love the second one", "feedback_positive")
    assert plan.action != "answer_question"


def _prediction(ranking: list[tuple[str, float]], fallback: str | None = None, rule: str | None = None) -> IntentPrediction:
    return IntentPrediction(intent="out_of_scope" if fallback else ranking[0][0], confidence=ranking[0][1], ranking=ranking,
                            out_of_scope=fallback is not None, raw_intent=ranking[0][0], rule=rule, fallback=fallback)


def test_which_readings_another_training_could_give(assistant) -> None:  # type: ignore[no-untyped-def]
    classifier = assistant.understander.intents  # thresholds: fallback below 0.35, or within 0.05 of the runner-up
    assert other_readings(_prediction([("refine", 0.9), ("show_more", 0.05)]), classifier, 0.12) == []
    assert [r for r, _ in other_readings(_prediction([("refine", 0.4), ("show_more", 0.1)]), classifier, 0.12)] == [UNSURE]
    assert [r for r, _ in other_readings(_prediction([("refine", 0.3), ("compare", 0.25)], "low_confidence"), classifier, 0.12)] \
        == ["refine", "compare"]
    assert [r for r, _ in other_readings(_prediction([("refine", 0.6), ("show_more", 0.52)]), classifier, 0.12)] == [UNSURE, "show_more"]
    assert other_readings(_prediction([("refine", 0.3), ("compare", 0.25)], rule="affirm-after-question"), classifier, 0.12) == []


def test_evaluating_readings_reruns_the_close_calls(assistant) -> None:  # type: ignore[no-untyped-def]
    cases = parse_suite(SUITES / "policies.yml")
    report = evaluate_readings(assistant, cases, margin=0.5, progress=False)
    assert report.cases == len(cases) and report.baseline_failures == []
    assert report.turns >= len(cases) and report.close_calls > 0  # a wide margin: some calls are close
    assert all(call.failures and call.read_as for call in report.fragile)
