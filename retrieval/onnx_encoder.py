"""A fast query encoder: MiniLM (or multilingual-e5-small) exported to ONNX (mean pooling and normalisation inside the graph), optionally with
per-channel int8 dynamic quantisation. ~2.5 ms per short query on one core versus ~15 ms for torch, at a cosine of
≥ 0.99 to the fp32 embedding."""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np

from core.onnx_runtime import INT8, OnnxSession, export_onnx

log = logging.getLogger(__name__)


def export_encoder(model_dir: Path, out_dir: Path) -> None:
    """Write ``model.onnx`` and ``model.int8.onnx`` (and the tokenizer) for the mean-pooled encoder in ``model_dir``
    (the sentence-transformers MiniLM, or the dequantised multilingual-e5-small)."""
    import torch
    from transformers import AutoModel, AutoTokenizer

    class _Pooled(torch.nn.Module):
        def __init__(self, model: torch.nn.Module) -> None:
            super().__init__()
            self.model = model

        def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor, token_type_ids: torch.Tensor) -> torch.Tensor:
            hidden = self.model(input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids).last_hidden_state
            mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
            pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
            return torch.nn.functional.normalize(pooled, dim=-1)

    tokenizer = AutoTokenizer.from_pretrained(model_dir)
    model = AutoModel.from_pretrained(model_dir, attn_implementation="eager")
    sample = tokenizer(["a sample query", "another longer sample query text"], return_tensors="pt", padding=True)
    export_onnx(_Pooled(model), dict(sample), "embedding", out_dir)
    tokenizer.save_pretrained(out_dir)


class OnnxEncoder:
    def __init__(self, folder: Path, *, quantized: bool = True, threads: int = 1, max_tokens: int = 128) -> None:
        from tokenizers import Tokenizer

        self._session = OnnxSession(folder, quantized=quantized, threads=threads)
        self._tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self._tokenizer.enable_truncation(max_tokens)
        pad = next((i for i in (self._tokenizer.token_to_id(t) for t in ("[PAD]", "<pad>")) if i is not None), 0)
        self._tokenizer.enable_padding(pad_id=pad)

    def encode(self, texts: list[str]) -> np.ndarray:
        batch = self._tokenizer.encode_batch(texts)
        return self._session.run({
            "input_ids": [e.ids for e in batch],
            "attention_mask": [e.attention_mask for e in batch],
            "token_type_ids": [e.type_ids for e in batch],
        })


def load_or_export(model_dir: Path, cache_dir: Path, *, quantized: bool, threads: int) -> OnnxEncoder | None:
    """The cached ONNX encoder, exporting it on first use; None (torch is used) when export is impossible."""
    try:
        if not (cache_dir / INT8).exists() or not (cache_dir / "tokenizer.json").exists():
            export_encoder(model_dir, cache_dir)
        return OnnxEncoder(cache_dir, quantized=quantized, threads=threads)
    except Exception as exc:  # noqa: BLE001 - any exporter/runtime failure falls back to torch, loudly
        log.warning("embedder.onnx_unavailable reason=%s", exc)
        return None
