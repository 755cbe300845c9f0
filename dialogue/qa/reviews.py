"""An extractive summary of a product's review texts: what reviewers like and dislike, quoted word for word.

Reviews rated 4–5 speak for "likes", 1–2 for "dislikes" (3 and unrated reviews are left out). From each side the
sentences that share the most content words with the others of that side are quoted (the most representative ones),
at most two per side, each shortened at a word boundary. Nothing is paraphrased, so nothing can be invented.
"""

from __future__ import annotations

import re
from collections import Counter

from retrieval.lexical import tokenize
from retrieval.models import Product, Review

MAX_QUOTES = 2
MAX_QUOTE_CHARS = 140
_SENTENCE = re.compile(r"(?<=[.!?])\s+")


def summarize_reviews(product: Product) -> list[str]:
    """Sentences for a reply: a count per side and up to two quotes each; empty when the product has no review texts."""
    liked = [r for r in product.reviews if r.rating is not None and r.rating >= 4]
    disliked = [r for r in product.reviews if r.rating is not None and r.rating <= 2]
    if not product.reviews:
        return []
    lines = [f"{len(product.reviews)} review texts: {len(liked)} positive, {len(disliked)} negative."]
    for side, reviews in (("Reviewers like", liked), ("Complaints", disliked)):
        quotes = representative_quotes(reviews)
        if quotes:
            lines.append(f"{side}: " + " ".join(f"“{q}”" for q in quotes))
    return lines


def representative_quotes(reviews: list[Review], limit: int = MAX_QUOTES) -> list[str]:
    """The ``limit`` sentences of ``reviews`` whose content words recur most across them (ties: shorter first)."""
    sentences = [s.strip() for r in reviews for s in _SENTENCE.split(r.text) if len(s.strip()) > 3]
    if not sentences:
        return []
    stems = [set(tokenize([s])[0]) for s in sentences]
    counts = Counter(stem for group in stems for stem in group)
    scored = sorted(range(len(sentences)), key=lambda i: (-sum(counts[t] - 1 for t in stems[i]) / (len(stems[i]) or 1) ** 0.5,
                                                         len(sentences[i])))
    quotes: list[str] = []
    for i in scored:
        quote = _shorten(sentences[i])
        if quote.lower() not in {q.lower() for q in quotes}:
            quotes.append(quote)
        if len(quotes) == limit:
            break
    return quotes


def _shorten(sentence: str) -> str:
    if len(sentence) <= MAX_QUOTE_CHARS:
        return sentence
    return sentence[:MAX_QUOTE_CHARS].rsplit(" ", 1)[0] + " …"
