"""``shopassist export feedback``, ``train reranker`` and ``bench feedback``: the feedback re-ranker's commands."""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

import typer

from cli.output import JSON_HELP, console, emit
from core.settings import Settings, get_settings

export_app = typer.Typer(help="Export logs as files.", no_args_is_help=True)

DATABASE_HELP = "SQLAlchemy URL of the conversation log (default: the latest `bench feedback` ON log, else the home's database)."


def _open_store(settings: Settings):  # type: ignore[no-untyped-def]
    from retrieval.product_store import HybridProductStore

    return HybridProductStore.open(settings)


def _default_log(settings: Settings) -> str:
    runs = sorted((settings.home / "bench" / "feedback").glob("*/on.db"), key=lambda p: p.stat().st_mtime)
    return f"sqlite:///{runs[-1]}" if runs else settings.resolved_database_url


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
    from lab.train.reranker import FitReport, auc, fit_weights, held_out, save_weights, training_examples
    from dialogue.state_store import SqlStateStore
    from retrieval.reranker import FEATURES, FeedbackReranker, RerankWeights, weights_path

    settings = get_settings()
    url = database or _default_log(settings)
    store = _open_store(settings)
    default = RerankWeights.from_settings(settings)
    reranker = FeedbackReranker(settings, store, default)
    fit, hold = training_examples(SqlStateStore(url), reranker)
    fitted = fit_weights(fit, default)
    report = FitReport(
        examples_fit=len(fit.labels), examples_held_out=len(hold.labels),
        default={n: getattr(default, n) for n in FEATURES}, fitted={n: getattr(fitted, n) for n in FEATURES},
        held_out_auc_default=auc(hold, default), held_out_auc_fitted=auc(hold, fitted),
    )
    shoppers_file = Path(url.split("///", 1)[-1]).parent / "shoppers.json" if url.startswith("sqlite") else None
    if shoppers_file is not None and shoppers_file.exists():
        from assistant.factory import build_assistant
        from lab.bench.feedback import Behaviour, Shopper, arm_report, run_arm
        from retrieval.reranker import PriceBands

        run = json.loads(shoppers_file.read_text())
        people = [s for s in (Shopper.model_validate(x) for x in run["shoppers"]) if held_out(s.sender)]
        bands = PriceBands(store.products())
        with tempfile.TemporaryDirectory() as tmp:
            for label, weights in (("default", default), ("fitted", fitted)):
                assistant = build_assistant(settings.model_copy(update={"rerank_enabled": True, "database_url": f"sqlite:///{Path(tmp) / label}.db"}), store=store)
                assert assistant.manager.reranker is not None
                assistant.manager.reranker.weights = weights
                outcomes, timings = run_arm(assistant, people, bands, f"held-out, {label} weights", not as_json, Behaviour.model_validate(run["behaviour"]))
                setattr(report, f"held_out_success5_{label}", arm_report(label, outcomes, timings).success_within_5)
        report.held_out_shoppers = len(people)
    if report.held_out_success5_fitted is not None and report.held_out_success5_default is not None:
        report.improved = report.held_out_success5_fitted > report.held_out_success5_default
    else:
        report.improved = (report.held_out_auc_fitted or 0) > (report.held_out_auc_default or 0)
    if report.improved or force:
        path = weights_path(settings)
        save_weights(fitted, path, report)
        report.saved = str(path)
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
    from lab.bench.feedback import Behaviour, run_feedback_bench

    if catalog not in ("demo", "scaled"):
        raise typer.BadParameter("--catalog must be demo or scaled")
    settings = get_settings()
    label = catalog
    if catalog == "scaled":
        from lab.catalog.demo import generate_products, write_jsonl
        from retrieval.ingest import ingest as run_ingest

        label = f"scaled-{scaled_count}"
        bench_home = settings.home / "bench" / f"feedback-{label}"
        path = settings.home / "bench" / f"{label}.jsonl"
        if not path.exists():
            write_jsonl(generate_products(scaled_count), path)
        shared_model = settings.nlu_model_dir
        settings = settings.model_copy(update={"home": bench_home, "database_url": None})
        run_ingest([path], settings, progress=not as_json)
        settings.models_dir.mkdir(parents=True, exist_ok=True)
        if shared_model.exists() and not settings.nlu_model_dir.exists():
            settings.nlu_model_dir.symlink_to(shared_model.resolve(), target_is_directory=True)
    plot_path = plot or settings.home / "bench" / "feedback" / f"{label}-{shoppers}-{seed}" / "success-by-turn.png"
    report = run_feedback_bench(settings, shoppers=shoppers, catalog_label=label, seed=seed, plot=plot_path, progress=not as_json,
                                behaviour=Behaviour(state_rate=state_rate, price_rate=price_rate))
    if as_json:
        emit(report, as_json=True)
        return
    from rich.table import Table

    on, off = report.arms["on"], report.arms["off"]
    table = Table(title=f"feedback bench: {report.shoppers} shoppers, {label} catalog ({report.products} products)")
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
