"""Product features a request names in the catalog's own words: "an OLED TV", "4K", "over-ear", "trail running shoes"
(an attribute's value), "wireless", "waterproof", "noise cancelling", 无线, 防水 (a yes/no attribute's name), and their
negations ("not wireless", "no QLED", 不要无线的).

A feature counts only within the category being searched, where the catalog's products carry it: "firm" is a
mattress's firmness, "word" a board game's genre, and neither means anything among laptops. Colours, sizes, materials,
brands and who the products are for have readers of their own (``dialogue.entities``, ``dialogue.goals``), and so
have measurements ("a 55 inch TV", "at least 16 GB": ``dialogue.measures``); names of categories ("laptop" among
Laptops) are left to the search's words.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field

from dialogue.lexicon import normalize, singular
from dialogue.lexicon_zh import HAN_RANGES, has_han
from dialogue.measures import CategoryMeasures
from retrieval.facets import CatalogFacets
from retrieval.models import NO_VALUES, YES_VALUES

#: Attributes read elsewhere (slots and who the products are for).
_OWN_READERS = frozenset({"color", "size", "material", "gender", "性别", "颜色", "尺码", "材质"})
#: Other words shoppers use for a yes/no attribute's name.
_KEY_ALIASES = {"noise cancelling": ("noise canceling", "anc"), "主动降噪": ("降噪",), "可机洗": ("机洗",)}
#: Values that are more often plain words of a request than a feature ("narrow it down", "a light one", "max $50").
_PLAIN_WORDS = frozenset({"down", "light", "max", "standard", "medium", "compact", "modern", "personal", "task"})
#: A value with a digit is a feature only as a class ("4K", "1080p", "5G", "12-speed", "2-in-1"), not a measurement.
_DIGIT_CLASS = re.compile(r"^\d+[kpg]$|^[\w.]*\d[\w.]*(?:-[a-z]+)+$|^[a-z]+-?\d+$", re.IGNORECASE)
_EN_NEGATION = re.compile(r"\b(?:not|no|non|without|except|never|(?:don't|dont|do not)\s+(?:want|need|like))\s+(?:\w+\s+)?$")
_ZH_NEGATION = re.compile(r"(?:不要|不想要|不需要|不带|不含|不是|别要|别|除了|非)[^，,。.;；!！?？\s]{0,2}$")


@dataclass(frozen=True)
class Feature:
    """One attribute value: ``key`` (as the catalog names it) = ``value``."""

    key: str
    value: str


@dataclass
class NamedFeatures:
    """What a message asks for (``wanted``) and rules out (``unwanted``), each attribute key → values."""

    wanted: dict[str, list[str]] = field(default_factory=dict)
    unwanted: dict[str, list[str]] = field(default_factory=dict)
    measured: list[str] = field(default_factory=list, metadata={"doc": "The keys of ``wanted`` that are measurements."})

    def __bool__(self) -> bool:
        return bool(self.wanted or self.unwanted)


@dataclass
class _CategoryForms:
    """A category's feature forms: each surface form → its feature when asked for and when ruled out (a yes/no
    attribute's other value; None for a value, which is then avoided)."""

    pattern: re.Pattern[str] | None
    asked: dict[str, Feature]
    refused: dict[str, Feature | None]
    measures: CategoryMeasures


class FeatureIndex:
    """The features of each category, built from the catalog's facets once per store (the dialogue manager keeps
    one); :meth:`named` reads a message."""

    def __init__(self, facets: CatalogFacets) -> None:
        self._levels = {normalize(level) for path, _ in facets.path_counts() for level in path}
        self._levels |= {singular(level) for level in self._levels}
        elsewhere = {k for k in _OWN_READERS if k in facets.values}
        self._taken = {normalize(v) for key in elsewhere for v in facets.values[key].names}
        self._taken |= {normalize(b) for b in facets.brands if b}
        by_level: dict[str, dict[str, set[str]]] = defaultdict(dict)
        for key in facets.values:
            if key in _OWN_READERS:
                continue
            for level, values in facets.values_by_level(key).items():
                by_level[level.lower()][key] = values
        self._by_level = by_level
        self._forms: dict[str, _CategoryForms] = {}

    def named(self, text: str, category: str | None) -> NamedFeatures:
        """The features ``text`` names among ``category``'s products (nothing without a category)."""
        if not category or not text:
            return NamedFeatures()
        forms = self._forms.get(category.lower())
        if forms is None:
            forms = self._forms[category.lower()] = self._build(self._by_level.get(category.lower(), {}))
        measured = forms.measures.named(text)
        found = NamedFeatures(wanted=measured, measured=list(measured))
        if forms.pattern is None:
            return found
        lowered = _lookup_text(text)
        for match in forms.pattern.finditer(lowered):
            form = match.group(1)
            before = lowered[:match.start(1)]
            negated = bool(_EN_NEGATION.search(before) or _ZH_NEGATION.search(before) or lowered.startswith(" free", match.end(1)))
            if not negated:
                _add(found.wanted, forms.asked[form])
            elif (refused := forms.refused[form]) is not None:
                _add(found.wanted, refused)
            else:
                _add(found.unwanted, forms.asked[form])
        return found

    def _build(self, values_by_key: dict[str, set[str]]) -> _CategoryForms:
        asked: dict[str, Feature] = {}
        refused: dict[str, Feature | None] = {}
        ambiguous: set[str] = set()
        for key, values in values_by_key.items():
            yes = next((v for v in values if v.lower() in YES_VALUES), None)
            if yes is not None and all(v.lower() in YES_VALUES | NO_VALUES for v in values):
                no = next((v for v in values if v.lower() in NO_VALUES), "否" if has_han(yes) else "no")
                entries = [(_form(name), Feature(key, yes), Feature(key, no)) for name in (key, *_KEY_ALIASES.get(key, ()))]
            else:
                entries = [(_form(v), Feature(key, v), None) for v in values if self._is_feature(v)]
            for form, feature, negative in entries:
                if not form or form in self._levels or form in self._taken or form in _PLAIN_WORDS:
                    continue
                if form in asked and asked[form] != feature:
                    ambiguous.add(form)
                asked[form], refused[form] = feature, negative
        for form in ambiguous:
            del asked[form], refused[form]
        measures = CategoryMeasures(values_by_key)
        if not asked:
            return _CategoryForms(None, {}, {}, measures)
        alternatives = "|".join(re.escape(f) for f in sorted(asked, key=len, reverse=True))
        pattern = re.compile(rf"(?<![\w-])({alternatives})(?:s|es)?(?![\w])" if not any(map(has_han, asked)) else
                             rf"(?:(?<![\w-])|(?<=[{HAN_RANGES}]))({alternatives})(?:s|es)?(?![a-z0-9])")
        return _CategoryForms(pattern, asked, refused, measures)

    @staticmethod
    def _is_feature(value: str) -> bool:
        """A value a shopper names as a kind of the product: a word or short phrase, or a class with a digit."""
        text = value.strip()
        if len(text) < 2 or len(text.split()) > 3 or not re.search(r"[^\W\d_]", text):
            return False
        return not re.search(r"\d", text) or _DIGIT_CLASS.match(text) is not None


def _form(text: str) -> str:
    """The lookup form of a value or key: lower-cased, hyphens and runs of spaces as one space ("Over-Ear" → "over ear");
    Han text without spaces."""
    form = " ".join(text.lower().replace("-", " ").split())
    return form.replace(" ", "") if has_han(form) else form


def _lookup_text(text: str) -> str:
    return " ".join(text.lower().replace("-", " ").replace("’", "'").split())


def _add(into: dict[str, list[str]], feature: Feature) -> None:
    values = into.setdefault(feature.key, [])
    if feature.value not in values:
        values.append(feature.value)
