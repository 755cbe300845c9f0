"""The agent page (``/agent``, issue 20 item 3) in headless Chromium against a real server: a person signs in with the
agent key, finds the handed-off conversation in the queue, reads its transcript, cart and shown products, replies,
and hands it back; the shopper's side is checked through the native API."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import httpx
import pytest

from api.app import create_app
from api.server import BackgroundServer
from tests.ui.test_rasa_webchat import DESKTOP, OUTPUT, PHONE

SHOPPER_KEY = "shopper-key-1"
AGENT_KEY = "agent-key-2"


@pytest.fixture(scope="module")
def server_url(assistant_factory) -> Iterator[str]:  # type: ignore[no-untyped-def]
    app = create_app(assistant_factory(api_keys=SHOPPER_KEY, agent_api_keys=AGENT_KEY, agent_poll_s=0.2), ui=False)
    with BackgroundServer(app) as server:
        yield server.url


@pytest.mark.slow
def test_an_agent_takes_over_in_the_browser(browser, server_url: str) -> None:  # type: ignore[no-untyped-def]
    sender = f"page-shopper-{uuid.uuid4().hex[:6]}"
    with httpx.Client(base_url=server_url, headers={"X-API-Key": SHOPPER_KEY}, timeout=30) as shopper:
        cid = shopper.post("/api/conversations", json={"sender": sender}).json()["conversation_id"]

        def say(text: str) -> dict:  # type: ignore[type-arg]
            return shopper.post(f"/api/conversations/{cid}/messages", json={"sender": sender, "text": text}).json()

        assert say("wireless headphones")["products"]
        assert say("add the first one to my cart")["action"] == "cart_add"
        assert say("I want to talk to a person")["handoff"]
        assert say("my parcel never arrived")["waiting_for_person"]

        OUTPUT.mkdir(exist_ok=True)
        page = browser.new_page(viewport=DESKTOP)
        page.set_default_timeout(30_000)
        page.goto(f"{server_url}/agent", wait_until="load")
        page.fill("#agent-name", "Dana")
        page.fill("#agent-key", AGENT_KEY)
        page.click("#connect")
        item = page.locator(f".queue-item[data-conversation='{cid}']")
        item.wait_for()
        assert sender in item.inner_text() and "I want to talk to a person" in item.inner_text()
        item.click()
        page.wait_for_selector("#transcript .msg.shopper >> text=my parcel never arrived")
        assert page.locator("#transcript .msg.assistant").count() >= 3
        assert "Total" in page.inner_text("#cart") and "(in cart)" in page.inner_text("#shown")

        page.fill("#reply-text", "Hi, I'm Dana. I'm checking your parcel now.")
        page.click("#reply-form button[type=submit]")
        page.wait_for_selector("#transcript .msg.agent >> text=I'm checking your parcel now.")
        page.screenshot(path=str(OUTPUT / "agent-page-desktop.png"), full_page=True)
        page.set_viewport_size(PHONE)
        page.screenshot(path=str(OUTPUT / "agent-page-phone.png"), full_page=True)
        state = shopper.get(f"/api/conversations/{cid}", params={"sender": sender}).json()
        assert [(m["agent"], m["text"]) for m in state["agent_messages"]] == [("Dana", "Hi, I'm Dana. I'm checking your parcel now.")]

        page.click("#hand-back")
        page.wait_for_selector("#conversation-meta >> text=with the assistant")
        page.wait_for_selector(f".queue-item[data-conversation='{cid}']", state="detached")
        assert say("show me running shoes")["action"] == "show_products"  # the assistant answers again

        page.fill("#agent-key", "wrong-key")
        page.click("#connect")
        page.wait_for_selector("#error >> text=agent key is required")
        page.close()
