"""One turn's answer as channels hand it out: the native API's ``MessageReply`` and the widget's ``gr.api("chat")``."""

from __future__ import annotations

from pydantic import BaseModel, Field

from assistant.service import TurnResult
from dialogue.plan import CartLine, ComparisonTable, ProductCard
from dialogue.reply_facts import ClarificationFacts


class MessageReply(BaseModel):
    """One turn's answer: the reply text and everything a channel renders beside it."""

    conversation_id: str
    turn_index: int
    text: str
    action: str
    intent: str | None = None
    confidence: float | None = None
    products: list[ProductCard] = Field(default_factory=list, description="Cards, each with why it was recommended (reasons).")
    quick_replies: list[str] = Field(default_factory=list)
    comparison: ComparisonTable | None = None
    cart: list[CartLine] = Field(default_factory=list)
    cart_total: float | None = None
    handoff: bool = False
    waiting_for_person: bool = Field(default=False, description="A person has the conversation: the message waits for them "
                                     "and the assistant does not answer (text is empty); their replies come as agent messages.")
    clarifying_slot: str | None = Field(default=None, description="The slot a clarifying question asks for (quick replies answer it).")
    timings_ms: dict[str, float] = Field(default_factory=dict)
    replayed: bool = Field(default=False, description="True: a resend of a message already answered (same Idempotency-Key or "
                           "message_id); this is the stored reply and no new turn was taken.")

    @classmethod
    def from_turn(cls, result: TurnResult) -> MessageReply:
        plan = result.plan
        slot = plan.facts.slot if isinstance(plan.facts, ClarificationFacts) else None
        return cls(
            conversation_id=result.conversation_id, turn_index=result.turn_index, text=result.text, action=plan.action,
            intent=plan.intent, confidence=plan.confidence, products=plan.products, quick_replies=plan.quick_replies,
            comparison=plan.comparison, cart=plan.cart, cart_total=plan.cart_total, handoff=plan.handoff,
            waiting_for_person=result.waiting_for_person, clarifying_slot=str(slot) if slot else None, timings_ms=result.timings_ms, replayed=result.replayed,
        )
