"""The pending state (what the assistant waits for) is typed; conversations stored as text before still load."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from pydantic import ValidationError
from sqlalchemy.orm import Session

from dialogue.intent_context import NluContext, apply_rules
from dialogue.pending import AwaitingOrderId, AwaitingReference, AwaitingSize
from dialogue.state import ConversationState, ServiceEvent
from dialogue.state_store import EventRow, SqlStateStore


@pytest.mark.parametrize(("legacy", "typed"), [
    ("order_id:cancel_order", AwaitingOrderId(intent="cancel_order")),
    ("size:P12:2", AwaitingSize(product_id="P12", quantity=2)),
    ("size:P12:", AwaitingSize(product_id="P12", quantity=1)),
    ("reference:compare", AwaitingReference(intent="compare")),
    ("", None),
])
def test_a_legacy_string_parses_into_the_model(legacy: str, typed: object) -> None:
    assert ServiceEvent(pending=legacy).pending == typed
    assert ServiceEvent.model_validate({"type": "service", "pending": legacy}).pending == typed
    assert NluContext(pending=legacy).pending == typed


def test_an_unknown_legacy_string_is_an_error() -> None:
    with pytest.raises(ValidationError, match="Unknown pending state"):
        ServiceEvent(pending="colour:P1")
    with pytest.raises(ValidationError):
        ServiceEvent(pending="order_id:refund_everything")  # not an order action


def test_the_typed_state_serialises_with_its_kind() -> None:
    event = ServiceEvent(pending=AwaitingSize(product_id="P1", quantity=3, then=["P2"]))
    dumped = event.model_dump(mode="json")
    assert dumped["pending"] == {"kind": "size", "product_id": "P1", "quantity": 3, "then": ["P2"], "replaces": None}
    assert ServiceEvent.model_validate(dumped) == event
    stored_before = {"kind": "size", "product_id": "P1", "quantity": 3}  # events stored before ``then`` and ``replaces`` existed
    assert ServiceEvent.model_validate({**dumped, "pending": stored_before}).pending == AwaitingSize(product_id="P1", quantity=3)


def test_typed_and_legacy_events_round_trip_through_the_sqlite_store(tmp_path: Path) -> None:
    store = SqlStateStore(f"sqlite:///{tmp_path / 'conversations.db'}")
    conversation = store.create("shopper-1").conversation_id
    with Session(store.engine) as session:  # a row as the string-typed code stored it
        session.add(EventRow(conversation_id=conversation, seq=0, type="service", created_at=datetime.now(UTC),
                             payload={"type": "service", "at": datetime.now(UTC).isoformat(), "pending": "size:P7:2", "order_id": None}))
        session.commit()
    assert store.load(conversation).pending == AwaitingSize(product_id="P7", quantity=2)

    store.append(conversation, 1, [ServiceEvent(pending=AwaitingOrderId(intent="return_item"), order_id="ORD-10001")])
    loaded = store.load(conversation)
    assert loaded.pending == AwaitingOrderId(intent="return_item") and loaded.order_id == "ORD-10001"
    store.append(conversation, 2, [ServiceEvent(pending=None)])
    assert store.load(conversation).pending is None


def test_state_snapshots_with_a_legacy_string_load() -> None:
    state = ConversationState.model_validate({"conversation_id": "c", "sender": "s", "pending": "reference:add_to_cart"})
    assert state.pending == AwaitingReference(intent="add_to_cart")


def test_rules_read_the_typed_state() -> None:
    assert apply_rules("ORD-10001", NluContext(pending=AwaitingOrderId(intent="cancel_order"))) == ("cancel_order", "order-id-answer")
    assert apply_rules("size 10", NluContext(pending=AwaitingSize(product_id="P1"))) == ("add_to_cart", "size-answer")
    assert apply_rules("size 10", NluContext(pending=AwaitingReference(intent="compare"))) is None
