"""``shopassist export feedback``, ``train reranker`` and ``bench feedback``: the feedback re-ranker's commands."""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from cli.output import JSON_HELP, console, emit
from core.settings import Settings, get_settings

export_app = typer.Typer(help="Export logs as files.", no_args_is_help=True)

DATABASE_HELP = "SQLAlchemy URL of the conversation log (default: the latest `bench feedback` ON log, else the home's database)."


def _open_store(settings: Settings):  # type: ignore[no-untyped-def]
    from retrieval.product_store import HybridProductStore

    return HybridProductStore.open(settings)


@export_app.command("feedback")
def export_feedback(
    out: Path | None = typer.Option(None, "--out", help="JSONL file to write (default: standard output)."),
    database: str | None = typer.Option(None, "--database", help="SQLAlchemy URL (default: the home's conversation database)."),
) -> None:
    """Feedback events (conversation, sender, turn, product, kind) with the product's attributes, one JSON per line."""
    from core.errors import NotReadyError
    from lab.train.reranker import export_feedback as run_export
    from lab.train.reranker import iter_feedback_rows
    from dialogue.state_store import SqlStateStore

    settings = get_settings()
    states = SqlStateStore(database or settings.resolved_database_url)
    try:
        products = _open_store(settings)
    except NotReadyError:
        products = None  # no catalog here: rows without product attributes
    if out is None:
        for row in iter_feedback_rows(states, products):
            sys.stdout.write(row.model_dump_json() + "\n")
        return
    count = run_export(states, products, out)
    console.print(f"wrote {count} feedback events to {out}")


def train_reranker(
    database: str | None = typer.Option(None, "--database", help=DATABASE_HELP),
    force: bool = typer.Option(False, "--force", help="Save the fitted weights even when they do not beat the defaults on the held-out half."),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Fit the re-ranker's weights (logistic regression) on half of the logged feedback; compare with the default
    weights on the other half; save to home/models/reranker.json when better."""
    from lab.train.reranker_fit import default_feedback_log
    from lab.train.reranker_fit import train_reranker as run_training

    settings = get_settings()
    url = database or default_feedback_log(settings)
    report = run_training(settings, url, force=force, progress=not as_json)
    emit(report, as_json=as_json, title=f"re-ranker weights fitted on {url}")


def bench_feedback(
    shoppers: int = typer.Option(300, "--shoppers", min=1, help="Simulated shoppers per arm."),
    catalog: str = typer.Option("demo", "--catalog", help="demo (the home's ingested catalog) or scaled (a generated 40k catalog, ingested once into home/bench: ~7+ min on 2 cores)."),
    scaled_count: int = typer.Option(40_000, "--scaled-count", help="Size of the scaled catalog."),
    seed: int = typer.Option(17, "--seed"),
    state_rate: float = typer.Option(0.2, "--state-rate", min=0, max=1, help="Chance per turn that a shopper states one target attribute (once)."),
    price_rate: float = typer.Option(0.5, "--price-rate", min=0, max=1, help="Chance per turn of \"too expensive\" when the target is much cheaper (once)."),
    plot: Path | None = typer.Option(None, "--plot", help="PNG of success by turn (default: success-by-turn.png in the run's log folder)."),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Simulated shoppers with a hidden target: success by turn and turns to success, feedback re-ranking ON vs OFF."""
    from lab.bench.feedback import bench_feedback as run_bench
    from lab.simulate.shoppers import Behaviour

    if catalog not in ("demo", "scaled"):
        raise typer.BadParameter("--catalog must be demo or scaled")
    report = run_bench(get_settings(), catalog=catalog, scaled_count=scaled_count, shoppers=shoppers, seed=seed, plot=plot,
                       behaviour=Behaviour(state_rate=state_rate, price_rate=price_rate), progress=not as_json)
    if as_json:
        emit(report, as_json=True)
        return
    from rich.table import Table

    on, off = report.arms["on"], report.arms["off"]
    table = Table(title=f"feedback bench: {report.shoppers} shoppers, {report.catalog} catalog ({report.products} products)")
    table.add_column("turn")
    table.add_column("success ON", justify="right")
    table.add_column("success OFF", justify="right")
    for turn, (a, b) in enumerate(zip(on.success_by_turn, off.success_by_turn), start=1):
        table.add_row(str(turn), f"{a:.3f}", f"{b:.3f}")
    console.print(table)
    console.print(f"success within 5 turns: ON {on.success_within_5:.3f} · OFF {off.success_within_5:.3f} "
                  f"(×{on.success_within_5 / off.success_within_5:.2f})" if off.success_within_5 else
                  f"success within 5 turns: ON {on.success_within_5:.3f} · OFF 0")
    console.print(f"mean turns to success: ON {on.mean_turns_to_success} · OFF {off.mean_turns_to_success}")
    console.print(f"turn p50: ON {on.turn_ms_p50} ms · OFF {off.turn_ms_p50} ms · re-ranking adds {report.rerank_added_ms_p50} ms p50")
    console.print(f"targets: {report.targets} · weights: {report.weights}")
    console.print(f"plot: {report.plot} · logs: {report.log_dir}")
