"""``shopassist`` command line: thin wrappers over library code, one function per subcommand."""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path

import typer

from cli.llm import bench_generate, bench_grounding, llm_app
from cli.feedback import bench_feedback, export_app, train_reranker
from cli.nlu import bench_nlu, eval_app, train_app
from cli.output import JSON_HELP, console, emit
from cli.serve import bench_serve, serve
from core.errors import ShopAssistError
from core.settings import get_settings

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

app = typer.Typer(help="ShopAssist: a multi-turn conversational shopping assistant.", no_args_is_help=True)
catalog_app = typer.Typer(help="Demo and benchmark catalogs.", no_args_is_help=True)
bench_app = typer.Typer(help="Benchmarks: print figures (or one JSON object with --json).", no_args_is_help=True)
app.add_typer(catalog_app, name="catalog")
app.add_typer(bench_app, name="bench")
app.add_typer(train_app, name="train")
app.add_typer(eval_app, name="eval")
app.add_typer(llm_app, name="llm")
app.add_typer(export_app, name="export")


@app.callback()
def main(verbose: bool = typer.Option(False, "--verbose", "-v", help="Log debug output.")) -> None:
    logging.basicConfig(level=logging.DEBUG if verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s")


@app.command()
def ingest(
    paths: list[Path] = typer.Argument(..., exists=True, help="CSV, JSON or JSONL catalog files."),
    mapping: Path | None = typer.Option(None, "--mapping", exists=True, help="YAML field mapping for a foreign catalog."),
    replace: bool = typer.Option(False, "--replace", help="Remove stored products that are not in PATHS."),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Validate, embed and index a product catalog (idempotent, incremental)."""
    from retrieval.ingest import ingest as run_ingest

    report = run_ingest(paths, get_settings(), mapping_path=mapping, replace=replace, progress=not as_json)
    if as_json:
        emit(report, as_json=True)
        return
    for error in report.errors[:50]:
        console.print(f"[yellow]skipped[/] {error.location}: {error.reason}")
    if len(report.errors) > 50:
        console.print(f"[yellow]… and {len(report.errors) - 50} more bad rows[/]")
    console.print(
        f"[green]ingested[/] {report.valid_rows} valid rows ({report.invalid_rows} bad): {report.embedded} embedded, "
        f"{report.unchanged} unchanged, {report.removed} removed; {report.total_in_store} products in store; "
        f"{report.seconds:.1f} s ({report.embed_rate:.0f} products/s embedding)"
    )


@app.command()
def embed(
    paths: list[Path] = typer.Argument(..., exists=True, help="CSV, JSON or JSONL catalog files."),
    out: Path = typer.Option(..., "--out", help="The .npz cache to write (then ingest with SHOPASSIST_EMBEDDING_CACHE)."),
    mapping: Path | None = typer.Option(None, "--mapping", exists=True, help="YAML field mapping for a foreign catalog."),
    device: str = typer.Option("cpu", "--device", help="cpu or cuda (embed a large catalog on a GPU host)."),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Precompute product embeddings (e.g. on a GPU host) for a later `ingest` anywhere."""
    import time

    from retrieval.catalog_io import load_catalog
    from retrieval.embedder import default_model_dir
    from retrieval.embedding_cache import build_cache
    from retrieval.mapping import load_mapping

    settings = get_settings()
    loaded = load_catalog(list(paths), load_mapping(mapping) if mapping else None)
    loaded.raise_if_empty()
    started = time.perf_counter()
    written = build_cache([p.embedding_text() for p in loaded.products], out, settings.embedding_model or default_model_dir(),
                          device=device, progress=not as_json)
    seconds = time.perf_counter() - started
    emit({"products": len(loaded.products), "cache": str(written), "seconds": round(seconds, 1),
          "products_per_s": round(len(loaded.products) / seconds, 1)}, as_json=as_json, title="embeddings cached")


@app.command()
def prepare(as_json: bool = typer.Option(False, "--json", help=JSON_HELP)) -> None:
    """Make the embedded defaults ready: ingest the demo catalog (incremental) and train the intent model if missing."""
    from retrieval.ingest import ingest as run_ingest

    settings = get_settings()
    report = run_ingest([settings.catalog_path], settings, progress=not as_json)
    trained = None
    if not (settings.nlu_model_dir / "labels.json").exists():
        from lab.train.intent import train_from_settings

        trained = train_from_settings(settings)
    emit({"catalog": report.total_in_store, "embedded": report.embedded, "nlu_trained": trained is not None}, as_json=as_json, title="ready")


@app.command()
def ask(
    message: str = typer.Argument(..., help="What the shopper says."),
    conversation: str | None = typer.Option(None, "--conversation", help="Continue this conversation id."),
    sender: str = typer.Option("cli", "--sender"),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """One turn: route the message, search, and print the reply with products and prices."""
    from assistant.factory import build_assistant

    assistant = build_assistant(get_settings())
    conversation_id = conversation if conversation and assistant.states.exists(conversation) else assistant.start(sender, conversation)
    result = assistant.handle(conversation_id, sender, message)
    if as_json:
        emit(result, as_json=True)
    else:
        console.print(result.text)
        console.print(f"[dim]conversation {conversation_id} · intent {result.plan.intent} · action {result.plan.action}[/]")


@app.command()
def chat(sender: str = typer.Option("cli", "--sender")) -> None:
    """Chat in the terminal. /like N and /dislike N rate card N; /quit leaves."""
    from assistant.factory import build_assistant

    assistant = build_assistant(get_settings())
    conversation_id = assistant.start(sender)
    console.print("[bold]ShopAssist[/] — what are you looking for? (/like N, /dislike N, /quit)")
    cards: list[str] = []
    while True:
        try:
            text = console.input("[bold cyan]you>[/] ").strip()
        except (EOFError, KeyboardInterrupt):
            break
        if text in {"/quit", "/exit"}:
            break
        if text.startswith(("/like", "/dislike")):
            parts = text.split()
            if len(parts) == 2 and parts[1].isdigit() and 1 <= int(parts[1]) <= len(cards):
                assistant.feedback(conversation_id, sender, cards[int(parts[1]) - 1], liked=parts[0] == "/like")
                console.print("[dim]noted[/]")
            else:
                console.print("[yellow]usage: /like N or /dislike N, N a card number from the last reply[/]")
            continue
        try:
            result = assistant.handle(conversation_id, sender, text)
        except ShopAssistError as exc:
            console.print(f"[yellow]{exc}[/]")
            continue
        cards = [c.product_id for c in result.plan.products] or cards
        console.print(f"[bold green]shopassist>[/] {result.text}")


@app.command("test")
def test_dialogues(
    paths: list[Path] = typer.Argument(..., help="YAML suites or folders of them."),
    junit: Path | None = typer.Option(None, "--junit", help="Write a JUnit XML report here."),
    catalog: Path | None = typer.Option(None, "--catalog", exists=True, help="Run against this catalog (ingested into a store of its own)."),
    mapping: Path | None = typer.Option(None, "--mapping", exists=True, help="Field mapping for --catalog."),
    generator: str = typer.Option("template", "--generator", help="Reply generator: template (deterministic), openai or local."),
) -> None:
    """Run scripted dialogue suites through the full pipeline; exits non-zero when a case fails."""
    import hashlib

    from assistant.factory import build_assistant
    from lab.scripted.runner import format_failure, run_suites, write_junit
    from retrieval.ingest import ingest as run_ingest

    if generator not in ("template", "openai", "local"):
        raise typer.BadParameter("--generator must be template, openai or local")
    settings = get_settings().model_copy(update={"generator": generator})
    if catalog is not None:
        key = hashlib.sha1(str(catalog.resolve()).encode()).hexdigest()[:12]
        settings = settings.model_copy(update={"home": settings.home / "test-catalogs" / key})
        run_ingest([catalog], settings, mapping_path=mapping, progress=False)
        settings.nlu_model_dir.parent.mkdir(parents=True, exist_ok=True)
        shared_model = get_settings().nlu_model_dir
        if shared_model.exists() and not settings.nlu_model_dir.exists():
            settings.nlu_model_dir.symlink_to(shared_model, target_is_directory=True)
    report = run_suites(build_assistant(settings), paths)
    for result in report.results:
        if not result.passed:
            console.print(format_failure(result), markup=False, highlight=False)
    if junit is not None:
        write_junit(report, junit)
    print(report.summary_line())
    raise typer.Exit(code=1 if report.failed else 0)


@catalog_app.command("generate")
def catalog_generate(
    count: int = typer.Option(40_000, "--count", min=1, help="Number of products."),
    out: Path = typer.Option(..., "--out", help="JSONL file to write."),
    seed: int = typer.Option(7, "--seed"),
) -> None:
    """Write a synthetic catalog (the demo catalog's generator, scaled)."""
    from lab.catalog.demo import generate_products, write_jsonl

    written = write_jsonl(generate_products(count, seed=seed), out)
    console.print(f"wrote {written} products to {out}")


@bench_app.command("retrieval")
def bench_retrieval(
    catalog: list[Path] = typer.Option(None, "--catalog", help="Catalog files (default: the demo and a 40k catalog)."),
    scaled_count: int = typer.Option(40_000, "--scaled-count", help="Size of the generated benchmark catalog."),
    rounds: int = typer.Option(5, "--rounds", min=1, max=8),
    search_only: bool = typer.Option(False, "--search-only", help="Reuse the stores of an earlier run: time searches only."),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Ingest throughput (products/s) and search latency p50/p95 on the demo and the ≥ 40k catalogs."""
    from lab.bench.retrieval import bench_retrieval as run_bench
    from lab.catalog.demo import generate_products, write_jsonl

    settings = get_settings()
    paths = list(catalog or [])
    if not paths:
        scaled = settings.home / "bench" / f"scaled-{scaled_count}.jsonl"
        if not scaled.exists():
            write_jsonl(generate_products(scaled_count), scaled)
        paths = [settings.catalog_path, scaled]
    results = []
    for index, path in enumerate(paths):
        bench_settings = settings.model_copy(update={"home": settings.home / "bench" / f"store-{index}"})
        results.append(run_bench(path, bench_settings, rounds=rounds, progress=not as_json, fresh=not search_only))
    if as_json:
        emit({"retrieval": [r.model_dump() for r in results]}, as_json=True)
    else:
        for result in results:
            emit(result, as_json=False, title=f"retrieval: {Path(result.catalog).name}")


@bench_app.command("nlu")
def bench_nlu_command(
    repeats: int = typer.Option(3, "--repeats", min=1),
    runtime: list[str] = typer.Option(["torch", "onnx", "onnx-int8"], "--runtime",
                                      help="Runtimes to compare (torch, onnx, onnx-int8); repeat the option."),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Classifier + slot extraction, one utterance at a time on the CPU: p50/p95 latency and held-out accuracy per runtime."""
    unknown = set(runtime) - {"torch", "onnx", "onnx-int8"}
    if unknown:
        raise typer.BadParameter(f"unknown runtime(s): {', '.join(sorted(unknown))}")
    bench_nlu(repeats, as_json, runtime)


@bench_app.command("turn")
def bench_turn(
    scaled_count: int = typer.Option(40_000, "--scaled-count", help="Size of the large generated catalog (0: demo only)."),
    conversations: int = typer.Option(30, "--conversations", min=1, help="Simulated shoppers per catalog and variant."),
    variant: list[str] = typer.Option(["fp32", "optimised"], "--variant", help="fp32 and/or optimised; repeat the option."),
    plot: Path | None = typer.Option(None, "--plot", help="PNG path (default: home/bench/turn.png)."),
    seed: int = typer.Option(7, "--seed"),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Turn latency per stage (p50/p95), fp32 versus optimised, on the demo and the large catalog; writes a PNG."""
    from lab.bench.turn import VARIANTS, TurnBenchReport, plot_runs, run_variant, scaled_store

    unknown = set(variant) - set(VARIANTS)
    if unknown:
        raise typer.BadParameter(f"unknown variant(s): {', '.join(sorted(unknown))}")
    settings = get_settings()
    stores = [settings] + ([scaled_store(settings, scaled_count, not as_json)] if scaled_count else [])
    runs = [run_variant(store, name, conversations, seed, not as_json) for store in stores for name in variant]
    report = TurnBenchReport(runs=runs, plot=str(plot_runs(runs, plot or settings.home / "bench" / "turn.png")))
    if as_json:
        emit(report, as_json=True)
        return
    for run in runs:
        console.print(f"[bold]{run.products:,} products, {run.variant}[/]: {run.turns} turns, total p50 {run.total.p50_ms} ms, "
                      f"p95 {run.total.p95_ms} ms")
        for name, stats in run.stages.items():
            console.print(f"  {name:18} p50 {stats.p50_ms:7.2f} ms  p95 {stats.p95_ms:7.2f} ms")
    console.print(f"plot: {report.plot}")


@bench_app.command("scale")
def bench_scale(
    cache: Path = typer.Option(..., "--cache", exists=True, help="Embedding cache (.npz from `shopassist embed`, e.g. of the 40k catalog)."),
    sizes: list[int] = typer.Option([1_000, 10_000, 40_000, 200_000], "--size", help="Catalog sizes; repeat the option."),
    plot: Path | None = typer.Option(None, "--plot", help="PNG path (default: home/bench/scale.png)."),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Search latency, memory and disk at growing catalog sizes (vectors from a cache; missing ones perturbed)."""
    from retrieval.embedding_cache import EmbeddingCache
    from lab.bench.scale import bench_size, plot_scale

    settings = get_settings()
    vectors = EmbeddingCache(cache)
    points = [bench_size(settings, n, vectors, not as_json) for n in sorted(sizes)]
    out = plot_scale(points, plot or settings.home / "bench" / "scale.png")
    if as_json:
        emit({"points": [p.model_dump() for p in points], "plot": str(out)}, as_json=True)
        return
    for p in points:
        console.print(f"{p.products:>8,} products ({p.real_vectors:,} real vectors): ingest {p.ingest_seconds:7.1f} s, disk {p.store_disk_mb:7.1f} MB, "
                      f"memory +{p.store_rss_mb:7.1f} MB, open {p.open_seconds:5.2f} s | constrained p50 {p.constrained_p50_ms:6.2f} / "
                      f"p95 {p.constrained_p95_ms:6.2f} ms | unconstrained p50 {p.unconstrained_p50_ms:6.2f} / p95 {p.unconstrained_p95_ms:6.2f} ms")
    console.print(f"plot: {out}")


app.command("serve")(serve)
bench_app.command("serve")(bench_serve)
bench_app.command("feedback")(bench_feedback)
bench_app.command("generate")(bench_generate)
bench_app.command("grounding")(bench_grounding)
train_app.command("reranker")(train_reranker)


def run() -> None:
    """Entry point that turns ShopAssist's own errors into a one-line message and exit code 2."""
    try:
        app()
    except ShopAssistError as exc:
        console.print(f"[red]error:[/] {exc}")
        sys.exit(2)


if __name__ == "__main__":
    run()
