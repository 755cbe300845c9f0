"""The widget in headless Chromium (Debian's package, driven by Playwright): chat, cards, like, "more like that".

Screenshots at desktop and phone widths go to test-output/ (git-ignored).
"""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

OUTPUT = Path(__file__).resolve().parents[2] / "test-output"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


def _send(page, text: str) -> None:  # type: ignore[no-untyped-def]
    page.fill("#sa-input textarea", text)
    page.click("#sa-send")


def _metric(url: str, prefix: str, contains: str = "") -> float:
    """The sum of the series that start with ``prefix`` (and contain ``contains``)."""
    lines = httpx.get(url + "/metrics").text.splitlines()
    return sum(float(line.rsplit(" ", 1)[1]) for line in lines if line.startswith(prefix) and contains in line)


@pytest.mark.slow
def test_widget_chat_cards_like_and_more_like_that(browser, widget_url: str) -> None:  # type: ignore[no-untyped-def]
    OUTPUT.mkdir(exist_ok=True)
    page = browser.new_page(viewport=DESKTOP)
    page.set_default_timeout(30_000)
    page.goto(widget_url + "/", wait_until="load")  # / redirects to /ui/
    page.wait_for_selector("#sa-input textarea")

    _send(page, "running shoes under 100")
    page.wait_for_selector('#sa-cards [data-turn="0"] .sa-card')  # data-turn: the reply is complete
    cards = page.locator("#sa-cards .sa-card")
    assert cards.count() >= 3
    first = cards.first
    assert "$" in first.locator(".sa-price").inner_text()
    assert first.locator(".sa-why").inner_text().startswith("Why:")
    assert first.locator("button[data-action=add]").count() == 1
    page.wait_for_function("() => document.querySelector('#sa-chat').innerText.includes('running shoes')")
    assert page.locator("#sa-chips .sa-chip").count() >= 1  # quick replies as chips
    page.screenshot(path=str(OUTPUT / "widget-desktop.png"), full_page=True)

    likes = 'shopassist_feedback_total{channel="widget",kind="like"}'
    likes_before = _metric(widget_url, likes)
    turns_before = _metric(widget_url, "shopassist_turns_total{", 'channel="widget"')
    liked_id = first.get_attribute("data-product")
    first.locator("button[data-action=like]").click()
    page.wait_for_selector(f'#sa-cards .sa-card.sa-liked[data-product="{liked_id}"]')
    assert _metric(widget_url, likes) == likes_before + 1  # the same feedback path (and metrics) as the API

    _send(page, "more like that")
    page.wait_for_selector('#sa-cards [data-turn="1"]')
    assert "more like that" in page.locator("#sa-chat").inner_text()
    assert _metric(widget_url, "shopassist_turns_total{", 'channel="widget"') == turns_before + 1
    assert page.locator("#sa-cards .sa-card").count() >= 3
    page.screenshot(path=str(OUTPUT / "widget-desktop-more-like-that.png"), full_page=True)

    page.set_viewport_size(PHONE)
    page.wait_for_timeout(300)
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= PHONE["width"] + 1, f"horizontal scrolling at phone width ({width}px)"
    card_box = page.locator("#sa-cards .sa-card").first.bounding_box()
    assert card_box is not None and card_box["width"] <= PHONE["width"]
    page.screenshot(path=str(OUTPUT / "widget-phone.png"), full_page=True)
    page.close()

    for name in ("widget-desktop.png", "widget-desktop-more-like-that.png", "widget-phone.png"):
        assert (OUTPUT / name).stat().st_size > 10_000


@pytest.mark.slow
def test_clarifying_question_buttons_and_add_to_cart(browser, widget_url: str) -> None:  # type: ignore[no-untyped-def]
    page = browser.new_page(viewport=PHONE)
    page.set_default_timeout(30_000)
    page.goto(widget_url + "/ui/", wait_until="load")
    page.wait_for_selector("#sa-input textarea")
    _send(page, "running shoes under 100")
    page.wait_for_selector('#sa-cards [data-turn="0"] .sa-card')
    # The first card still in stock (an out-of-stock card's button gets a "sorry, out of stock" reply instead).
    page.locator("#sa-cards .sa-card:not(:has(.sa-stock))").first.locator("button[data-action=add]").click()
    # Shoes come in sizes: the assistant asks which one, with the sizes as buttons under the question.
    page.wait_for_selector("#sa-chips .sa-chip.sa-option")
    assert "size" in page.locator("#sa-chips .sa-question").inner_text().lower()
    page.locator("#sa-chips .sa-chip.sa-option").first.click()
    page.wait_for_selector("#sa-cart tbody tr")
    assert "$" in page.locator("#sa-cart tfoot").inner_text()
    page.screenshot(path=str(OUTPUT / "widget-phone-cart.png"), full_page=True)
    page.close()
