"""The widget's server (a real uvicorn on a loopback port, widget mounted) and headless Chromium via Playwright."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from api.app import create_app
from api.server import BackgroundServer

CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync",
]


def chromium_path() -> str | None:
    for candidate in (os.environ.get("SHOPASSIST_CHROMIUM"), "/usr/bin/chromium", shutil.which("chromium"), shutil.which("chromium-browser")):
        if candidate and Path(candidate).exists():
            return candidate
    return None


@pytest.fixture(scope="session")
def widget_url(assistant_factory) -> Iterator[str]:  # type: ignore[no-untyped-def]
    with BackgroundServer(create_app(assistant_factory(), ui=True)) as server:
        yield server.url


@pytest.fixture(scope="session")
def browser():  # type: ignore[no-untyped-def]
    executable = chromium_path()
    if executable is None:
        pytest.skip("Chromium not found (/usr/bin/chromium): `apt-get install chromium chromium-driver` (scripts/setup-test.sh does it as root)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright's Python package is missing: pip install -e '.[test]'")
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS, headless=True)
        yield launched
        launched.close()
