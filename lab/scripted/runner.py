"""Run scripted test cases through the full pipeline, each in a fresh conversation; report text and JUnit XML."""

from __future__ import annotations

import time
import uuid
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

from tqdm import tqdm

from core.errors import ShopAssistError
from lab.scripted.checks import check_step
from lab.scripted.format import Step, TestCase, discover, parse_suite
from assistant.service import ShopAssistant


@dataclass
class CaseResult:
    case: TestCase
    seconds: float = 0.0
    failed_step: Step | None = None
    failures: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.failures


@dataclass
class SuiteReport:
    results: list[CaseResult]

    @property
    def passed(self) -> int:
        return sum(r.passed for r in self.results)

    @property
    def failed(self) -> int:
        return len(self.results) - self.passed

    def summary_line(self) -> str:
        return f"{self.passed} passed, {self.failed} failed"


def run_case(assistant: ShopAssistant, case: TestCase) -> CaseResult:
    started = time.perf_counter()
    result = CaseResult(case=case)
    sender = case.sender or f"test-{uuid.uuid4().hex[:12]}"
    conversation = assistant.start(sender)
    cards: list[str] = []
    for step in case.steps:
        try:
            failures, cards, conversation = _run_step(assistant, step, sender, conversation, cards)
        except ShopAssistError as exc:
            failures = [f"error: {exc}"]
        if failures:
            result.failed_step, result.failures = step, failures
            break
    result.seconds = time.perf_counter() - started
    return result


def _run_step(assistant: ShopAssistant, step: Step, sender: str, conversation: str, cards: list[str]) -> tuple[list[str], list[str], str]:
    if step.reset:
        return [], [], assistant.start(sender)
    if step.feedback is not None:
        kind, number = step.feedback
        if number > len(cards):
            return [f"feedback: card {number} does not exist (the last reply showed {len(cards)})"], cards, conversation
        assistant.feedback(conversation, sender, cards[number - 1], liked=kind == "like")
        return [], cards, conversation
    turn = assistant.handle(conversation, sender, step.user or "")
    state = assistant.state(conversation, sender)
    products = [p for c in turn.plan.products if (p := assistant.products.get(c.product_id))]
    failures = check_step(
        step.expect, intent=turn.plan.intent, action=turn.plan.action, slots=state.turns[-1].slots,
        reply=turn.text, products=products, state=state,
    )
    shown = [c.product_id for c in turn.plan.products]
    return failures, shown or cards, conversation


def run_suites(assistant: ShopAssistant, paths: list[Path], *, progress: bool = True) -> SuiteReport:
    cases = [case for path in discover(paths) for case in parse_suite(path)]
    return SuiteReport(results=[run_case(assistant, case) for case in tqdm(cases, desc="dialogues", disable=not progress)])


def format_failure(result: CaseResult) -> str:
    step = result.failed_step
    said = f" (user: {step.user!r})" if step and step.user else ""
    lines = [f"FAILED {result.case.name} at {step.where if step else result.case.where}{said}"]
    lines += [f"  - {failure}" for failure in result.failures]
    return "\n".join(lines)


def write_junit(report: SuiteReport, path: Path) -> None:
    suite = ET.Element("testsuite", name="shopassist-dialogues", tests=str(len(report.results)), failures=str(report.failed),
                       time=f"{sum(r.seconds for r in report.results):.3f}")
    for result in report.results:
        case = ET.SubElement(suite, "testcase", name=result.case.name, classname=Path(result.case.where.file).stem,
                             file=result.case.where.file, line=str(result.case.where.line), time=f"{result.seconds:.3f}")
        if not result.passed:
            failure = ET.SubElement(case, "failure", message=result.failures[0][:200])
            failure.text = format_failure(result)
    path.parent.mkdir(parents=True, exist_ok=True)
    ET.ElementTree(suite).write(path, encoding="utf-8", xml_declaration=True)
