"""Rasa's socket.io channel over a real socket with a real python-socketio client (issue 20, item 1): Rasa's events and
payloads, one conversation per session id, quick replies clicked, the API key and the rate limit of the other
channels, idempotent resends."""

from __future__ import annotations

import queue
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import socketio

from tests.api.conftest import API_KEY, RATE_LIMIT, LiveServer

WAIT_S = 30
#: A turn's bot messages are emitted back to back: after this long without one, the turn's messages are all in.
QUIET_S = 0.5


class RasaClient:
    """A socket.io client as rasa-webchat uses the channel: session_request, then user_uttered / bot_uttered."""

    def __init__(self, url: str, key: str | None = API_KEY, transports: list[str] | None = None) -> None:
        self.events: queue.Queue[tuple[str, Any]] = queue.Queue()
        self.sio = socketio.Client(reconnection=False)
        for name in ("session_confirm", "bot_uttered", "error"):
            self.sio.on(name, lambda data=None, name=name: self.events.put((name, data)))
        self.sio.connect(url, socketio_path="socket.io", auth={"token": key} if key else None, transports=transports,
                         wait_timeout=WAIT_S)

    def session(self, session_id: str | None = None) -> str:
        self.sio.emit("session_request", {"session_id": session_id} if session_id else {})
        name, data = self.events.get(timeout=WAIT_S)
        assert name == "session_confirm", (name, data)
        return data

    def say(self, session_id: str, text: str, **custom: str) -> list[dict[str, Any]]:
        """The turn's bot messages (they end with the last text, the cards or the comparison; collected until quiet)."""
        self.sio.emit("user_uttered", {"message": text, "session_id": session_id, "customData": custom})
        messages = [self._next()]
        while True:
            try:
                messages.append(self._next(timeout=QUIET_S))
            except queue.Empty:
                return messages

    def _next(self, timeout: float = WAIT_S) -> dict[str, Any]:
        name, data = self.events.get(timeout=timeout)
        return {"error": data} if name == "error" else data

    def close(self) -> None:
        self.sio.disconnect()


def _text(messages: list[dict[str, Any]]) -> str:
    return " ".join(m["text"] for m in messages if "text" in m)


@pytest.fixture
def rasa(live_server: LiveServer) -> Iterator[RasaClient]:
    client = RasaClient(live_server.url)
    yield client
    client.close()


def test_a_shopping_turn_in_rasas_shapes(rasa: RasaClient, live_server: LiveServer) -> None:
    session_id = rasa.session()
    assert session_id and rasa.session(session_id) == session_id, "a kept session id is confirmed as it is"
    messages = rasa.say(session_id, "running shoes under 100")
    assert "$" in _text(messages)
    replies = messages[-1]["quick_replies"]  # on the last message, after the cards (widgets show them only there)
    assert replies and all(set(r) == {"content_type", "title", "payload"} and r["content_type"] == "text" for r in replies)
    (cards,) = [m for m in messages if "attachment" in m]
    payload = cards["attachment"]["payload"]
    assert cards["attachment"]["type"] == "template" and payload["template_type"] == "generic"
    assert payload["elements"] and all(e["title"] and "$" in e["subtitle"] for e in payload["elements"])
    assert [c["title"] for c in cards["custom"]["products"]] == [e["title"] for e in payload["elements"]]
    assert all(c["price"] < 100 and c["reasons"] for c in cards["custom"]["products"])

    clicked = rasa.say(session_id, replies[0]["payload"])  # a quick reply sends its payload back
    assert "error" not in clicked[0] and _text(clicked)
    # The session id is the sender: one conversation, holding both turns.
    (cid,) = live_server.assistant.states.conversations_of(session_id)  # type: ignore[attr-defined]
    assert [t.text for t in live_server.assistant.state(cid).turns] == ["running shoes under 100", replies[0]["payload"]]  # type: ignore[attr-defined]


def test_a_reconnecting_widget_goes_on_with_its_conversation(live_server: LiveServer) -> None:
    first = RasaClient(live_server.url, transports=["polling"])  # the long-polling transport too
    session_id = first.session()
    assert _text(first.say(session_id, "wireless headphones"))
    first.close()
    second = RasaClient(live_server.url)
    try:
        assert second.session(session_id) == session_id
        compared = second.say(session_id, "compare the first two")
        assert any("comparison" in m.get("custom", {}) for m in compared), compared
    finally:
        second.close()
    (cid,) = live_server.assistant.states.conversations_of(session_id)  # type: ignore[attr-defined]
    assert live_server.assistant.state(cid).turn_count == 2  # type: ignore[attr-defined]


def test_the_api_key_is_required(live_server: LiveServer) -> None:
    for key in (None, "wrong-key"):
        with pytest.raises(socketio.exceptions.ConnectionError):
            RasaClient(live_server.url, key=key)


def test_bad_input_gets_an_error_event_and_the_socket_stays_up(rasa: RasaClient) -> None:
    session_id = rasa.session()
    assert rasa.say(session_id, "   ")[0]["error"]["status"] == 422
    assert rasa.say(session_id, "x" * 600)[0]["error"]["status"] == 422
    rasa.sio.emit("user_uttered", {"session_id": session_id})
    assert rasa._next()["error"]["status"] == 422
    assert _text(rasa.say(session_id, "hello")), "the socket still answers"


def test_a_resend_with_the_same_message_id_takes_one_turn(rasa: RasaClient, live_server: LiveServer) -> None:
    session_id = rasa.session(f"resend-{uuid.uuid4().hex[:8]}")
    message_id = uuid.uuid4().hex
    first = rasa.say(session_id, "a quiet dishwasher under $600", message_id=message_id)
    again = rasa.say(session_id, "a quiet dishwasher under $600", message_id=message_id)
    assert again == first
    (cid,) = live_server.assistant.states.conversations_of(session_id)  # type: ignore[attr-defined]
    assert live_server.assistant.state(cid).turn_count == 1  # type: ignore[attr-defined]


def test_the_senders_rate_limit_holds(rasa: RasaClient) -> None:
    session_id = rasa.session()
    statuses = []
    for _ in range(RATE_LIMIT + 1):
        first = rasa.say(session_id, "hi")[0]
        statuses.append(first["error"]["status"] if "error" in first else 200)
    assert statuses[:RATE_LIMIT] == [200] * RATE_LIMIT and statuses[-1] == 429, statuses
