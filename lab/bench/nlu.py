"""``shopassist bench nlu``: classifier + slot extraction on one utterance at a time, on the CPU, per runtime.

For each runtime (torch, ONNX fp32, ONNX int8) it reports the classifier's and the whole NLU turn's p50/p95 and the
held-out accuracy that runtime gives, so an optimisation's accuracy cost is visible beside its speed-up.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

from pydantic import BaseModel, Field

from core.settings import Settings
from core.stats import latency_summary, percentile
from dialogue.intent_classifier import IntentClassifier
from dialogue.intent_context import NluContext

RUNTIMES = ("torch", "onnx", "onnx-int8")


class NluRuntimeFigures(BaseModel):
    loaded: str = Field(description="The runtime the classifier actually loaded (a missing ONNX file falls back).")
    classifier_p50_ms: float
    classifier_p95_ms: float
    turn_p50_ms: float
    turn_p95_ms: float
    heldout_accuracy: float
    heldout_macro_f1: float
    out_of_scope_recall: float


class NluBenchReport(BaseModel):
    utterances: int
    heldout_examples: int
    repeats: int
    threads: int
    runtime: str = Field(description="The configured runtime (settings nlu_runtime); the turn figures below are its.")
    slots_p50_ms: float
    turn_p50_ms: float
    turn_p95_ms: float
    runtimes: dict[str, NluRuntimeFigures]


def bench_intent_latency(classifier: IntentClassifier, texts: Sequence[str], repeats: int = 5,
                         context: NluContext | str | None = None) -> dict[str, float]:
    """Single-utterance ``predict`` latency in milliseconds over ``repeats`` passes of ``texts`` (one warm-up first)."""
    if not texts:
        raise ValueError("bench_intent_latency needs at least one text")
    classifier.predict(texts[0], context)
    timings: list[float] = []
    for _ in range(max(repeats, 1)):
        for text in texts:
            started = time.perf_counter()
            classifier.predict(text, context)
            timings.append((time.perf_counter() - started) * 1000)
    summary = latency_summary(timings)
    return {"p50_ms": summary.p50, "p95_ms": summary.p95, "mean_ms": summary.mean, "calls": float(summary.n),
            "threads": float(classifier.threads)}


def bench_nlu(settings: Settings, repeats: int, runtimes: Sequence[str] | None = None, utterances: int = 200) -> NluBenchReport:
    """Time the first ``utterances`` held-out examples ``repeats`` times per runtime (default: the configured one)."""
    from dialogue.nlu_data import load_nlu
    from dialogue.slots import SlotExtractor
    from dialogue.vocabulary import CatalogVocabulary
    from lab.eval.nlu import evaluate_intents
    from lab.train.intent import holdout_split
    from retrieval.catalog_io import load_catalog

    unknown = set(runtimes or ()) - set(RUNTIMES)
    if unknown:
        raise ValueError(f"unknown runtime(s): {', '.join(sorted(unknown))}")
    dataset = load_nlu([settings.nlu_data_dir])
    held = holdout_split(dataset, settings)[1]
    texts = [e.text for e in held.examples][:utterances]
    extractor = SlotExtractor(CatalogVocabulary.from_products(load_catalog([settings.catalog_path]).products, dataset.synonyms))
    slot_times = []
    for text in texts:
        started = time.perf_counter()
        extractor.extract(text)
        slot_times.append((time.perf_counter() - started) * 1000)
    rows: dict[str, NluRuntimeFigures] = {}
    for runtime in runtimes or [settings.nlu_runtime]:
        classifier = IntentClassifier.load(settings.nlu_model_dir, settings.model_copy(update={"nlu_runtime": runtime}))
        intent = bench_intent_latency(classifier, texts, repeats=repeats)
        turns: list[float] = []
        for _ in range(repeats):
            for text in texts:
                started = time.perf_counter()
                classifier.predict(text, "show_products")
                extractor.extract(text)
                turns.append((time.perf_counter() - started) * 1000)
        turn = latency_summary(turns)
        scores = evaluate_intents(classifier, held, progress=False)
        rows[runtime] = NluRuntimeFigures(
            loaded=classifier.runtime, classifier_p50_ms=intent["p50_ms"], classifier_p95_ms=intent["p95_ms"],
            turn_p50_ms=turn.p50, turn_p95_ms=turn.p95, heldout_accuracy=round(scores.accuracy, 4),
            heldout_macro_f1=round(scores.macro_f1, 4), out_of_scope_recall=round(scores.out_of_scope_recall or 0.0, 4),
        )
    chosen = rows[settings.nlu_runtime] if settings.nlu_runtime in rows else next(iter(rows.values()))
    return NluBenchReport(
        utterances=len(texts), heldout_examples=len(held.examples), repeats=repeats, threads=settings.torch_threads,
        runtime=settings.nlu_runtime, slots_p50_ms=round(percentile(slot_times, 50), 3),
        turn_p50_ms=chosen.turn_p50_ms, turn_p95_ms=chosen.turn_p95_ms, runtimes=rows,
    )
