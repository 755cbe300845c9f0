"""The YAML test-case format, parsed into frozen dataclasses that remember ``file:line`` for every step.

Unknown keys and unknown action names are errors, so a typo never silently passes."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from core.errors import UserError
from dialogue.actions import ACTIONS

EXPECT_KEYS = {"intent", "action", "slots", "products", "cart", "reply_contains", "reply_not_contains", "reply_max_lines",
               "reply_max_words", "handoff"}
#: Limits on the reply's size: at most this many non-empty lines, or words.
LIMIT_KEYS = ("reply_max_lines", "reply_max_words")
PRODUCT_KEYS = {"min", "max", "all", "none", "include", "exclude", "not_seen_disliked"}
CART_KEYS = {"count", "lines", "contains", "total_max"}


class SuiteFormatError(UserError):
    """A test suite that does not follow the format; the message names the file and line."""


@dataclass(frozen=True)
class Where:
    file: str
    line: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}"


@dataclass(frozen=True)
class Step:
    where: Where
    user: str | None = None
    feedback: tuple[str, int] | None = None  # ("like" | "dislike", 1-based card)
    reset: bool = False
    expect: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class TestCase:
    name: str
    where: Where
    steps: tuple[Step, ...]
    sender: str | None = None


# YAML with line numbers ----------------------------------------------------------------------------------
_SCALARS = yaml.SafeLoader("")  # constructs scalars (ints, floats, bools, null) the way safe_load does


class _Located(dict):  # type: ignore[type-arg]
    """A YAML mapping that remembers its own line and each key's line."""

    line: int = 0
    key_lines: dict[Any, int]


def _build(node: yaml.Node) -> Any:
    if isinstance(node, yaml.MappingNode):
        out = _Located()
        out.line = node.start_mark.line + 1
        out.key_lines = {}
        for key_node, value_node in node.value:
            key = _build(key_node)
            out[key] = _build(value_node)
            out.key_lines[key] = key_node.start_mark.line + 1
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_build(item) for item in node.value]
    return _SCALARS.construct_object(node, deep=True)


def load_yaml_with_lines(path: Path) -> Any:
    try:
        node = yaml.compose(path.read_text(encoding="utf-8"), Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f":{mark.line + 1}" if mark else ""
        raise SuiteFormatError(f"{path}{line}: not valid YAML: {getattr(exc, 'problem', exc)}") from exc
    return None if node is None else _build(node)


# Parsing ----------------------------------------------------------------------------------------------
def _fail(path: Path, line: int, message: str) -> SuiteFormatError:
    return SuiteFormatError(f"{path}:{line}: {message}")


def _check_keys(path: Path, mapping: _Located, allowed: set[str], what: str) -> None:
    unknown = sorted(set(mapping) - allowed, key=lambda key: mapping.key_lines.get(key, 0))
    if unknown:
        raise _fail(path, mapping.key_lines.get(unknown[0], mapping.line), f"unknown key(s) in {what}: {', '.join(map(str, unknown))} (allowed: {', '.join(sorted(allowed))})")


def _parse_expect(path: Path, expect: Any, line: int) -> dict[str, Any]:
    if not isinstance(expect, _Located):
        raise _fail(path, line, "expect must be a mapping")
    _check_keys(path, expect, EXPECT_KEYS, "expect")
    if "action" in expect:
        wanted = expect["action"] if isinstance(expect["action"], list) else [expect["action"]]
        unknown = [str(action) for action in wanted if action not in ACTIONS]
        if unknown:
            raise _fail(path, expect.key_lines.get("action", expect.line),
                        f"unknown action(s): {', '.join(unknown)} (actions: {', '.join(ACTIONS)})")
    products = expect.get("products")
    if products is not None:
        if not isinstance(products, _Located):
            raise _fail(path, expect.line, "products must be a mapping")
        _check_keys(path, products, PRODUCT_KEYS, "products")
        for key in ("all", "none"):
            if key in products:
                if not isinstance(products[key], _Located):
                    raise _fail(path, products.line, f"products.{key} must be a mapping of filters")
                # any other key is a catalog attribute (gender, waterproof): checked when the step runs
                # (scripted.checks: one that no product shown has fails as a likely typo)
    cart = expect.get("cart")
    if cart is not None:
        if not isinstance(cart, _Located):
            raise _fail(path, expect.line, "cart must be a mapping")
        _check_keys(path, cart, CART_KEYS, "cart")
    for key in ("reply_contains", "reply_not_contains"):
        if key in expect and isinstance(expect[key], str):
            expect[key] = [expect[key]]
    for key in LIMIT_KEYS:
        if key in expect and (isinstance(expect[key], bool) or not isinstance(expect[key], int) or expect[key] < 1):
            raise _fail(path, expect.key_lines.get(key, expect.line), f"{key} must be a positive whole number")
    return dict(expect)


def _parse_step(path: Path, raw: Any, case_line: int) -> Step:
    if not isinstance(raw, _Located):
        raise _fail(path, case_line, "each step must be a mapping with user, feedback or reset")
    where = Where(str(path), raw.line)
    kinds = [k for k in ("user", "feedback", "reset") if k in raw]
    if len(kinds) != 1:
        raise _fail(path, raw.line, "a step needs exactly one of: user, feedback, reset")
    _check_keys(path, raw, {kinds[0], "expect"}, "step")
    expect = _parse_expect(path, raw["expect"], raw.line) if "expect" in raw else {}
    if kinds[0] == "user":
        if not isinstance(raw["user"], str):
            raise _fail(path, raw.line, "user must be a string")
        return Step(where=where, user=raw["user"], expect=expect)
    if kinds[0] == "reset":
        return Step(where=where, reset=bool(raw["reset"]), expect=expect)
    fb = raw["feedback"]
    if not isinstance(fb, _Located) or len(fb) != 1 or next(iter(fb)) not in {"like", "dislike"}:
        raise _fail(path, raw.line, "feedback must be {like: N} or {dislike: N}")
    kind, card = next(iter(fb.items()))
    if not isinstance(card, int) or card < 1:
        raise _fail(path, raw.line, "feedback card number must be a positive integer (1-based)")
    return Step(where=where, feedback=(kind, card), expect=expect)


def parse_suite(path: Path) -> list[TestCase]:
    data = load_yaml_with_lines(path)
    if not isinstance(data, _Located) or "test_cases" not in data:
        raise SuiteFormatError(f"{path}:1: a suite is a mapping with a test_cases list")
    _check_keys(path, data, {"test_cases", "version"}, "suite")
    cases: list[TestCase] = []
    seen: set[str] = set()
    for raw in data["test_cases"] or []:
        if not isinstance(raw, _Located):
            raise _fail(path, data.line, "each test case must be a mapping")
        _check_keys(path, raw, {"test_case", "sender", "steps"}, "test case")
        name = raw.get("test_case")
        if not isinstance(name, str) or not name:
            raise _fail(path, raw.line, "test_case needs a name")
        if name in seen:
            raise _fail(path, raw.line, f"duplicate test_case name {name!r}")
        seen.add(name)
        steps = raw.get("steps")
        if not isinstance(steps, list) or not steps:
            raise _fail(path, raw.line, f"test case {name!r} has no steps")
        sender = raw.get("sender")
        cases.append(TestCase(name=name, where=Where(str(path), raw.line), steps=tuple(_parse_step(path, s, raw.line) for s in steps),
                              sender=str(sender) if sender is not None else None))
    return cases


def discover(paths: list[Path]) -> list[Path]:
    """YAML files named by ``paths`` (files, or folders searched recursively), sorted."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found += sorted(p for p in path.rglob("*") if p.suffix in {".yml", ".yaml"})
        elif path.exists():
            found.append(path)
        else:
            raise UserError(f"No such test suite: {path}")
    return found
