"""Hand-made reply plans for generator tests (no catalog, no classifier)."""

from __future__ import annotations

from dialogue.plan import CartLine, ProductCard, ReplyPlan
from dialogue.reply_facts import CartAddFacts, GreetFacts, PolicyFacts, ShowProductsFacts


def card(position: int, title: str, price: float, brand: str | None = None, in_stock: bool = True, **attributes: str) -> ProductCard:
    return ProductCard(position=position, product_id=f"p{position}", title=title, brand=brand, category="Clothing > Jackets",
                       price=price, currency="USD", rating=4.5, review_count=120, in_stock=in_stock, key_attributes=attributes)


def products_plan(user_text: str = "show me rain jackets under $100") -> ReplyPlan:
    return ReplyPlan(action="show_products", intent="search_products", confidence=0.93, user_text=user_text,
                     facts=ShowProductsFacts(category="Jackets", constraints="under $100"),
                     products=[card(1, "Trailhead Waterproof Rain Jacket", 89.99, brand="Northpeak", color="navy, red"),
                               card(2, "Cityline Packable Shell", 64.5, brand="Urbano", color="black"),
                               card(3, "Summit Insulated Parka", 99.0, brand="Northpeak", in_stock=False)])


def policy_plan(user_text: str = "what's your return policy?") -> ReplyPlan:
    return ReplyPlan(action="policy_answer", intent="return_policy", user_text=user_text, facts=PolicyFacts(
        known=True, topic="returns", title="Returns and refunds",
        sentences=["Most items can be returned within 30 days of delivery for a full refund to the original payment method.",
                   "Return shipping is free on orders of $50 or more; for smaller orders a $5.99 label fee is deducted from the refund."]))


def cart_plan(user_text: str = "add the first one") -> ReplyPlan:
    return ReplyPlan(action="cart_add", intent="add_to_cart", user_text=user_text,
                     facts=CartAddFacts(added=True, quantity=2, title="Cityline Packable Shell", variant={}),
                     cart=[CartLine(product_id="p2", title="Cityline Packable Shell", quantity=2, unit_price=64.5, line_total=129.0)],
                     cart_total=129.0)


def greet_plan(user_text: str = "hi") -> ReplyPlan:
    return ReplyPlan(action="greet", intent="greet", user_text=user_text, facts=GreetFacts(kind="hello"))


def compare_plan(user_text: str = "compare the first two") -> ReplyPlan:
    from dialogue.plan import ComparisonRow, ComparisonTable
    from dialogue.reply_facts import CompareFacts

    products = [card(1, "Cleanwave Cedar Quiet Built-In Dishwasher", 389.99, brand="Cleanwave", noise="47 dBA"),
                card(2, "Nordvik Hazel 5 Quiet Built-In Dishwasher", 499.99, brand="Nordvik", noise="44 dBA")]
    table = ComparisonTable(product_ids=["p1", "p2"], titles=[p.title for p in products],
                            rows=[ComparisonRow(attribute="price", values=["$389.99", "$499.99"], differs=True),
                                  ComparisonRow(attribute="noise", values=["47 dBA", "44 dBA"], differs=True)],
                            differences=["The Cleanwave Cedar is $110.00 cheaper ($389.99 vs $499.99).",
                                         "The Nordvik Hazel 5 is quieter (44 dBA vs 47 dBA)."])
    return ReplyPlan(action="compare", intent="compare_products", user_text=user_text, facts=CompareFacts(count=2),
                     products=products, comparison=table)
