"""The HTTP API over a real socket: Rasa REST shape, native API, auth, ownership, limits, SSE, metrics, CORS, errors."""

from __future__ import annotations

import json
import uuid

import httpx
import pytest

from tests.api.conftest import AGENT_KEY, API_KEY, MAX_BODY, ORIGIN, RATE_LIMIT, LiveServer


def _sender() -> str:
    return f"shopper-{uuid.uuid4().hex[:10]}"


def _conversation(client: httpx.Client, sender: str) -> str:
    response = client.post("/api/conversations", json={"sender": sender})
    assert response.status_code == 201, response.text
    return response.json()["conversation_id"]


def _events(body: str) -> list[tuple[str, dict]]:
    events = []
    for block in body.strip().split("\n\n"):
        lines = dict(line.split(": ", 1) for line in block.splitlines() if ": " in line)
        events.append((lines["event"], json.loads(lines["data"])))
    return events


def test_health_docs_and_openapi_are_served(live_server: LiveServer) -> None:
    with live_server.client(key=None) as anonymous:
        health = anonymous.get("/healthz")
        assert health.status_code == 200
        assert health.json()["status"] == "ok" and health.json()["products"] > 100
        assert anonymous.get("/docs").status_code == 200
        paths = anonymous.get("/openapi.json").json()["paths"]
    assert {"/webhooks/rest/webhook", "/api/conversations", "/api/conversations/{conversation_id}/messages",
            "/api/conversations/{conversation_id}/messages/stream", "/api/conversations/{conversation_id}/feedback",
            "/api/conversations/{conversation_id}", "/healthz", "/metrics"} <= set(paths)


def test_rasa_rest_webhook_has_the_exact_rasa_shape(client: httpx.Client, live_server: LiveServer) -> None:
    sender = _sender()
    response = client.post("/webhooks/rest/webhook", json={"sender": sender, "message": "running shoes under 100", "metadata": {"channel": "test"}})
    assert response.status_code == 200, response.text
    messages = response.json()
    assert isinstance(messages, list) and len(messages) == 3
    text, buttons, custom = messages
    assert set(text) == {"recipient_id", "text"} and text["recipient_id"] == sender and "$" in text["text"]
    assert set(buttons) == {"recipient_id", "buttons"} and buttons["recipient_id"] == sender
    assert buttons["buttons"] and all(set(b) == {"title", "payload"} for b in buttons["buttons"])
    assert set(custom) == {"recipient_id", "custom"} and set(custom["custom"]) == {"products"}
    products = custom["custom"]["products"]
    assert 1 <= len(products) <= 10
    for card in products:
        assert {"product_id", "title", "price", "currency", "rating", "key_attributes", "reasons", "position"} <= set(card)
        assert card["reasons"], "every card says why it was recommended"
        assert card["price"] < 100

    # The same sender continues its one open conversation; a button payload is a message Rasa clients send back.
    follow = client.post("/webhooks/rest/webhook", json={"sender": sender, "message": buttons["buttons"][0]["payload"]})
    assert follow.status_code == 200 and follow.json()[0]["recipient_id"] == sender
    conversations = live_server.assistant.states.conversations_of(sender)  # type: ignore[attr-defined]
    assert len(conversations) == 1
    assert live_server.assistant.state(conversations[0], sender).turn_count == 2  # type: ignore[attr-defined]


def test_rasa_webhook_without_products_sends_text_only(client: httpx.Client) -> None:
    sender = _sender()
    messages = client.post("/webhooks/rest/webhook", json={"sender": sender, "message": "hello"}).json()
    assert messages[0] == {"recipient_id": sender, "text": messages[0]["text"]} and messages[0]["text"]
    assert all("custom" not in m for m in messages)


def test_native_api_turn_feedback_and_state(client: httpx.Client) -> None:
    sender = _sender()
    cid = _conversation(client, sender)
    reply = client.post(f"/api/conversations/{cid}/messages", json={"sender": sender, "text": "wireless headphones"})
    assert reply.status_code == 200, reply.text
    body = reply.json()
    assert body["action"] == "show_products" and body["intent"] and body["products"] and body["turn_index"] == 0
    assert all(card["reasons"] for card in body["products"])
    assert body["quick_replies"] and set(body["timings_ms"]) >= {"nlu", "dialogue", "generate", "total"}
    liked = body["products"][0]["product_id"]

    ack = client.post(f"/api/conversations/{cid}/feedback", json={"sender": sender, "product_id": liked, "liked": True})
    assert ack.status_code == 200 and ack.json()["liked_products"] == [liked]

    compare = client.post(f"/api/conversations/{cid}/messages", json={"sender": sender, "text": "compare the first two"}).json()
    assert compare["action"] == "compare" and compare["comparison"]["rows"]

    state = client.get(f"/api/conversations/{cid}", params={"sender": sender})
    assert state.status_code == 200
    view = state.json()
    assert view["turn_count"] == 2 and [t["text"] for t in view["turns"]] == ["wireless headphones", "compare the first two"]
    assert view["liked"] == [liked] and view["sender"] == sender


def test_api_keys_are_required_when_configured(live_server: LiveServer) -> None:
    for key in (None, "wrong-key"):
        with live_server.client(key=key) as http:
            assert http.post("/api/conversations", json={"sender": "a"}).status_code == 401
            assert http.post("/webhooks/rest/webhook", json={"sender": "a", "message": "hi"}).status_code == 401
            assert http.get("/metrics").status_code == 401
            assert http.get("/healthz").status_code == 200
    with httpx.Client(base_url=live_server.url, headers={"Authorization": f"Bearer {API_KEY}"}) as bearer:
        assert bearer.post("/api/conversations", json={"sender": _sender()}).status_code == 201


def test_a_sender_only_sees_its_own_conversations(client: httpx.Client, live_server: LiveServer) -> None:
    owner, other = _sender(), _sender()
    cid = _conversation(client, owner)
    assert client.post(f"/api/conversations/{cid}/messages", json={"sender": owner, "text": "a blender"}).status_code == 200
    for response in (
        client.get(f"/api/conversations/{cid}", params={"sender": other}),
        client.post(f"/api/conversations/{cid}/messages", json={"sender": other, "text": "show my cart"}),
        client.post(f"/api/conversations/{cid}/feedback", json={"sender": other, "product_id": "x", "liked": True}),
        client.get("/api/conversations/does-not-exist", params={"sender": owner}),
    ):
        assert response.status_code == 404, response.text
        assert "Unknown conversation" in response.json()["detail"]
    assert client.get(f"/api/conversations/{cid}").status_code == 422  # the sender is required…
    with live_server.client(key=AGENT_KEY) as agent:  # …except for a human agent's key (hand-off)
        view = agent.get(f"/api/conversations/{cid}")
        assert view.status_code == 200 and view.json()["sender"] == owner and view.json()["turn_count"] == 1


def test_size_limits_give_clear_413_and_422(client: httpx.Client) -> None:
    sender = _sender()
    cid = _conversation(client, sender)
    too_long = client.post(f"/api/conversations/{cid}/messages", json={"sender": sender, "text": "shoes " * 200})
    assert too_long.status_code == 422 and "too long" in too_long.json()["detail"]
    empty = client.post(f"/api/conversations/{cid}/messages", json={"sender": sender, "text": "   "})
    assert empty.status_code == 422 and "empty" in empty.json()["detail"]
    big = client.post(f"/api/conversations/{cid}/messages", json={"sender": sender, "text": "x" * (MAX_BODY + 10)})
    assert big.status_code == 413 and str(MAX_BODY) in big.json()["detail"]

    def chunks():  # no Content-Length: counted while streaming
        for _ in range(10):
            yield b" " * 1000

    streamed = client.post(f"/api/conversations/{cid}/messages", content=chunks(), headers={"Content-Type": "application/json"})
    assert streamed.status_code == 413
    malformed = client.post(f"/api/conversations/{cid}/messages", content=b"{not json", headers={"Content-Type": "application/json"})
    assert malformed.status_code == 422
    missing = client.post(f"/api/conversations/{cid}/messages", json={"sender": sender})
    assert missing.status_code == 422 and missing.json()["detail"][0]["loc"][-1] == "text"
    unknown_product = client.post(f"/api/conversations/{cid}/feedback", json={"sender": sender, "product_id": "nope", "liked": True})
    assert unknown_product.status_code == 422 and "Unknown product" in unknown_product.json()["detail"]
    assert client.post("/api/conversations", json={"sender": "has spaces"}).status_code == 422


def test_rate_limit_per_sender_gives_429(client: httpx.Client) -> None:
    sender = _sender()
    statuses = [client.post("/api/conversations", json={"sender": sender}).status_code for _ in range(RATE_LIMIT)]
    assert statuses == [201] * RATE_LIMIT
    limited = client.post("/api/conversations", json={"sender": sender})
    assert limited.status_code == 429 and int(limited.headers["Retry-After"]) >= 1
    assert "limit" in limited.json()["detail"]
    assert client.post("/api/conversations", json={"sender": _sender()}).status_code == 201  # others are not affected


def test_server_sent_events_stream_the_reply(client: httpx.Client, live_server: LiveServer) -> None:
    sender = _sender()
    cid = _conversation(client, sender)
    with client.stream("POST", f"/api/conversations/{cid}/messages/stream", json={"sender": sender, "text": "running shoes under 100"}) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        body = "".join(response.iter_text())
    events = _events(body)
    tokens = [data["text"] for kind, data in events if kind == "token"]
    kind, done = events[-1]
    assert kind == "done" and len(tokens) > 3
    assert "".join(tokens).strip() == done["text"] and done["products"] and done["action"] == "show_products"
    state = live_server.assistant.state(cid, sender)  # type: ignore[attr-defined]
    assert state.turn_count == 1 and state.turns[0].reply == done["text"]
    # Input errors come before the stream starts: plain HTTP statuses.
    assert client.post(f"/api/conversations/{cid}/messages/stream", json={"sender": _sender(), "text": "hi"}).status_code == 404
    assert client.post(f"/api/conversations/{cid}/messages/stream", json={"sender": sender, "text": " "}).status_code == 422


def test_two_requests_in_one_message_answer_both(client: httpx.Client) -> None:
    sender = _sender()
    cid = _conversation(client, sender)
    client.post(f"/api/conversations/{cid}/messages", json={"sender": sender, "text": "show me notebooks"})
    body = client.post(f"/api/conversations/{cid}/messages",
                       json={"sender": sender, "text": "add the first one to my cart and show me cheaper ones"}).json()
    assert body["action"] == "show_products" and body["products"]  # the cards of the second request
    assert len(body["cart"]) == 1 and body["cart_total"] == body["cart"][0]["line_total"]  # the cart the first left
    assert body["text"].startswith("Added 1 ×")
    with client.stream("POST", f"/api/conversations/{cid}/messages/stream",
                       json={"sender": sender, "text": "add the first one to my cart and then show me cheaper ones"}) as response:
        events = _events("".join(response.iter_text()))
    tokens = [data["text"] for kind, data in events if kind == "token"]
    kind, done = events[-1]
    assert kind == "done" and "".join(tokens).strip() == done["text"] and "\n\n" in done["text"]
    assert done["products"] and len(done["cart"]) >= 1


def test_metrics_are_prometheus_text(client: httpx.Client) -> None:
    sender = _sender()
    cid = _conversation(client, sender)
    client.post(f"/api/conversations/{cid}/messages", json={"sender": sender, "text": "asdf qwerty zxcv"})
    response = client.get("/metrics")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/plain")
    text = response.text
    for name in ("# TYPE shopassist_turns_total counter", "# TYPE shopassist_turn_stage_seconds histogram",
                 'shopassist_turn_stage_seconds_bucket{stage="nlu",le="+Inf"}', "shopassist_fallbacks_total",
                 "shopassist_llm_grounding_violations_total", 'shopassist_http_requests_total{method="POST",route="/api/conversations",status="201"}'):
        assert name in text, name


def test_cors_allows_only_configured_origins(live_server: LiveServer) -> None:
    with httpx.Client(base_url=live_server.url) as http:
        preflight = {"Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type,x-api-key"}
        allowed = http.options("/webhooks/rest/webhook", headers={"Origin": ORIGIN, **preflight})
        assert allowed.status_code == 200 and allowed.headers["access-control-allow-origin"] == ORIGIN
        denied = http.options("/webhooks/rest/webhook", headers={"Origin": "http://evil.example", **preflight})
        assert "access-control-allow-origin" not in denied.headers


def test_internal_errors_never_leak_details(client: httpx.Client, live_server: LiveServer, monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("secret internals /etc/passwd")

    monkeypatch.setattr(live_server.assistant, "handle", boom)
    sender = _sender()
    cid = _conversation(client, sender)
    for _ in range(3):  # the keep-alive connection survives: the next request on it is answered
        response = client.post(f"/api/conversations/{cid}/messages", json={"sender": sender, "text": "hi"}, headers={"Origin": ORIGIN})
        assert response.status_code == 500
        assert response.json() == {"detail": "Internal server error."}
        assert "secret" not in response.text and "Traceback" not in response.text
        assert response.headers["access-control-allow-origin"] == ORIGIN  # a browser can read the error
    assert client.get("/healthz").status_code == 200


def test_each_turn_has_a_language_detected_or_given_by_metadata(client: httpx.Client, live_server: LiveServer) -> None:
    """Issue 19 item 1: the message's script decides, `metadata.language` overrides it, a message without words keeps
    the conversation's language; the Rasa webhook reads the same hint."""
    sender = _sender()
    cid = _conversation(client, sender)
    for body in ({"text": "我想买一双跑步鞋"}, {"text": "42"}, {"text": "running shoes"},
                 {"text": "running shoes", "metadata": {"language": "zh-CN", "client": "kept"}}):
        reply = client.post(f"/api/conversations/{cid}/messages", json={"sender": sender, **body})
        assert reply.status_code == 200, reply.text
    turns = client.get(f"/api/conversations/{cid}", params={"sender": sender}).json()["turns"]
    assert [t["language"] for t in turns] == ["zh", "zh", "en", "zh"]
    bad = client.post(f"/api/conversations/{cid}/messages", json={"sender": sender, "text": "hi", "metadata": {"language": "x" * 40}})
    assert bad.status_code == 422

    rest_sender = _sender()
    assert client.post("/webhooks/rest/webhook", json={"sender": rest_sender, "message": "hello", "metadata": {"language": "zh"}}).status_code == 200
    states = live_server.assistant.states  # type: ignore[attr-defined]
    (rest_cid,) = states.conversations_of(rest_sender)
    assert [t.language for t in states.load(rest_cid).turns] == ["zh"]
