"""ONNX export and int8 dynamic quantisation of the project's small transformer encoders, and their CPU sessions.

Used by the query embedder (``retrieval.onnx_encoder``) and the intent classifier (``dialogue.intent_onnx``): the
torch module is traced once (eager attention: SDPA does not trace faithfully) into ``model.onnx``, then its MatMul
weights are quantised per channel to ``model.int8.onnx``. Both files live beside the tokenizer so a session needs nothing else.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np

log = logging.getLogger(__name__)

FP32 = "model.onnx"
INT8 = "model.int8.onnx"
INPUT_NAMES = ("input_ids", "attention_mask", "token_type_ids")


def export_onnx(module: Any, sample: dict[str, Any], output_name: str, out_dir: Path) -> None:
    """Trace ``module(input_ids, attention_mask, token_type_ids)`` into ``out_dir/model.onnx`` and ``model.int8.onnx``.

    Batch and sequence axes are dynamic. Written to a private staging folder and renamed into place, so a failed
    export leaves nothing and two processes exporting at once both end with one complete folder.
    """
    import shutil
    import tempfile

    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic

    out_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=out_dir.name + ".partial-", dir=out_dir.parent))
    staging.chmod(0o755)
    dynamic = {name: {0: "batch", 1: "sequence"} for name in INPUT_NAMES}
    with _quiet_export():
        torch.onnx.export(
            module.eval(), tuple(sample[name] for name in INPUT_NAMES), str(staging / FP32),
            input_names=list(INPUT_NAMES), output_names=[output_name],
            dynamic_axes={**dynamic, output_name: {0: "batch"}}, opset_version=17, dynamo=False,
        )
        # MatMul weights only: quantising the embedding tables too (Gather) saves 35 MB on disk but costs the intent
        # classifier about 0.5 accuracy points on its held-out set for no speed gain.
        quantize_dynamic(str(staging / FP32), str(staging / INT8), weight_type=QuantType.QInt8, per_channel=True,
                         op_types_to_quantize=["MatMul"])
    if out_dir.exists() and not (out_dir / INT8).is_file():
        shutil.rmtree(out_dir, ignore_errors=True)  # an incomplete earlier export
    try:
        staging.rename(out_dir)
    except OSError:  # another process finished first: keep its export
        shutil.rmtree(staging, ignore_errors=True)
    log.info("onnx.exported dir=%s", out_dir)


class _DropQuantisationHint(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return "pre-processing before quantization" not in str(record.msg)


@contextmanager
def _quiet_export() -> Iterator[None]:
    """Silence what tracing and quantising always say about our fixed, known-good graphs: the tracer's warnings
    (shapes treated as constants: the axes we need are declared dynamic), the exporter's notes on how it lowers
    indexing, and onnxruntime's hint to pre-process before quantising (its shape inference does not change our
    MatMul-only int8 weights)."""
    from torch.jit import TracerWarning

    hint = _DropQuantisationHint()
    root = logging.getLogger()
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=TracerWarning)
        warnings.filterwarnings("ignore", category=UserWarning, module=r"torch\.onnx")
        warnings.filterwarnings("ignore", category=DeprecationWarning, module=r"torch\.onnx")
        # dynamo=False on purpose: the TorchScript exporter traces these encoders faithfully and fast.
        warnings.filterwarnings("ignore", message=r"You are using the legacy TorchScript-based ONNX export")
        root.addFilter(hint)
        try:
            yield
        finally:
            root.removeFilter(hint)


class OnnxSession:
    """One CPU inference session over an exported model (fp32 or int8), fed numpy token arrays."""

    def __init__(self, folder: Path, *, quantized: bool = True, threads: int = 1) -> None:
        import onnxruntime as ort

        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        self.path = folder / (INT8 if quantized else FP32)
        self._session = ort.InferenceSession(str(self.path), options, providers=["CPUExecutionProvider"])
        self._inputs = {i.name for i in self._session.get_inputs()}

    def run(self, features: dict[str, Any]) -> np.ndarray:
        feeds = {name: np.asarray(value, dtype=np.int64) for name, value in features.items() if name in self._inputs}
        return np.asarray(self._session.run(None, feeds)[0], dtype=np.float32)
