"""The scripted-test format and runner themselves: errors name file and line, failures show expected vs actual,
JUnit XML is written, and `shopassist test` exits non-zero on a failing suite."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from lab.scripted.format import SuiteFormatError, parse_suite
from lab.scripted.runner import format_failure, run_suites, write_junit

GOOD_AND_BAD = """\
test_cases:
  - test_case: lamps_pass
    steps:
      - user: "I need a desk lamp under $40"
        expect:
          action: show_products
          products: {min: 1, all: {category: desk lamp, price_max: 40}}
  - test_case: lamps_fail
    steps:
      - user: "I need a desk lamp under $40"
        expect:
          action: [compare, checkout]
          reply_contains: ["no such phrase anywhere"]
"""


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("text", "line", "fragment"),
    [
        ("test_cases:\n  - test_case: a\n    steps:\n      - user: hi\n        expect: {intnet: greet}\n", 5, "intnet"),
        ("test_cases:\n  - test_case: a\n    stpes: []\n", 3, "stpes"),
        ("test_cases:\n  - test_case: a\n    steps:\n      - feedback: {love: 1}\n", 4, "feedback must be"),
        ("test_cases:\n  - test_case: a\n    steps:\n      - user: hi\n  - test_case: a\n    steps:\n      - user: yo\n", 5, "a"),
        ("test_cases:\n  - test_case: a\n    steps:\n      - user: hi\n        expect: {action: greeting}\n", 5, "unknown action(s): greeting"),
        ("test_cases:\n  - test_case: a\n    steps:\n      - user: hi\n        expect:\n          action: [greet, show_product]\n", 6,
         "unknown action(s): show_product"),
    ],
)
def test_format_errors_name_file_and_line(tmp_path: Path, text: str, line: int, fragment: str) -> None:
    path = write(tmp_path, "bad.yml", text)
    with pytest.raises(SuiteFormatError) as caught:
        parse_suite(path)
    message = str(caught.value)
    assert f"bad.yml:{line}" in message and fragment in message


def test_runner_reports_failures_and_writes_junit(assistant, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    suite = write(tmp_path, "lamps.yml", GOOD_AND_BAD)
    report = run_suites(assistant, [suite])
    assert report.summary_line() == "1 passed, 1 failed"
    failed = next(r for r in report.results if not r.passed)
    text = format_failure(failed)
    assert "lamps_fail" in text and "lamps.yml:10" in text
    assert "expected compare or checkout, got show_products" in text and "no such phrase anywhere" in text
    junit = tmp_path / "out" / "junit.xml"
    write_junit(report, junit)
    root = ET.parse(junit).getroot()
    suites = [root] if root.tag == "testsuite" else list(root)
    assert sum(int(s.get("tests", 0)) for s in suites) == 2 and sum(int(s.get("failures", 0)) for s in suites) == 1
    assert any(case.find("failure") is not None and case.get("name") == "lamps_fail" for case in root.iter("testcase"))


ATTRIBUTE_FILTERS = """\
test_cases:
  - test_case: boots_for_men
    steps:
      - user: "black leather boots for men"
        expect: {action: show_products, products: {min: 1, all: {category: boots}, none: {gender: women}}}
  - test_case: misspelt_attribute
    steps:
      - user: "black leather boots for men"
        expect: {action: show_products, products: {none: {gendr: women}}}
"""


def test_any_catalog_attribute_filters_and_a_misspelt_one_fails(assistant, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    report = run_suites(assistant, [write(tmp_path, "boots.yml", ATTRIBUTE_FILTERS)])
    assert report.summary_line() == "1 passed, 1 failed"
    failed = next(r for r in report.results if not r.passed)
    assert failed.case.name == "misspelt_attribute" and "no product shown has a 'gendr' attribute" in format_failure(failed)


def test_cli_exits_non_zero_on_failure(assistant, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    from typer.testing import CliRunner

    from cli import main as cli

    monkeypatch.setattr("assistant.wiring.build_assistant", lambda settings: assistant)
    suite = write(tmp_path, "lamps.yml", GOOD_AND_BAD)
    result = CliRunner().invoke(cli.app, ["test", str(suite), "--junit", str(tmp_path / "j.xml")])
    assert result.exit_code == 1, result.output
    assert "1 passed, 1 failed" in result.output and (tmp_path / "j.xml").is_file()
