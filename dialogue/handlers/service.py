"""Customer service: order status, cancellation, returns, policies and hand-off to a person."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from dialogue.actions import OrderAction
from dialogue.pending import AwaitingOrderId
from dialogue.plan import ReplyPlan
from dialogue.reply_facts import (
    ORDER_FACTS,
    CancelOrderFacts,
    HandoffFacts,
    PolicyFacts,
    ReturnItemFacts,
)
from dialogue.state import HandoffEvent, ServiceEvent

if TYPE_CHECKING:
    from dialogue.manager import DialogueManager, Turn
    from dialogue.policy_clauses import Embed


def order_action(dm: DialogueManager, turn: Turn, action: OrderAction) -> ReplyPlan:
    """order_status / cancel_order / return_item: needs an order id (asked for when missing), checked against the
    sender's own orders."""
    order_id = turn.nlu.slots.order_id or turn.state.order_id
    facts_class = ORDER_FACTS[action]
    if not order_id:
        mine = dm.orders.orders_of(turn.state.sender)
        turn.emit(ServiceEvent(pending=AwaitingOrderId(intent=action)))
        options = [o.order_id for o in mine[-3:]]
        asking = facts_class(slot="order_id", question="Could you give me your order number? It looks like ORD-12345.", options=options)
        if isinstance(asking, ReturnItemFacts):
            asking.policy = _return_clauses(dm, turn, limit=2)
        return turn.plan(action, facts=asking, quick_replies=options)
    result = dm.orders.lookup(order_id, turn.state.sender)
    if result.order is None:
        turn.emit(ServiceEvent(pending=AwaitingOrderId(intent=action), order_id=None))
        return turn.plan(action, facts=facts_class(order_id=order_id, found=False, problem=result.problem))
    order = result.order
    turn.emit(ServiceEvent(pending=None, order_id=order.order_id))
    facts = facts_class(order_id=order.order_id, found=True, status=order.status, placed_at=str(order.placed_at),
                        items=[f"{i.quantity} × {i.title}" for i in order.items], total=order.total,
                        carrier=order.carrier, tracking_number=order.tracking_number,
                        estimated_delivery=str(order.estimated_delivery) if order.estimated_delivery else None)
    if isinstance(facts, CancelOrderFacts):
        if order.cancellable:
            dm.orders.set_status(order.order_id, turn.state.sender, "cancelled")
            facts.cancelled, facts.status = True, "cancelled"
        else:
            facts.cancelled = False
    elif isinstance(facts, ReturnItemFacts):
        facts.returnable = order.returnable
        facts.policy = _return_clauses(dm, turn, limit=3)
    return turn.plan(action, facts=facts, quick_replies=["Talk to a person"] if action != "order_status" else [])


#: Policy questions the intent classifier files elsewhere ("do you take paypal" as checkout, "what is your phone number"
#: as chitchat): a question with one of these phrases, classified as one of ``FILED_ELSEWHERE``, is a policy question.
POLICY_PHRASES = re.compile(
    r"\b(paypal|apple pay|google pay|klarna|afterpay|installments?|payment (methods?|options?)|credit cards?|debit cards?"
    r"|cash on delivery|crypto\w*|bitcoin|pay (with|by|in|using)|card (be |get |gets |is )?charged|charge my card|sales tax"
    r"|warranty|warranties|guarantee[ds]?|price[- ]match\w*|match (a|the|their|your) price|phone number|call you|email address"
    r"|contact (you|customer)|customer (service|care|support) (hours|number|phone|email)|opening hours|(are|r) (you|u) open)\b")
QUESTION = re.compile(r"^\s*(do|does|did|can|could|will|would|is|are|was|how|what|whats|what's|when|where|which|who|why|any|r)\b|\?\s*$")
FILED_ELSEWHERE = {"checkout", "out_of_scope", "chitchat", "greet", "thanks", "affirm", "deny", "refine", "search_product"}


def is_policy_question(turn: Turn) -> bool:
    """A question about the store's terms, not about a product named or pointed at ("does the first one have a
    warranty" stays a product question)."""
    text = turn.text.lower()
    if turn.nlu.intent not in FILED_ELSEWHERE or turn.nlu.slots.references:
        return False
    return bool(QUESTION.search(text)) and bool(POLICY_PHRASES.search(text))


def policy(dm: DialogueManager, turn: Turn) -> ReplyPlan:
    """The clauses of the policy that answer the question (the whole section when asked for), with the section named."""
    topic = dm.policies.topic_for(turn.text, turn.nlu.intent)
    if topic is None:
        return turn.plan("policy_answer", facts=PolicyFacts(known=False, topics=dm.policies.topics()))
    answer = dm.policies.answer_question(topic, turn.text, _policy_encoder(dm, turn), language=turn.nlu.language)
    facts = PolicyFacts(known=True, topic=answer.topic, title=answer.title, sentences=answer.sentences, section=answer.name,
                        whole=answer.whole)
    return turn.plan("policy_answer", facts=facts, quick_replies=[] if answer.whole else [f"The full {answer.name}"])


def _return_clauses(dm: DialogueManager, turn: Turn, limit: int) -> list[str]:
    """The returns clauses a return request calls for: those its words point at ("it arrived broken"), else the
    policy's summary."""
    if "returns" not in dm.policies.sections:
        return []
    return dm.policies.answer_question("returns", turn.text, _policy_encoder(dm, turn), limit=limit, only_when_matched=True,
                                       language=turn.nlu.language).sentences


def _policy_encoder(dm: DialogueManager, turn: Turn) -> Embed | None:
    """The query encoder for matching a question to policy clauses; None (BM25 alone) for Chinese: it is English-only."""
    return dm.products.embed_query if turn.nlu.language == "en" else None


def handoff(dm: DialogueManager, turn: Turn) -> ReplyPlan:
    if not turn.state.handoff:
        turn.emit(HandoffEvent(active=True, reason=turn.text[:200]))
    return turn.plan("handoff", handoff=True, facts=HandoffFacts(already=False))
