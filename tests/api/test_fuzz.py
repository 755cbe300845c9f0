"""Fuzz every operation of the OpenAPI spec with schemathesis against the live server: no 5xx, ever."""

from __future__ import annotations

import hypothesis
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given
from schemathesis import GenerationMode

from tests.api.conftest import API_KEY, LiveServer

MIN_REQUESTS = 500
#: Examples per operation and mode; 9 operations × 2 modes × 32 ≈ 576 requests.
EXAMPLES = 32


@pytest.mark.slow
def test_openapi_fuzzing_finds_no_server_errors(live_server: LiveServer) -> None:
    schema = schemathesis.openapi.from_url(f"{live_server.url}/openapi.json")
    sent: list[tuple[str, int]] = []
    server_errors: list[str] = []

    for result in schema.get_all_operations():
        operation = result.ok()
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

            @hypothesis.settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
                                 phases=[Phase.generate], suppress_health_check=list(HealthCheck))
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
