"""The grounding audit (``shopassist bench grounding``): every reply of the scripted dialogues and the injection attacks,
as the shopper sees it, is checked; the target is 0 violations reaching the shopper."""

from __future__ import annotations

import pytest

from lab.audit.grounding import ATTACKS_FILE, audit_grounding, load_attacks, reply_problems
from assistant.generators.template import TemplateGenerator
from assistant.llm_server import SERVED_MODEL_NAME
from tests.assistant.plans import policy_plan, products_plan
from tests.conftest import DIALOGUE_SUITES


def test_reply_checks_accept_the_template_and_catch_inventions() -> None:
    plan = products_plan()
    assert reply_problems(TemplateGenerator().generate(plan), plan) == []
    assert reply_problems("The Trailhead Waterproof Rain Jacket is $19.99 today, 40% off with a coupon!", plan)
    assert reply_problems("Returns are accepted within 90 days.", policy_plan())
    assert DIALOGUE_SUITES.is_dir() and ATTACKS_FILE.exists() and len(load_attacks()) >= 25


def test_template_replies_pass_the_whole_audit(assistant_factory) -> None:  # type: ignore[no-untyped-def]
    report = audit_grounding(assistant_factory(generator="template"), suites=[DIALOGUE_SUITES], attacks=load_attacks())
    assert report.dialogues is not None and report.dialogues.turns >= 100 and report.attacks is not None and report.attacks.cases >= 25
    assert report.violations_reaching_shopper == 0, [e.model_dump() for e in report.examples]
    assert report.replies_by_source == {} and report.violations_caught == {}  # the template generator has no guard


@pytest.mark.slow
def test_streamed_llm_replies_reach_the_shopper_grounded(assistant_factory, vllm_server) -> None:  # type: ignore[no-untyped-def]
    """One dialogue suite plus attacks, streamed (the widget's path), phrased by SmolLM2 on the real vLLM server."""
    assistant = assistant_factory(generator="openai", llm_base_url=vllm_server.base_url, llm_model=SERVED_MODEL_NAME,
                                  llm_first_token_deadline_s=15.0, llm_timeout_s=60.0, llm_max_tokens=64)
    report = audit_grounding(assistant, suites=[DIALOGUE_SUITES / "adversarial.yml"], attacks=load_attacks()[:5], stream=True)
    assert report.violations_reaching_shopper == 0, [e.model_dump() for e in report.examples]
    assert report.dialogues is not None and report.attacks is not None
    assert sum(report.replies_by_source.values()) == report.dialogues.turns + report.attacks.turns
