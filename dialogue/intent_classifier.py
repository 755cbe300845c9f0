"""The fine-tuned intent classifier at inference time: load, predict in context, fall back to out_of_scope.

A prediction runs the model once (``settings.torch_threads`` threads, fast tokenizer) on the utterance, with the
previous action as a second segment when the context has one. The model runs in ONNX Runtime (fp32 by default,
int8 optional: ``settings.nlu_runtime``; see ``intent_onnx``) or in torch. With fp32 ONNX, the int8 export screens
each turn first and decides the clear ones (``settings.nlu_int8_screen``); only the others run in fp32. Then, in
order:

1. a documented rule (``intent_context.apply_rules``) may decide a bare answer to the assistant's own question;
2. otherwise the top intent is kept unless its probability is below ``settings.nlu_threshold`` or its margin over
   the second is below ``settings.nlu_ambiguity_threshold`` (Rasa's FallbackClassifier): then the intent is
   ``out_of_scope`` and the model's ranking, with the raw top intent first, is kept for inspection.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal

import numpy as np
from pydantic import BaseModel, Field

from core.batching import OpportunisticBatcher
from core.errors import NotReadyError
from core.settings import Settings, get_settings
from dialogue.intent_context import NluContext, apply_rules, context_text
from dialogue.intent_onnx import OnnxIntentModel, PairTokenizer, load_onnx_model

log = logging.getLogger(__name__)

RANKING_SIZE = 5
OUT_OF_SCOPE = "out_of_scope"
LABELS_FILE = "labels.json"  # written last-but-one by training; its presence marks a complete model folder
# The network's layout (``intent_network``), recorded in labels.json: folders without it hold the old [CLS] classifier.
ARCHITECTURE = "mean-pooled-cosine"
METRICS_FILE = "metrics.json"


class IntentPrediction(BaseModel):
    intent: str = Field(description="The routed intent: a rule's, the model's top one, or out_of_scope on fallback.")
    confidence: float = Field(description="The model's top probability (1.0 when a rule decided).")
    ranking: list[tuple[str, float]] = Field(default_factory=list, description="The model's top-5 (intent, probability).")
    out_of_scope: bool
    raw_intent: str = Field(description="The model's top intent before rules and fallback.")
    rule: str | None = Field(default=None, description="The context rule that decided, if any.")
    fallback: Literal["low_confidence", "ambiguous"] | None = Field(default=None, description="Why the fallback fired.")


class IntentClassifier:
    """A fine-tuned sequence classifier plus the fallback and context rules."""

    def __init__(self, model: Any, tokenizer: Any, labels: list[str], settings: Settings, max_length: int,
                 model_dir: Path | None = None, screen: OnnxIntentModel | None = None) -> None:
        self.model = model if isinstance(model, OnnxIntentModel) else model.eval()
        self.runtime = f"onnx:{model.name}" if isinstance(model, OnnxIntentModel) else "torch"
        # The int8 export that reads each turn first and decides the clear ones (``_clear``); ``load`` gives fp32 ONNX one.
        self.screen = screen
        self.screen_margin = settings.nlu_int8_screen_margin
        if self.screen is not None:
            self.runtime += f"+{self.screen.name} screen"
        self.tokenizer = tokenizer
        self.labels = labels
        self.max_length = max_length
        self.model_dir = model_dir
        self.threshold = settings.nlu_threshold
        self.ambiguity_threshold = settings.nlu_ambiguity_threshold
        self.threads = settings.torch_threads
        # Concurrent turns share fp32 ONNX runs: a turn's probabilities stay its own (padding is masked), which int8
        # dynamic quantisation would break (one activation scale per batch). Torch's path is training and evaluation.
        batchable = isinstance(tokenizer, PairTokenizer) and isinstance(model, OnnxIntentModel) and not model.quantized
        self._batcher = OpportunisticBatcher(self._logit_rows, settings.nlu_micro_batch) if batchable and settings.nlu_micro_batch > 1 else None

    @classmethod
    def load(cls, model_dir: Path | None = None, settings: Settings | None = None) -> IntentClassifier:
        """The classifier saved by ``train_intent_model`` (default folder ``settings.nlu_model_dir``)."""
        settings = settings or get_settings()
        model_dir = Path(model_dir or settings.nlu_model_dir)
        labels_path = model_dir / LABELS_FILE
        if not labels_path.is_file():
            raise NotReadyError(f"No intent model in {model_dir}: train one with `shopassist train nlu`.")
        meta = json.loads(labels_path.read_text(encoding="utf-8"))
        if meta.get("architecture") != ARCHITECTURE:
            raise NotReadyError(f"The intent model in {model_dir} was trained by an older ShopAssist: retrain it with "
                                "`shopassist train nlu` (or `shopassist prepare`).")
        max_length = int(meta.get("max_length", settings.nlu_max_length))
        started = time.perf_counter()
        model: Any = None
        tokenizer: Any = None
        screen: OnnxIntentModel | None = None
        if settings.nlu_runtime != "torch":
            model = load_onnx_model(model_dir, quantized=settings.nlu_runtime == "onnx-int8", threads=settings.torch_threads)
            if model is not None:  # ONNX Runtime and `tokenizers` only: a serving process never imports torch
                tokenizer = PairTokenizer(model_dir, max_length)
                if not model.quantized and settings.nlu_int8_screen:
                    screen = load_onnx_model(model_dir, quantized=True, threads=settings.torch_threads)  # None: fp32 alone
        if model is None:
            import torch
            from transformers import AutoTokenizer

            from dialogue.intent_network import IntentNetwork

            torch.set_num_threads(settings.torch_threads)
            tokenizer = AutoTokenizer.from_pretrained(model_dir, use_fast=True)
            model = IntentNetwork.load(model_dir)
            if model.head.out_features != len(meta["labels"]):
                raise NotReadyError(f"{labels_path} does not match the model's labels: retrain with `shopassist train nlu`.")
        classifier = cls(model, tokenizer, list(meta["labels"]), settings, max_length, model_dir, screen)
        log.info("nlu.loaded dir=%s runtime=%s labels=%d seconds=%.2f", model_dir, classifier.runtime, len(classifier.labels),
                 time.perf_counter() - started)
        return classifier

    @property
    def metrics(self) -> dict[str, Any]:
        """The training report saved beside the model (empty when there is none)."""
        path = self.model_dir / METRICS_FILE if self.model_dir else None
        return json.loads(path.read_text(encoding="utf-8")) if path and path.is_file() else {}

    def probabilities(self, texts: Sequence[str], contexts: Sequence[NluContext | None] | None = None,
                      batch_size: int = 64) -> np.ndarray:
        """Softmax probabilities, one row per text (columns follow ``self.labels``)."""
        contexts = list(contexts) if contexts is not None else [None] * len(texts)
        if len(contexts) != len(texts):
            raise ValueError("texts and contexts differ in length")
        actions = [context_text(c.previous_action) if c else None for c in contexts]
        probs = np.empty((len(texts), len(self.labels)), dtype=np.float32)
        pending = list(range(len(texts)))
        if self.screen is not None:  # one turn at a time: int8's activation scales would depend on a batch's other turns
            for row in pending:
                probs[row] = _softmax(self.screen.logits(self.tokenizer.encode([texts[row]], [actions[row]])))[0]
            pending = [row for row in pending if not self._clear(probs[row])]
        if len(pending) == 1 and self._batcher is not None:
            probs[pending[0]] = _softmax(self._batcher((texts[pending[0]], actions[pending[0]]))[None])[0]
            return probs
        for start in range(0, len(pending), batch_size):
            rows = pending[start : start + batch_size]
            probs[rows] = _softmax(self._logits([texts[r] for r in rows], [actions[r] for r in rows]))
        return probs

    def _clear(self, probs: np.ndarray) -> bool:
        """Whether the int8 screen's probabilities decide a turn: the fallback stays quiet with both its thresholds
        raised by ``nlu_int8_screen_margin``. On the English model's train and dev splits int8 never chose another top
        intent than fp32 where it led by 0.1 or more, so a turn it decides is routed as fp32 would route it; only the
        reported probabilities differ (by up to 0.13 there)."""
        second, top = np.partition(probs, -2)[-2:] if len(probs) > 1 else (0.0, probs[0])
        return self._fallback(float(top), float(second), self.screen_margin) is None

    def _fallback(self, top: float, second: float, raised_by: float = 0.0) -> Literal["low_confidence", "ambiguous"] | None:
        """Why a turn whose top two probabilities are ``top`` and ``second`` is out of scope (None: it is not), with
        both thresholds ``raised_by`` (the int8 screen's margin)."""
        if top < self.threshold + raised_by:
            return "low_confidence"
        if top - second < self.ambiguity_threshold + raised_by:
            return "ambiguous"
        return None

    def _logit_rows(self, pairs: list[tuple[str, str | None]]) -> list[np.ndarray]:
        return list(self._logits([text for text, _ in pairs], [action for _, action in pairs]))

    def _logits(self, texts: list[str], actions: list[str | None]) -> np.ndarray:
        if isinstance(self.tokenizer, PairTokenizer):
            return self.model.logits(self.tokenizer.encode(texts, actions))
        onnx = isinstance(self.model, OnnxIntentModel)
        tensors = "np" if onnx else "pt"
        if len(texts) == 1:
            inputs = self.tokenizer(texts[0], actions[0], truncation=True, max_length=self.max_length, return_tensors=tensors)
        else:
            features = [self.tokenizer(t, a, truncation=True, max_length=self.max_length) for t, a in zip(texts, actions)]
            inputs = self.tokenizer.pad(features, return_tensors=tensors)
        if onnx:
            return self.model.logits(dict(inputs))
        import torch

        if torch.get_num_threads() != self.threads:
            torch.set_num_threads(self.threads)
        with torch.inference_mode():
            return self.model(**inputs).float().numpy()

    def predict(self, text: str, context: NluContext | str | None = None) -> IntentPrediction:
        """The intent of one utterance; ``context`` is an :class:`NluContext` or just the previous action's name."""
        ctx = NluContext.of(context)
        return self.decide(text, ctx, self.probabilities([text], [ctx])[0])

    def predict_batch(self, texts: Sequence[str], contexts: Sequence[NluContext | str | None] | None = None,
                      batch_size: int = 64) -> list[IntentPrediction]:
        ctxs = [NluContext.of(c) for c in contexts] if contexts is not None else [None] * len(texts)
        probs = self.probabilities(texts, ctxs, batch_size)
        return [self.decide(text, ctx, row) for text, ctx, row in zip(texts, ctxs, probs)]

    def decide(self, text: str, context: NluContext | None, probs: np.ndarray) -> IntentPrediction:
        """Rules, then the fallback, applied to one row of model probabilities."""
        order = np.argsort(-probs, kind="stable")[:RANKING_SIZE]
        ranking = [(self.labels[i], round(float(probs[i]), 4)) for i in order]
        raw, top = ranking[0][0], float(probs[order[0]])
        second = float(probs[order[1]]) if len(order) > 1 else 0.0
        ruled = apply_rules(text, context)
        if ruled is not None:
            return IntentPrediction(intent=ruled[0], confidence=1.0, ranking=ranking, out_of_scope=ruled[0] == OUT_OF_SCOPE,
                                    raw_intent=raw, rule=ruled[1])
        fallback = self._fallback(top, second)
        intent = OUT_OF_SCOPE if fallback else raw
        return IntentPrediction(intent=intent, confidence=round(top, 4), ranking=ranking,
                                out_of_scope=intent == OUT_OF_SCOPE, raw_intent=raw, fallback=fallback)


def _softmax(logits: np.ndarray) -> np.ndarray:
    shifted = np.exp(logits - logits.max(axis=-1, keepdims=True))
    return shifted / shifted.sum(axis=-1, keepdims=True)

