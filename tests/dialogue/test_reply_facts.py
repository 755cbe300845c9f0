"""Reply facts are typed by the plan's action: a dict is validated into the action's class, misspelt or misplaced
facts are refused, and a plan's JSON keeps exactly the facts that were given."""

from __future__ import annotations

import json

import pytest
from pydantic import ValidationError

from dialogue.actions import ACTIONS
from dialogue.plan import ReplyPlan
from dialogue.reply_facts import (
    FACTS_BY_ACTION,
    CancelOrderFacts,
    ClarificationFacts,
    GreetFacts,
    OrderStatusFacts,
    PolicyFacts,
    ReturnItemFacts,
)


def test_every_action_has_a_facts_class() -> None:
    assert set(FACTS_BY_ACTION) == set(ACTIONS)


def test_a_facts_dict_becomes_the_actions_class() -> None:
    plan = ReplyPlan(action="policy_answer", facts={"known": True, "topic": "returns", "title": "Returns", "sentences": ["30 days."]})
    assert isinstance(plan.facts, PolicyFacts) and plan.facts.topic == "returns" and plan.facts.sentences == ["30 days."]
    assert isinstance(ReplyPlan(action="greet").facts, GreetFacts)
    assert type(ReplyPlan(action="cancel_order", facts={"order_id": "ORD-1"}).facts) is CancelOrderFacts
    assert type(ReplyPlan(action="return_item", facts={"order_id": "ORD-1"}).facts) is ReturnItemFacts


def test_a_misspelt_fact_is_refused() -> None:
    with pytest.raises(ValidationError, match="topik"):
        ReplyPlan(action="policy_answer", facts={"known": True, "topik": "returns"})
    with pytest.raises(ValidationError, match="slot"):
        ReplyPlan(action="ask_clarification", facts={"question": "Which one?"})  # a question always says what it asks for


def test_another_actions_facts_are_refused() -> None:
    with pytest.raises(ValidationError, match="takes CancelOrderFacts, not OrderStatusFacts"):
        ReplyPlan(action="cancel_order", facts=OrderStatusFacts(order_id="ORD-1"))
    with pytest.raises(ValidationError, match="cancelled"):
        ReplyPlan(action="order_status", facts={"order_id": "ORD-1", "cancelled": True})  # only cancel_order has it


def test_a_plans_json_holds_only_the_given_facts() -> None:
    facts = {"slot": "size", "question": "Which size?", "options": ["M", "L"], "title": "Trail Runner"}
    plan = ReplyPlan(action="ask_clarification", facts=facts)
    assert plan.model_dump(mode="json")["facts"] == facts
    assert json.loads(plan.model_dump_json())["facts"] == facts
    assert ReplyPlan(action="ask_clarification", facts={"slot": "reference", "question": "Which one?"}).model_dump()["facts"] == {
        "slot": "reference", "question": "Which one?"}
    assert ReplyPlan.model_validate(plan.model_dump(mode="json")) == plan


def test_facts_set_after_construction_count_as_given() -> None:
    facts = ReturnItemFacts(order_id="ORD-1", found=True)
    facts.returnable = True
    assert facts.given() == {"order_id": "ORD-1", "found": True, "returnable": True}


def test_numbers_in_facts_are_allowed_prices() -> None:
    plan = ReplyPlan(action="cart_add", facts={"added": True, "title": "Lamp", "quantity": 2, "unit_price": 19.5})
    assert {2.0, 19.5} <= plan.allowed_prices()
    assert 0.0 not in ReplyPlan(action="checkout", facts={"empty": True}).allowed_prices()  # defaults are not facts


def test_a_clarification_plan_reads_by_attribute() -> None:
    plan = ReplyPlan(action="ask_clarification", facts=ClarificationFacts(slot="category", question="What for?", options=["Shoes"]))
    assert plan.facts_as(ClarificationFacts).options == ["Shoes"]
    with pytest.raises(TypeError):
        plan.facts_as(PolicyFacts)
