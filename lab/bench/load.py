"""Load test of the server: N concurrent conversations × T turns, through the native HTTP API (an asyncio httpx
client, bounded concurrency) or Rasa's socket.io channel (one python-socketio client per conversation, all connected
at once, each turn acknowledged by the server once its messages are sent).

It counts errors, checks that every turn was stored (through the state endpoint), and measures throughput and latency.
``shopassist bench serve`` runs it against a real uvicorn server started in a subprocess on a loopback port.
"""

from __future__ import annotations

import asyncio
import logging
import os
import secrets
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import httpx
from pydantic import BaseModel, Field

from core.settings import Settings
from core.stats import percentile

log = logging.getLogger(__name__)

#: Shopping dialogues; conversation i follows script i mod len, cycling when it needs more turns.
SCRIPTS: tuple[tuple[str, ...], ...] = (
    ("running shoes under 100", "show more", "cheaper", "compare the first two", "more like the first one",
     "add the first one to my cart", "show my cart", "what is your return policy", "thanks", "bye"),
    ("I need a blender", "the second one", "is it in stock?", "any in red?", "show me something more premium",
     "add it to my cart", "show my cart", "checkout", "hello", "goodbye"),
    ("wireless headphones", "under 80 dollars", "compare the first two", "more like the second one", "show more",
     "add the first one to my cart", "where is my order?", "what about shipping?", "hi", "thank you"),
    ("a lamp for my desk", "something cheaper", "the first one", "more like that", "show more",
     "compare the first two", "add the second one to my cart", "show my cart", "talk to a person", "bye"),
)


class LoadReport(BaseModel):
    conversations: int
    turns_per_conversation: int
    concurrency: int
    turns_sent: int
    turns_ok: int
    errors: int
    error_samples: list[str] = Field(default_factory=list)
    turns_stored: int
    lost_turns: int = Field(description="Turns answered but missing from (or out of order in) the stored conversation.")
    seconds: float
    throughput_turns_per_s: float
    latency_p50_ms: float
    latency_p95_ms: float
    latency_max_ms: float
    server: str = "uvicorn"
    transport: str = "http"
    server_cpu_ms_per_turn: float | None = Field(default=None, description="CPU time (user + system) of the server's "
                                                 "processes during the load (conversations started, turns answered), per "
                                                 "answered turn (bench serve only).")
    server_cpu_ms_read_back: float | None = Field(default=None, description="CPU time of the server while the bench read "
                                                  "the stored conversations back to check them, in all (not in the "
                                                  "per-turn figure).")

    @property
    def ok(self) -> bool:
        return self.errors == 0 and self.lost_turns == 0 and self.turns_ok == self.turns_sent


def script_for(index: int, turns: int) -> list[str]:
    script = SCRIPTS[index % len(SCRIPTS)]
    return [script[t % len(script)] for t in range(turns)]


async def drive(base_url: str, conversations: int, turns: int, *, concurrency: int = 32, api_key: str | None = None,
                sender_prefix: str = "load", timeout_s: float = 60.0, on_load_done: Callable[[], None] | None = None) -> LoadReport:
    """Run the load against a live server and verify storage; never raises for HTTP errors (they are counted).
    ``on_load_done`` is called when the last turn is answered, before the stored conversations are read back."""
    headers = {"X-API-Key": api_key} if api_key else {}
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    gate = asyncio.Semaphore(concurrency)
    latencies: list[float] = []
    errors: list[str] = []
    sent: dict[str, list[str]] = {}
    run = secrets.token_hex(4)

    async with httpx.AsyncClient(base_url=base_url, headers=headers, limits=limits, timeout=timeout_s) as client:

        async def request(method: str, url: str, timed: bool = False, **kwargs: object) -> httpx.Response | None:
            async with gate:  # latency is the request's own round trip, not the wait for a free slot
                started = time.perf_counter()
                try:
                    response = await client.request(method, url, **kwargs)  # type: ignore[arg-type]
                except httpx.HTTPError as exc:
                    errors.append(f"{method} {url}: {type(exc).__name__} {exc}")
                    return None
                elapsed = time.perf_counter() - started
            if response.status_code >= 400:
                errors.append(f"{method} {url}: {response.status_code} {response.text[:200]}")
                return None
            if timed:
                latencies.append(elapsed)
            return response

        async def conversation(index: int) -> tuple[str, str] | None:
            sender = f"{sender_prefix}-{run}-{index}"
            created = await request("POST", "/api/conversations", json={"sender": sender})
            if created is None:
                return None
            cid = created.json()["conversation_id"]
            sent[cid] = []
            for text in script_for(index, turns):
                response = await request("POST", f"/api/conversations/{cid}/messages", timed=True, json={"sender": sender, "text": text})
                if response is not None:
                    sent[cid].append(text)
            return cid, sender

        started = time.perf_counter()
        opened = await asyncio.gather(*(conversation(i) for i in range(conversations)))
        seconds = time.perf_counter() - started
        if on_load_done is not None:
            on_load_done()

        stored = lost = 0
        for item in opened:
            if item is None:
                continue
            cid, sender = item
            response = await request("GET", f"/api/conversations/{cid}", params={"sender": sender})
            texts = [t["text"] for t in response.json()["turns"]] if response is not None else []
            stored += len(texts)
            lost += _lost(texts, sent[cid])

    return _report(conversations, turns, concurrency, latencies, errors, stored, lost, seconds)


def _lost(stored: list[str], sent: list[str]) -> int:
    """Answered turns missing from (or out of order in) the stored conversation (texts as the server stores them)."""
    return sum(1 for i, text in enumerate(sent) if i >= len(stored) or stored[i] != " ".join(text.split()))


def _report(conversations: int, turns: int, concurrency: int, latencies: list[float], errors: list[str], stored: int,
            lost: int, seconds: float, transport: str = "http") -> LoadReport:
    ms = [elapsed * 1000 for elapsed in latencies] or [0.0]
    return LoadReport(
        conversations=conversations, turns_per_conversation=turns, concurrency=concurrency, turns_sent=conversations * turns,
        turns_ok=len(latencies), errors=len(errors), error_samples=errors[:5], turns_stored=stored,
        lost_turns=lost, seconds=round(seconds, 3),
        throughput_turns_per_s=round(len(latencies) / seconds, 1) if seconds else 0.0,
        latency_p50_ms=round(percentile(ms, 50), 1), latency_p95_ms=round(percentile(ms, 95), 1),
        latency_max_ms=round(max(ms), 1), transport=transport,
    )


async def drive_socketio(base_url: str, conversations: int, turns: int, *, api_key: str | None = None,
                         sender_prefix: str = "load", timeout_s: float = 60.0,
                         on_load_done: Callable[[], None] | None = None) -> LoadReport:
    """:func:`drive` through the socket.io channel: every conversation is a connected client (all at once), sending
    its turns one after another as ``user_uttered`` with an acknowledgement; the stored turns are checked over HTTP."""
    import socketio

    latencies: list[float] = []
    errors: list[str] = []
    sent: dict[str, tuple[str, list[str]]] = {}
    run = secrets.token_hex(4)

    async def conversation(index: int) -> None:
        sender = f"{sender_prefix}-{run}-{index}"
        client = socketio.AsyncClient(reconnection=False)
        try:
            await client.connect(base_url, socketio_path="socket.io", auth={"token": api_key} if api_key else None,
                                 transports=["websocket"], wait_timeout=timeout_s)
            for text in script_for(index, turns):
                started = time.perf_counter()
                ack = await client.call("user_uttered", {"message": text, "session_id": sender}, timeout=timeout_s)
                if not isinstance(ack, dict) or ack.get("status") != 200:
                    errors.append(f"{sender} {text!r}: {ack}")
                    continue
                latencies.append(time.perf_counter() - started)
                sent.setdefault(ack["conversation_id"], (sender, []))[1].append(text)
        except (socketio.exceptions.SocketIOError, OSError) as exc:
            errors.append(f"{sender}: {type(exc).__name__} {exc}")
        finally:
            await client.disconnect()

    started = time.perf_counter()
    await asyncio.gather(*(conversation(i) for i in range(conversations)))
    seconds = time.perf_counter() - started
    if on_load_done is not None:
        on_load_done()

    stored = lost = 0
    headers = {"X-API-Key": api_key} if api_key else {}
    async with httpx.AsyncClient(base_url=base_url, headers=headers, timeout=timeout_s) as http:
        for cid, (sender, texts_sent) in sent.items():
            response = await http.get(f"/api/conversations/{cid}", params={"sender": sender})
            texts = [t["text"] for t in response.json()["turns"]] if response.status_code == 200 else []
            stored += len(texts)
            lost += _lost(texts, texts_sent)
    return _report(conversations, turns, conversations, latencies, errors, stored, lost, seconds, transport="socketio")


def drive_sync(base_url: str, conversations: int, turns: int, *, transport: str = "http", **kwargs: object) -> LoadReport:
    """:func:`drive` (or :func:`drive_socketio` for ``transport="socketio"``) from synchronous code, in a thread of its
    own (safe even where an event loop already runs)."""
    from concurrent.futures import ThreadPoolExecutor

    if transport == "socketio":
        kwargs.pop("concurrency", None)  # every conversation is connected at once
        coroutine = drive_socketio(base_url, conversations, turns, **kwargs)  # type: ignore[arg-type]
    else:
        coroutine = drive(base_url, conversations, turns, **kwargs)  # type: ignore[arg-type]
    with ThreadPoolExecutor(1, thread_name_prefix="load") as pool:
        return pool.submit(asyncio.run, coroutine).result()


def bench_serve(settings: Settings, conversations: int = 100, turns: int = 10, concurrency: int = 32, workers: int = 2,
                startup_timeout_s: float = 180.0, transport: str = "http") -> LoadReport:
    """Start ``shopassist serve`` in a subprocess on a free loopback port (fresh conversation database), load it, stop it."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    api_key = secrets.token_urlsafe(16)
    with tempfile.TemporaryDirectory(prefix="shopassist-bench-") as tmp:
        env = {
            **os.environ,
            "SHOPASSIST_HOME": str(settings.home),
            "SHOPASSIST_DATABASE_URL": f"sqlite:///{Path(tmp) / 'bench.db'}",
            "SHOPASSIST_API_KEYS": api_key,
            "SHOPASSIST_UI_ENABLED": "false",
            "SHOPASSIST_GENERATOR": settings.generator,
            "HF_HUB_OFFLINE": "1",
        }
        command = [sys.executable, "-c", "from cli.main import run; run()", "serve", "--host", "127.0.0.1", "--port", str(port),
                   "--workers", str(workers), "--log-level", "warning"]
        log_path = Path(tmp) / "server.log"
        with open(log_path, "w") as server_log:
            process = subprocess.Popen(command, env=env, stdout=server_log, stderr=subprocess.STDOUT)
            try:
                base_url = f"http://127.0.0.1:{port}"
                _wait_ready(base_url, process, startup_timeout_s, log_path, workers)
                cpu_before = _cpu_seconds(process.pid)
                cpu_after: list[float] = []  # read when the last turn is answered: the bench's read-back is no turn's work
                report = drive_sync(base_url, conversations, turns, transport=transport, concurrency=concurrency, api_key=api_key,
                                    on_load_done=lambda: cpu_after.append(_cpu_seconds(process.pid)))
                cpu_ms = (cpu_after[0] - cpu_before) * 1000 / max(report.turns_ok, 1)
                read_back_ms = (_cpu_seconds(process.pid) - cpu_after[0]) * 1000
                return report.model_copy(update={"server": f"uvicorn, {workers} worker{'s' if workers > 1 else ''}",
                                                 "server_cpu_ms_per_turn": round(cpu_ms, 2),
                                                 "server_cpu_ms_read_back": round(read_back_ms, 1)})
            finally:
                process.terminate()
                try:
                    process.wait(15)
                except subprocess.TimeoutExpired:
                    process.kill()


def _cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a process and its children (uvicorn's workers)."""
    import psutil

    root = psutil.Process(pid)
    total = 0.0
    for process in [root, *root.children(recursive=True)]:
        try:
            times = process.cpu_times()
        except psutil.NoSuchProcess:
            continue
        total += times.user + times.system
    return total


def _wait_ready(base_url: str, process: subprocess.Popen[bytes], timeout_s: float, log_path: Path, workers: int = 1) -> None:
    """Until ``/healthz`` answers and each of the ``workers`` server processes has ended its warm-up (each answers
    for itself; a new connection each time reaches any of them): the load measures serving, not the one-time work
    of the first turns after start-up (the category space and the vector index, built by the warm-up)."""
    deadline = time.monotonic() + timeout_s
    warm: set[int] = set()
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"The server exited ({process.returncode}):\n{log_path.read_text()[-2000:]}")
        try:
            health = httpx.get(f"{base_url}/healthz", timeout=2)
            body = health.json() if health.status_code == 200 else {}
            if body and body.get("warm_up") != "starting":
                warm.add(body["worker"])
                if len(warm) >= workers:
                    return
        except httpx.HTTPError:
            pass
        time.sleep(0.25 if not warm else 0.05)
    raise TimeoutError(f"The server did not become ready within {timeout_s} s")
