"""What shoppers asked for over a period, for merchants: read from the conversation store's event log (SQLite or
PostgreSQL), never from logs. ``shopassist report --since 7d`` prints it.

Counted over the events stored in ``[since, until)``: the conversations with activity and those started, turns,
hand-offs and their reasons, searches that matched nothing as asked (with the words), product questions the catalog
could not answer, the categories and brands asked for, the share of active conversations that added to the cart,
and the feedback given by kind. Turns stored before ``TurnRecord.unmet`` existed count as met.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from datetime import UTC, date, datetime, timedelta

from pydantic import BaseModel, Field
from sqlalchemy import func, select

from core.errors import UserError
from dialogue.state import CartEvent, EventEnvelope, FeedbackEvent, HandoffEvent, TurnEvent
from dialogue.state_store import ConversationRow, EventRow, SqlStateStore

#: How many rows each "top" list keeps.
TOP = 20
PERIOD = re.compile(r"^(\d+)([mhdw])$")
UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


class Count(BaseModel):
    value: str
    count: int


class DayFigures(BaseModel):
    """One UTC day of the period (for plots over time)."""

    day: date
    conversations: int
    turns: int
    handoffs: int
    searches_without_results: int
    conversations_adding_to_cart: int


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
    days: list[DayFigures] = Field(default_factory=list, description="The same counts per UTC day, every day of the period.")


def build_report(store: SqlStateStore, since: datetime, until: datetime) -> ConversationReport:
    """The report over the events stored in ``[since, until)``."""
    with store.engine.connect() as connection:
        rows = connection.execute(
            select(EventRow.conversation_id, EventRow.payload, EventRow.created_at)
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
    daily: dict[date, Counter[str]] = defaultdict(Counter)
    daily_active: dict[date, set[str]] = defaultdict(set)
    daily_carting: dict[date, set[str]] = defaultdict(set)
    for conversation_id, payload, created_at in rows:
        event = EventEnvelope.model_validate({"event": payload}).event
        day = _utc(created_at).date()
        active.add(conversation_id)
        daily_active[day].add(conversation_id)
        if isinstance(event, TurnEvent):
            turn = event.turn
            turns += 1
            daily[day]["turns"] += 1
            if isinstance(turn.slots.get("category"), str):
                categories[turn.slots["category"]] += 1
            brands.update(b for b in turn.slots.get("brands", []) if isinstance(b, str))
            if turn.unmet is not None and turn.unmet.kind == "search":
                missed_searches += 1
                daily[day]["searches_without_results"] += 1
                missing_words[turn.unmet.words or turn.text] += 1
            elif turn.unmet is not None:
                missed_questions += 1
                unanswered[turn.text] += 1
        elif isinstance(event, HandoffEvent) and event.active:
            handoffs += 1
            daily[day]["handoffs"] += 1
            reasons[event.reason or "(none given)"] += 1
        elif isinstance(event, CartEvent) and event.op == "add":
            carting.add(conversation_id)
            daily_carting[day].add(conversation_id)
        elif isinstance(event, FeedbackEvent):
            feedback[event.feedback.kind] += 1
    return ConversationReport(
        since=since, until=until, conversations=len(active), conversations_started=int(started or 0), turns=turns,
        handoffs=handoffs, handoff_reasons=_top(reasons), searches_without_results=missed_searches,
        search_words_without_results=_top(missing_words), unanswered_questions=missed_questions,
        unanswered_question_texts=_top(unanswered), categories_asked=_top(categories), brands_asked=_top(brands),
        conversations_adding_to_cart=len(carting), add_to_cart_rate=round(len(carting) / len(active), 4) if active else 0.0,
        feedback=dict(feedback.most_common()),
        days=[DayFigures(day=day, conversations=len(daily_active[day]), turns=daily[day]["turns"], handoffs=daily[day]["handoffs"],
                         searches_without_results=daily[day]["searches_without_results"],
                         conversations_adding_to_cart=len(daily_carting[day]))
              for day in _days(since, until)],
    )


def period(since: str, until: str | None = None, now: datetime | None = None) -> tuple[datetime, datetime]:
    """``[start, end)`` from ``since`` (30m, 24h, 7d, 4w before the end, or a date / time) and ``until`` (a date or
    time; default now); an empty period is refused."""
    end = parse_moment(until) if until else (now or datetime.now(UTC))
    match = PERIOD.match(since.strip())
    start = end - timedelta(**{UNITS[match[2]]: int(match[1])}) if match else parse_moment(since)
    if start >= end:
        raise UserError(f"The period is empty: since {since} is not before {end.isoformat()}.")
    return start, end


def parse_moment(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError as exc:
        raise UserError(f"Not a period or a date: {text!r} (try 7d, 24h or 2026-12-01).") from exc
    return _utc(moment)


def _utc(moment: datetime) -> datetime:
    """SQLite returns stored times without their zone: they were stored in UTC."""
    return moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)


def _days(since: datetime, until: datetime) -> list[date]:
    first, last = _utc(since).date(), (_utc(until) - timedelta(microseconds=1)).date()
    return [first + timedelta(days=n) for n in range((last - first).days + 1)][-366:]


def _top(counter: Counter[str]) -> list[Count]:
    return [Count(value=value, count=count) for value, count in counter.most_common(TOP)]
