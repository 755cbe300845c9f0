"""Finding products: new searches, refinements, paging, clarifying questions and feedback-driven re-searches."""

from __future__ import annotations

import logging
import re
from functools import cached_property
from typing import TYPE_CHECKING, Any, Literal

from dialogue.constraint_words_zh import describe_constraints_zh, request_phrase_zh
from dialogue.goals import age_of, ages_in, anchor_price, gender_named, gender_of, overlay, refine_goal, start_goal, who_for
from dialogue.handlers.products import beyond_the_shown
from dialogue.interests import goods_for
from dialogue.lexicon import tokens_of
from dialogue.measures import value_range
from dialogue.pending import AwaitingReference
from dialogue.plan import ReplyPlan
from dialogue.qa.questions import read_question
from dialogue.relaxation import category_noun, forget_unavailable, relaxed_label, request_phrase, run_search
from dialogue.reply_facts import (
    ClarificationFacts,
    ClarifiedSlot,
    GreetFacts,
    ShowProductsFacts,
)
from dialogue.request_cues import (Person, interest_en, interest_zh, kinds_meant_zh, person_spoken_of, pronoun_gender, size_step,
                                   stock_wish, tells_an_interest, unknown_brand, unknown_kind, unknown_kind_zh, wants_other_colour)
from dialogue.sizes import next_size
from dialogue.slots import Slots
from dialogue.state import FeedbackEvent, FeedbackRecord, Goal, GoalEvent, ServiceEvent, ShownEvent
from retrieval.facets import CatalogFacets
from retrieval.models import YES_VALUES, Product, ProductHit, SearchConstraints, value_phrase

if TYPE_CHECKING:
    from dialogue.manager import DialogueManager, Turn

#: Words that say nothing about *what* the shopper wants.
GENERIC_WORDS = frozenset(
    """i im i'm me my we a an the some any something anything stuff thing things need needs want wanna looking look
    search find get buy shop shopping show see browse recommend recommendation recommendations suggest suggestion ideas
    idea help please pls can could would you do have got sell selling what whats what's is are there for to of in on
    with and or gift gifts present presents nice good great cool new best get some kind sort type add also too""".split()
) | frozenset(  # who it is for and the words around what they like ("a gift for my dad", "he likes cooking"): the
    # goal's gender or age, if anything, not what to search for
    """him her his hers he she they them their someone somebody dad daddy father mom mommy mum mother parents wife husband
    son daughter boyfriend girlfriend bf gf partner fiance fiancee friend friends bestie boss coworker colleague teacher
    grandma grandpa grandmother grandfather granny nephew niece brother sister uncle aunt cousin likes loves enjoys into
    big fan really birthday christmas xmas anniversary valentine valentines holiday holidays""".split())
#: Head nouns of accessories: "a phone case" asks for the case, not for a phone.
ACCESSORY = re.compile(r"^(cases|covers|bags|chargers|stands|mounts|holders|straps|sleeves|protectors|cables|adapters|skins|"
                       r"pouches|docks|batteries|refills|filters|parts|accessories)$")
GIFT_WORDS = ("gift", "present", "birthday", "christmas", "anniversary")
SURPRISE = ("surprise me", "anything", "no preference", "don't know", "dont know", "whatever", "not sure", "any")
_WORD = re.compile(r"[a-z][a-z'\-]+")
#: A size the slot reader made of "N inch" / N寸.
_INCH_SIZE = re.compile(r"^\d+(?:\.\d+)?\s*inch$")

log = logging.getLogger(__name__)


def search(dm: DialogueManager, turn: Turn) -> ReplyPlan:
    slots = turn.nlu.slots
    goal = turn.state.goal
    forget_measure_read_as_kind(dm, turn)
    read_unknown_brand(dm, turn)
    for_someone = says_whom_it_is_for(turn)
    if goal is not None and not slots.category and not for_someone \
            and (not slots.is_empty() or not (_content_words(turn.text) or interest_zh(turn.text))):
        if slots.is_empty() and (kind := not_carried_kind(dm, turn)) is not None:  # 有冲浪板吗 after yoga mats
            return turn.plan("show_products", facts=ShowProductsFacts(not_carried=[kind]), quick_replies=top_categories(dm)[:6])
        return refine(dm, turn)  # "do you have any in black?" refines the current search; 她喜欢画画 is a search of its own
    if (which := kinds_to_choose(dm, turn)) is not None:
        return ask(turn, start_goal(goal, slots, turn.nlu.search_text), "category", *which)
    read_category_by_meaning(dm, turn)
    if (kind := not_carried_kind(dm, turn)) is not None:
        return turn.plan("show_products", facts=ShowProductsFacts(not_carried=[kind]), quick_replies=top_categories(dm)[:6])
    pastime = pastime_not_served(dm, turn)
    if goal is not None and goal.constraints.category and not slots.category and not for_someone \
            and not any(w in turn.text.lower() for w in GIFT_WORDS):
        return refine(dm, turn)  # "something for a summer wedding" after dresses: dresses for it, not perfume
    person = person_spoken_of(turn.text, gender_of(goal.query) if goal is not None else None) if for_someone else None
    query = turn.nlu.search_text
    if person == "other":  # "she likes knitting" after a gift for a son: hers, not his
        query = f"{query} {pronoun_gender(turn.text)}"
    found = new_search(dm, goal, slots, query, person=person)
    new_goal = with_price_words(dm, with_stock_wish(with_features(dm, found, turn.text), turn.text), slots)
    if pastime is not None:
        return for_a_pastime_not_served(dm, turn, new_goal, pastime)
    question = clarifying_question(dm, new_goal, turn.text)
    if question is not None:
        return ask(turn, with_price_wish(new_goal, slots), *question)
    return show(dm, turn, new_goal)


def ask_what_kind(dm: DialogueManager, turn: Turn) -> ReplyPlan:
    """"I want to buy something (else)", 我想买东西: a new request whose kind is still to be said, asked for (once:
    after two questions in a row the catalog's best are shown)."""
    goal = Goal(query=turn.text)
    if asked_in_a_row(turn, "category"):
        return show(dm, turn, goal)
    return ask(turn, goal, "category", "What are you shopping for today?", top_categories(dm)[:6])


def says_whom_it_is_for(turn: Turn) -> bool:
    """"something for my mom who loves gardening", "he likes cooking": a search for what that person likes, not a
    refinement of the current one (but "she likes red" or "she likes Acme" is: a colour, material or brand)."""
    slots = turn.nlu.slots
    return tells_an_interest(turn.text) and not (slots.colors or slots.materials or slots.brands)


def search_to_add(dm: DialogueManager, turn: Turn) -> ReplyPlan:
    """"add a yoga mat to my cart" (来点瑜伽垫) with nothing shown: find them first and ask which one to add; the answer
    ("the second one", "the first in size 10") adds it (``AwaitingReference``)."""
    plan = search(dm, turn)
    if plan.action != "show_products" or not plan.products:
        return plan
    turn.emit(ServiceEvent(pending=AwaitingReference(intent="add_to_cart")))
    facts = plan.facts_as(ShowProductsFacts)
    return plan.model_copy(update={"facts": facts.model_copy(update={"ask_which_to_add": True})})


def refine(dm: DialogueManager, turn: Turn) -> ReplyPlan:
    goal = turn.state.goal
    slots = turn.nlu.slots
    forget_measure_read_as_kind(dm, turn)
    read_unknown_brand(dm, turn)
    if goal is None:
        if slots.is_empty():
            return ask(turn, Goal(query=turn.text), "category", "What are you looking for?", top_categories(dm))
        return search(dm, turn)
    if slots.category and goal.constraints.category and slots.category.lower() != goal.constraints.category.lower():
        return show(dm, turn, with_features(dm, new_search(dm, goal, slots, turn.nlu.search_text), turn.text))
    extra = "" if stock_wish(turn.text) else " ".join(_content_words(turn.text, slots_removed=True))  # "sold out" is no product word
    new_goal = with_features(dm, refine_goal(goal, with_seen_left_out(dm, turn, slots), extra), turn.text)
    new_goal = with_size_stepped(dm, turn, new_goal)
    graded = beyond_the_shown(dm, turn, new_goal)  # "something lighter": lighter than those in view
    if isinstance(graded, ReplyPlan):
        return graded
    new_goal = graded or new_goal
    if slots.price_hint:
        shown = [p for pid in turn.state.last_shown if (p := dm.product(pid))]
        new_goal = new_goal.model_copy(update={"constraints": anchor_price(new_goal.constraints, slots.price_hint, [p.price for p in shown])})
        if slots.price_hint == "cheaper":
            turn.emit(FeedbackEvent(feedback=FeedbackRecord(turn=turn.state.turn_count, kind="too_expensive", source="text", detail=turn.text)))
    return show(dm, turn, with_stock_wish(new_goal, turn.text))


def forget_measure_read_as_kind(dm: DialogueManager, turn: Turn) -> None:
    """"Ones with more storage" after laptops: more of the laptops' storage, not the Storage category (a kind of
    product the search would have switched to): the category slot is dropped when it names an attribute the searched
    category's products have and the message asks for more or less of it."""
    slots, goal = turn.nlu.slots, turn.state.goal
    category = goal.constraints.category if goal is not None else None
    if not slots.category or not category or slots.category.lower() == category.lower() \
            or read_question(turn.text).kind != "superlative":
        return
    if dm.products.facets().values_by_level(slots.category.lower()).get(category):
        slots.category = None


def with_size_stepped(dm: DialogueManager, turn: Turn, goal: Goal) -> Goal:
    """"A size bigger", "one size down", 大一码: the goal's one size moved to the next the category comes in (size 9 →
    10, M → L); unchanged when the goal has no single size or none comes after it."""
    step = size_step(turn.text)
    sizes = goal.constraints.attributes_in.get("size", [])
    if not step or len(sizes) != 1 or not goal.constraints.category:
        return goal
    available = dm.products.facets().values_by_level("size").get(goal.constraints.category, set())
    stepped = next_size(sizes[0], available, step)
    if stepped is None:
        return goal
    attributes = {**goal.constraints.attributes_in, "size": [stepped]}
    return goal.model_copy(update={"constraints": goal.constraints.model_copy(update={"attributes_in": attributes})})


def like_a_shown_one(dm: DialogueManager, turn: Turn) -> ReplyPlan:
    """"Cheaper options like the second one", "something similar to the first but in blue", 和第二个差不多但便宜点的: that
    product is the model (its words join the search, it is left out) and the anchor of "cheaper" / "more premium".
    With no product named, "show me similar ones" means the one in focus or, after "I like the second one", the one
    liked last."""
    ids = dm.resolve(turn).product_ids or ([liked[-1]] if not turn.nlu.slots.references and (liked := turn.state.liked()) else [])
    goal = turn.state.goal
    if goal is None or len(ids) != 1 or (model := dm.product(ids[0])) is None:
        return refine(dm, turn)
    slots = turn.nlu.slots
    new_goal = with_features(dm, refine_goal(goal, with_seen_left_out(dm, turn, slots)), turn.text)
    if slots.price_hint:
        new_goal = new_goal.model_copy(update={"constraints": anchor_price(new_goal.constraints, slots.price_hint, [model.price])})
    like_it = new_goal.model_copy(update={"query": f"{new_goal.query} {model.title}"})
    return show(dm, turn, with_stock_wish(like_it, turn.text), exclude=[model.id])


def show_more(dm: DialogueManager, turn: Turn) -> ReplyPlan:
    goal = turn.state.goal
    if goal is None:
        return ask(turn, Goal(query=""), "category", "Sure — what kind of product should I look for?", top_categories(dm))
    if turn.nlu.slots.brands_out_focus or wants_other_colour(turn.text):  # "other colours?": not more of the same
        return refine(dm, turn)
    return show(dm, turn, goal, exclude=turn.state.shown, more=True)


def answer_clarification(dm: DialogueManager, turn: Turn) -> ReplyPlan:
    """The shopper answers our question: merge the answer into the pending goal, then search (never ask twice)."""
    goal = turn.state.goal or Goal(query="")
    slots = turn.nlu.slots
    read_unknown_brand(dm, turn)
    if not goal.constraints.category:
        read_category_by_meaning(dm, turn)
        if (pastime := pastime_not_served(dm, turn)) is not None:  # "a gift for my mom", then "she loves golf"
            return for_a_pastime_not_served(dm, turn, goal, pastime)
    if not _content_words(goal.query, slots_removed=True):  # "a gift for my dad": the answer ("he likes cooking") is what
        goal = goal.model_copy(update={"query": who_for(goal.query)})  # to search for, with who it is for
    if names_no_kind_yet(turn, goal) and not asked_in_a_row(turn, "category"):  # "anything cheaper?": than what?
        return ask(turn, with_price_wish(refine_goal(goal, slots), slots), "category",
                   "Sure — what kind of product should I look for?", top_categories(dm)[:6])
    if slots.category or not slots.is_empty():
        merged = with_price_words(dm, with_features(dm, refine_goal(goal, slots, turn.text), turn.text), slots)
    else:
        lowered = turn.text.lower()
        words = _content_words(turn.text)
        merged = goal if any(s in lowered for s in SURPRISE) or not words else goal.model_copy(update={"query": f"{goal.query} {turn.text}".strip()})
    return show(dm, turn, merged)  # one question per request: a second one in a row would feel like an interrogation


def names_no_kind_yet(turn: Turn, goal: Goal) -> bool:
    """"Anything cheaper?", "黑色的", "ok" in answer to "what are you shopping for?" with no kind of product said yet:
    a wish about products still to be named (searching the whole catalog showed a $2,299 laptop first), not an answer.
    A budget, a brand, a gift, words to search for or "surprise me" are an answer."""
    slots = turn.nlu.slots
    surprise = slots.is_empty() and any(s in turn.text.lower() for s in SURPRISE)  # "surprise me", "whatever"
    return not surprise and not (goal.constraints.category or slots.category or slots.brands) \
        and slots.price_min is None and slots.price_max is None and not any(w in goal.query.lower() for w in GIFT_WORDS) \
        and not _content_words(goal.query, slots_removed=True) and not _content_words(turn.text, slots_removed=True)


def asked_in_a_row(turn: Turn, slot: str) -> bool:
    """Whether the assistant's last two replies both asked for ``slot`` (a third question would be an interrogation)."""
    return len(turn.state.turns) >= 2 and all(t.asked == slot for t in turn.state.turns[-2:])


def with_price_wish(goal: Goal, slots: Slots) -> Goal:
    """"Cheaper" said before a kind of product: kept, to anchor on the category's prices once one is named."""
    if slots.price_hint is None or goal.constraints.category:
        return goal
    return goal.model_copy(update={"price_wish": slots.price_hint})


def feedback(dm: DialogueManager, turn: Turn, liked: bool) -> ReplyPlan:
    """Likes/dislikes said in words: recorded with their turn, then the search is re-run around them."""
    slots = turn.nlu.slots
    if not liked and slots.price_hint == "cheaper" and turn.state.goal is not None:
        return refine(dm, turn)
    resolution = dm.resolve(turn, default_focus=False)
    goal = turn.state.goal
    kind = "like" if liked else "dislike"
    for pid in resolution.product_ids:
        turn.emit(FeedbackEvent(feedback=FeedbackRecord(turn=turn.state.turn_count, product_id=pid, kind=kind, source="text", detail=turn.text)))
    if goal is None:
        return turn.plan("greet", facts=GreetFacts(kind="feedback_ack", liked=liked))
    if liked and resolution.product_ids:
        dm.focus(turn, resolution.product_ids[0])
        anchor = dm.product(resolution.product_ids[0])
        similar = goal.model_copy(update={"query": f"{goal.query} {anchor.title if anchor else ''}".strip()})
        return show(dm, turn, similar, exclude=[pid for pid in turn.state.shown if pid not in resolution.product_ids], note="similar")
    if not liked:
        new_goal = refine_goal(goal, with_seen_left_out(dm, turn, slots)) if not slots.is_empty() else goal
        disliked = resolution.product_ids or (turn.state.last_shown if slots.is_empty() else [])
        if not new_goal.constraints.category and set(resolution.product_ids) < set(turn.state.last_shown):
            new_goal = within_shown_category(dm, turn, new_goal)  # one of them, not "I don't like these"
        return show(dm, turn, new_goal, exclude=[*turn.state.disliked(), *disliked], note="avoiding")
    return show(dm, turn, goal)


# building blocks ---------------------------------------------------------------------------------------
def new_search(dm: DialogueManager, goal: Goal | None, slots: Slots, query: str, *, person: Person | None = None) -> Goal:
    """The goal of a new search (``start_goal``); a budget carries over within a department ("headphones under $100",
    then speakers) and from a search of no category ("a gift under $50", then kitchen), not into another department:
    a dishwasher's budget, or "cheaper" than a dishwasher, says nothing about running shoes."""
    old = goal.constraints.category if goal is not None else None
    keep_budget = not (old and slots.category) or dm.category_counts.department(old) == dm.category_counts.department(slots.category)
    return start_goal(goal, slots, query, keep_budget=keep_budget, person=person)


def with_price_words(dm: DialogueManager, goal: Goal, slots: Slots) -> Goal:
    """"cheap laptops", "the cheapest laptops", "premium headphones" without an amount: below (above) the median price
    of the category, as "cheaper" after results is below the median of those shown; a budget carried from an earlier
    search does not stop it ("premium headphones" after "cheap laptops"). Without it a new search ignored the word and
    showed $2,000 laptops."""
    c = goal.constraints
    hint = slots.price_hint or goal.price_wish
    if hint is None or slots.price_min is not None or slots.price_max is not None or not c.category:
        return goal
    prices = dm.leaf_prices.get(c.category.lower(), [])
    return goal.model_copy(update={"constraints": anchor_price(c, hint, prices), "price_wish": None})


def with_features(dm: DialogueManager, goal: Goal, text: str) -> Goal:
    """The product features the message names among the goal's category ("an OLED TV", "wireless", "not QLED":
    ``dialogue.features``) become filters of the goal, so the search keeps to them and the reply names them."""
    named = dm.features.named(text, goal.constraints.category)
    if not named:
        return goal
    constraints = overlay(goal.constraints, SearchConstraints(attributes_in=named.wanted, attributes_out=named.unwanted))
    sizes = constraints.attributes_in.get("size", [])
    if named.measured and sizes and all(_INCH_SIZE.match(s) for s in sizes):  # 55寸电视: read as a size, meant as the screen
        constraints = constraints.model_copy(update={"attributes_in": {k: v for k, v in constraints.attributes_in.items() if k != "size"}})
    return goal.model_copy(update={"constraints": constraints})


def within_shown_category(dm: DialogueManager, turn: Turn, goal: Goal) -> Goal:
    """A search that named no category ("a gift for my wife, she likes yoga") whose products were all of one kind:
    disliking some of them asks for others of that kind. Without it the feedback re-ranking, which ranks the disliked
    product's kind lower (docs/feedback.md), pushed every yoga mat down and the next results were moisturisers and
    pillows. Disliking them all ("I don't like these") still moves away from the kind."""
    leaves = {p.category[-1] for pid in turn.state.last_shown if (p := dm.product(pid)) is not None and p.category}
    if len(leaves) != 1:
        return goal
    return goal.model_copy(update={"constraints": goal.constraints.model_copy(update={"category": leaves.pop()})})


def with_seen_left_out(dm: DialogueManager, turn: Turn, slots: Slots) -> Slots:
    """"a different brand" / "not that brand" (``brands_out_focus``) and "a different colour" (换个颜色): the slots with
    the brands (colours) to leave out added, so that the next results differ. Those are the focused product's, else the
    ones the search asks for, else those of the products just shown ("headphones", then "a different brand": none of the
    brands on screen). Added as exclusions, they also drop the same values from what the goal asks for, so the search
    does not ask for a brand and exclude it at once (which reads as "no <brand> headphones")."""
    other_colour = wants_other_colour(turn.text) and not slots.colors
    if not slots.brands_out_focus and not other_colour:
        return slots
    focus = dm.product(turn.state.focus) if turn.state.focus else None
    seen = [focus] if focus is not None else [p for pid in turn.state.last_shown if (p := dm.product(pid))]
    asked = turn.state.goal.constraints if turn.state.goal else None
    update: dict[str, list[str]] = {}
    if slots.brands_out_focus:
        brands = [focus.brand] if focus is not None and focus.brand else (asked.brands_in if asked and asked.brands_in else
                                                                        [p.brand for p in seen if p.brand])
        update["brands_out"] = list(dict.fromkeys([*slots.brands_out, *brands]))
    if other_colour:
        wanted = asked.attributes_in.get("color", []) if asked else []
        colours = [v for p in seen for v in p.values("color")] if focus is not None or not wanted else wanted
        update["colors_out"] = list(dict.fromkeys([*slots.colors_out, *colours]))
    return slots.model_copy(update=update)


def show(dm: DialogueManager, turn: Turn, goal: Goal, *, exclude: list[str] | None = None, more: bool = False,
         note: Literal["", "similar", "avoiding", "again"] = "") -> ReplyPlan:
    _record_ruled_out_brands(dm, turn, goal)
    found = run_search(dm, goal, exclude or [], turn.state)
    goal = forget_unavailable(goal, found)
    if goal != turn.state.goal:
        turn.emit(GoalEvent(goal=goal))
    hits = found.hits
    if hits:
        turn.emit(ShownEvent(product_ids=[h.product.id for h in hits]))
        dm.focus(turn, hits[0].product.id if len(hits) == 1 else None)
    chinese, currency = turn.nlu.language == "zh", dm.settings.currency
    honesty: dict[str, Any] = {}  # set only when there is something to say, so ordinary plans keep their JSON
    if found.relaxed or not hits:
        honesty["unmatched"] = request_phrase_zh(found.wanted, currency) if chinese else request_phrase(found.wanted, currency)
    if found.not_carried:
        honesty["not_carried"] = [request_phrase_zh(found.wanted, currency, names=["brand"])] if chinese else found.not_carried
    if found.all_out_of_stock:
        honesty["all_out_of_stock"] = True
    facts = ShowProductsFacts(count=len(hits), category=goal.constraints.category, constraints=_in_words(dm, turn, found.applied),
                              relaxed=[relaxed_label(name, found.wanted, chinese) for name in found.relaxed], more=more, note=note, **honesty)
    return turn.plan("show_products", facts=facts, products=dm.cards(hits), quick_replies=_list_quick_replies(len(hits)))


def show_again(dm: DialogueManager, turn: Turn, goal: Goal, products: list[Product]) -> ReplyPlan:
    """The cards an earlier version of the search showed, again and in their order, with that search restored."""
    turn.emit(GoalEvent(goal=goal))
    turn.emit(ShownEvent(product_ids=[p.id for p in products]))
    dm.focus(turn, products[0].id if len(products) == 1 else None)
    hits = [ProductHit(product=p, score=0.0, reasons=["in the results you went back to"]) for p in products]
    facts = ShowProductsFacts(count=len(hits), category=goal.constraints.category, constraints=_in_words(dm, turn, goal.constraints), note="again")
    return turn.plan("show_products", facts=facts, products=dm.cards(hits), quick_replies=_list_quick_replies(len(hits)))


def _in_words(dm: DialogueManager, turn: Turn, constraints: SearchConstraints) -> str:
    """The constraints a list of products meets, in the turn's language."""
    if turn.nlu.language == "zh":
        return describe_constraints_zh(constraints, dm.settings.currency)
    return describe_constraints(constraints, dm.settings.currency)


def _list_quick_replies(count: int) -> list[str]:
    return ["Show more", "Cheaper", "Compare the first two"] if count >= 2 else ["Start over"]


def _record_ruled_out_brands(dm: DialogueManager, turn: Turn, goal: Goal) -> None:
    """A brand newly excluded ("not that brand", "no Acme") is feedback too: a dislike of the whole brand."""
    before = {b.lower() for b in (turn.state.goal.constraints.brands_out if turn.state.goal else [])}
    focus = dm.product(turn.state.focus) if turn.state.focus else None
    for brand in goal.constraints.brands_out:
        if brand.lower() not in before:
            pid = focus.id if focus is not None and (focus.brand or "").lower() == brand.lower() else None
            turn.emit(FeedbackEvent(feedback=FeedbackRecord(turn=turn.state.turn_count, product_id=pid, kind="dislike", source="text", detail=f"brand:{brand}")))


def with_stock_wish(goal: Goal, text: str) -> Goal:
    """"only in stock" filters; "the sold out ones too" ranks out-of-stock products with the rest for this search."""
    wish = stock_wish(text)
    if wish == "in_stock_only":
        return goal.model_copy(update={"constraints": goal.constraints.model_copy(update={"in_stock": True, "stock_first": True})})
    if wish == "include_out_of_stock":
        return goal.model_copy(update={"constraints": goal.constraints.model_copy(update={"in_stock": False, "stock_first": False})})
    return goal


def read_unknown_brand(dm: DialogueManager, turn: Turn) -> None:
    """A brand the request names that the catalog never mentions ("any from Apple?") joins the turn's slots, so the
    search says plainly that the shop does not carry it instead of quietly showing other brands."""
    slots = turn.nlu.slots
    if slots.brands:
        return
    known = {w for value in [*slots.colors, *slots.sizes, *slots.materials, slots.category or ""] for w in tokens_of(value)}
    brand = unknown_brand(turn.text, dm.category_counts.is_catalog_word, known)
    if brand is not None:
        log.info("search.unknown_brand brand=%r", brand)
        slots.brands.append(brand)


def kinds_to_choose(dm: DialogueManager, turn: Turn) -> tuple[str, list[str]] | None:
    """The question and its options when a Chinese request names no category but a word of two kinds the catalog
    both sells (我想买个笔记本: 笔记本电脑 or 记事本?), else None."""
    if turn.nlu.language != "zh" or turn.nlu.slots.category or (kinds := kinds_meant_zh(turn.text)) is None:
        return None
    sold = [kind for kind in kinds if dm.category_counts.department(kind) is not None]
    return (f"您要找的是{'，还是'.join(sold)}？", sold) if len(sold) > 1 else None


def not_carried_kind(dm: DialogueManager, turn: Turn) -> str | None:
    """The kind of product a request asks for that the catalog does not carry, or None. English: its head noun is no
    word of the catalog, and no category was found ("do you sell surfboards?") or the category is only what an
    accessory is for ("a phone case", "a laptop bag": the case, not the phone). Chinese: no category was found and
    the catalog's text never mentions it (有冲浪板吗)."""
    if turn.nlu.language == "zh":
        kind = None if turn.nlu.slots.category else unknown_kind_zh(turn.text, dm.category_counts.mentions)
        if kind is not None:
            log.info("search.not_carried kind=%r", kind)
        return kind
    kind = unknown_kind(turn.text, dm.category_counts.is_catalog_word)
    if kind is not None and turn.nlu.slots.category is not None and not (ACCESSORY.search(kind.split()[-1]) and " " in kind):
        return None  # "bags" found as Backpacks; "laptop bags" are no laptops
    if kind is not None:
        log.info("search.not_carried kind=%r", kind)
    return kind


def pastime_not_served(dm: DialogueManager, turn: Turn) -> str | None:
    """What someone likes when nothing the shop sells goes with it ("a gift for my dad who loves golf", 他喜欢钓鱼), or
    None: no category was found for it (``read_category_by_meaning``), no goods are listed for it
    (``dialogue.interests``) and no product's text names it, so a search would show whatever is nearest in meaning."""
    if turn.nlu.slots.category or not says_whom_it_is_for(turn):
        return None
    chinese = turn.nlu.language == "zh"
    liked = interest_zh(turn.text) if chinese else interest_en(turn.text)
    if liked is None or goods_for(liked) != liked:
        return None
    if dm.category_counts.mentions(liked) if chinese else any(h.signals.get("terms_matched") for h in dm.products.search(liked, k=5)):
        return None  # the catalog's text names it (English descriptions too: "he loves cooking" finds kitchen goods)
    log.info("search.nothing_for pastime=%r", liked)
    return liked


def for_a_pastime_not_served(dm: DialogueManager, turn: Turn, goal: Goal, pastime: str) -> ReplyPlan:
    """Says the shop has nothing for ``pastime``. With a child's age to go on ("a gift for my 10 year old nephew",
    then "he likes science"), it shows the goal's gifts for that age as well; otherwise it asks what else they enjoy,
    with departments to pick from."""
    if age_of(goal.query) is None:
        return turn.plan("show_products", facts=ShowProductsFacts(nothing_for=pastime), quick_replies=top_categories(dm)[:6])
    plan = show(dm, turn, goal)
    if not plan.products:
        return plan
    facts = plan.facts_as(ShowProductsFacts)
    return plan.model_copy(update={"facts": facts.model_copy(update={"nothing_for": pastime})})


def read_category_by_meaning(dm: DialogueManager, turn: Turn) -> None:
    """When the vocabulary names no category (or only a broad one, "Women"), the shopper's words may still mean one
    of the catalog's categories under another name ("sneakers" → "Shoes"): matched by embedding similarity to the
    categories' names and products (``retrieval.category_space``)."""
    slots = turn.nlu.slots
    if slots.category is not None and dm.category_counts.is_leaf(slots.category):
        return
    said = [*slots.brands, *slots.colors, *slots.sizes, *slots.materials, *slots.categories_out, slots.category or ""]
    taken = {w for value in said for w in tokens_of(value)}
    words = [w for w in _content_words(turn.text, slots_removed=True) if w not in taken and w.removesuffix("'s") not in taken]
    liked = interest_zh(turn.text) if turn.nlu.language == "zh" else interest_en(turn.text)
    if liked or turn.nlu.language == "zh":  # what someone likes (她喜欢化妆, "who likes music"): the words that may mean a category
        words = [liked] if liked and not any(value and value in liked for value in said) else []
    words = [goods_for(word) for word in words]  # "he loves cooking": cookware
    if not words:
        return
    space = dm.category_space
    if space is None:
        return
    match = space.match(" ".join(words), within=slots.category)
    if match is not None:
        log.info("search.category_by_meaning words=%r category=%r score=%.3f margin=%.3f", words, match.category, match.score, match.margin)
        slots.category = match.category


def clarifying_question(dm: DialogueManager, goal: Goal, text: str) -> tuple[ClarifiedSlot, str, list[str]] | None:
    """(slot, question, options) when the request is too broad for a useful answer, unless already asked."""
    category = goal.constraints.category
    if category:
        subtypes = subcategories(dm, category)
        if len(subtypes) >= 3 and "type" not in goal.asked and not goal.constraints.categories_out \
                and not _content_words(text, extra=category.lower().split()):  # "厨房用品，不要刀具" has said enough
            return "type", f"What kind of {category.lower()} are you after?", subtypes[:6]
        return None
    if "category" in goal.asked or _content_words(goal.query, slots_removed=True):  # "a gift for my dad under 50" asks
        return None
    if any(w in text.lower() for w in GIFT_WORDS):
        return "category", "Happy to help with a gift! What kind of thing would they enjoy?", top_categories(dm)[:6]
    return "category", "What are you shopping for today?", top_categories(dm)[:6]


def ask(turn: Turn, goal: Goal, slot: ClarifiedSlot, question: str, options: list[str]) -> ReplyPlan:
    asked = goal.model_copy(update={"asked": list(dict.fromkeys([*goal.asked, slot]))})
    turn.emit(GoalEvent(goal=asked))
    return turn.plan("ask_clarification", facts=ClarificationFacts(slot=slot, question=question, options=options), quick_replies=options)


class CategoryCounts:
    """Top-level and leaf category counts of a catalog, from its facets' path counts (the dialogue manager keeps one),
    and the catalog's own words."""

    def __init__(self, facets: CatalogFacets) -> None:
        top: dict[str, int] = {}
        below: dict[str, dict[str, int]] = {}
        self._department: dict[str, str] = {}
        for path, count in facets.path_counts():
            top[path[0]] = top.get(path[0], 0) + count
            self._department.update((c.lower(), path[0]) for c in path)
            for level in {c.lower() for c in path[:-1]}:
                leaves = below.setdefault(level, {})
                leaves[path[-1]] = leaves.get(path[-1], 0) + count
        self.top = _most_first(top)
        self.below = {level: _most_first(leaves) for level, leaves in below.items()}
        self._facets = facets

    @cached_property
    def words(self) -> frozenset[str]:
        """Every word of the catalog's titles, brands, categories and attribute values: a word in here is the shop's
        own (built on first use)."""
        return frozenset(tokens_of(self.text))

    @cached_property
    def text(self) -> str:
        """The catalog's titles, brands, categories and attribute values, one per line (built on first use)."""
        facets = self._facets
        return "\n".join([*facets.titles, *(b for b in facets.brands if b), *(level for path in facets.paths for level in path),
                          *facets.all_values()]).lower()

    def mentions(self, phrase: str) -> bool:
        """Whether the catalog's text has ``phrase`` anywhere (Chinese words are not split by spaces)."""
        return phrase.lower() in self.text

    def is_catalog_word(self, word: str) -> bool:
        word = word.lower()
        return word in self.words or (word.endswith("s") and word[:-1] in self.words) or f"{word}s" in self.words

    def is_leaf(self, category: str) -> bool:
        return category.lower() not in self.below

    def department(self, category: str) -> str | None:
        """The top-level category ``category`` lies in ("Dishwashers" → "Appliances"), or None when unknown."""
        return self._department.get(category.lower())


def _most_first(counts: dict[str, int]) -> list[str]:
    return sorted(counts, key=lambda c: (-counts[c], c))


def subcategories(dm: DialogueManager, category: str) -> list[str]:
    """Leaf categories under ``category`` (most products first)."""
    return dm.category_counts.below.get(category.lower(), [])


def top_categories(dm: DialogueManager) -> list[str]:
    return dm.category_counts.top


def describe_constraints(c: SearchConstraints, currency: str = "USD") -> str:
    """The constraints in English words ("blue, size 10, under $50.00, not Acme, no vases"), amounts in ``currency``."""
    bits: list[str] = [who] if (who := gender_named(c)) else []
    for key, values in c.attributes_in.items():
        if key == "size":
            bits.append("size " + "/".join(values))
        elif ages := ages_in(values):
            bits.append(f"suitable for age {max(ages)}")
        elif key != "gender" or who is None:
            bits.append(value_range(key, values) or "/".join(value_phrase(key, v) for v in values))
    if c.brands_in:
        bits.append("by " + " or ".join(c.brands_in))
    if (budget := c.price_phrase(currency)) is not None:
        bits.append(budget)
    if c.rating_min is not None:
        bits.append(f"rated {c.rating_min:g}+")
    if c.in_stock:
        bits.append("in stock")
    if c.brands_out:
        bits.append("not " + ", ".join(c.brands_out))
    if c.categories_out:
        bits.append("no " + " or ".join(category_noun(kind) for kind in c.categories_out))
    for key, values in c.attributes_out.items():
        if ages := ages_in(values):
            bits.append(f"suitable for ages under {min(ages)}")
        else:
            bits.append(("no size " if key == "size" else "no ") + "/".join(key if v.lower() in YES_VALUES else v for v in values))
    return ", ".join(bits)


def _content_words(text: str, *, extra: list[str] | None = None, slots_removed: bool = False) -> list[str]:
    ignore = GENERIC_WORDS | set(extra or [])
    words = [w for w in _WORD.findall(text.lower()) if w not in ignore and len(w) > 2]
    if slots_removed:
        words = [w for w in words if w not in {"cheaper", "cheap", "expensive", "under", "below", "over", "less", "more", "than", "not", "no", "without", "dollars", "bucks"}]
    return words
