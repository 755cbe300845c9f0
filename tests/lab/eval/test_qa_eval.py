"""`shopassist eval qa` on the demo catalog: the question set through the real assistant, at the issue's targets."""

from __future__ import annotations

from lab.eval.qa import PATTERNS, REPORTED_SEED, evaluate_qa


def test_question_set_size() -> None:
    assert len(PATTERNS) >= 40


def test_product_questions_meet_the_targets_on_the_demo_catalog(assistant) -> None:  # type: ignore[no-untyped-def]
    products = assistant.manager.products.products()
    report = evaluate_qa(assistant, products, catalog="demo", seed=REPORTED_SEED, per_category=6, max_categories=20,
                         progress=False)
    assert report.categories >= 15 and report.cases >= 80
    assert report.accuracy >= 0.9, report.errors
    assert report.replies_with_invented_values == 0, [e for e in report.errors if e.invented]
    assert report.doesnt_say_precision is None or report.doesnt_say_precision >= 0.9
