"""The intent classifier as served: turns classified from concurrent threads share fp32 ONNX runs (core.batching) and
get the intents and probabilities they get one at a time."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import numpy as np

from core.settings import Settings
from dialogue.intent_classifier import IntentClassifier
from dialogue.intent_context import NluContext
from lab.bench.load import SCRIPTS


def test_concurrent_turns_are_batched_and_classified_as_alone(nlu_settings: Settings) -> None:
    texts = [text for script in SCRIPTS for text in script]
    contexts = [NluContext(previous_action="show_products" if n % 2 else None) for n in range(len(texts))]
    alone = IntentClassifier.load(nlu_settings.nlu_model_dir, nlu_settings.model_copy(update={"nlu_micro_batch": 1}))
    served = IntentClassifier.load(nlu_settings.nlu_model_dir, nlu_settings)
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
