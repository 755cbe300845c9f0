"""Answer questions about a product only from catalog facts; say so when the catalog does not know."""

from __future__ import annotations

import re

from pydantic import BaseModel

from retrieval.models import Product

#: Question words → the product fact that answers them.
TOPICS: list[tuple[str, tuple[str, ...]]] = [
    ("stock", ("in stock", "available", "availability", "stock", "sold out", "have any left")),
    ("size", ("size", "sizes", "fit", "how big", "dimensions")),
    ("color", ("color", "colour", "colors", "colours", "come in")),
    ("material", ("made of", "material", "fabric", "leather", "cotton", "wood", "steel")),
    ("rating", ("rating", "rated", "reviews", "stars", "good is", "any good")),
    ("price", ("price", "cost", "how much", "expensive", "cheap")),
    ("brand", ("brand", "who makes", "manufacturer", "made by")),
]
_WORD = re.compile(r"[a-z0-9]+")
_STOP = {"the", "a", "an", "is", "it", "this", "that", "one", "does", "do", "have", "has", "what", "which", "how",
         "of", "in", "on", "for", "to", "and", "or", "can", "you", "me", "tell", "about", "with", "there", "any",
         "first", "second", "third", "last", "are", "they", "be", "its", "much", "many", "i", "my", "will", "would"}


class Answer(BaseModel):
    known: bool
    topic: str
    facts: list[str]


def answer_question(question: str, product: Product) -> Answer:
    text = question.lower()
    for topic, cues in TOPICS:
        if any(cue in text for cue in cues):
            facts = _topic_facts(topic, product)
            if facts:
                return Answer(known=True, topic=topic, facts=facts)
    words = [w for w in _WORD.findall(text) if w not in _STOP and len(w) > 2]
    facts = _attribute_facts(words, product) or _description_facts(words, product)
    if facts:
        return Answer(known=True, topic="details", facts=facts)
    return Answer(known=False, topic="unknown", facts=[])


def _topic_facts(topic: str, p: Product) -> list[str]:
    if topic == "stock":
        if not p.in_stock:
            return [f"The {p.title} is currently out of stock."]
        facts = [f"The {p.title} is in stock ({p.stock} available)."]
        out = [v.attributes for v in p.variants if v.stock == 0]
        if out:
            facts.append("Sold out in: " + "; ".join(", ".join(a.values()) for a in out[:6]) + ".")
        return facts
    if topic == "price":
        return [f"The {p.title} costs ${p.price:,.2f}."]
    if topic == "rating":
        return [f"The {p.title} is rated {p.rating:.1f} out of 5 from {p.review_count} reviews."] if p.rating is not None else []
    if topic == "brand":
        return [f"The {p.title} is made by {p.brand}."] if p.brand else []
    values = p.values(topic)
    if values:
        label = {"color": "colours", "size": "sizes", "material": "material"}[topic]
        return [f"The {p.title} comes in these {label}: {', '.join(values)}." if topic != "material" else f"The {p.title} is made of {', '.join(values)}."]
    return []


def _attribute_facts(words: list[str], p: Product) -> list[str]:
    facts = []
    for key, values in p.attributes.items():
        haystack = f"{key} {' '.join(values)}".lower()
        if any(w in haystack or w.rstrip("s") in haystack for w in words):
            facts.append(f"{key.capitalize()}: {', '.join(values)}.")
    return facts[:3]


def _description_facts(words: list[str], p: Product) -> list[str]:
    sentences = [s.strip() for s in re.split(r"(?<=[.!?])\s+", p.description) if s.strip()]
    return [s for s in sentences if any(re.search(rf"\b{re.escape(w.rstrip('s'))}", s.lower()) for w in words)][:2]
