"""``shopassist serve`` (the HTTP API, Rasa REST channel and widget) and ``shopassist bench serve`` (its load test)."""

from __future__ import annotations

import contextlib
import logging

import typer

from cli.output import JSON_HELP, console, emit
from core.errors import NotReadyError
from core.settings import get_settings

log = logging.getLogger(__name__)


def serve(
    host: str | None = typer.Option(None, "--host", help="Bind address (default: the host setting, 127.0.0.1)."),
    port: int | None = typer.Option(None, "--port", help="Port (default: the port setting, 8080)."),
    no_ui: bool = typer.Option(False, "--no-ui", help="Serve the API only, without the widget at /ui."),
    workers: int = typer.Option(1, "--workers", min=1, max=32, help="Server processes for the API (each loads the models; rate limits are per process; the widget needs 1)."),
    log_level: str = typer.Option("info", "--log-level", help="uvicorn log level."),
) -> None:
    """Serve the assistant over HTTP: JSON API, Rasa REST webhook, /metrics, /docs and the chat widget at /ui."""
    import os

    import uvicorn

    from api.server import uvicorn_config
    from dialogue.model_cache import resolve_nlu_model_dir

    settings = get_settings()
    if workers > 1 and settings.ui_enabled and not no_ui:
        console.print("[yellow]The widget keeps its sessions in one process: with --workers > 1 only the API is served.[/]")
        no_ui = True
    if no_ui:
        os.environ["SHOPASSIST_UI_ENABLED"] = "false"  # worker processes read their settings from the environment
        settings = settings.model_copy(update={"ui_enabled": False})
    host = host or settings.host
    port = settings.port if port is None else port
    where = f"http://{'localhost' if host in {'127.0.0.1', '0.0.0.0'} else host}:{port}"
    if workers > 1:
        resolve_nlu_model_dir(settings)  # NotReadyError before the workers start; links a cached model into the home
        for language in settings.other_nlu_languages:  # optional: the workers warn when one is missing
            with contextlib.suppress(NotReadyError):
                resolve_nlu_model_dir(settings.for_language(language))
        _announce(where, settings.api_key_set, workers)
        uvicorn.run("api.app:app_from_settings", factory=True, host=host, port=port, workers=workers,
                    log_level=log_level, access_log=False, server_header=False, timeout_graceful_shutdown=5)
        return
    from api.app import create_app
    from assistant.wiring import build_assistant

    app = create_app(build_assistant(settings), settings)
    _announce(where, settings.api_key_set, workers)
    uvicorn.Server(uvicorn_config(app, host, port, log_level=log_level)).run()


def _announce(where: str, keys: frozenset[str], workers: int) -> None:
    console.print(f"[bold]ShopAssist[/] serving on {where} — widget {where}/ui · API docs {where}/docs · Ctrl+C stops"
                  + (f" · {workers} workers" if workers > 1 else ""))
    if keys:
        console.print("[dim]API keys are required on /api, /webhooks and /metrics (X-API-Key header).[/]")


def bench_serve(
    conversations: int = typer.Option(100, "--conversations", min=1, max=2000, help="Concurrent conversations."),
    turns: int = typer.Option(10, "--turns", min=1, max=100, help="Turns per conversation."),
    concurrency: int = typer.Option(32, "--concurrency", min=1, max=512, help="Most requests in flight at once."),
    workers: int = typer.Option(2, "--workers", min=1, max=32, help="Server processes (`shopassist serve --workers`); 2 uses both cores of a 2-core machine."),
    transport: str = typer.Option("http", "--transport", help="http (the native API) or socketio (Rasa's socket.io "
                                  "channel: every conversation connected at once; --concurrency unused)."),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Load the server (a real one on a loopback port) through the HTTP API or the socket.io channel: errors, lost
    turns, turns/s, p50/p95 latency."""
    from lab.bench.load import bench_serve as run_bench

    if transport not in ("http", "socketio"):
        raise typer.BadParameter("--transport must be http or socketio")
    report = run_bench(get_settings(), conversations=conversations, turns=turns, concurrency=concurrency, workers=workers,
                       transport=transport)
    emit(report, as_json=as_json, title="bench serve")
    if not report.ok:
        raise typer.Exit(code=1)
