"""What kind of product question a message asks: a value look-up, a yes/no check, a superlative or a comparison
between two products, a filter over what was shown, or what reviewers say.

Only the shape is read here (``read_question``); which attribute is meant is :mod:`dialogue.qa.attributes`' job.
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, Field

from core.language import detect_language
from dialogue.lexicon import tokens_of

QuestionKind = Literal["lookup", "yes_no", "superlative", "pairwise", "filter", "reviews"]
Direction = Literal["max", "min"]

#: Superlative and comparative words → (the attribute cue they carry, or None, and which end wins).
GRADED: dict[str, tuple[str | None, Direction]] = {
    "longest": ("long", "max"), "longer": ("long", "max"), "shortest": ("long", "min"), "shorter": ("long", "min"),
    "biggest": ("big", "max"), "bigger": ("big", "max"), "largest": ("big", "max"), "larger": ("big", "max"),
    "smallest": ("big", "min"), "smaller": ("big", "min"),
    "highest": (None, "max"), "higher": (None, "max"), "lowest": (None, "min"), "lower": (None, "min"),
    "most": (None, "max"), "more": (None, "max"), "least": (None, "min"), "less": (None, "min"), "fewest": (None, "min"),
    "heaviest": ("weight", "max"), "heavier": ("weight", "max"), "lightest": ("weight", "min"), "lighter": ("weight", "min"),
    "cheapest": ("price", "min"), "cheaper": ("price", "min"), "priciest": ("price", "max"), "pricier": ("price", "max"),
    "quietest": ("noise", "min"), "quieter": ("noise", "min"), "loudest": ("noise", "max"), "louder": ("noise", "max"),
    "widest": ("width", "max"), "wider": ("width", "max"), "narrowest": ("width", "min"), "narrower": ("width", "min"),
    "tallest": ("height", "max"), "taller": ("height", "max"),
    "thinnest": ("thickness", "min"), "thinner": ("thickness", "min"), "thickest": ("thickness", "max"),
    "thicker": ("thickness", "max"), "slimmest": ("thickness", "min"),
    "fastest": (None, "max"), "faster": (None, "max"), "strongest": ("power", "max"), "stronger": ("power", "max"),
    "brightest": (None, "max"), "brighter": (None, "max"),
    "best": ("rating", "max"), "better": ("rating", "max"), "worst": ("rating", "min"), "worse": ("rating", "min"),
    "newest": (None, "max"), "oldest": (None, "min"),
}
#: Phrases that fix both the attribute and the direction.
GRADED_PHRASES: list[tuple[str, str, Direction]] = [
    ("most expensive", "price", "max"), ("least expensive", "price", "min"), ("more expensive", "price", "max"),
    ("less expensive", "price", "min"), ("best rated", "rating", "max"), ("highest rated", "rating", "max"),
    ("top rated", "rating", "max"), ("best reviewed", "rating", "max"), ("worst rated", "rating", "min"),
    ("lowest rated", "rating", "min"), ("better rated", "rating", "max"), ("most popular", "reviews", "max"),
    ("most reviews", "reviews", "max"), ("most reviewed", "reviews", "max"), ("most stock", "stock", "max"),
]
_FILLERS = {"so", "and", "but", "also", "ok", "okay", "hey", "hi", "then", "well"}
_YES_NO_START = {"is", "are", "does", "do", "can", "has", "have", "will", "would", "could", "was", "did", "any"}
_FILTER = re.compile(r"\b(which|what|any)\s+(of\s+(these|those|them|the\s+\w+)|ones?)\b|\bwhich\s+(are|is)\b|"
                     r"\b(show|list|tell)\s+me\s+(only\s+)?the\s+ones\b|\bonly\s+the\s+ones\b")
_REVIEWS = re.compile(r"\b(reviews?|reviewers?|people\s+(say|think)|customers?\s+(say|think)|what\s+do\s+(people|buyers|"
                      r"customers|others)|feedback\s+(on|about)|opinions?|complain\w*|pros\s+and\s+cons)\b")


class Question(BaseModel):
    kind: QuestionKind
    direction: Direction | None = None
    cue: str | None = Field(default=None, description="The attribute a graded word implies (price, noise, weight…).")
    words: list[str] = Field(default_factory=list, description="The message's tokens, lower case.")


#: Chinese: what reviewers say (评价怎么样 and 口碑 ask for the rating instead, as "any good" does).
_REVIEWS_ZH = re.compile(r"评论|(买家|大家|别人|网友|用户|买过的人|用过的人)(都|是)?(怎么|咋)(说|评价)|差评|好评(都)?说|买家评价|用户评价")
#: Chinese yes/no questions: ends in 吗 / 么 / 嘛, or asks "A不A" (有没有, 是不是, 支不支持, 防不防水).
_YES_NO_ZH = re.compile(r"[吗么嘛][？?。！!\s]*$|有没有|是不是|能不能|可不可以|会不会|(.)不\1")


def read_question(text: str, references: int = 0) -> Question:
    """The shape of ``text`` as a product question; ``references`` is how many products it names by reference."""
    lowered = " ".join(text.lower().replace("’", "'").split())
    words = tokens_of(lowered)
    if detect_language(lowered) == "zh":
        return _read_zh(lowered, words)
    if _REVIEWS.search(lowered):
        return Question(kind="reviews", words=words)
    graded = _graded(lowered, words)
    if graded is not None:
        cue, direction = graded
        kind: QuestionKind = "pairwise" if references == 2 else "superlative"
        return Question(kind=kind, direction=direction, cue=cue, words=words)
    if _FILTER.search(lowered):
        return Question(kind="filter", words=words)
    clauses = [tokens_of(c) for c in re.split(r"[,;:]", lowered)]
    if any(c and (c[0] in _YES_NO_START or (len(c) > 2 and c[1] in _YES_NO_START and c[0] in _FILLERS)) for c in clauses):
        return Question(kind="yes_no", words=words)
    if re.search(r"\b(is|are)\s+(it|they|this|that|the\s+\w+(\s+\w+)?)\s+\w+\s*\??$", lowered) and not re.search(
            r"\b(what|how|which|where|who|when)\b", lowered):
        return Question(kind="yes_no", words=words)
    return Question(kind="lookup", words=words)


def _read_zh(lowered: str, words: list[str]) -> Question:
    """A Chinese question's shape: reviews, yes/no or a look-up (superlatives and filters are read in English only)."""
    if _REVIEWS_ZH.search(lowered):
        return Question(kind="reviews", words=words)
    if _YES_NO_ZH.search(lowered) and not re.search(r"什么|哪些|哪个|哪种|多少|几[个种款件]|怎么样|如何", lowered):
        return Question(kind="yes_no", words=words)
    return Question(kind="lookup", words=words)


def _graded(lowered: str, words: list[str]) -> tuple[str | None, Direction] | None:
    for phrase, cue, direction in GRADED_PHRASES:
        if phrase in lowered:
            return cue, direction
    for word in words:
        if word in GRADED and not (word in {"more", "less", "most", "least", "better", "best"} and _is_quantity_talk(lowered, word)):
            return GRADED[word]
    return None


def _is_quantity_talk(lowered: str, word: str) -> bool:
    """'more' / 'less' that are not a comparison: "tell me more", "show me more", "any more", "less than $50"."""
    return bool(re.search(rf"\b(tell\s+me|show\s+me|any|one|some)\s+{word}\b|\b{word}\s+than\s+\$?\d|\b{word}\s+(info|details)\b",
                          lowered))
