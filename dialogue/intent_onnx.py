"""The fine-tuned intent classifier as ONNX (fp32 or int8 dynamic quantisation) for fast per-turn inference on CPU.

``export_intent_model`` writes ``MODEL_DIR/onnx/model.onnx`` and ``model.int8.onnx`` (logits as output) beside the
torch weights; ``IntentClassifier.load`` uses them when ``settings.nlu_runtime`` is ``onnx`` or ``onnx-int8``,
exporting on first use. fp32 ONNX (the default) gives torch's probabilities at about half its latency; int8 is
faster again but moves probabilities by ~0.03 (L1) and flips some borderline turns; ``bench nlu`` reports the
latency and held-out accuracy of each runtime.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import numpy as np

from core.onnx_runtime import FP32, INT8, OnnxSession, export_onnx

log = logging.getLogger(__name__)

ONNX_SUBDIR = "onnx"


def onnx_dir(model_dir: Path) -> Path:
    return model_dir / ONNX_SUBDIR


def export_intent_model(model_dir: Path) -> Path:
    """Export the saved classifier in ``model_dir`` to ``model_dir/onnx`` (fp32 and int8); returns that folder."""
    from transformers import AutoTokenizer

    from dialogue.intent_network import IntentNetwork

    tokenizer = AutoTokenizer.from_pretrained(model_dir)
    model = IntentNetwork.load(model_dir, attn_implementation="eager")
    sample = tokenizer(["add the blue one to my cart", "hi"], ["asked for a budget", "greeted"], return_tensors="pt", padding=True)
    out = onnx_dir(model_dir)
    export_onnx(model, dict(sample), "logits", out)
    return out


def onnx_ready(model_dir: Path) -> bool:
    folder = onnx_dir(model_dir)
    return (folder / FP32).is_file() and (folder / INT8).is_file()


class OnnxIntentModel:
    """Callable like the torch model on tokenizer output (numpy arrays): returns logits, shape ``(batch, labels)``."""

    def __init__(self, model_dir: Path, *, quantized: bool, threads: int) -> None:
        self._session = OnnxSession(onnx_dir(model_dir), quantized=quantized, threads=threads)
        self.name = self._session.path.name
        self.quantized = quantized

    def logits(self, features: dict[str, Any]) -> np.ndarray:
        return self._session.run(features)


class PairTokenizer:
    """The classifier's fast tokenizer read straight from its ``tokenizer.json`` with the ``tokenizers`` library:
    the same token ids as ``AutoTokenizer(text, pair, truncation=True, max_length=...)`` (longest-first truncation,
    padding to the longest in a batch), without importing transformers (and torch) in a serving process."""

    def __init__(self, model_dir: Path, max_length: int) -> None:
        from tokenizers import Tokenizer

        self._tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        self._tokenizer.enable_truncation(max_length, strategy="longest_first")
        padding = self._tokenizer.padding or {}
        pad_token = padding.get("pad_token") or _pad_token(model_dir)
        pad_id = self._tokenizer.token_to_id(pad_token)
        self._tokenizer.enable_padding(pad_id=0 if pad_id is None else pad_id, pad_token=pad_token)

    def encode(self, texts: list[str], pairs: list[str | None]) -> dict[str, np.ndarray]:
        """Token ids, attention mask and segment ids of ``(text, pair)``s, padded to the longest (int64 arrays)."""
        batch = self._tokenizer.encode_batch([(t, p) if p is not None else t for t, p in zip(texts, pairs)])
        return {
            "input_ids": np.asarray([e.ids for e in batch], dtype=np.int64),
            "attention_mask": np.asarray([e.attention_mask for e in batch], dtype=np.int64),
            "token_type_ids": np.asarray([e.type_ids for e in batch], dtype=np.int64),
        }


def _pad_token(model_dir: Path) -> str:
    config = model_dir / "tokenizer_config.json"
    if config.is_file():
        value = json.loads(config.read_text(encoding="utf-8")).get("pad_token")
        if isinstance(value, dict):
            value = value.get("content")
        if isinstance(value, str):
            return value
    return "[PAD]"


def load_onnx_model(model_dir: Path, *, quantized: bool, threads: int) -> OnnxIntentModel | None:
    """The ONNX classifier, exported on first use; None (torch is used, with a warning) when that fails."""
    try:
        if not onnx_ready(model_dir):
            export_intent_model(model_dir)
        return OnnxIntentModel(model_dir, quantized=quantized, threads=threads)
    except Exception as exc:  # noqa: BLE001 - any exporter/runtime failure falls back to torch, loudly
        log.warning("nlu.onnx_unavailable dir=%s reason=%s", model_dir, exc)
        return None
