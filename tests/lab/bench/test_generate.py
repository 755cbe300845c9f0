"""The generator benchmark report (fast parts: the template, a stand-in server, an unreachable one; the real backends are
measured in test_vllm.py and test_local.py)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from lab.bench.generate import bench_generate, bench_messages, sample_plans
from assistant.generators.hf_generate import BENCH_PROMPT
from assistant.generators.template import TemplateGenerator
from assistant.llm_server import free_port
from core.settings import Settings
from tests.assistant.fake_llm import Script, fake_llm_server


def test_template_meets_its_target_and_a_missing_server_is_reported() -> None:
    report = bench_generate(Settings(llm_base_url=f"http://127.0.0.1:{free_port()}/v1"), local=False)
    assert report.template_meets_target and 0 < report.template_ms_per_reply <= 1.0
    assert report.openai is not None and not report.openai.available and "not reachable" in (report.openai.note or "")
    assert report.local is None
    assert all(TemplateGenerator().generate(plan) for plan in sample_plans())


def test_server_figures_are_measured() -> None:
    with fake_llm_server(Script(replies=["one two three four five six seven eight"], token_delay_s=0.01)) as url:
        report = bench_generate(Settings(llm_base_url=url, llm_model="fake"), local=False, rounds=2)
    figures = report.openai
    assert figures is not None and figures.available and figures.rounds == 2
    assert figures.first_token_ms_p50 is not None and figures.tokens_per_s and figures.sample == "one two three four five six seven eight"


def test_the_bench_prompt_file_matches_the_real_prompt() -> None:
    """hf_generate's standalone runs (a GPU host without ShopAssist's dependencies) time the same prompt."""
    assert json.loads(BENCH_PROMPT.read_text()) == bench_messages()


def test_hf_generate_needs_only_torch_and_transformers() -> None:
    blocked = "pydantic pydantic_settings openai yaml chromadb typer rich dialogue retrieval core.settings core.errors".split()
    code = f"import sys; sys.modules.update(dict.fromkeys({blocked!r})); import assistant.generators.hf_generate as m; m.main(['--help'])"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=Path(__file__).resolve().parents[3])
    assert done.returncode == 0, done.stderr
    assert "--device" in done.stdout


def test_bench_generate_command_prints_one_json_object() -> None:
    from cli.main import app

    result = CliRunner().invoke(app, ["bench", "generate", "--no-local", "--base-url", f"http://127.0.0.1:{free_port()}/v1", "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["template_meets_target"] and report["local"] is None and report["openai"]["available"] is False
    assert CliRunner().invoke(app, ["bench", "generate", "--device", "tpu"]).exit_code != 0
