"""Phrasebooks: the fixed texts of replies, quick replies and card labels in each language the assistant speaks.

One table per language (``phrases_en``, ``phrases_zh``) with the same keys; a reply plan's ``language`` picks the
table. Prices are written by currency, whatever the language (CNY ¥1,299.00, USD $1,299.00)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from functools import cache
from typing import Any

from assistant.generators import phrases_en, phrases_zh
from assistant.generators.zh_text import is_chinese, numeral
from core.language import Language
from core.money import CURRENCY_SYMBOLS, money  # noqa: F401 (re-exported for the generators and the widget)
from dialogue.lexicon import attribute_words, names_a_plural
from dialogue.plan import ReplyPlan

TABLES: dict[Language, dict[str, str]] = {"en": phrases_en.PHRASES, "zh": phrases_zh.PHRASES}

#: The currency of amounts a plan gives without one (cart lines, order totals) when it shows no product either.
DEFAULT_CURRENCY = "USD"


#: Verbs of the phrasebook's sentences in the singular → plural, after a product's title.
_PLURAL_VERBS = {"is": "are", "has": "have", "was": "were", "isn't": "aren't", "doesn't": "don't", "costs": "cost",
                 "comes": "come", "fits": "fit", "runs": "run"}


def agree_with_plural(text: str, title: str) -> str:
    """``text`` with the verbs that follow ``title``, and the sentence's "it is", in the plural: "the … Running Shoes
    come in size 9", "cost $174.99 and are rated 4.2"."""
    verbs = "|".join(re.escape(v) for v in _PLURAL_VERBS)
    text = re.sub(rf"({re.escape(title)})(\s+)({verbs})\b", lambda m: f"{m[1]}{m[2]}{_PLURAL_VERBS[m[3]]}", text)
    text = text.replace(f"{title}'s ", f"{title}' ")
    if not 0 <= text.find(title) <= 12:  # the product is not the sentence's subject ("The …", "Yes — the …")
        return text
    return re.sub(r"\b(and|;)\s+(?:it\s+)?is\b", lambda m: f"{m[1]} {'they are' if m[1] == ';' else 'are'}", text)


def plan_currency(plan: ReplyPlan, default: str = DEFAULT_CURRENCY) -> str:
    """The currency of the plan's products when they agree on one (cart lines and orders carry none), else ``default``."""
    currencies = {card.currency for card in plan.products}
    return currencies.pop() if len(currencies) == 1 else default


class Phrasebook:
    """The phrases of one language: ``book("key", **values)`` formats one, ``book["key"]`` is the raw text."""

    def __init__(self, language: Language, table: dict[str, str]) -> None:
        self.language = language
        self.table = table

    def __getitem__(self, key: str) -> str:
        return self.table[key]

    def __call__(self, key: str, **values: Any) -> str:
        text = self.table[key].format(**values)
        title = values.get("title")
        return self.agree(text, [title]) if isinstance(title, str) else text

    def agree(self, text: str, titles: Iterable[str]) -> str:
        """English: ``text`` with its verbs in the plural after the titles that name a plural ("… Running Shoes come")."""
        if self.language != "en":
            return text
        for title in titles:
            if names_a_plural(title):
                text = agree_with_plural(text, title)
        return text

    @property
    def sep(self) -> str:
        """Between two sentences (a space in English, nothing in Chinese)."""
        return self.table["fmt.sep"]

    def sentences(self, parts: Iterable[str]) -> str:
        """Sentences as one paragraph. In Chinese they follow each other without a space, except two English ones
        (a clause not yet translated), which keep theirs."""
        if self.sep:
            return self.sep.join(parts)
        text = ""
        for part in parts:
            text += " " + part if text and part and text[-1].isascii() and part[0].isascii() else part
        return text

    def items(self, values: Iterable[str]) -> str:
        return self.table["fmt.list"].join(values)

    def own_words(self, text: str | None) -> str | None:
        """Free text the dialogue manager wrote (a question, the constraints in words), when it is in this book's
        language; None when a Chinese reply would have to quote English words (the reply says it its own way)."""
        if self.language == "en" or is_chinese(text):
            return text
        return None

    def size_option(self, value: str) -> str:
        """A size as an option ("size 10", "42码"); a value that already carries the words (42码) is written as it is."""
        before, after = self.table["qa.size_option"].split("{value}")
        if (after and value.endswith(after)) or (before and value.startswith(before)):
            return value
        return before + value + after

    def ordinal(self, n: int) -> str:
        key = f"ordinal.{n}"
        return self.table[key] if key in self.table else self("ordinal.n", n=n, numeral=numeral(n))

    def status(self, status: str | None) -> str:
        """An order status in words (the status itself when the book has no word for it)."""
        return self.table.get(f"status.{status}", str(status))

    def topic(self, topic: str) -> str:
        """A policy section's topic in words ("price_match": "price match", "价格保护")."""
        return self.table.get(f"topic.{topic}", topic.replace("_", " "))

    def attribute(self, name: str) -> str:
        """An attribute name for a comparison row (the name itself when the book has no word for it, its acronyms in
        capitals: "ram" → "RAM", "usb ports" → "USB ports")."""
        key = "color" if name.lower() == "colour" else name.lower()
        return self.table.get(f"attr.{key}") or attribute_words(name)

    def stop(self, sentence: str) -> str:
        """The sentence with its full stop (a "Key: value" clause has none)."""
        return sentence if sentence.endswith(tuple(self.table["fmt.stops"])) else sentence + self.table["fmt.stop"]


@cache
def phrasebook(language: Language = "en") -> Phrasebook:
    return Phrasebook(language, TABLES[language])


_REVIEWS = re.compile(r"^(?P<rating>\d+(?:\.\d+)?) \((?P<count>[\d,]+) reviews?\)$")
STOCK_KEYS = {"in stock": "card.in_stock", "out of stock": "card.out_of_stock"}
#: Who a product is for, as a card's reason says it in English (``retrieval.models.WHOSE``).
WHOSE_KEYS = {"men's": "card.for_men", "women's": "card.for_women"}


def comparison_cell(attribute: str, value: str, p: Phrasebook) -> str:
    """A comparison table's cell (``dialogue.comparison`` writes them in English) in ``p``'s words: the rating and
    stock cells, and lists of values; prices are already in the products' currency."""
    if p.language == "en" or attribute == "price":
        return value
    if attribute == "availability" and value in STOCK_KEYS:
        return p[STOCK_KEYS[value]]
    if attribute == "rating" and (m := _REVIEWS.match(value)):
        return p("card.reviews", rating=m["rating"], count=m["count"])
    return p.items(value.split(", "))  # an attribute's values, joined as the language joins a list


def _pattern(template: str) -> re.Pattern[str]:
    """An English quick-reply template ("Remove {name}") as a pattern that captures its blank."""
    return re.compile("^" + re.escape(template).replace(re.escape("{name}"), "(?P<name>.+)") + "$")


@cache
def _quick_reply_keys() -> tuple[dict[str, str], list[tuple[re.Pattern[str], str]]]:
    fixed = {text: key for key, text in phrases_en.PHRASES.items() if key.startswith("qr.") and "{" not in text}
    patterns = [(_pattern(text), key) for key, text in phrases_en.PHRASES.items() if key.startswith("qr.") and "{name}" in text]
    return fixed, patterns


def localize_quick_reply(text: str, language: Language) -> str:
    """A quick reply (or a clarification option) the dialogue manager wrote in English, in ``language``: the fixed
    ones ("View cart") by the phrasebook, the patterned ones ("Remove {name}") with their blank kept; anything else
    (a product title, a size, an order number) as it is."""
    if language == "en":
        return text
    book = phrasebook(language)
    fixed, patterns = _quick_reply_keys()
    if text in fixed:
        return book[fixed[text]]
    for pattern, key in patterns:
        if match := pattern.match(text):
            return book(key, name=localize_quick_reply(match.group("name"), language))
    return text


def localize_quick_replies(replies: Sequence[str], language: Language) -> list[str]:
    return [localize_quick_reply(r, language) for r in replies]


def card_labels(language: Language = "en") -> dict[str, str]:
    """The widget's labels for product cards and the cart panel (``card.like`` … as ``like`` …)."""
    table = TABLES[language]
    return {key.removeprefix("card."): text for key, text in table.items() if key.startswith("card.")}
