"""Goals kept across a topic switch: going back to an earlier search, and who the products are for carried over."""

from __future__ import annotations

import pytest

from dialogue.goals import gender_of, recall, refine_goal, start_goal
from dialogue.slots import Slots
from dialogue.state import ConversationState, Goal, GoalEvent, ResetEvent, ShownEvent
from retrieval.models import SearchConstraints


def _goal(category: str, query: str, price_max: float | None = None) -> Goal:
    return Goal(query=query, constraints=SearchConstraints(category=category, price_max=price_max))


PAST = [_goal("Coffee Makers", "coffee makers under 100", 100), _goal("Desk Lamps", "desk lamps", 60), _goal("Headphones", "headphones")]


@pytest.mark.parametrize(("text", "category", "expected"), [
    ("go back to the coffee makers", "Coffee Makers", "Coffee Makers"),
    ("ok back to the lamps", "Lighting", "Desk Lamps"),
    ("show me the headphones again", "Headphones", "Headphones"),
    ("the lamps from before", None, "Desk Lamps"),
    ("go back to what we had before", None, "Headphones"),
    ("back to the sofas", "Sofas", None),
    ("show me coffee makers", "Coffee Makers", None),
    ("try again", None, None),
    ("回到刚才的咖啡机", "Coffee Makers", "Coffee Makers"),
    ("还是看看之前那些台灯吧", "Desk Lamps", "Desk Lamps"),
    ("回到刚才的", None, "Headphones"),
    ("之前的订单到哪了", None, None),
    ("我再看看", None, None),
])
def test_going_back_to_an_earlier_search(text: str, category: str | None, expected: str | None) -> None:
    found = recall(PAST, Slots(category=category), text)
    assert (found.constraints.category if found else None) == expected
    if expected == "Coffee Makers":
        assert found is not None and found.constraints.price_max == 100


def test_going_back_to_the_current_search_after_a_detour() -> None:
    """"go back to the dishwashers" after the cart or an order: the current goal when named, never for a bare "go back"."""
    current = _goal("Dishwashers", "quiet dishwasher under 600", 600)
    assert recall(PAST, Slots(category="Dishwashers"), "go back to the dishwashers", current) == current
    assert recall([], Slots(category="Dishwashers"), "回到刚才的洗碗机", current) == current
    assert recall(PAST, Slots(), "go back to what we had before", current) == PAST[-1]
    assert recall([], Slots(), "go back", current) is None


def test_a_topic_switch_keeps_the_earlier_goal_in_the_state() -> None:
    state = ConversationState(conversation_id="c", sender="s")
    for goal in (*PAST, _goal("Coffee Makers", "coffee makers again", 80)):
        state.apply(GoalEvent(goal=goal))
    assert [g.constraints.category for g in state.past_goals] == ["Desk Lamps", "Headphones"]
    state.apply(GoalEvent(goal=state.goal.model_copy(update={"query": "coffee makers, red"})))  # type: ignore[union-attr]
    assert len(state.past_goals) == 2, "refining the same category is no topic switch"
    state.apply(ResetEvent())
    assert state.past_goals == [] and state.goal is None


@pytest.mark.parametrize(("text", "gender"), [
    ("men's running shoes", "men's"), ("mens hoodies", "men's"), ("something for my wife", "women's"), ("womens jeans", "women's"),
    ("sneakers for him", "men's"), ("show me jackets", None), ("a gift for my husband and my wife", None), ("menswear", None),
])
def test_who_the_products_are_for(text: str, gender: str | None) -> None:
    assert gender_of(text) == gender


def test_a_new_category_keeps_who_the_products_are_for() -> None:
    previous = Goal(query="men's running shoes", constraints=SearchConstraints(category="Running Shoes", price_max=120))
    jackets = start_goal(previous, Slots(category="Jackets"), "now show me jackets")
    assert gender_of(jackets.query) == "men's" and jackets.constraints.price_max == 120
    womens = start_goal(previous, Slots(category="Sweaters"), "women's sweaters")
    assert gender_of(womens.query) == "women's"


def test_who_the_products_are_for_filters_where_the_category_says() -> None:
    """"boots for men": the category's men's and unisex boots; a category without a gender attribute is left alone."""
    from dialogue.goals import for_whom

    def count(c: SearchConstraints) -> int:  # boots carry a gender attribute, lamps do not
        return int(c.category == "Boots")

    boots = Goal(query="black boots for men", constraints=SearchConstraints(category="Boots", attributes_in={"color": ["Black"]}))
    assert for_whom(boots, count).attributes_in == {"color": ["Black"], "gender": ["men", "unisex"]}
    lamps = Goal(query="a desk lamp for my wife", constraints=SearchConstraints(category="Desk Lamps"))
    assert for_whom(lamps, count) == lamps.constraints
    assert for_whom(Goal(query="boots", constraints=SearchConstraints(category="Boots")), count).attributes_in == {}


def test_the_age_of_a_child_keeps_out_products_for_older_children() -> None:
    from dialogue.goals import age_of, for_age

    assert [age_of(t) for t in ("for my 8 year old nephew", "a 10-year-old", "toys for ages 6", "给5岁的孩子", "size 8")] == [8, 10, 6, 5, None]
    ages = {"age": ["3+", "8+", "10+", "14+"]}
    within = for_age(SearchConstraints(category="Board Games"), "a game for my 8 year old", ages)
    assert within.attributes_out == {"age": ["10+", "14+"]} and not within.attributes_in  # a game without an age stays
    anything = for_age(SearchConstraints(), "a present for my 8 year old", ages)
    assert anything.attributes_in == {"age": ["3+", "8+"]}  # no category: children's products only
    assert for_age(SearchConstraints(), "a present for my dad", ages) == SearchConstraints()


def test_kinds_left_out_accumulate_and_a_kind_asked_for_again_is_back() -> None:
    cooking = Goal(query="a gift for my dad who likes cooking", constraints=SearchConstraints(price_max=60))
    no_knives = refine_goal(cooking, Slots(categories_out=["Kitchen Knives"]))
    no_kettles = refine_goal(no_knives, Slots(categories_out=["Electric Kettles"]))
    assert no_kettles.constraints.categories_out == ["Kitchen Knives", "Electric Kettles"] and no_kettles.constraints.price_max == 60
    knives_again = refine_goal(no_kettles, Slots(category="Kitchen Knives"))
    assert knives_again.constraints.category == "Kitchen Knives" and knives_again.constraints.categories_out == ["Electric Kettles"]
    # "not knives" while searching knives: the kind goes, the budget stays
    not_knives = refine_goal(knives_again, Slots(categories_out=["kitchen knives"]))
    assert not_knives.constraints.category is None and not_knives.constraints.price_max == 60
    # a new kind of product starts a new goal: what was left out of the last one is not carried
    assert start_goal(no_kettles, Slots(category="Sofas"), "sofas").constraints.categories_out == []


def test_the_previous_and_the_first_results_go_back_along_the_current_search() -> None:
    shoes = _goal("Running Shoes", "running shoes")
    red = shoes.model_copy(update={"constraints": SearchConstraints(category="Running Shoes", attributes_in={"color": ["Red"]})})
    cheap = red.model_copy(update={"constraints": red.constraints.model_copy(update={"price_max": 100})})
    state = ConversationState(conversation_id="c", sender="s")
    for goal, shown in ((shoes, ["P1", "P2"]), (red, ["P3", "P4"]), (cheap, ["P5"])):
        state.apply(GoalEvent(goal=goal))
        state.apply(ShownEvent(product_ids=shown))
    state.apply(GoalEvent(goal=cheap.model_copy(update={"asked": ["type"]})))  # the same search: no new version
    assert [(e.goal, e.shown) for e in state.goal_trail] == [(shoes, ["P1", "P2"]), (red, ["P3", "P4"])]
    trail = [e.goal for e in state.goal_trail]
    assert recall([], Slots(), "go back to the previous results", cheap, trail) == red
    assert recall([], Slots(), "show me the first results again", cheap, trail) == shoes
    assert recall([], Slots(), "回到最开始的结果", cheap, trail) == shoes
    assert recall([], Slots(category="Running Shoes"), "back to the running shoes", cheap, trail) == cheap  # a kind named: as before
    state.apply(GoalEvent(goal=red))  # gone back to it: what came after is undone
    assert [e.goal for e in state.goal_trail] == [shoes]
    # with no earlier version: the search of the category before, else the current search as it is (never a reset)
    assert recall(PAST, Slots(), "go back to the previous results", cheap, []) == PAST[-1]
    assert recall([], Slots(), "go back to the first results", cheap, []) == cheap
    state.apply(GoalEvent(goal=_goal("Sofas", "sofas")))
    assert state.goal_trail == [], "a topic switch starts a new trail"
    state.apply(GoalEvent(goal=_goal("Sofas", "leather sofas")))
    state.apply(ResetEvent())
    assert state.goal_trail == []
