"""A real uvicorn server on a loopback port around a real assistant (demo catalog, trained intent model)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest

from api.app import create_app
from api.server import BackgroundServer

API_KEY = "test-key-123"
AGENT_KEY = "agent-key-456"
ORIGIN = "http://shop.example"
RATE_LIMIT = 40
MAX_BODY = 4096


@dataclass
class LiveServer:
    url: str
    assistant: object

    def client(self, key: str | None = API_KEY) -> httpx.Client:
        return httpx.Client(base_url=self.url, headers={"X-API-Key": key} if key else {}, timeout=30)


@pytest.fixture(scope="session")
def live_server(assistant_factory) -> Iterator[LiveServer]:  # type: ignore[no-untyped-def]
    """API keys, an agent key, CORS, a small body limit and a rate limit are on; the widget is off (tests/ui has it)."""
    assistant = assistant_factory(
        api_keys=API_KEY, agent_api_keys=AGENT_KEY, cors_origins=ORIGIN, rate_limit_per_minute=RATE_LIMIT,
        max_body_bytes=MAX_BODY, max_message_chars=500,
    )
    with BackgroundServer(create_app(assistant, ui=False)) as server:
        yield LiveServer(server.url, assistant)


@pytest.fixture
def client(live_server: LiveServer) -> Iterator[httpx.Client]:
    with live_server.client() as http:
        yield http
