"""Store policies (returns, shipping, ...) answered only from ``data/policies.yml``, and in Chinese from its
translation beside it (``data/policies_zh.yml``: the same sections, keys and figures).

Amounts are written as placeholders ("free on orders of {free_shipping} or more") and stated in the shop's currency:
each policy file gives the ``amounts`` of a shop selling in its ``currency`` (policies.yml: USD, policies_zh.yml: CNY),
and a book answers, in either language, with the amounts of its shop's currency, formatted by ``core.money``."""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, Field

from core.money import money
from dialogue.policy_clauses import (
    Clause,
    ClauseRanker,
    Embed,
    Language,
    clauses_of,
    query_terms,
    tokenize_zh,
)
from retrieval.lexical import tokenize

#: Words that point at a policy topic when the intent alone does not say which.
TOPIC_WORDS: dict[str, tuple[str, ...]] = {
    "returns": ("return", "refund", "exchange", "send back", "money back"),
    "shipping": ("ship", "deliver", "delivery", "postage", "courier", "arrive", "international"),
    "cancellation": ("cancel",),
    "warranty": ("warranty", "warranties", "guarantee", "broken", "defect"),
    "price_match": ("price match", "price-match", "cheaper elsewhere", "price guarantee", "match the price", "match a price",
                    "match their price", "price drop"),
    "payment": ("pay", "payment", "card", "paypal", "installment", "klarna", "cash on delivery", "crypto", "bitcoin", "sales tax"),
    "contact": ("contact", "phone", "hours", "human", "agent", "email", "call you", "customer service", "customer care",
                "are you open", "open on"),
}
#: The same in Chinese (matched as written: Chinese has no case and no spaces between words).
TOPIC_WORDS_ZH: dict[str, tuple[str, ...]] = {
    "returns": ("退货", "退款", "换货", "退换", "无理由", "退钱", "七天无理由", "7天无理由", "寄回", "能退", "可以退", "退吗", "怎么退",
                "换尺码", "换颜色", "换个码"),
    "shipping": ("运费", "包邮", "免邮", "发货", "快递", "配送", "送货", "物流", "几天到货", "多久到货", "几天能到", "多久能到", "到货",
                 "送到", "寄到", "次日达", "加急", "收货地址", "改地址", "签收", "没收到", "关税", "国际", "海外"),
    "cancellation": ("取消", "能取消", "取消吗", "取消订单"),
    "warranty": ("保修", "质保", "保固", "三包", "坏了", "故障", "质量问题"),
    "price_match": ("保价", "价格保护", "比价", "降价", "差价", "别家更便宜", "价格匹配"),
    "payment": ("支付", "付款", "分期", "信用卡", "借记卡", "银行卡", "花呗", "微信支付", "支付宝", "货到付款", "扣款", "税"),
    "contact": ("客服", "人工", "电话", "联系", "邮箱", "营业时间", "上班时间", "在线时间"),
}
INTENT_TOPICS = {"return_policy": "returns", "return_item": "returns", "shipping_info": "shipping", "cancel_order": "cancellation"}


#: "the whole / full / entire / complete … policy", "everything about returns": the whole section, not clauses.
WHOLE_SECTION = re.compile(
    r"\b(whole|full|entire|complete)\s+(?:[\w'-]+\s+){0,3}?(policy|policies|details|terms|rules|text|section|info|information)\b"
    r"|\b(everything|all)\s+(?:\w+\s+){0,2}(about|on|regarding)\b|\ball (the|your) (details|rules|terms)\b|\bin full\b"
)
#: Clauses given for a question that names its topic and nothing more ("what is your return policy").
OVERVIEW_CLAUSES = 3
#: Words that name no particular clause (beyond the question words ``dialogue.policy_clauses`` drops).
GENERAL_WORDS = "something anything thing things stuff item items order orders product products purchase bought pls plz ur"
_ORDER_ID = re.compile(r"\bord-?\d+\b", re.IGNORECASE)
#: "完整的退货政策", "全部规定", "详细说明一下运费": the whole section, in Chinese.
WHOLE_SECTION_ZH = re.compile(r"(完整|全部|整个|所有|全文|详细|具体)的?.{0,8}?(政策|规定|条款|规则|说明|内容|细则)|政策全文|全部内容")
#: Chinese words that name no particular clause.
GENERAL_WORDS_ZH = "东西 商品 产品 订单 买的 购买 物品 宝贝 这个 那个"
#: The words a Chinese question names a section by as a whole, as the English one does by the section's own name and
#: title ("return policy": the summary, not the clauses that happen to say "return"): "退货政策是怎样的", "不合适能退吗".
SECTION_WORDS_ZH: dict[str, str] = {
    "returns": "退货 退换货 退换 能退 可以退 退吗 怎么退",
    "shipping": "配送 快递 物流",
    "cancellation": "取消",
    "price_match": "保价 价格保护",
    "payment": "支付 付款",
    "contact": "客服 联系",
}
#: Where the Chinese translation of a policy file lies: beside it, "_zh" added to its name.
TRANSLATION_SUFFIX = {"zh": "_zh"}
#: An amount (or the currency's name) in policy text: "{free_shipping}", "{currency}".
_PLACEHOLDER = re.compile(r"\{(\w+)\}")

log = logging.getLogger(__name__)


class PolicyAnswer(BaseModel):
    topic: str
    title: str
    sentences: list[str]
    name: str = Field(default="", description='How replies name the section: "returns policy".')
    whole: bool = Field(default=True, description="The whole section; otherwise the clauses that answer a question.")


def wants_whole_section(text: str) -> bool:
    return WHOLE_SECTION.search(text.lower()) is not None or WHOLE_SECTION_ZH.search(text) is not None


def _policies_of(path: Path) -> tuple[dict[str, Any], dict[str, str]]:
    """The sections of a policy file, and the labels of its keys (a translation's ``labels``)."""
    raw = _read(path)
    labels = raw.get("labels") if "policies" in raw else None
    return raw.get("policies", raw), {str(k): str(v) for k, v in (labels or {}).items()}


def _read(path: Path) -> dict[str, Any]:
    raw = yaml.safe_load(path.read_text()) or {}
    return raw if isinstance(raw, dict) else {}


class PolicyMoney(BaseModel):
    """What a policy file says about money: the currency its ``amounts`` are in, and how it names currencies."""

    currency: str = "USD"
    amounts: dict[str, float] = Field(default_factory=dict)
    currency_names: dict[str, str] = Field(default_factory=dict)

    @classmethod
    def of(cls, path: Path) -> PolicyMoney:
        raw = _read(path)
        return cls.model_validate({k: raw[k] for k in ("currency", "amounts", "currency_names") if k in raw and "policies" in raw})


def fill_amounts(node: Any, values: dict[str, str]) -> Any:
    """A policy node with its placeholders replaced by ``values`` (a placeholder without a value stays as written)."""
    if isinstance(node, str):
        return _PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), node)
    if isinstance(node, list):
        return [fill_amounts(item, values) for item in node]
    if isinstance(node, dict):
        return {key: fill_amounts(value, values) for key, value in node.items()}
    return node


class PolicyBook:
    """The policy sections of a YAML file. A section answers as a whole, or by the few clauses that answer a question.

    Every method that returns policy text takes a ``language``: "en" (the default) reads ``path``, "zh" its Chinese
    translation (``translations["zh"]``, by default ``policies_zh.yml`` beside it). A section the translation lacks,
    or a book without one, answers in English. ``currency``: the shop's (default: the currency of ``path``'s amounts);
    amounts are stated in it whatever the language."""

    def __init__(self, path: Path, translations: dict[Language, Path] | None = None, currency: str | None = None) -> None:
        self.sections, _ = _policies_of(path)
        self._rankers: dict[tuple[Language, str], ClauseRanker] = {}
        self._translated: dict[Language, tuple[dict[str, Any], dict[str, str]]] = {}
        if translations is None:
            translations = {lang: path.with_name(f"{path.stem}{suffix}{path.suffix}") for lang, suffix in TRANSLATION_SUFFIX.items()}
        money_of: dict[Language, PolicyMoney] = {"en": PolicyMoney.of(path)}
        for language, translation in translations.items():
            if translation.exists():
                self._translated[language] = _policies_of(translation)
                money_of[language] = PolicyMoney.of(translation)
        #: ``amounts``: those of the shop's currency ({"free_shipping": 50.0, …}), for answers that compute with them.
        self.currency, self.amounts, self._values = self._amounts(money_of, (currency or money_of["en"].currency).upper())

    @staticmethod
    def _amounts(money_of: dict[Language, PolicyMoney], currency: str) -> tuple[str, dict[str, float], dict[Language, dict[str, str]]]:
        """The shop's currency, the amounts of the policy file written for that currency (the main file's, with a
        warning, when none is) and, per language, the text of each placeholder: those amounts, and the currency's name
        in that language."""
        tables = {m.currency.upper(): m.amounts for m in money_of.values() if m.amounts}
        if currency not in tables:
            fallback = money_of["en"].currency.upper()
            log.warning("policies.no_amounts currency=%s: stating the amounts of %s", currency, fallback)
            currency = fallback
        amounts = tables.get(currency, {})
        written = {key: money(value, currency, short=True) for key, value in amounts.items()}
        values = {lang: {**written, "currency": m.currency_names.get(currency, currency)} for lang, m in money_of.items()}
        return currency, amounts, values

    def languages(self) -> list[Language]:
        return ["en", *self._translated]

    def _section(self, topic: str, language: Language) -> tuple[Any, Language]:
        """The section in ``language`` when there is one, else in English (and the language it is in)."""
        sections, _ = self._translated.get(language, ({}, {}))
        return (sections[topic], language) if language != "en" and topic in sections else (self.sections[topic], "en")

    def topics(self) -> list[str]:
        return list(self.sections)

    def topic_for(self, text: str, intent: str | None) -> str | None:
        """The section a message is about: the intent's own section when the message names it or names none, else
        the first section it names ("is there a warranty on laptops", classified as a returns question: warranty).
        Chinese messages name sections with ``TOPIC_WORDS_ZH``."""
        lowered = text.lower()
        words_of = {t: (*TOPIC_WORDS.get(t, ()), *TOPIC_WORDS_ZH.get(t, ())) for t in dict.fromkeys([*TOPIC_WORDS, *TOPIC_WORDS_ZH])}
        longest = {t: max((len(w) for w in words if w in lowered), default=0) for t, words in words_of.items() if t in self.sections}
        named = sorted((t for t, size in longest.items() if size), key=lambda t: -longest[t])  # "cash on delivery": payment
        own = INTENT_TOPICS.get(intent or "")
        if own in self.sections and (own in named or not named):
            return own
        return named[0] if named else None

    def title(self, topic: str, language: Language = "en") -> str:
        section, _ = self._section(topic, language)
        return str(section.get("title", topic.replace("_", " ").title())) if isinstance(section, dict) else topic.title()

    def name(self, topic: str, language: Language = "en") -> str:
        """How a reply names the section: its ``name`` in the YAML, else "<topic> policy" (a translation: its title)."""
        section, written_in = self._section(topic, language)
        named = section.get("name") if isinstance(section, dict) else None
        if named:
            return str(named)
        return self.title(topic, language) if written_in != "en" else f"{topic.replace('_', ' ')} policy"

    def clauses(self, topic: str, language: Language = "en") -> list[Clause]:
        return self.ranker(topic, language).clauses

    def ranker(self, topic: str, language: Language = "en") -> ClauseRanker:
        section, written_in = self._section(topic, language)
        key = (written_in, topic)
        if key not in self._rankers:
            section = fill_amounts(section, self._values.get(written_in, {}))
            if written_in == "en":
                self._rankers[key] = ClauseRanker(clauses_of(section))
            else:
                labels = self._translated[written_in][1]
                self._rankers[key] = ClauseRanker(clauses_of(section, language=written_in, labels=labels), language=written_in)
        return self._rankers[key]

    def clauses_under(self, topic: str, keys: list[str], language: Language = "en") -> list[str]:
        """The clauses written under ``keys`` of ``topic`` (those the section has), in the order of ``keys``."""
        if topic not in self.sections:
            return []
        section, written_in = self._section(topic, language)
        section = fill_amounts(section, self._values.get(written_in, {}))
        labels = self._translated[written_in][1] if written_in != "en" else None
        return [c.text for key in keys if isinstance(section, dict) and key in section
                for c in clauses_of({key: section[key]}, language=written_in, labels=labels)]

    def answer(self, topic: str, language: Language = "en") -> PolicyAnswer:
        """The whole section."""
        return PolicyAnswer(topic=topic, title=self.title(topic, language), name=self.name(topic, language), whole=True,
                            sentences=[c.text for c in self.clauses(topic, language)])

    def answer_question(self, topic: str, text: str, embed: Embed | None = None, *, limit: int = 3,
                        only_when_matched: bool = False, language: Language = "en") -> PolicyAnswer:
        """The clauses of ``topic`` that answer ``text`` (at most ``limit``), or the whole section when asked for it.

        A question that names the topic and nothing more gets the section's first clauses (its summary); so does one
        whose words are in no clause when ``only_when_matched`` (a return request: "return the backpack").
        ``language``: the language of the clauses given (the question may be in either)."""
        if wants_whole_section(text):
            return self.answer(topic, language)
        ranker = self.ranker(topic, language)
        terms = self._specific_terms(topic, text, ranker.language)
        if only_when_matched or ranker.language == "zh":  # Chinese: BM25 alone, so a term no clause has singles out none
            terms = [t for t in terms if ranker.knows(t)]
        chosen = ranker.best(_ORDER_ID.sub(" ", text), embed, limit) if terms else []
        sentences = [c.text for c in (chosen or ranker.clauses[: min(limit, OVERVIEW_CLAUSES)])]
        return PolicyAnswer(topic=topic, title=self.title(topic, language), name=self.name(topic, language), whole=False,
                            sentences=sentences)

    def _specific_terms(self, topic: str, text: str, language: Language = "en") -> list[str]:
        """The words of ``text`` that could single out a clause: not question words, order numbers, or the section's
        own name and title (in Chinese also the words that name the section, ``SECTION_WORDS_ZH``)."""
        if language == "zh":
            general = set(tokenize_zh(f"{GENERAL_WORDS} {GENERAL_WORDS_ZH} {SECTION_WORDS_ZH.get(topic, '')} "
                                      f"{topic.replace('_', ' ')} {self.title(topic, language)} {self.name(topic, language)}"))
        else:
            general = set(tokenize([f"{GENERAL_WORDS} {topic.replace('_', ' ')} {self.title(topic)}"])[0])
        return [t for t in query_terms(_ORDER_ID.sub(" ", text), language) if t not in general and not t.isdigit()]
