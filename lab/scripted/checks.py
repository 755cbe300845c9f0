"""Checking one step's expectations against what the assistant did. Each check returns readable failures."""

from __future__ import annotations

from typing import Any

from dialogue.actions import Action
from dialogue.state import ConversationState
from retrieval.models import Product

#: The product filters every catalog has; any other key names a catalog attribute ("gender", "waterproof").
FILTER_KEYS = {"category", "brand", "color", "size", "material", "price_max", "price_min", "in_stock", "rating_min"}

#: Expected slot names → the names in ``dialogue.slots.Slots`` (lists match when they contain the value).
SLOT_ALIASES = {"color": "colors", "brand": "brands", "size": "sizes", "material": "materials"}


def _norm(value: Any) -> Any:
    if isinstance(value, str):
        text = " ".join(value.lower().split())
        return text[:-1] if text.endswith("s") and len(text) > 3 else text
    return value


def _equal(expected: Any, actual: Any) -> bool:
    if isinstance(expected, (int, float)) and not isinstance(expected, bool):
        return isinstance(actual, (int, float)) and abs(float(actual) - float(expected)) < 1e-6
    if isinstance(actual, list):
        wanted = expected if isinstance(expected, list) else [expected]
        return all(any(_equal(w, a) for a in actual) for w in wanted)
    return _norm(expected) == _norm(actual)


def product_matches(product: Product, filters: dict[str, Any]) -> list[str]:
    """The filters ``product`` fails (empty when it passes all)."""
    failed = []
    for key, value in filters.items():
        ok = {
            "category": lambda v: any(_norm(level) == _norm(v) for level in product.category),
            "brand": lambda v: _norm(product.brand or "") == _norm(v),
            "price_max": lambda v: product.price <= float(v),
            "price_min": lambda v: product.price >= float(v),
            "in_stock": lambda v: product.in_stock == bool(v),
            "rating_min": lambda v: (product.rating or 0) >= float(v),
        }.get(key, lambda v: any(_norm(x) == _norm(v) for x in product.values(key)))(value)
        if not ok:
            failed.append(f"{key}={value}")
    return failed


def check_step(expect: dict[str, Any], *, intent: str | None, action: Action, slots: dict[str, Any], reply: str,
               products: list[Product], state: ConversationState) -> list[str]:
    failures: list[str] = []
    for key, actual in (("intent", intent), ("action", action)):
        if key in expect:
            allowed = expect[key] if isinstance(expect[key], list) else [expect[key]]
            if actual not in allowed:
                failures.append(f"{key}: expected {' or '.join(map(str, allowed))}, got {actual}")
    for name, wanted in (expect.get("slots") or {}).items():
        got = slots.get(SLOT_ALIASES.get(name, name), slots.get(name))
        if got is None or not _equal(wanted, got):
            failures.append(f"slots.{name}: expected {wanted!r}, got {got!r}")
    failures += _check_products(expect.get("products"), products, state)
    failures += _check_cart(expect.get("cart"), state)
    lowered = reply.lower()
    failures += [f"reply should contain {s!r}; reply: {reply!r}" for s in expect.get("reply_contains", []) if s.lower() not in lowered]
    failures += [f"reply should not contain {s!r}; reply: {reply!r}" for s in expect.get("reply_not_contains", []) if s.lower() in lowered]
    lines, words = len([line for line in reply.splitlines() if line.strip()]), len(reply.split())
    if "reply_max_lines" in expect and lines > expect["reply_max_lines"]:
        failures.append(f"reply_max_lines: expected at most {expect['reply_max_lines']} lines, got {lines}; reply: {reply!r}")
    if "reply_max_words" in expect and words > expect["reply_max_words"]:
        failures.append(f"reply_max_words: expected at most {expect['reply_max_words']} words, got {words}; reply: {reply!r}")
    if "handoff" in expect and state.handoff != bool(expect["handoff"]):
        failures.append(f"handoff: expected {expect['handoff']}, got {state.handoff}")
    return failures


def _check_products(spec: dict[str, Any] | None, products: list[Product], state: ConversationState) -> list[str]:
    if not spec:
        return []
    failures = []
    titles = [p.title for p in products]
    if "min" in spec and len(products) < spec["min"]:
        failures.append(f"products: expected at least {spec['min']}, got {len(products)} {titles}")
    if "max" in spec and len(products) > spec["max"]:
        failures.append(f"products: expected at most {spec['max']}, got {len(products)}")
    for key in ("all", "none"):  # an attribute no product shown has at all is a likely typo, not a pass
        failures += [f"products.{key}: no product shown has a {name!r} attribute" for name in spec.get(key) or {}
                     if name not in FILTER_KEYS and products and not any(p.values(name) for p in products)]
    for product in products:
        if spec.get("all") and (broken := product_matches(product, spec["all"])):
            failures.append(f"products.all: {product.title} ({product.id}) fails {', '.join(broken)}")
        if spec.get("none") and not product_matches(product, spec["none"]):
            failures.append(f"products.none: {product.title} ({product.id}) matches {spec['none']}")
    ids = {p.id for p in products}
    failures += [f"products.include: {pid} not shown" for pid in spec.get("include", []) if pid not in ids]
    failures += [f"products.exclude: {pid} shown" for pid in spec.get("exclude", []) if pid in ids]
    if spec.get("not_seen_disliked"):
        disliked = set(state.disliked())
        failures += [f"products.not_seen_disliked: {p.title} ({p.id}) was disliked" for p in products if p.id in disliked]
    return failures


def _check_cart(spec: dict[str, Any] | None, state: ConversationState) -> list[str]:
    if not spec:
        return []
    failures = []
    count = sum(item.quantity for item in state.cart)
    if "count" in spec and count != spec["count"]:
        failures.append(f"cart.count: expected {spec['count']}, got {count}")
    if "lines" in spec and len(state.cart) != spec["lines"]:
        failures.append(f"cart.lines: expected {spec['lines']}, got {len(state.cart)}")
    in_cart = {item.product_id for item in state.cart}
    failures += [f"cart.contains: {pid} not in cart" for pid in spec.get("contains", []) if pid not in in_cart]
    if "total_max" in spec and state.cart_total > float(spec["total_max"]):
        failures.append(f"cart.total_max: total {state.cart_total} over {spec['total_max']}")
    return failures
