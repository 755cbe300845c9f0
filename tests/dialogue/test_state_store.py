"""The SQL state store: events round-trip, state is rebuilt from them or from the latest turn's snapshot, locks
serialise writers."""

from __future__ import annotations

from pathlib import Path

import pytest

from sqlalchemy import select, update

from dialogue.state import (
    AgentMessageEvent, CartEvent, CartItem, ConversationState, EventEnvelope, FocusEvent, GoalEvent, Goal, ResetEvent, ShownEvent,
    TurnEvent,
    TurnRecord,
)
from dialogue.state_store import (
    ConcurrentUpdateError, ConversationRow, EventRow, SnapshotRow, SqlStateStore, UnknownConversationError,
)
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


def test_the_cart_before_its_latest_change_is_kept_for_undo(store: SqlStateStore) -> None:
    """"undo that" restores the cart as it was before the turn that last changed it: the first change of a turn keeps a
    copy, later changes of the same turn do not; the copy survives storage and a fresh start drops it."""
    lamp, mat = (CartItem(product_id="P2", title="Lamp", unit_price=19.5), CartItem(product_id="P7", title="Mat", unit_price=9.0))
    state = store.create("shopper-1")
    events = [CartEvent(op="add", item=lamp), TurnEvent(turn=TurnRecord(index=0, text="add the lamp", intent="add_to_cart", action="cart_add")),
              CartEvent(op="add", item=mat), CartEvent(op="remove", item=lamp),
              TurnEvent(turn=TurnRecord(index=1, text="swap it for the mat", intent="add_to_cart", action="cart_add"))]
    for event in events:
        state.apply(event)
    assert [i.title for i in state.cart] == ["Mat"]
    assert [i.title for i in state.cart_before or []] == ["Lamp"] and state.cart_changed_turn == 1
    store.append(state.conversation_id, 0, events)
    assert store.load(state.conversation_id).cart_before == state.cart_before
    state.apply(ResetEvent())
    assert state.cart_before is None


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


def _replayed(store: SqlStateStore, conversation_id: str) -> ConversationState:
    """The state as a fold of every stored event (what a store without snapshots would load)."""
    with store.engine.connect() as connection:
        payloads = connection.execute(select(EventRow.payload).where(EventRow.conversation_id == conversation_id)
                                      .order_by(EventRow.seq)).scalars().all()
        row = connection.execute(select(ConversationRow.sender, ConversationRow.created_at)
                                 .where(ConversationRow.id == conversation_id)).one()
    events = [EventEnvelope.model_validate({"event": p}).event for p in payloads]
    return ConversationState.rebuild(conversation_id, row.sender, events, created_at=row.created_at)


def _snapshot_events(store: SqlStateStore, conversation_id: str) -> int | None:
    with store.engine.connect() as connection:
        return connection.execute(select(SnapshotRow.events).where(SnapshotRow.conversation_id == conversation_id)).scalar()


def test_a_turn_saves_its_state_and_loading_folds_only_later_events(store: SqlStateStore) -> None:
    state = store.create("shopper-1")
    turn = [TurnEvent(turn=TurnRecord(index=0, text="desk lamps", intent="search_product", action="show_products")),
            ShownEvent(product_ids=["P1", "P2"])]
    for event in turn:
        state.apply(event)
    store.append(state.conversation_id, 0, turn, state=state)
    assert _snapshot_events(store, state.conversation_id) == 2
    # A write without a state (an agent's message, a card's like) leaves the snapshot behind: loading folds it on top.
    store.append(state.conversation_id, 2, [FocusEvent(product_id="P2"), AgentMessageEvent(agent="Dana", text="Hello")])
    loaded = store.load(state.conversation_id)
    assert _snapshot_events(store, state.conversation_id) == 2 and loaded.events_applied == 4
    assert loaded.model_dump() == _replayed(store, state.conversation_id).model_dump()
    assert loaded.focus == "P2" and [m.text for m in loaded.agent_messages] == ["Hello"]


def test_loading_reads_the_snapshot_not_the_log(store: SqlStateStore) -> None:
    state = store.create("shopper-1")
    event = ShownEvent(product_ids=["P1"])
    state.apply(event)
    store.append(state.conversation_id, 0, [event], state=state)
    with store.engine.begin() as connection:  # a snapshot that says something the log does not: the load shows it
        connection.execute(update(SnapshotRow).values(state={**state.model_dump(mode="json"), "focus": "from-snapshot"}))
    assert store.load(state.conversation_id).focus == "from-snapshot"


def test_a_snapshot_of_text_utf8_cannot_encode_loads_as_saved(store: SqlStateStore, caplog: pytest.LogCaptureFixture) -> None:
    """Snapshots are written and read by pydantic's JSON, which cannot carry a lone surrogate: those take json's way."""
    state = store.create("shopper-1")
    event = TurnEvent(turn=TurnRecord(index=0, text="lampes — 40 € ☕ \x00 \ud800", intent="search_product", action="show_products"))
    state.apply(event)
    store.append(state.conversation_id, 0, [event], state=state)
    with store.engine.begin() as connection:  # a mark only the snapshot has: the load below must read it, not the log
        saved = connection.execute(select(SnapshotRow.state)).scalar_one()
        connection.execute(update(SnapshotRow).values(state={**saved, "focus": "from-snapshot"}))
    loaded = store.load(state.conversation_id)
    assert loaded.focus == "from-snapshot" and loaded.turns[0].text == "lampes — 40 € ☕ \x00 \ud800"
    assert "snapshot" not in caplog.text


@pytest.mark.parametrize("saved", [{"conversation_id": 7}, "other-conversation", "fewer-events"])
def test_an_unusable_snapshot_is_replaced_by_the_log(store: SqlStateStore, saved: object) -> None:
    state = store.create("shopper-1")
    events = [ShownEvent(product_ids=["P1", "P2"]), FocusEvent(product_id="P1")]
    for event in events:
        state.apply(event)
    store.append(state.conversation_id, 0, events, state=state)
    if saved == "other-conversation":
        saved = {**state.model_dump(mode="json"), "conversation_id": "someone-else"}
    elif saved == "fewer-events":
        saved = {**state.model_dump(mode="json"), "events_applied": 1}
    with store.engine.begin() as connection:
        connection.execute(update(SnapshotRow).values(state=saved))
    loaded = store.load(state.conversation_id)
    assert loaded.model_dump() == _replayed(store, state.conversation_id).model_dump() and loaded.focus == "P1"


def test_assistant_turns_load_from_snapshots_equal_to_the_replayed_log(assistant) -> None:  # type: ignore[no-untyped-def]
    conversation = assistant.start("snapshot-shopper")
    for text in ("wireless headphones under $100", "the second one", "add the first one to my cart", "talk to a person"):
        assistant.handle(conversation, "snapshot-shopper", text)
    store = assistant.states
    assert _snapshot_events(store, conversation) == store.event_count(conversation)
    loaded = store.load(conversation)
    assert loaded.model_dump() == _replayed(store, conversation).model_dump()
    assert loaded.turn_count == 4 and loaded.cart and loaded.handoff
