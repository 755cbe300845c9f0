"""The generator benchmark report (fast parts: the template, and an unreachable server)."""

from __future__ import annotations

from assistant.generators.bench import bench_generate, sample_plans
from assistant.generators.template import TemplateGenerator
from assistant.llm_server import free_port
from assistant.settings import Settings
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
