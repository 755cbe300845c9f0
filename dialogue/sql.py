"""SQL plumbing shared by the conversation and profile stores: one way to open an engine and a session."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from pydantic import BaseModel
from pydantic_core import PydanticSerializationError

from sqlalchemy import MetaData, create_engine, event, text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.orm import Session

from core.errors import BackendUnavailableError

#: PostgreSQL advisory-lock key that serialises schema set-up between processes (any constant unlikely elsewhere).
SCHEMA_LOCK_KEY = 0x5A0_0C0DE
#: Seconds to wait for a PostgreSQL connection: an unreachable server fails a request quickly (503) instead of hanging.
CONNECT_TIMEOUT_S = 5


def make_engine(url: str) -> Engine:
    """SQLite (its folder created; WAL, 30 s busy timeout, usable from any thread) or a server database by URL.

    Server pools check each connection before use (``pool_pre_ping``), so after a database restart the first request
    gets a fresh connection instead of a dead one."""
    if url.startswith("sqlite"):
        Path(url.split("///", 1)[1]).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30}, json_serializer=_dump_json)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    connect_args = {"connect_timeout": CONNECT_TIMEOUT_S} if url.startswith("postgresql") else {}
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20, connect_args=connect_args,
                         json_serializer=_dump_json)


def _dump_json(value: Any) -> str:
    """What JSON columns store: a pydantic model written by pydantic's own serializer (a ten-turn conversation's state
    0.19 → 0.07 ms against ``model_dump`` then ``json.dumps``), anything else by ``json.dumps`` — and so is a model
    whose text holds what UTF-8 cannot encode (a lone surrogate), which ``json.dumps`` escapes."""
    if isinstance(value, BaseModel):
        try:
            return value.model_dump_json()
        except PydanticSerializationError:
            value = value.model_dump(mode="json")
    return json.dumps(value)


@contextmanager
def schema_lock(engine: Engine) -> Iterator[Connection]:
    """A transaction in which one process at a time sets up tables and seed rows.

    API workers start together; on PostgreSQL two concurrent ``CREATE TABLE``s (or seedings) of a fresh database
    would make one worker fail, so they queue on a transaction-level advisory lock (released at commit)."""
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": SCHEMA_LOCK_KEY})
        yield connection


def create_tables(engine: Engine, metadata: MetaData, what: str) -> None:
    """``metadata.create_all`` under :func:`schema_lock`; an unreachable server is a :class:`BackendUnavailableError`."""
    with unavailable_as(what), schema_lock(engine) as connection:
        metadata.create_all(connection)


@contextmanager
def guarded_transaction(engine: Engine, what: str) -> Iterator[Connection]:
    """A connection in one transaction (committed when the block ends, rolled back on an error) for Core statements,
    with :func:`guarded_session`'s mapping of connection failures: the turn's path, without the ORM's session."""
    with unavailable_as(what), engine.begin() as connection:
        yield connection


@contextmanager
def guarded_session(engine: Engine, what: str) -> Iterator[Session]:
    """A session whose connection failures become :class:`BackendUnavailableError` naming ``what``."""
    with unavailable_as(what), Session(engine, expire_on_commit=False) as session:
        yield session


@contextmanager
def unavailable_as(what: str) -> Iterator[None]:
    """Connection failures inside the block become :class:`BackendUnavailableError` naming ``what``.

    Both DBAPI classes of "the server is gone" are covered: ``OperationalError`` (refused, terminated by a restart)
    and ``InterfaceError`` (a connection already closed under us)."""
    try:
        yield
    except (OperationalError, InterfaceError) as exc:
        raise BackendUnavailableError(f"{what} unavailable: {exc.orig}") from exc


def _sqlite_pragmas(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()
