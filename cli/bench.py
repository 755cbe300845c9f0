"""``shopassist bench retrieval|nlu|turn|scale``: the latency benchmarks (``bench serve``, ``feedback``, ``generate``
and ``grounding`` live beside their groups: cli/serve.py, cli/feedback.py, cli/llm.py)."""

from __future__ import annotations

from pathlib import Path

import typer

from cli.output import JSON_HELP, console, emit
from core.settings import get_settings

bench_app = typer.Typer(help="Benchmarks: print figures (or one JSON object with --json).", no_args_is_help=True)


@bench_app.command("retrieval")
def bench_retrieval(
    catalog: list[Path] = typer.Option(None, "--catalog", help="Catalog files (default: the demo and a 40k catalog)."),
    scaled_count: int = typer.Option(40_000, "--scaled-count", help="Size of the generated benchmark catalog."),
    rounds: int = typer.Option(5, "--rounds", min=1, max=8),
    search_only: bool = typer.Option(False, "--search-only", help="Reuse the stores of an earlier run: time searches only."),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Ingest throughput (products/s) and search latency p50/p95 on the demo and the ≥ 40k catalogs."""
    from lab.bench.retrieval import bench_catalogs

    results = bench_catalogs(get_settings(), list(catalog or []), scaled_count=scaled_count, rounds=rounds,
                             progress=not as_json, search_only=search_only)
    if as_json:
        emit({"retrieval": [r.model_dump() for r in results]}, as_json=True)
    else:
        for result in results:
            emit(result, as_json=False, title=f"retrieval: {Path(result.catalog).name}")


@bench_app.command("nlu")
def bench_nlu(
    repeats: int = typer.Option(3, "--repeats", min=1),
    runtime: list[str] = typer.Option(["torch", "onnx", "onnx-int8"], "--runtime",
                                      help="Runtimes to compare (torch, onnx, onnx-int8); repeat the option."),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Classifier + slot extraction, one utterance at a time on the CPU: p50/p95 latency and held-out accuracy per runtime."""
    from lab.bench.nlu import RUNTIMES, bench_nlu as run_bench

    unknown = set(runtime) - set(RUNTIMES)
    if unknown:
        raise typer.BadParameter(f"unknown runtime(s): {', '.join(sorted(unknown))}")
    report = run_bench(get_settings(), repeats, runtime)
    if as_json:
        emit(report, as_json=True)
        return
    emit(report.model_dump(exclude={"runtimes"}), as_json=False, title="bench nlu (classifier + slots, one utterance, CPU)")
    for name, row in report.runtimes.items():
        console.print(f"  {name:10} turn p50 {row.turn_p50_ms:6.2f} ms  p95 {row.turn_p95_ms:6.2f} ms  "
                      f"classifier p50 {row.classifier_p50_ms:6.2f} ms  held-out acc {row.heldout_accuracy:.4f}  "
                      f"macro-F1 {row.heldout_macro_f1:.4f}  OOS recall {row.out_of_scope_recall:.4f}")


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
    from lab.bench.turn import VARIANTS, bench_turn as run_bench

    unknown = set(variant) - set(VARIANTS)
    if unknown:
        raise typer.BadParameter(f"unknown variant(s): {', '.join(sorted(unknown))}")
    report = run_bench(get_settings(), scaled_count=scaled_count, conversations=conversations, variants=variant, seed=seed,
                       plot=plot, progress=not as_json)
    if as_json:
        emit(report, as_json=True)
        return
    for run in report.runs:
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
    from lab.bench.scale import bench_scale as run_bench

    report = run_bench(get_settings(), cache, sizes, plot=plot, progress=not as_json)
    if as_json:
        emit(report, as_json=True)
        return
    for p in report.points:
        console.print(f"{p.products:>8,} products ({p.real_vectors:,} real vectors): ingest {p.ingest_seconds:7.1f} s, disk {p.store_disk_mb:7.1f} MB, "
                      f"memory +{p.store_rss_mb:7.1f} MB, open {p.open_seconds:5.2f} s (+{p.summaries_seconds:.2f} s summaries; "
                      f"rebuild from Chroma {p.index_seconds:.1f} s) | constrained p50 {p.constrained_p50_ms:6.2f} / "
                      f"p95 {p.constrained_p95_ms:6.2f} ms | unconstrained p50 {p.unconstrained_p50_ms:6.2f} / p95 {p.unconstrained_p95_ms:6.2f} ms")
    console.print(f"plot: {report.plot}")
