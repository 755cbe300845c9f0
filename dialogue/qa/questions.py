"""What kind of product question a message asks: a value look-up, a yes/no check, a superlative or a comparison
between two products, a filter over what was shown, what reviewers say, or everything about one product ("tell me
more about the second one": an overview).

Only the shape is read here (``read_question``); which attribute is meant is :mod:`dialogue.qa.attributes`' job.
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, Field

from core.language import detect_language
from dialogue.lexicon import tokens_of
from dialogue.qa.attributes_zh import names_topic_zh

QuestionKind = Literal["lookup", "yes_no", "superlative", "pairwise", "filter", "reviews", "overview"]
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
    "weakest": ("power", "min"), "weaker": ("power", "min"),
    "brightest": (None, "max"), "brighter": (None, "max"),
    "best": ("rating", "max"), "better": ("rating", "max"), "worst": ("rating", "min"), "worse": ("rating", "min"),
    "newest": (None, "max"), "oldest": (None, "min"),
}
#: A recommendation asked for among those shown ("which would you recommend?"): the catalog's measure of it is the rating.
RECOMMENDING = ("would you recommend", "do you recommend", "would you pick", "would you choose", "should i get", "should i buy",
                "should i choose", "should i pick", "should i go for")
#: Phrases that fix both the attribute and the direction.
GRADED_PHRASES: list[tuple[str, str, Direction]] = [
    ("most expensive", "price", "max"), ("least expensive", "price", "min"), ("more expensive", "price", "max"),
    ("less expensive", "price", "min"), ("best rated", "rating", "max"), ("highest rated", "rating", "max"),
    ("top rated", "rating", "max"), ("best reviewed", "rating", "max"), ("worst rated", "rating", "min"),
    ("lowest rated", "rating", "min"), ("better rated", "rating", "max"), ("most popular", "reviews", "max"),
    ("most reviews", "reviews", "max"), ("most reviewed", "reviews", "max"), ("most stock", "stock", "max"),
    ("best reviews", "rating", "max"), ("better reviews", "rating", "max"), ("worst reviews", "rating", "min"),
    ("best ratings", "rating", "max"), ("fewest reviews", "reviews", "min"), ("least reviews", "reviews", "min"),
    *((phrase, "rating", "max") for phrase in RECOMMENDING),
]
_FILLERS = {"so", "and", "but", "also", "ok", "okay", "hey", "hi", "then", "well"}
_YES_NO_START = {"is", "are", "does", "do", "can", "has", "have", "will", "would", "could", "was", "did", "any"}
_FILTER = re.compile(r"\b(which|what|any)\s+(of\s+(these|those|them|the\s+\w+)|ones?)\b|\bwhich\s+(are|is)\b|"
                     r"\b(show|list|tell)\s+me\s+(only\s+)?the\s+ones\b|\bonly\s+the\s+ones\b")
_REVIEWS = re.compile(r"\b(reviews?|reviewers?|people\s+(say|think)|customers?\s+(say|think)|what\s+do\s+(people|buyers|"
                      r"customers|others)|feedback\s+(on|about)|opinions?|complain\w*|pros\s+and\s+cons)\b")

#: Asking about a product as a whole: "tell me more about …", "details of …", "describe …", "show me the second one".
_OVERVIEW = re.compile(r"\btell\s+me\s+(a\s+(bit|little)\s+)?(more\s+)?(about|on)\b|\btell\s+me\s+more\b|"
                       r"\b(more|some|any|full)\s+(info|information|details?)\b|\bdetails?\s+(of|on|about|for)\b|\bdescribe\b|"
                       r"\bwhat\s+(can|do)\s+you\s+(tell\s+me|know|say)\s+about\b|\bwhat('s|\s+is)\s+(it|this|that)(\s+one)?\s+like\b|"
                       r"\bmore\s+about\b|\b(?P<show>show\s+me|let\s+me\s+see|open)\b")
#: "What about …", "how about …": asking after something, a product by its name perhaps.
_ABOUT = re.compile(r"\b(what|how)\s+about\b")
#: Words an overview request may have besides its phrase: references and fillers ("the second one please").
_REFERENCE_WORDS = frozenset("first second third fourth fifth sixth seventh eighth ninth tenth last 1st 2nd 3rd 4th 5th "
                             "it this that latter former number no".split())
_OVERVIEW_FILLERS = _REFERENCE_WORDS | frozenset("please pls the a an these one item product model bit little more about on "
                                                 "of for me us so and ok okay can could would you just again info "
                                                 "information details detail".split())
_WORDS = re.compile(r"[a-z0-9][a-z0-9'-]*")
#: Chinese: 介绍一下, 详情, 详细说说, 具体讲讲, 参数 / 配置 (a product's specifications), 长什么样.
OVERVIEW_ZH = re.compile(r"介绍|详情|详细|具体(说|讲|看|聊)|说说|讲讲|聊聊|参数|配置|(是|长)(什么|啥)样")
#: A Chinese bare reference to one product (第二个, 就第二款吧, 最后那个): it is picked.
BARE_REFERENCE_ZH = re.compile(r"^\s*(就|选|那就)?(第[一二三四五六七八九十\d]+[个款件台双只条把]|最后(一|那)?[个款件台双只条把]|"
                               r"这[个款件台双只条把]|那[个款件台双只条把])(吧|呢|呀|啊|哦)?[。.!！?？\s]*$")


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
#: After 好, a verb makes it "easy to" (更好清洗, 最好打理), not "better": no catalog grade answers that.
_EASY_TO_ZH = r"(?!看|清洗|清理|洗|打理|收纳|携带|安装|拆|擦|刷|操作|搬|折叠|保养)"
_GRADED_ZH = re.compile(r"(最|更|比较|较|相对)(" + "|".join(sorted(GRADED_ZH, key=len, reverse=True)) + rf"){_EASY_TO_ZH}|(" +
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
    graded = _graded_phrase(lowered)
    if graded is None and _REVIEWS.search(lowered):  # "which has the best reviews" compares them; "reviews?" reads them
        return Question(kind="reviews", words=words)
    graded = graded or _graded(lowered, words)
    if graded is not None:
        cue, direction = graded
        kind: QuestionKind = "pairwise" if references == 2 else "superlative"
        return Question(kind=kind, direction=direction, cue=cue, words=words)
    if _FILTER.search(lowered):
        return Question(kind="filter", words=words)
    if _asks_overview(lowered, references):
        return Question(kind="overview", words=words)
    clauses = [tokens_of(c) for c in re.split(r"[,;:]", lowered)]
    if any(c and (c[0] in _YES_NO_START or (len(c) > 2 and c[1] in _YES_NO_START and c[0] in _FILLERS)) for c in clauses):
        return Question(kind="yes_no", words=words)
    if re.search(r"\b(is|are)\s+(it|they|this|that|the\s+\w+(\s+\w+)?)\s+\w+\s*\??$", lowered) and not re.search(
            r"\b(what|how|which|where|who|when)\b", lowered):
        return Question(kind="yes_no", words=words)
    return Question(kind="lookup", words=words)


def _asks_overview(lowered: str, references: int = 0) -> bool:
    """"Tell me more about the second one", "details on it", "show me the third one", "what about the third?": the
    whole product, no topic (what is left besides the phrase is references and fillers; "show me" needs a reference,
    or it is a request). A bare reference to one product ("the second one", "#2") picks it: its overview too."""
    found = _OVERVIEW.search(lowered)
    asked_after = _ABOUT.search(lowered) if found is None else None
    phrase = found or asked_after
    rest = lowered if phrase is None else lowered[:phrase.start()] + " " + lowered[phrase.end():]
    if any(not w.isdigit() for w in _content(rest)):
        return False
    refers = any(w in _REFERENCE_WORDS or w.isdigit() for w in _WORDS.findall(rest))
    if found is None:  # a bare reference, or one asked after: one product ("what about the first and second" compares)
        return references <= 1 and refers
    return not found.group("show") or refers


def overview_name(text: str) -> str | None:
    """The words after an overview phrase or "what / how about" that are not references or fillers: a product's name,
    perhaps ("tell me more about the Corvane Arc" → "corvane arc", "what about the zenith?" → "zenith")."""
    lowered = text.lower()
    found = _OVERVIEW.search(lowered) or _ABOUT.search(lowered)
    return None if found is None else named_words(lowered[found.end():])


def named_words(text: str) -> str | None:
    """The words of ``text`` that are not references or fillers ("the zenith?" → "zenith"), or None."""
    return " ".join(_content(text)) or None


def _content(text: str) -> list[str]:
    """The words of ``text`` (lower case) that are not references or fillers (numbers stay: "nimbus 3")."""
    return [w for w in _WORDS.findall(text.lower()) if w not in _OVERVIEW_FILLERS]


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
    if (OVERVIEW_ZH.search(lowered) and not names_topic_zh(lowered)) or (references <= 1 and BARE_REFERENCE_ZH.match(lowered)):
        return Question(kind="overview", words=words)
    if _YES_NO_ZH.search(lowered) and not re.search(r"什么|哪些|哪个|哪种|多少|几[个种款件]|怎么样|如何", lowered):
        return Question(kind="yes_no", words=words)
    return Question(kind="lookup", words=words)


#: "Which is better?" in Chinese (哪个好, 哪款更值得买; not 哪个好看, "which looks nicer"): the better rated.
_WHICH_IS_BETTER_ZH = re.compile(rf"哪(?:个|款|一个|一款|件|台|双)?(?P<most>最)?(?:比较|更)?(?:好|值得买|值得入手){_EASY_TO_ZH}")
#: What a "which of them …" question asks, in its own words: "which is easier to clean" → "is easier to clean", 哪个更好清洗 → 更好清洗.
_WHICH_PREDICATE = re.compile(r"^\W*(?:(?:so|and|ok|okay|hmm|but)[\s,]+)?which(?:\s+(?:one|ones|of\s+(?:them|these|those|the\s+\w+)))?\s+"
                              r"(?P<said>(?:is|are|has|have|can|will|would|does|do|gets|makes|feels|looks)\s+(?!you\b|i\b|we\b)[^?.!]{3,60}?)\W*$")
_WHICH_PREDICATE_ZH = re.compile(r"哪(?:个|款|一个|一款|件|台|双|些|种)(?P<said>[^？?。！!，,]{2,20}?)[呢啊呀吗嘛]*[？?。！!]*$")


def which_predicate(text: str) -> str | None:
    """The words a "which of them …" question asks about ("is easier to clean", 更好清洗), to say the catalog does not
    tell; None for other shapes."""
    lowered = " ".join(text.lower().replace("’", "'").split())
    found = _WHICH_PREDICATE_ZH.search(lowered) if detect_language(lowered) == "zh" else _WHICH_PREDICATE.match(lowered)
    return found["said"].strip() if found else None


def graded_zh(lowered: str) -> tuple[str | None, Direction, str] | None:
    """The cue, direction and phrase of a Chinese graded phrase ("评分最高", "最便宜", "轻一点"), or None."""
    for phrase, cue, direction in GRADED_PHRASES_ZH:
        if phrase in lowered:
            return cue, direction, phrase
    if better := _WHICH_IS_BETTER_ZH.search(lowered):
        return "rating", "max", "评分最高" if better["most"] else "评分更高"
    found = _GRADED_ZH.search(lowered)
    if found is None:
        return None
    word = found.group(2) or found.group(3)
    cue, direction = GRADED_ZH[word]
    said = found.group(0) if found.group(2) else f"更{word}"
    if found.group(1) in ("比较", "较", "相对"):
        said = f"更{word}"
    topic = _TOPIC_BEFORE_ZH.search(lowered[:found.start()])
    return cue, direction, f"{topic['topic']}{said}" if topic and found.group(2) else said


#: The topic a graded word grades, between "which" and it: 吸力 in 哪个吸力最大 (said 吸力最大, not 最大).
_TOPIC_BEFORE_ZH = re.compile(r"哪(?:个|款|一个|一款|件|台|双|种)(?P<topic>(?![是的有])[\u4e00-\u9fff]{1,6})$")


def _graded_phrase(lowered: str) -> tuple[str | None, Direction] | None:
    return next(((cue, direction) for phrase, cue, direction in GRADED_PHRASES if phrase in lowered), None)


def _graded(lowered: str, words: list[str]) -> tuple[str | None, Direction] | None:
    for word in words:
        if word in GRADED and not (word in {"more", "less", "most", "least", "better", "best"} and _is_quantity_talk(lowered, word)):
            return GRADED[word]
    return None


def _is_quantity_talk(lowered: str, word: str) -> bool:
    """'more' / 'less' that are not a comparison: "tell me more", "show me more", "any more", "less than $50"."""
    return bool(re.search(rf"\b(tell\s+me|show\s+me|any|one|some)\s+{word}\b|\b{word}\s+than\s+\$?\d|\b{word}\s+(info|details)\b",
                          lowered))
