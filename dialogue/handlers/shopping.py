"""Finding products: new searches, refinements, paging, clarifying questions and feedback-driven re-searches."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Literal

from dialogue.goals import anchor_price, refine_goal, start_goal
from dialogue.plan import ReplyPlan
from dialogue.reply_facts import ClarificationFacts, ClarifiedSlot, GreetFacts, ShowProductsFacts
from dialogue.state import ConversationState, FeedbackEvent, FeedbackRecord, Goal, GoalEvent, ShownEvent
from retrieval.models import Product, ProductHit, SearchConstraints

if TYPE_CHECKING:
    from dialogue.manager import DialogueManager, Turn

#: Words that say nothing about *what* the shopper wants.
GENERIC_WORDS = frozenset(
    """i im i'm me my we a an the some any something anything stuff thing things need needs want wanna looking look
    search find get buy shop shopping show see browse recommend recommendation recommendations suggest suggestion ideas
    idea help please pls can could would you do have got sell selling what whats what's is are there for to of in on
    with and or gift gifts present presents nice good great cool new best get some kind sort type""".split()
)
GIFT_WORDS = ("gift", "present", "birthday", "christmas", "anniversary")
SURPRISE = ("surprise me", "anything", "no preference", "don't know", "dont know", "whatever", "not sure", "any")
_WORD = re.compile(r"[a-z][a-z'\-]+")


def search(dm: DialogueManager, turn: Turn) -> ReplyPlan:
    slots = turn.nlu.slots
    goal = turn.state.goal
    if goal is not None and not slots.category and (not slots.is_empty() or not _content_words(turn.text)):
        return refine(dm, turn)  # "do you have any in black?" refines the current search
    new_goal = start_goal(goal, slots, turn.text)
    question = clarifying_question(dm, new_goal, turn.text)
    if question is not None:
        return ask(turn, new_goal, *question)
    return show(dm, turn, new_goal)


def refine(dm: DialogueManager, turn: Turn) -> ReplyPlan:
    goal = turn.state.goal
    slots = turn.nlu.slots
    if goal is None:
        if slots.is_empty():
            return ask(turn, Goal(query=turn.text), "category", "What are you looking for?", top_categories(dm))
        return search(dm, turn)
    if slots.category and goal.constraints.category and slots.category.lower() != goal.constraints.category.lower():
        return show(dm, turn, start_goal(goal, slots, turn.text))
    new_goal = refine_goal(goal, slots, " ".join(_content_words(turn.text, slots_removed=True)))
    if slots.brands_out_focus and turn.state.focus and (focus := dm.product(turn.state.focus)) and focus.brand:
        new_goal = new_goal.model_copy(update={"constraints": new_goal.constraints.model_copy(
            update={"brands_out": list(dict.fromkeys([*new_goal.constraints.brands_out, focus.brand]))})})
    if slots.price_hint:
        shown = [p for pid in turn.state.last_shown if (p := dm.product(pid))]
        new_goal = new_goal.model_copy(update={"constraints": anchor_price(new_goal.constraints, slots.price_hint, shown)})
        if slots.price_hint == "cheaper":
            turn.emit(FeedbackEvent(feedback=FeedbackRecord(turn=turn.state.turn_count, kind="too_expensive", source="text", detail=turn.text)))
    return show(dm, turn, new_goal)


def show_more(dm: DialogueManager, turn: Turn) -> ReplyPlan:
    goal = turn.state.goal
    if goal is None:
        return ask(turn, Goal(query=""), "category", "Sure — what kind of product should I look for?", top_categories(dm))
    return show(dm, turn, goal, exclude=turn.state.shown, more=True)


def answer_clarification(dm: DialogueManager, turn: Turn) -> ReplyPlan:
    """The shopper answers our question: merge the answer into the pending goal, then search (never ask twice)."""
    goal = turn.state.goal or Goal(query="")
    slots = turn.nlu.slots
    if slots.category or not slots.is_empty():
        merged = refine_goal(goal, slots, turn.text)
    else:
        lowered = turn.text.lower()
        words = _content_words(turn.text)
        merged = goal if any(s in lowered for s in SURPRISE) or not words else goal.model_copy(update={"query": f"{goal.query} {turn.text}".strip()})
    return show(dm, turn, merged)  # one question per request: a second one in a row would feel like an interrogation


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
        new_goal = refine_goal(goal, slots) if not slots.is_empty() else goal
        if slots.brands_out_focus and turn.state.focus and (focus := dm.product(turn.state.focus)) and focus.brand:
            new_goal = new_goal.model_copy(update={"constraints": new_goal.constraints.model_copy(
                update={"brands_out": list(dict.fromkeys([*new_goal.constraints.brands_out, focus.brand]))})})
        disliked = resolution.product_ids or (turn.state.last_shown if slots.is_empty() else [])
        return show(dm, turn, new_goal, exclude=[*turn.state.disliked(), *disliked], note="avoiding")
    return show(dm, turn, goal)


# building blocks ---------------------------------------------------------------------------------------
def show(dm: DialogueManager, turn: Turn, goal: Goal, *, exclude: list[str] | None = None, more: bool = False,
         note: Literal["", "similar", "avoiding"] = "") -> ReplyPlan:
    _record_ruled_out_brands(dm, turn, goal)
    hits, relaxed = run_search(dm, goal, exclude or [], turn.state)
    if goal != turn.state.goal:
        turn.emit(GoalEvent(goal=goal))
    if hits:
        turn.emit(ShownEvent(product_ids=[h.product.id for h in hits]))
        dm.focus(turn, hits[0].product.id if len(hits) == 1 else None)
    facts = ShowProductsFacts(count=len(hits), category=goal.constraints.category, constraints=describe_constraints(goal.constraints),
                              relaxed=relaxed, more=more, note=note)
    quick = ["Show more", "Cheaper", "Compare the first two"] if len(hits) >= 2 else ["Start over"]
    return turn.plan("show_products", facts=facts, products=dm.cards(hits), quick_replies=quick)


def _record_ruled_out_brands(dm: DialogueManager, turn: Turn, goal: Goal) -> None:
    """A brand newly excluded ("not that brand", "no Acme") is feedback too: a dislike of the whole brand."""
    before = {b.lower() for b in (turn.state.goal.constraints.brands_out if turn.state.goal else [])}
    focus = dm.product(turn.state.focus) if turn.state.focus else None
    for brand in goal.constraints.brands_out:
        if brand.lower() not in before:
            pid = focus.id if focus is not None and (focus.brand or "").lower() == brand.lower() else None
            turn.emit(FeedbackEvent(feedback=FeedbackRecord(turn=turn.state.turn_count, product_id=pid, kind="dislike", source="text", detail=f"brand:{brand}")))


def run_search(dm: DialogueManager, goal: Goal, exclude: list[str], state: ConversationState | None = None) -> tuple[list[ProductHit], list[str]]:
    """Search the goal; when nothing matches, relax the budget, then attributes, then rating (and say so).
    With ``state``, results are re-ranked with the conversation's feedback (see retrieval/rerank/)."""
    constraints = goal.constraints.model_copy(update={"exclude_ids": list(dict.fromkeys(exclude))})
    k = dm.settings.page_size
    hits = dm.search(state, goal.query, constraints, k)
    relaxed: list[str] = []
    for name, update in (
        ("budget", {"price_min": None, "price_max": None}),
        ("attributes", {"attributes_in": {}}),
        ("rating", {"rating_min": None}),
    ):
        if hits:
            break
        if all(getattr(constraints, key) in (None, {}) for key in update):
            continue
        constraints = constraints.model_copy(update=update)
        relaxed.append(name)
        hits = dm.search(state, goal.query, constraints, k)
    return hits, relaxed


def clarifying_question(dm: DialogueManager, goal: Goal, text: str) -> tuple[ClarifiedSlot, str, list[str]] | None:
    """(slot, question, options) when the request is too broad for a useful answer, unless already asked."""
    category = goal.constraints.category
    if category:
        subtypes = subcategories(dm, category)
        if len(subtypes) >= 3 and "type" not in goal.asked and not _content_words(text, extra=category.lower().split()):
            return "type", f"What kind of {category.lower()} are you after?", subtypes[:6]
        return None
    if "category" in goal.asked or _content_words(goal.query):
        return None
    if any(w in text.lower() for w in GIFT_WORDS):
        return "category", "Happy to help with a gift! What kind of thing would they enjoy?", top_categories(dm)[:6]
    return "category", "What are you shopping for today?", top_categories(dm)[:6]


def ask(turn: Turn, goal: Goal, slot: ClarifiedSlot, question: str, options: list[str]) -> ReplyPlan:
    asked = goal.model_copy(update={"asked": list(dict.fromkeys([*goal.asked, slot]))})
    turn.emit(GoalEvent(goal=asked))
    return turn.plan("ask_clarification", facts=ClarificationFacts(slot=slot, question=question, options=options), quick_replies=options)


class CategoryCounts:
    """Top-level and leaf category counts of a catalog (40k products: ~50 ms; the dialogue manager keeps one)."""

    def __init__(self, products: list[Product]) -> None:
        top: dict[str, int] = {}
        below: dict[str, dict[str, int]] = {}
        for product in products:
            top[product.category[0]] = top.get(product.category[0], 0) + 1
            for level in {c.lower() for c in product.category[:-1]}:
                leaves = below.setdefault(level, {})
                leaves[product.leaf_category] = leaves.get(product.leaf_category, 0) + 1
        self.top = _most_first(top)
        self.below = {level: _most_first(leaves) for level, leaves in below.items()}


def _most_first(counts: dict[str, int]) -> list[str]:
    return sorted(counts, key=lambda c: (-counts[c], c))


def subcategories(dm: DialogueManager, category: str) -> list[str]:
    """Leaf categories under ``category`` (most products first)."""
    return dm.category_counts.below.get(category.lower(), [])


def top_categories(dm: DialogueManager) -> list[str]:
    return dm.category_counts.top


def describe_constraints(c: SearchConstraints) -> str:
    bits: list[str] = []
    for values in c.attributes_in.values():
        bits.append("/".join(values))
    if c.brands_in:
        bits.append("by " + " or ".join(c.brands_in))
    if c.price_min is not None and c.price_max is not None:
        bits.append(f"between ${c.price_min:,.2f} and ${c.price_max:,.2f}")
    elif c.price_max is not None:
        bits.append(f"under ${c.price_max:,.2f}")
    elif c.price_min is not None:
        bits.append(f"over ${c.price_min:,.2f}")
    if c.rating_min is not None:
        bits.append(f"rated {c.rating_min:g}+")
    if c.brands_out:
        bits.append("not " + ", ".join(c.brands_out))
    for values in c.attributes_out.values():
        bits.append("no " + "/".join(values))
    return ", ".join(bits)


def _content_words(text: str, *, extra: list[str] | None = None, slots_removed: bool = False) -> list[str]:
    ignore = GENERIC_WORDS | set(extra or [])
    words = [w for w in _WORD.findall(text.lower()) if w not in ignore and len(w) > 2]
    if slots_removed:
        words = [w for w in words if w not in {"cheaper", "cheap", "expensive", "under", "below", "over", "less", "more", "than", "not", "no", "without", "dollars", "bucks"}]
    return words
