"""Faults injected into the running multi-process deployment (all loopback, each bounded in time).

0. (No fault) a sender's first messages arriving at both workers at once open one conversation, not two.
   Each worker answers /healthz for itself (its process id).
1. SIGKILL one of the two API workers during 50 concurrent conversations: no acknowledged turn is lost, no resent
   turn is taken twice (Idempotency-Key), the conversations go on on the surviving worker, uvicorn's process manager
   starts a replacement.
2. Restart PostgreSQL: requests get a clear JSON 503 (with Retry-After) while it is down, never a 500, and succeed
   again once it is back.
3. The generator server (vLLM's place) stops or hangs: replies fall back to the template reply within the deadline.

Figures are printed and written to test-output/deploy/ (``pytest -s`` shows them).
"""

from __future__ import annotations

import json
import os
import signal
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from dialogue.state_store import SqlStateStore
from tests.deploy.conftest import API_KEY, FIRST_TOKEN_DEADLINE_S, WORKERS, Deployment
from tests.deploy.load import LoadLog, Outcome, Shoppers, verify
from tests.deploy.openai_stub import MARKER
from tests.deploy.processes import worker_pids

pytestmark = pytest.mark.slow

OUTPUT = Path(__file__).resolve().parents[2] / "test-output" / "deploy"
CONVERSATIONS = 50
TURNS = 6
KILL_AFTER_ACKS = 60
UNAVAILABLE = "A backend service is unavailable; retry shortly."


def _record(name: str, figures: dict[str, object]) -> None:
    OUTPUT.mkdir(parents=True, exist_ok=True)
    (OUTPUT / f"{name}.json").write_text(json.dumps(figures, indent=2))
    print(f"\n{name}: {json.dumps(figures)}")  # noqa: T201 - the figures the issue asks for, shown with -s


def _wait(condition, timeout_s: float, what: str, step_s: float = 0.1):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout_s
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what} within {timeout_s} s")
        time.sleep(step_s)


def _started(deployment: Deployment, pid: int) -> bool:
    """uvicorn logs this once the worker has built the app (models loaded) and is about to serve."""
    return f"Started server process [{pid}]" in deployment.api.log_path.read_text(errors="replace")


def _client(deployment: Deployment) -> httpx.Client:
    return httpx.Client(base_url=deployment.url, headers={"X-API-Key": API_KEY}, timeout=30)


def _both_workers(deployment: Deployment) -> list[int]:
    return _wait(lambda: (p := worker_pids(deployment.api.pid)) and len(p) == WORKERS and all(_started(deployment, w) for w in p) and p,
                 300, "both API workers did not start")


def test_a_senders_first_messages_on_both_workers_open_one_conversation(deployment: Deployment) -> None:
    """The Rasa channel keeps one open conversation per sender; the store's advisory lock holds it across workers."""
    _both_workers(deployment)
    sender = "rasa-twice"

    def post(n: int) -> int:
        with httpx.Client(base_url=deployment.url, headers={"X-API-Key": API_KEY}, timeout=60) as client:  # new connections
            return client.post("/webhooks/rest/webhook", json={"sender": sender, "message": f"hello {n}"}).status_code

    with ThreadPoolExecutor(8) as pool:
        statuses = list(pool.map(post, range(8)))
    assert statuses == [200] * 8
    store = SqlStateStore(deployment.postgres.url)
    conversations = store.conversations_of(sender)
    assert len(conversations) == 1 and store.load(conversations[0]).turn_count == 8


def test_each_worker_answers_healthz_for_itself(deployment: Deployment) -> None:
    """/healthz names the process that answered, so a client (``bench serve``) can wait for every worker's warm-up."""
    workers = set(_both_workers(deployment))
    seen: set[int] = set()

    def every_worker_answered() -> bool:
        health = httpx.get(f"{deployment.url}/healthz", timeout=30).json()  # a new connection: any worker may take it
        assert health["status"] == "ok" and health["worker"] in workers
        seen.add(health["worker"])
        return seen == workers

    _wait(every_worker_answered, 60, "both workers did not answer /healthz", step_s=0.02)


def test_killing_an_api_worker_under_load_loses_no_acknowledged_turn(deployment: Deployment) -> None:
    workers = _both_workers(deployment)
    log = LoadLog()
    shoppers = Shoppers(deployment.url, API_KEY, log)
    started = time.monotonic()
    load = shoppers.run_in_thread(CONVERSATIONS, TURNS, prefix="kill")
    _wait(lambda: log.ack_count >= KILL_AFTER_ACKS, 240, f"{KILL_AFTER_ACKS} turns were not acknowledged")

    victim = workers[0]
    killed_at = time.monotonic()
    os.kill(victim, signal.SIGKILL)
    replacement = _wait(lambda: [p for p in worker_pids(deployment.api.pid) if p not in workers], 60, "no replacement worker was spawned")[0]
    replacement_ready_at: float | None = None
    while load.is_alive():  # while the load runs: when does the replacement start serving?
        if replacement_ready_at is None and _started(deployment, replacement):
            replacement_ready_at = time.monotonic()
        load.join(0.1)
    assert not load.failures, load.failures  # type: ignore[attr-defined]
    finished = time.monotonic()
    if replacement_ready_at is None:  # the load finished first: every turn after the kill was the survivor's
        _wait(lambda: _started(deployment, replacement), 240, "the replacement worker did not start")
        replacement_ready_at = time.monotonic()

    result = verify(deployment.url, API_KEY, log)
    dropped = [o for o in log.outcomes if o.status is None]
    served_by_survivor_alone = sum(1 for a in log.acks if killed_at < a.at < (replacement_ready_at or float("inf")))
    figures = {
        "workers": WORKERS, "conversations": CONVERSATIONS, "turns_per_conversation": TURNS,
        "turns_acknowledged": result.acknowledged, "turns_stored": result.stored, "lost_turns": len(result.lost),
        "unacknowledged_turns_stored": result.unacknowledged_stored,
        "requests": len(log.outcomes), "dropped_connections_resent": len(dropped), "http_5xx": len(log.server_errors()),
        "other_http_errors": sum(1 for o in log.outcomes if o.status is not None and 400 <= o.status < 500),
        "acknowledged_before_kill": sum(1 for a in log.acks if a.at <= killed_at),
        "acknowledged_by_the_surviving_worker_alone": served_by_survivor_alone,
        "replacement_ready_after_s": round(replacement_ready_at - killed_at, 1),
        "seconds": round(finished - started, 2), "turns_per_s": round(result.acknowledged / (finished - started), 1),
    }
    _record("worker_kill", figures)

    assert not psutil_alive(victim), "the killed worker is still running"
    assert not log.server_errors(), [o.model_dump() for o in log.server_errors()[:5]]
    assert figures["other_http_errors"] == 0, [o.model_dump() for o in log.outcomes if o.status and o.status >= 400][:5]
    assert result.lost == [], result.lost[:10]
    assert result.acknowledged == CONVERSATIONS * TURNS, "every conversation went on to its last turn"
    assert result.unacknowledged_stored == 0, "a resend of a turn stored before its connection dropped took a second turn"
    assert all(o.at >= killed_at for o in dropped), "connections dropped only because of the kill"
    assert served_by_survivor_alone > 0, "no conversation continued on the surviving worker before the replacement was up"


def psutil_alive(pid: int) -> bool:
    import psutil

    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def test_postgres_restart_gives_clear_503_then_recovers(deployment: Deployment) -> None:
    _wait(lambda: httpx.get(f"{deployment.url}/healthz", timeout=5).status_code == 200, 120, "the API was not healthy")
    log = LoadLog()
    stop = threading.Event()
    load = Shoppers(deployment.url, API_KEY, log).run_in_thread(8, None, prefix="pg", stop=stop, pause_s=0.05)
    try:
        _wait(lambda: log.ack_count >= 16, 120, "the load did not get going")
        outage_started = time.monotonic()
        deployment.postgres.stop("fast")
        _wait(lambda: 503 in log.statuses(since=outage_started), 30, "no request failed during the outage")
        with _client(deployment) as client:
            health = client.get("/healthz")
        time.sleep(2.0)
        deployment.postgres.start()
        restarted = time.monotonic()
        recovered = _wait(lambda: next((a.at for a in list(log.acks) if a.at > restarted), None), 60,
                          "no turn succeeded after PostgreSQL came back")
        time.sleep(4.0)  # steady again: every request must succeed from here on
    finally:
        stop.set()
        load.join(120)
        if not deployment.postgres.is_running():
            deployment.postgres.start()
    assert not load.failures, load.failures  # type: ignore[attr-defined]

    result = verify(deployment.url, API_KEY, log)
    failures = [o for o in log.outcomes if o.status is None or o.status >= 400]
    # In the outage: answered after PostgreSQL was stopped, sent before the first turn succeeded after its restart.
    in_window = [o for o in failures if o.at >= outage_started and o.sent_at <= recovered]
    outside = [o for o in failures if o not in in_window]
    figures = {
        "requests": len(log.outcomes), "turns_acknowledged": result.acknowledged, "lost_turns": len(result.lost),
        "outage_s": round(restarted - outage_started, 2), "recovered_after_restart_s": round(recovered - restarted, 2),
        "http_503_in_outage": sum(1 for o in in_window if o.status == 503),
        "other_failures_in_outage": sum(1 for o in in_window if o.status != 503),
        "failures_outside_outage": len(outside), "http_500": sum(1 for o in log.outcomes if o.status == 500),
    }
    _record("postgres_restart", figures)

    assert health.status_code == 503 and health.json() == {"detail": UNAVAILABLE}
    assert figures["http_503_in_outage"] > 0
    assert not outside, [o.model_dump() for o in outside[:5]]
    assert all(_clear_503(o) for o in in_window), [o.model_dump() for o in in_window if not _clear_503(o)][:5]
    assert result.lost == [], result.lost[:10]
    assert recovered - restarted < 30


def _clear_503(outcome: Outcome) -> bool:
    return (outcome.status == 503 and outcome.detail == UNAVAILABLE and outcome.retry_after == "5"
            and (outcome.content_type or "").startswith("application/json"))


def test_generator_server_stopping_falls_back_to_the_template_within_the_deadline(deployment: Deployment) -> None:
    with _client(deployment) as client:
        sender = "llm-shopper"
        cid = client.post("/api/conversations", json={"sender": sender}).json()["conversation_id"]

        def turn(text: str) -> tuple[httpx.Response, float]:
            started = time.monotonic()
            response = client.post(f"/api/conversations/{cid}/messages", json={"sender": sender, "text": text})
            return response, time.monotonic() - started

        def model_reply(text: str) -> str:
            for _ in range(3):  # the first request after a restart may meet a pooled dead connection: a fallback
                response, _ = turn(text)
                assert response.status_code == 200, response.text
                if response.json()["text"].startswith(MARKER):
                    return response.json()["text"]
            raise AssertionError("the generator server is up but replies are not the model's")

        model_reply("wireless headphones")  # vLLM by URL: the model phrases the reply

        deployment.llm.stop()
        stopped: list[float] = []
        for text in ("show more", "compare the first two", "cheaper"):
            response, seconds = turn(text)
            assert response.status_code == 200, response.text
            assert response.json()["text"] and not response.json()["text"].startswith(MARKER)
            stopped.append(seconds)
        with client.stream("POST", f"/api/conversations/{cid}/messages/stream", json={"sender": sender, "text": "show my cart"}) as streamed:
            assert streamed.status_code == 200
            body = "".join(streamed.iter_text())
        assert "event: done" in body and MARKER.strip() not in body

        deployment.llm.stall = True
        deployment.llm.start()
        response, hung = turn("under 80 dollars")
        assert response.status_code == 200 and not response.json()["text"].startswith(MARKER)
        deployment.llm.stall = False
        model_reply("show more")  # back up: the model writes again

    figures = {"first_token_deadline_s": FIRST_TOKEN_DEADLINE_S, "server_stopped_reply_s_max": round(max(stopped), 3),
               "server_hung_reply_s": round(hung, 3)}
    _record("generator_outage", figures)
    assert max(stopped) < FIRST_TOKEN_DEADLINE_S + 2.0
    assert FIRST_TOKEN_DEADLINE_S * 0.9 <= hung < FIRST_TOKEN_DEADLINE_S + 2.5
