"""Side-by-side comparison of 2–4 products: the table (prices, ratings, stock, shared attributes), and at most three
short lines on what matters (lowest price, best rating, stock, the main difference). Replies say those lines; the
table, delivered beside the reply, carries the details."""

from __future__ import annotations

from core.money import money
from dialogue.lexicon import attribute_words, listing
from dialogue.plan import ComparisonRow, ComparisonTable
from retrieval.models import CORE_ATTRIBUTES, Product

MAX_ATTRIBUTE_ROWS = 8
#: Lines of summary a comparison reply says at most.
MAX_SUMMARY_LINES = 3


def _price(product: Product) -> str:
    return money(product.price, product.currency)


def compare_products(products: list[Product]) -> ComparisonTable:
    rows = [
        ComparisonRow(attribute="price", values=[_price(p) for p in products], differs=len({p.price for p in products}) > 1),
        ComparisonRow(attribute="brand", values=[p.brand or "—" for p in products], differs=len({p.brand for p in products}) > 1),
        ComparisonRow(
            attribute="rating",
            values=[f"{p.rating:.1f} ({p.review_count or 0:,} reviews)" if p.rating is not None else "—" for p in products],
            differs=len({p.rating for p in products}) > 1,
        ),
        ComparisonRow(attribute="availability", values=["in stock" if p.in_stock else "out of stock" for p in products],
                      differs=len({p.in_stock for p in products}) > 1),
    ]
    shared = [k for k in CORE_ATTRIBUTES if all(p.values(k) for p in products)]
    shared += sorted(k for k in set.intersection(*(set(p.attributes) for p in products)) if k not in CORE_ATTRIBUTES)
    for key in shared[:MAX_ATTRIBUTE_ROWS]:
        values = [", ".join(p.values(key)[:5]) for p in products]
        rows.append(ComparisonRow(attribute=key, values=values, differs=len(set(values)) > 1))
    return ComparisonTable(
        product_ids=[p.id for p in products], titles=[p.title for p in products], rows=rows,
        differences=summary_lines(products, rows),
    )


def summary_lines(products: list[Product], rows: list[ComparisonRow]) -> list[str]:
    """At most three lines on what matters: the lowest price and the best rating (one line when one product has
    both), what is out of stock, and the attribute that tells them apart first (in the catalog's own attribute order).
    The rest of the table is not repeated."""
    names = short_names(products)
    lines: list[str] = []
    low = min(p.price for p in products)
    cheapest = [p for p in products if p.price == low]
    rated = [p for p in products if p.rating is not None]
    top = max((p.rating or 0.0 for p in rated), default=None)
    best = [p for p in rated if p.rating == top] if len(rated) > 1 and len({p.rating for p in rated}) > 1 else []
    if len(cheapest) == len(products):
        lines.append(f"They have the same price ({_price(cheapest[0])}).")
    elif best == cheapest:
        lines.append(f"{_both(cheapest, names)} both the lowest price ({_price(cheapest[0])}) and the best rating ({_stars(best[0])}).")
        best = []
    else:
        lines.append(f"{_both(cheapest, names)} the lowest price ({_price(cheapest[0])}).")
    if best:
        lines.append(f"{_both(best, names)} the best rating ({_stars(best[0])}).")
    out_of_stock = [names[p.id] for p in products if not p.in_stock]
    if out_of_stock and len(out_of_stock) < len(products):
        lines.append(f"{_sentence_start(listing([f'the {n}' for n in out_of_stock]))} {'is' if len(out_of_stock) == 1 else 'are'} out of stock.")
    elif out_of_stock:
        lines.append("All of them are out of stock right now.")
    key = _key_difference(products, rows)
    if key is not None:
        groups: dict[str, list[str]] = {}
        for value, product in zip(key.values, products):
            groups.setdefault(value, []).append(f"the {names[product.id]}")
        values = ("; " if any(len(named) > 2 for named in groups.values()) else ", ").join(
            f"{value} for {listing(named)}" for value, named in groups.items())
        lines.append(f"Key difference ({attribute_words(key.attribute)}): {values}.")
    return lines[:MAX_SUMMARY_LINES]


def short_names(products: list[Product]) -> dict[str, str]:
    """How the summary names each product: the shortest start of its title (two words at least, brand and model as a
    rule) that no other compared title starts with; the whole title when none does."""
    words = {p.id: p.title.replace(",", " ").split() for p in products}
    names: dict[str, str] = {}
    for product in products:
        own = words[product.id]
        others = [w for pid, w in words.items() if pid != product.id]
        for size in range(min(2, len(own)), len(own) + 1):
            if all(other[:size] != own[:size] for other in others):
                names[product.id] = " ".join(own[:size])
                break
        else:
            names[product.id] = product.title
    return names


def _key_difference(products: list[Product], rows: list[ComparisonRow]) -> ComparisonRow | None:
    """The first attribute row that differs, in the first product's attribute order (catalogs list the defining
    specifications first); colour, size and material only when nothing else differs."""
    differing = {row.attribute: row for row in rows[4:] if row.differs}
    if not differing:
        return None
    order = [k for k in products[0].attributes if k in differing and k not in CORE_ATTRIBUTES]
    order += [k for k in CORE_ATTRIBUTES if k in differing]
    return differing[order[0]] if order else next(iter(differing.values()))


def _both(products: list[Product], names: dict[str, str]) -> str:
    """ "The A has" / "The A and the B share" (a tie is said, not broken)."""
    return f"{_sentence_start(listing([f'the {names[p.id]}' for p in products]))} {'has' if len(products) == 1 else 'share'}"


def _sentence_start(text: str) -> str:
    return text[:1].upper() + text[1:]


def _stars(product: Product) -> str:
    return f"{product.rating:.1f}★"


ORDINAL_WORDS = ("first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth")


def pick_names(products: list[Product], positions: list[int]) -> list[str]:
    """Words that single each product out in "add the … one": its brand when the brands differ, else its position on
    the cards ("third"); quick replies built from them never name two products alike."""
    brands = [(p.brand or "").strip() for p in products]
    if all(brands) and len({b.lower() for b in brands}) == len(products):
        return brands
    return [ORDINAL_WORDS[n - 1] if 1 <= n <= len(ORDINAL_WORDS) else f"#{n}" for n in positions]
