"""Shopping goals: starting a new one vs refining the current one, and "cheaper"/"more premium" anchoring."""

from __future__ import annotations

import re
import statistics
from collections.abc import Callable

from dialogue.request_cues import Person
from dialogue.slots import Slots
from dialogue.state import Goal
from retrieval.models import SearchConstraints


def _without(values: list[str], removed: list[str]) -> list[str]:
    gone = {v.lower() for v in removed}
    return [v for v in values if v.lower() not in gone]


def _union(a: list[str], b: list[str]) -> list[str]:
    return list(dict.fromkeys([*a, *b]))


_MEN = (r"men'?s|mens|male|guys?'?|gents?'?|(?:for\s+)?(?:men|him|a\s+man|a\s+guy|my\s+(?:husband|boyfriend|bf|dad|father|son|brother|"
        r"grandpa|grandfather|uncle|nephew))")
_WOMEN = (r"women'?s|womens|ladies'?|female|(?:for\s+)?(?:women|her|a\s+woman|a\s+lady|my\s+(?:wife|girlfriend|gf|mom|mum|mother|"
          r"daughter|sister|grandma|grandmother|aunt|niece))")
_GENDER = re.compile(rf"\b(?:(?P<men>{_MEN})|(?P<women>{_WOMEN}))(?![\w'])")


def gender_of(text: str) -> str | None:
    """"men's" or "women's" when a message says who the products are for ("for my husband", "womens"), else ``None``."""
    found = [("men's" if m.group("men") else "women's") for m in _GENDER.finditer(text.lower())]
    return found[-1] if len(set(found)) == 1 else None


#: The values of a catalog's ``gender`` attribute that suit who the products are for.
_GENDER_VALUES = {"men's": ["men", "unisex"], "women's": ["women", "unisex"]}
#: Who the products are for, in Chinese.
_GENDER_ZH = {"men's": "男款", "women's": "女款"}


def gender_named(c: SearchConstraints, language: str = "en") -> str | None:
    """Who the products are for as the constraints filter it ("men's", 男款), or None when they do not."""
    values = sorted(v.lower() for v in c.attributes_in.get("gender", []))
    for gender, suits in _GENDER_VALUES.items():
        if values == sorted(suits):
            return _GENDER_ZH[gender] if language == "zh" else gender
    return None


def for_whom(goal: Goal, count: Callable[[SearchConstraints], int]) -> SearchConstraints:
    """The goal's constraints, with who the products are for ("for men", "for my wife": the category's men's or
    unisex products) where the category's products say so (a ``gender`` attribute); unchanged elsewhere. The goal keeps
    it in its words (its query) only, so a later "for my wife" is read again from them."""
    c = goal.constraints
    gender = gender_of(goal.query)
    if gender is None or not c.category or "gender" in c.attributes_in:
        return c
    wanted = {"gender": _GENDER_VALUES[gender]}
    if count(SearchConstraints(category=c.category, attributes_in=wanted)) == 0:
        return c  # no gender in this category's facts (a lamp): the query's words do what they can
    return c.model_copy(update={"attributes_in": {**c.attributes_in, **wanted}})


_AGE = re.compile(r"\b(\d{1,2})[\s-]*(?:years?|yrs?)[\s-]*old\b|\b(?:aged?|ages)\s+(\d{1,2})\b|(?<!\d)(\d{1,2})\s*(?:周)?岁(?!以上|以下|\+)")
#: An attribute value that gives the youngest age a product is for: "8+", "8岁以上".
AGE_VALUE = re.compile(r"^\s*(\d{1,2})\s*(?:\+|岁以上)\s*$")


def age_of(text: str) -> int | None:
    """The age of the child products are for ("my 8 year old nephew", "for ages 6", 给5岁的孩子), or None."""
    found = [int(next(g for g in m.groups() if g)) for m in _AGE.finditer(text.lower())]
    return found[-1] if found else None


def for_age(c: SearchConstraints, text: str, age_values: dict[str, list[str]]) -> SearchConstraints:
    """``c`` without the products meant for children older than the age the words name ("for my 8 year old": not the
    10+ board games); ``age_values``: each attribute of such values ("age": ["3+", "8+", …]) → its values. Within a
    category, products without an age are kept; a search of no category keeps to products for children."""
    age = age_of(text)
    if age is None:
        return c
    starts = {key: {v: int(m.group(1)) for v in values if (m := AGE_VALUE.match(v))} for key, values in age_values.items()}
    if not c.category:  # "a present for my 8 year old": children's products, not a pet's toys
        suits = {key: [v for v, start in values.items() if start <= age] for key, values in starts.items()}
        return c.model_copy(update={"attributes_in": {**c.attributes_in, **{k: v for k, v in suits.items() if v}}})
    too_old = {key: [v for v, start in values.items() if start > age] for key, values in starts.items()}
    out = {**c.attributes_out}
    for key, values in too_old.items():
        if values:
            out[key] = list(dict.fromkeys([*out.get(key, []), *values]))
    return c.model_copy(update={"attributes_out": out})


def ages_in(values: list[str]) -> list[int]:
    """The ages ``values`` start at when all of them are such ages ("10+", "12岁以上"), else []."""
    ages = [int(m.group(1)) for v in values if (m := AGE_VALUE.match(v))]
    return ages if len(ages) == len(values) else []


def who_for(query: str) -> str:
    """The words of a query that say who its products are for ("men's", "(8 years old)"): kept when its other words
    are replaced."""
    gender, age = gender_of(query), age_of(query)
    return " ".join([*([gender] if gender else []), *([_age_phrase(age)] if age is not None else [])])


def _age_phrase(age: int) -> str:
    """A child's age as a query carries it (``age_of`` reads it back)."""
    return f"({age} years old)"


def start_goal(previous: Goal | None, slots: Slots, query: str, *, keep_budget: bool = True,
               person: Person | None = None) -> Goal:
    """A new category starts a new goal; a brand ban and (``keep_budget``) a budget carry over (the search relaxes
    the budget when it rules everything out), and so do who the products are for ("men's" said earlier) and a child's
    age, unless the message says: when it names a category, or (``person`` "same") tells what the same person likes
    ("a gift for my 10 year old nephew", then "he likes science"); never to someone else (``person`` "other": "she
    likes knitting" after a gift for a son)."""
    carried = SearchConstraints()
    if previous is not None:
        old = previous.constraints
        carried = SearchConstraints(brands_out=old.brands_out, price_min=old.price_min if keep_budget else None,
                                    price_max=old.price_max if keep_budget else None)
        gender = gender_of(previous.query)
        carries = person != "other" and (slots.category or person == "same")
        if gender and gender_of(query) is None and carries:
            query = f"{query} {gender}"
        age = age_of(previous.query)
        if age is not None and age_of(query) is None and carries:
            query = f"{query} {_age_phrase(age)}"  # still for the same child
    return Goal(query=query, constraints=overlay(carried, slots.to_constraints()))


def refine_goal(goal: Goal, slots: Slots, extra_query: str = "") -> Goal:
    constraints = overlay(goal.constraints, slots.to_constraints())
    query = f"{goal.query} {extra_query}".strip() if extra_query else goal.query
    return goal.model_copy(update={"constraints": constraints, "query": query})


def overlay(base: SearchConstraints, new: SearchConstraints) -> SearchConstraints:
    """``new`` wins where it says something; exclusions accumulate (kinds of product too: "not a knife"); a value
    asked for again is no longer excluded."""
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
    categories_out = _without(_union(base.categories_out, new.categories_out), [new.category] if new.category else [])
    category = new.category or base.category
    if category and category.lower() in {c.lower() for c in new.categories_out}:
        category = None  # "not knives" while searching knives: leave the kind, keep the rest of the search
    return SearchConstraints(
        category=category,
        categories_out=categories_out,
        brands_in=brands_in,
        brands_out=brands_out,
        price_min=price_min,
        price_max=price_max,
        attributes_in=attributes_in,
        attributes_out=attributes_out,
        rating_min=new.rating_min if new.rating_min is not None else base.rating_min,
        in_stock=new.in_stock or base.in_stock,
    )


def anchor_price(constraints: SearchConstraints, hint: str, prices: list[float]) -> SearchConstraints:
    """"cheaper": below the median of ``prices`` (those shown, or a category's for "cheap laptops"); "more premium":
    above it."""
    if not prices:
        return constraints
    median = statistics.median(prices)
    if hint == "cheaper":
        limit = round(median - 0.01, 2)
        current = constraints.price_max
        return constraints.model_copy(update={"price_max": min(limit, current) if current is not None else limit, "price_min": None})
    if hint == "more_premium":
        return constraints.model_copy(update={"price_min": round(median + 0.01, 2), "price_max": None})
    return constraints


#: "go back to the coffee makers", "back to those lamps", "the headphones from before", "show me the kettles again".
_RECALL = re.compile(r"\b(?:(?:go|get|going|switch|head|come|jump|move|swing)\s+back\s+to|back\s+to|return\s+to|revisit|again\b|"
                     r"from\s+(?:before|earlier)|(?:you\s+)?(?:showed|shown)\s+(?:me\s+)?(?:before|earlier)|we\s+(?:looked\s+at|saw|were\s+looking\s+at)|"
                     r"i\s+(?:looked\s+at|saw|was\s+looking\s+at)|(?:the\s+)?(?:earlier|previous)\s+(?:ones?|search|results?|list))")
#: The same in Chinese: 回到刚才的耳机, 还是看之前那些咖啡机, 前面的台灯 (a category named, or 回到/返回 for the one before).
_RECALL_ZH = re.compile(r"回到|返回|回去看|(?:刚才|刚刚|之前|前面|先前|上次)(?:的|那些|那个|那几|那款|看的|搜的)")
_BACK_ZH = re.compile(r"回到|返回|回去")
_RECALL_FILLER = frozenset("go get going switch head come jump move swing back to return revisit again from before earlier the those these "
                           "that them ones one please pls let's lets let us can we could i want show me look at looking let's "
                           "previous search results list you showed shown saw we were was what had have stuff things thing".split())


#: "the first results", "the original search": the current search as it began, before its refinements.
_FIRST_RESULTS = re.compile(r"\b(?:first|original|initial|very\s+first|starting)\s+(?:results?|lists?|search(?:es)?|options|products)\b|"
                            r"(?:最开始|一开始|最初|第一次)(?:的|那些|那批|搜的|看的)")
#: "the previous results", "the list from before": the search as it was before the latest refinement.
_PREVIOUS_RESULTS = re.compile(r"\b(?:previous|earlier|last|prior|other)\s+(?:results?|lists?|search(?:es)?|options|products)\b|"
                               r"\b(?:results?|lists?|options)\s+(?:from\s+)?(?:before|earlier)\b")


def goes_back(text: str) -> bool:
    """Whether the message speaks of going back to something seen before ("go back to the laptops", 回到刚才的耳机)."""
    return bool(_RECALL.search(text.lower()) or _RECALL_ZH.search(text))


def recall(past: list[Goal], slots: Slots, text: str, current: Goal | None = None, trail: list[Goal] | None = None) -> Goal | None:
    """The earlier goal a message goes back to ("go back to the coffee makers", "back to the lamps from before"): the
    latest one of the category it names, or, when it names none, the latest one its words fit; ``None`` when the
    message is no going back or no earlier goal fits. The ``current`` goal counts when the message names it ("go back
    to the dishwashers" after a detour to the cart or an order), never for a bare "go back" (the one before it).
    "the first results" and "the previous results" go back along ``trail``, the current search's earlier versions (to
    the search of the category before when it has none, else to the current search as it is)."""
    named = [*past, current] if current is not None else past
    lowered = text.lower()
    if not named or not goes_back(text):
        return None
    if not slots.category and (_FIRST_RESULTS.search(lowered) or _PREVIOUS_RESULTS.search(lowered)):
        if trail:
            return trail[0] if _FIRST_RESULTS.search(lowered) else trail[-1]
        return past[-1] if past and _PREVIOUS_RESULTS.search(lowered) else current or past[-1]
    if slots.category:
        wanted = slots.category.lower()
        same = next((g for g in reversed(named) if (g.constraints.category or "").lower() == wanted), None)
        if same is not None:
            return same
    words = {_stem(w) for w in re.findall(r"[a-z]+", text.lower()) if w not in _RECALL_FILLER and len(w) > 2}
    if not words:
        back = re.search(r"\b(?:back|before|earlier|previous)\b", text.lower()) or _BACK_ZH.search(text)
        return past[-1] if past and back else None  # "go back to what we had before", 回到刚才的
    for goal in reversed(named):
        known = {_stem(w) for w in re.findall(r"[a-z]+", f"{goal.constraints.category or ''} {goal.query}".lower())}
        if words & known:
            return goal
    return None


def _stem(word: str) -> str:
    return word[:-1] if word.endswith("s") and len(word) > 3 else word
