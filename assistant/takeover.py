"""Human takeover: what a support agent does with a handed-off conversation.

A conversation is handed off when the shopper asks for a person (the dialogue manager's ``handoff`` action) or when
an agent writes to it. From then on the assistant stops answering: the shopper's messages are stored as turns
without a reply (:func:`assistant.service.waiting_plan`) and wait for the agent. The agent lists the conversations
waiting (:meth:`Takeover.waiting`), reads one with its cart and shown products (:meth:`Takeover.view`), writes to
the shopper (:meth:`Takeover.reply`) and hands the conversation back (:meth:`Takeover.hand_back`), after which the
assistant answers again.

Agent messages are events of the conversation, so every worker sees them: channels that push (socket.io, SSE) pick
them up from the store's feed (``api.agent_feed``); Rasa's REST channel, which cannot push, hands them out with the
shopper's next request (:meth:`Takeover.collect`), each once.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from assistant.service import ShopAssistant
from core.errors import UserError
from dialogue.state import AgentMessage, AgentMessageEvent, CartItem, ConversationState, Event, HandoffEvent

#: A display name: letters (any script), digits, spaces and . _ - ' (shown to shoppers as who wrote).
AGENT_NAME = re.compile(r"^[\w][\w .'-]{0,63}$")


class NotHandedOffError(UserError):
    """The conversation is with the assistant (nothing to hand back)."""


class WaitingConversation(BaseModel):
    """One row of an agent's queue."""

    conversation_id: str
    sender: str
    reason: str = Field(description="What the shopper said when asking for a person.")
    since: datetime | None
    unanswered: int = Field(description="Shopper messages since the agent's latest message (or since the hand-off).")
    last_message: str | None = Field(description="The shopper's latest message.")
    last_message_at: datetime | None
    language: str
    cart_items: int
    agent_messages: int


class TranscriptEntry(BaseModel):
    role: Literal["shopper", "assistant", "agent"]
    text: str
    at: datetime
    agent: str | None = None
    product_ids: list[str] = Field(default_factory=list)


class ShownProduct(BaseModel):
    product_id: str
    title: str
    brand: str | None = None
    price: float
    currency: str
    rating: float | None = None
    stock: int
    in_cart: bool = False


class AgentView(BaseModel):
    """A conversation as an agent reads it: the transcript with the agent's own messages in place, the cart, and
    the products the shopper was shown (latest list first)."""

    conversation_id: str
    sender: str
    handoff: bool
    reason: str
    since: datetime | None
    language: str
    transcript: list[TranscriptEntry]
    cart: list[CartItem]
    cart_total: float
    shown: list[ShownProduct]
    goal: dict[str, object] | None = None
    order_id: str | None = None


class Takeover:
    """The agent's operations on the assistant's conversation store (built once per server)."""

    def __init__(self, assistant: ShopAssistant) -> None:
        self.assistant = assistant
        self.states = assistant.states

    def waiting(self) -> list[WaitingConversation]:
        """The handed-off conversations, longest waiting first."""
        return [_queue_row(self.states.load(cid)) for cid in self.states.handed_off()]

    def view(self, conversation_id: str) -> AgentView:
        state = self.states.load(conversation_id)
        in_cart = {item.product_id for item in state.cart}
        shown_ids = list(dict.fromkeys([*state.last_shown, *reversed(state.shown)]))
        shown = [ShownProduct(product_id=p.id, title=p.title, brand=p.brand, price=p.price, currency=p.currency, rating=p.rating,
                              stock=p.stock, in_cart=p.id in in_cart)
                 for pid in shown_ids if (p := self.assistant.products.get(pid)) is not None]
        return AgentView(
            conversation_id=state.conversation_id, sender=state.sender, handoff=state.handoff, reason=state.handoff_reason,
            since=state.handoff_at, language=state.language, transcript=transcript(state), cart=state.cart,
            cart_total=state.cart_total, shown=shown, goal=state.goal.model_dump(mode="json") if state.goal else None,
            order_id=state.order_id,
        )

    def reply(self, conversation_id: str, agent: str, text: str) -> AgentMessage:
        """Write to the shopper; a conversation the assistant still has is taken over first."""
        agent, text = _agent_name(agent), _message(text, self.assistant.settings.max_message_chars)
        with self.states.lock(conversation_id):
            state = self.states.load(conversation_id)
            events: list[Event] = []
            if not state.handoff:
                events.append(HandoffEvent(active=True, reason=f"taken over by {agent}", by=agent))
            events.append(AgentMessageEvent(agent=agent, text=text))
            self._store(state, events)
        return state.agent_messages[-1]

    def hand_back(self, conversation_id: str, agent: str, text: str | None = None) -> ConversationState:
        """Give the conversation back to the assistant, with a last message to the shopper if given."""
        agent = _agent_name(agent)
        with self.states.lock(conversation_id):
            state = self.states.load(conversation_id)
            if not state.handoff:
                raise NotHandedOffError(f"Conversation {conversation_id!r} is not handed off.")
            events: list[Event] = [AgentMessageEvent(agent=agent, text=_message(text, self.assistant.settings.max_message_chars))] if text else []
            self._store(state, [*events, HandoffEvent(active=False, by=agent)])
        return state

    def collect(self, conversation_id: str, channel: str) -> list[AgentMessage]:
        """The agent messages ``channel`` has not delivered yet, marked delivered (for channels that cannot push)."""
        with self.states.lock(conversation_id):
            state = self.states.load(conversation_id)
            fresh, delivered = state.undelivered(channel)
            if delivered is not None:
                self._store(state, [delivered])
        return fresh

    def _store(self, state: ConversationState, events: list[Event]) -> None:
        self.states.append(state.conversation_id, state.events_applied, events)
        for event in events:
            state.apply(event)


def transcript(state: ConversationState) -> list[TranscriptEntry]:
    """Shopper turns, the assistant's replies and agent messages in the order they happened."""
    entries: list[TranscriptEntry] = []
    waiting = list(reversed(state.agent_messages))  # oldest last: popped in order
    for turn in [*state.turns, None]:  # None: after the last turn, the agent messages left
        while waiting and (turn is None or waiting[-1].after_turn <= turn.index):
            message = waiting.pop()
            entries.append(TranscriptEntry(role="agent", text=message.text, at=message.at, agent=message.agent))
        if turn is not None:
            entries.append(TranscriptEntry(role="shopper", text=turn.text, at=turn.at))
            if turn.reply:
                entries.append(TranscriptEntry(role="assistant", text=turn.reply, at=turn.at, product_ids=turn.product_ids))
    return entries


def _queue_row(state: ConversationState) -> WaitingConversation:
    since_agent = state.agent_messages[-1].after_turn if state.agent_messages else None
    handed_at = state.handoff_at
    waiting = [t for t in state.turns if (t.index >= since_agent if since_agent is not None else handed_at is not None and t.at > handed_at)]
    last = state.turns[-1] if state.turns else None
    return WaitingConversation(
        conversation_id=state.conversation_id, sender=state.sender, reason=state.handoff_reason, since=handed_at,
        unanswered=len(waiting), last_message=last.text if last else None, last_message_at=last.at if last else None,
        language=state.language, cart_items=sum(item.quantity for item in state.cart), agent_messages=len(state.agent_messages),
    )


def _agent_name(agent: str) -> str:
    agent = " ".join(agent.split())
    if not AGENT_NAME.match(agent):
        raise UserError("An agent name has 1 to 64 letters, digits, spaces or . _ - ' and starts with a letter or digit.")
    return agent


def _message(text: str, limit: int) -> str:
    text = text.strip()
    if not text:
        raise UserError("The message is empty.")
    if len(text) > limit:
        raise UserError(f"The message is too long ({len(text)} characters; the limit is {limit}).")
    return text
