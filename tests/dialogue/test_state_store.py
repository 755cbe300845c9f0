"""The SQL state store: events round-trip, state is rebuilt from them, locks serialise writers."""

from __future__ import annotations

from pathlib import Path

import pytest

from dialogue.state import CartEvent, CartItem, ConversationState, GoalEvent, Goal, ShownEvent, TurnEvent, TurnRecord
from dialogue.state_store import ConcurrentUpdateError, SqlStateStore, UnknownConversationError
from retrieval.models import SearchConstraints
from tests.dialogue.locked_writers import write_locked_turns


@pytest.fixture()
def store(tmp_path: Path) -> SqlStateStore:
    return SqlStateStore(f"sqlite:///{tmp_path / 'conversations.db'}")


def test_state_is_rebuilt_from_stored_events(store: SqlStateStore) -> None:
    state = store.create("shopper-1")
    events = [
        TurnEvent(turn=TurnRecord(index=0, text="desk lamps under $40", intent="search_product", action="show_products", product_ids=["P1", "P2"])),
        GoalEvent(goal=Goal(query="desk lamps", constraints=SearchConstraints(category="Desk Lamps", price_max=40))),
        ShownEvent(product_ids=["P1", "P2"]),
        CartEvent(op="add", item=CartItem(product_id="P2", title="Lamp", unit_price=19.5, quantity=2)),
    ]
    for event in events:
        state.apply(event)
    store.append(state.conversation_id, 0, events)
    loaded = store.load(state.conversation_id)
    assert loaded.model_dump(exclude={"updated_at", "created_at"}) == state.model_dump(exclude={"updated_at", "created_at"})
    assert loaded.cart_total == 39.0
    assert loaded.goal is not None and loaded.goal.constraints.price_max == 40


def test_unknown_conversation_is_a_clear_error(store: SqlStateStore) -> None:
    with pytest.raises(UnknownConversationError, match="nope"):
        store.load("nope")


def test_stale_writer_is_refused(store: SqlStateStore) -> None:
    state = store.create("shopper-1")
    store.append(state.conversation_id, 0, [ShownEvent(product_ids=["A"])])
    with pytest.raises(ConcurrentUpdateError):
        store.append(state.conversation_id, 0, [ShownEvent(product_ids=["B"])])
    assert store.event_count(state.conversation_id) == 1


def test_locked_writers_from_20_threads_store_every_turn_once_in_order(store: SqlStateStore) -> None:
    conversation = store.create("shopper-1").conversation_id
    assert not write_locked_turns(store, conversation, [f"message {n}" for n in range(20)])
    state: ConversationState = store.load(conversation)
    assert [t.index for t in state.turns] == list(range(20))
    assert sorted(t.text for t in state.turns) == sorted(f"message {n}" for n in range(20))


def test_state_survives_a_new_store_instance(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'conversations.db'}"
    first = SqlStateStore(url)
    conversation = first.create("shopper-9").conversation_id
    first.append(conversation, 0, [ShownEvent(product_ids=["X", "Y"])])
    assert SqlStateStore(url).load(conversation).last_shown == ["X", "Y"]
