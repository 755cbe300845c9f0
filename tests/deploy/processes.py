"""Real server processes on loopback ports for the deployment tests: a ``chroma run`` server and ``shopassist serve``."""

from __future__ import annotations

import logging
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import psutil

log = logging.getLogger(__name__)

SHOPASSIST = [sys.executable, "-c", "from cli.main import run; run()"]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class ManagedProcess:
    """A subprocess with its output in a log file, ready when ``ready_url`` answers 200; stopped on ``stop()``."""

    def __init__(self, name: str, command: list[str], env: dict[str, str], log_path: Path, ready_url: str) -> None:
        self.name = name
        self.command = command
        self.env = env
        self.log_path = log_path
        self.ready_url = ready_url
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def pid(self) -> int:
        assert self.process is not None, f"{self.name} was not started"
        return self.process.pid

    def start(self, timeout_s: float = 120.0) -> ManagedProcess:
        with open(self.log_path, "ab") as out:
            self.process = subprocess.Popen(self.command, env=self.env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        self.wait_ready(timeout_s)
        log.info("process.ready name=%s pid=%d", self.name, self.pid)
        return self

    def wait_ready(self, timeout_s: float) -> None:
        deadline = time.monotonic() + timeout_s
        while True:
            if self.process is not None and self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited ({self.process.returncode}):\n{self.log_tail()}")
            try:
                if httpx.get(self.ready_url, timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise TimeoutError(f"{self.name} was not ready within {timeout_s} s:\n{self.log_tail()}")
            time.sleep(0.25)

    def log_tail(self, chars: int = 3000) -> str:
        return self.log_path.read_text(errors="replace")[-chars:] if self.log_path.exists() else ""

    def stop(self, timeout_s: float = 20.0) -> None:
        """SIGTERM to the whole process group (uvicorn's workers too), SIGKILL after ``timeout_s``."""
        if self.process is None or self.process.poll() is not None:
            return
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout_s)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(10)
        except ProcessLookupError:
            pass


def chroma_server(path: Path, port: int, log_dir: Path) -> ManagedProcess:
    """``chroma run`` from the project's environment, serving the collections stored under ``path``."""
    chroma = Path(sys.executable).parent / "chroma"
    command = [str(chroma), "run", "--path", str(path), "--host", "127.0.0.1", "--port", str(port)]
    env = {**os.environ, "ANONYMIZED_TELEMETRY": "False"}
    return ManagedProcess("chroma", command, env, log_dir / "chroma.log", f"http://127.0.0.1:{port}/api/v2/heartbeat")


def api_server(env: dict[str, str], port: int, workers: int, log_dir: Path) -> ManagedProcess:
    """``shopassist serve --workers N`` (uvicorn's process manager: it restarts a worker that dies)."""
    command = [*SHOPASSIST, "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers), "--no-ui",
               "--log-level", "info"]
    return ManagedProcess("api", command, env, log_dir / "api.log", f"http://127.0.0.1:{port}/healthz")


def worker_pids(master_pid: int) -> list[int]:
    """The uvicorn worker processes under ``shopassist serve`` (multiprocessing's helper processes left out)."""
    workers = []
    for child in psutil.Process(master_pid).children(recursive=True):
        try:
            cmdline = " ".join(child.cmdline())
        except psutil.NoSuchProcess:
            continue
        if "spawn_main" in cmdline:
            workers.append(child.pid)
    return sorted(workers)
