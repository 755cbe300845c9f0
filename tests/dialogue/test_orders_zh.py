"""The Chinese demo shop's orders (data/orders_zh.jsonl): the demo orders' ids, senders, statuses and dates, with items
of the Chinese catalog in CNY; replies state an order's total in its own currency."""

from __future__ import annotations

import json

from assistant.generators.template import TemplateGenerator
from core.settings import DATA_DIR
from dialogue.orders import DEMO_ORDERS, Order
from dialogue.plan import ReplyPlan
from dialogue.reply_facts import OrderStatusFacts


def _orders(name: str) -> list[Order]:
    return [Order.model_validate_json(line) for line in (DATA_DIR / name).read_text(encoding="utf-8").splitlines() if line.strip()]


def test_the_chinese_shop_has_the_same_orders_in_cny() -> None:
    catalog = {p["id"]: p for line in (DATA_DIR / "catalog" / "demo_zh.jsonl").read_text(encoding="utf-8").splitlines()
               if line.strip() and (p := json.loads(line))}
    english, chinese = _orders(DEMO_ORDERS["en"]), _orders(DEMO_ORDERS["zh"])
    assert [(o.order_id, o.sender, o.status, o.placed_at, o.carrier, o.tracking_number) for o in chinese] == \
        [(o.order_id, o.sender, o.status, o.placed_at, o.carrier, o.tracking_number) for o in english]
    assert {o.currency for o in english} == {"USD"} and {o.currency for o in chinese} == {"CNY"}
    for order in chinese:
        for item in order.items:
            product = catalog[item.product_id]
            assert (item.title, item.price, product["currency"]) == (product["title"], product["price"], "CNY")
        assert order.total == round(sum(i.price * i.quantity for i in order.items), 2)


def test_an_order_total_is_written_in_the_order_currency() -> None:
    facts = OrderStatusFacts(order_id="ORD-10009", found=True, status="delivered", items=["1 × 山岳行 丛林 双肩包 米色"], total=139.0,
                             currency="CNY")
    for language, shop in (("zh", "USD"), ("en", "USD"), ("zh", "CNY")):
        reply = TemplateGenerator(currency=shop).generate(ReplyPlan(action="order_status", language=language, facts=facts))
        assert "¥139.00" in reply and "$" not in reply, reply
    english = facts.model_copy(update={"currency": None, "total": 64.99})
    assert "$64.99" in TemplateGenerator().generate(ReplyPlan(action="order_status", language="en", facts=english))
