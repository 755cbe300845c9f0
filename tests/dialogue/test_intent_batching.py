"""The intent classifier as served: turns classified from concurrent threads share fp32 ONNX runs (core.batching) and
get the intents and probabilities they get one at a time; the int8 screen decides the clear turns as fp32 would."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import numpy as np

from core.settings import Settings
from dialogue.intent_classifier import IntentClassifier
from dialogue.intent_context import NluContext
from dialogue.nlu_data import load_nlu
from lab.bench.load import SCRIPTS
from lab.train.intent import holdout_split


def test_concurrent_turns_are_batched_and_classified_as_alone(nlu_settings: Settings) -> None:
    texts = [text for script in SCRIPTS for text in script]
    contexts = [NluContext(previous_action="show_products" if n % 2 else None) for n in range(len(texts))]
    fp32 = nlu_settings.model_copy(update={"nlu_int8_screen": False})  # every turn reaches the fp32 model
    alone = IntentClassifier.load(nlu_settings.nlu_model_dir, fp32.model_copy(update={"nlu_micro_batch": 1}))
    served = IntentClassifier.load(nlu_settings.nlu_model_dir, fp32)
    assert alone.runtime.startswith("onnx") and served.runtime == alone.runtime
    expected = [alone.predict(text, context) for text, context in zip(texts, contexts)]
    with ThreadPoolExecutor(8) as pool:
        got = list(pool.map(served.predict, texts * 3, contexts * 3))
    assert [p.intent for p in got] == [p.intent for p in expected] * 3
    want = np.array([dict(p.ranking)[p.raw_intent] for p in expected] * 3)
    have = np.array([dict(p.ranking)[p.raw_intent] for p in got])
    assert np.abs(have - want).max() < 1e-3  # padding beside longer turns moves a probability by float noise only
    batcher = served._batcher
    assert batcher is not None and batcher.items == len(got) and batcher.batches < batcher.items



def test_the_int8_model_is_never_batched(nlu_settings: Settings) -> None:
    """int8 dynamic quantisation takes one activation scale per batch: batched, a turn's probabilities would depend on
    the turns beside it."""
    int8 = IntentClassifier.load(nlu_settings.nlu_model_dir, nlu_settings.model_copy(update={"nlu_runtime": "onnx-int8"}))
    assert int8.runtime.endswith("int8.onnx") and int8._batcher is None


def test_the_int8_screen_routes_held_out_turns_as_the_fp32_model_does(nlu_settings: Settings) -> None:
    """The int8 export reads each turn first and decides those whose lead clears the fallback's thresholds by the
    margin: on the held-out split every turn is routed (intent and fallback) exactly as by the fp32 model alone, and
    the screen decided most of them (their probabilities are int8's, a little apart from fp32's)."""
    held = holdout_split(load_nlu([nlu_settings.nlu_data_dir]), nlu_settings)[1].examples
    texts, contexts = [e.text for e in held], [e.context for e in held]
    fp32 = IntentClassifier.load(nlu_settings.nlu_model_dir, nlu_settings.model_copy(update={"nlu_int8_screen": False}))
    screened = IntentClassifier.load(nlu_settings.nlu_model_dir, nlu_settings)
    assert screened.screen is not None and screened.runtime == f"{fp32.runtime}+model.int8.onnx screen"
    want, got = fp32.predict_batch(texts, contexts), screened.predict_batch(texts, contexts)
    assert [(p.intent, p.fallback) for p in got] == [(p.intent, p.fallback) for p in want]
    moved = np.abs(screened.probabilities(texts, contexts) - fp32.probabilities(texts, contexts)).max(axis=1) > 1e-4
    assert moved.mean() > 0.7, moved.mean()
    with ThreadPoolExecutor(8) as pool:  # as served: turns from concurrent threads, the unclear ones batched in fp32
        concurrent = list(pool.map(screened.predict, texts, contexts))
    assert [(p.intent, p.fallback) for p in concurrent] == [(p.intent, p.fallback) for p in got]
    assert max(abs(p.confidence - q.confidence) for p, q in zip(concurrent, got)) < 1e-3  # padding: float noise only
