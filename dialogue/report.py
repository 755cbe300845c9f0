"""What shoppers asked for over a period, for merchants: read from the conversation store's event log (SQLite or
PostgreSQL), never from logs. ``shopassist report --since 7d`` prints it.

Counted over the events stored in ``[since, until)``: the conversations with activity and those started, turns,
hand-offs and their reasons, searches that matched nothing as asked (with the words), product questions the catalog
could not answer, the categories and brands asked for, the share of active conversations that added to the cart,
and the feedback given by kind. Turns stored before ``TurnRecord.unmet`` existed count as met.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime

from pydantic import BaseModel, Field
from sqlalchemy import func, select

from dialogue.state import CartEvent, EventEnvelope, FeedbackEvent, HandoffEvent, TurnEvent
from dialogue.state_store import ConversationRow, EventRow, SqlStateStore

#: How many rows each "top" list keeps.
TOP = 20


class Count(BaseModel):
    value: str
    count: int


class ConversationReport(BaseModel):
    since: datetime
    until: datetime
    conversations: int = Field(description="Conversations with at least one event in the period.")
    conversations_started: int
    turns: int
    handoffs: int
    handoff_reasons: list[Count] = Field(default_factory=list)
    searches_without_results: int = Field(description="Searches that matched nothing as asked (alternatives may have been shown).")
    search_words_without_results: list[Count] = Field(default_factory=list)
    unanswered_questions: int = Field(description="Product questions the catalog could not answer.")
    unanswered_question_texts: list[Count] = Field(default_factory=list)
    categories_asked: list[Count] = Field(default_factory=list)
    brands_asked: list[Count] = Field(default_factory=list)
    conversations_adding_to_cart: int
    add_to_cart_rate: float = Field(description="Share of the period's conversations that added something to the cart.")
    feedback: dict[str, int] = Field(default_factory=dict, description="Feedback given, by kind (like, dislike, …).")


def build_report(store: SqlStateStore, since: datetime, until: datetime) -> ConversationReport:
    """The report over the events stored in ``[since, until)``."""
    with store.engine.connect() as connection:
        rows = connection.execute(
            select(EventRow.conversation_id, EventRow.payload)
            .where(EventRow.created_at >= since, EventRow.created_at < until).order_by(EventRow.conversation_id, EventRow.seq)
        ).all()
        started = connection.scalar(
            select(func.count()).select_from(ConversationRow).where(ConversationRow.created_at >= since, ConversationRow.created_at < until)
        )
    active: set[str] = set()
    carting: set[str] = set()
    turns = handoffs = 0
    reasons: Counter[str] = Counter()
    missing_words: Counter[str] = Counter()
    unanswered: Counter[str] = Counter()
    categories: Counter[str] = Counter()
    brands: Counter[str] = Counter()
    feedback: Counter[str] = Counter()
    missed_searches = missed_questions = 0
    for conversation_id, payload in rows:
        event = EventEnvelope.model_validate({"event": payload}).event
        active.add(conversation_id)
        if isinstance(event, TurnEvent):
            turn = event.turn
            turns += 1
            if isinstance(turn.slots.get("category"), str):
                categories[turn.slots["category"]] += 1
            brands.update(b for b in turn.slots.get("brands", []) if isinstance(b, str))
            if turn.unmet is not None and turn.unmet.kind == "search":
                missed_searches += 1
                missing_words[turn.unmet.words or turn.text] += 1
            elif turn.unmet is not None:
                missed_questions += 1
                unanswered[turn.text] += 1
        elif isinstance(event, HandoffEvent) and event.active:
            handoffs += 1
            reasons[event.reason or "(none given)"] += 1
        elif isinstance(event, CartEvent) and event.op == "add":
            carting.add(conversation_id)
        elif isinstance(event, FeedbackEvent):
            feedback[event.feedback.kind] += 1
    return ConversationReport(
        since=since, until=until, conversations=len(active), conversations_started=int(started or 0), turns=turns,
        handoffs=handoffs, handoff_reasons=_top(reasons), searches_without_results=missed_searches,
        search_words_without_results=_top(missing_words), unanswered_questions=missed_questions,
        unanswered_question_texts=_top(unanswered), categories_asked=_top(categories), brands_asked=_top(brands),
        conversations_adding_to_cart=len(carting), add_to_cart_rate=round(len(carting) / len(active), 4) if active else 0.0,
        feedback=dict(feedback.most_common()),
    )


def _top(counter: Counter[str]) -> list[Count]:
    return [Count(value=value, count=count) for value, count in counter.most_common(TOP)]
