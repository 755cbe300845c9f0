"""The scripted format's reply-size checks: reply_max_lines and reply_max_words parse, validate and fail readably."""

from __future__ import annotations

from pathlib import Path

import pytest

from dialogue.state import ConversationState
from lab.scripted.checks import check_step
from lab.scripted.format import SuiteFormatError, parse_suite

SUITE = """\
test_cases:
  - test_case: short_answers
    steps:
      - user: "compare the first two"
        expect: {action: compare, reply_max_lines: 3, reply_max_words: 60}
"""


def _check(expect: dict[str, object], reply: str) -> list[str]:
    return check_step(expect, intent="compare", action="compare", slots={}, reply=reply, products=[],
                      state=ConversationState(conversation_id="c", sender="s"))


def test_limits_parse(tmp_path: Path) -> None:
    path = tmp_path / "ok.yml"
    path.write_text(SUITE, encoding="utf-8")
    (case,) = parse_suite(path)
    assert case.steps[0].expect["reply_max_lines"] == 3 and case.steps[0].expect["reply_max_words"] == 60


@pytest.mark.parametrize("value", ["three", 0, -2, "true"])
def test_a_limit_must_be_a_positive_whole_number(tmp_path: Path, value: object) -> None:
    path = tmp_path / "bad.yml"
    path.write_text(SUITE.replace("reply_max_lines: 3", f"reply_max_lines: {value}"), encoding="utf-8")
    with pytest.raises(SuiteFormatError) as caught:
        parse_suite(path)
    assert "bad.yml:5" in str(caught.value) and "reply_max_lines must be a positive whole number" in str(caught.value)


def test_lines_and_words_are_counted() -> None:
    reply = "The A has the lowest price ($10.00).\n\nThe B has the best rating (4.5★).\n"
    assert _check({"reply_max_lines": 2, "reply_max_words": 14}, reply) == []
    (lines,) = _check({"reply_max_lines": 1}, reply)
    assert lines.startswith("reply_max_lines: expected at most 1 lines, got 2")
    (words,) = _check({"reply_max_words": 5}, reply)
    assert words.startswith("reply_max_words: expected at most 5 words, got 14")
