"""Streaming generation with a transformers causal LM, and its timing: first token and tokens/s.

Imports only the standard library, torch and transformers, so that ``python -m assistant.generators.hf_generate``
measures a model folder on a machine that has nothing else of ShopAssist installed (a lent GPU host)::

    python -m assistant.generators.hf_generate --model DIR --device cuda --json

``LocalChatModel`` (local.py) and ``shopassist bench generate`` use the same functions.
"""

from __future__ import annotations

import argparse
import json
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from core.stats import percentile

#: The prompt ``shopassist bench generate`` measures (a three-product plan); kept in sync by tests/lab/bench/test_generate.py.
BENCH_PROMPT = Path(__file__).with_name("bench_prompt.json")


def pick_device(want: str) -> str:
    """``auto`` → cuda when torch sees a GPU, else cpu; ``cpu``/``cuda`` as given (cuda without a GPU is an error)."""
    import torch

    if want == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if want == "cuda" and not torch.cuda.is_available():
        raise RuntimeError("llm_device=cuda, but torch sees no CUDA device")
    return want


def _dtype_argument() -> str:
    """``dtype`` since transformers 4.56, ``torch_dtype`` before (a GPU host may have an older release)."""
    import transformers

    major, minor = (int(part) for part in transformers.__version__.split(".")[:2])
    return "dtype" if (major, minor) >= (4, 56) else "torch_dtype"


def load_tokenizer(folder: Path) -> Any:
    """The folder's tokenizer; if this transformers release cannot read its config (written by a newer one), the fast
    tokenizer is rebuilt from ``tokenizer.json``, its special tokens and ``chat_template.jinja``."""
    from transformers import AutoTokenizer, PreTrainedTokenizerFast

    try:
        return AutoTokenizer.from_pretrained(folder, local_files_only=True)
    except (ValueError, KeyError, AttributeError, OSError):
        config_file = folder / "tokenizer_config.json"
        config = json.loads(config_file.read_text()) if config_file.exists() else {}
        specials = {k: v for k, v in config.items() if k in {"bos_token", "eos_token", "pad_token", "unk_token"} and isinstance(v, str)}
        tokenizer = PreTrainedTokenizerFast(tokenizer_file=str(folder / "tokenizer.json"), **specials)
        template = folder / "chat_template.jinja"
        if template.exists():
            tokenizer.chat_template = template.read_text()
        return tokenizer


def load_causal_lm(folder: Path, device: str, threads: int = 1, *, random_weights: bool = False) -> tuple[Any, Any]:
    """Tokenizer and model from a local folder (never a hub): fp16 on CUDA, fp32 on CPU with ``threads`` torch threads.

    ``random_weights`` builds the model from ``config.json`` alone: the same architecture and speed, meaningless text
    (for timing on a machine the weights cannot be copied to).
    """
    import torch
    from transformers import AutoConfig, AutoModelForCausalLM

    if device == "cpu":
        torch.set_num_threads(threads)
    tokenizer = load_tokenizer(folder)
    dtype = {_dtype_argument(): torch.float16 if device == "cuda" else torch.float32}
    if random_weights:
        model: Any = AutoModelForCausalLM.from_config(AutoConfig.from_pretrained(folder, local_files_only=True), **dtype)
    else:
        model = AutoModelForCausalLM.from_pretrained(folder, local_files_only=True, **dtype)
    return tokenizer, model.to(device).eval()


class GenerationStalled(Exception):
    """No new text within the streamer's timeout."""


def stream_generate(model: Any, tokenizer: Any, messages: list[dict[str, str]], *, max_new_tokens: int, temperature: float,
                    timeout_s: float, lock: threading.Lock | None = None, min_new_tokens: int | None = None) -> Iterator[str]:
    """Text pieces of the model's reply to chat ``messages`` as they are decoded (generation runs on a worker thread).

    Closing the iterator stops generation at the next token. Raises ``GenerationStalled`` when no text came within
    ``timeout_s``, and re-raises what generation raised.
    """
    from transformers import (
        StoppingCriteria,
        StoppingCriteriaList,
        TextIteratorStreamer,
    )

    stop = threading.Event()

    class _Stop(StoppingCriteria):
        def __call__(self, input_ids: Any, scores: Any, **kwargs: Any) -> bool:
            return stop.is_set()

    encoded: Any = tokenizer.apply_chat_template(messages, add_generation_prompt=True, return_tensors="pt", return_dict=True)
    inputs = encoded.to(model.device)
    streamer = TextIteratorStreamer(tokenizer, skip_prompt=True, skip_special_tokens=True, timeout=timeout_s)
    options: dict[str, Any] = {"max_new_tokens": max_new_tokens, "repetition_penalty": 1.1, "streamer": streamer,
                               "stopping_criteria": StoppingCriteriaList([_Stop()]),
                               "pad_token_id": tokenizer.pad_token_id or tokenizer.eos_token_id}
    options |= {"do_sample": True, "temperature": temperature, "top_p": 0.9} if temperature > 0 else {"do_sample": False}
    if min_new_tokens:
        options["min_new_tokens"] = min_new_tokens
    failure: list[BaseException] = []

    def work() -> None:
        with lock or threading.Lock():
            try:
                model.generate(**inputs, **options)
            except BaseException as exc:  # re-raised on the reader's thread below
                failure.append(exc)
                streamer.end()

    worker = threading.Thread(target=work, name="hf-generate", daemon=True)
    worker.start()
    try:
        for text in streamer:
            if text:
                yield text
    except Exception as exc:  # the streamer's queue timed out
        raise GenerationStalled(str(exc) or "no text in time") from exc
    finally:
        stop.set()  # generate() stops at its next token
        worker.join(timeout_s)
    if failure:
        raise failure[0]


def measure(stream: Callable[[], Iterator[str]], count_tokens: Callable[[str], int], rounds: int) -> tuple[list[float], list[float], str]:
    """Per round: milliseconds to the first piece and decoding rate (tokens after the first / seconds after it)."""
    firsts: list[float] = []
    rates: list[float] = []
    text = ""
    for _ in range(rounds):
        started, first, pieces = time.perf_counter(), None, []
        for piece in stream():
            first = first or time.perf_counter()
            pieces.append(piece)
        ended = time.perf_counter()
        if first is None:
            continue
        text = "".join(pieces)
        firsts.append((first - started) * 1000)
        tokens = count_tokens(text)
        if tokens > 1 and ended > first:
            rates.append((tokens - 1) / (ended - first))
    return firsts, rates, text


def measure_tokens(model: Any, tokenizer: Any, messages: list[dict[str, str]], max_new_tokens: int,
                   rounds: int) -> tuple[list[float], list[float], str]:
    """Greedy generation of exactly ``max_new_tokens`` tokens per round, timed per token as ``generate`` emits it
    (a text streamer only yields at word boundaries, which random weights may never produce): milliseconds to the
    first new token, and tokens/s after it."""
    from transformers.generation.streamers import BaseStreamer

    class _Clock(BaseStreamer):
        def __init__(self) -> None:
            self.times: list[float] = []
            self.prompt_seen = False

        def put(self, value: Any) -> None:  # the prompt first, then each new token (already synchronised to the CPU)
            if self.prompt_seen:
                self.times.append(time.perf_counter())
            self.prompt_seen = True

        def end(self) -> None:
            pass

    inputs = tokenizer.apply_chat_template(messages, add_generation_prompt=True, return_tensors="pt", return_dict=True).to(model.device)
    firsts: list[float] = []
    rates: list[float] = []
    output: Any = None
    for _ in range(rounds):
        clock = _Clock()
        started = time.perf_counter()
        output = model.generate(**inputs, max_new_tokens=max_new_tokens, min_new_tokens=max_new_tokens, do_sample=False,
                                streamer=clock, pad_token_id=tokenizer.pad_token_id or tokenizer.eos_token_id)
        if clock.times:
            firsts.append((clock.times[0] - started) * 1000)
            if len(clock.times) > 1:
                rates.append((len(clock.times) - 1) / (clock.times[-1] - clock.times[0]))
    text = tokenizer.decode(output[0][inputs["input_ids"].shape[1]:], skip_special_tokens=True) if output is not None else ""
    return firsts, rates, text


def summary(firsts: list[float], rates: list[float]) -> dict[str, float | None]:
    return {"first_token_ms_p50": round(percentile(firsts, 50), 1) if firsts else None,
            "tokens_per_s": round(percentile(rates, 50), 1) if rates else None}


def bench_folder(folder: Path, device: str, *, messages: list[dict[str, str]], rounds: int = 3, max_new_tokens: int = 48,
                 threads: int = 1, random_weights: bool = False) -> dict[str, Any]:
    """Load ``folder`` on ``device`` and time greedy replies to ``messages`` (one warm-up round first)."""
    device = pick_device(device)
    started = time.perf_counter()
    tokenizer, model = load_causal_lm(folder, device, threads, random_weights=random_weights)
    load_s = time.perf_counter() - started
    prompt_tokens = len(tokenizer.apply_chat_template(messages, add_generation_prompt=True, return_dict=True)["input_ids"])

    firsts, rates, text = measure_tokens(model, tokenizer, messages, max_new_tokens, rounds + 1)
    firsts, rates = firsts[1:], rates[1:]  # the first round warms up CUDA kernels and the allocator
    gpu = None
    if device == "cuda":
        import torch

        gpu = torch.cuda.get_device_name(0)
    import torch
    import transformers

    return {"backend": "local", "device": device, "gpu": gpu, "torch": torch.__version__, "transformers": transformers.__version__,
            "weights": "random (timing only)" if random_weights else "trained", "folder": str(folder), "load_s": round(load_s, 2),
            "prompt_tokens": prompt_tokens, "rounds": rounds, **summary(firsts, rates), "sample": text[:300]}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Time a local causal LM: first token and tokens/s (torch + transformers only).")
    parser.add_argument("--model", type=Path, required=True, help="Model folder (config, safetensors, tokenizer).")
    parser.add_argument("--device", choices=["auto", "cpu", "cuda"], default="auto")
    parser.add_argument("--messages", type=Path, default=BENCH_PROMPT, help="Chat messages as JSON (default: the bench prompt).")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--max-tokens", type=int, default=48)
    parser.add_argument("--threads", type=int, default=1, help="torch threads on CPU.")
    parser.add_argument("--random-weights", action="store_true",
                        help="Only config.json and the tokenizer are needed: same architecture and speed, meaningless text.")
    parser.add_argument("--json", action="store_true", help="Print one JSON object.")
    args = parser.parse_args(argv)
    report = bench_folder(args.model, args.device, messages=json.loads(args.messages.read_text()), rounds=args.rounds,
                          max_new_tokens=args.max_tokens, threads=args.threads, random_weights=args.random_weights)
    if args.json:
        print(json.dumps(report))
    else:
        for key, value in report.items():
            print(f"{key}: {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
