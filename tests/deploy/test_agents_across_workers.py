"""Human takeover and the merchant report in the multi-process deployment (``serve --workers 2`` on PostgreSQL):
an agent's reply posted to whichever worker reaches every shopper stream (SSE and socket.io connections spread over
both workers), and the dashboard's report counts scripted conversations read from PostgreSQL."""

from __future__ import annotations

import json
import queue
import threading
import uuid
from datetime import UTC, datetime

import httpx
import pytest
import socketio

from tests.deploy.conftest import ADMIN_KEY, AGENT_KEY, API_KEY, Deployment

pytestmark = pytest.mark.slow

WAIT_S = 30
STREAMS = 6  # new connections each: the two workers accept them in turn, so both serve some


def _stream(url: str, cid: str, sender: str, received: queue.Queue[tuple[int, str]], number: int, ready: threading.Barrier) -> None:
    with httpx.Client(headers={"X-API-Key": API_KEY}, timeout=httpx.Timeout(60, read=None)) as http:
        try:
            with http.stream("GET", f"{url}/api/conversations/{cid}/agent-messages", params={"sender": sender}) as response:
                assert response.status_code == 200
                ready.wait(WAIT_S)
                for line in response.iter_lines():
                    if line.startswith("data: "):
                        received.put((number, json.loads(line.removeprefix("data: "))["text"]))
                        return
        except httpx.HTTPError:
            return


def test_an_agent_reply_reaches_streams_on_every_worker(deployment: Deployment) -> None:
    sender = f"pg-takeover-{uuid.uuid4().hex[:6]}"
    with httpx.Client(base_url=deployment.url, headers={"X-API-Key": API_KEY}, timeout=60) as shopper, \
            httpx.Client(base_url=deployment.url, headers={"X-API-Key": AGENT_KEY}, timeout=60) as agent:
        cid = shopper.post("/api/conversations", json={"sender": sender}).json()["conversation_id"]
        handed = shopper.post(f"/api/conversations/{cid}/messages", json={"sender": sender, "text": "I want to talk to a person"}).json()
        assert handed["handoff"], handed

        received: queue.Queue[tuple[int, str]] = queue.Queue()
        ready = threading.Barrier(STREAMS + 1)
        readers = [threading.Thread(target=_stream, args=(deployment.url, cid, sender, received, n, ready), daemon=True)
                   for n in range(STREAMS)]
        for reader in readers:
            reader.start()
        sockets = [socketio.Client(reconnection=False) for _ in range(2)]
        pushed: queue.Queue[dict] = queue.Queue()  # type: ignore[type-arg]
        for sio in sockets:
            sio.on("bot_uttered", pushed.put)
            sio.connect(deployment.url, socketio_path="socket.io", auth={"token": API_KEY}, transports=["websocket"], wait_timeout=WAIT_S)
            confirmed = threading.Event()
            sio.on("session_confirm", lambda _=None, confirmed=confirmed: confirmed.set())
            sio.emit("session_request", {"session_id": sender})
            assert confirmed.wait(WAIT_S)
        ready.wait(WAIT_S)
        try:
            assert agent.post(f"/api/agent/conversations/{cid}/messages", json={"agent": "Kai", "text": "Kai here."}).status_code == 201
            texts = sorted(received.get(timeout=WAIT_S) for _ in range(STREAMS))
            assert texts == [(n, "Kai here.") for n in range(STREAMS)]
            for _ in sockets:
                assert pushed.get(timeout=WAIT_S) == {"text": "Kai here.", "metadata": {"from": "person", "agent": "Kai"}}
            assert pushed.empty()
        finally:
            for sio in sockets:
                sio.disconnect()

        waiting = shopper.post(f"/api/conversations/{cid}/messages", json={"sender": sender, "text": "thanks Kai"}).json()
        assert waiting["waiting_for_person"]
        assert cid in {row["conversation_id"] for row in agent.get("/api/agent/conversations").json()}
        assert agent.post(f"/api/agent/conversations/{cid}/handback", json={"agent": "Kai"}).status_code == 200
        answered = shopper.post(f"/api/conversations/{cid}/messages", json={"sender": sender, "text": "show me desk lamps"}).json()
        assert answered["action"] == "show_products" and answered["text"]


def test_the_report_reads_postgresql(deployment: Deployment) -> None:
    started = datetime.now(UTC).isoformat()  # the earlier tests' events all came before
    scripts = {"pg-report-a": ["wireless headphones", "add the first one to my cart"],
               "pg-report-b": ["purple titanium hiking boots under $5", "talk to a person"]}
    with httpx.Client(base_url=deployment.url, headers={"X-API-Key": API_KEY}, timeout=60) as shopper:
        for prefix, messages in scripts.items():
            sender = f"{prefix}-{uuid.uuid4().hex[:6]}"
            cid = shopper.post("/api/conversations", json={"sender": sender}).json()["conversation_id"]
            for text in messages:
                assert shopper.post(f"/api/conversations/{cid}/messages", json={"sender": sender, "text": text}).status_code == 200
    report = httpx.get(f"{deployment.url}/api/admin/report", params={"since": started}, headers={"X-API-Key": ADMIN_KEY}, timeout=60).json()
    assert report["conversations"] == report["conversations_started"] == 2 and report["turns"] == 4
    assert report["handoffs"] == 1 and report["searches_without_results"] == 1
    assert report["conversations_adding_to_cart"] == 1 and report["add_to_cart_rate"] == 0.5
