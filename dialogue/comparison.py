"""Side-by-side comparison of 2–4 products: shared key attributes, prices, and what differs."""

from __future__ import annotations

from dialogue.plan import ComparisonRow, ComparisonTable
from retrieval.models import CORE_ATTRIBUTES, Product

MAX_ATTRIBUTE_ROWS = 8


def _money(product: Product) -> str:
    return f"${product.price:,.2f}"


def compare_products(products: list[Product]) -> ComparisonTable:
    rows = [
        ComparisonRow(attribute="price", values=[_money(p) for p in products], differs=len({p.price for p in products}) > 1),
        ComparisonRow(attribute="brand", values=[p.brand or "—" for p in products], differs=len({p.brand for p in products}) > 1),
        ComparisonRow(
            attribute="rating",
            values=[f"{p.rating:.1f} ({p.review_count} reviews)" if p.rating is not None else "—" for p in products],
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
        differences=_differences(products, rows),
    )


def _differences(products: list[Product], rows: list[ComparisonRow]) -> list[str]:
    out: list[str] = []
    cheapest = min(products, key=lambda p: p.price)
    dearest = max(products, key=lambda p: p.price)
    if cheapest.price != dearest.price:
        out.append(f"The {cheapest.title} is the cheapest at {_money(cheapest)}; the {dearest.title} costs {_money(dearest)}.")
    rated = [p for p in products if p.rating is not None]
    if len(rated) > 1:
        best = max(rated, key=lambda p: (p.rating, p.review_count))
        if len({p.rating for p in rated}) > 1:
            out.append(f"The {best.title} has the best rating ({best.rating:.1f}).")
    for row in rows[4:]:
        if row.differs:
            parts = [f"{v} ({p.title})" for v, p in zip(row.values, products)]
            out.append(f"{row.attribute.capitalize()}: " + " vs ".join(parts) + ".")
    return out
