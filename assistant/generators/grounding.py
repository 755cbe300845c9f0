"""Checks a model's reply against the reply plan: every price, percentage, discount, figure, product name, stock
claim and policy claim must come from the plan (or the template reply written from it), and the reply must not
echo the system prompt. The shopper's own words never count as facts.

Chinese replies are checked the same way: prices in ¥/￥, 元, 块 or 人民币 (¥1,299.00, 1299元, 一千二百九十九块), numbers in
Chinese numerals (一百二十, 两千五, 1.5万), figures with Chinese units (3–5个工作日, 30天), percentages (百分之三十),
discounts (八折, 优惠券), stock (缺货, 仅剩3件) and policy words (包邮, 退款, 保修). Chinese product names are not
checked (they have no capitals to find them by)."""

from __future__ import annotations

import json
import re
from typing import Literal, Protocol

from pydantic import BaseModel

from assistant.generators import zh_text
from assistant.generators.prompting import LANGUAGE_INSTRUCTIONS, REWRITE_INSTRUCTION, SHOPPER_TAG, SYSTEM_RULES, rule_words
from dialogue.plan import ReplyPlan

ViolationKind = Literal["price", "percent", "discount", "policy_figure", "number", "product_name", "stock", "policy", "prompt_leak"]

_NUM = r"\d[\d,]*(?:\.\d+)?"
_MONEY = re.compile(rf"(?:US\s?)?[$€£]\s?({_NUM})|({_NUM})\s?(?:USD|EUR|GBP|dollars?|bucks|euros?|pounds?)\b", re.I)
_PERCENT = re.compile(rf"({_NUM})\s?(?:%|percent\b|per cent\b)", re.I)
_FIGURE = re.compile(rf"({_NUM})(?:\s?(?:-|–|to)\s?({_NUM}))?[\s-]*(?:business |working |calendar )?"
                     r"(?:days?|hours?|weeks?|months?|years?|nights?|minutes?)\b", re.I)
_BARE = re.compile(rf"(?<![\w.,]){_NUM}(?![\w]|[.,]\d)")  # not the "6" of "6.1英寸" (a number before Chinese is theirs)
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

# Chinese claims (see the module doc); an amount is digits or Chinese numerals (``zh_text.AMOUNT``)
_AMOUNT = zh_text.AMOUNT
#: Not inside a number, and not an ordinal ("第二天", "第一百"): what may come before an amount.
_LEAD = r"(?<![第零〇一二两三四五六七八九十百千万亿.,\d])"
_MONEY_ZH = re.compile(rf"[¥￥]\s?({_NUM}(?:\s?[万千])?)|(?:人民币|RMB|CNY)\s?({_AMOUNT})|"
                       rf"{_LEAD}({_AMOUNT})\s?(?:元|块钱?|圆|人民币|美元|美金|欧元|英镑)", re.I)
_PERCENT_ZH = re.compile(rf"百分之({_AMOUNT})")
_FIGURE_ZH = re.compile(rf"{_LEAD}({_AMOUNT})(?:\s?[-–~到至]\s?({_AMOUNT}))?\s?个?(?:工作日|自然日|天|日|小时|钟头|周|星期|月|年|晚|分钟)")
_NUMERAL_ZH = re.compile(rf"{_LEAD}{zh_text.NUMERAL}")
_BARE_CJK = re.compile(rf"(?<![A-Za-z0-9_.,]){_NUM}(?![A-Za-z0-9_])")
_STOCK_COUNT_ZH = re.compile(rf"(?:还剩|仅剩|只剩|剩余|剩下|库存|现货)\s?({_AMOUNT})")
#: Discount words: each must be in the plan as written.
_DISCOUNT_ZH = re.compile(r"折扣|打折|(?:\d+(?:\.\d+)?|[一二三四五六七八九])折(?!叠)|优惠券?|促销|满减|返现|红包|立减|清仓|特价|秒杀|限时")
#: Policy words, each allowed by any of its synonyms in the plan, English ones included (a Chinese reply to a plan whose
#: policy text is English: "refund" allows 退款).
_POLICY_ZH: dict[str, tuple[str, ...]] = {
    "包邮": ("包邮", "免运费", "免邮", "免费配送", "免费送货", "运费全免", "free shipping", "free delivery"),
    "免运费": ("包邮", "免运费", "免邮", "免费配送", "免费送货", "运费全免", "free shipping", "free delivery"),
    "免邮": ("包邮", "免运费", "免邮", "免费配送", "free shipping"),
    "免费配送": ("包邮", "免运费", "免费配送", "免费送货", "free shipping", "free delivery"),
    "免费退货": ("免费退货", "退货免运费", "退货运费全免", "free return", "return shipping is free"),
    "无理由退货": ("无理由退货",),
    "退款": ("退款", "refund"),
    "退货": ("退货", "return"),
    "换货": ("换货", "exchange"),
    "保修": ("保修", "质保", "warrant"),
    "质保": ("保修", "质保", "warrant"),
    "保价": ("保价", "价格保护", "price match"),
    "价格保护": ("保价", "价格保护", "price match"),
    "运费险": ("运费险",),
    "三包": ("三包",),
}
_POLICY_ZH_WORDS = re.compile("|".join(sorted(_POLICY_ZH, key=len, reverse=True)))
#: Stock words, allowed by any word of the same kind in the plan (the plan's cards add 有货 or 缺货 for a zh reply).
_STOCK_ZH: dict[str, tuple[str, ...]] = {
    "out": ("缺货", "售罄", "卖完", "没货", "无货", "断货", "卖光", "out of stock", "sold out"),
    "in": ("有货", "现货", "库存充足", "in stock"),
}
_STOCK_ZH_WORDS = {word: kind for kind, words in _STOCK_ZH.items() for word in words if zh_text.has_cjk(word)}
_STOCK_ZH_PATTERN = re.compile("|".join(sorted(_STOCK_ZH_WORDS, key=len, reverse=True)))
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
    for text in (SYSTEM_RULES, REWRITE_INSTRUCTION, *LANGUAGE_INSTRUCTIONS.values()):
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
        dumped = plan.model_dump(mode="json", exclude={"user_text", "language"})
        stock_words = ["in stock" if c.in_stock else "out of stock" for c in plan.products]
        stock_words += ["有货" if c.in_stock else "缺货" for c in plan.products] if plan.language == "zh" else []
        self.corpus = "\n".join([template_reply, json.dumps(dumped, ensure_ascii=False), *stock_words])
        self.lowered = self.corpus.lower()
        self.numbers = {v for raw in re.findall(_NUM, self.corpus) if (v := _num(raw)) is not None}
        money = {v for m in _MONEY.finditer(self.corpus) if (v := _num(m.group(1) or m.group(2))) is not None}
        if zh_text.has_cjk(self.corpus):  # amounts written in Chinese count as facts too
            self.numbers |= zh_text.numbers_in(self.corpus)
            money |= chinese_amounts(self.corpus)
        facts = plan.facts.given()
        self.money = money | plan.allowed_prices() | _fields(facts, ("price", "total", "cost", "amount", "fee", "threshold"))
        self.stock_counts = _fields(facts, ("stock", "left", "available", "remaining", "inventory"))
        self.percents = {v for m in _PERCENT.finditer(self.corpus) if (v := _num(m.group(1))) is not None}
        self.percents |= {v for m in _PERCENT_ZH.finditer(self.corpus) if (v := zh_text.parse_amount(m.group(1))) is not None}
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
        if zh_text.has_cjk(reply):
            found += self._check_chinese(reply, spans, claim)
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

    def _check_chinese(self, reply: str, spans: list[tuple[int, int]], claim: _Claim) -> list[Violation]:
        """The Chinese claims of a reply (``claim`` records the numeric ones into the shared violations and ``spans``);
        returns the word claims' violations."""
        found: list[Violation] = []
        text = zh_text.IDIOMS.sub(lambda m: " " * len(m.group(0)), reply)  # same offsets, no idiom read as a number
        for m in _STOCK_COUNT_ZH.finditer(text):
            claim("stock", m, [zh_text.parse_amount(m.group(1))], self.stock_counts)
        for m in _MONEY_ZH.finditer(text):
            raw = next((g for g in m.groups() if g), "")
            if m.group(0).endswith("块") and len(raw) == 1 and not raw.isdigit():
                continue  # "一块手表", "两块电池": a measure word, not money
            if not _inside(m.start(), spans):
                claim("price", m, [_amount(m)], self.money)
        for m in _PERCENT_ZH.finditer(text):
            claim("percent", m, [zh_text.parse_amount(m.group(1))], self.percents)
        for m in _FIGURE_ZH.finditer(text):
            if not _inside(m.start(), spans):
                high = zh_text.parse_amount(m.group(2)) if m.group(2) else None
                claim("policy_figure", m, [zh_text.parse_amount(m.group(1)), high], self.numbers)
        for m in _BARE_CJK.finditer(text):  # digits beside Chinese characters (which the English pattern skips)
            if not _inside(m.start(), spans) and not _member(_num(m.group(0)) or 0.0, self.numbers):
                found.append(Violation(kind="number", text=m.group(0)))
                spans.append(m.span())
        for m in _NUMERAL_ZH.finditer(text):  # 一百二十: numerals with a unit; a lone 一 or 两 is a word ("一下", "两款")
            raw = m.group(0)
            if _inside(m.start(), spans) or len(raw) < 2 or not any(u in raw for u in "十百千万亿"):
                continue
            value = zh_text.parse_numeral(raw)
            if value is not None and not _member(float(value), self.numbers):
                found.append(Violation(kind="number", text=raw))
        for m in _DISCOUNT_ZH.finditer(text):
            if m.group(0) not in self.corpus:
                found.append(Violation(kind="discount", text=m.group(0)))
        for m in _POLICY_ZH_WORDS.finditer(text):
            if not any(word in self.lowered for word in _POLICY_ZH[m.group(0)]):
                found.append(Violation(kind="policy", text=m.group(0)))
        for m in _STOCK_ZH_PATTERN.finditer(text):
            if not any(word in self.lowered for word in _STOCK_ZH[_STOCK_ZH_WORDS[m.group(0)]]):
                found.append(Violation(kind="stock", text=m.group(0)))
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


class _Claim(Protocol):
    def __call__(self, kind: ViolationKind, match: re.Match[str], values: list[float | None], allowed: set[float]) -> None: ...


def _inside(start: int, spans: list[tuple[int, int]]) -> bool:
    return any(a <= start < b for a, b in spans)


def _amount(match: re.Match[str]) -> float | None:
    """The amount of a ``_MONEY_ZH`` match, whichever of its forms matched."""
    raw = next((g for g in match.groups() if g), None)
    return zh_text.parse_amount(raw) if raw else None


def chinese_amounts(text: str) -> set[float]:
    """The amounts of money ``text`` writes the Chinese way (¥1,299.00, 1299元, 一千二百九十九块)."""
    return {v for m in _MONEY_ZH.finditer(text) if (v := _amount(m)) is not None}


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
