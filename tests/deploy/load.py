"""Concurrent shoppers against a live deployment, recording every answer, and the check that no acknowledged turn is lost.

A shopper behaves like a real client: a dropped connection (a worker killed mid-request) is sent again, a 503 is
sent again after a short pause, anything else is recorded and the shopper moves on. Each message carries an
``Idempotency-Key``, so a resend of a turn the server stored before the connection dropped gets the stored reply. Every 2xx reply is an
*acknowledged* turn; :func:`verify` reads each conversation back and checks that every acknowledged turn is stored
at the index the reply gave, with the reply that was sent.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable

import httpx
from pydantic import BaseModel, Field

from lab.bench.load import script_for

TRANSPORT_RETRIES = 8
PAUSE_AFTER_503_S = 0.25


class Outcome(BaseModel):
    sent_at: float = Field(description="time.monotonic() when the request was sent.")
    at: float = Field(description="time.monotonic() when the answer (or the connection error) came.")
    method: str
    path: str
    status: int | None = Field(description="None: the connection failed or dropped (no HTTP answer).")
    detail: str | None = None
    retry_after: str | None = None
    content_type: str | None = None


class Ack(BaseModel):
    conversation_id: str
    sender: str
    turn_index: int
    text: str
    reply: str
    at: float


class LoadLog:
    """What the shoppers saw (thread-safe: the test thread watches it while the load runs)."""

    def __init__(self) -> None:
        self.outcomes: list[Outcome] = []
        self.acks: list[Ack] = []
        self.conversations: dict[str, str] = {}
        self._lock = threading.Lock()
        self.ack_count = 0

    def outcome(self, outcome: Outcome) -> None:
        with self._lock:
            self.outcomes.append(outcome)

    def ack(self, ack: Ack) -> None:
        with self._lock:
            self.acks.append(ack)
            self.ack_count += 1

    def statuses(self, since: float = float("-inf"), until: float = float("inf")) -> list[int | None]:
        with self._lock:
            return [o.status for o in self.outcomes if since <= o.at < until]

    def server_errors(self, since: float = float("-inf"), until: float = float("inf")) -> list[Outcome]:
        with self._lock:
            return [o for o in self.outcomes if since <= o.at < until and o.status is not None and o.status >= 500]


class Shoppers:
    """``conversations`` shoppers, each sending its script's turns one after another (all shoppers at once)."""

    def __init__(self, base_url: str, api_key: str, log: LoadLog, *, timeout_s: float = 60.0) -> None:
        self.base_url = base_url
        self.headers = {"X-API-Key": api_key}
        self.log = log
        self.timeout_s = timeout_s

    async def _send(self, client: httpx.AsyncClient, method: str, path: str, body: dict[str, str],
                    stop: Callable[[], bool], headers: dict[str, str] | None = None) -> httpx.Response | None:
        """The first non-503 answer (503s and dropped connections are sent again); None when given up."""
        drops = 0
        while True:
            sent_at = time.monotonic()
            try:
                response = await client.request(method, path, json=body, headers=headers)
            except httpx.TransportError as exc:
                self.log.outcome(Outcome(sent_at=sent_at, at=time.monotonic(), method=method, path=path, status=None, detail=type(exc).__name__))
                drops += 1
                if drops > TRANSPORT_RETRIES:
                    return None
                await asyncio.sleep(0.05 * drops)
                continue
            detail = None
            if response.status_code >= 400 and response.headers.get("content-type", "").startswith("application/json"):
                detail = str(response.json().get("detail"))
            self.log.outcome(Outcome(sent_at=sent_at, at=time.monotonic(), method=method, path=path, status=response.status_code, detail=detail,
                                     retry_after=response.headers.get("retry-after"), content_type=response.headers.get("content-type")))
            if response.status_code == 503 and not stop():
                await asyncio.sleep(PAUSE_AFTER_503_S)
                continue
            return response

    async def shopper(self, client: httpx.AsyncClient, sender: str, index: int, turns: int | None, stop: Callable[[], bool],
                      pause_s: float) -> None:
        created = await self._send(client, "POST", "/api/conversations", {"sender": sender}, stop)
        if created is None or created.status_code != 201:
            return
        cid = created.json()["conversation_id"]
        self.log.conversations[cid] = sender
        turn = 0
        while (turns is None or turn < turns) and not stop():
            text = script_for(index, turn + 1)[turn]
            response = await self._send(client, "POST", f"/api/conversations/{cid}/messages", {"sender": sender, "text": text}, stop,
                                        {"Idempotency-Key": f"{cid}:{turn}"})
            if response is not None and response.status_code == 200:
                body = response.json()
                self.log.ack(Ack(conversation_id=cid, sender=sender, turn_index=body["turn_index"], text=" ".join(text.split()),
                                 reply=body["text"], at=time.monotonic()))
            turn += 1
            if pause_s:
                await asyncio.sleep(pause_s)

    async def run(self, conversations: int, turns: int | None, *, prefix: str, stop: threading.Event | None = None,
                  pause_s: float = 0.0) -> None:
        """All shoppers concurrently; ``turns=None`` runs until ``stop`` is set."""
        stopped = (lambda: stop.is_set()) if stop is not None else (lambda: False)
        limits = httpx.Limits(max_connections=conversations, max_keepalive_connections=conversations)
        async with httpx.AsyncClient(base_url=self.base_url, headers=self.headers, limits=limits, timeout=self.timeout_s) as client:
            await asyncio.gather(*(self.shopper(client, f"{prefix}-{i}", i, turns, stopped, pause_s) for i in range(conversations)))

    def run_in_thread(self, conversations: int, turns: int | None, **kwargs: object) -> threading.Thread:
        """:meth:`run` on a thread of its own (the test thread injects the fault meanwhile); join it to wait."""
        failures: list[BaseException] = []

        def target() -> None:
            try:
                asyncio.run(self.run(conversations, turns, **kwargs))  # type: ignore[arg-type]
            except BaseException as exc:  # noqa: BLE001 - re-raised by the test through .failures
                failures.append(exc)

        thread = threading.Thread(target=target, name="shoppers", daemon=True)
        thread.failures = failures  # type: ignore[attr-defined]
        thread.start()
        return thread


class Verification(BaseModel):
    acknowledged: int
    stored: int
    lost: list[str] = Field(description="Acknowledged turns missing from their conversation (or stored differently).")
    unacknowledged_stored: int = Field(description="Stored turns no 2xx acknowledged (a turn whose resends all failed).")


def verify(base_url: str, api_key: str, log: LoadLog) -> Verification:
    """Read every conversation back (from any worker) and check each acknowledged turn against it."""
    lost: list[str] = []
    stored = 0
    by_conversation: dict[str, list[Ack]] = {}
    for ack in log.acks:
        by_conversation.setdefault(ack.conversation_id, []).append(ack)
    with httpx.Client(base_url=base_url, headers={"X-API-Key": api_key}, timeout=30) as client:
        for cid, sender in log.conversations.items():
            response = client.get(f"/api/conversations/{cid}", params={"sender": sender})
            response.raise_for_status()
            turns = response.json()["turns"]
            stored += len(turns)
            for ack in by_conversation.get(cid, []):
                turn = turns[ack.turn_index] if ack.turn_index < len(turns) else None
                if turn is None or turn["text"] != ack.text or turn["reply"] != ack.reply:
                    lost.append(f"{cid}#{ack.turn_index} {ack.text!r}")
    return Verification(acknowledged=len(log.acks), stored=stored, lost=lost, unacknowledged_stored=stored - len(log.acks))
