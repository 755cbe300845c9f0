"""Conversation state, derived by folding the conversation's stored events (Rasa's tracker idea)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from core.language import Language
from dialogue.actions import Action
from dialogue.pending import Pending, parse_legacy
from retrieval.models import SearchConstraints


def now() -> datetime:
    return datetime.now(UTC)


class CartItem(BaseModel):
    product_id: str
    title: str
    unit_price: float
    quantity: int = Field(default=1, ge=1)
    variant: dict[str, str] = Field(default_factory=dict, description="Chosen size/colour.")

    @property
    def line_total(self) -> float:
        return round(self.unit_price * self.quantity, 2)

    def same_line(self, other: CartItem) -> bool:
        return self.product_id == other.product_id and self.variant == other.variant


class Goal(BaseModel):
    """The active shopping goal: what the shopper is looking for now."""

    query: str = ""
    constraints: SearchConstraints = Field(default_factory=SearchConstraints)
    asked: list[str] = Field(default_factory=list, description="Slots already asked about; never asked twice.")
    price_wish: Literal["cheaper", "more_premium"] | None = Field(
        default=None, description='"Anything cheaper?" said before any kind of product: applied once a category is named.')


class EarlierSearch(BaseModel):
    """A version of the current search before a refinement, with the cards it showed last."""

    goal: Goal
    shown: list[str] = Field(default_factory=list)


class UnmetNeed(BaseModel):
    """A search that matched nothing as asked, or a product question the catalog could not answer (for merchants)."""

    kind: Literal["search", "question"]
    words: str = Field(default="", description="The request that matched nothing ('red shoes under $20.00'), what the "
                       "catalog does not carry, or the question's topic.")


class TurnRecord(BaseModel):
    index: int
    text: str
    intent: str | None = None
    confidence: float | None = None
    slots: dict[str, Any] = Field(default_factory=dict)
    action: Action | None = None
    asked: str | None = Field(default=None, description="The slot a clarifying question asked for.")
    then_say: str | None = Field(default=None, description='The second request of a message whose first asked something '
                                 'back ("find shoes and compare the first two": "compare the first two"), carried out '
                                 'once the next turn answers the question (dialogue.compound).')
    then_also: list[str] = Field(default_factory=list, description="Requests of the same message after ``then_say``, "
                                 "held with it (a third and fourth part).")
    reply: str = ""
    product_ids: list[str] = Field(default_factory=list, description="Products shown in this turn, in order.")
    language: Language = Field(default="en", description="The language the turn was understood and answered in.")
    unmet: UnmetNeed | None = Field(default=None, description="What the shopper asked for and the catalog could not give.")
    at: datetime = Field(default_factory=now)


class FeedbackRecord(BaseModel):
    turn: int
    product_id: str | None = None
    kind: Literal["like", "dislike", "opened", "added_to_cart", "too_expensive", "more_premium", "rated_reply", "forget"]
    source: Literal["card", "text", "behaviour"] = "card"
    detail: str = ""
    at: datetime = Field(default_factory=now)


# Events --------------------------------------------------------------------------------------------
class _Event(BaseModel):
    model_config = ConfigDict(extra="forbid")
    at: datetime = Field(default_factory=now)


class TurnEvent(_Event):
    type: Literal["turn"] = "turn"
    turn: TurnRecord


class GoalEvent(_Event):
    type: Literal["goal"] = "goal"
    goal: Goal | None


class ShownEvent(_Event):
    """Products presented to the shopper (cards), in order; they become the referents of "the second one"."""

    type: Literal["shown"] = "shown"
    product_ids: list[str]
    page_of_goal: bool = True


class FocusEvent(_Event):
    type: Literal["focus"] = "focus"
    product_id: str | None


class CartEvent(_Event):
    type: Literal["cart"] = "cart"
    op: Literal["add", "remove", "clear"]
    item: CartItem | None = None


class FeedbackEvent(_Event):
    type: Literal["feedback"] = "feedback"
    feedback: FeedbackRecord


class ServiceEvent(_Event):
    """Customer-service context: what the assistant waits for (e.g. an order id) and the order discussed."""

    type: Literal["service"] = "service"
    pending: Pending | None = None
    order_id: str | None = None

    _legacy_pending = field_validator("pending", mode="before")(parse_legacy)


class HandoffEvent(_Event):
    """The conversation goes to a person (``active``) or back to the assistant; ``by``: the agent who took it over
    or handed it back (empty when the shopper asked)."""

    type: Literal["handoff"] = "handoff"
    active: bool = True
    reason: str = ""
    by: str = ""


class AgentMessage(BaseModel):
    """What a person (a support agent) wrote to the shopper during a hand-off."""

    index: int = Field(description="Its number among the conversation's agent messages, from 0.")
    agent: str = Field(description="The agent's display name.")
    text: str
    after_turn: int = Field(description="How many shopper turns came before it.")
    at: datetime = Field(default_factory=now)


class AgentMessageEvent(_Event):
    type: Literal["agent_message"] = "agent_message"
    agent: str
    text: str


class DeliveredEvent(_Event):
    """Agent messages ``[0, upto)`` reached the shopper on a channel that cannot push (Rasa's REST channel)."""

    type: Literal["delivered"] = "delivered"
    channel: str
    upto: int


class ResetEvent(_Event):
    type: Literal["reset"] = "reset"


Event = Annotated[
    TurnEvent | GoalEvent | ShownEvent | FocusEvent | CartEvent | FeedbackEvent | ServiceEvent | HandoffEvent | ResetEvent
    | AgentMessageEvent | DeliveredEvent,
    Field(discriminator="type"),
]


class EventEnvelope(BaseModel):
    event: Event


# State ---------------------------------------------------------------------------------------------
class ConversationState(BaseModel):
    conversation_id: str
    sender: str
    created_at: datetime = Field(default_factory=now)
    updated_at: datetime = Field(default_factory=now)
    turns: list[TurnRecord] = Field(default_factory=list)
    goal: Goal | None = None
    past_goals: list[Goal] = Field(default_factory=list, description="Earlier searches of other categories, oldest first (at most 5).")
    goal_trail: list[EarlierSearch] = Field(default_factory=list, description="The current search's earlier versions, before its refinements, "
                                   "oldest first (the first and the last four): \"go back to the previous results\".")
    past_shown: dict[str, list[str]] = Field(default_factory=dict, description="The cards last shown for each earlier search of "
                                             "``past_goals``, by its category (lower case): \"go back to the laptops\" shows them again.")
    shown: list[str] = Field(default_factory=list, description="Every product shown so far, first showing order.")
    last_shown: list[str] = Field(default_factory=list, description="The cards of the latest product list.")
    focus: str | None = None
    cart: list[CartItem] = Field(default_factory=list)
    cart_before: list[CartItem] | None = Field(default=None, description="The cart before its latest change: what \"undo that\" "
                                               "restores (None before the first change).")
    cart_changed_turn: int = Field(default=-1, description="The turn (count of turns before it) that last changed the cart.")
    feedback: list[FeedbackRecord] = Field(default_factory=list)
    pending: Pending | None = None
    order_id: str | None = None
    handoff: bool = False
    handoff_reason: str = Field(default="", description="Why the conversation went to a person (the shopper's words).")
    handoff_at: datetime | None = Field(default=None, description="When the current hand-off began.")
    agent_messages: list[AgentMessage] = Field(default_factory=list)
    delivered: dict[str, int] = Field(default_factory=dict, description="Per pull channel: agent messages delivered.")
    events_applied: int = 0

    _legacy_pending = field_validator("pending", mode="before")(parse_legacy)

    @property
    def last_action(self) -> Action | None:
        return self.turns[-1].action if self.turns else None

    @property
    def language(self) -> Language:
        """The language of the last turn (English before the first): a message without words keeps it."""
        return self.turns[-1].language if self.turns else "en"

    @property
    def turn_count(self) -> int:
        return len(self.turns)

    @property
    def cart_total(self) -> float:
        return round(sum(item.line_total for item in self.cart), 2)

    def liked(self) -> list[str]:
        return [f.product_id for f in self.feedback if f.kind == "like" and f.product_id]

    def disliked(self) -> list[str]:
        return [f.product_id for f in self.feedback if f.kind == "dislike" and f.product_id]

    def undelivered(self, channel: str) -> tuple[list[AgentMessage], DeliveredEvent | None]:
        """The agent messages ``channel`` (one that cannot push) has not delivered, and the event that marks them
        delivered (None when there are none)."""
        fresh = self.agent_messages[self.delivered.get(channel, 0):]
        return fresh, DeliveredEvent(channel=channel, upto=len(self.agent_messages)) if fresh else None

    def apply(self, event: Event) -> None:
        """Fold one event into the state. The state is always ``fold(events)``."""
        self.updated_at = event.at
        self.events_applied += 1
        match event:
            case TurnEvent(turn=turn):
                self.turns.append(turn)
            case GoalEvent(goal=goal):
                if self.goal is not None and goal is not None and self.goal.constraints.category \
                        and (goal.constraints.category or "").lower() != self.goal.constraints.category.lower():
                    switched = {self.goal.constraints.category.lower(), (goal.constraints.category or "").lower()}
                    kept = [g for g in self.past_goals if (g.constraints.category or "").lower() not in switched]
                    self.past_goals = [*kept[-4:], self.goal]  # a topic switch keeps the earlier search, and its cards
                    self.past_shown = {g.constraints.category.lower(): self.past_shown.get(g.constraints.category.lower(), [])
                                       for g in kept[-4:] if g.constraints.category}
                    self.past_shown[self.goal.constraints.category.lower()] = list(self.last_shown)
                    self.goal_trail = []
                elif goal is None:
                    self.goal_trail = []
                elif (back := next((i for i, e in enumerate(self.goal_trail) if e.goal == goal), None)) is not None:
                    self.goal_trail = self.goal_trail[:back]  # gone back to it: what came after is undone
                elif self.goal is not None and goal is not None and (goal.query, goal.constraints) != (self.goal.query, self.goal.constraints):
                    trail = [*self.goal_trail, EarlierSearch(goal=self.goal, shown=list(self.last_shown))]
                    self.goal_trail = trail if len(trail) <= 5 else [trail[0], *trail[-4:]]
                self.goal = goal
            case ShownEvent(product_ids=ids):
                self.last_shown = list(ids)
                self.shown.extend(pid for pid in ids if pid not in self.shown)
            case FocusEvent(product_id=pid):
                self.focus = pid
            case CartEvent():
                if self.cart_changed_turn != self.turn_count:  # the turn's first change: keep the cart it changes
                    self.cart_before, self.cart_changed_turn = [line.model_copy() for line in self.cart], self.turn_count
                self._apply_cart(event)
            case FeedbackEvent(feedback=record):
                self.feedback.append(record)
            case ServiceEvent(pending=pending, order_id=order_id):
                self.pending = pending
                self.order_id = order_id or self.order_id
            case HandoffEvent(active=active, reason=reason):
                if active and not self.handoff:
                    self.handoff_reason, self.handoff_at = reason, event.at
                self.handoff = active
            case AgentMessageEvent(agent=agent, text=text):
                self.agent_messages.append(AgentMessage(index=len(self.agent_messages), agent=agent, text=text,
                                                        after_turn=self.turn_count, at=event.at))
            case DeliveredEvent(channel=channel, upto=upto):
                self.delivered[channel] = max(self.delivered.get(channel, 0), upto)
            case ResetEvent():
                self.goal, self.past_goals, self.goal_trail, self.shown, self.last_shown, self.focus = None, [], [], [], [], None
                self.past_shown = {}
                self.cart, self.cart_before, self.pending, self.order_id, self.handoff = [], None, None, None, False

    def _apply_cart(self, event: CartEvent) -> None:
        match event:
            case CartEvent(op="add", item=item) if item is not None:
                for line in self.cart:
                    if line.same_line(item):
                        line.quantity += item.quantity
                        break
                else:
                    self.cart.append(item.model_copy())
            case CartEvent(op="remove", item=item) if item is not None:
                self._remove_from_cart(item)
            case CartEvent(op="clear"):
                self.cart = []

    def _remove_from_cart(self, item: CartItem) -> None:
        for line in list(self.cart):
            if line.product_id == item.product_id and (not item.variant or line.variant == item.variant):
                line.quantity -= item.quantity
                if line.quantity <= 0:
                    self.cart.remove(line)
                return

    @classmethod
    def rebuild(cls, conversation_id: str, sender: str, events: list[Event], created_at: datetime | None = None) -> ConversationState:
        state = cls(conversation_id=conversation_id, sender=sender, created_at=created_at or now())
        for event in events:
            state.apply(event)
        return state
