"""Human takeover over a real uvicorn server (issue 20, item 3): a hand-off stops the assistant, an agent (agent key)
lists and reads the conversation with its cart and shown products, replies, and the shopper receives the reply on
their channel (SSE for the native API, a socket.io push, the next request or poll of Rasa's REST channel), marked
as from a person; after the hand-back the assistant answers again."""

from __future__ import annotations

import json
import queue
import threading
import uuid
from typing import Any

import httpx
import pytest

from tests.api.conftest import AGENT_KEY, API_KEY, LiveServer
from tests.api.test_socketio import WAIT_S, RasaClient


def _sender(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


@pytest.fixture
def agent(live_server: LiveServer) -> httpx.Client:
    with live_server.client(key=AGENT_KEY) as http:
        yield http


class SseReader(threading.Thread):
    """Reads a Server-Sent Events stream in the background; each event's (name, data) goes to ``events``."""

    def __init__(self, url: str, params: dict[str, Any]) -> None:
        super().__init__(daemon=True)
        self.url, self.params = url, params
        self.events: queue.Queue[tuple[str, dict[str, Any]]] = queue.Queue()
        self.connected = threading.Event()
        self.status = 0
        self.client = httpx.Client(headers={"X-API-Key": API_KEY}, timeout=httpx.Timeout(60, read=None))

    def run(self) -> None:
        try:
            with self.client.stream("GET", self.url, params=self.params) as response:
                self.status = response.status_code
                self.connected.set()
                name = None
                for line in response.iter_lines():
                    if line.startswith("event: "):
                        name = line.removeprefix("event: ")
                    elif line.startswith("data: ") and name:
                        self.events.put((name, json.loads(line.removeprefix("data: "))))
        except httpx.HTTPError:  # closed by the test, or the server stopped at the session's end
            pass

    def __enter__(self) -> SseReader:
        self.start()
        assert self.connected.wait(WAIT_S) and self.status == 200
        return self

    def __exit__(self, *_: object) -> None:
        self.client.close()


def _start_and_hand_off(client: httpx.Client, sender: str) -> str:
    cid = client.post("/api/conversations", json={"sender": sender}).json()["conversation_id"]
    shown = client.post(f"/api/conversations/{cid}/messages", json={"sender": sender, "text": "wireless headphones"}).json()
    assert shown["action"] == "show_products" and shown["products"]
    added = client.post(f"/api/conversations/{cid}/messages", json={"sender": sender, "text": "add the first one to my cart"}).json()
    assert added["action"] == "cart_add", added
    handed = client.post(f"/api/conversations/{cid}/messages", json={"sender": sender, "text": "I want to talk to a person"}).json()
    assert handed["action"] == "handoff" and handed["handoff"] and handed["text"] and not handed["waiting_for_person"]
    return cid


def test_native_api_round_trip_over_sse(live_server: LiveServer, client: httpx.Client, agent: httpx.Client) -> None:
    sender = _sender("takeover-api")
    cid = _start_and_hand_off(client, sender)
    with SseReader(f"{live_server.url}/api/conversations/{cid}/agent-messages", {"sender": sender}) as reader:
        _round_trip(client, agent, reader, sender, cid)


def _round_trip(client: httpx.Client, agent: httpx.Client, reader: SseReader, sender: str, cid: str) -> None:
    # the assistant stops answering: the message waits for a person
    waiting = client.post(f"/api/conversations/{cid}/messages", json={"sender": sender, "text": "is anyone there? my order is late"}).json()
    assert waiting["waiting_for_person"] and waiting["text"] == "" and waiting["products"] == [] and waiting["handoff"]

    queue_rows = {row["conversation_id"]: row for row in agent.get("/api/agent/conversations").json()}
    row = queue_rows[cid]
    assert row["sender"] == sender and row["reason"] == "I want to talk to a person"
    assert row["unanswered"] == 2 and row["last_message"] == "is anyone there? my order is late" and row["cart_items"] == 1

    view = agent.get(f"/api/agent/conversations/{cid}").json()
    roles = [entry["role"] for entry in view["transcript"]]
    assert roles == ["shopper", "assistant", "shopper", "assistant", "shopper", "assistant", "shopper"]
    assert view["transcript"][-1]["text"] == "is anyone there? my order is late"
    assert len(view["cart"]) == 1 and view["cart"][0]["product_id"] in {p["product_id"] for p in view["shown"]}
    assert len(view["shown"]) >= 3 and any(p["in_cart"] for p in view["shown"])

    sent = agent.post(f"/api/agent/conversations/{cid}/messages", json={"agent": "Dana", "text": "Hi, I'm Dana. Let me look."})
    assert sent.status_code == 201 and sent.json()["index"] == 0
    name, data = reader.events.get(timeout=WAIT_S)  # pushed to the shopper's stream
    assert name == "agent_message" and data == {**data, "agent": "Dana", "text": "Hi, I'm Dana. Let me look.", "from": "person", "index": 0}
    row = next(r for r in agent.get("/api/agent/conversations").json() if r["conversation_id"] == cid)
    assert row["unanswered"] == 0 and row["agent_messages"] == 1  # the agent answered what waited

    back = agent.post(f"/api/agent/conversations/{cid}/handback", json={"agent": "Dana", "text": "The assistant will help you now."})
    assert back.status_code == 200 and back.json()["handoff"] is False
    name, data = reader.events.get(timeout=WAIT_S)
    assert (name, data["text"], data["index"]) == ("agent_message", "The assistant will help you now.", 1)
    assert cid not in {r["conversation_id"] for r in agent.get("/api/agent/conversations").json()}

    again = client.post(f"/api/conversations/{cid}/messages", json={"sender": sender, "text": "show me running shoes"}).json()
    assert again["action"] == "show_products" and again["text"] and not again["waiting_for_person"] and not again["handoff"]
    state = client.get(f"/api/conversations/{cid}", params={"sender": sender}).json()
    assert [m["agent"] for m in state["agent_messages"]] == ["Dana", "Dana"] and state["handoff"] is False
    assert agent.post(f"/api/agent/conversations/{cid}/handback", json={"agent": "Dana"}).status_code == 409


def test_sse_reconnect_gets_missed_messages(live_server: LiveServer, client: httpx.Client, agent: httpx.Client) -> None:
    sender = _sender("takeover-sse")
    cid = _start_and_hand_off(client, sender)
    for text in ("first", "second", "third"):
        assert agent.post(f"/api/agent/conversations/{cid}/messages", json={"agent": "Lee", "text": text}).status_code == 201
    reader = SseReader(f"{live_server.url}/api/conversations/{cid}/agent-messages", {"sender": sender})
    reader.client.headers["Last-Event-ID"] = "0"  # a browser reconnecting after it saw message 0
    with reader:
        assert [reader.events.get(timeout=WAIT_S)[1]["text"] for _ in range(2)] == ["second", "third"]
    other = client.get(f"/api/conversations/{cid}/agent-messages", params={"sender": "someone-else"})
    assert other.status_code == 404  # another sender's conversation stays hidden


def test_rest_channel_gets_agent_messages_on_next_request_and_poll(live_server: LiveServer, client: httpx.Client,
                                                                   agent: httpx.Client) -> None:
    sender = _sender("takeover-rest")
    webhook = "/webhooks/rest/webhook"
    first = client.post(webhook, json={"sender": sender, "message": "let me talk to a person"}).json()
    assert first[0]["text"] and "person" in first[0]["text"]
    cid = client.get("/api/agent/conversations", headers={"X-API-Key": AGENT_KEY}).json()
    cid = next(row["conversation_id"] for row in cid if row["sender"] == sender)

    assert client.post(webhook, json={"sender": sender, "message": "hello?"}).json() == []  # nobody answers but the person
    agent.post(f"/api/agent/conversations/{cid}/messages", json={"agent": "Sam", "text": "Hello, Sam here."})
    agent.post(f"/api/agent/conversations/{cid}/messages", json={"agent": "Sam", "text": "What can I do for you?"})
    polled = client.get("/webhooks/rest/messages", params={"sender": sender}).json()
    assert [(m["text"], m["metadata"]["from"], m["metadata"]["agent"]) for m in polled] == [
        ("Hello, Sam here.", "person", "Sam"), ("What can I do for you?", "person", "Sam")]
    assert client.get("/webhooks/rest/messages", params={"sender": sender}).json() == []  # each message once

    agent.post(f"/api/agent/conversations/{cid}/messages", json={"agent": "Sam", "text": "Your parcel left today."})
    reply = client.post(webhook, json={"sender": sender, "message": "my order is late"}).json()
    assert [(m["text"], m["metadata"]["from"]) for m in reply] == [("Your parcel left today.", "person")]

    agent.post(f"/api/agent/conversations/{cid}/handback", json={"agent": "Sam", "text": "Bye from Sam."})
    answered = client.post(webhook, json={"sender": sender, "message": "show me running shoes"}).json()
    assert answered[0] == {"recipient_id": sender, "text": "Bye from Sam.", "metadata": answered[0]["metadata"]}
    assert answered[0]["metadata"]["from"] == "person"
    assert any("custom" in m and m["custom"].get("products") for m in answered[1:])  # the assistant answers again


def test_socketio_push_and_silence_while_handed_off(live_server: LiveServer, agent: httpx.Client) -> None:
    client = RasaClient(live_server.url)
    try:
        session_id = client.session(_sender("takeover-sio"))
        handed = client.say(session_id, "I want to talk to a human agent")
        assert "person" in " ".join(m.get("text", "") for m in handed)
        cid = next(row["conversation_id"] for row in agent.get("/api/agent/conversations").json() if row["sender"] == session_id)

        ack = client.sio.call("user_uttered", {"message": "still there?", "session_id": session_id}, timeout=WAIT_S)
        assert ack["status"] == 200 and ack["waiting_for_person"] is True

        agent.post(f"/api/agent/conversations/{cid}/messages", json={"agent": "Ana", "text": "Ana here, how can I help?"})
        pushed = client._next()  # no bot message came for "still there?": the first one is the agent's
        assert pushed == {"text": "Ana here, how can I help?", "metadata": {"from": "person", "agent": "Ana"}}

        agent.post(f"/api/agent/conversations/{cid}/handback", json={"agent": "Ana"})
        answered = client.say(session_id, "show me running shoes")
        assert any(m.get("attachment") for m in answered)
    finally:
        client.close()


def test_agent_api_needs_an_agent_key(live_server: LiveServer, client: httpx.Client) -> None:
    sender = _sender("takeover-keys")
    cid = client.post("/api/conversations", json={"sender": sender}).json()["conversation_id"]
    assert client.get("/api/agent/conversations").status_code == 401  # a shopper's key is not an agent's
    with live_server.client(key=None) as anonymous:
        assert anonymous.get("/api/agent/conversations").status_code == 401
    posted = client.post(f"/api/agent/conversations/{cid}/messages", json={"agent": "Eve", "text": "hi"})
    assert posted.status_code == 401
    with live_server.client(key=AGENT_KEY) as agent:
        assert agent.post(f"/api/agent/conversations/{cid}/messages", json={"agent": "", "text": "hi"}).status_code == 422
        assert agent.post(f"/api/agent/conversations/{cid}/messages", json={"agent": "Eve", "text": "  "}).status_code == 422
        assert agent.get("/api/agent/conversations/nope").status_code == 404
        # an agent may take over a conversation the assistant still has: it stops answering
        assert agent.post(f"/api/agent/conversations/{cid}/messages", json={"agent": "Eve", "text": "Hi, Eve from support."}).status_code == 201
        row = next(r for r in agent.get("/api/agent/conversations").json() if r["conversation_id"] == cid)
        assert row["reason"] == "taken over by Eve"
    waiting = client.post(f"/api/conversations/{cid}/messages", json={"sender": sender, "text": "running shoes"}).json()
    assert waiting["waiting_for_person"] and waiting["text"] == ""
