"""Trained intent models shared between homes: the intent model depends on the NLU data, the training settings and
the training code, never on a home's catalog, so training once per (data, settings, code) is enough.

A cache entry is ``settings.model_cache / "intent-<key>"``, the key a hash of the NLU data files, the settings that
change the model (:data:`TRAINING_FIELDS`, the base encoder's files) and the training code's source
(:data:`TRAINING_CODE`). ``shopassist prepare`` and ``shopassist train nlu`` train into the entry and link the home's
``models/nlu`` to it (a symlink; a copy where links fail); a home without a model finds a matching entry when the
assistant is built (:func:`resolve_nlu_model_dir`).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import tempfile
from collections.abc import Sequence
from pathlib import Path

from core.errors import NotReadyError, UserError
from core.settings import MULTILINGUAL_BASE, PROJECT_ROOT, NluSettings
from dialogue.intent_classifier import ARCHITECTURE, LABELS_FILE

log = logging.getLogger(__name__)

ENTRY_PREFIX = "intent-"
KEY_LENGTH = 24
# Settings that change the trained weights (threads and the inference runtime do not).
# The thresholds are there because the epoch is chosen by macro-F1 with the out-of-scope fallback applied.
TRAINING_FIELDS = ("nlu_threshold", "nlu_ambiguity_threshold", "nlu_epochs", "nlu_batch_size", "nlu_learning_rate",
                   "nlu_warmup_ratio", "nlu_max_length", "nlu_seed", "nlu_patience", "nlu_holdout_fraction",
                   "nlu_dev_fraction", "nlu_context_rate", "nlu_label_smoothing", "nlu_out_of_scope_weight",
                   "nlu_entity_swap_rate", "nlu_train_device")
# The code a model is a function of: the training loop, its augmentation and context, and how the data is read.
TRAINING_CODE = ("lab/train/intent.py", "lab/train/augment.py", "dialogue/intent_network.py", "dialogue/intent_context.py",
                 "dialogue/nlu_data.py")
_SMALL_FILE = 4 * 1024 * 1024  # base-model files up to this size are hashed whole; larger ones (weights) by name and size


def has_model(folder: Path) -> bool:
    """A complete intent model of the current architecture (an older one is retrained, not loaded)."""
    labels = folder / LABELS_FILE
    try:
        return labels.is_file() and json.loads(labels.read_text(encoding="utf-8")).get("architecture") == ARCHITECTURE
    except (OSError, ValueError):
        return False


def default_nlu_data(settings: NluSettings) -> list[Path]:
    return [settings.nlu_data_dir]


def training_key(settings: NluSettings, data: Sequence[Path] | None = None) -> str:
    """The hash of everything a trained intent model is a function of (see the module docstring)."""
    from dialogue.nlu_data import nlu_files

    digest = hashlib.sha256()

    def add(label: str, payload: bytes) -> None:
        digest.update(f"{label}\0{len(payload)}\0".encode())
        digest.update(payload)

    for path in nlu_files(list(data or default_nlu_data(settings))):
        add(f"data:{path.name}", path.read_bytes())
    for name in TRAINING_FIELDS:
        add(f"setting:{name}", repr(getattr(settings, name)).encode())
    base = base_model_dir(settings)
    for path in sorted(p for p in base.rglob("*") if p.is_file()):
        size = path.stat().st_size
        add(f"base:{path.relative_to(base).as_posix()}", path.read_bytes() if size <= _SMALL_FILE else str(size).encode())
    for relative in TRAINING_CODE:
        source = PROJECT_ROOT / relative
        add(f"code:{relative}", source.read_bytes() if source.is_file() else b"missing")
    return digest.hexdigest()[:KEY_LENGTH]


def cache_entry(settings: NluSettings, data: Sequence[Path] | None = None) -> Path:
    """The cache folder of the model that ``data`` (default: the shipped NLU data) and ``settings`` train."""
    return settings.model_cache / f"{ENTRY_PREFIX}{training_key(settings, data)}"


def link_home_model(settings: NluSettings, entry: Path) -> Path:
    """Point the home's ``models/nlu`` at ``entry`` (replacing what is there) and return that path.

    A symlink, so every home shares one copy; where symlinks are not possible, a copy.
    """
    target = settings.nlu_model_dir
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.is_symlink() and target.resolve() == entry.resolve():
        return target
    staged = Path(tempfile.mkdtemp(prefix=target.name + ".link-", dir=target.parent))
    link = staged / target.name
    try:
        link.symlink_to(entry.resolve(), target_is_directory=True)
    except OSError:
        shutil.copytree(entry, link, symlinks=False)
    try:
        _remove(target)
        os.replace(link, target)
    finally:
        shutil.rmtree(staged, ignore_errors=True)
    log.info("nlu.model_linked home=%s entry=%s", target, entry)
    return target


def resolve_nlu_model_dir(settings: NluSettings) -> Path:
    """The folder to load the intent model from: the home's, else the model cache's entry for the shipped data and
    these settings (linked into the home when the home has nothing in the way). NotReadyError when neither has one."""
    home_model = settings.nlu_model_dir
    if has_model(home_model):
        return home_model
    entry = cache_entry(settings)
    if not has_model(entry):
        raise NotReadyError(f"No intent model in {home_model} (nor in the model cache {settings.model_cache}) — "
                            "run `shopassist prepare` (or `shopassist train nlu`).")
    if _replaceable(home_model):
        try:
            return link_home_model(settings, entry)
        except OSError as exc:  # a read-only home: load from the cache directly
            log.warning("nlu.model_link_failed home=%s entry=%s reason=%s", home_model, entry, exc)
    return entry


def _replaceable(path: Path) -> bool:
    """Nothing, a (possibly dangling) link, or an empty folder: safe to replace by a link without losing anything."""
    return not path.exists() or path.is_symlink() or (path.is_dir() and not any(path.iterdir()))


def _remove(path: Path) -> None:
    if path.is_symlink() or path.is_file():
        path.unlink()
    elif path.is_dir():
        shutil.rmtree(path)


def base_model_dir(settings: NluSettings) -> Path:
    """The encoder an intent model is fine-tuned from (training) and whose files its cache key hashes (training and
    serving alike): ``settings.nlu_base_model``, else the shipped MiniLM; for a non-English view
    (:meth:`NluSettings.for_language`) multilingual-e5-small, dequantised into the model cache when missing, so that a
    server computes the same key as the training did."""
    if settings.nlu_language != "en":
        default = settings.model_cache / MULTILINGUAL_BASE
        folder = settings.nlu_base_model or default
        if folder == default:
            from retrieval.multilingual_e5 import ensure_multilingual_e5

            return ensure_multilingual_e5(settings.model_cache)
        if not folder.is_dir():
            raise UserError(f"nlu_zh_base_model {folder} is not a folder.")
        return folder
    if settings.nlu_base_model is not None:
        return settings.nlu_base_model
    from retrieval.embedder import default_model_dir

    return default_model_dir()
