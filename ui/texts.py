"""The widget's words in a turn's language: its labels from the phrasebooks (``assistant.generators.phrases``), and
the English that the search and the comparison table write (why a product was recommended, table cells) said in
Chinese for a Chinese turn. Amounts are written in the products' currency (¥1,299.00 for CNY) whatever the language.
"""

from __future__ import annotations

import re
from functools import cache
from typing import cast

from assistant.generators import phrases
from assistant.generators.phrases import CURRENCY_SYMBOLS, Phrasebook, phrasebook
from core.language import LANGUAGES, Language
from core.settings import Settings

#: A dollar amount as the search and the comparison write it ("$100", "$1,299.00"), whatever the catalog's currency.
_DOLLARS = re.compile(r"\$(\d[\d,]*(?:\.\d+)?)")
_UNDER = re.compile(r"^under (?P<price>.+)$")
_OVER = re.compile(r"^over (?P<price>.+)$")
_BETWEEN = re.compile(r"^between (?P<low>.+) and (?P<high>.+)$")
_RATED = re.compile(r"^rated (?P<rating>.+)★$")
_SIZE = re.compile(r"^size (?P<size>.+)$")


def shop_language(settings: Settings) -> Language:
    """The language of the shop's catalog (``catalog: zh`` → Chinese): the widget's fixed texts are written in it."""
    return cast(Language, settings.catalog) if settings.catalog in LANGUAGES else "en"


def book(language: str) -> Phrasebook:
    """The phrasebook of ``language`` (English for a language without one)."""
    return phrasebook(cast(Language, language) if language in LANGUAGES else "en")


def widget_examples(language: str) -> list[str]:
    """The example prompts the widget offers before the first message."""
    table = book(language).table
    return [table[key] for key in sorted(k for k in table if k.startswith("widget.example."))]


def in_currency(text: str, currency: str | None) -> str:
    """``text`` with its dollar amounts written in ``currency`` ("under $500" → "under ¥500" for CNY)."""
    code = (currency or "USD").upper()
    if code == "USD":
        return text
    symbol = CURRENCY_SYMBOLS.get(code)
    return _DOLLARS.sub(lambda m: f"{symbol}{m.group(1)}" if symbol else f"{m.group(1)} {code}", text)


def reason(text: str, language: str, currency: str | None = None) -> str:
    """Why a product was recommended, in ``language``: retrieval writes its reasons in English ("matches blue, under
    $100", "mentions “rain”", "similar to the Trail Runner you liked"), in the shapes of the English phrasebook's
    ``card.reason_*`` templates; a reason of another shape is kept as it is. Amounts in ``currency``."""
    text = in_currency(text, currency)
    p = book(language)
    if p.language == "en":
        return text
    for pattern, key in _reason_patterns():
        if m := pattern.match(text):
            name = m.groupdict().get("name")
            if name is None:
                return p[key]
            if key == "card.reason_matches":
                name = _match_bits(name, p)
            elif key in ("card.reason_mentions", "card.reason_like_liked"):
                name = p.items(name.split(", "))
            return p(key, name=name)
    return _match_bits(text, p)  # a bare list of the constraints met (a browse without query text)


@cache
def _reason_patterns() -> list[tuple[re.Pattern[str], str]]:
    """The English ``card.reason_*`` templates as patterns that capture their ``{name}``."""
    english = phrasebook("en").table
    return [(re.compile("^" + re.escape(text).replace(re.escape("{name}"), "(?P<name>.+)") + "$"), key)
            for key, text in english.items() if key.startswith("card.reason_")]


def _match_bits(text: str, p: Phrasebook) -> str:
    """The constraints a product meets ("黑色, under ¥500, rated 4.5★, in stock") in the book's words."""
    bits = []
    for bit in text.split(", "):
        if m := _BETWEEN.match(bit):
            bit = p("card.budget_between", low=m["low"], high=m["high"])
        elif m := _UNDER.match(bit):
            bit = p("card.budget_under", price=m["price"])
        elif m := _OVER.match(bit):
            bit = p("card.budget_over", price=m["price"])
        elif m := _RATED.match(bit):
            bit = p("card.rated", rating=m["rating"])
        elif m := _SIZE.match(bit):
            bit = p.size_option(m["size"])
        elif bit in phrases.WHOSE_KEYS:
            bit = p[phrases.WHOSE_KEYS[bit]]
        elif bit in phrases.STOCK_KEYS:
            bit = p[phrases.STOCK_KEYS[bit]]
        bits.append(bit)
    return p.items(bits)


def attribute_name(name: str, language: str) -> str:
    """An attribute's name as a row or card label: as the catalog names it in English, in words for another language."""
    p = book(language)
    return name if p.language == "en" else p.attribute(name)


def comparison_cell(attribute: str, value: str, language: str, currency: str | None = None) -> str:
    """A comparison table's cell: prices in ``currency``; the rating and stock cells, and lists of values, in ``language``."""
    if attribute == "price":
        return in_currency(value, currency)
    return phrases.comparison_cell(attribute, value, book(language))
