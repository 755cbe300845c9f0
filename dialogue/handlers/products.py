"""Talking about shown products: comparisons and questions answered from catalog facts."""

from __future__ import annotations

from typing import TYPE_CHECKING

from dialogue.comparison import compare_products
from dialogue.plan import ProductCard, ReplyPlan
from dialogue.product_qa import answer_question
from dialogue.reply_facts import AnswerFacts, ClarificationFacts, CompareFacts
from dialogue.state import FeedbackEvent, FeedbackRecord
from retrieval.models import ProductHit

if TYPE_CHECKING:
    from dialogue.manager import DialogueManager, Turn

MAX_COMPARE = 4


def compare(dm: DialogueManager, turn: Turn) -> ReplyPlan:
    resolution = dm.resolve(turn, default_focus=False)
    if resolution.problem:
        return turn.plan("ask_clarification", facts=ClarificationFacts(slot="reference", question=resolution.problem), quick_replies=["Compare the first two"])
    ids = resolution.product_ids or resolution.ambiguous
    shown = turn.state.last_shown
    if not ids and len(shown) == 2:
        ids = list(shown)
    if len(ids) == 1 and turn.state.focus and turn.state.focus not in ids:
        ids = [turn.state.focus, *ids]
    if len(ids) < 2:
        if len(shown) < 2:
            question_text = "Which products should I compare? Search for something first and I’ll line them up."
            return turn.plan("ask_clarification", facts=ClarificationFacts(slot="reference", question=question_text))
        options = ["the first two", "the first three"] + (["all of them"] if len(shown) <= MAX_COMPARE else [])
        return turn.plan("ask_clarification", facts=ClarificationFacts(slot="reference", question="Which ones should I compare?", options=options),
                         quick_replies=[f"Compare {o}" for o in options])
    products = [p for pid in ids[:MAX_COMPARE] if (p := dm.product(pid))]
    table = compare_products(products)
    cards = [ProductCard.from_hit(shown.index(p.id) + 1 if p.id in shown else i + 1, ProductHit(product=p, score=0.0)) for i, p in enumerate(products)]
    return turn.plan("compare", comparison=table, products=cards, facts=CompareFacts(count=len(products), truncated=len(ids) > MAX_COMPARE),
                     quick_replies=[f"Add the {p.brand or 'first'} one to my cart" for p in products[:2]])


def question(dm: DialogueManager, turn: Turn) -> ReplyPlan:
    resolution = dm.resolve(turn)
    if resolution.problem or (not resolution.product_ids and resolution.ambiguous):
        return _which_one(dm, turn, resolution.ambiguous, resolution.problem)
    if not resolution.product_ids:
        if len(turn.state.last_shown) > 1:
            return _which_one(dm, turn, turn.state.last_shown[:4], None)
        return turn.plan("answer_question", facts=AnswerFacts(known=False, reason="no_product", facts=[]))
    product = dm.product(resolution.product_ids[0])
    if product is None:
        return turn.plan("answer_question", facts=AnswerFacts(known=False, reason="no_product", facts=[]))
    dm.focus(turn, product.id)
    turn.emit(FeedbackEvent(feedback=FeedbackRecord(turn=turn.state.turn_count, product_id=product.id, kind="opened", source="behaviour", detail="asked about it")))
    answer = answer_question(turn.text, product)
    card = ProductCard.from_hit(_position(turn, product.id), ProductHit(product=product, score=0.0))
    return turn.plan("answer_question", products=[card], facts=AnswerFacts(known=answer.known, topic=answer.topic, facts=answer.facts, title=product.title))


def _which_one(dm: DialogueManager, turn: Turn, candidates: list[str], problem: str | None) -> ReplyPlan:
    titles = [p.title for pid in candidates if (p := dm.product(pid))]
    question_text = problem or "Which one do you mean?"
    return turn.plan("ask_clarification", facts=ClarificationFacts(slot="reference", question=question_text, options=titles), quick_replies=titles[:4])


def _position(turn: Turn, product_id: str) -> int:
    shown = turn.state.last_shown
    return shown.index(product_id) + 1 if product_id in shown else 1
