"""``shopassist eval qa``: product questions in real conversations, scored against catalog facts (lab/eval/qa.py)."""

from __future__ import annotations

from pathlib import Path

import typer

from cli.nlu import eval_app
from cli.output import JSON_HELP, emit
from core.settings import get_settings
from lab.eval.qa import REPORTED_SEED


@eval_app.command("qa")
def eval_qa(
    catalog: list[Path] = typer.Option([], "--catalog", help="Another catalog (CSV/JSON/JSONL), in a home of its own."),
    mapping: Path | None = typer.Option(None, "--mapping", help="YAML field mapping for --catalog."),
    per_category: int = typer.Option(12, "--per-category", min=1, help="Question patterns asked per category."),
    seed: int = typer.Option(REPORTED_SEED, "--seed", help="Which categories, patterns and products are drawn (the "
                             "draws development looked at are labelled as such)."),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Answer accuracy, "doesn't say" precision and invented values over ≥ 40 question patterns."""
    from assistant.wiring import build_assistant
    from lab.eval.qa import DEVELOPMENT_SEEDS, evaluate_qa
    from lab.fixtures import catalog_store

    settings = get_settings()
    if catalog:
        settings = catalog_store(settings, catalog, mapping=mapping, progress=not as_json)
    settings = settings.model_copy(update={"database_url": f"sqlite:///{settings.home / 'eval-qa.db'}"})
    assistant = build_assistant(settings)
    products = assistant.manager.products.products()
    name = (", ".join(p.name for p in catalog) or "demo catalog") + (" (development draw)" if seed in DEVELOPMENT_SEEDS else "")
    report = evaluate_qa(assistant, products, catalog=name, seed=seed, per_category=per_category, progress=not as_json)
    emit(report if as_json else report.model_dump(exclude={"errors"}), as_json=as_json, title="Product questions")
