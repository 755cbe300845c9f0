"""Customer service: order status, cancellation, returns, policies and hand-off to a person."""

from __future__ import annotations

from typing import TYPE_CHECKING

from dialogue.actions import OrderAction
from dialogue.pending import AwaitingOrderId
from dialogue.plan import ReplyPlan
from dialogue.reply_facts import ORDER_FACTS, CancelOrderFacts, HandoffFacts, PolicyFacts, ReturnItemFacts
from dialogue.state import HandoffEvent, ServiceEvent

if TYPE_CHECKING:
    from dialogue.manager import DialogueManager, Turn


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
            asking.policy = dm.policies.answer("returns").sentences[:2] if "returns" in dm.policies.sections else []
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
        if "returns" in dm.policies.sections:
            facts.policy = dm.policies.answer("returns").sentences[:3]
    return turn.plan(action, facts=facts, quick_replies=["Talk to a person"] if action != "order_status" else [])


def policy(dm: DialogueManager, turn: Turn) -> ReplyPlan:
    topic = dm.policies.topic_for(turn.text, turn.nlu.intent)
    if topic is None:
        return turn.plan("policy_answer", facts=PolicyFacts(known=False, topics=dm.policies.topics()))
    answer = dm.policies.answer(topic)
    return turn.plan("policy_answer", facts=PolicyFacts(known=True, topic=answer.topic, title=answer.title, sentences=answer.sentences))


def handoff(dm: DialogueManager, turn: Turn) -> ReplyPlan:
    if not turn.state.handoff:
        turn.emit(HandoffEvent(active=True, reason=turn.text[:200]))
    return turn.plan("handoff", handoff=True, facts=HandoffFacts(already=False))
