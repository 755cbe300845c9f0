"""The warm-up after start-up: /healthz answers at once, and the server builds what the first turns would otherwise
build (the category space) before any shopper asks."""

from __future__ import annotations

import gc
import os
import time

import httpx

from api.app import create_app
from api.server import BackgroundServer


def _health_when_warm(url: str, timeout_s: float = 60.0) -> dict:
    deadline = time.monotonic() + timeout_s
    while True:
        health = httpx.get(f"{url}/healthz", timeout=30).json()
        if health["warm_up"] != "starting" or time.monotonic() > deadline:
            return health
        time.sleep(0.1)


def test_the_server_builds_the_category_space_before_the_first_turn(assistant_factory) -> None:  # type: ignore[no-untyped-def]
    assistant = assistant_factory()
    assert "category_space" not in vars(assistant.manager)  # built on first use, so far
    with BackgroundServer(create_app(assistant, ui=False)) as server:
        first = httpx.get(f"{server.url}/healthz", timeout=30).json()
        assert first["status"] == "ok" and first["warm_up"] in {"starting", "ready"} and first["worker"] == os.getpid()
        assert _health_when_warm(server.url)["warm_up"] == "ready"
        space = vars(assistant.manager).get("category_space")
        assert space is not None and "Shoes" in space.names  # no turn has run: the warm-up built it
        sender = "warm-shopper"
        with httpx.Client(base_url=server.url, timeout=30) as http:
            cid = http.post("/api/conversations", json={"sender": sender}).json()["conversation_id"]
            reply = http.post(f"/api/conversations/{cid}/messages", json={"sender": sender, "text": "running shoes under 100"}).json()
        assert reply["products"] and vars(assistant.manager)["category_space"] is space  # the turn used it, not a rebuild


def test_warm_up_can_be_turned_off(assistant_factory) -> None:  # type: ignore[no-untyped-def]
    assistant = assistant_factory(serve_warm_up=False)
    with BackgroundServer(create_app(assistant, ui=False)) as server:
        health = httpx.get(f"{server.url}/healthz", timeout=30).json()
    assert health["status"] == "ok" and health["warm_up"] is None
    assert "category_space" not in vars(assistant.manager)


def test_warm_up_freezes_what_lives_as_long_as_the_process(assistant_factory) -> None:  # type: ignore[no-untyped-def]
    """After the warm-up a full collection no longer walks the catalog's structures (a pause of ~0.5 s in a turn
    otherwise); with the setting off, nothing is frozen."""
    gc.unfreeze()
    try:
        kept = assistant_factory(gc_freeze_after_warm_up=False)
        kept.warm_up()
        space = vars(kept.manager)["category_space"]
        assert gc.get_freeze_count() == 0 and any(o is space for o in gc.get_objects())
        frozen = assistant_factory()
        frozen.warm_up()
        space = vars(frozen.manager)["category_space"]
        assert gc.get_freeze_count() > 0 and not any(o is space for o in gc.get_objects())
    finally:
        gc.unfreeze()
