"""``shopassist train nlu`` and ``eval nlu|simmc|bitext``: the intent classifier's commands (``bench nlu`` is in cli/bench.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import typer

from cli.output import JSON_HELP, console, emit
from core.settings import Settings, get_settings

train_app = typer.Typer(help="Train the project's models.", no_args_is_help=True)
eval_app = typer.Typer(help="Evaluations: print scores (or one JSON object with --json) and write artefacts.", no_args_is_help=True)

DATA_HELP = "Rasa NLU YAML files or folders (default: data/nlu)."
OUT_HELP = "Folder for the report, errors file and confusion-matrix PNG (default: home/eval/NAME)."


def _out_dir(settings: Settings, out: Path | None, name: str) -> Path:
    folder = out or settings.home / "eval" / name
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _nlu_data(settings: Settings, data: list[Path] | None):  # type: ignore[no-untyped-def]
    from dialogue.nlu_data import load_nlu

    return load_nlu(data or [settings.data_dir / "nlu"])


def _classifier(settings: Settings, model: Path | None):  # type: ignore[no-untyped-def]
    from dialogue.intent_classifier import IntentClassifier

    return IntentClassifier.load(model or settings.nlu_model_dir, settings)


@train_app.command("nlu")
def train_nlu(
    data: list[Path] = typer.Option(None, "--data", exists=True, help=DATA_HELP),
    epochs: int | None = typer.Option(None, "--epochs", min=1, help="Most epochs (default: settings nlu_epochs)."),
    out: Path | None = typer.Option(None, "--out", help="Model folder (default: the model cache, linked as home/models/nlu)."),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Fine-tune the intent classifier (MiniLM + linear head) with a stratified held-out split and early stopping."""
    from lab.train.intent import train_intent_model, train_into_cache

    settings = get_settings()
    if epochs:
        settings = settings.model_copy(update={"nlu_epochs": epochs})
    if out is None:
        report = train_into_cache(settings, list(data) if data else None, progress=not as_json)
    else:
        report = train_intent_model(_nlu_data(settings, data), out, settings, progress=not as_json)
    summary = report.model_dump(exclude={"history", "labels"})
    summary["intents"] = len(report.labels)
    emit(summary, as_json=as_json, title="intent model trained")


@eval_app.command("nlu")
def eval_nlu(
    data: list[Path] = typer.Option(None, "--data", exists=True, help="Labelled test files (default: the held-out split of data/nlu)."),
    model: Path | None = typer.Option(None, "--model", help="Model folder (default: home/models/intent)."),
    out: Path | None = typer.Option(None, "--out", help=OUT_HELP),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Like `rasa test nlu`: accuracy, per-intent precision/recall/F1, confusion matrix PNG and an errors file."""
    from lab.train.intent import holdout_split
    from lab.eval.nlu import evaluate_intents

    settings = get_settings()
    examples = _nlu_data(settings, data) if data else holdout_split(_nlu_data(settings, None), settings)[1]
    report = evaluate_intents(_classifier(settings, model), examples, _out_dir(settings, out, "nlu"), progress=not as_json)
    if as_json:
        emit(report, as_json=True)
        return
    emit(report.model_dump(include={"examples", "accuracy", "macro_f1", "out_of_scope_recall", "fallback_rate", "errors",
                                    "errors_path", "confusion_matrix_path", "report_path"}), as_json=False, title="eval nlu")
    for intent, scores in sorted(report.per_intent.items()):
        console.print(f"  {intent:22} P {scores.precision:.3f}  R {scores.recall:.3f}  F1 {scores.f1:.3f}  n={scores.support}")


@eval_app.command("simmc")
def eval_simmc(
    mode: str = typer.Option("zero-shot", "--mode", help="zero-shot (our model) or in-domain (k-fold by dialogue)."),
    folds: int = typer.Option(5, "--folds", min=2),
    fold_epochs: int | None = typer.Option(None, "--fold-epochs", min=1, help="Epochs per fold (in-domain)."),
    warm_start: bool = typer.Option(True, "--warm-start/--cold-start", help="In-domain: start folds from the trained model."),
    data: Path | None = typer.Option(None, "--data", help="SIMMC 2.1 dev JSON (default: ../shared/data/simmc2)."),
    limit: int | None = typer.Option(None, "--limit", min=1, help="Only this many dialogues (seeded sample)."),
    out: Path | None = typer.Option(None, "--out", help=OUT_HELP),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Act accuracy, macro-F1 and slot F1 on SIMMC 2.1 dev user turns (data read from ../shared/data, never copied)."""
    from lab.eval.simmc import evaluate_simmc

    if mode not in ("zero-shot", "in-domain"):
        raise typer.BadParameter("--mode must be zero-shot or in-domain")
    settings = get_settings()
    chosen: Literal["zero-shot", "in-domain"] = "zero-shot" if mode == "zero-shot" else "in-domain"
    classifier = _classifier(settings, None) if chosen == "zero-shot" else None
    report = evaluate_simmc(
        chosen, folds=folds, classifier=classifier, settings=settings, data_path=data, out_dir=_out_dir(settings, out, f"simmc-{mode}"),
        limit_dialogues=limit, progress=not as_json, fold_epochs=fold_epochs,
        warm_start=settings.nlu_model_dir if warm_start and chosen == "in-domain" and settings.nlu_model_dir.exists() else None,
    )
    if as_json:
        emit(report, as_json=True)
        return
    emit(report.model_dump(include={"mode", "dialogues", "scored_turns", "accuracy", "strict_accuracy", "macro_f1",
                                    "strict_macro_f1", "slot_f1", "disambiguate", "seconds"}), as_json=False, title=f"SIMMC 2.1 dev, {mode}")
    for slot, scores in sorted(report.per_slot.items()):
        console.print(f"  slot {slot:16} F1 {scores.f1:.3f}")


@eval_app.command("bitext")
def eval_bitext(
    data: Path | None = typer.Option(None, "--data", help="Bitext CSV (default: ../shared/data/bitext-customer-support)."),
    sample: int | None = typer.Option(None, "--sample", min=1, help="Score a seeded sample of rows."),
    out: Path | None = typer.Option(None, "--out", help=OUT_HELP),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Zero-shot accuracy on the Bitext customer-service intents both label sets share."""
    from lab.eval.bitext import evaluate_bitext

    settings = get_settings()
    training_texts = [e.text for e in _nlu_data(settings, None).examples]
    report = evaluate_bitext(_classifier(settings, None), data, _out_dir(settings, out, "bitext"), training_texts,
                             sample=sample, progress=not as_json)
    emit(report if as_json else report.model_dump(exclude={"intents"}), as_json=as_json, title="Bitext, zero-shot")

