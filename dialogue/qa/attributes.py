"""Which product fact a question is about, found against the catalog's own attribute names and values.

In order: a product field named by a cue ("how much" → price, "rated" → rating); an attribute name said in the
question ("battery life", "noise level"); an attribute whose name shares a word stem with the question or with a
synonym of one of its words ("quiet" → noise, "lasts" → battery, "wide" → width); then the nearest attribute name by
embedding similarity (the query encoder), so a catalog with other attribute names ("item weight", "runtime") works.
A question in Chinese is read by :mod:`dialogue.qa.attributes_zh` instead.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable

import numpy as np

from core.language import detect_language
from dialogue.qa.attributes_zh import CUE_TOPICS_ZH, match_zh
from retrieval.lexical import tokenize

log = logging.getLogger(__name__)

FIELDS = ("price", "rating", "reviews", "stock", "brand")
#: A question word (or phrase) → words an attribute name meaning it may contain.
SYNONYMS: dict[str, tuple[str, ...]] = {
    "quiet": ("noise", "sound", "db"), "loud": ("noise", "sound"), "noisy": ("noise",), "noise": ("noise",),
    "lasts": ("battery", "runtime", "run"), "charge": ("battery",), "battery": ("battery", "runtime", "run"), "long": ("length",),
    "wide": ("width",), "width": ("width",), "tall": ("height",), "high": ("height",), "deep": ("depth",),
    "heavy": ("weight",), "weigh": ("weight",), "weighs": ("weight",), "weight": ("weight",), "light": ("weight",),
    "big": ("size", "capacity", "screen", "width", "length", "diameter"), "screen": ("screen",), "display": ("screen",), "hold": ("capacity",),
    "holds": ("capacity",), "fit": ("capacity", "size"), "made": ("material",), "fabric": ("material",),
    "memory": ("ram",), "space": ("storage",), "watts": ("power",), "power": ("power",), "powerful": ("power",), "strong": ("power",),
    "colour": ("color",), "colours": ("color",), "colors": ("color",), "thick": ("thickness",), "thin": ("thickness",),
    "waterproof": ("waterproof", "water"), "water": ("water",), "fast": ("speed", "refresh", "processor"),
    "sharp": ("resolution", "camera"), "photos": ("camera",), "pictures": ("camera",), "warranty": ("warranty",),
    "old": ("age",), "age": ("age",), "kids": ("age",), "temperature": ("temperature", "oven"),
}
#: Cues for the product's own fields, as whole words or phrases.
FIELD_CUES: dict[str, tuple[str, ...]] = {
    "price": ("price", "cost", "costs", "how much", "cheap", "expensive", "pricey", "dollars", "budget"),
    "rating": ("rating", "rated", "stars", "any good", "good is", "worth it", "quality"),
    "reviews": ("how many reviews", "number of reviews", "popular"),
    "stock": ("in stock", "stock", "available", "availability", "sold out", "left", "ship now"),
    "brand": ("brand", "who makes", "manufacturer", "made by", "company"),
}
GRADED_CUE_FIELDS = {"price": "price", "rating": "rating", "reviews": "reviews", "stock": "stock"}
#: Words of references ("the third one", "the last") that must not pick attributes such as "third rack".
REFERENCE_STEMS = set(tokenize(["first second third fourth fifth last one ones it them these those"])[0])
SIMILARITY_FLOOR = 0.5  # cosine between the question and an attribute name below which no attribute is picked


#: Last words of an attribute name that only say which measure of its first words it is ("battery life", "noise level").
_MEASURE_WORDS = frozenset({"life", "level", "power", "capacity"})


def _head(key: str) -> str | None:
    """An attribute name without its measure word ("battery life" → "battery"), or None when it has none."""
    words = key.split()
    return " ".join(words[:-1]) if len(words) > 1 and words[-1] in _MEASURE_WORDS else None


def _has_phrase(text: str, phrase: str) -> bool:
    return re.search(rf"(?<![a-z]){re.escape(phrase)}(?![a-z])", text) is not None


class AttributeMatcher:
    """Finds the attribute (or product field) a question is about among ``keys``; build one per question."""

    def __init__(self, keys: Iterable[str], embed: Callable[[str], np.ndarray] | None = None,
                 present: Iterable[str] | None = None) -> None:
        """``present``: the keys the products in question actually have (``keys`` may add the core attributes)."""
        self.keys = sorted({k for k in keys if k}, key=lambda k: (-len(k), k))
        self.embed = embed
        self.present = None if present is None else {k for k in present if k}

    def named(self, text: str) -> str | None:
        """The attribute key the English ``text`` names word for word ("the best camera" → "camera"; "the best battery"
        → "battery life", a key named by its first words), or "price" when it speaks of price; None otherwise (no
        synonyms, no embeddings)."""
        lowered = " ".join(text.lower().split())
        named = next((k for k in self.keys if _has_phrase(lowered, k)), None) or \
            next((k for k in self.keys if (head := _head(k)) and _has_phrase(lowered, head)), None)
        return named or ("price" if any(_has_phrase(lowered, c) for c in FIELD_CUES["price"]) else None)

    def match(self, text: str, cue: str | None = None, *, allow_fields: bool = True) -> str | None:
        """The attribute key or field name ``text`` asks about (``cue``: what a graded word implied), or None."""
        lowered = " ".join(text.lower().split())
        if cue in GRADED_CUE_FIELDS and allow_fields:
            return GRADED_CUE_FIELDS[cue]
        if detect_language(lowered) == "zh":  # a Chinese question: Chinese cues, and no English-only embedding fallback
            found = match_zh(lowered, self.keys, allow_fields, self.present)
            if found is None and cue in CUE_TOPICS_ZH:  # "哪个最轻": the graded word's topic (重量)
                found = match_zh(CUE_TOPICS_ZH[cue], self.keys, allow_fields, self.present)
            return found
        named = [k for k in self.keys if _has_phrase(lowered, k)]
        if named:
            return named[0]
        if allow_fields:
            for field, cues in FIELD_CUES.items():
                if any(_has_phrase(lowered, c) for c in cues):
                    return field
        stems = set(tokenize([lowered])[0]) - REFERENCE_STEMS
        hints = set(SYNONYMS.get(cue, ())) if cue else set()
        for word in re.findall(r"[a-z0-9]+", lowered):
            hints.update(SYNONYMS.get(word, ()))
        scored = []
        for key in self.keys:
            key_stems = set(tokenize([key])[0])
            key_words = set(re.findall(r"[a-z0-9]+", key))
            score = 2 * len(key_stems & stems) + 3 * len(key_words & hints)
            if score:  # of equal cues, one the products have ("how big" of a sofa: its width, not a size it lacks)
                scored.append((score + (self.present is not None and key in self.present), -len(key), key))
        if scored:
            return max(scored)[2]
        return self._nearest(lowered)

    def _nearest(self, text: str) -> str | None:
        if self.embed is None or not self.keys:
            return None
        content = " ".join(tokenize([text])[0])
        if not content:
            return None
        try:
            question = self.embed(text)
            names = np.stack([self.embed(f"{key}") for key in self.keys])
        except Exception as exc:  # noqa: BLE001 - an encoder failure only loses this fallback
            log.warning("qa.embed_failed reason=%s", exc)
            return None
        scores = names @ question / (np.linalg.norm(names, axis=1) * np.linalg.norm(question) + 1e-9)
        best = int(np.argmax(scores))
        return self.keys[best] if scores[best] >= SIMILARITY_FLOOR else None
