"""A bounded load through the HTTP API (the full 100 × 10 is `shopassist bench serve`) and issue 20's 50 × 10 through
Rasa's socket.io channel: 0 errors, every turn stored."""

from __future__ import annotations

from lab.bench.load import drive_sync
from tests.api.conftest import API_KEY, LiveServer


def test_concurrent_conversations_lose_no_turn(live_server: LiveServer) -> None:
    report = drive_sync(live_server.url, conversations=20, turns=5, concurrency=16, api_key=API_KEY)
    assert report.errors == 0, report.error_samples
    assert report.turns_ok == report.turns_sent == 100
    assert report.turns_stored == 100 and report.lost_turns == 0
    assert report.throughput_turns_per_s > 0 and report.latency_p95_ms >= report.latency_p50_ms > 0


def test_fifty_socketio_sessions_of_ten_turns_lose_no_turn(live_server: LiveServer) -> None:
    report = drive_sync(live_server.url, conversations=50, turns=10, transport="socketio", api_key=API_KEY)
    print(f"socket.io load: {report.model_dump_json()}")  # the turns/s figure (pytest -s shows it)
    assert report.transport == "socketio" and report.errors == 0, report.error_samples
    assert report.turns_ok == report.turns_sent == 500
    assert report.turns_stored == 500 and report.lost_turns == 0
    assert report.throughput_turns_per_s > 0 and report.latency_p95_ms >= report.latency_p50_ms > 0
