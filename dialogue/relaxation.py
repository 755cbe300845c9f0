"""Honest search results: when a search's constraints match nothing, find the one constraint whose relaxation brings
the nearest alternatives (else relax one after another), say which it was, and tell a constraint the catalog cannot
meet at all ("We don't carry Apple laptops") from a combination it cannot meet ("no red shoes under $20"); and say
when everything that matches is out of stock.

Decisions are made on filter counts (``ProductStore.count``: a boolean mask, well under a millisecond at 40k
products), so a relaxed search costs one search more than a plain one, and only when the plain one found nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from dialogue.goals import for_age, for_whom, gender_named
from dialogue.state import ConversationState, Goal
from retrieval.models import CORE_ATTRIBUTES, NO_VALUES, YES_VALUES, ProductHit, SearchConstraints, value_phrase

if TYPE_CHECKING:
    from dialogue.manager import DialogueManager

log = logging.getLogger(__name__)

#: The order constraints are relaxed in when several would do: a budget bends before a colour, a colour before the
#: brand asked for, and a size (what fits) last.
ORDER = ("price", "color", "material", "attributes", "brand", "rating", "stock", "size")
#: Relaxed constraints a goal forgets once the category cannot meet them at all, with any other product feature ("OLED")
#: (a budget stays: it is the shopper's).
FORGOTTEN_WHEN_UNAVAILABLE = ("brand", "color", "material", "size")
#: How each relaxed constraint is named in facts and replies.
LABELS = {"price": "price", "color": "colour", "material": "material", "brand": "brand", "rating": "rating", "stock": "stock",
          "size": "size"}


@dataclass
class Relaxation:
    """What an empty search was changed into: the constraints searched, what was dropped, and how to say it."""

    constraints: SearchConstraints
    relaxed: list[str] = field(default_factory=list)
    #: Relaxed constraints that nothing in the category meets, even alone ("Apple" among laptops).
    unavailable: list[str] = field(default_factory=list)

    @property
    def found(self) -> bool:
        return bool(self.relaxed)


@dataclass
class SearchOutcome:
    """A search's hits and how they relate to what was asked: relaxed constraints, what the catalog does not carry,
    whether everything that matches is out of stock."""

    hits: list[ProductHit]
    wanted: SearchConstraints
    applied: SearchConstraints
    relaxed: list[str] = field(default_factory=list)
    unavailable: list[str] = field(default_factory=list)
    not_carried: list[str] = field(default_factory=list)
    all_out_of_stock: bool = False


def run_search(dm: DialogueManager, goal: Goal, exclude: list[str], state: ConversationState | None = None) -> SearchOutcome:
    """Search the goal; when nothing matches, search the nearest satisfiable constraints instead (:func:`relax`) and
    say what was relaxed. In-stock products rank first (the store and the re-ranker
    see to it) unless the shopper asked for the others too; when the best match is out of stock, a filter count tells
    whether everything matching is. With ``state``, results are re-ranked with the conversation's feedback."""
    wanted = for_age(for_whom(goal, dm.products.count), goal.query, dm.age_values)  # "men's boots", "for my 8 year old"
    constraints = wanted.model_copy(update={"exclude_ids": list(dict.fromkeys(exclude))})
    k = dm.settings.page_size
    hits = dm.search(state, goal.query, constraints, k)
    outcome = SearchOutcome(hits=hits, wanted=wanted, applied=wanted)
    if not hits:
        relaxation = relax(constraints, dm.products.count)
        if relaxation.found:
            pool = dm.search(state, goal.query, relaxation.constraints, k * 4 if {"price", "size"} & set(relaxation.relaxed) else k)
            outcome.hits = nearest_first(pool, constraints, relaxation.relaxed, k)
            outcome.applied = relaxation.constraints.model_copy(update={"exclude_ids": []})
            outcome.relaxed, outcome.unavailable = relaxation.relaxed, relaxation.unavailable
            outcome.not_carried = [request_phrase(constraints, dm.settings.currency, names=["brand"])] if "brand" in relaxation.unavailable else []
            log.info("search.relaxed relaxed=%s unavailable=%s", relaxation.relaxed, relaxation.unavailable)
    if outcome.hits and not any(h.product.in_stock for h in outcome.hits):
        in_stock = outcome.applied.model_copy(update={"in_stock": True, "exclude_ids": constraints.exclude_ids})
        outcome.all_out_of_stock = dm.products.count(in_stock) == 0
    return outcome


def relaxed_label(name: str, wanted: SearchConstraints, chinese: bool = False) -> str:
    """How a relaxed constraint is named: "colour", "price", and a product feature by what was asked ("high rise",
    "OLED"; a yes/no one as "waterproof feature", "non-wireless feature"; 防水, 非无线)."""
    values = wanted.attributes_in.get(name, [])
    if name in LABELS or not values:
        return LABELS.get(name, name)
    if len(values) == 1 and values[0].lower() in YES_VALUES | NO_VALUES:
        phrase = value_phrase(name, values[0])
        return phrase if chinese else f"{phrase} feature"
    return ("或" if chinese else " or ").join(values)


def forget_unavailable(goal: Goal, found: SearchOutcome) -> Goal:
    """A brand, colour, material, size or feature the category does not have at all is dropped from the goal once said, so the
    next refinement does not apologise for it again (a budget stays)."""
    forgotten = [name for name in found.unavailable if name in FORGOTTEN_WHEN_UNAVAILABLE or name not in ORDER]
    if not forgotten:
        return goal
    constraints = goal.constraints
    for name in forgotten:
        constraints = without(constraints, name)
    return goal.model_copy(update={"constraints": constraints})


def present(c: SearchConstraints) -> list[str]:
    """The relaxable constraints ``c`` sets, in :data:`ORDER` (who the products are for is never relaxed: men's boots
    in another colour, not women's in black)."""
    names: list[str] = []
    for name in ORDER:
        if name == "attributes":
            names += [key for key, values in c.attributes_in.items() if values and key not in (*CORE_ATTRIBUTES, "gender")]
        elif _has(c, name):
            names.append(name)
    return names


def without(c: SearchConstraints, name: str) -> SearchConstraints:
    """``c`` with the constraint ``name`` (a name of :data:`ORDER` or an attribute key) dropped."""
    if name == "price":
        return c.model_copy(update={"price_min": None, "price_max": None})
    if name == "brand":
        return c.model_copy(update={"brands_in": []})
    if name == "rating":
        return c.model_copy(update={"rating_min": None})
    if name == "stock":
        return c.model_copy(update={"in_stock": False})
    return c.model_copy(update={"attributes_in": {k: v for k, v in c.attributes_in.items() if k != name}})


def only(c: SearchConstraints, name: str) -> SearchConstraints:
    """The category of ``c`` with the constraint ``name`` alone: can the catalog meet it at all?"""
    alone = SearchConstraints(category=c.category)
    if name == "price":
        return alone.model_copy(update={"price_min": c.price_min, "price_max": c.price_max})
    if name == "brand":
        return alone.model_copy(update={"brands_in": c.brands_in})
    if name == "rating":
        return alone.model_copy(update={"rating_min": c.rating_min})
    if name == "stock":
        return alone.model_copy(update={"in_stock": True})
    return alone.model_copy(update={"attributes_in": {name: c.attributes_in.get(name, [])}})


def relax(c: SearchConstraints, count: Callable[[SearchConstraints], int]) -> Relaxation:
    """The nearest satisfiable constraints: the first single relaxation (in :data:`ORDER`) that matches anything,
    else relaxations one after another until something matches. ``count`` counts the products meeting constraints."""
    names = present(c)
    chosen: list[str] = []
    relaxed_c = c
    for name in names:
        if count(without(c, name)) > 0:
            chosen, relaxed_c = [name], without(c, name)
            break
    else:
        for name in names:
            relaxed_c = without(relaxed_c, name)
            chosen.append(name)
            if count(relaxed_c) > 0:
                break
        else:
            return Relaxation(constraints=c)
    unavailable = [name for name in chosen if count(only(c, name)) == 0]
    return Relaxation(constraints=relaxed_c, relaxed=chosen, unavailable=unavailable)


def nearest_first(hits: list[ProductHit], wanted: SearchConstraints, relaxed: list[str], k: int) -> list[ProductHit]:
    """The alternatives closest to what was relaxed first: prices nearest the budget, sizes nearest the size asked
    for (in stock before out of stock, as ever); otherwise the ranking as it was. Stable."""
    def distance(hit: ProductHit) -> tuple[float, ...]:
        key: list[float] = []
        if "price" in relaxed:
            price = hit.product.price
            low, high = wanted.price_min, wanted.price_max
            key.append(max(0.0, price - high) if high is not None else 0.0)
            key[-1] += max(0.0, low - price) if low is not None else 0.0
        if "size" in relaxed:
            key.append(_size_distance(hit.product.values("size"), wanted.attributes_in.get("size", [])))
        return (float(wanted.stock_first and not hit.product.in_stock), *key)

    if not {"price", "size"} & set(relaxed):
        return hits[:k]
    return sorted(hits, key=distance)[:k]


def request_phrase(c: SearchConstraints, currency: str = "USD", *, names: list[str] | None = None) -> str:
    """The request in words, e.g. "red Nimbra sofas under $500.00" (only the constraints ``names``, when given; amounts
    in ``currency``)."""
    def wanted(name: str) -> bool:
        return names is None or name in names

    before: list[str] = [who] if (who := gender_named(c)) and names is None else []
    after: list[str] = []
    if wanted("color") and c.attributes_in.get("color"):
        before.append(" or ".join(v.lower() for v in c.attributes_in["color"]))
    if wanted("material") and c.attributes_in.get("material"):
        before.append(" or ".join(v.lower() for v in c.attributes_in["material"]))
    if wanted("brand") and c.brands_in:
        before.append(" or ".join(c.brands_in))
    for key, values in c.attributes_in.items():  # the product's features: "wireless", "OLED", "trail"
        if key not in (*CORE_ATTRIBUTES, "gender") and values and wanted(key):
            before.append(" or ".join(value_phrase(key, v) for v in values))
    if wanted("size") and c.attributes_in.get("size"):
        after.append("in size " + " or ".join(c.attributes_in["size"]))
    if wanted("price") and (budget := c.price_phrase(currency)) is not None:
        after.append(budget)
    if wanted("rating") and c.rating_min is not None:
        after.append(f"rated {c.rating_min:g}+")
    if wanted("stock") and c.in_stock:
        after.append("in stock")
    return " ".join([*before, category_noun(c.category), *after])


def category_noun(category: str | None) -> str:
    """A category as a plural noun in running text: "Running Shoes" → "running shoes", "TVs" stays "TVs"."""
    if not category:
        return "products"
    def word(w: str) -> str:
        return "-".join(part if sum(ch.isupper() for ch in part) > 1 else part.lower() for part in w.split("-"))

    return " ".join(word(w) for w in category.split())


def _has(c: SearchConstraints, name: str) -> bool:
    if name == "price":
        return c.price_min is not None or c.price_max is not None
    if name == "brand":
        return bool(c.brands_in)
    if name == "rating":
        return c.rating_min is not None
    if name == "stock":
        return c.in_stock
    return bool(c.attributes_in.get(name))


def _size_distance(have: list[str], wanted: list[str]) -> float:
    numbers = [n for n in (_number(v) for v in wanted) if n is not None]
    sizes = [n for n in (_number(v) for v in have) if n is not None]
    if not numbers or not sizes:
        return 0.0
    return min(abs(a - b) for a in sizes for b in numbers)


def _number(value: str) -> float | None:
    head = value.strip().split(" ")[0].rstrip("\"'")
    try:
        return float(head)
    except ValueError:
        return None
