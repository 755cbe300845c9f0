"""Intent evaluation in the manner of ``rasa test nlu``: scores, per-intent report, confusion matrix, errors.

``evaluate_intents`` runs the classifier (rules and fallback included, as in production) on labelled examples and
writes into ``out_dir``: ``intent_report.json`` (the :class:`NluEvalReport`), ``intent_errors.json`` (text,
expected, predicted, confidence of every miss) and ``intent_confusion.png``. ``score_predictions`` is the shared
scoring used by the SIMMC and Bitext evaluations.

The project's own figure is the **test split** (``lab.train.intent.nlu_test_split``): a stratified 15 % of every
intent that training never sees and that does not choose the epoch (the 10 % dev split does). ``shopassist eval nlu``
scores it by default and the test floors (``tests/dialogue/test_intent_classifier.py``) are set on it.
"""

from __future__ import annotations

import json
import logging
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from pydantic import BaseModel, Field
from sklearn.metrics import (
    accuracy_score,
    confusion_matrix,
    f1_score,
    precision_recall_fscore_support,
)
from tqdm.auto import tqdm

from dialogue.intent_classifier import OUT_OF_SCOPE, IntentClassifier, IntentPrediction
from dialogue.intent_context import NluContext
from dialogue.nlu_data import NluDataset, NluExample
from lab.plotting import pyplot

log = logging.getLogger(__name__)


class IntentScores(BaseModel):
    precision: float
    recall: float
    f1: float
    support: int


class PredictionError(BaseModel):
    text: str
    expected: str
    predicted: str
    confidence: float
    raw_intent: str | None = None
    context: str | None = None
    source: str | None = None


class NluEvalReport(BaseModel):
    """Scores of one evaluation; every path is a string so the report dumps to JSON as is."""

    name: str = "nlu"
    split: str | None = Field(default=None, description="Which examples were scored: test (the split training never "
                              "sees), custom (files given), or another evaluation's name.")
    examples: int
    accuracy: float
    macro_f1: float
    weighted_f1: float
    out_of_scope_recall: float | None = Field(default=None, description="Gold out_of_scope turns predicted out of scope.")
    fallback_rate: float = Field(description="In-scope turns sent to out_of_scope (threshold or class).")
    per_intent: dict[str, IntentScores] = Field(default_factory=dict)
    top_confusions: list[tuple[str, str, int]] = Field(default_factory=list, description="(expected, predicted, count).")
    errors: int = 0
    errors_path: str | None = None
    confusion_matrix_path: str | None = None
    report_path: str | None = None


def evaluate_intents(
    classifier: IntentClassifier,
    examples: NluDataset | Sequence[NluExample],
    out_dir: Path | None = None,
    contexts: Sequence[NluContext | str | None] | None = None,
    name: str = "nlu",
    progress: bool = True,
    split: str | None = None,
) -> NluEvalReport:
    """Score ``classifier`` on labelled ``examples`` (optionally each with a context); write artefacts to ``out_dir``.

    ``split`` names what ``examples`` are (``"test"`` for :func:`lab.train.intent.nlu_test_split`); it is recorded in
    the report."""
    items = list(examples.examples if isinstance(examples, NluDataset) else examples)
    ctxs = list(contexts) if contexts is not None else [None] * len(items)
    predictions = predict_all(classifier, [e.text for e in items], ctxs, progress=progress, desc=f"evaluating {name}")
    return score_predictions(
        [e.intent for e in items], predictions, [e.text for e in items], out_dir, name=name,
        contexts=[c if isinstance(c, str) or c is None else c.previous_action for c in ctxs],
        sources=[e.source for e in items], split=split,
    )


def predict_all(classifier: IntentClassifier, texts: Sequence[str], contexts: Sequence[NluContext | str | None] | None = None,
                batch_size: int = 64, progress: bool = True, desc: str = "predicting") -> list[IntentPrediction]:
    """Batched predictions with a progress bar."""
    ctxs = list(contexts) if contexts is not None else [None] * len(texts)
    out: list[IntentPrediction] = []
    with tqdm(total=len(texts), desc=desc, unit="utt", disable=not progress, leave=False) as bar:
        for start in range(0, len(texts), batch_size):
            out.extend(classifier.predict_batch(texts[start : start + batch_size], ctxs[start : start + batch_size]))
            bar.update(len(texts[start : start + batch_size]))
    return out


def score_predictions(
    gold: Sequence[str],
    predictions: Sequence[IntentPrediction] | Sequence[str],
    texts: Sequence[str],
    out_dir: Path | None = None,
    name: str = "nlu",
    contexts: Sequence[str | None] | None = None,
    sources: Sequence[str | None] | None = None,
    split: str | None = None,
) -> NluEvalReport:
    """Accuracy, macro-F1, per-intent scores, confusions; artefacts in ``out_dir`` when given."""
    if len(gold) != len(predictions) or len(gold) != len(texts):
        raise ValueError("gold, predictions and texts differ in length")
    if not gold:
        raise ValueError(f"{name}: nothing to evaluate")
    predicted = [p if isinstance(p, str) else p.intent for p in predictions]
    labels = sorted(set(gold) | set(predicted))
    precision, recall, f1, support = precision_recall_fscore_support(gold, predicted, labels=labels, zero_division=0)
    per_intent = {
        label: IntentScores(precision=round(float(p), 4), recall=round(float(r), 4), f1=round(float(f), 4), support=int(s))
        for label, p, r, f, s in zip(labels, precision, recall, f1, support)
    }
    gold_labels = sorted(set(gold))
    oos = [p == OUT_OF_SCOPE for g, p in zip(gold, predicted) if g == OUT_OF_SCOPE]
    in_scope = [p == OUT_OF_SCOPE for g, p in zip(gold, predicted) if g != OUT_OF_SCOPE]
    confusions = Counter((g, p) for g, p in zip(gold, predicted) if g != p)
    report = NluEvalReport(
        name=name, split=split, examples=len(gold), accuracy=round(float(accuracy_score(gold, predicted)), 4),
        macro_f1=round(float(f1_score(gold, predicted, labels=gold_labels, average="macro", zero_division=0)), 4),
        weighted_f1=round(float(f1_score(gold, predicted, labels=gold_labels, average="weighted", zero_division=0)), 4),
        out_of_scope_recall=round(sum(oos) / len(oos), 4) if oos else None,
        fallback_rate=round(sum(in_scope) / len(in_scope), 4) if in_scope else 0.0,
        per_intent=per_intent, top_confusions=[(g, p, n) for (g, p), n in confusions.most_common(15)],
        errors=sum(confusions.values()),
    )
    if out_dir is not None:
        _write_artefacts(report, gold, predictions, predicted, texts, labels, Path(out_dir), contexts, sources)
    log.info("nlu.eval name=%s n=%d acc=%.4f macro_f1=%.4f oos_recall=%s", name, report.examples, report.accuracy,
             report.macro_f1, report.out_of_scope_recall)
    return report


def _write_artefacts(report: NluEvalReport, gold: Sequence[str], predictions: Sequence[IntentPrediction] | Sequence[str],
                     predicted: list[str], texts: Sequence[str], labels: list[str], out_dir: Path,
                     contexts: Sequence[str | None] | None, sources: Sequence[str | None] | None) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    stem = "intent" if report.name == "nlu" else report.name
    errors = []
    for i, (g, p) in enumerate(zip(gold, predicted)):
        if g == p:
            continue
        prediction = predictions[i]
        errors.append(PredictionError(
            text=texts[i], expected=g, predicted=p,
            confidence=prediction.confidence if isinstance(prediction, IntentPrediction) else 0.0,
            raw_intent=prediction.raw_intent if isinstance(prediction, IntentPrediction) else None,
            context=contexts[i] if contexts else None, source=sources[i] if sources else None,
        ).model_dump())
    errors_path = out_dir / f"{stem}_errors.json"
    errors_path.write_text(json.dumps(errors, indent=2, ensure_ascii=False), encoding="utf-8")
    report.errors_path = str(errors_path)
    report.confusion_matrix_path = str(plot_confusion(gold, predicted, labels, out_dir / f"{stem}_confusion.png", report.name))
    report.report_path = str(out_dir / f"{stem}_report.json")
    Path(report.report_path).write_text(report.model_dump_json(indent=2), encoding="utf-8")


def plot_confusion(gold: Sequence[str], predicted: Sequence[str], labels: list[str], path: Path, title: str) -> Path:
    """A labelled confusion-matrix PNG (rows: expected, columns: predicted)."""
    plt = pyplot()

    matrix = confusion_matrix(gold, predicted, labels=labels)
    size = max(6.0, 0.42 * len(labels) + 2)
    fig, ax = plt.subplots(figsize=(size + 1.5, size))
    image = ax.imshow(matrix, cmap="Blues")
    ax.set_xticks(range(len(labels)), labels, rotation=90, fontsize=8)
    ax.set_yticks(range(len(labels)), labels, fontsize=8)
    ax.set_xlabel("predicted")
    ax.set_ylabel("expected")
    ax.set_title(f"{title}: intent confusion matrix")
    peak = matrix.max() or 1
    for i in range(len(labels)):
        for j in range(len(labels)):
            if matrix[i, j]:
                ax.text(j, i, str(matrix[i, j]), ha="center", va="center", fontsize=7,
                        color="white" if matrix[i, j] > peak / 2 else "black")
    fig.colorbar(image, ax=ax, fraction=0.046, pad=0.04)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
