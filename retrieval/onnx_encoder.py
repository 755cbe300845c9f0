"""A fast query encoder: MiniLM exported to ONNX (mean pooling and normalisation inside the graph), optionally with
per-channel int8 dynamic quantisation. ~2.5 ms per short query on one core versus ~15 ms for torch, at a cosine of
≥ 0.99 to the fp32 embedding."""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np

log = logging.getLogger(__name__)

FP32 = "model.onnx"
INT8 = "model.int8.onnx"


def export_encoder(model_dir: Path, out_dir: Path) -> None:
    """Write ``model.onnx`` and ``model.int8.onnx`` for the sentence-transformers MiniLM in ``model_dir``."""
    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic
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

    out_dir.mkdir(parents=True, exist_ok=True)
    tokenizer = AutoTokenizer.from_pretrained(model_dir)
    model = AutoModel.from_pretrained(model_dir, attn_implementation="eager").eval()  # SDPA does not trace faithfully
    sample = tokenizer(["a sample query", "another longer sample query text"], return_tensors="pt", padding=True)
    axes = {"b": 0, "s": 1}
    dynamic = {name: {axes["b"]: "batch", axes["s"]: "sequence"} for name in ("input_ids", "attention_mask", "token_type_ids")}
    torch.onnx.export(
        _Pooled(model), (sample["input_ids"], sample["attention_mask"], sample["token_type_ids"]), str(out_dir / FP32),
        input_names=["input_ids", "attention_mask", "token_type_ids"], output_names=["embedding"],
        dynamic_axes={**dynamic, "embedding": {0: "batch"}}, opset_version=17, dynamo=False,
    )
    quantize_dynamic(str(out_dir / FP32), str(out_dir / INT8), weight_type=QuantType.QInt8, per_channel=True)
    tokenizer.save_pretrained(out_dir)
    log.info("embedder.onnx_exported dir=%s", out_dir)


class OnnxEncoder:
    def __init__(self, folder: Path, *, quantized: bool = True, threads: int = 1, max_tokens: int = 128) -> None:
        import onnxruntime as ort
        from tokenizers import Tokenizer

        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        self._session = ort.InferenceSession(str(folder / (INT8 if quantized else FP32)), options, providers=["CPUExecutionProvider"])
        self._tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self._tokenizer.enable_truncation(max_tokens)
        self._tokenizer.enable_padding()

    def encode(self, texts: list[str]) -> np.ndarray:
        batch = self._tokenizer.encode_batch(texts)
        feeds = {
            "input_ids": np.array([e.ids for e in batch], dtype=np.int64),
            "attention_mask": np.array([e.attention_mask for e in batch], dtype=np.int64),
            "token_type_ids": np.array([e.type_ids for e in batch], dtype=np.int64),
        }
        return np.asarray(self._session.run(None, feeds)[0], dtype=np.float32)


def load_or_export(model_dir: Path, cache_dir: Path, *, quantized: bool, threads: int) -> OnnxEncoder | None:
    """The cached ONNX encoder, exporting it on first use; None (torch is used) when export is impossible."""
    try:
        if not (cache_dir / INT8).exists():
            export_encoder(model_dir, cache_dir)
        return OnnxEncoder(cache_dir, quantized=quantized, threads=threads)
    except Exception as exc:  # noqa: BLE001 - any exporter/runtime failure falls back to torch, loudly
        log.warning("embedder.onnx_unavailable reason=%s", exc)
        return None
