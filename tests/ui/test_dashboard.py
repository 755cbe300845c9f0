"""The merchant dashboard (issue 20, item 4) against a real server whose conversation store scripted conversations with
known counts filled through the native API: the report route behind the admin key, and the page in headless
Chromium showing the figures as tiles, tables and plots."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from api.app import create_app
from api.server import BackgroundServer
from tests.assistant.test_report import CONVERSATIONS
from tests.ui.test_rasa_webchat import DESKTOP, OUTPUT, PHONE

SHOPPER_KEY = "shopper-key-3"
ADMIN_KEY = "admin-key-4"


@pytest.fixture(scope="module")
def filled_server(assistant_factory) -> Iterator[str]:  # type: ignore[no-untyped-def]
    app = create_app(assistant_factory(api_keys=SHOPPER_KEY, admin_api_keys=ADMIN_KEY), ui=False)
    with BackgroundServer(app) as server, httpx.Client(base_url=server.url, headers={"X-API-Key": SHOPPER_KEY}, timeout=30) as http:
        for sender, messages in CONVERSATIONS.items():
            cid = http.post("/api/conversations", json={"sender": sender}).json()["conversation_id"]
            for text in messages:
                reply = http.post(f"/api/conversations/{cid}/messages", json={"sender": sender, "text": text}).json()
            if sender == "shopper-cart":
                http.post(f"/api/conversations/{cid}/feedback", json={"sender": sender, "product_id": reply["cart"][0]["product_id"], "liked": True})
        yield server.url


def test_report_route_counts_the_scripted_conversations(filled_server: str) -> None:
    with httpx.Client(base_url=filled_server, timeout=30) as http:
        assert http.get("/api/admin/report").status_code == 401
        assert http.get("/api/admin/report", headers={"X-API-Key": SHOPPER_KEY}).status_code == 401  # a shopper's key is not enough
        admin = {"X-API-Key": ADMIN_KEY}
        report = http.get("/api/admin/report", params={"since": "1h"}, headers=admin).json()
        assert http.get("/api/admin/report", params={"since": "yesterday"}, headers=admin).status_code == 422
        assert http.get("/api/admin/report", params={"since": "2026-01-02", "until": "2026-01-01"}, headers=admin).status_code == 422
    assert report["conversations"] == report["conversations_started"] == 3 and report["turns"] == 6
    assert report["handoffs"] == 1 and report["handoff_reasons"] == [{"value": "talk to a person", "count": 1}]
    assert report["searches_without_results"] == 1 and "$5.00" in report["search_words_without_results"][0]["value"]
    assert [c["value"] for c in report["unanswered_question_texts"]] == ["does the first one come with a carrying case"]
    assert report["conversations_adding_to_cart"] == 1 and report["feedback"]["like"] == 1 and report["feedback"]["added_to_cart"] == 1
    assert sum(day["turns"] for day in report["days"]) == 6 and sum(day["handoffs"] for day in report["days"]) == 1


def test_dashboard_page_shows_tables_and_plots(browser, filled_server: str) -> None:  # type: ignore[no-untyped-def]
    OUTPUT.mkdir(exist_ok=True)
    page = browser.new_page(viewport=DESKTOP)
    page.set_default_timeout(30_000)
    page.goto(f"{filled_server}/dashboard", wait_until="load")
    page.fill("#admin-key", "wrong")
    page.click("#load")
    page.wait_for_selector("#error >> text=admin key is required")
    page.fill("#admin-key", ADMIN_KEY)
    page.select_option("#since", "24h")
    page.click("#load")
    page.wait_for_selector("#tiles .tile")
    tiles = dict(zip(page.locator("#tiles .label").all_inner_texts(), page.locator("#tiles .value").all_inner_texts(), strict=True))
    assert tiles["conversations"] == "3" and tiles["turns"] == "6" and tiles["hand-offs"] == "1"
    assert tiles["conversations adding to cart"] == "33.3%" and tiles["unanswered questions"] == "1"
    assert "carrying case" in page.inner_text("#table-questions") and "$5.00" in page.inner_text("#table-searches")
    assert "talk to a person" in page.inner_text("#table-handoffs") and "like" in page.inner_text("#table-feedback")
    assert page.locator("#plot-days svg rect").count() >= 3  # the day's bars and the legend
    assert page.locator("#plot-categories svg rect").count() >= 3 and "Headphones" in page.inner_text("#plot-categories")
    page.screenshot(path=str(OUTPUT / "dashboard-desktop.png"), full_page=True)
    page.set_viewport_size(PHONE)
    page.screenshot(path=str(OUTPUT / "dashboard-phone.png"), full_page=True)
    page.close()


def test_dashboard_is_off_without_admin_keys(assistant_factory) -> None:  # type: ignore[no-untyped-def]
    with BackgroundServer(create_app(assistant_factory(), ui=False)) as server:
        off = httpx.get(f"{server.url}/api/admin/report", headers={"X-API-Key": "anything"}, timeout=30)
        agent_off = httpx.get(f"{server.url}/api/agent/conversations", timeout=30)
    assert off.status_code == 403 and "SHOPASSIST_ADMIN_API_KEYS" in off.json()["detail"]
    assert agent_off.status_code == 403 and "SHOPASSIST_AGENT_API_KEYS" in agent_off.json()["detail"]
