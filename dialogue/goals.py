"""Shopping goals: starting a new one vs refining the current one, and "cheaper"/"more premium" anchoring."""

from __future__ import annotations

import statistics

from dialogue.slots import Slots
from dialogue.state import Goal
from retrieval.models import Product, SearchConstraints


def _without(values: list[str], removed: list[str]) -> list[str]:
    gone = {v.lower() for v in removed}
    return [v for v in values if v.lower() not in gone]


def _union(a: list[str], b: list[str]) -> list[str]:
    return list(dict.fromkeys([*a, *b]))


def start_goal(previous: Goal | None, slots: Slots, query: str) -> Goal:
    """A new category starts a new goal; a brand ban and a budget carry over (the search relaxes the budget when it
    rules everything out)."""
    carried = SearchConstraints()
    if previous is not None:
        old = previous.constraints
        carried = SearchConstraints(brands_out=old.brands_out, price_min=old.price_min, price_max=old.price_max)
    return Goal(query=query, constraints=overlay(carried, slots.to_constraints()))


def refine_goal(goal: Goal, slots: Slots, extra_query: str = "") -> Goal:
    constraints = overlay(goal.constraints, slots.to_constraints())
    query = f"{goal.query} {extra_query}".strip() if extra_query else goal.query
    return goal.model_copy(update={"constraints": constraints, "query": query})


def overlay(base: SearchConstraints, new: SearchConstraints) -> SearchConstraints:
    """``new`` wins where it says something; exclusions accumulate; a value asked for again is no longer excluded."""
    brands_in = new.brands_in or _without(base.brands_in, new.brands_out)
    brands_out = _without(_union(base.brands_out, new.brands_out), new.brands_in)
    attributes_in = {k: v for k, v in base.attributes_in.items() if v}
    attributes_in.update({k: v for k, v in new.attributes_in.items() if v})
    attributes_out: dict[str, list[str]] = {}
    for key in set(base.attributes_out) | set(new.attributes_out):
        values = _without(_union(base.attributes_out.get(key, []), new.attributes_out.get(key, [])), new.attributes_in.get(key, []))
        if values:
            attributes_out[key] = values
    for key, values in attributes_out.items():
        if key in attributes_in:
            attributes_in[key] = _without(attributes_in[key], values)
            if not attributes_in[key]:
                del attributes_in[key]
    price_min = new.price_min if new.price_min is not None else base.price_min
    price_max = new.price_max if new.price_max is not None else base.price_max
    if new.price_max is not None and new.price_min is None and price_min is not None and price_min > new.price_max:
        price_min = None
    if new.price_min is not None and new.price_max is None and price_max is not None and price_max < new.price_min:
        price_max = None
    return SearchConstraints(
        category=new.category or base.category,
        brands_in=brands_in,
        brands_out=brands_out,
        price_min=price_min,
        price_max=price_max,
        attributes_in=attributes_in,
        attributes_out=attributes_out,
        rating_min=new.rating_min if new.rating_min is not None else base.rating_min,
        in_stock=new.in_stock or base.in_stock,
    )


def anchor_price(constraints: SearchConstraints, hint: str, shown: list[Product]) -> SearchConstraints:
    """"cheaper": below the median price shown; "more premium": above it."""
    if not shown:
        return constraints
    median = statistics.median(p.price for p in shown)
    if hint == "cheaper":
        limit = round(median - 0.01, 2)
        current = constraints.price_max
        return constraints.model_copy(update={"price_max": min(limit, current) if current is not None else limit, "price_min": None})
    if hint == "more_premium":
        return constraints.model_copy(update={"price_min": round(median + 0.01, 2), "price_max": None})
    return constraints
