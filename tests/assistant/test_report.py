"""The merchants' report (issue 20, item 4, the terminal part): figures read from a conversation store that scripted
conversations with known counts filled, through the real assistant, and `shopassist report --json` over it."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from typer.testing import CliRunner

from cli.main import app
from core.settings import get_settings
from dialogue.report import build_report

CONVERSATIONS = {
    "shopper-cart": ["wireless headphones", "add the first one to my cart"],
    "shopper-missing": ["purple titanium hiking boots under $5", "talk to a person"],
    "shopper-question": ["I need a blender", "does the first one come with a carrying case"],
}


@pytest.fixture(scope="module")
def filled(assistant_factory):  # type: ignore[no-untyped-def]
    assistant = assistant_factory()
    started = datetime.now(UTC)
    for sender, messages in CONVERSATIONS.items():
        conversation = assistant.start(sender)
        for text in messages:
            result = assistant.handle(conversation, sender, text)
        if sender == "shopper-cart":
            assistant.feedback(conversation, sender, result.plan.cart[0].product_id, liked=True)
    return assistant, started


def test_the_report_counts_what_the_conversations_did(filled) -> None:  # type: ignore[no-untyped-def]
    assistant, started = filled
    report = build_report(assistant.states, started - timedelta(seconds=1), datetime.now(UTC) + timedelta(seconds=1))
    assert report.conversations == report.conversations_started == 3
    assert report.turns == 6
    assert report.handoffs == 1 and report.handoff_reasons[0].count == 1
    assert report.searches_without_results == 1
    assert "$5.00" in report.search_words_without_results[0].value, report.search_words_without_results
    assert report.unanswered_questions == 1
    assert [c.value for c in report.unanswered_question_texts] == ["does the first one come with a carrying case"]
    assert {c.value for c in report.categories_asked} >= {"Headphones", "Boots", "Blenders"}, report.categories_asked
    assert report.conversations_adding_to_cart == 1 and report.add_to_cart_rate == pytest.approx(1 / 3, abs=1e-3)
    assert report.feedback["like"] == 1
    assert sum(d.turns for d in report.days) == 6 and sum(d.handoffs for d in report.days) == 1
    assert max(d.conversations for d in report.days) >= 1 and report.days[-1].day == datetime.now(UTC).date()

    before = build_report(assistant.states, started - timedelta(days=2), started - timedelta(days=1))
    assert before.conversations == before.turns == 0 and before.add_to_cart_rate == 0.0


def test_report_command_prints_the_same_as_json(filled, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    assistant, _ = filled
    monkeypatch.setenv("SHOPASSIST_DATABASE_URL", assistant.settings.resolved_database_url)
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(app, ["report", "--since", "1d", "--json"])
        assert result.exit_code == 0, result.output
        data = json.loads(result.output)
        assert data["conversations"] == 3 and data["turns"] == 6 and data["handoffs"] == 1
        tables = CliRunner().invoke(app, ["report", "--since", "1d"])
        assert tables.exit_code == 0 and "per day (UTC)" in tables.output and "talk to a person" in tables.output
        refused = CliRunner().invoke(app, ["report", "--since", "yesterday"])
        assert refused.exit_code != 0 and "Not a period or a date" in str(refused.exception or refused.output)
    finally:
        get_settings.cache_clear()
