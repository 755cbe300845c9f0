"""Chinese template replies (a plan's ``language="zh"``): every action in Chinese, prices by currency, Chinese
punctuation, the phrasebooks in step, quick replies and card labels translated; English replies unchanged."""

from __future__ import annotations

import re

import pytest

from assistant.generators.phrases import (
    TABLES,
    card_labels,
    localize_quick_replies,
    localize_quick_reply,
    money,
    phrasebook,
    plan_currency,
)
from assistant.generators.template import RENDERERS, TemplateGenerator, card_line
from assistant.generators.zh_text import CJK, has_cjk, numeral, parse_numeral
from dialogue.actions import ACTIONS
from dialogue.plan import CartLine, ComparisonRow, ComparisonTable, ProductCard, ReplyPlan
from dialogue.reply_facts import (
    AnswerDetail,
    AnswerFacts,
    CancelOrderFacts,
    CartAddFacts,
    CartRemoveFacts,
    CheckoutFacts,
    ClarificationFacts,
    CompareFacts,
    FallbackFacts,
    GoodbyeFacts,
    GreetFacts,
    HandoffFacts,
    OrderStatusFacts,
    PolicyFacts,
    ResetFacts,
    ReturnItemFacts,
    ShowCartFacts,
    OrderChoice,
    ShippingQuote,
    ShowProductsFacts,
)
from tests.assistant.plans import cart_plan, compare_plan, greet_plan, policy_plan, products_plan

_FIELD = re.compile(r"\{(\w+)")


def zh(plan: ReplyPlan) -> ReplyPlan:
    return plan.model_copy(update={"language": "zh"})


def cny_card(position: int, title: str, price: float, in_stock: bool = True) -> ProductCard:
    return ProductCard(position=position, product_id=f"ZH{position:05d}", title=title, brand="启瞳", category="数码电子 > 手机通讯 > 手机",
                       price=price, currency="CNY", rating=4.6, review_count=189, in_stock=in_stock, key_attributes={"color": "黑色"})


PHONES = [cny_card(1, "启瞳 破晓 800 Pro 5G全网通手机 黑色", 4699.0), cny_card(2, "启瞳 晨光 12 手机 白色", 1299.0, in_stock=False)]
CART = [CartLine(product_id="ZH00002", title="启瞳 晨光 12 手机 白色", quantity=2, unit_price=1299.0, line_total=2598.0, variant={"color": "白色"})]
ORDER = dict(order_id="ORD-10001", found=True, status="shipped", items=["1 × 启瞳 晨光 12 手机 白色"], total=1299.0, carrier="SwiftParcel",
             tracking_number="SP123456", estimated_delivery="2024-05-03")
SHIPPING = ["订单满¥99标准配送包邮（免运费）；不满¥99的订单统一收取¥10运费。"]
RETURNS = ["大多数商品支持30天无理由退货，比七天无理由退货更宽松：收货后30天内可以退货，全额退款至原支付方式。", "期限：自签收之日起30天"]


def zh_plans() -> list[ReplyPlan]:
    """A Chinese plan for every action and its main branches (Chinese catalog in CNY, and the English test plans)."""
    table = ComparisonTable(product_ids=["ZH00001", "ZH00002"], titles=[p.title for p in PHONES],
                            rows=[ComparisonRow(attribute="price", values=["¥4,699.00", "¥1,299.00"], differs=True),
                                  ComparisonRow(attribute="存储容量", values=["256GB", "128GB"], differs=True)],
                            differences=["The 启瞳 晨光 12 is $3,400.00 cheaper."])
    plans = [
        ReplyPlan(action="show_products", facts=ShowProductsFacts(count=2, category="手机", constraints="黑色，5000元以内"), products=PHONES),
        ReplyPlan(action="show_products", facts=ShowProductsFacts(count=2, constraints="black, under $5,000", more=True), products=PHONES),
        ReplyPlan(action="show_products", facts=ShowProductsFacts(count=1, note="similar"), products=PHONES[:1]),
        ReplyPlan(action="show_products", facts=ShowProductsFacts(count=2, note="avoiding", all_out_of_stock=True), products=PHONES),
        ReplyPlan(action="show_products", facts=ShowProductsFacts(count=0, category="手机", unmatched="红色手机")),
        ReplyPlan(action="show_products", facts=ShowProductsFacts(count=0, unmatched="red phones under $20.00")),
        ReplyPlan(action="show_products", facts=ShowProductsFacts(count=2, relaxed=["brand", "price"], not_carried=["苹果手机"]), products=PHONES),
        ReplyPlan(action="show_products", facts=ShowProductsFacts(count=1, relaxed=["colour"], unmatched="red phones"), products=PHONES[:1]),
        ReplyPlan(action="ask_clarification", facts=ClarificationFacts(slot="size", question="Which size would you like for the shoe?",
                                                                      options=["40", "41", "42"], title="跑步鞋")),
        ReplyPlan(action="ask_clarification", facts=ClarificationFacts(slot="color", question="请问要哪个颜色？", options=["黑色", "白色"])),
        ReplyPlan(action="ask_clarification", facts=ClarificationFacts(slot="reference", question="Which ones should I compare?",
                                                                      options=["the first two", "the first three", "all of them"])),
        ReplyPlan(action="ask_clarification", facts=ClarificationFacts(slot="category", question="")),
        ReplyPlan(action="compare", facts=CompareFacts(count=2), products=PHONES, comparison=table),
        ReplyPlan(action="compare", facts=CompareFacts(count=0)),
        ReplyPlan(action="answer_question", facts=AnswerFacts(known=True, facts=[f"{PHONES[0].title}有黑色。"], title=PHONES[0].title)),
        ReplyPlan(action="answer_question", facts=AnswerFacts(known=False, reason="no_product")),
        ReplyPlan(action="answer_question", facts=AnswerFacts(known=False, title=PHONES[0].title)),
        ReplyPlan(action="cart_add", facts=CartAddFacts(added=True, title=CART[0].title, quantity=2, variant={"color": "白色"}),
                  cart=CART, cart_total=2598.0),
        ReplyPlan(action="cart_add", facts=CartAddFacts(added=True, updated=True, title=CART[0].title, quantity=2), cart=CART, cart_total=2598.0),
        ReplyPlan(action="cart_add", facts=CartAddFacts(added=False, reason="out_of_stock", title=PHONES[1].title)),
        ReplyPlan(action="cart_add", facts=CartAddFacts(added=False, reason="unknown_product")),
        ReplyPlan(action="cart_remove", facts=CartRemoveFacts(removed=True, title=CART[0].title, quantity=1)),
        ReplyPlan(action="cart_remove", facts=CartRemoveFacts(removed=False, reason="empty")),
        ReplyPlan(action="show_cart", facts=ShowCartFacts(items=2), cart=CART, cart_total=2598.0),
        ReplyPlan(action="show_cart", facts=ShowCartFacts(items=0)),
        ReplyPlan(action="checkout", facts=CheckoutFacts(items=2), cart=CART, cart_total=2598.0),
        ReplyPlan(action="checkout", facts=CheckoutFacts(empty=True)),
        ReplyPlan(action="order_status", facts=OrderStatusFacts(**ORDER)),
        ReplyPlan(action="order_status", facts=OrderStatusFacts(slot="order_id", question="Could you give me your order number?")),
        ReplyPlan(action="order_status", facts=OrderStatusFacts(order_id="12", problem="invalid_id")),
        ReplyPlan(action="order_status", facts=OrderStatusFacts(order_id="ORD-99999", problem="not_found")),
        ReplyPlan(action="cancel_order", facts=CancelOrderFacts(**{**ORDER, "status": "cancelled"}, cancelled=True)),
        ReplyPlan(action="cancel_order", facts=CancelOrderFacts(**ORDER)),
        ReplyPlan(action="return_item", facts=ReturnItemFacts(**{**ORDER, "status": "delivered"}, returnable=True, policy=RETURNS)),
        ReplyPlan(action="return_item", facts=ReturnItemFacts(**ORDER, policy=RETURNS)),
        ReplyPlan(action="return_item", facts=ReturnItemFacts(slot="order_id", question="Could you give me your order number?", policy=RETURNS)),
        ReplyPlan(action="policy_answer", facts=PolicyFacts(known=True, topic="returns", title="退换货与退款", sentences=RETURNS,
                                                            section="退换货政策")),
        ReplyPlan(action="policy_answer", facts=PolicyFacts(known=True, topic="returns", title="退换货与退款", sentences=RETURNS, whole=True)),
        ReplyPlan(action="policy_answer", facts=PolicyFacts(known=False, topics=["returns", "shipping", "price_match"])),
        ReplyPlan(action="handoff", handoff=True, facts=HandoffFacts()),
        *(ReplyPlan(action="greet", facts=GreetFacts(kind=kind)) for kind in ("greet", "thanks", "ack", "feedback_ack", "chitchat")),
        ReplyPlan(action="goodbye", facts=GoodbyeFacts(cart_items=2)),
        ReplyPlan(action="goodbye", facts=GoodbyeFacts()),
        ReplyPlan(action="fallback", facts=FallbackFacts()),
        ReplyPlan(action="reset", facts=ResetFacts()),
        ReplyPlan(action="answer_question", facts=AnswerFacts(known=True, kind="overview", title=PHONES[1].title, details=[
            AnswerDetail(form="overview", title=PHONES[1].title, price=1299.0, currency="CNY", rating=4.6, review_count=189,
                         stock=0, quote=["轻薄机身。", "续航一整天。"]),
            AnswerDetail(form="value", title=PHONES[1].title, attribute="屏幕尺寸", values=["6.1英寸"]),
            AnswerDetail(form="value", title=PHONES[1].title, attribute="color", values=["白色", "黑色"])])),
        ReplyPlan(action="answer_question", facts=AnswerFacts(known=True, kind="lookup", topic="price", title=PHONES[1].title, details=[
            AnswerDetail(form="value", title=PHONES[1].title, attribute="price", price=1299.0, currency="CNY", quantity=2)])),
        ReplyPlan(action="reset", facts=ResetFacts(scope="preferences")),
        ReplyPlan(action="ask_clarification", facts=ClarificationFacts(slot="reference", question="I only showed 2 products, so there is no number 3.",
                                                                      shown_count=2, asked_position=3)),
        *[ReplyPlan(action="policy_answer", facts=PolicyFacts(known=True, topic="shipping", title="配送", sentences=SHIPPING, section="配送政策",
                                                              quote=ShippingQuote(title=PHONES[1].title, price=price, currency="CNY", free_from=99,
                                                                                  fee=10, cart_subtotal=cart)))
          for price, cart in ((1299.0, 0.0), (59.0, 0.0), (59.0, 60.0))],
        *[ReplyPlan(action="policy_answer", facts=PolicyFacts(known=True, topic="shipping", title="配送", sentences=SHIPPING, section="配送政策",
                                                              quote=ShippingQuote(price=total, currency="CNY", free_from=99, fee=10,
                                                                                  amount_short=max(99 - total, 0.0))))
          for total in (150.0, 59.0)],
        ReplyPlan(action="show_products", facts=ShowProductsFacts(nothing_for="钓鱼")),
        ReplyPlan(action="order_status", facts=OrderStatusFacts(slot="order_id", question="Could you give me your order number?", choices=[
            OrderChoice(order_id="ORD-10040", status="processing", placed_at="2026-11-20"),
            OrderChoice(order_id="ORD-10035", status="shipped", placed_at="2026-11-18")])),
    ]
    plans += [products_plan(), cart_plan(), greet_plan(), compare_plan()]
    return [zh(p) for p in plans]


PLANS = zh_plans()
#: Words a Chinese reply may hold in Latin letters: product titles and brands (catalog data), carriers, order and
#: tracking numbers, the assistant's name and units of the catalog's attributes.
def _foreign_allowed(plan: ReplyPlan) -> list[str]:
    names = [c.title for c in plan.products] + [c.brand or "" for c in plan.products] + [line.title for line in plan.cart]
    names += [t for t in (plan.comparison.titles if plan.comparison else [])]
    facts = plan.facts.given()
    names += [str(facts.get(k) or "") for k in ("title", "order_id", "carrier", "tracking_number", "category")]
    quote = facts.get("quote")  # "does this one ship free?": the product's title
    names += [quote.get("title")] if isinstance(quote, dict) else []
    items = facts.get("items")
    names += [item.split(" × ", 1)[-1] for item in items] if isinstance(items, list) else []
    names += [choice["order_id"] for choice in facts.get("choices") or []]  # "which order?": the shopper's orders
    return sorted((n for n in [*names, "ShopAssist", "ORD-12345", "dBA", "GB"] if n), key=len, reverse=True)


def _sentences(text: str) -> list[str]:
    return [s.strip() for s in re.split(r"(?<=[。！？])|\n", text) if s.strip()]


def test_every_action_has_a_chinese_plan_here() -> None:
    assert {p.action for p in PLANS} == set(ACTIONS) == set(RENDERERS)


@pytest.mark.parametrize("plan", PLANS, ids=[f"{i}-{p.action}" for i, p in enumerate(PLANS)])
def test_every_template_reply_is_chinese(plan: ReplyPlan) -> None:
    text = TemplateGenerator().generate(plan)
    assert has_cjk(text), text
    for sentence in _sentences(text):
        rest = sentence
        for name in _foreign_allowed(plan):
            rest = rest.replace(name, " ")
        # beside names, numbers and units, a Chinese reply has no word in Latin letters
        assert not re.search(r"[A-Za-z]{2,}", rest), f"English in a Chinese reply: {sentence!r}"
    assert not re.search(f"[{CJK}] +[{CJK}]", _without_names(text, plan)), f"a space between Chinese words: {text!r}"
    assert not re.search(f"[{CJK}][,.?!:;]|[,?!:;][{CJK}]", _without_names(text, plan)), f"English punctuation: {text!r}"


def _without_names(text: str, plan: ReplyPlan) -> str:
    for name in _foreign_allowed(plan):
        text = text.replace(name, "·")
    return text


def test_cny_prices_are_written_in_yuan_and_usd_in_dollars() -> None:
    assert money(1299.0, "CNY") == "¥1,299.00"
    assert money(1299.0, "USD") == "$1,299.00"
    assert money(5.5, "EUR") == "€5.50"
    assert money(12.0, "CHF") == "12.00 CHF"
    phones = TemplateGenerator().generate(PLANS[0])
    assert "1. 启瞳 破晓 800 Pro 5G全网通手机 黑色 — ¥4,699.00，4.6★" in phones
    assert "¥1,299.00，4.6★（缺货）" in phones
    assert "$" not in phones
    assert card_line(PHONES[0]) == "1. 启瞳 破晓 800 Pro 5G全网通手机 黑色 — ¥4,699.00, 4.6★"  # an English reply keeps its punctuation


def test_amounts_without_a_currency_take_the_products_or_the_catalogs() -> None:
    """Cart lines and order totals carry no currency: the plan's products say it, else the generator's catalog."""
    with_products = zh(ReplyPlan(action="show_cart", facts=ShowCartFacts(items=2), cart=CART, cart_total=2598.0, products=PHONES))
    alone = zh(ReplyPlan(action="show_cart", facts=ShowCartFacts(items=2), cart=CART, cart_total=2598.0))
    assert plan_currency(with_products) == "CNY" and plan_currency(alone) == "USD"
    assert "合计：¥2,598.00" in TemplateGenerator().generate(with_products)
    assert "合计：$2,598.00" in TemplateGenerator().generate(alone)
    assert TemplateGenerator(currency="CNY").generate(alone) == "您的购物车：\n- 2 × 启瞳 晨光 12 手机 白色（白色） — ¥2,598.00\n合计：¥2,598.00"


def test_chinese_replies_read_as_a_chinese_shop_writes_them() -> None:
    generate = TemplateGenerator().generate
    assert generate(PLANS[0]).splitlines()[0] == "为您找到2款手机商品（黑色，5000元以内）："
    # English free text of the dialogue manager is not quoted: the reply says it its own way
    assert generate(PLANS[1]).splitlines()[0] == "再为您找到2款商品："
    assert generate(PLANS[5]) == "抱歉，没有找到符合条件的商品。换个预算、颜色或品牌试试吧。"
    assert generate(PLANS[8]) == "请问跑步鞋您要哪个尺码？可选：40、41、42。"
    assert generate(PLANS[10]) == "请问您指的是哪一个？例如：前两款、前三款、全部。"
    order = generate(zh(ReplyPlan(action="order_status", facts=OrderStatusFacts(**ORDER))))
    assert order == ("订单ORD-10001（1 × 启瞳 晨光 12 手机 白色，合计$1,299.00）已发货。承运快递：SwiftParcel，运单号：SP123456。"
                     "预计送达：2024-05-03。")
    policy = generate(PLANS[36])
    assert policy.startswith("根据我们的退换货政策：大多数商品支持30天无理由退货") and policy.endswith("自签收之日起30天。")
    assert generate(zh(greet_plan())) == "您好！我是ShopAssist，今天想找点什么？"
    overview, times = (generate(p) for p in PLANS if p.action == "answer_question" and p.facts_as(AnswerFacts).details)
    assert overview == ("启瞳 晨光 12 手机 白色售价¥1,299.00，评分4.6分（189条评价），目前缺货。规格：屏幕尺寸：6.1英寸；颜色：白色、黑色。"
                        "商品描述：轻薄机身。续航一整天。")
    assert times == "启瞳 晨光 12 手机 白色 ×2，共¥2,598.00（单价¥1,299.00）。"


@pytest.mark.parametrize(("status", "words"), [("processing", "正在处理中"), ("shipped", "已发货"), ("delivered", "已送达"),
                                                ("cancelled", "已取消"), ("returned", "已退货")])
def test_order_statuses_in_chinese(status: str, words: str) -> None:
    plan = zh(ReplyPlan(action="order_status", facts=OrderStatusFacts(**{**ORDER, "status": status})))
    assert f"）{words}。" in TemplateGenerator().generate(plan)


def test_phrasebooks_have_the_same_keys_and_chinese_text() -> None:
    en, zh_table = TABLES["en"], TABLES["zh"]
    assert en.keys() == zh_table.keys()
    for key, text in zh_table.items():
        assert set(_FIELD.findall(text)) <= set(_FIELD.findall(en[key])) | {"count", "category", "numeral"}, key
        words = re.sub(r"\{[^}]*\}|ShopAssist|ORD-12345", "", text)
        assert has_cjk(words) or not re.search("[A-Za-z]", words), f"{key} is not written in Chinese: {text!r}"
    assert card_labels("en").keys() == card_labels("zh").keys()
    assert card_labels("zh")["add_to_cart"] == "加入购物车"


def test_a_size_that_carries_its_unit_is_not_given_it_twice() -> None:
    zh_book, en_book = phrasebook("zh"), phrasebook("en")
    assert (zh_book.size_option("42码"), zh_book.size_option("42"), en_book.size_option("10")) == ("42码", "42码", "size 10")


def test_ordinals() -> None:
    book = phrasebook("zh")
    assert [book.ordinal(n) for n in (1, 2, 3, 10, 12, 25)] == ["第一", "第二", "第三", "第十", "第十二", "第二十五"]
    assert book("card.add_text", ordinal=book.ordinal(2)) == "把第二个加入购物车"
    assert phrasebook("en").ordinal(2) == "second"
    assert all(parse_numeral(numeral(n)) == n for n in range(0, 10000, 7))


def test_quick_replies_in_the_plans_language() -> None:
    offered = ["View cart", "Checkout", "Compare the first two", "Add the Cityline one to my cart", "Remove Cityline Packable Shell",
               "The full 退换货政策", "Talk to a person", "Find products", "ORD-10001", "42"]
    assert localize_quick_replies(offered, "zh") == [
        "查看购物车", "去结算", "比较前两款", "把Cityline那款加入购物车", "删除Cityline Packable Shell", "查看完整的退换货政策", "转人工客服",
        "找商品", "ORD-10001", "42"]
    assert localize_quick_replies(offered, "en") == offered
    assert localize_quick_reply("Compare the first three", "zh") == "比较前三款"


def test_english_replies_are_unchanged() -> None:
    generate = TemplateGenerator().generate
    assert generate(products_plan()).startswith("Here are 3 jackets (under $100):\n1. Trailhead Waterproof Rain Jacket — $89.99, 4.5★")
    assert generate(policy_plan()).startswith("Returns and refunds: Most items can be returned within 30 days")
    assert generate(cart_plan()) == "Added 2 × Cityline Packable Shell to your cart.\n- 2 × Cityline Packable Shell — $129.00\nTotal: $129.00"
    assert ReplyPlan(action="greet", facts=GreetFacts()).language == "en"


def test_streaming_a_chinese_reply_gives_the_whole_reply() -> None:
    plan = PLANS[0]
    assert "".join(TemplateGenerator().stream(plan)).strip() == TemplateGenerator().generate(plan)
