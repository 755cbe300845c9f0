"""Where conversations live: an append-only event log in a SQL database (SQLite by default, PostgreSQL by URL).

Turns on one conversation run one at a time: :meth:`SqlStateStore.lock` holds a per-conversation lock that also
works across processes (a file lock beside the SQLite database; a PostgreSQL advisory lock on a server).

A turn sent with a client message id is stored with a :class:`Receipt` (the reply as the channel got it), in the same
transaction as its events: a client that timed out and resends the message gets the stored reply, and the turn is
never processed twice.

Each turn also saves the conversation's state after its events (a snapshot, in the same transaction): loading reads
the snapshot and folds only the events stored after it (an agent's message, a card's like), instead of replaying the
whole log every turn. The log stays the truth: a missing or unreadable snapshot is rebuilt from the events."""

from __future__ import annotations

import fcntl
import hashlib
import json
import logging
import threading
import uuid
from collections.abc import Collection, Iterator
from contextlib import AbstractContextManager, contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

from pydantic import BaseModel, Field, ValidationError
from sqlalchemy import (
    JSON, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint, bindparam, cast, func, insert, select, text, update,
)
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from core.errors import UserError
from dialogue.sql import create_tables, guarded_session, guarded_transaction, make_engine, unavailable_as
from dialogue.state import ConversationState, Event, EventEnvelope, now

log = logging.getLogger(__name__)

#: The longest client message id kept (Rasa's message ids are 32 hex digits; Idempotency-Key values are often UUIDs).
MESSAGE_ID_MAX = 128


class UnknownConversationError(UserError):
    """No conversation with that id (or not one of this sender's)."""


class ConcurrentUpdateError(Exception):
    """Another writer appended to the conversation since it was loaded (only possible when locking is bypassed)."""


class Receipt(BaseModel):
    """What a turn sent with a client message id answered, kept to answer a resend of it."""

    message_id: str = Field(min_length=1, max_length=MESSAGE_ID_MAX)
    text: str = Field(description="The message as received (a resend with other text under the same id is refused).")
    reply: dict[str, Any] = Field(description="The turn's result, as JSON.")


class StateStore(Protocol):
    """What the assistant and its channels need from a conversation store."""

    def create(self, sender: str, conversation_id: str | None = None) -> ConversationState: ...

    def exists(self, conversation_id: str) -> bool: ...

    def load(self, conversation_id: str) -> ConversationState: ...

    def append(self, conversation_id: str, after: int, events: list[Event], receipt: Receipt | None = None,
               state: ConversationState | None = None) -> None:
        """Store ``events`` as numbers ``after``, ``after + 1``, … with the turn's ``receipt``, and ``state`` (the
        conversation after these events) as its snapshot, all in one transaction."""
        ...

    def receipt(self, conversation_id: str, message_id: str) -> Receipt | None: ...

    def lock(self, conversation_id: str) -> AbstractContextManager[None]: ...

    def conversations_of(self, sender: str) -> list[str]: ...

    def handed_off(self) -> list[str]:
        """The conversations a person has now (handed off and not handed back), oldest hand-off first."""
        ...

    def agent_messages_after(self, event_id: int, skip: Collection[int] = ()) -> list[StoredAgentMessage]:
        """Agent messages stored (by any worker) as events numbered above ``event_id``, in order, but for the event
        numbers in ``skip`` (those a reader has already)."""
        ...

    def last_event_id(self) -> int: ...

    def ping(self) -> None:
        """Raise :class:`BackendUnavailableError` when the store cannot be reached (readiness checks)."""
        ...


class StoredAgentMessage(BaseModel):
    """An agent's message as the channels deliver it (``index``: its number in the conversation)."""

    event_id: int
    conversation_id: str
    sender: str
    index: int
    agent: str
    text: str
    at: datetime


class _Base(DeclarativeBase):
    pass


class ConversationRow(_Base):
    __tablename__ = "conversations"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    sender: Mapped[str] = mapped_column(String(128), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class EventRow(_Base):
    __tablename__ = "events"
    __table_args__ = (UniqueConstraint("conversation_id", "seq", name="uq_event_seq"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    conversation_id: Mapped[str] = mapped_column(ForeignKey("conversations.id"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    type: Mapped[str] = mapped_column(String(32))
    payload: Mapped[dict] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ReceiptRow(_Base):
    __tablename__ = "receipts"
    __table_args__ = (UniqueConstraint("conversation_id", "message_id", name="uq_receipt_message"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    conversation_id: Mapped[str] = mapped_column(ForeignKey("conversations.id"), index=True)
    message_id: Mapped[str] = mapped_column(String(MESSAGE_ID_MAX))
    text: Mapped[str] = mapped_column(Text)
    reply: Mapped[dict] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class SnapshotRow(_Base):
    """The state after the conversation's first ``events`` events (the latest turn's)."""

    __tablename__ = "state_snapshots"
    conversation_id: Mapped[str] = mapped_column(ForeignKey("conversations.id"), primary_key=True)
    events: Mapped[int] = mapped_column(Integer)
    state: Mapped[dict] = mapped_column(JSON)


_conversations, _events, _receipts, _snapshots = (row.__table__ for row in (ConversationRow, EventRow, ReceiptRow, SnapshotRow))
_LAST_SEQ_OF = select(func.max(_events.c.seq)).where(_events.c.conversation_id == bindparam("cid"))
# One statement per load: the conversation, its snapshot and its last event's number (events after the snapshot are
# read only when there are any: an agent's message or a card's like stored since the last turn).
_CONVERSATION_WITH_SNAPSHOT = (
    select(_conversations.c.sender, _conversations.c.created_at, _snapshots.c.events.label("state_events"),
           cast(_snapshots.c.state, Text).label("state"),  # the JSON text, for pydantic to parse in one call
           _LAST_SEQ_OF.scalar_subquery().label("last_seq"))
    .select_from(_conversations.outerjoin(_snapshots, _snapshots.c.conversation_id == _conversations.c.id))
    .where(_conversations.c.id == bindparam("cid"))
)
_PAYLOADS_FROM = (select(_events.c.payload).where(_events.c.conversation_id == bindparam("cid"), _events.c.seq >= bindparam("seq"))
                  .order_by(_events.c.seq))
_TOUCH = update(_conversations).where(_conversations.c.id == bindparam("cid")).values(updated_at=bindparam("at"))
_INSERT_EVENT = insert(_events)
_INSERT_RECEIPT = insert(_receipts)
_UPDATE_SNAPSHOT = (update(_snapshots).where(_snapshots.c.conversation_id == bindparam("cid"))
                    .values(events=bindparam("events"), state=bindparam("state")))
_INSERT_SNAPSHOT = insert(_snapshots).values(conversation_id=bindparam("cid"), events=bindparam("events"), state=bindparam("state"))


def _save_snapshot(connection: Connection, state: ConversationState) -> None:
    values = {"cid": state.conversation_id, "events": state.events_applied, "state": state}  # written by make_engine's _dump_json
    if connection.execute(_UPDATE_SNAPSHOT, values).rowcount == 0:  # type: ignore[attr-defined]
        connection.execute(_INSERT_SNAPSHOT, values)


def _from_snapshot(payload: str | None, events: int | None, conversation_id: str, sender: str) -> ConversationState | None:
    """The saved state (its JSON text), or None (replay the log) when there is none or it no longer reads (a changed
    state model)."""
    if payload is None or events is None:
        return None
    try:
        state = _parse_state(payload)
    except ValueError as exc:
        log.warning("state.snapshot_unreadable conversation=%s reason=%s", conversation_id, exc)
        return None
    if state.conversation_id != conversation_id or state.sender != sender or state.events_applied != events:
        log.warning("state.snapshot_mismatch conversation=%s", conversation_id)
        return None
    return state


def _parse_state(payload: str) -> ConversationState:
    try:
        return ConversationState.model_validate_json(payload)
    except ValidationError as exc:  # pydantic's JSON parser refuses an escaped lone surrogate, which json.loads reads
        if all(error["type"] != "json_invalid" for error in exc.errors()):
            raise
        return ConversationState.model_validate(json.loads(payload))


class SqlStateStore:
    """The default :class:`StateStore`."""

    def __init__(self, url: str, *, lock_dir: Path | None = None) -> None:
        self.url = url
        self.is_sqlite = url.startswith("sqlite")
        self.engine: Engine = make_engine(url)
        if self.is_sqlite:
            self._lock_dir = lock_dir or Path(url.split("///", 1)[1]).parent / "locks"
            self._lock_dir.mkdir(parents=True, exist_ok=True)
        self._thread_locks: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()
        create_tables(self.engine, _Base.metadata, f"Conversation database ({_safe_url(url)})")

    # StateStore --------------------------------------------------------------------------------
    def create(self, sender: str, conversation_id: str | None = None) -> ConversationState:
        conversation_id = conversation_id or uuid.uuid4().hex
        created = now()
        with self._session() as session:
            session.add(ConversationRow(id=conversation_id, sender=sender, created_at=created, updated_at=created))
            try:
                session.commit()
            except IntegrityError as exc:
                raise UserError(f"Conversation {conversation_id!r} already exists") from exc
        return ConversationState(conversation_id=conversation_id, sender=sender, created_at=created, updated_at=created)

    def exists(self, conversation_id: str) -> bool:
        with self._session() as session:
            return session.get(ConversationRow, conversation_id) is not None

    def load(self, conversation_id: str) -> ConversationState:
        with self._transaction() as connection:
            row = connection.execute(_CONVERSATION_WITH_SNAPSHOT, {"cid": conversation_id}).first()
            if row is None:
                raise UnknownConversationError(f"Unknown conversation id {conversation_id!r}")
            state = _from_snapshot(row.state, row.state_events, conversation_id, row.sender)
            applied = state.events_applied if state else 0
            stored = row.last_seq + 1 if row.last_seq is not None else 0
            later = connection.execute(_PAYLOADS_FROM, {"cid": conversation_id, "seq": applied}).scalars() if stored > applied else []
            events = [EventEnvelope.model_validate({"event": p}).event for p in later]
        if state is None:
            return ConversationState.rebuild(conversation_id, row.sender, events, created_at=row.created_at)
        state.created_at = row.created_at  # as the log's replay gives it (SQLite keeps no time zone)
        for event in events:
            state.apply(event)
        return state

    def append(self, conversation_id: str, after: int, events: list[Event], receipt: Receipt | None = None,
               state: ConversationState | None = None) -> None:
        """Store ``events`` atomically as numbers ``after``, ``after + 1``, … (``after`` = events already stored),
        with the turn's ``receipt`` and the ``state`` they lead to (its snapshot) in the same transaction."""
        if not events:
            return
        try:
            with self._transaction() as connection:  # a stale ``after`` collides with a stored number (uq_event_seq)
                if connection.execute(_TOUCH, {"cid": conversation_id, "at": events[-1].at}).rowcount == 0:
                    raise UnknownConversationError(f"Unknown conversation id {conversation_id!r}")
                connection.execute(_INSERT_EVENT, [
                    {"conversation_id": conversation_id, "seq": after + offset, "type": evt.type, "payload": evt, "created_at": evt.at}
                    for offset, evt in enumerate(events)
                ])
                if receipt is not None:
                    connection.execute(_INSERT_RECEIPT, {"conversation_id": conversation_id, "message_id": receipt.message_id,
                                                         "text": receipt.text, "reply": receipt.reply, "created_at": events[-1].at})
                if state is not None and state.events_applied == after + len(events):
                    _save_snapshot(connection, state)
        except IntegrityError as exc:  # another writer stored the same numbers (or message id) first
            raise ConcurrentUpdateError(conversation_id) from exc

    def receipt(self, conversation_id: str, message_id: str) -> Receipt | None:
        with self._session() as session:
            row = session.scalar(select(ReceiptRow).where(ReceiptRow.conversation_id == conversation_id,
                                                          ReceiptRow.message_id == message_id))
            return Receipt(message_id=row.message_id, text=row.text, reply=row.reply) if row is not None else None

    @contextmanager
    def lock(self, conversation_id: str) -> Iterator[None]:
        """Serialise turns on one conversation, across threads and processes."""
        with self._guard:
            thread_lock = self._thread_locks.setdefault(conversation_id, threading.Lock())
        with thread_lock:
            if self.is_sqlite:
                with self._file_lock(conversation_id):
                    yield
            else:
                with self._advisory_lock(conversation_id):
                    yield

    def conversations_of(self, sender: str) -> list[str]:
        with self._session() as session:
            query = select(ConversationRow.id).where(ConversationRow.sender == sender).order_by(ConversationRow.created_at)
            return list(session.scalars(query))

    def handed_off(self) -> list[str]:
        """Folds only the hand-off and reset events (rare), not whole conversations."""
        with self._session() as session:
            rows = session.execute(select(EventRow.conversation_id, EventRow.type, EventRow.payload)
                                   .where(EventRow.type.in_(("handoff", "reset"))).order_by(EventRow.id)).all()
        active: dict[str, None] = {}
        for conversation_id, kind, payload in rows:
            active.pop(conversation_id, None)
            if kind == "handoff" and payload.get("active", True):
                active[conversation_id] = None
        return list(active)

    def agent_messages_after(self, event_id: int, skip: Collection[int] = ()) -> list[StoredAgentMessage]:
        with self._session() as session:
            rows = [row for row in session.execute(
                select(EventRow.id, EventRow.conversation_id, ConversationRow.sender, EventRow.payload, EventRow.created_at)
                .join(ConversationRow, ConversationRow.id == EventRow.conversation_id)
                .where(EventRow.id > event_id, EventRow.type == "agent_message").order_by(EventRow.id)
            ).all() if row[0] not in skip]
            numbers = self._agent_message_numbers(session, [(row[0], row[1]) for row in rows])
        return [StoredAgentMessage(event_id=eid, conversation_id=cid, sender=sender, index=numbers[eid], agent=payload["agent"],
                                   text=payload["text"], at=at) for eid, cid, sender, payload, at in rows]

    def last_event_id(self) -> int:
        with self._session() as session:
            return int(session.scalar(select(func.max(EventRow.id))) or 0)

    def _agent_message_numbers(self, session: Session, events: list[tuple[int, str]]) -> dict[int, int]:
        """Each agent-message event's number among its conversation's agent messages."""
        numbers: dict[int, int] = {}
        for event_id, conversation_id in events:
            numbers[event_id] = int(session.scalar(select(func.count()).where(
                EventRow.conversation_id == conversation_id, EventRow.type == "agent_message", EventRow.id < event_id)) or 0)
        return numbers

    def event_count(self, conversation_id: str) -> int:
        with self._session() as session:
            return int(session.scalar(select(func.count()).where(EventRow.conversation_id == conversation_id)) or 0)

    def ping(self) -> None:
        with self._session() as session:
            session.execute(text("SELECT 1"))

    # internals ---------------------------------------------------------------------------------
    def _session(self) -> AbstractContextManager[Session]:
        return guarded_session(self.engine, "Conversation database")

    def _transaction(self) -> AbstractContextManager[Connection]:
        """The turn's path (load, append): Core statements built once, one transaction, no ORM session."""
        return guarded_transaction(self.engine, "Conversation database")

    @contextmanager
    def _file_lock(self, conversation_id: str) -> Iterator[None]:
        path = self._lock_dir / f"{hashlib.sha1(conversation_id.encode()).hexdigest()[:16]}.lock"
        with open(path, "a+") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    @contextmanager
    def _advisory_lock(self, conversation_id: str) -> Iterator[None]:
        key = int.from_bytes(hashlib.sha1(conversation_id.encode()).digest()[:8], "big", signed=True)
        # A lost connection is the database being unavailable; the lock dies with its session: nothing stays locked.
        with unavailable_as("Conversation database"), self.engine.connect() as connection:
            connection.execute(text("SELECT pg_advisory_lock(:k)"), {"k": key})
            try:
                yield
            finally:
                connection.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": key})


def _safe_url(url: str) -> str:
    """The URL without its password, for messages."""
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        return f"{scheme}://***@{rest.split('@', 1)[1]}"
    return url
