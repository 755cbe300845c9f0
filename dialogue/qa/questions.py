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
    said: str | None = Field(default=None, description="A Chinese graded phrase as written (最便宜, 评分最高, 更轻), for "
                             "the Chinese answer's wording.")


#: Chinese: what reviewers say (评价怎么样 and 口碑 ask for the rating instead, as "any good" does).
REVIEWS_ZH = re.compile(r"评论|(买家|大家|别人|网友|用户|买过的人|用过的人)(都|是)?(怎么|咋)(说|评价)|差评|好评(都)?说|买家评价|用户评价")
#: Chinese yes/no questions: ends in 吗 / 么 / 嘛, or asks "A不A" (有没有, 是不是, 支不支持, 防不防水).
_YES_NO_ZH = re.compile(r"[吗么嘛][？?。！!\s]*$|有没有|是不是|能不能|可不可以|会不会|(.)不\1")


#: Chinese graded words (after 最 / 更 / 比较, or before 一点 / 一些): the attribute cue and which end wins. A cue
#: without an English counterpart (bright) only points the Chinese attribute matcher at a topic.
GRADED_ZH: dict[str, tuple[str | None, Direction]] = {
    "便宜": ("price", "min"), "实惠": ("price", "min"), "划算": ("price", "min"), "贵": ("price", "max"),
    "受欢迎": ("reviews", "max"), "热门": ("reviews", "max"), "畅销": ("reviews", "max"), "好评": ("rating", "max"),
    "好": ("rating", "max"), "差": ("rating", "min"), "轻": ("weight", "min"), "重": ("weight", "max"), "沉": ("weight", "max"),
    "安静": ("noise", "min"), "静音": ("noise", "min"), "吵": ("noise", "max"), "响": ("noise", "max"),
    "大": ("big", "max"), "小": ("big", "min"), "长": ("long", "max"), "短": ("long", "min"), "宽": ("width", "max"),
    "窄": ("width", "min"), "厚": ("thickness", "max"), "薄": ("thickness", "min"), "亮": ("bright", "max"),
    "强": ("power", "max"), "高": (None, "max"), "低": (None, "min"), "多": (None, "max"), "少": (None, "min"),
    "快": (None, "max"), "久": (None, "max"),
}
#: Chinese phrases that fix both the attribute and the direction (评分最高 names the attribute before the grade).
GRADED_PHRASES_ZH: list[tuple[str, str, Direction]] = [
    ("评分最高", "rating", "max"), ("评分最低", "rating", "min"), ("评分更高", "rating", "max"), ("评分更低", "rating", "min"),
    ("分数最高", "rating", "max"), ("星级最高", "rating", "max"), ("口碑最好", "rating", "max"), ("评价最好", "rating", "max"),
    ("评价最高", "rating", "max"), ("评价最差", "rating", "min"), ("评价最多", "reviews", "max"), ("评论最多", "reviews", "max"),
    ("价格最低", "price", "min"), ("价格最高", "price", "max"), ("价格更低", "price", "min"), ("价格更高", "price", "max"),
    ("库存最多", "stock", "max"), ("货最多", "stock", "max"), ("库存最少", "stock", "min"),
]
_GRADED_ZH = re.compile(r"(最|更|比较|较|相对)(" + "|".join(sorted(GRADED_ZH, key=len, reverse=True)) + r")|(" +
                        "|".join(sorted(GRADED_ZH, key=len, reverse=True)) + r")(一点|一些|些)")
#: "Which" in Chinese: a question over the shown products (哪个最便宜, 哪些有货, 哪款是纯棉的).
WHICH_ZH = re.compile(r"哪(个|款|些|件|台|双|只|一个|一款|一件|几个|几款|几件|几台)")
#: "Which colours / sizes / brand": a look-up about one product, not a question over the shown ones.
_WHICH_OF_ONE_ZH = re.compile(r"哪(些|种|几种|几个|个|一种)(颜色|色|尺码|码|号|尺寸|规格|材质|面料|款式|型号|功能|配件|牌子|品牌|国家|厂)")


def read_question(text: str, references: int = 0) -> Question:
    """The shape of ``text`` as a product question; ``references`` is how many products it names by reference."""
    lowered = " ".join(text.lower().replace("’", "'").split())
    words = tokens_of(lowered)
    if detect_language(lowered) == "zh":
        return _read_zh(lowered, words, references)
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


def _read_zh(lowered: str, words: list[str], references: int = 0) -> Question:
    """A Chinese question's shape, as in English: reviews; a superlative (哪个最便宜, 哪款评分最高) or, about two
    products, a pairwise comparison (第一个和第二个哪个更轻); a filter over the shown products (哪些有货, 哪个是纯棉的);
    a yes/no question; otherwise a look-up."""
    if REVIEWS_ZH.search(lowered):
        return Question(kind="reviews", words=words)
    graded = graded_zh(lowered)
    if graded is not None and (WHICH_ZH.search(lowered) or references == 2 or lowered.lstrip().startswith(("最", "更"))):
        cue, direction, said = graded
        kind: QuestionKind = "pairwise" if references == 2 else "superlative"
        return Question(kind=kind, direction=direction, cue=cue, words=words, said=said)
    if WHICH_ZH.search(lowered) and references != 1 and not _WHICH_OF_ONE_ZH.search(lowered):
        return Question(kind="filter", words=words)
    if _YES_NO_ZH.search(lowered) and not re.search(r"什么|哪些|哪个|哪种|多少|几[个种款件]|怎么样|如何", lowered):
        return Question(kind="yes_no", words=words)
    return Question(kind="lookup", words=words)


def graded_zh(lowered: str) -> tuple[str | None, Direction, str] | None:
    """The cue, direction and phrase of a Chinese graded phrase ("评分最高", "最便宜", "轻一点"), or None."""
    for phrase, cue, direction in GRADED_PHRASES_ZH:
        if phrase in lowered:
            return cue, direction, phrase
    found = _GRADED_ZH.search(lowered)
    if found is None:
        return None
    word = found.group(2) or found.group(3)
    cue, direction = GRADED_ZH[word]
    said = found.group(0) if found.group(2) else f"更{word}"
    if found.group(1) in ("比较", "较", "相对"):
        said = f"更{word}"
    return cue, direction, said


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
