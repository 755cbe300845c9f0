"""Retries without double turns (issue 20, item 5), over a real socket: a client that timed out and sends its
message again under the same id (an ``Idempotency-Key`` header on the native API, ``metadata.message_id`` on Rasa's
REST channel) gets the stored reply, and the conversation holds the turn once."""

from __future__ import annotations

import json
import uuid
from concurrent.futures import ThreadPoolExecutor

import httpx

from tests.api.conftest import LiveServer
from tests.api.test_http import _conversation, _events, _sender


def _say(client: httpx.Client, cid: str, sender: str, text: str, key: str | None) -> httpx.Response:
    headers = {"Idempotency-Key": key} if key else {}
    return client.post(f"/api/conversations/{cid}/messages", json={"sender": sender, "text": text}, headers=headers)


def test_a_resent_message_gets_the_stored_reply_and_no_second_turn(client: httpx.Client, live_server: LiveServer) -> None:
    sender = _sender()
    cid = _conversation(client, sender)
    key = uuid.uuid4().hex
    first = _say(client, cid, sender, "wireless headphones", key)
    assert first.status_code == 200, first.text
    again = _say(client, cid, sender, "wireless headphones", key)
    assert again.status_code == 200, again.text
    original, replayed = first.json(), again.json()
    assert not original["replayed"] and replayed["replayed"]
    for field in ("turn_index", "text", "action", "intent", "products", "quick_replies"):
        assert replayed[field] == original[field], field
    assert replayed["products"], "the cards come back too"

    second = _say(client, cid, sender, "compare the first two", uuid.uuid4().hex)  # a new id: a new turn
    assert second.json()["turn_index"] == 1 and second.json()["action"] == "compare"
    assert _say(client, cid, sender, "wireless headphones", key).json()["turn_index"] == 0, "an old id still answers"
    state = live_server.assistant.state(cid, sender)  # type: ignore[attr-defined]
    assert [t.text for t in state.turns] == ["wireless headphones", "compare the first two"]


def test_messages_without_an_id_are_each_a_turn(client: httpx.Client, live_server: LiveServer) -> None:
    sender = _sender()
    cid = _conversation(client, sender)
    assert [_say(client, cid, sender, "hello", None).json()["turn_index"] for _ in range(2)] == [0, 1]


def test_another_message_under_a_used_id_is_refused(client: httpx.Client, live_server: LiveServer) -> None:
    sender = _sender()
    cid = _conversation(client, sender)
    key = uuid.uuid4().hex
    assert _say(client, cid, sender, "running shoes under 100", key).status_code == 200
    refused = _say(client, cid, sender, "where is my order?", key)
    assert refused.status_code == 422 and "already used" in refused.json()["detail"], refused.text
    assert _say(client, cid, sender, "hi", "x" * 129).status_code == 422, "an over-long key is refused"
    assert live_server.assistant.state(cid, sender).turn_count == 1  # type: ignore[attr-defined]


def test_concurrent_resends_take_one_turn(client: httpx.Client, live_server: LiveServer) -> None:
    """A resend that arrives while the first send is still being answered waits for it and gets its reply."""
    sender = _sender()
    cid = _conversation(client, sender)
    key = uuid.uuid4().hex
    with ThreadPoolExecutor(4) as pool:
        replies = list(pool.map(lambda _: _say(client, cid, sender, "a quiet dishwasher under $600", key), range(4)))
    bodies = [r.json() for r in replies]
    assert all(r.status_code == 200 for r in replies), [r.text for r in replies]
    assert len({b["text"] for b in bodies}) == 1 and sum(not b["replayed"] for b in bodies) == 1
    assert live_server.assistant.state(cid, sender).turn_count == 1  # type: ignore[attr-defined]


def test_a_resent_stream_gets_the_stored_reply(client: httpx.Client, live_server: LiveServer) -> None:
    sender = _sender()
    cid = _conversation(client, sender)
    key = uuid.uuid4().hex
    dones = []
    for _ in range(2):
        with client.stream("POST", f"/api/conversations/{cid}/messages/stream", json={"sender": sender, "text": "running shoes"},
                           headers={"Idempotency-Key": key}) as response:
            assert response.status_code == 200
            dones.append(_events("".join(response.iter_text()))[-1][1])
    assert dones[0]["text"] == dones[1]["text"] and [d["replayed"] for d in dones] == [False, True]
    assert live_server.assistant.state(cid, sender).turn_count == 1  # type: ignore[attr-defined]


def test_rasa_message_id_in_metadata_makes_the_webhook_idempotent(client: httpx.Client, live_server: LiveServer) -> None:
    sender = _sender()
    body = {"sender": sender, "message": "running shoes under 100", "metadata": {"message_id": uuid.uuid4().hex}}
    first = client.post("/webhooks/rest/webhook", json=body)
    again = client.post("/webhooks/rest/webhook", json=body)
    assert first.status_code == again.status_code == 200
    assert json.dumps(again.json()) == json.dumps(first.json()), "the same bot messages, byte for byte"
    other = client.post("/webhooks/rest/webhook", json={**body, "metadata": {"message_id": uuid.uuid4().hex}})
    assert other.status_code == 200
    (cid,) = live_server.assistant.states.conversations_of(sender)  # type: ignore[attr-defined]
    assert live_server.assistant.state(cid, sender).turn_count == 2  # type: ignore[attr-defined]


def test_a_client_that_timed_out_resends_and_gets_the_turn_it_missed(live_server: LiveServer) -> None:
    """The client gives up before the reply comes (the server goes on and stores the turn); its resend under the same
    key gets that turn's reply instead of a second turn."""
    sender = _sender()
    with live_server.client() as client:
        cid = _conversation(client, sender)
    key = uuid.uuid4().hex
    with live_server.client() as impatient:
        impatient.timeout = httpx.Timeout(30, read=0.001)
        try:
            _say(impatient, cid, sender, "a quiet dishwasher under $600", key)
        except httpx.ReadTimeout:
            pass
    with live_server.client() as client:
        resent = _say(client, cid, sender, "a quiet dishwasher under $600", key)
    assert resent.status_code == 200, resent.text
    state = live_server.assistant.state(cid, sender)  # type: ignore[attr-defined]
    assert state.turn_count == 1 and state.turns[0].reply == resent.json()["text"]
