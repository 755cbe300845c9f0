"""The conversation, profile and order stores on a real PostgreSQL server: JSON events round-trip, and turns on one
conversation from several processes at once are serialised by the advisory lock (every turn stored once, in order)."""

from __future__ import annotations

import subprocess
import sys
import uuid

import pytest
from sqlalchemy import text

from core.errors import BackendUnavailableError
from core.settings import DATA_DIR
from dialogue.orders import OrderBook
from dialogue.profiles import ProfileStore
from dialogue.state import CartEvent, CartItem, GoalEvent, Goal, TurnEvent, TurnRecord
from dialogue.state_store import ConcurrentUpdateError, SqlStateStore
from retrieval.models import SearchConstraints
from tests.deploy.postgres import PostgresCluster
from tests.deploy.processes import free_port
from tests.dialogue.locked_writers import write_locked_turns

pytestmark = pytest.mark.slow

#: One writer process: THREADS threads, each appending one turn under the conversation lock.
WRITER = """
import sys, threading
from dialogue.state import TurnEvent, TurnRecord
from dialogue.state_store import SqlStateStore
url, conversation, name, threads = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
store = SqlStateStore(url)
def write(n):
    with store.lock(conversation):
        state = store.load(conversation)
        store.append(conversation, state.events_applied, [TurnEvent(turn=TurnRecord(index=state.turn_count, text=f"{name}-{n}"))])
workers = [threading.Thread(target=write, args=(n,)) for n in range(threads)]
[w.start() for w in workers]
[w.join() for w in workers]
"""


def test_events_with_json_payloads_round_trip(postgres: PostgresCluster) -> None:
    store = SqlStateStore(postgres.url)
    state = store.create(f"pg-{uuid.uuid4().hex[:8]}")
    events = [
        TurnEvent(turn=TurnRecord(index=0, text="lampes de bureau — 40 € ☕ \x00 \ud800", intent="search_product", action="show_products", product_ids=["P1"])),
        GoalEvent(goal=Goal(query="desk lamps", constraints=SearchConstraints(category="Desk Lamps", price_max=40))),
        CartEvent(op="add", item=CartItem(product_id="P1", title="Lamp", unit_price=19.5, quantity=2, variant={"colour": "red"})),
    ]
    for event in events:
        state.apply(event)
    store.append(state.conversation_id, 0, events)
    loaded = SqlStateStore(postgres.url).load(state.conversation_id)
    assert loaded.model_dump(exclude={"updated_at", "created_at"}) == state.model_dump(exclude={"updated_at", "created_at"})
    assert loaded.cart_total == 39.0 and loaded.turns[0].text.endswith("☕ \x00 \ud800")
    with pytest.raises(ConcurrentUpdateError):
        store.append(state.conversation_id, 0, [TurnEvent(turn=TurnRecord(index=1, text="stale"))])


def test_locked_turns_from_three_processes_are_each_stored_once_in_order(postgres: PostgresCluster) -> None:
    store = SqlStateStore(postgres.url)
    conversation = store.create("pg-writers").conversation_id
    processes = [subprocess.Popen([sys.executable, "-c", WRITER, postgres.url, conversation, f"p{i}", "6"]) for i in range(3)]
    errors = write_locked_turns(store, conversation, [f"main-{n}" for n in range(6)])
    assert [p.wait(120) for p in processes] == [0, 0, 0]
    assert not errors
    turns = store.load(conversation).turns
    assert [t.index for t in turns] == list(range(24))
    assert sorted(t.text for t in turns) == sorted([f"p{i}-{n}" for i in range(3) for n in range(6)] + [f"main-{n}" for n in range(6)])


def test_stores_set_up_concurrently_on_a_fresh_database_and_fail_clearly_when_it_is_down(postgres: PostgresCluster) -> None:
    """API workers start together: schema creation and order seeding must not race; a stopped server is a clear error."""
    cluster = PostgresCluster(free_port()).init()  # a cluster of its own (``postgres`` only makes it skip without one)
    try:
        script = (f"from core.settings import DATA_DIR; from dialogue.state_store import SqlStateStore; "
                  f"from dialogue.profiles import ProfileStore; from dialogue.orders import OrderBook; u = {cluster.url!r}; "
                  f"SqlStateStore(u); ProfileStore(u); OrderBook(u, DATA_DIR / 'orders.jsonl')")
        processes = [subprocess.Popen([sys.executable, "-c", script]) for _ in range(4)]
        assert [p.wait(120) for p in processes] == [0, 0, 0, 0]
        orders = OrderBook(cluster.url, DATA_DIR / "orders.jsonl")
        seeded = sum(1 for line in (DATA_DIR / "orders.jsonl").read_text().splitlines() if line.strip())
        with orders.engine.connect() as connection:
            assert connection.execute(text("SELECT count(*) FROM orders")).scalar() == seeded  # seeded once
        store, profiles = SqlStateStore(cluster.url), ProfileStore(cluster.url)
        conversation = store.create("pg-down").conversation_id
        cluster.stop()
        with pytest.raises(BackendUnavailableError, match="Conversation database unavailable"):
            store.load(conversation)
        with pytest.raises(BackendUnavailableError, match="Conversation database unavailable"):
            with store.lock(conversation):
                pass
        with pytest.raises(BackendUnavailableError, match="Profile database unavailable"):
            profiles.get("pg-down")
        cluster.start()
        assert store.load(conversation).sender == "pg-down"  # the pool's dead connections are replaced (pre-ping)
    finally:
        cluster.destroy()
