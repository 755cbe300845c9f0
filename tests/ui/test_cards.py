"""The widget's HTML: every card field shown, every value escaped, buttons wired by data attributes."""

from __future__ import annotations

from dialogue.plan import ComparisonRow, ComparisonTable, ProductCard
from dialogue.state import CartItem
from ui.cards import render_cards, render_cart, render_chips


def _card(**overrides: object) -> ProductCard:
    values: dict[str, object] = dict(
        position=2, product_id="p-1", title="Trail Runner", brand="Acme", category="Shoes > Running Shoes", price=79.5,
        currency="USD", rating=4.4, review_count=12, in_stock=True, key_attributes={"size": "8, 9", "color": "Blue"},
        reasons=["matches under $100", "you liked similar"],
    )
    values.update(overrides)
    return ProductCard.model_validate(values)


def test_a_card_shows_title_price_rating_attributes_reasons_and_actions() -> None:
    html = render_cards([_card()], liked=["p-1"])
    for part in ("2. Trail Runner", "$79.50", "★ 4.4 (12)", "<b>size</b>: 8, 9", "Why: matches under $100; you liked similar",
                 'data-action="like" data-product="p-1" aria-pressed="true"', 'data-action="dislike"',
                 'data-text="add the second one to my cart"', "sa-liked"):
        assert part in html, part
    assert "out of stock" in render_cards([_card(in_stock=False, rating=None)])


def test_values_are_escaped() -> None:
    evil = '<img src=x onerror="alert(1)">'
    html = render_cards([_card(title=evil, product_id='p"><script>', reasons=[evil], key_attributes={evil: evil})])
    html += render_chips([evil], question=evil)
    html += render_cart([CartItem(product_id="p", title=evil, unit_price=1.0, variant={"size": evil})], 1.0)
    assert "<img" not in html and "<script>" not in html
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in html


def test_chips_clarifying_options_cart_and_comparison() -> None:
    assert render_chips([]) == ""
    chips = render_chips(["Show more", "Cheaper"])
    assert chips.count('class="sa-chip"') == 2 and 'data-text="Cheaper"' in chips
    options = render_chips(["8", "9"], question="Which size?")
    assert 'class="sa-question">Which size?' in options and options.count("sa-option") == 2
    cart = render_cart([CartItem(product_id="p", title="Lamp", unit_price=20.0, quantity=2)], 40.0)
    assert "<td>2</td><td>$40.00</td>" in cart and "Checkout" in cart
    assert "empty" in render_cart([], 0.0)
    table = ComparisonTable(product_ids=["a", "b"], titles=["A", "B"], rows=[ComparisonRow(attribute="price", values=["$1", "$2"], differs=True)])
    assert 'class="sa-differs"' in render_cards([], comparison=table)
