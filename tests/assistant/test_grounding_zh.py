"""The grounding guard on Chinese replies: prices in ¥/元/块, Chinese numerals, figures, discounts, stock and policy
words must come from the plan; the template's own Chinese reply passes; sentences split at 。！？; the prompt asks
for Chinese when the plan's language is zh and stays as it was for English."""

from __future__ import annotations

import pytest

from assistant.generators.base import HistoryTurn
from assistant.generators.claims import ClaimChecker, TemplateRemainder, split_sentences
from assistant.generators.grounding import Grounder, chinese_amounts, leaks_system_prompt
from assistant.generators.prompting import LANGUAGE_INSTRUCTIONS, REWRITE_INSTRUCTION, build_messages
from assistant.generators.template import TemplateGenerator
from assistant.generators.zh_text import is_chinese, numbers_in, parse_amount, parse_numeral
from dialogue.plan import ReplyPlan
from dialogue.reply_facts import PolicyFacts
from tests.assistant.plans import cart_plan, compare_plan, greet_plan, policy_plan, products_plan
from tests.assistant.test_template_zh import PLANS, zh

RETURNS_ZH = ["大多数商品支持30天无理由退货，比七天无理由退货更宽松：收货后30天内可以退货，全额退款至原支付方式。",
              "订单满$50退货免运费；不满$50的订单从退款中扣除$5.99的面单费。"]


def cny(plan: ReplyPlan) -> ReplyPlan:
    """A zh plan whose products are priced in yuan."""
    return zh(plan).model_copy(update={"products": [c.model_copy(update={"currency": "CNY"}) for c in plan.products]})


def policy_zh() -> ReplyPlan:
    return ReplyPlan(action="policy_answer", language="zh", user_text="退货政策是什么", facts=PolicyFacts(
        known=True, topic="returns", title="退换货与退款", sentences=RETURNS_ZH, section="退换货政策"))


def kinds(plan: ReplyPlan, reply: str) -> set[str]:
    return {v.kind for v in Grounder(plan, TemplateGenerator().generate(plan)).check(reply)}


def problems(plan: ReplyPlan, sentence: str, *, first_turn: bool = False, earlier: list[str] | None = None) -> set[str]:
    checker = ClaimChecker(plan, TemplateGenerator().generate(plan), first_turn=first_turn)
    return {p.kind for p in checker.problems(sentence, earlier or [])}


@pytest.mark.parametrize(("text", "value"), [
    ("一", 1), ("十", 10), ("十二", 12), ("二十", 20), ("一百二十", 120), ("一百零五", 105), ("两千五", 2500), ("三万五", 35000),
    ("三万五千", 35000), ("十万", 100000), ("一亿两千万", 120000000), ("二〇二四", 2024), ("九千九百九十九", 9999),
])
def test_chinese_numerals(text: str, value: int) -> None:
    assert parse_numeral(text) == value


def test_amounts_and_numbers_in_chinese_text() -> None:
    assert parse_amount("1,299.00") == 1299.0 and parse_amount("1.5万") == 15000.0 and parse_amount("一千二百九十九") == 1299.0
    assert chinese_amounts("¥1,299.00，或者1299元，一千二百九十九块，人民币1299，1.5万元") == {1299.0, 15000.0}
    assert numbers_in("收货后30天内，七天无理由，3–5个工作日") >= {30.0, 7.0, 3.0, 5.0}
    assert not numbers_in("万一不合适，千万别着急，十分感谢")  # idioms hold no numbers


def test_template_replies_in_chinese_pass_the_guard() -> None:
    plans = [cny(products_plan()), cny(compare_plan()), zh(cart_plan()), zh(greet_plan()), zh(policy_plan()), policy_zh(), *PLANS]
    for plan in plans:
        template = TemplateGenerator().generate(plan)
        assert Grounder(plan, template).check(template) == [], template
        checker = ClaimChecker(plan, template, first_turn=False)
        for sentence in split_sentences(template):
            assert checker.problems(sentence) == [], sentence


@pytest.mark.parametrize("reply", [
    "为您找到3款夹克，Trailhead Waterproof Rain Jacket售价¥89.99。",
    "Cityline Packable Shell只要64.5元，Summit Insulated Parka目前缺货。",
    "三款商品的价格从¥64.50到¥99.00不等。",
    "Summit Insulated Parka已经售罄了。",
    "这些商品共有120条评价。",
])
def test_faithful_chinese_rephrasings_pass(reply: str) -> None:
    assert kinds(cny(products_plan()), reply) == set()


@pytest.mark.parametrize(("reply", "kind"), [
    ("Trailhead Waterproof Rain Jacket现在只要¥59.00！", "price"),
    ("Cityline Packable Shell只要45元。", "price"),
    ("这款只要一千块。", "price"),
    ("这件夹克售价1.5万元。", "price"),
    ("全场打八折。", "discount"),
    ("结算时可以用优惠券。", "discount"),
    ("所有夹克都包邮。", "policy"),
    ("支持七天无理由退货。", "policy"),
    ("Trailhead夹克仅剩2件！", "stock"),
    ("这款夹克有17种颜色。", "number"),
    ("这款夹克有一百二十七种颜色。", "number"),
    ("十天内发货。", "policy_figure"),
    ("全场百分之三十的折扣。", "percent"),
])
def test_invented_chinese_facts_are_violations(reply: str, kind: str) -> None:
    assert kind in kinds(cny(products_plan()), reply)


def test_chinese_policy_figures_must_come_from_the_policy() -> None:
    plan = policy_zh()
    assert kinds(plan, "收货后30天内都可以退货，订单满$50退货免运费。") == set()
    assert kinds(plan, "支持七天无理由退货。") == set()  # the policy says it
    assert "policy_figure" in kinds(plan, "收货后90天内都可以退货。")
    assert "policy_figure" in kinds(plan, "收货后九十天内都可以退货。")
    assert "price" in kinds(plan, "退货面单费是$3.99。")
    assert "policy" in kinds(plan, "所有商品都有保修。")
    # a Chinese reply to an English policy: the English words allow the Chinese ones ("refund" → 退款)
    assert "policy" not in kinds(zh(policy_plan()), "退款会退回原支付方式。")


def test_chinese_sentences_are_split_at_chinese_stops() -> None:
    assert split_sentences("为您找到3款商品。价格从¥64.50起！还要看看别的吗？好的") == ["为您找到3款商品。", "价格从¥64.50起！", "还要看看别的吗？", "好的"]
    assert split_sentences("Here you go. Anything else?") == ["Here you go.", "Anything else?"]


@pytest.mark.parametrize(("sentence", "kind"), [
    ("Trailhead Waterproof Rain Jacket是最便宜的。", "evaluative"),
    ("我推荐Cityline Packable Shell。", "evaluative"),
    ("Cityline Packable Shell比Trailhead更轻。", "evaluative"),
    ("为您找到5款商品。", "count"),
    ("您好！这是为您找到的商品。", "greeting"),
    ("还有其他需要吗？", "unasked_question"),
    ("这些夹克采用环保面料制成，透气防水。", "unsupported_words"),
    ("抱歉，这些都没有货。", "refusal"),
    ("我也不确定这些是不是您要的。", "hedge"),
    ("2. Trailhead Waterproof Rain Jacket — ¥89.99，4.5★", "list_line"),
])
def test_chinese_claims_the_plan_does_not_make(sentence: str, kind: str) -> None:
    assert kind in problems(cny(products_plan()), sentence)


@pytest.mark.parametrize("sentence", [
    "好的，为您找到了3款Jackets商品。",
    "为您找到三款商品，供您参考。",
    "Trailhead Waterproof Rain Jacket售价¥89.99，评分4.5星。",
    "1. Trailhead Waterproof Rain Jacket — ¥89.99，4.5★",
])
def test_faithful_chinese_sentences_pass(sentence: str) -> None:
    assert problems(cny(products_plan()), sentence) == set()


def test_policy_rephrasings_in_chinese() -> None:
    plan = policy_zh()
    assert problems(plan, "订单满$50的话，退货免运费。") == set()
    assert problems(plan, "订单满50美元退货免运费。") == set()
    assert "unsupported_words" in problems(plan, "退货政策由客服个人决定，一律不予受理。")


def test_a_repeated_chinese_sentence_is_caught() -> None:
    plan = cny(products_plan())
    assert "repetition" in problems(plan, "为您找到3款Jackets商品。", earlier=["为您找到3款Jackets商品："])
    assert "repetition" in problems(plan, "好的好的好的好的好的好的")


def test_the_remainder_of_a_chinese_template() -> None:
    template = TemplateGenerator().generate(policy_zh())
    remainder = TemplateRemainder(template)
    said = remainder.unsaid("大多数商品都可以在收货后30天内退货，支持无理由退货，全额退款至原支付方式。")
    assert said == "订单满$50退货免运费；不满$50的订单从退款中扣除$5.99的面单费。"
    assert remainder.unsaid("") == template
    assert remainder.unsaid("好的。") == template
    products = TemplateGenerator().generate(cny(products_plan()))
    assert "¥89.99" in TemplateRemainder(products).unsaid("为您找到3款Jackets商品。")  # a product line is said with its price only


def test_the_prompt_asks_for_chinese_only_for_chinese_plans() -> None:
    history = [HistoryTurn(role="user", text="你好"), HistoryTurn(role="assistant", text="您好！")]
    plan = cny(products_plan("有没有100元以内的雨衣"))
    template = TemplateGenerator().generate(plan)
    messages = build_messages(plan, history, template, 300)
    assert messages[-1]["content"].endswith(f"{REWRITE_INSTRUCTION}\n{LANGUAGE_INSTRUCTIONS['zh']}")
    assert "¥89.99" in messages[-1]["content"]
    english = build_messages(products_plan(), history, TemplateGenerator().generate(products_plan()), 300)
    assert english[-1]["content"].endswith(f"\n\n{REWRITE_INSTRUCTION}")
    assert not any("Chinese" in m["content"] for m in english)
    assert leaks_system_prompt("Sure: write the reply in Simplified Chinese (简体中文), the shopper's language, like the draft.")


def test_which_texts_are_chinese() -> None:
    assert is_chinese("黑色，5000元以内") and is_chinese("Apple手机") and is_chinese("启瞳 破晓 800 Pro 5G全网通手机 黑色有黑色。")
    assert not is_chinese("The 启瞳 晨光 12 is $3,400.00 cheaper.") and not is_chinese("black, under $100") and not is_chinese("")
