"""The whole turn pipeline under stress: concurrent turns on one conversation, a restart in a new process, bad input."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from core.errors import UserError
from dialogue.state_store import UnknownConversationError

MESSAGES = [
    "show me desk lamps", "cheaper", "in black", "show more", "compare the first two", "what is your return policy?",
    "add the first one to my cart", "what's in my cart?", "thanks", "hi",
]


def test_20_threads_on_one_conversation_store_every_turn_once_in_order(assistant_factory) -> None:  # type: ignore[no-untyped-def]
    assistant = assistant_factory()
    conversation = assistant.start("crowd")
    texts = [f"{MESSAGES[i % len(MESSAGES)]} #{i}" for i in range(20)]
    errors: list[BaseException] = []
    results: dict[int, int] = {}

    def send(i: int) -> None:
        try:
            results[i] = assistant.handle(conversation, "crowd", texts[i]).turn_index
        except BaseException as exc:  # noqa: BLE001 - the test reports every failure
            errors.append(exc)

    threads = [threading.Thread(target=send, args=(i,)) for i in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    state = assistant.state(conversation, "crowd")
    assert [t.index for t in state.turns] == list(range(20))
    assert sorted(t.text for t in state.turns) == sorted(" ".join(t.split()) for t in texts)
    assert sorted(results.values()) == list(range(20))  # each turn got its own slot, none overwritten


def test_conversation_continues_in_a_new_process(assistant_factory, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    assistant = assistant_factory()
    conversation = assistant.start("restart-shopper")
    shown = assistant.handle(conversation, "restart-shopper", "show me desk lamps under $60").plan.products
    assert len(shown) >= 2
    settings = assistant.settings
    env = {**os.environ, "SHOPASSIST_HOME": str(settings.home), "SHOPASSIST_DATABASE_URL": settings.resolved_database_url}
    completed = subprocess.run(
        [sys.executable, "-m", "cli.main", "ask", "add the second one to my cart", "--conversation", conversation,
         "--sender", "restart-shopper", "--json"],
        env=env, capture_output=True, text=True, timeout=300, check=False,
    )
    assert completed.returncode == 0, completed.stderr[-2000:]
    reply = json.loads(completed.stdout.strip().splitlines()[-1])
    assert reply["plan"]["action"] == "cart_add"
    state = assistant.state(conversation, "restart-shopper")  # re-read from the store
    assert state.turn_count == 2
    assert [line.product_id for line in state.cart] == [shown[1].product_id]


def test_bad_input_is_a_clear_error_and_loses_nothing(assistant) -> None:  # type: ignore[no-untyped-def]
    conversation = assistant.start("careless")
    assistant.handle(conversation, "careless", "show me tents")
    for text in ("", "   ", "x" * (assistant.settings.max_message_chars + 1)):
        with pytest.raises(UserError):
            assistant.handle(conversation, "careless", text)
    with pytest.raises(UnknownConversationError):
        assistant.handle("no-such-conversation", "careless", "hello")
    with pytest.raises(UnknownConversationError):
        assistant.handle(conversation, "someone-else", "hello")  # another sender's conversation does not exist for them
    assert assistant.state(conversation, "careless").turn_count == 1
