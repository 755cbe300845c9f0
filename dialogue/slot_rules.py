"""Pattern slots: order ids, ratings, prices, price hints, quantities and references ("the second one", "both").

Every rule runs on the lower-cased text, once, in a fixed order; a match claims its characters so that later rules
(and the vocabulary matcher in ``dialogue.slots``) skip them: "no more than 80" is a price, never a negation; "4 stars
and up" is a rating, never a price; "two of the second one" is a quantity and an ordinal.

A message with Han characters runs the Chinese rules of ``dialogue.slot_rules_zh`` first (500元以内, 第二款, 两件 ...),
then these. The default order-id patterns take a Han character as a word boundary ("订单ORD-10001到哪了"), which
``\b`` does not (Han characters are word characters to ``re``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from pydantic import BaseModel, Field

from dialogue import slot_rules_zh
from dialogue.lexicon import AMOUNT_WORDS, NUMBER_WORDS, ORDINAL_WORDS, amount_in_words
from dialogue.lexicon_zh import HAN_RANGES, WORD_END, WORD_START
from dialogue.qa.questions import GRADED, GRADED_PHRASES

#: Han characters or a yuan sign: the Chinese rules run.
_CHINESE = re.compile(f"[{HAN_RANGES}¥￥]")
#: (position, kind, index, key, value) of one reference.
RefHit = tuple[int, str, int | None, str | None, str | None]


class SlotOptions(BaseModel):
    """Tunables of the slot extractor."""

    order_prefix: str = Field(default="ORD", min_length=1, description="Order ids are written PREFIX-DIGITS.")
    order_min_digits: int = Field(default=4, ge=1)
    order_max_digits: int = Field(default=10, ge=1)
    order_patterns: list[str] | None = Field(default=None, description="Regexes with an `id` group (lower-cased text); default: ORD-12345, order 12345, #12345.")
    bare_order_digits: int | None = Field(default=5, description="A message that is only a number of this many digits is an order id.")
    around_tolerance: float = Field(default=0.15, ge=0, lt=1, description='"around $300" → 300 ± this share.')
    bare_price_minimum: float = Field(default=10, ge=0, description='"under 8" without $/dollars/k is no price below this.')
    well_rated: float = Field(default=4.0, ge=0, le=5, description='"well rated" → this minimum rating.')
    max_ordinal: int = Field(default=20, ge=1)
    fuzzy: bool = True
    english_guard: bool = Field(default=True, description="Never fuzzily correct a common English word (MiniLM's word list).")


_UNITS = (r"%|percent|stars?|gb|tb|mb|mah|mp|hz|watts?|volts?|inch(?:es)?|cm|mm|ft|feet|foot|kg|grams?|lbs?|pounds?|oz|ounces?|"
          r"liters?|litres?|ml|quarts?|qt|years?|yrs?|yo|months?|weeks?|days?|hours?|hrs?|minutes?|mins?|seconds?|secs?|people|"
          r"persons?|players?|pieces?|pcs|packs?|items?|units?|kids?|reviews?|ratings?|rpm|dpi|db|miles?|km|pages?|sheets?|cups?|"
          r"servings?|seats?|drawers?|shelves|gears?|speeds?|settings?|lumens?|times|sq|ppi|kw")
_NOT_UNIT = rf"(?!\s*(?:%|(?:{_UNITS})\b))"


def amount_pattern(name: str) -> str:
    """An amount of money, in digits ("$1,200", "80", "1.5k") or in words ("eighty", "two hundred", "a couple hundred")."""
    return (rf"(?<![\w.])(?P<{name}cur>\$|us\$|usd|€|£)?\s?(?P<{name}num>\d{{1,3}}(?:,\d{{3}})+(?:\.\d+)?|\d+(?:\.\d+)?|{AMOUNT_WORDS})"
            rf"(?:\s?(?P<{name}k>k|grand|thousand)\b)?(?:\s?(?P<{name}unit>dollars?|bucks?|usd|quid|euros?|\$))?")


_A, _B = amount_pattern("a"), amount_pattern("b")
_RANGE = re.compile(rf"(?P<kw>\b(?:between|from)\s+)?{_A}\s*(?P<sep>-|–|—|\bto\b|\band\b)\s*{_B}{_NOT_UNIT}")
_AROUND = [
    re.compile(rf"(?:\b(?:around|about|roughly|approximately|approx\.?|close\s+to|near|something\s+like|in\s+the\s+region\s+of|"
               rf"ballpark(?:\s+of)?|circa)\s*|~\s*){_A}{_NOT_UNIT}"),
    re.compile(rf"{_A}(?:\s*-?ish|\s+or\s+so|\s+give\s+or\s+take)\b"),
]
_MAX = [
    re.compile(rf"(?:\b(?:under|below|beneath|less\s+than|lower\s+than|cheaper\s+than|no\s+more\s+than|not\s+more\s+than|"
               rf"no\s+higher\s+than|not\s+over|not\s+above|at\s+(?:the\s+)?most|max(?:imum)?(?:\s+of)?|up\s+to|within|"
               rf"no\s+more|tops|budget(?:\s+(?:is|of|at))?\s*:?|spend(?:ing)?(?:\s+(?:up\s+to|at\s+most))?)\s*|[<≤]=?\s*){_A}{_NOT_UNIT}"),
    re.compile(rf"{_A}\s*(?:or\s+(?:less|under|below|lower|cheaper)|and\s+(?:under|below|less)|max(?:imum)?|tops|"
               rf"at\s+(?:the\s+)?most|budget|limit)\b"),
]
_MIN = [
    re.compile(rf"(?:\b(?:over|above|more\s+than|greater\s+than|higher\s+than|at\s+least|min(?:imum)?(?:\s+of)?|"
               rf"starting\s+(?:at|from)|no\s+less\s+than|not\s+less\s+than)\s*|[>≥]=?\s*){_A}{_NOT_UNIT}"),
    re.compile(rf"{_A}\s*(?:\+|\bor\s+(?:more|above|higher|over|up)\b|\band\s+(?:up|above|over|higher|more)\b|\bplus\b)(?!\s*stars?)"),
]
_FOR = re.compile(rf"\b(?:for|at)\s+{_A}{_NOT_UNIT}")
#: A dollar amount said on its own ("a $500 laptop") is a budget, unless it states a price ("it is now $1").
_DOLLARS = re.compile(rf"(?<!\bis\s)(?<!\bwas\s)(?<!\bnow\s)(?<!\bpaid\s)(?<!\bcosts\s)(?<!\bprice\s)(?<!\bof\s){_A}{_NOT_UNIT}")
_AGE_BEFORE = re.compile(r"\b(?:kids?|children|child|toddlers?|bab(?:y|ies)|ages?|aged|boys?|girls?)\s+$")

_R = r"(?P<r>[1-5](?:\.\d)?|one|two|three|four|five)(?![\w.])"
_RATING = [
    re.compile(rf"\bbetween\s+{_R}\s+and\s+[1-5](?:\.\d)?\s*stars?\b"),
    re.compile(rf"(?:\b(?:at\s+least|minimum(?:\s+of)?|min\.?|over|above|more\s+than|no\s+less\s+than)\s+)?(?<![\w.]){_R}\s*(?:\+\s*)?(?:-\s*)?"
               rf"stars?\b(?:\s*(?:\+|and\s+(?:up|above|higher|over|better|more)\b|or\s+(?:more|higher|above|better|up|over)\b|plus\b|"
               rf"rating\b|rated\b|reviews?\b))?"),
    re.compile(rf"\b(?:rated|ratings?(?:\s+of)?)\s+(?:(?:at\s+least|above|over|of|min(?:imum)?)\s+)?{_R}(?:\s*(?:\+|plus\b|or\s+(?:more|higher|"
               rf"above|better)\b|and\s+(?:up|above|higher)\b|/\s*5\b|out\s+of\s+5\b))?(?:\s*stars?\b)?"),
]
_WELL_RATED = re.compile(r"\b(?:well|highly|top|best|high|higher|good|great|better)[\s-]+(?:rated|reviewed)\b|\brated\s+highly\b|"
                         r"\b(?:good|great|high|better|positive|excellent|top)\s+(?:reviews|ratings?)\b")

_ORD_ALT = "|".join(sorted(ORDINAL_WORDS, key=len, reverse=True))
_NUM_ALT = "|".join(NUMBER_WORDS)
_REF_NOUN = r"(?:\s+(?:one|item|product|option|result|choice|pick|listing|model|pair)\b)?"
_BRAND_FOCUS = re.compile(r"\b(?:not|no|never|none\s+of|nothing\s+(?:from|by)|avoid|hate|dislike|(?:don't|do\s+not|dont)\s+(?:like|want)|"
                          r"other\s+than)\s+(?:from\s+|by\s+)?(?:that|this|the\s+same|their|its|this\s+one's|that\s+one's)\s+brands?\b|"
                          r"\b(?:a\s+)?(?:different|another|other|some\s+other)\s+brands?\b")
# a verb after it ("what sizes does the cheapest come in") names no product either
_NEXT_FREE = (r"(?=\s*(?:$|[,.!?;]|\b(?:to|in|for|please|and|or|of|from|with|instead|too|is|was|one|then|now|comes?|has|have|costs?|"
              r"weighs?|looks?|feels?)\b))")
_CHEAPEST = re.compile(r"\b(?:the|that)\s+(?:cheap(?:er|est)|least\s+expensive|less\s+expensive|lower[\s-]priced|lowest[\s-]priced|"
                       rf"most\s+affordable){_REF_NOUN}{_NEXT_FREE}")
_PRICIEST = re.compile(r"\b(?:the|that)\s+(?:(?:more|most)\s+expensive|pricier|priciest|dearer|higher[\s-]priced|highest[\s-]priced|"
                       rf"most\s+premium){_REF_NOUN}{_NEXT_FREE}")
#: "the cheapest (one)" / "the most expensive": the references by price, as the slots read them.
PRICE_REFERENCES = ((_CHEAPEST, "cheapest"), (_PRICIEST, "priciest"))
#: "the lighter one", "the better one", "the best-rated one", "the quietest": the product best on that attribute among
#: those in view (a ``graded`` reference; by price, "the cheaper one" is ``cheapest``). The words and phrases are the
#: question reader's graded ones that name an attribute (not "the higher one") and describe a product ("the most
#: popular", not "the best reviews").
_GRADED_SAID = sorted([w for w, (cue, _) in GRADED.items() if cue not in (None, "price")] +
                      [p for p, cue, _ in GRADED_PHRASES if cue != "price" and p.split()[-1] in ("rated", "reviewed", "popular")],
                      key=len, reverse=True)
_GRADED_REFERENCE = re.compile(r"(?<!you're\s)(?<!youre\s)(?<!you\sare\s)\b(?:the|that)\s+(?P<g>" + "|".join(w.replace(" ", r"[\s-]+") for w in _GRADED_SAID) +
                               rf"){_REF_NOUN}{_NEXT_FREE}")
#: The references that rank the products in view (by price, or on an attribute), as the slots read them.
RANKING_REFERENCES = (*PRICE_REFERENCES, (_GRADED_REFERENCE, "graded"))
#: "the two cheapest", "the 3 most expensive ones": that many references by price (the cheapest, the second cheapest …).
_N_BY_PRICE = re.compile(r"\b(?:the\s+)?(?P<n>two|three|four|five|[2-5])\s+(?:(?P<low>cheapest|least\s+expensive|lowest[\s-]priced|"
                         r"most\s+affordable)|most\s+expensive|priciest|highest[\s-]priced)(?:\s+(?:ones|items|products|options|of\s+(?:them|these)))?\b|"
                         r"\bthe\s+(?:(?P<low2>cheapest|least\s+expensive|lowest[\s-]priced|most\s+affordable)|most\s+expensive|priciest|"
                         r"highest[\s-]priced)\s+(?P<n2>two|three|four|five|[2-5])\b(?!\s*(?:%|\$|dollars|bucks)|[.,]\d)(?:\s+(?:ones|items|products|options))?")
_FIRST_N = re.compile(rf"\b(?:the\s+)?(?:first|top)\s+(?P<n>two|three|four|five|[2-9])\b(?!\s*(?:%|\$|(?:{_UNITS}|dollars|bucks)\b))"
                      r"(?:\s+(?:ones|items|products|options|results|of\s+them|of\s+these))?")
_NOT_AFTER_ORDINAL = (r"time|times|order|orders|thing|things|place|date|class|aid|name|hand|week|month|year|day|half|floor|edition|"
                      r"generation|gen|impression|step|priority|person|grade|rate|quarter|look|glance|sight|rack|row|round|level|layer|shelf|"
                      r"drawer|course|season|birthday|anniversary|baby|child|kid|language|party|degree|world|lady|mate")
_ORDINAL = re.compile(rf"(?<!\bat\s)\b(?P<o>{_ORD_ALT})\b(?![\s-]+(?:{_NOT_AFTER_ORDINAL})\b){_REF_NOUN}")
_SORT_ORDER = re.compile(r"\b(?:lowest|highest|cheapest|newest|oldest|best|priciest|most\s+\w+|least\s+\w+)\s+$")
_SIZE_BEFORE = re.compile(r"\b(?:sizes?|sized|waist|inseam)\s+$")
_HASH_NUMBER = re.compile(r"(?:#\s?|\b(?:number|no\.|item|option|product|result|choice)\s*#?\s*)(?P<n>\d{1,2})\b(?![.,]\d)"
                          rf"(?!\s*(?:%|\$|(?:{_UNITS}|dollars|bucks)\b))")
_NUMBER_LIST = re.compile(r"(?<![\w$.,#])(?P<list>\d{1,2}(?:\s*(?:,|&|\band\b|\bvs\.?|\bversus\b|\bor\b|\+)\s*\d{1,2})+)\b"
                          rf"(?![.,]\d)(?!\s*(?:%|\$|k\b|(?:{_UNITS}|dollars|bucks)\b))")
_LAST = re.compile(r"\b(?:the|that)\s+(?:very\s+)?last\b(?!\s+(?:weeks?|months?|years?|times?|orders?|night|days?|few|minutes?|season|"
                   rf"summer|winter|christmas|time)\b){_REF_NOUN}|\blast\s+one\b")
_BOTH = re.compile(r"\b(?:them|these|those)\s+both\b|\bboth\s+(?:of\s+)?(?:them|these|those)\b|"
                   r"\bboth\b(?!\s+(?:sides|ways|colou?rs|sizes|hands|feet)\b)")
_ALL = re.compile(r"\b(?:all|each|every|any)\s+(?:\w+\s+)?(?:of\s+)?(?:them|these|those|the\s+(?:above|ones|products|options|results))\b|"
                  r"\bthem\s+all\b|\ball\s+(?:three|four|five|[3-9])(?:\s+of\s+them)?\b|\bevery\s+one\b|\b(?:them|these|those)\b")
#: "which of these …": the products shown, unless the message also picks some by position.
_PARTITIVE = re.compile(r"\bof\s+$")
_FOCUS = re.compile(r"\b(?:this|that|the\s+same)\s+(?:one|item|product|model|thing|pair|listing)\b|\bit\b|^\s*(?:this|that)\b|"
                    r"\b(?:this|that)\b(?=\s*(?:$|[?.!,]|(?:to|in|for|please|too|also|instead|now|with|as|then|again)\b))|"
                    r"\b(?:add|buy|get|take|remove|delete|compare|like|love|want|prefer|about|choose|pick|need|is|does|was)\s+"
                    r"(?:this|that)\b(?!\s+(?:is|are|was|i|you|we|they|it|he|she|has|have|the|a|an|will|would|can|could|should)\b)")

_Q = rf"(?P<q>\d{{1,3}}|{_NUM_ALT}|a\s+couple(?:\s+of)?|a\s+dozen|a\s+pair)"
_QUANTITY = [
    re.compile(rf"(?<![\w.]){_Q}\s+of\s+(?:them|those|these|it|this|that)\b"),
    re.compile(rf"(?<![\w.]){_Q}\s+of(?=\s+the\b)"),
    re.compile(rf"(?<![\w.]){_Q}\s+(?:units?|pieces?|pcs|copies|pairs|packs|sets|boxes|items)\b"),
    re.compile(rf"\b(?:add|buy|get|order|take|want|need|put|grab|give\s+me|i'll\s+take|i\s+will\s+take|make\s+it|change\s+it\s+to|"
               rf"update\s+it\s+to)\s+(?:another\s+)?{_Q}\b(?![.,]\d|\s*(?:%|\$|k\b|(?:{_UNITS}|dollars|bucks|and\s+\d|stars?)\b))"),
    re.compile(r"(?<![\w.])[x×]\s?(?P<q>\d{1,3})\b|\b(?P<q2>\d{1,3})\s?[x×](?=\s*(?:$|[,.!?]|please\b|of\b|to\b))|"
               r"\b(?:qty|quantity)\s*[:=]?\s*(?P<q3>\d{1,3})\b"),
]
#: A change of the quantity just asked for or added: "make it two", "actually make that 3", "just one", "only two
#: please", "change the quantity to 4", "two instead".
_QUANTITY_FIX = [
    re.compile(rf"\b(?:make|change|update|set|put|bump|increase|reduce|decrease|lower)\s+(?:it|that|this|them|those|(?:the\s+)?(?:quantity|qty|"
               rf"amount|number)(?:\s+of\s+(?:(?:the|my|those|these)\s+)?(?:[\w-]+\s+){{0,3}}?[\w-]+)?)\s+"  # "… of the headphones"
               rf"(?:up\s+|down\s+)?(?:to\s+|into\s+)?{_Q}\b(?![.,]\d|\s*(?:%|\$|k\b|(?:{_UNITS}|dollars|bucks|stars?)\b))"),
    re.compile(rf"^\s*(?:(?:actually|oh|wait|sorry|hmm+|no|nah|ok(?:ay)?|um+|er+)[\s,.!]*)*(?:i\s+)?(?:(?:just|only)\s+(?:(?:want|need)\s+)?|(?:want|need)\s+"
               rf"(?:just|only)\s+)(?:the\s+)?{_Q}(?:\s+(?:please|pls|then|thanks|of\s+(?:them|it|those|these)|is\s+enough|will\s+do))*\s*[.!]*\s*$"),
    re.compile(rf"^\s*(?:(?:actually|oh|wait|sorry|no|nah|ok(?:ay)?)[\s,.!]*)+(?:i\s+(?:want|need)\s+)?{_Q}(?:\s+(?:please|pls|then|instead|"
               rf"of\s+(?:them|it|those|these)))*\s*[.!]*\s*$"),
    re.compile(rf"^\s*(?:i\s+(?:want|need)\s+)?{_Q}\s+(?:of\s+(?:them|it|those|these|the\s+[\w-]+(?:\s+[\w-]+)?)\s+)?instead(?:\s+(?:please|pls|of\s+\w+))*\s*[.!]*\s*$"),
]
#: The same change of one line by reference: "make the second one 3", "change the blue one to 2", "set the first to
#: four". Only the number is claimed; the reference is read by the reference rules.
_QUANTITY_FIX_OF = re.compile(rf"\b(?:make|change|update|set)\s+the\s+(?:[\w-]+\s+){{1,2}}?(?:one|item|line|ones|)\s*(?:to\s+|into\s+)?"
                              rf"{_Q}\s*(?:please|pls|instead)?\s*[.!]*\s*$")
_CHEAPER = re.compile(r"\b(?:cheaper|not\s+(?:too|very|that|so)\s+(?:expensive|pricey|costly)|less\s+(?:expensive|pricey|costly)|too\s+(?:expensive|pricey|costly|much|dear|steep)|(?:more\s+)?affordable|"
                      r"lower[\s-]+(?:prices?|priced|cost|end)|low[\s-]+(?:cost|budget|end|priced)|inexpensive|cheap|cheapest|"
                      r"budget[\s-]+(?:friendly|options?|ones?)|over\s+(?:my\s+)?budget|out\s+of\s+(?:my\s+)?(?:budget|price\s+range)|"
                      r"costs?\s+too\s+much|not\s+so\s+expensive|save\s+(?:some\s+)?money|bargains?)\b")
_NEGATED_HINT = re.compile(r"\b(?:nothing|not|no|never|without)\s+(?:any\s+|too\s+|that\s+)?$")
_PREMIUM = re.compile(r"\b(?:more\s+(?:premium|expensive|upscale|luxurious|upmarket|high[\s-]end)|higher[\s-]+(?:end|quality|priced)|"
                      r"high[\s-]+end|top[\s-]+(?:of[\s-]+the[\s-]+line|end|tier)|fancier|fancy|pricier|premium|luxury|luxurious|"
                      r"upscale|better\s+quality|best\s+quality|too\s+cheap|splurge|nicer)\b")


@dataclass
class RuleHits:
    """What the pattern rules found, and the character spans they claimed."""

    spans: list[tuple[int, int]] = field(default_factory=list)
    price_min: float | None = None
    price_max: float | None = None
    price_hint: str | None = None
    rating_min: float | None = None
    quantity: int | None = None
    quantity_fix: bool = False
    order_id: str | None = None
    brands_out_focus: bool = False
    references: list[RefHit] = field(default_factory=list)
    #: Spans of Chinese demonstrative references (这个, 那款): one right after an attribute describes it ("红色那个").
    demonstratives: list[tuple[int, int]] = field(default_factory=list)

    def free(self, start: int, end: int) -> bool:
        return all(end <= s or start >= e for s, e in self.spans)

    def claim(self, match: re.Match[str]) -> bool:
        """Claim ``match`` unless an earlier rule already claimed part of it."""
        return self.claim_span(match.start(), match.end())

    def claim_span(self, start: int, end: int) -> bool:
        """Claim the characters ``start:end`` unless an earlier rule already claimed part of them."""
        if end <= start or not self.free(start, end):
            return False
        self.spans.append((start, end))
        return True


def amount_of(match: re.Match[str], name: str) -> tuple[float, bool]:
    """(value, has money marker) of the amount group ``name`` in ``match``."""
    raw = match.group(f"{name}num")
    words = amount_in_words(raw) if raw[0].isalpha() else None
    value = words if words is not None else float(raw.replace(",", ""))
    k = match.group(f"{name}k")
    if k:
        value *= 1000
    return value, bool(match.group(f"{name}cur") or match.group(f"{name}unit") or k or _SCALED_WORDS.search(raw))


#: An amount in words with a scale ("two hundred", "a couple grand") is money even without "dollars".
_SCALED_WORDS = re.compile(r"[a-z]\s+(?:hundred|thousand|grand)\b")


def _within(match: re.Match[str], spans: list[tuple[int, int]]) -> bool:
    return any(start <= match.start() and match.end() <= end for start, end in spans)


def _number(text: str) -> int | None:
    text = " ".join(text.split())
    if text.isdigit():
        return int(text)
    return {"a couple": 2, "a couple of": 2, "a dozen": 12, "a pair": 2}.get(text, NUMBER_WORDS.get(text))


class PatternRules:
    """The pattern rules, compiled once for one :class:`SlotOptions`."""

    def __init__(self, options: SlotOptions) -> None:
        self.options = options
        prefix = re.escape(options.order_prefix.lower())
        digits = f"\\d{{{options.order_min_digits},{options.order_max_digits}}}"
        patterns = options.order_patterns or [
            rf"{WORD_START}{prefix}[-_\s]?#?(?P<id>{digits}){WORD_END}",
            rf"\border\s*(?:number|no\.?|num|id|#|n°)?\s*[:#-]?\s*(?P<id>{digits}){WORD_END}",
            rf"{WORD_START}#\s?(?P<id>{digits}){WORD_END}",
        ]
        if options.bare_order_digits:
            patterns.append(rf"^\s*#?(?P<id>\d{{{options.bare_order_digits}}})\s*[.!?]?\s*$")
        self.order_patterns = [re.compile(p) for p in patterns]
        digits_only = options.bare_order_digits
        self.answered_order = re.compile(rf"(?<![0-9A-Za-z.,$€£¥#-])#?(?P<id>\d{{{digits_only}}})(?![0-9A-Za-z]|[.,]\d)") if digits_only else None

    def order_id_answered(self, text: str) -> str | None:
        """The order id in the answer to "what is your order number?" ("it's 12345", "sure, 12345 thanks"): any lone
        number of ``bare_order_digits`` digits, which outside that answer is no order id."""
        found = self.answered_order.search(text) if self.answered_order is not None else None
        return f"{self.options.order_prefix}-{found['id']}" if found else None

    def run(self, text: str) -> RuleHits:
        """All pattern slots of ``text`` (already lower-cased)."""
        hits = RuleHits()
        self._order_id(text, hits)
        if _CHINESE.search(text):
            slot_rules_zh.run(text, hits, self.options)
        self._rating(text, hits)
        self._price(text, hits)
        self._references(text, hits)
        self._hints(text, hits)
        hits.references.sort(key=lambda r: r[0])
        return hits

    def _order_id(self, text: str, hits: RuleHits) -> None:
        for pattern in self.order_patterns:
            for m in pattern.finditer(text):
                if hits.claim(m):
                    hits.order_id = hits.order_id or f"{self.options.order_prefix}-{m.group('id')}"

    def _rating(self, text: str, hits: RuleHits) -> None:
        # "the top-rated one", "the best rated": a product among those shown (a reference), not a rating filter
        pointed = [m.span() for m in _GRADED_REFERENCE.finditer(text)]
        for pattern in _RATING:
            for m in pattern.finditer(text):
                raw = m.group("r")
                value = float(NUMBER_WORDS.get(raw, 0) or raw)
                if 0 < value <= 5 and hits.rating_min is None and not _within(m, pointed) and hits.claim(m):
                    hits.rating_min = value
        for m in _WELL_RATED.finditer(text):
            if hits.rating_min is None and not _within(m, pointed) and hits.claim(m):
                hits.rating_min = self.options.well_rated

    def _plausible(self, text: str, match: re.Match[str], value: float, money: bool) -> bool:
        if money:
            return True
        return value >= self.options.bare_price_minimum and not _AGE_BEFORE.search(text[max(0, match.start() - 25): match.start()])

    def _price(self, text: str, hits: RuleHits) -> None:
        if hits.price_min is not None or hits.price_max is not None:
            return  # a Chinese rule found the price
        for m in _RANGE.finditer(text):
            (low, low_money), (high, high_money) = amount_of(m, "a"), amount_of(m, "b")
            if m.group("bk") and not m.group("ak") and low < 10 <= low * 1000 <= high * 1.0001:
                low *= 1000  # "1-2k"
            money = low_money or high_money
            if (m.group("sep") == "and" and not m.group("kw")) or not (money or (m.group("kw") and high >= self.options.bare_price_minimum)):
                continue
            if hits.claim(m):
                hits.price_min, hits.price_max = min(low, high), max(low, high)
                return
        for m in (m for pattern in _AROUND for m in pattern.finditer(text)):
            value, money = amount_of(m, "a")
            if self._plausible(text, m, value, money) and hits.claim(m):
                tolerance = self.options.around_tolerance
                hits.price_min, hits.price_max = round(value * (1 - tolerance), 2), round(value * (1 + tolerance), 2)
                return
        for patterns, bound in ((_MAX, "max"), (_MIN, "min"), ([_FOR], "max"), ([_DOLLARS], "max")):
            for m in (m for pattern in patterns for m in pattern.finditer(text)):
                value, money = amount_of(m, "a")
                if patterns[0] is _DOLLARS and not (m.group("acur") or m.group("aunit") or _SCALED_WORDS.search(m.group("anum"))):
                    continue
                if (patterns[0] is not _FOR or money) and self._plausible(text, m, value, money) and hits.claim(m):
                    if bound == "max" and hits.price_max is None:
                        hits.price_max = value
                    elif bound == "min" and hits.price_min is None:
                        hits.price_min = value

    def _references(self, text: str, hits: RuleHits) -> None:
        refs = hits.references
        for m in _BRAND_FOCUS.finditer(text):
            hits.brands_out_focus = hits.claim(m) or hits.brands_out_focus
        for m in _N_BY_PRICE.finditer(text):
            if hits.claim(m):
                kind = "cheapest" if m.group("low") or m.group("low2") else "priciest"
                refs += [(m.start() + i, kind, i + 1, None, None) for i in range(_number(m.group("n") or m.group("n2")) or 0)]
        for pattern, kind in PRICE_REFERENCES:
            refs += [(m.start(), kind, None, None, None) for m in pattern.finditer(text) if hits.claim(m)]
        refs += [(m.start(), "graded", None, None, " ".join(m.group("g").replace("-", " ").split()))
                 for m in _GRADED_REFERENCE.finditer(text) if hits.claim(m)]
        for m in _FIRST_N.finditer(text):
            if hits.claim(m):
                count = _number(m.group("n")) or 0
                refs += [(m.start() + i, "ordinal", i + 1, None, None) for i in range(count)]
        self._quantity(text, hits)
        for m in _ORDINAL.finditer(text):
            if not _SORT_ORDER.search(text, 0, m.start()) and hits.claim(m):
                refs.append((m.start(), "ordinal", ORDINAL_WORDS[m.group("o")], None, None))
        for m in _HASH_NUMBER.finditer(text):
            if 1 <= int(m.group("n")) <= self.options.max_ordinal and hits.claim(m):
                refs.append((m.start(), "ordinal", int(m.group("n")), None, None))
        for m in _NUMBER_LIST.finditer(text):
            numbers = [int(n) for n in re.findall(r"\d+", m.group("list"))]
            if _SIZE_BEFORE.search(text, 0, m.start()):
                continue  # "size 9 or 10"
            if all(1 <= n <= self.options.max_ordinal for n in numbers) and hits.claim(m):
                refs += [(m.start() + i, "ordinal", n, None, None) for i, n in enumerate(numbers)]
        picked = any(kind in ("ordinal", "last") for _, kind, *_ in refs)
        for pattern, kind in ((_LAST, "last"), (_BOTH, "both"), (_ALL, "all"), (_FOCUS, "focus")):
            for m in pattern.finditer(text):  # "which of these is cheaper, the first or the second": those two, not all
                if hits.claim(m) and not (kind == "all" and picked and _PARTITIVE.search(text, 0, m.start())):
                    refs.append((m.start(), kind, None, None, None))

    def _quantity(self, text: str, hits: RuleHits) -> None:
        m = _QUANTITY_FIX_OF.search(text)
        if m and (value := _number(m.group("q"))) and 1 <= value <= 999 and hits.claim_span(m.start("q"), m.end("q")):
            hits.quantity, hits.quantity_fix = value, True
        for pattern in _QUANTITY_FIX:
            for m in pattern.finditer(text):
                value = _number(m.group("q"))
                if value and 1 <= value <= 999 and hits.quantity is None and hits.claim(m):
                    hits.quantity, hits.quantity_fix = value, True
        for pattern in _QUANTITY:
            for m in pattern.finditer(text):
                raw = next((g for g in (m.groupdict().get(k) for k in ("q", "q2", "q3")) if g), None)
                value = _number(raw) if raw else None
                if raw and " ".join(raw.split()) == "a pair" and pattern is _QUANTITY[3]:
                    continue  # "buy a pair of running shoes": one product
                if value and 1 <= value <= 999 and hits.quantity is None and hits.claim(m):
                    hits.quantity = value

    def _hints(self, text: str, hits: RuleHits) -> None:
        for pattern, hint in ((_CHEAPER, "cheaper"), (_PREMIUM, "more_premium")):
            for m in pattern.finditer(text):
                if _NEGATED_HINT.search(text, 0, m.start()):
                    hits.claim(m)  # "nothing pricier": not a request for pricier things
                elif hits.claim(m) and hits.price_hint is None:
                    hits.price_hint = hint
