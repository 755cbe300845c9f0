"""The multi-process deployment of docs/deploy.md on loopback: PostgreSQL, a Chroma server, an OpenAI-compatible
generator server and ``shopassist serve --workers 2``, each a real server."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from core.settings import DATA_DIR, Settings
from tests.deploy.openai_stub import MODEL, OpenAIStub
from tests.deploy.postgres import PostgresCluster, PostgresUnavailable
from tests.deploy.processes import SHOPASSIST, ManagedProcess, api_server, chroma_server, free_port

API_KEY = "deploy-key-789"
AGENT_KEY = "deploy-agent-key"
ADMIN_KEY = "deploy-admin-key"
WORKERS = 2
#: Generator deadlines of the deployment (short, so the fallback test is quick).
FIRST_TOKEN_DEADLINE_S = 1.5
LLM_TIMEOUT_S = 8.0


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresCluster]:
    try:
        cluster = PostgresCluster(free_port())
    except PostgresUnavailable as exc:
        pytest.skip(f"PostgreSQL is not available here: {exc}")
    cluster.init()
    yield cluster
    cluster.destroy()


@dataclass
class ChromaServer:
    process: ManagedProcess
    port: int
    path: Path


@pytest.fixture(scope="session")
def chroma(demo_settings: Settings, demo_store) -> Iterator[ChromaServer]:  # type: ignore[no-untyped-def]
    """``chroma run`` serving a copy of the session's ingested demo catalog (so the demo is not embedded twice;
    ``test_chroma_server.py`` ingests through the server itself)."""
    root = Path(tempfile.mkdtemp(prefix="shopassist-chroma-"))
    shutil.copytree(demo_settings.chroma_dir, root / "chroma")
    port = free_port()
    server = chroma_server(root / "chroma", port, root).start(timeout_s=90)
    yield ChromaServer(server, port, root / "chroma")
    server.stop()
    shutil.rmtree(root, ignore_errors=True)


def deployment_env(home: Path, chroma_port: int, database_url: str, llm_base_url: str) -> dict[str, str]:
    """Every setting of one API host, as docs/deploy.md gives them."""
    return {
        **os.environ,
        "HF_HUB_OFFLINE": "1",
        "TOKENIZERS_PARALLELISM": "false",
        "SHOPASSIST_HOME": str(home),
        "SHOPASSIST_CHROMA_MODE": "http",
        "SHOPASSIST_CHROMA_HOST": "127.0.0.1",
        "SHOPASSIST_CHROMA_PORT": str(chroma_port),
        "SHOPASSIST_DATABASE_URL": database_url,
        "SHOPASSIST_GENERATOR": "openai",
        "SHOPASSIST_LLM_BASE_URL": llm_base_url,
        "SHOPASSIST_LLM_MODEL": MODEL,
        "SHOPASSIST_LLM_ACTIONS": "all",  # the stub phrases every action (lists included), so every turn meets the server
        "SHOPASSIST_LLM_CONNECT_TIMEOUT_S": "1",
        "SHOPASSIST_LLM_FIRST_TOKEN_DEADLINE_S": str(FIRST_TOKEN_DEADLINE_S),
        "SHOPASSIST_LLM_TIMEOUT_S": str(LLM_TIMEOUT_S),
        "SHOPASSIST_API_KEYS": API_KEY,
        "SHOPASSIST_AGENT_API_KEYS": AGENT_KEY,
        "SHOPASSIST_ADMIN_API_KEYS": ADMIN_KEY,
        "SHOPASSIST_RATE_LIMIT_PER_MINUTE": "0",  # the test's shoppers resend 503s faster than a person would
        "SHOPASSIST_UI_ENABLED": "false",
        "SHOPASSIST_TORCH_THREADS": "1",
    }


def run_cli(env: dict[str, str], *args: str, timeout_s: float = 600) -> dict[str, object]:
    """A ``shopassist … --json`` command; its JSON report."""
    result = subprocess.run([*SHOPASSIST, *args, "--json"], env=env, capture_output=True, text=True, timeout=timeout_s)
    assert result.returncode == 0, f"shopassist {' '.join(args)} failed:\n{result.stdout[-2000:]}\n{result.stderr[-3000:]}"
    return json.loads(result.stdout[result.stdout.index("{"):])


@dataclass
class Deployment:
    url: str
    api: ManagedProcess
    postgres: PostgresCluster
    llm: OpenAIStub
    env: dict[str, str]
    home: Path


@pytest.fixture(scope="package")
def deployment(postgres: PostgresCluster, chroma: ChromaServer, nlu_model_dir: Path) -> Iterator[Deployment]:
    home = Path(tempfile.mkdtemp(prefix="shopassist-deploy-"))
    (home / "models").mkdir(parents=True)
    (home / "models" / "nlu").symlink_to(nlu_model_dir, target_is_directory=True)
    llm = OpenAIStub(free_port()).start()
    env = deployment_env(home, chroma.port, postgres.url, llm.base_url)
    # What an operator runs once per catalog change: ingest through the Chroma server (incremental: nothing changed).
    report = run_cli(env, "ingest", str(DATA_DIR / "catalog" / "demo.jsonl"))
    assert report["embedded"] == 0 and report["total_in_store"] == 1800, report
    port = free_port()
    api = api_server(env, port, WORKERS, home)
    try:
        api.start(timeout_s=300)
        yield Deployment(f"http://127.0.0.1:{port}", api, postgres, llm, env, home)
    finally:
        api.stop()
        llm.stop()
        if not postgres.is_running():
            postgres.start()
        shutil.rmtree(home, ignore_errors=True)
