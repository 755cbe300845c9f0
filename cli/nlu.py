"""``shopassist train nlu`` and ``eval nlu|simmc|bitext``: the intent classifier's commands (``bench nlu`` is in cli/bench.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import typer

from cli.output import JSON_HELP, console, emit
from core.settings import DATA_DIR, Settings, get_settings

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

    return load_nlu(data or [settings.nlu_data_dir])


LANG_HELP = "Which language's intent model: en (data/nlu) or zh (data/nlu_zh)."


def _language_view(settings: Settings, lang: str) -> Settings:
    if lang not in ("en", "zh"):
        raise typer.BadParameter(f"--lang must be en or zh, not {lang!r}")
    return settings if lang == "en" else settings.for_language("zh")


def _classifier(settings: Settings, model: Path | None):  # type: ignore[no-untyped-def]
    from dialogue.intent_classifier import IntentClassifier

    return IntentClassifier.load(model or settings.nlu_model_dir, settings)


@train_app.command("nlu")
def train_nlu(
    data: list[Path] = typer.Option(None, "--data", exists=True, help=DATA_HELP),
    epochs: int | None = typer.Option(None, "--epochs", min=1, help="Most epochs (default: settings nlu_epochs)."),
    out: Path | None = typer.Option(None, "--out", help="Model folder (default: the model cache, linked as home/models/nlu)."),
    lang: str = typer.Option("en", "--lang", help=LANG_HELP),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Fine-tune the intent classifier (MiniLM + cosine head; for zh multilingual-e5-small on data/nlu_zh): stratified
    train / dev / test split, the epoch chosen on dev (early stopping), test never seen; copies of SIMMC dev / Bitext
    texts are dropped first."""
    from lab.train.intent import (
        project_training_data,
        train_intent_model,
        train_into_cache,
    )

    settings = _language_view(get_settings(), lang)
    if epochs:
        settings = settings.model_copy(update={"nlu_epochs": epochs})
    if out is None:
        report = train_into_cache(settings, list(data) if data else None, progress=not as_json)
    else:
        dataset, dedup = project_training_data(settings, list(data) if data else None)
        report = train_intent_model(dataset, out, settings, progress=not as_json, dedup=dedup)
    summary = report.model_dump(exclude={"history", "labels", "dedup"})
    summary["intents"] = len(report.labels)
    if report.dedup is not None:
        summary["dedup"] = report.dedup.model_dump(exclude={"removed"}) | {"removed": len(report.dedup.removed)}
    emit(summary, as_json=as_json, title="intent model trained")


@eval_app.command("nlu")
def eval_nlu(
    data: list[Path] = typer.Option(None, "--data", exists=True, help="Labelled test files (default: the test split of data/nlu)."),
    model: Path | None = typer.Option(None, "--model", help="Model folder (default: home/models/nlu, or nlu-zh)."),
    out: Path | None = typer.Option(None, "--out", help=OUT_HELP),
    lang: str = typer.Option("en", "--lang", help=LANG_HELP),
    slot_catalog: Path = typer.Option(DATA_DIR / "catalog" / "demo.jsonl", "--slot-catalog", exists=True,
                                      help="--lang zh: the catalog whose vocabulary slot F1 is scored on (the data's "
                                           "values are the English demo catalog's)."),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Like `rasa test nlu`: accuracy, per-intent precision/recall/F1, confusion matrix PNG and an errors file.

    Default data: the test split (never trained on, never used to choose the epoch; the dev split that chose it is
    not reported here)."""
    from lab.eval.nlu import evaluate_intents
    from lab.train.intent import nlu_test_split

    settings = _language_view(get_settings(), lang)
    examples = _nlu_data(settings, data) if data else nlu_test_split(settings)
    report = evaluate_intents(_classifier(settings, model), examples, _out_dir(settings, out, settings.nlu_model_dir.name),
                              progress=not as_json, split="custom" if data else "test")
    slots = _slot_scores(examples, slot_catalog) if lang == "zh" else None
    if as_json:
        emit(report.model_dump() | ({"slots": slots.model_dump(exclude={"errors"})} if slots else {}), as_json=True)
        return
    emit(report.model_dump(include={"split", "examples", "accuracy", "macro_f1", "out_of_scope_recall", "fallback_rate", "errors",
                                    "errors_path", "confusion_matrix_path", "report_path"}), as_json=False, title="eval nlu")
    for intent, scores in sorted(report.per_intent.items()):
        console.print(f"  {intent:22} P {scores.precision:.3f}  R {scores.recall:.3f}  F1 {scores.f1:.3f}  n={scores.support}")
    if slots:
        console.print(f"  slots (catalog {slot_catalog.name}): F1 {slots.overall.f1:.3f} (P {slots.overall.precision:.3f} "
                      f"R {slots.overall.recall:.3f})")
        for slot, score in slots.per_slot.items():
            console.print(f"    {slot:12} F1 {score.f1:.3f}  n={score.support}")


def _slot_scores(examples, catalog: Path):  # type: ignore[no-untyped-def]
    """Slot F1 of the slot extractor on ``examples`` (lab.eval.slots_zh), over ``catalog``'s vocabulary."""
    from dialogue.slots import SlotExtractor
    from dialogue.vocabulary import CatalogVocabulary
    from lab.eval.slots_zh import evaluate_slots
    from retrieval.catalog_io import load_catalog

    synonyms = _nlu_data(get_settings(), None).synonyms  # the English data's synonyms, as the assistant builds it
    vocabulary = CatalogVocabulary.from_products(load_catalog([catalog]).products, synonyms)
    return evaluate_slots(examples.examples, SlotExtractor(vocabulary))


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
    """Act accuracy and macro-F1 (strict mapping first, lenient second) and slot F1 on SIMMC 2.1 dev user turns, with
    the assistant's own context (each dialogue replayed through it, on the home's catalog) and with SIMMC's gold
    previous system act (the oracle convention). Data read from ../shared/data, never copied."""
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
    emit(report.model_dump(include={"mode", "dialogues", "scored_turns", "headline", "seconds"}), as_json=False,
         title=f"SIMMC 2.1 dev, {mode}")
    console.print(f"  {'context':8} {'strict acc':>10} {'strict F1':>10} {'lenient acc':>11} {'lenient F1':>10} {'slot F1':>8}")
    for scores in (report.own_context, report.oracle_context):
        console.print(f"  {scores.context:8} {scores.strict_accuracy:10.4f} {scores.strict_macro_f1:10.4f} "
                      f"{scores.lenient_accuracy:11.4f} {scores.lenient_macro_f1:10.4f} {scores.slot_f1:8.4f}")
    console.print(f"  own: {report.own_context.description}")
    console.print(f"  oracle: {report.oracle_context.description}")
    console.print(f"  replay: {report.replay.products} products ({report.replay.catalog}), actions {report.replay.actions}")
    for slot, scores in sorted(report.own_context.per_slot.items()):
        console.print(f"  slot {slot:16} F1 {scores.f1:.3f} (own context)")


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

