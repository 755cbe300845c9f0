"""The widget's HTML: every card field shown, every value escaped, buttons wired by data attributes; labels in the
turn's language (English or Chinese), amounts in their currency (¥1,299.00 for CNY)."""

from __future__ import annotations

import re

import pytest

from dialogue.plan import ComparisonRow, ComparisonTable, ProductCard
from dialogue.state import CartItem
from ui.cards import (
    _money,
    render_cards,
    render_cart,
    render_chips,
    render_comparison,
    render_examples,
)


def _card(**overrides: object) -> ProductCard:
    values: dict[str, object] = {
        "position": 2, "product_id": "p-1", "title": "Trail Runner", "brand": "Acme", "category": "Shoes > Running Shoes", "price": 79.5,
        "currency": "USD", "rating": 4.4, "review_count": 12, "in_stock": True, "key_attributes": {"size": "8, 9", "color": "Blue"},
        "reasons": ["matches under $100", "you liked similar"],
    }
    values.update(overrides)
    return ProductCard.model_validate(values)


def test_a_card_shows_title_price_rating_attributes_reasons_and_actions() -> None:
    html = render_cards([_card()], liked=["p-1"])
    for part in ("2. Trail Runner", "$79.50", "★ 4.4 (12)", "<b>size</b>: 8, 9", "Why: matches under $100; you liked similar",
                 'data-action="like" data-product="p-1" aria-pressed="true"', 'data-action="dislike"',
                 'data-text="add the second one to my cart"', "sa-liked"):
        assert part in html, part
    assert "out of stock" in render_cards([_card(in_stock=False, rating=None)])
    assert "★ 4.4 (12,345)" in render_cards([_card(review_count=12345)])  # thousands grouped, as the replies write them


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


# languages and currencies -------------------------------------------------------------------------------------------
def _zh_card(**overrides: object) -> ProductCard:
    """A card of the Chinese demo catalog, its reasons as retrieval writes them (in English)."""
    values: dict[str, object] = {
        "position": 2, "product_id": "ZH00001", "title": "启瞳 破晓 800 Pro 5G全网通手机 黑色", "brand": "启瞳",
        "category": "数码电子 > 手机通讯 > 手机", "price": 4699.0, "currency": "CNY", "rating": 4.6, "review_count": 189, "in_stock": False,
        "key_attributes": {"color": "黑色, 白色", "存储容量": "256GB"},
        "reasons": ["matches 黑色, under $5000, in stock", "mentions “5G”", "close in meaning to your request"],
    }
    values.update(overrides)
    return ProductCard.model_validate(values)


def _text(html: str) -> str:
    return re.sub(r"<[^>]+>", " ", html)


TABLE = ComparisonTable(product_ids=["a", "b"], titles=["A", "B"], rows=[
    ComparisonRow(attribute="price", values=["$4,699.00", "$1,299.00"], differs=True),  # the comparison writes dollars
    ComparisonRow(attribute="rating", values=["4.6 (189 reviews)", "—"], differs=True),
    ComparisonRow(attribute="availability", values=["in stock", "out of stock"], differs=True),
    ComparisonRow(attribute="color", values=["黑色, 白色", "蓝色"], differs=True),
])


@pytest.mark.parametrize(("currency", "written"), [("CNY", "¥1,299.00"), ("USD", "$1,299.00"), ("EUR", "€1,299.00"),
                                                   ("GBP", "£1,299.00"), ("CHF", "1,299.00 CHF")])
def test_money_by_currency(currency: str, written: str) -> None:
    assert _money(1299.0, currency) == written


def test_cny_cards_cart_and_comparison_in_yuan() -> None:
    assert "¥4,699.00" in render_cards([_zh_card()])
    cart = render_cart([CartItem(product_id="p", title="台灯", unit_price=649.5, quantity=2)], 1299.0, currency="CNY")
    assert "<td>¥1,299.00</td>" in cart and "<th>¥1,299.00</th>" in cart and "$" not in cart  # the shop's currency, not $
    table = render_comparison(TABLE, currency="CNY")
    assert "<td>¥4,699.00</td><td>¥1,299.00</td>" in table and "$" not in table
    assert "<td>¥4,699.00</td>" in render_cards([_zh_card()], comparison=TABLE)  # the cards' currency by default


def test_chinese_card_labels() -> None:
    html = render_cards([_zh_card()], liked=["ZH00001"], language="zh")
    for part in ('title="多推荐类似的">喜欢</button>', 'title="少推荐这类">不喜欢</button>', 'data-text="把第二个加入购物车">加入购物车</button>',
                 '<span class="sa-stock">缺货</span>', "★ 4.6（189）", "<b>颜色</b>：黑色、白色", "<b>存储容量</b>：256GB",
                 "推荐理由：符合黑色、¥5000以内、有货；提到“5G”；与您描述的很接近", 'aria-pressed="true"'):
        assert part in html, part
    words = _text(html).replace("5G", "").replace("GB", "").replace("Pro", "")
    assert not re.search(r"[A-Za-z]{2,}", words), words  # no English left
    assert "我找到的商品会显示在这里。" in render_cards([], language="zh")


def test_chinese_comparison_and_cart() -> None:
    table = render_comparison(TABLE, "zh", "CNY")
    for part in ("<td>价格</td><td>¥4,699.00</td>", "<td>评分</td><td>4.6（189条评价）</td><td>—</td>", "<td>库存</td><td>有货</td><td>缺货</td>",
                 "<td>颜色</td><td>黑色、白色</td>"):
        assert part in table, part
    cart = render_cart([CartItem(product_id="p", title="跑步鞋", unit_price=399.0, quantity=2, variant={"size": "42"})], 798.0, "zh", "CNY")
    for part in ("<th>商品</th><th>数量</th><th>合计</th>", "跑步鞋 <small>（尺码：42）</small>", "<th colspan=2>合计</th><th>¥798.00</th>",
                 'data-text="去结算">去结算</button>', 'data-text="查看购物车">查看购物车</button>'):
        assert part in cart, part
    assert "您的购物车是空的。" in render_cart([], 0.0, "zh", "CNY")
    examples = render_examples("zh")
    assert "试试：" in examples and 'data-action="say" data-text="我想买一双跑步鞋，500元以内"' in examples


def test_english_labels_are_unchanged() -> None:
    html = render_cards([_card()], comparison=TABLE)
    for part in ('title="More like this">Like</button>', 'title="Fewer like this">Dislike</button>',
                 'data-text="add the second one to my cart">Add to cart</button>', "★ 4.4 (12)", "<b>color</b>: Blue",
                 "<td>price</td><td>$4,699.00</td>", "<td>rating</td><td>4.6 (189 reviews)</td>", "<td>availability</td><td>in stock</td>"):
        assert part in html, part
    assert "Products I find show up here." in render_cards([])
    # an English turn in a Chinese shop: English labels, amounts in yuan
    assert "Why: matches 黑色, under ¥5000, in stock; mentions “5G”" in render_cards([_zh_card()])
    cart = render_cart([CartItem(product_id="p", title="Lamp", unit_price=20.0, variant={"size": "L"})], 20.0)
    for part in ("<th>Item</th><th>Qty</th><th>Total</th>", "Lamp <small>(size L)</small>", "<th colspan=2>Total</th><th>$20.00</th>",
                 'data-text="Checkout">Checkout</button>', 'data-text="show my cart">View cart</button>'):
        assert part in cart, part
    assert "Your cart is empty." in render_cart([], 0.0) and "Try:" in render_examples()
