"""Which language a shopper's message is written in: Chinese (``zh``) or English (``en``).

A script rule, not a model: Chinese is written in Han characters and English in Latin letters, so a message is
Chinese when it has at least as many Han characters as Latin words ("我要 Nike 的跑步鞋" and "iPhone 15 多少钱" are
Chinese; "do you have 跑步鞋 in size 9" is English). A message with neither (a number, an order id, an emoji) says
nothing: the caller keeps the conversation's language. ``tests/core/test_language.py`` measures the rule on the
project's English and Chinese NLU examples.
"""

from __future__ import annotations

import re
from typing import Literal, cast, get_args

Language = Literal["en", "zh"]
LANGUAGES: tuple[Language, ...] = get_args(Language)

#: CJK Unified Ideographs (with extension A) and the compatibility block: the characters Chinese is written in.
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
#: A run of two or more Latin letters (a lone "a" / "x" / size letter is not an English word on its own).
_LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]+")
#: Codes with digits (order ids "ORD-10001", SKUs, "42码"'s number): written the same in any language.
_CODE = re.compile(r"[A-Za-z]*[-#]?\d[\w-]*")


def detect_language(text: str) -> Language | None:
    """``zh`` or ``en`` by script (see the module doc); None when ``text`` has neither Han characters nor Latin words."""
    han = len(_HAN.findall(text))
    latin = len(_LATIN_WORD.findall(_CODE.sub(" ", text)))
    if not han and not latin:
        return None
    return "zh" if han >= latin else "en"


def turn_language(text: str, hint: str | None = None, previous: Language = "en") -> Language:
    """The language to understand and answer a turn in: the channel's ``hint`` when it names a known language (e.g.
    Rasa's ``metadata.language``), else the message's script, else the conversation's ``previous`` language."""
    if hint:
        code = hint.strip().lower().replace("_", "-").split("-")[0]
        if code in LANGUAGES:
            return cast(Language, code)
    return detect_language(text) or previous


def has_han(text: str) -> bool:
    return _HAN.search(text) is not None
