"""Short names that tell products apart, for quick replies ("Add the Chaz one", "Add the Hero one"): the brand when
it differs between the products, else the first title word no other product has ("Luma" twice is no choice)."""

from __future__ import annotations

from dialogue.lexicon import STOPWORDS, tokens_of
from retrieval.models import Product

#: Title words too generic to name one product by.
_PLAIN = STOPWORDS | frozenset("men's women's mens womens unisex kids and with for the of in".split())


def distinct_names(products: list[Product]) -> list[str]:
    """One short name per product (in order), each different from the others' and found in no other title (so "the
    NAME one" resolves to it). A product with no such word gets its full title."""
    brands = [(p.brand or "").strip() for p in products]
    if all(brands) and len({b.lower() for b in brands}) == len(brands):
        return brands
    words = [[w for w in p.title.replace(",", " ").split() if w.lower() not in _PLAIN and not w.isdigit()] for p in products]
    names: list[str] = []
    for index, product in enumerate(products):
        others = " ".join(other.title.lower() for k, other in enumerate(products) if k != index)
        brand = brands[index].lower()
        unique = [w for w in words[index] if w.lower() != brand and len(w) >= 4 and w.lower() not in others]
        names.append(unique[0] if unique else product.title)
    return names if len({n.lower() for n in names}) == len(names) else [p.title for p in products]
