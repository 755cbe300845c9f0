"""The Gradio widget in a hand-off (issue 20, item 3), in headless Chromium against a real server: after "talk to a
person" the assistant stays silent, an agent's reply (agent API) appears in the chat with the agent's name, and after
the hand-back the assistant answers again."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from api.app import create_app
from api.server import BackgroundServer
from tests.ui.test_browser import OUTPUT, _send
from tests.ui.test_rasa_webchat import DESKTOP

AGENT_KEY = "widget-agent-key"


@pytest.fixture(scope="module")
def server(assistant_factory) -> Iterator[BackgroundServer]:  # type: ignore[no-untyped-def]
    with BackgroundServer(create_app(assistant_factory(agent_api_keys=AGENT_KEY), ui=True)) as running:
        yield running


def _chat_text(page) -> str:  # type: ignore[no-untyped-def]
    return page.locator("#sa-chat").inner_text()


@pytest.mark.slow
def test_widget_shows_the_persons_messages(browser, server: BackgroundServer) -> None:  # type: ignore[no-untyped-def]
    OUTPUT.mkdir(exist_ok=True)
    page = browser.new_page(viewport=DESKTOP)
    page.set_default_timeout(30_000)
    page.goto(server.url + "/ui/", wait_until="load")
    page.wait_for_selector("#sa-input textarea")
    _send(page, "I want to talk to a person")
    page.wait_for_function("() => document.querySelector('#sa-chat').innerText.includes('person will reply')")

    with httpx.Client(base_url=server.url, headers={"X-API-Key": AGENT_KEY}, timeout=30) as agent:
        waiting = agent.get("/api/agent/conversations").json()
        assert len(waiting) == 1 and waiting[0]["sender"].startswith("ui-")
        cid = waiting[0]["conversation_id"]

        bot_rows = page.locator("#sa-chat .message-row.bot-row").count()
        _send(page, "my parcel is lost")
        page.wait_for_function("() => document.querySelector('#sa-chat').innerText.includes('my parcel is lost')")
        page.wait_for_timeout(1500)  # the turn is done: no reply bubble comes for it
        assert page.locator("#sa-chat .message-row.bot-row").count() == bot_rows
        assert agent.get(f"/api/agent/conversations/{cid}").json()["transcript"][-1]["text"] == "my parcel is lost"

        agent.post(f"/api/agent/conversations/{cid}/messages", json={"agent": "Dana", "text": "Sorry about that, I'm on it."})
        page.wait_for_function("() => document.querySelector('#sa-chat').innerText.includes(\"Sorry about that, I'm on it.\")")
        assert "Dana (customer service)" in _chat_text(page)
        page.screenshot(path=str(OUTPUT / "widget-handoff.png"), full_page=True)

        agent.post(f"/api/agent/conversations/{cid}/handback", json={"agent": "Dana", "text": "Handing you back to the assistant."})
        page.wait_for_function("() => document.querySelector('#sa-chat').innerText.includes('Handing you back')")
    _send(page, "running shoes under 100")
    page.wait_for_selector('#sa-cards .sa-card')  # the assistant answers again
    page.close()
