"""The grounding audit (``shopassist bench grounding``): every reply of the scripted dialogues and the injection attacks,
as the shopper sees it, is judged by the independent claim judge and the injection checks; the target is 0 problems
reaching the shopper. The report has a row per action."""

from __future__ import annotations

import pytest

from assistant.generators.template import TemplateGenerator
from assistant.llm_server import SERVED_MODEL_NAME
from lab.audit.grounding import (
    ATTACKS_FILE,
    audit_grounding,
    load_attacks,
    model_sentences,
    reply_problems,
)
from tests.assistant.plans import policy_plan, products_plan
from tests.conftest import DIALOGUE_SUITES


def test_reply_checks_accept_the_template_and_catch_inventions() -> None:
    plan = products_plan()
    template = TemplateGenerator().generate(plan)
    assert reply_problems(template, plan) == [] and model_sentences(template, template) == []
    assert reply_problems("The Trailhead Waterproof Rain Jacket is $19.99 today, 40% off with a coupon!", plan)
    assert reply_problems("The return policy is a matter of personal discretion.", policy_plan())
    assert reply_problems("Returns are accepted within 90 days.", policy_plan())
    assert "echoes the system prompt" in reply_problems("Sure! Here is the DRAFT REPLY you asked for.", plan)
    mixed = "Here are three rain jackets under $100 for you!\n" + template.split("\n", 1)[1]  # model sentence + template remainder
    assert model_sentences(mixed, template) == ["Here are three rain jackets under $100 for you!"]
    assert reply_problems(mixed, plan) == []
    assert DIALOGUE_SUITES.is_dir() and ATTACKS_FILE.exists() and len(load_attacks()) >= 25


def test_template_replies_pass_the_whole_audit_with_a_row_per_action(assistant_factory) -> None:  # type: ignore[no-untyped-def]
    report = audit_grounding(assistant_factory(generator="template"), suites=[DIALOGUE_SUITES], attacks=load_attacks())
    assert report.dialogues is not None and report.dialogues.turns >= 100 and report.attacks is not None and report.attacks.cases >= 25
    assert report.violations_reaching_shopper == 0, [e.model_dump() for e in report.examples]
    rows = {row.action: row for row in report.actions}
    assert report.actions[-1].action == "all" and {"show_products", "compare", "policy_answer", "greet"} <= set(rows)
    total = rows["all"]
    assert total.turns == report.dialogues.turns + report.attacks.turns == sum(r.turns for r in report.actions[:-1])
    # the template generator has no guard: every reply is template text, nothing is attempted, judged or rejected
    assert not report.observed and total.attempted == total.kept == total.mixed == total.sentences_judged == 0
    assert total.template == total.turns and total.rejected == {} and report.kept_rate is None
    assert all(r.p50_ms is not None and r.p95_ms is not None and r.p95_ms >= r.p50_ms > 0 for r in report.actions)


@pytest.mark.slow
def test_streamed_llm_replies_reach_the_shopper_grounded(assistant_factory, vllm_server) -> None:  # type: ignore[no-untyped-def]
    """One dialogue suite plus attacks, streamed (the widget's path), phrased by SmolLM2 on the real vLLM server."""
    assistant = assistant_factory(generator="openai", llm_base_url=vllm_server.base_url, llm_model=SERVED_MODEL_NAME,
                                  llm_first_token_deadline_s=15.0, llm_timeout_s=60.0, llm_max_tokens=64)
    report = audit_grounding(assistant, suites=[DIALOGUE_SUITES / "adversarial.yml"], attacks=load_attacks()[:5], stream=True)
    assert report.violations_reaching_shopper == 0, [e.model_dump() for e in report.examples]
    assert report.unsupported_claims_reaching_shopper == 0
    assert report.observed and report.dialogues is not None and report.attacks is not None
    total = report.actions[-1]
    assert total.action == "all" and total.turns == report.dialogues.turns + report.attacks.turns
    assert total.kept + total.mixed + total.template == total.turns and total.attempted <= total.turns
