"""Checks a model's reply against the reply plan: every price, percentage, discount, figure, product name, stock
claim and policy claim must come from the plan (or the template reply written from it), and the reply must not
echo the system prompt. The shopper's own words never count as facts."""

from __future__ import annotations

import json
import re
from typing import Literal

from pydantic import BaseModel

from assistant.generators.prompting import REWRITE_INSTRUCTION, SHOPPER_TAG, SYSTEM_RULES, rule_words
from dialogue.plan import ReplyPlan

ViolationKind = Literal["price", "percent", "discount", "policy_figure", "number", "product_name", "stock", "policy", "prompt_leak"]

_NUM = r"\d[\d,]*(?:\.\d+)?"
_MONEY = re.compile(rf"(?:US\s?)?[$€£]\s?({_NUM})|({_NUM})\s?(?:USD|EUR|GBP|dollars?|bucks|euros?|pounds?)\b", re.I)
_PERCENT = re.compile(rf"({_NUM})\s?(?:%|percent\b|per cent\b)", re.I)
_FIGURE = re.compile(rf"({_NUM})(?:\s?(?:-|–|to)\s?({_NUM}))?[\s-]*(?:business |working |calendar )?"
                     r"(?:days?|hours?|weeks?|months?|years?|nights?|minutes?)\b", re.I)
_BARE = re.compile(rf"(?<![\w.,]){_NUM}(?![\w])")
_DISCOUNT = re.compile(r"\b(discount\w*|coupons?|promo(?:tion)?s?|promo codes?|vouchers?|markdowns?|clearance|cashback|rebates?|\d+\s?% off)\b", re.I)
_STOCK_OUT = re.compile(r"\b(out of stock|sold out|unavailable)\b", re.I)
_STOCK_COUNT = re.compile(rf"({_NUM})\s+(?:\w+\s+)?(?:left|remaining|in stock|available|units?|pieces?)\b", re.I)
_STOCK_IN = re.compile(r"\b(in stock|available now|ships today)\b", re.I)
_POLICY = re.compile(r"\b(free shipping|free delivery|free returns?|money[- ]back|price match\w*|warrant(?:y|ies)|guarantee[sd]?|"
                     r"refund\w*|exchange[sd]?)\b", re.I)
_CAPWORD = re.compile(r"[A-Z][\w'’&+.-]*|\d[\w.-]*")
#: Capitalised words that start sentences or address the shopper rather than name a product.
_LEADING = {"the", "a", "an", "this", "that", "these", "those", "our", "your", "my", "its", "their", "each", "both", "every",
            "here", "there", "sure", "yes", "only", "just", "no", "hi", "hello", "hey", "i", "i'm", "we", "you", "it", "ok", "okay", "great",
            "thanks", "thank", "please", "sorry", "also", "and", "or", "but", "so", "if", "for", "with", "of", "in", "on"}
_ALWAYS_OK = {"shopassist"}
_LEAK_MARKERS = ("draft reply", "facts:", f"<{SHOPPER_TAG}", f"</{SHOPPER_TAG}", "system prompt", "rules you must", "my instructions")
_SHINGLE = 6


class Violation(BaseModel):
    kind: ViolationKind
    text: str


def _num(raw: str) -> float | None:
    try:
        return float(raw.replace(",", ""))
    except ValueError:
        return None


def _rule_shingles() -> set[tuple[str, ...]]:
    shingles: set[tuple[str, ...]] = set()
    for text in (SYSTEM_RULES, REWRITE_INSTRUCTION):
        words = rule_words(text)
        shingles |= {tuple(words[i : i + _SHINGLE]) for i in range(len(words) - _SHINGLE + 1)}
    return shingles


_RULE_SHINGLES = _rule_shingles()


def leaks_system_prompt(reply: str) -> bool:
    """True when the reply quotes the instructions (any six consecutive words of them) or the prompt's markers."""
    lowered = reply.lower()
    if any(marker in lowered for marker in _LEAK_MARKERS):
        return True
    words = rule_words(reply)
    return any(tuple(words[i : i + _SHINGLE]) in _RULE_SHINGLES for i in range(len(words) - _SHINGLE + 1))


class Grounder:
    """The facts of one plan, ready to check replies against."""

    def __init__(self, plan: ReplyPlan, template_reply: str) -> None:
        dumped = plan.model_dump(mode="json", exclude={"user_text"})
        stock_words = ["in stock" if c.in_stock else "out of stock" for c in plan.products]
        self.corpus = "\n".join([template_reply, json.dumps(dumped, ensure_ascii=False), *stock_words])
        self.lowered = self.corpus.lower()
        self.numbers = {v for raw in re.findall(_NUM, self.corpus) if (v := _num(raw)) is not None}
        money = {v for m in _MONEY.finditer(self.corpus) if (v := _num(m.group(1) or m.group(2))) is not None}
        facts = plan.facts.given()
        self.money = money | plan.allowed_prices() | _fields(facts, ("price", "total", "cost", "amount", "fee", "threshold"))
        self.stock_counts = _fields(facts, ("stock", "left", "available", "remaining", "inventory"))
        self.percents = {v for m in _PERCENT.finditer(self.corpus) if (v := _num(m.group(1))) is not None}
        self.words = set(rule_words(self.corpus))
        self.names = [n.lower() for n in _names(plan)]

    def check(self, reply: str) -> list[Violation]:
        found: list[Violation] = []
        spans: list[tuple[int, int]] = []

        def claim(kind: ViolationKind, match: re.Match[str], values: list[float | None], allowed: set[float]) -> None:
            spans.append(match.span())
            if any(v is not None and not _member(v, allowed) for v in values):
                found.append(Violation(kind=kind, text=match.group(0).strip()))

        for m in _STOCK_COUNT.finditer(reply):
            claim("stock", m, [_num(m.group(1))], self.stock_counts)
        for m in _MONEY.finditer(reply):
            claim("price", m, [_num(m.group(1) or m.group(2))], self.money)
        for m in _PERCENT.finditer(reply):
            claim("percent", m, [_num(m.group(1))], self.percents)
        for m in _FIGURE.finditer(reply):
            claim("policy_figure", m, [_num(m.group(1)), _num(m.group(2)) if m.group(2) else None], self.numbers)
        for m in _BARE.finditer(reply):
            if not any(a <= m.start() < b for a, b in spans) and not _member(_num(m.group(0)) or 0.0, self.numbers):
                found.append(Violation(kind="number", text=m.group(0)))
        for pattern, kind in ((_DISCOUNT, "discount"), (_POLICY, "policy")):
            for m in pattern.finditer(reply):
                words = rule_words(re.sub(r"\d+\s?%", "", m.group(0)))
                if not all(word[:5] in self.lowered for word in words):  # "free shipping" needs "free" and "shipp" in the facts
                    found.append(Violation(kind=kind, text=m.group(0)))  # type: ignore[arg-type]
        for pattern in (_STOCK_OUT, _STOCK_IN):
            for m in pattern.finditer(reply):
                if m.group(0).lower() not in self.lowered:
                    found.append(Violation(kind="stock", text=m.group(0)))
        found += [Violation(kind="product_name", text=name) for name in self._unknown_names(reply)]
        if leaks_system_prompt(reply):
            found.append(Violation(kind="prompt_leak", text=reply[:80]))
        return found

    def _unknown_names(self, reply: str) -> list[str]:
        """Title-like phrases (two or more capitalised words) that no product, brand or fact of the plan contains."""
        unknown: list[str] = []
        for phrase in _title_phrases(reply):
            lowered = phrase.lower()
            if lowered in self.lowered or lowered in _ALWAYS_OK:
                continue
            words = rule_words(phrase)
            if any(all(w in name or w.rstrip("s") in name for w in words) for name in self.names):  # "Shells" names a "Shell"
                continue
            unknown.append(phrase)
        return unknown


def _member(value: float, allowed: set[float]) -> bool:
    return any(abs(value - a) < 0.005 for a in allowed)


def _fields(facts: dict[str, object], words: tuple[str, ...]) -> set[float]:
    """Numbers anywhere in the facts under a key containing one of ``words`` (amounts of money, stock counts)."""
    out: set[float] = set()

    def walk(node: object, key: str = "") -> None:
        if isinstance(node, dict):
            for k, v in node.items():
                walk(v, str(k).lower())
        elif isinstance(node, list):
            for v in node:
                walk(v, key)
        elif isinstance(node, (int, float)) and not isinstance(node, bool) and any(w in key for w in words):
            out.add(float(node))

    walk(facts)
    return out


def _names(plan: ReplyPlan) -> list[str]:
    """Titles, brands, categories and attribute values the reply may name."""
    names = [f"{c.brand or ''} {c.title} {c.category} {' '.join(c.key_attributes.values())}" for c in plan.products]
    names += [line.title for line in plan.cart]
    if plan.comparison is not None:
        names += plan.comparison.titles
    names += [str(v) for v in plan.facts.given().values() if isinstance(v, str)]
    return names


def _title_phrases(text: str) -> list[str]:
    """Runs of two or more capitalised words (sentence-initial filler words dropped)."""
    phrases: list[str] = []
    for line in re.split(r"(?<=[.!?:;,—–()\"“”])\s+|\n", text):
        run: list[str] = []
        for token in [*line.split(), ""]:
            word = token.strip(".,!?:;\"'“”()[]")
            if word and _CAPWORD.fullmatch(word) and not word[0].isdigit() or (run and word[:1].isdigit()):
                run.append(word)
                continue
            while run and run[0].lower() in _LEADING:
                run.pop(0)
            if len(run) >= 2:
                phrases.append(" ".join(run))
            run = []
    return phrases
