"""The real rasa-webchat widget (from the npm registry, installed by scripts/setup-test.sh, never vendored), unchanged,
talking to ShopAssist's socket.io channel in headless Chromium (issue 20, item 2): a shopping message, the reply's
text and quick replies, a click on one, the cards as its carousel; screenshots at desktop and phone width.

The page is the snippet of docs/embedding.md, served beside the API by the test's own server; the API key travels in
the socket URL, as a browser's WebSocket cannot send headers."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.staticfiles import StaticFiles

from api.app import create_app
from api.server import BackgroundServer

ROOT = Path(__file__).resolve().parents[2]
WEBCHAT = ROOT / ".cache" / "webchat" / "node_modules" / "rasa-webchat" / "lib" / "index.js"
OUTPUT = ROOT / "test-output"
KEY = "webchat-key-789"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}

PAGE = """<!doctype html>
<html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>rasa-webchat on ShopAssist</title></head>
<body>
<div id="webchat" style="height: 95vh"></div>
<script src="index.js"></script>
<script>
  WebChat.default({
    socketUrl: window.location.origin + "?api_key=%(key)s",
    socketPath: "/socket.io/",
    customData: {language: "en"},
    title: "ShopAssist",
    embedded: true,
    params: {storage: "session"},
  }, document.getElementById("webchat"));
</script>
</body></html>
"""


@pytest.fixture(scope="module")
def webchat_url(assistant_factory, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:  # type: ignore[no-untyped-def]
    if not WEBCHAT.is_file():
        pytest.skip(f"rasa-webchat is not installed ({WEBCHAT}): scripts/setup-test.sh installs it from the npm registry")
    page_dir = tmp_path_factory.mktemp("webchat")
    shutil.copy(WEBCHAT, page_dir / "index.js")
    (page_dir / "index.html").write_text(PAGE % {"key": KEY}, encoding="utf-8")
    app = create_app(assistant_factory(api_keys=KEY), ui=False)
    app.mount("/webchat", StaticFiles(directory=page_dir, html=True))
    with BackgroundServer(app) as server:
        yield server.url + "/webchat/"


def _responses(page) -> int:  # type: ignore[no-untyped-def]
    return page.locator(".rw-response").count()


@pytest.mark.slow
def test_rasa_webchat_chats_through_the_socketio_channel(browser, webchat_url: str) -> None:  # type: ignore[no-untyped-def]
    OUTPUT.mkdir(exist_ok=True)
    page = browser.new_page(viewport=DESKTOP)
    page.set_default_timeout(30_000)
    page.goto(webchat_url, wait_until="load")
    message = page.locator(".rw-new-message")
    message.wait_for()

    message.fill("running shoes under 100")
    message.press("Enter")
    page.wait_for_selector(".rw-client >> text=running shoes under 100")
    page.wait_for_function("() => [...document.querySelectorAll('.rw-response')].some(e => e.innerText.includes('$'))")
    page.wait_for_selector(".rw-reply")
    replies = page.locator(".rw-reply")
    assert replies.count() >= 1
    page.wait_for_selector(".rw-carousel-container")  # the cards, as the widget's carousel
    titles = page.locator(".rw-carousel-container").inner_text()
    assert "$" in titles
    page.screenshot(path=str(OUTPUT / "rasa-webchat-desktop.png"), full_page=True)

    before = _responses(page)
    clicked = replies.first.inner_text().strip()
    replies.first.click()
    page.wait_for_selector(f".rw-client >> text={clicked}")
    page.wait_for_function(f"() => document.querySelectorAll('.rw-response').length > {before}")

    page.set_viewport_size(PHONE)
    page.wait_for_timeout(300)
    page.screenshot(path=str(OUTPUT / "rasa-webchat-phone.png"), full_page=True)
    page.close()
    for name in ("rasa-webchat-desktop.png", "rasa-webchat-phone.png"):
        assert (OUTPUT / name).stat().st_size > 10_000
