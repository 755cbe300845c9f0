"""Fuzz every operation of the OpenAPI spec with schemathesis against the live server: no 5xx, ever."""

from __future__ import annotations

import json

import httpx
import hypothesis
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given
from hypothesis import strategies as st
from schemathesis import GenerationMode

from tests.api.conftest import API_KEY, LiveServer

FUZZ_SETTINGS = dict(deadline=None, database=None, derandomize=True, phases=[Phase.generate], suppress_health_check=list(HealthCheck))

MIN_REQUESTS = 500
#: Examples per operation and mode (operations without inputs exhaust theirs sooner).
EXAMPLES = 50


@pytest.mark.slow
def test_openapi_fuzzing_finds_no_server_errors(live_server: LiveServer) -> None:
    schema = schemathesis.openapi.from_url(f"{live_server.url}/openapi.json")
    sent: list[tuple[str, int]] = []
    server_errors: list[str] = []

    for result in schema.get_all_operations():
        operation = result.ok()
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

            @hypothesis.settings(max_examples=EXAMPLES, **FUZZ_SETTINGS)
            @given(case=operation.as_strategy(generation_mode=mode))
            def fuzz(case: schemathesis.Case) -> None:
                response = case.call(base_url=live_server.url, headers={"X-API-Key": API_KEY}, timeout=30)
                sent.append((operation.label, response.status_code))
                if response.status_code >= 500:
                    server_errors.append(f"{operation.label} {mode.value}: {response.status_code} {response.text[:300]} <- {case.body!r:.300}")

            try:
                fuzz()
            except hypothesis.errors.Unsatisfiable:
                pass  # some operations have no (or few) invalid inputs to generate

    assert not server_errors, "\n".join(server_errors[:10])
    assert len(sent) >= MIN_REQUESTS, f"only {len(sent)} requests generated"
    assert {status for _, status in sent} & {200, 201}, "the fuzzer never got past validation"


@pytest.mark.slow
def test_arbitrary_text_in_a_live_conversation_never_fails_the_server(live_server: LiveServer) -> None:
    """Schema fuzzing mostly meets unknown conversations; here any unicode text goes through real turns."""
    with live_server.client() as http:
        senders = [f"fuzz-text-{i}" for i in range(4)]  # spread under the per-sender rate limit
        conversations = [http.post("/api/conversations", json={"sender": s}).json()["conversation_id"] for s in senders]
        statuses: list[int] = []

        def post(url: str, body: dict[str, str]) -> httpx.Response:  # ASCII-escaped JSON carries lone surrogates too
            return http.post(url, content=json.dumps(body).encode(), headers={"Content-Type": "application/json"})

        @hypothesis.settings(max_examples=60, **FUZZ_SETTINGS)
        @given(text=st.text(max_size=300) | st.sampled_from(["\ud800", "\x00", "$" * 50, "<script>alert(1)</script>", "🛒" * 40]))
        def turn(text: str) -> None:
            which = len(statuses) // 2 % len(senders)
            response = post(f"/api/conversations/{conversations[which]}/messages", {"sender": senders[which], "text": text})
            rasa = post("/webhooks/rest/webhook", {"sender": f"fuzz-rasa-{which}", "message": text})
            statuses.extend([response.status_code, rasa.status_code])
            assert response.status_code < 500 and rasa.status_code < 500, (text, response.text, rasa.text)

        turn()
    assert 200 in statuses and 429 not in statuses
