"""``shopassist export feedback``, ``train reranker`` and ``bench feedback``: the feedback re-ranker's commands."""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from cli.output import JSON_HELP, console, emit
from core.settings import Settings, get_settings

export_app = typer.Typer(help="Export logs as files.", no_args_is_help=True)

DATABASE_HELP = ("SQLAlchemy URL of the conversation log (default: the latest tuning log, `train reranker --simulate N`, else the "
                 "home's database). Logs of `bench feedback` (held-out seeds) are refused.")


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
    from dialogue.state_store import SqlStateStore
    from lab.train.reranker import export_feedback as run_export
    from lab.train.reranker import iter_feedback_rows

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
    simulate: int = typer.Option(0, "--simulate", min=0, help="First log N simulated shoppers per tuning seed (ON arm, the home's catalog) and fit on that log."),
    grid: bool = typer.Option(False, "--grid", help="Instead of fitting: a coordinate search over the rerank_* settings on the tuning seeds' shoppers (prints the best; saves nothing)."),
    shoppers: int = typer.Option(60, "--shoppers", min=1, help="--grid: tuning shoppers per seed and candidate."),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Fit the re-ranker's weights (logistic regression) on half of the logged feedback; compare with the default
    weights on the other half; save to home/models/reranker.json when better. Simulated logs must come from the
    tuning seeds (lab/simulate/split.py: TUNING_SEEDS); `bench feedback` reports on other seeds."""
    from lab.simulate.split import SeedError
    from lab.train.reranker_fit import default_feedback_log
    from lab.train.reranker_fit import train_reranker as run_training

    settings = get_settings()
    progress = not as_json or sys.stderr.isatty()
    if grid:
        from lab.train.reranker_grid import grid_search

        found = grid_search(settings, shoppers=shoppers, progress=progress)
        emit(found, as_json=as_json, title=f"grid search on tuning seeds {found.seeds} ({found.shoppers} shoppers)")
        if not as_json and found.changed():
            console.print("better on the tuning seeds: " + " ".join(f"SHOPASSIST_{k.upper()}={v:g}" for k, v in found.changed().items()))
        return
    if simulate:
        from lab.train.reranker_grid import tuning_log

        url = tuning_log(settings, shoppers=simulate, progress=progress)
    else:
        url = database or default_feedback_log(settings)
    try:
        report = run_training(settings, url, force=force, progress=progress)
    except SeedError as exc:
        raise typer.BadParameter(str(exc), param_hint="--database") from exc
    emit(report, as_json=as_json, title=f"re-ranker weights fitted on {url}")


def _parse_catalogs(values: list[str]) -> list[str]:
    from lab.bench.feedback import CATALOGS

    names = [name.strip() for value in values for name in value.split(",") if name.strip()]
    names = list(CATALOGS) if "all" in names else names
    unknown = [n for n in names if n not in CATALOGS]
    if unknown or not names:
        raise typer.BadParameter(f"{', '.join(unknown) or 'nothing'}: choose from {', '.join(CATALOGS)} or all", param_hint="--catalog")
    return list(dict.fromkeys(names))


def bench_feedback(
    shoppers: int = typer.Option(100, "--shoppers", min=1, help="Simulated shoppers per held-out seed and catalog (both arms run the same ones)."),
    catalog: list[str] = typer.Option(["demo", "luma"], "--catalog", help="demo (the home's catalog), luma (Magento Luma from ../shared/data; skipped when absent), scaled (a generated 40k catalog, ingested once into home/bench: ~7+ min on 2 cores), or all; repeat or comma-separate."),
    scaled_count: int = typer.Option(40_000, "--scaled-count", help="Size of the scaled catalog."),
    seed: list[int] = typer.Option([], "--seed", help="Held-out seed (repeat for several; default 101, 202, 303). Tuning seeds (5, 17, 23) are refused."),
    state_rate: float = typer.Option(0.2, "--state-rate", min=0, max=1, help="Chance per turn that a shopper states one target attribute (once)."),
    price_rate: float = typer.Option(0.5, "--price-rate", min=0, max=1, help="Chance per turn of \"too expensive\" when the target is much cheaper (once)."),
    lurker_rate: float = typer.Option(0.1, "--lurker-rate", min=0, max=1, help="Share of shoppers who never like or dislike a card."),
    resamples: int = typer.Option(2000, "--resamples", min=100, help="Bootstrap resamples for the 95% intervals."),
    plot: bool = typer.Option(True, "--plot/--no-plot", help="Write success-by-turn.png beside each catalog's logs."),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Simulated shoppers with a hidden target (held-out seeds): success@k, feedback re-ranking ON vs OFF, with 95%
    paired-bootstrap intervals, per catalog."""
    from lab.bench.feedback import bench_feedback as run_bench
    from lab.simulate.shoppers import Behaviour
    from lab.simulate.split import HELD_OUT_SEEDS, SeedError, require_held_out

    catalogs = _parse_catalogs(catalog)
    try:
        seeds = require_held_out(seed or HELD_OUT_SEEDS)
    except SeedError as exc:
        raise typer.BadParameter(str(exc), param_hint="--seed") from exc
    report = run_bench(get_settings(), catalogs=catalogs, scaled_count=scaled_count, shoppers=shoppers, seeds=seeds, plot=plot,
                       behaviour=Behaviour(state_rate=state_rate, price_rate=price_rate, lurker_rate=lurker_rate),
                       progress=not as_json or sys.stderr.isatty(), resamples=resamples)
    if as_json:
        emit(report, as_json=True)
        return
    from rich.table import Table

    def ci(interval) -> str:  # type: ignore[no-untyped-def]
        return f"{interval.mean:.3f} [{interval.lo:.3f}, {interval.hi:.3f}]"

    console.print(f"held-out seeds {report.held_out_seeds} (tuning seeds {report.tuning_seeds} refused), "
                  f"{report.shoppers_per_seed} shoppers per seed; 95% paired bootstrap over shoppers ({report.bootstrap['resamples']} resamples)")
    for result in report.catalogs:
        on, off = result.arms["on"], result.arms["off"]
        table = Table(title=f"{result.catalog} catalog ({result.products} products, {result.shoppers} shoppers)")
        for column in ("k", "success@k ON", "success@k OFF", "ON − OFF"):
            table.add_column(column, justify="right")
        for k, (a, b, d) in enumerate(zip(on.success_at, off.success_at, result.difference), start=1):
            table.add_row(str(k), ci(a), ci(b), ci(d))
        console.print(table)
        console.print(f"mean lists to success: ON {on.mean_turns_to_success} · OFF {off.mean_turns_to_success} · likes/dislikes per shopper "
                      f"{on.likes_per_shopper}/{on.dislikes_per_shopper} (ON), silent lists {on.silent_list_share:.0%}")
        console.print(f"turn p50: ON {on.turn_ms_p50} ms · OFF {off.turn_ms_p50} ms · re-ranking adds {result.rerank_added_ms_p50} ms p50")
        console.print(f"targets: {result.targets} · weights: {result.weights}")
        console.print(f"plot: {result.plot} · logs: {result.log_dir}")
    for name, why in report.skipped.items():
        console.print(f"[yellow]skipped {name}[/yellow]: {why}")
