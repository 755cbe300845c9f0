"""Concurrent writers for the state-store tests (SQLite and PostgreSQL): one thread per turn, each under the lock."""

from __future__ import annotations

import threading

from dialogue.state import TurnEvent, TurnRecord
from dialogue.state_store import StateStore


def write_locked_turns(store: StateStore, conversation: str, texts: list[str]) -> list[BaseException]:
    """Append one turn per text, each from its own thread holding the conversation's lock; the errors raised."""
    errors: list[BaseException] = []

    def write(text: str) -> None:
        try:
            with store.lock(conversation):
                state = store.load(conversation)
                store.append(conversation, state.events_applied, [TurnEvent(turn=TurnRecord(index=state.turn_count, text=text))])
        except BaseException as exc:  # noqa: BLE001 - returned to the test, which asserts there are none
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(text,)) for text in texts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors
