"""Every scripted dialogue in tests/dialogues runs under pytest, one test per case, through the full pipeline."""

from __future__ import annotations

from pathlib import Path

import pytest

from lab.scripted.format import TestCase, discover, parse_suite
from lab.scripted.runner import format_failure, run_case

SUITES = Path(__file__).parent / "dialogues"
CASES: list[TestCase] = [case for path in discover([SUITES]) for case in parse_suite(path)]


def test_suites_are_substantial() -> None:
    assert len(CASES) >= 60


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_dialogue(case: TestCase, assistant) -> None:  # type: ignore[no-untyped-def]
    result = run_case(assistant, case)
    assert result.passed, format_failure(result)
