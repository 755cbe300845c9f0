"""The widget, the native API and Rasa's REST channel share one path: one rate limit, one conversation, one metrics."""

from __future__ import annotations

import httpx
import pytest

from api.app import create_app
from api.server import BackgroundServer
from assistant.turn_metrics import TURNS

LIMIT = 3


def test_three_channels_share_the_rate_limit_conversation_and_metrics(assistant_factory) -> None:  # type: ignore[no-untyped-def]
    from gradio_client import Client
    from gradio_client.exceptions import AppError

    assistant = assistant_factory(rate_limit_per_minute=LIMIT)
    turns_before = TURNS.by_label("channel")
    with BackgroundServer(create_app(assistant, ui=True)) as server, httpx.Client(base_url=server.url, timeout=30) as http:
        widget = Client(server.url + "/ui/", verbose=False)
        first = widget.predict("running shoes under 100", "", "", api_name="/chat")  # 1: the widget starts it
        sender, conversation_id = first["sender"], first["conversation_id"]
        api = http.post(f"/api/conversations/{conversation_id}/messages", json={"sender": sender, "text": "cheaper ones"})
        assert api.status_code == 200 and api.json()["turn_index"] == 1  # 2: the API continues it
        rest = http.post("/webhooks/rest/webhook", json={"sender": sender, "message": "compare the first two"})
        assert rest.status_code == 200 and rest.json()[0]["recipient_id"] == sender  # 3: the sender's open conversation

        limited = http.post(f"/api/conversations/{conversation_id}/messages", json={"sender": sender, "text": "more"})
        assert limited.status_code == 429 and int(limited.headers["Retry-After"]) >= 1
        with pytest.raises(AppError) as refused:
            widget.predict("more", conversation_id, sender, api_name="/chat")

    message = f"Too many messages from this sender: the limit is {LIMIT} a minute."
    assert limited.json()["detail"].startswith(message) and message in str(refused.value)  # the same words, either channel
    assert assistant.state(conversation_id, sender).turn_count == 3  # one conversation across the three channels
    turns_after = TURNS.by_label("channel")
    assert {channel: turns_after.get(channel, 0) - turns_before.get(channel, 0) for channel in ("widget", "api", "rest")} == {
        "widget": 1, "api": 1, "rest": 1}


def test_the_api_answers_while_the_widget_is_built_and_the_widget_then_serves(assistant_factory) -> None:  # type: ignore[no-untyped-def]
    with BackgroundServer(create_app(assistant_factory(), ui=True)) as server, httpx.Client(base_url=server.url, timeout=90) as http:
        first = http.get("/healthz").json()
        assert first["status"] == "ok" and first["widget"] in {"starting", "ready"}
        page = http.get("/ui/")  # waits for the widget when it is still being built
        assert page.status_code == 200 and "gradio" in page.text.lower()
        assert http.get("/healthz").json()["widget"] == "ready"
        assert http.get("/ui/config").json()["components"]
    with BackgroundServer(create_app(assistant_factory(), ui=False)) as server:
        assert httpx.get(f"{server.url}/healthz", timeout=30).json()["widget"] is None
