"""``shopassist eval claims``: the independent judge (and the guard, when it has ``sentence_problems``) scored on the
hand-labelled model sentences of lab/audit/claims."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from assistant.generators.template import TemplateGenerator
from cli.main import app
from lab.eval.claims import CLAIMS_DIR
from tests.assistant.plans import policy_plan, products_plan

#: Targets on the test split (docs/llm.md, "Claim-level grounding"; lab/audit/claims/README.md): the guard rejects at
#: least 95% of the unsupported sentences, the audit's judge finds at least 93% of them. The evaluation is
#: deterministic (no sampling): the floors sit at the targets.
GUARD_RECALL_TARGET = 0.95
JUDGE_RECALL_TARGET = 0.93


def _eval(folder: Path, *extra: str) -> dict:  # type: ignore[type-arg]
    result = CliRunner().invoke(app, ["eval", "claims", "--json", "--data", str(folder), *extra])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_eval_claims_scores_a_small_labelled_set(tmp_path: Path) -> None:
    """The command on a set written here: real plans, template and sentences of both labels, both splits."""
    rows, replies = [], []
    for n, (plan, sentences) in enumerate([
        (products_plan(), [("The Trailhead Waterproof Rain Jacket costs $89.99.", "supported"),
                           ("The Cityline Packable Shell is the best jacket we sell.", "unsupported")]),
        (policy_plan(), [("You can return most items within 30 days of delivery for a full refund.", "supported"),
                         ("The return policy is a matter of personal discretion.", "unsupported")]),
    ]):
        reply_id = f"r{n}"
        replies.append({"id": reply_id, "action": plan.action, "first_turn": True, "plan": plan.model_dump(mode="json"),
                        "template": TemplateGenerator().generate(plan), "model_text": " ".join(s for s, _ in sentences)})
        for split in ("dev", "test"):
            rows += [{"id": f"{reply_id}{split}#{i}", "reply_id": reply_id, "action": plan.action, "split": split, "sentence": s,
                      "label": label} for i, (s, label) in enumerate(sentences)]
    rows.append({"id": "r0#9", "reply_id": "r0", "action": "show_products", "split": "test", "sentence": "Unlabelled.", "label": None})
    (tmp_path / "replies.jsonl").write_text("".join(json.dumps(r) + "\n" for r in replies))
    (tmp_path / "sentences.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    report = _eval(tmp_path)
    for split in ("test", "dev"):
        part = report[split]
        assert part["sentences"] == 4 and part["unsupported"] == 2
        assert part["judge"]["recall"] == 1.0 and part["judge"]["precision"] == 1.0, report["judge_errors"]
        assert (part["guard"] is None) == (report["guard"] != "available")
    assert report["dev_curve"] and 0.3 <= report["dev_best_threshold"] <= 0.9


def test_eval_claims_on_the_labelled_set() -> None:
    if not (CLAIMS_DIR / "sentences.jsonl").exists() or not (CLAIMS_DIR / "replies.jsonl").exists():
        pytest.skip(f"the labelled claim set is absent ({CLAIMS_DIR}/replies.jsonl and sentences.jsonl)")
    report = _eval(CLAIMS_DIR)
    test, dev = report["test"], report["dev"]
    assert test["sentences"] + dev["sentences"] >= 300 and test["unsupported"] > 0 and dev["unsupported"] > 0
    assert test["judge"]["recall"] >= JUDGE_RECALL_TARGET, (test["judge"], report["judge_errors"][:10])
    assert test["guard"]["recall"] >= GUARD_RECALL_TARGET, test["guard"]
    assert test["guard_rejections_unsupported_or_degenerate"] >= 0.95, test["guard_reasons"]
