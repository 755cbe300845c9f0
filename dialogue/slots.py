"""Slot extraction: what a shopper's message says about category, brand, colour, size, material, price, rating,
quantity, the products it points at and the order it is about, normalised to the catalog's own values.

Rule and vocabulary based, no model: pattern rules (``dialogue.slot_rules``) claim prices, ratings, quantities,
references and order ids first; the catalog vocabulary (``dialogue.vocabulary``) is then matched on the words left
(longest n-gram first, fuzzy only for unknown words of 4+ letters), and negations flip what they cover to ``*_out``.

Choices worth knowing:

* "not that brand" / "a different brand" sets ``brands_out_focus=True`` (the focused product's brand is to be excluded;
  the dialogue manager knows which brand that is), and adds no focus reference.
* "the blue one" / "the Acme one" / "the one in blue" is a reference (kind ``attribute``, key ``color``/``brand``/...)
  and *not* a colour or brand filter; "blue ones", "a blue one", "only black ones" are filters.
* "the Quasar one" is a reference of kind ``name`` (a word the vocabulary does not know, resolved against titles).
* "the cheaper one" / "the most expensive one" are references (``cheapest``/``priciest``); "cheaper" alone is
  ``price_hint="cheaper"``. "the lighter one", "the better one", 更轻的那个 are ``graded`` references: the product
  best on that attribute among those in view.
* "something not a knife", "no vases", 锅具也不要 leave a kind of product out (``categories_out``); the kind asked for,
  and any above it, is never left out ("running shoes, no other shoes").
* ``is_empty()`` is about search constraints only: references, quantity and order id do not count.

Chinese messages give the same slots with the same values (see ``dialogue.slot_rules_zh`` for the pattern rules,
``dialogue.lexicon_zh`` for how Chinese words reach the catalog's values, ``dialogue.entities`` for matching on Han
characters): 红色的跑鞋 500元以内 is ``colors=["Red"], category="Running Shoes", price_max=500`` on the English catalog
and ``colors=["红色"], category="跑步鞋"`` on the Chinese one. A demonstrative right after an attribute is that
attribute's reference, as "the red one" is: 红色那个 / Acme那个 → an ``attribute`` reference, no filter; followed by a
category (Acme那个破壁机, Stridewell那双跑鞋) the attribute stays a filter and no reference is made; before an
attribute (那件深蓝的卫衣, 这个纯棉的) it is the focus, and the words after it are filters, as in "that blue hoodie".
"""

from __future__ import annotations

import logging
import re
from typing import Literal, NamedTuple

from pydantic import BaseModel, Field

from dialogue.entities import EntityMatch, EntityMatcher, Token, tokenize
from dialogue.lexicon import NUMBER_WORDS, ORDINAL_WORDS, STOPWORDS
from dialogue.lexicon_zh import has_han, is_han
from dialogue.search_query import search_query
from dialogue.slot_rules import (
    PatternRules,
    RefHit,
    SlotOptions,
    amount_of,
    amount_pattern,
)
from dialogue.vocabulary import CatalogVocabulary
from retrieval.models import SearchConstraints

log = logging.getLogger(__name__)

__all__ = ["Reference", "SlotExtractor", "SlotOptions", "Slots", "extract_bare_price"]

MAX_CHARS = 2000
_CLAUSE_BREAK = re.compile(r"[，,。.;；!！?？和或与跟]")
_REF_DETERMINERS = frozenset({"the", "that", "this"})
_REF_PREPOSITIONS = frozenset({"in", "by", "from", "with", "made"})
_NOT_A_NAME = STOPWORDS | set(NUMBER_WORDS) | set(ORDINAL_WORDS) | {"other", "same", "next", "previous", "cheap", "big", "small",
    "new", "old", "left", "top", "bottom", "middle", "closer", "nearer", "bigger", "smaller", "larger", "lighter", "heavier", "darker",
    "brighter", "newer", "older", "longer", "shorter", "nicer", "better", "front", "back", "right", "cheaper"}
_BARE_PRICE = re.compile(
    r"^\s*(?:(?:(?:my|the|our)\s+)?budget(?:\s+(?:is|of|would\s+be))?\s*:?\s*|(?:i\s+(?:can|could|want\s+to)\s+spend\s+)|"
    r"(?:around|about|roughly|approximately|approx\.?|max(?:imum)?|under|below|up\s+to|less\s+than|no\s+more\s+than|maybe|"
    r"like|~|at\s+most)\s*)*" + amount_pattern("a") +
    r"\s*(?:max|tops|or\s+(?:so|less|under)|-?ish|at\s+most|is\s+my\s+budget)?\s*(?:please|pls)?\s*[.!]*\s*$")


class Reference(BaseModel):
    """Something the shopper points at among the products shown ("the second one", "both", "the blue one")."""

    kind: Literal["ordinal", "last", "all", "both", "focus", "attribute", "name", "cheapest", "priciest", "graded"]
    index: int | None = Field(default=None, description="1-based position, for ordinals; the rank by price for cheapest / "
                              "priciest (\"the two cheapest\": ranks 1 and 2).")
    key: str | None = Field(default=None, description="Attribute key for kind=attribute: color, size, material or brand.")
    value: str | None = Field(default=None, description="Attribute value or name fragment; for kind=graded the grade as "
                              "said (\"lighter\", \"best rated\", 更轻).")


class Slots(BaseModel):
    """Everything one message says, in catalog terms."""

    category: str | None = None
    categories_out: list[str] = Field(default_factory=list, description='"not a knife", "no vases": kinds of product to leave out.')
    brands: list[str] = Field(default_factory=list)
    brands_out: list[str] = Field(default_factory=list)
    brands_out_focus: bool = Field(default=False, description='"not that brand": exclude the focused product\'s brand.')
    colors: list[str] = Field(default_factory=list)
    colors_out: list[str] = Field(default_factory=list)
    sizes: list[str] = Field(default_factory=list)
    materials: list[str] = Field(default_factory=list)
    materials_out: list[str] = Field(default_factory=list)
    price_min: float | None = Field(default=None, ge=0)
    price_max: float | None = Field(default=None, ge=0)
    price_hint: Literal["cheaper", "more_premium"] | None = None
    rating_min: float | None = Field(default=None, ge=0, le=5)
    quantity: int | None = Field(default=None, ge=1)
    quantity_fix: bool = Field(default=False, description='"make it two", "just one": a change of the quantity just added or asked for.')
    references: list[Reference] = Field(default_factory=list)
    order_id: str | None = None

    def to_constraints(self) -> SearchConstraints:
        """The search constraints these slots state (price hints and brands_out_focus need context: not included)."""
        low, high = self.price_min, self.price_max
        if low is not None and high is not None and low > high:
            low, high = high, low
        attributes_in = {k: v for k, v in (("color", self.colors), ("size", self.sizes), ("material", self.materials)) if v}
        attributes_out = {k: v for k, v in (("color", self.colors_out), ("material", self.materials_out)) if v}
        return SearchConstraints(category=self.category, categories_out=list(self.categories_out), brands_in=list(self.brands),
                                 brands_out=list(self.brands_out), price_min=low, price_max=high, attributes_in=attributes_in, attributes_out=attributes_out,
                                 rating_min=self.rating_min)

    def is_empty(self) -> bool:
        """True when nothing here constrains a search (references, quantity and order id do not count)."""
        return (self.to_constraints().is_empty() and self.price_hint is None and not self.brands_out_focus)


class Extraction(NamedTuple):
    slots: Slots
    rest: list[str]
    query: str


class SlotExtractor:
    """Extracts :class:`Slots` from one message, normalised against ``vocabulary``. Thread-safe; build once."""

    def __init__(self, vocabulary: CatalogVocabulary, options: SlotOptions | None = None) -> None:
        self.vocabulary = vocabulary
        self.options = options or SlotOptions()
        self.rules = PatternRules(self.options)
        self.matcher = EntityMatcher(vocabulary, fuzzy=self.options.fuzzy, english_guard=self.options.english_guard)

    def extract(self, text: str) -> Slots:
        return self.extract_with_rest(text)[0]

    def extract_with_rest(self, text: str) -> tuple[Slots, list[str]]:
        """The slots, and the message's words that no slot accounts for (lower case, in order)."""
        found = self.extract_all(text)
        return found.slots, found.rest

    def extract_all(self, text: str) -> Extraction:
        """The slots, the words no slot accounts for, and the message as a search query (``dialogue.search_query``)."""
        text = text[:MAX_CHARS]
        lowered = text.lower()
        if len(lowered) != len(text):
            text = lowered
        hits = self.rules.run(lowered)
        tokens = tokenize(text)
        free = [hits.free(t.start, t.end) for t in tokens]
        matches = self.matcher.match(tokens, free)
        references = list(hits.references) + self._name_references(text, tokens, free, matches)
        matches = self._entity_references(tokens, matches, references)
        chinese = has_han(lowered)
        if chinese and hits.demonstratives:
            matches = self._described_demonstratives(lowered, tokens, matches, references, hits.demonstratives)
        self.matcher.negate(lowered, tokens, matches, hits.spans)
        if chinese:
            self.matcher.negate_zh(lowered, tokens, matches, hits.spans)
        ordered = sorted(references, key=lambda r: r[0])
        slots = Slots(price_min=hits.price_min, price_max=hits.price_max, price_hint=hits.price_hint, rating_min=hits.rating_min,
                      quantity=hits.quantity, quantity_fix=hits.quantity_fix, order_id=hits.order_id, brands_out_focus=hits.brands_out_focus,
                      references=_unique([Reference(kind=k, index=i, key=key, value=v) for _, k, i, key, v in ordered]))  # type: ignore[arg-type]
        self._fill(slots, matches, lowered, tokens)
        if log.isEnabledFor(logging.DEBUG):
            log.debug("slots.extract text=%r slots=%s", text[:200], slots.model_dump(exclude_defaults=True))
        covered = {k for m in matches for k in range(m.first, m.last)}
        return Extraction(slots, _words([t for i, t in enumerate(tokens) if free[i] and i not in covered]), search_query(text, hits.spans))

    def extract_bare_price(self, text: str) -> float | None:
        return extract_bare_price(text)

    # helpers -------------------------------------------------------------------------------------------
    @staticmethod
    def _entity_references(tokens: list[Token], matches: list[EntityMatch], references: list[RefHit]) -> list[EntityMatch]:
        """"the blue one", "the Acme one", "the one in blue" → attribute references (and no longer filters)."""
        texts = [t.text for t in tokens]
        kept = []
        for m in matches:
            before = texts[m.first - 1] if m.first > 0 else ""
            after = texts[m.last] if m.last < len(texts) else ""
            described = before in _REF_DETERMINERS and after == "one"
            pointed = before in _REF_PREPOSITIONS and m.first >= 3 and texts[m.first - 2] == "one" and texts[m.first - 3] in _REF_DETERMINERS
            if m.kind != "category" and (described or pointed):
                references.append((tokens[m.first].start, "attribute", None, m.kind, m.value))
            else:
                kept.append(m)
        return kept

    @staticmethod
    def _described_demonstratives(text: str, tokens: list[Token], matches: list[EntityMatch], references: list[RefHit],
                                  spans: list[tuple[int, int]]) -> list[EntityMatch]:
        """"红色那个" / "Acme那个": a demonstrative right after an attribute and no category is an attribute reference, as
        "the red one" is; with a category after them (Acme那个破壁机) the attribute stays a filter. One before an attribute
        ("那件深蓝的卫衣", "这个纯棉的") is the focus, and the attribute a filter ("that blue hoodie", "this cotton one")."""
        kept = list(matches)

        def category_at(position: int) -> bool:
            position += len(text[position:]) - len(text[position:].lstrip("的"))
            return any(m.kind == "category" and tokens[m.first].start == position for m in kept)

        for start, end in spans:
            described = next((m for m in kept if m.kind != "category" and tokens[m.last - 1].end <= start
                              and text[tokens[m.last - 1].end:start] in ("", "的")), None)
            if described is None:
                continue  # no attribute before it; one after it ("这个纯棉的") stays a filter of the focus
            references[:] = [r for r in references if not (r[0] == start and r[1] == "focus")]
            if category_at(end):
                continue  # "Acme那个破壁机": the Acme blender
            kept.remove(described)
            references.append((tokens[described.first].start, "attribute", None, described.kind, described.value))
        return kept

    @staticmethod
    def _name_references(text: str, tokens: list[Token], free: list[bool], matches: list[EntityMatch]) -> list[RefHit]:
        """"the Quasar one" → a name reference to resolve against the titles shown."""
        covered = {k for m in matches for k in range(m.first, m.last)}
        found: list[RefHit] = []
        for i, token in enumerate(tokens[:-2]):
            if token.text not in _REF_DETERMINERS or not free[i]:
                continue
            for length in (1, 2):
                end = i + 1 + length
                if end >= len(tokens) or tokens[end].text != "one":
                    continue
                words = range(i + 1, end)
                if all(free[k] and k not in covered and tokens[k].text not in _NOT_A_NAME for k in words):
                    found.append((tokens[i + 1].start, "name", None, None, text[tokens[i + 1].start:tokens[end - 1].end]))
        return found

    @staticmethod
    def _modifies(text: str, tokens: list[Token], first: EntityMatch, second: EntityMatch) -> bool:
        """"配书桌的台灯": in Chinese the category before 的 describes the one after it, which is the head."""
        between = text[tokens[first.last - 1].end:tokens[second.first].start]
        return between.endswith("的") and len(between) <= 6 and not _CLAUSE_BREAK.search(between)

    def _fill(self, slots: Slots, matches: list[EntityMatch], text: str = "", tokens: list[Token] | None = None) -> None:
        categories = [m for m in matches if m.kind == "category" and not m.negated]
        # "hiking boots": of two adjacent categories the second is the head noun, unless it is a weaker guess
        categories = [m for k, m in enumerate(categories) if not (k + 1 < len(categories) and categories[k + 1].first == m.last
                                                                 and categories[k + 1].tier <= m.tier)]
        if tokens and has_han(text):
            categories = [m for k, m in enumerate(categories)
                          if not (k + 1 < len(categories) and self._modifies(text, tokens, m, categories[k + 1]))]
        if categories:
            values = {m.value for m in categories}
            specific = [m for m in categories if not any(m.value in self.vocabulary.ancestors(v) for v in values)]
            slots.category = (specific or categories)[0].value
        around = {slots.category, *self.vocabulary.ancestors(slots.category)} if slots.category else set()
        slots.categories_out = list(dict.fromkeys(m.value for m in matches if m.kind == "category" and m.negated and m.value not in around))
        fields = {("brand", False): slots.brands, ("brand", True): slots.brands_out, ("color", False): slots.colors,
                  ("color", True): slots.colors_out, ("material", False): slots.materials, ("material", True): slots.materials_out,
                  ("size", False): slots.sizes}
        for m in matches:
            target = fields.get((m.kind, m.negated))
            if target is not None and m.value not in target:
                target.append(m.value)
        for wanted, banned in ((slots.brands, slots.brands_out), (slots.colors, slots.colors_out), (slots.materials, slots.materials_out)):
            wanted[:] = [v for v in wanted if v not in banned]


def _words(tokens: list[Token]) -> list[str]:
    """Token texts, adjacent Han characters joined back into one word ("我想", not "我", "想")."""
    words: list[str] = []
    previous: Token | None = None
    for token in tokens:
        if words and previous is not None and previous.end == token.start and is_han(previous.text[-1]) and is_han(token.text[0]):
            words[-1] += token.text
        else:
            words.append(token.text)
        previous = token
    return words


def _unique(references: list[Reference]) -> list[Reference]:
    seen: list[Reference] = []
    for ref in references:
        if ref not in seen:
            seen.append(ref)
    return seen


def extract_bare_price(text: str) -> float | None:
    """The amount of a message that is only a budget: "500", "$500", "around 500", "$1.5k", "my budget is 300"."""
    m = _BARE_PRICE.match(text.lower())
    if m is None:
        return None
    value, _ = amount_of(m, "a")
    return value if value > 0 else None
