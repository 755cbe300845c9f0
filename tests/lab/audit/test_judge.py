"""The audit's independent claim judge (lab/audit/judge.py) on plans made by the real pipeline on the demo catalog: the
replies of issue 17 are unsupported, faithful rephrasings of the template are supported."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from assistant.generators.template import TemplateGenerator
from dialogue.plan import ReplyPlan
from lab.audit.judge import ClaimJudge, short_name, split_sentences

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="module")
def plans(assistant_factory) -> dict[str, ReplyPlan]:  # type: ignore[no-untyped-def]
    """The issue's conversation, phrased by the template: the plan of each turn by action."""
    assistant = assistant_factory(generator="template")
    conversation = assistant.start("judge-tests")
    out: dict[str, ReplyPlan] = {}
    for text in ("I need a quiet dishwasher under 600", "compare the first two", "which one is quieter?", "what's your return policy?"):
        plan = assistant.handle(conversation, "judge-tests", text).plan
        out[plan.action] = plan
    assert set(out) == {"show_products", "compare", "answer_question", "policy_answer"}, sorted(out)
    return out


def _judge(plan: ReplyPlan) -> ClaimJudge:
    return ClaimJudge(plan, TemplateGenerator().generate(plan))


def _unsupported(judge: ClaimJudge, sentences: list[str]) -> list[str]:
    return [f"{s} {v.reasons}" for s, v in zip(sentences, judge.judge_many(sentences)) if not v.supported]


def test_the_issues_replies_are_unsupported(plans: dict[str, ReplyPlan]) -> None:
    compare, products = plans["compare"], plans["show_products"]
    second = next(c for c in products.products if c.title == compare.comparison.titles[1])  # type: ignore[union-attr]
    bad = {
        "compare": [f"The {short_name(second.title, second.brand)} is the best at ${second.price:,.2f}.",
                    f"The {second.title.split(',')[0]} is the best at ${second.price:,.2f}.",
                    f"The {short_name(compare.comparison.titles[0])} is ${second.price:,.2f}."],  # type: ignore[union-attr]
        "show_products": [f"The {short_name(second.title, second.brand)} is the best at ${second.price:,.2f}.",
                          "The Bosch 300 Series is the quietest dishwasher we sell.", "All of them ship free within 2 days."],
        "policy_answer": ["The return policy is a matter of personal discretion.",
                          ("We can only return a limited number of items, and the return is only for items that have been damaged, "
                           "defective, or not as described."), "Returns are accepted within 90 days."],
    }
    for action, sentences in bad.items():
        verdicts = _judge(plans[action]).judge_many(sentences)
        assert not any(v.supported for v in verdicts), [(s, v.model_dump()) for s, v in zip(sentences, verdicts) if v.supported]


def test_faithful_rephrasings_and_the_template_are_supported(plans: dict[str, ReplyPlan]) -> None:
    products, compare = plans["show_products"], plans["compare"]
    first = products.products[0]
    cheaper = next(c for c in products.products if c.title == compare.comparison.titles[0])  # type: ignore[union-attr]
    good = {
        "show_products": [f"Here are {len(products.products)} dishwashers under $600.",
                          f"The {short_name(first.title, first.brand)} costs ${first.price:,.2f}.",
                          f"The {first.title} is rated {first.rating:.1f} stars.", "Let me know if you'd like to compare any of them."],
        "compare": [f"The {short_name(cheaper.title, cheaper.brand)} has the lowest price, ${cheaper.price:,.2f}, and the best rating.",
                    "Sure, here is how they compare."],
        "answer_question": [f"The quietest is the {short_name(cheaper.title, cheaper.brand)} at 40 dBA."],
        # The judge is conservative on loose paraphrases (test precision 0.77, `shopassist eval claims`): "Items must be
        # unused, in the original packaging, …" scores 0.74 against the policy's "Condition: Unused, …" and is flagged.
        "policy_answer": ["You can return most items within 30 days of delivery for a full refund."],
    }
    for action, sentences in good.items():
        judge = _judge(plans[action])
        template = split_sentences(judge.template)
        assert not _unsupported(judge, sentences + template), action


def test_the_judge_shares_no_code_with_the_guard() -> None:
    """Item 5 of issue 17: the audit's checker imports nothing of the guard's."""
    guard = ("assistant.generators.grounding", "assistant.generators.claims", "assistant.generators.prompting", "assistant.generators.guarded")
    for path in (ROOT / "lab" / "audit" / "judge.py",):
        tree = ast.parse(path.read_text())
        imported = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module}
        imported |= {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
        assert not {m for m in imported if m.startswith(guard)}, imported
