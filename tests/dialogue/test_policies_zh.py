"""Policies in Chinese (data/policies_zh.yml): the same sections, keys and figures as data/policies.yml, answered by
clause for a Chinese question (BM25 over character bigrams), the whole section on request; English answers unchanged."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from assistant.generators.template import TemplateGenerator
from core.settings import DATA_DIR
from dialogue.plan import ReplyPlan
from dialogue.policies import PolicyBook, wants_whole_section
from dialogue.policy_clauses import clauses_of, split_sentences, tokenize_zh
from dialogue.reply_facts import PolicyFacts

EN = yaml.safe_load((DATA_DIR / "policies.yml").read_text())
ZH = yaml.safe_load((DATA_DIR / "policies_zh.yml").read_text())
_NUMBER = re.compile(r"\d[\d,]*(?:\.\d+)?")
_CJK = re.compile(r"[\u4e00-\u9fff]")
#: Figures only the Chinese text writes: December 25 is 12月25日.
CHINESE_ONLY_FIGURES = {"contact": {"12"}}

#: (section, what a Chinese shopper asks, a phrase each expected clause contains: all of them among the answer's)
QUESTIONS = [
    ("returns", "拆封了还能退吗", ["已拆封的美妆", "商品状态要求"]),
    ("returns", "多少天内可以退货", ["30天"]),
    ("returns", "退款多久到账", ["5个工作日内退回"]),
    ("returns", "退货运费谁出", ["退货免运费"]),
    ("returns", "可以换尺码吗", ["换尺码或换颜色免费"]),
    ("returns", "床垫能退吗", ["100晚试睡"]),
    ("returns", "最终销售的商品能退吗", ["Final Sale"]),
    ("returns", "礼品卡可以退吗", ["礼品卡和个性化"]),
    ("returns", "可以退到店铺余额吗", ["店铺余额"]),
    ("returns", "支持七天无理由退货吗", ["七天无理由退货", "30天"]),
    ("shipping", "能寄到加拿大吗", ["加拿大"]),
    ("shipping", "运费多少钱", ["$5.99"]),
    ("shipping", "多久能送到", ["3–5个工作日"]),
    ("shipping", "有次日达吗", ["次日达"]),
    ("shipping", "可以改收货地址吗", ["修改收货地址"]),
    ("shipping", "显示签收了但是没收到", ["仍未收到包裹"]),
    ("shipping", "要交关税吗", ["进口关税"]),
    ("shipping", "多久发货", ["1个工作日内发货"]),
    ("shipping", "满多少包邮", ["满$50"]),
    ("cancellation", "发货了还能取消吗", ["已发货的订单不能再取消"]),
    ("cancellation", "取消订单会扣钱吗", ["不会扣款"]),
    ("warranty", "笔记本电脑保修多久", ["电子产品、电脑"]),
    ("warranty", "意外损坏保修吗", ["意外损坏"]),
    ("warranty", "沙发保修几年", ["家具框架"]),
    ("payment", "可以分期付款吗", ["分4期免息"]),
    ("payment", "什么时候扣款", ["发货时才实际扣款"]),
    ("payment", "支持货到付款吗", ["货到付款"]),
    ("contact", "客服电话是多少", ["1-800-555-0142"]),
    ("contact", "圣诞节有客服吗", ["12月25日"]),
    ("price_match", "买了之后降价了怎么办", ["本店降价"]),
]


@pytest.fixture(scope="module")
def book() -> PolicyBook:
    return PolicyBook(DATA_DIR / "policies.yml")


def _shape(node: Any) -> Any:
    """A policy node without its text: the keys of a mapping, the length of a list."""
    if isinstance(node, dict):
        return {k: _shape(v) for k, v in node.items() if k not in ("title", "name")}
    if isinstance(node, list):
        return [_shape(v) for v in node]
    return "text"


def _figures(node: Any) -> set[str]:
    if isinstance(node, dict):
        return set().union(set(), *(_figures(v) for k, v in node.items() if k not in ("title", "name")))
    if isinstance(node, list):
        return set().union(set(), *(_figures(v) for v in node))
    return {n.rstrip(",") for n in _NUMBER.findall(str(node))}


def test_the_translation_has_every_section_and_key() -> None:
    assert _shape(ZH["policies"]) == _shape(EN["policies"])
    keys = {k for section in EN["policies"].values() for k in section if k not in ("title", "name")}
    assert keys <= set(ZH["labels"]), sorted(keys - set(ZH["labels"]))


@pytest.mark.parametrize("topic", list(EN["policies"]))
def test_the_translation_keeps_every_figure(topic: str) -> None:
    english, chinese = _figures(EN["policies"][topic]), _figures(ZH["policies"][topic])
    assert english <= chinese, f"figures missing in Chinese: {sorted(english - chinese)}"
    assert chinese - english <= CHINESE_ONLY_FIGURES.get(topic, set()), f"figures only in Chinese: {sorted(chinese - english)}"


def test_seven_day_returns_and_the_30_day_window() -> None:
    summary = ZH["policies"]["returns"]["summary"]
    assert "七天无理由退货" in summary and "30天" in summary
    assert "30 days" in EN["policies"]["returns"]["summary"]


def test_sections_answer_in_chinese_and_english_is_unchanged(book: PolicyBook) -> None:
    assert book.languages() == ["en", "zh"]
    for topic in book.topics():
        chinese, english = book.answer(topic, "zh"), book.answer(topic)
        assert len(chinese.sentences) == len(english.sentences), topic
        assert all(_CJK.search(s) for s in chinese.sentences), topic
        assert _CJK.search(chinese.title) and _CJK.search(chinese.name)
        assert english == book.answer(topic, "en") and not any(_CJK.search(s) for s in english.sentences)
    assert book.title("returns", "zh") == "退换货与退款" and book.name("returns", "zh") == "退换货政策"
    assert book.name("payment") == "payment policy" and book.name("contact") == "customer care details"


def test_chinese_clauses_as_written(book: PolicyBook) -> None:
    texts = [c.text for c in book.clauses("returns", "zh")]
    assert "期限：自签收之日起30天" in texts  # a value without a full stop: "标签：值"
    assert "商品状态要求：未使用，保留原包装和全部吊牌" in texts
    assert "只有已送达的订单可以退货；还没发货的订单可以直接取消。" in texts
    assert split_sentences("第一句。第二句！“第三句？”第四句", "zh") == ["第一句。", "第二句！", "“第三句？”", "第四句"]
    assert [c.text for c in clauses_of({"window": "30天", "fee": 5}, language="zh", labels={"window": "期限", "fee": "费用"})] == \
        ["期限：30天", "费用：5。"]
    assert tokenize_zh("满$50免运费") == ["满", "免运", "运费", "50"]  # a lone character counts as itself


@pytest.mark.parametrize(("topic", "question", "wanted"), QUESTIONS, ids=[q[1] for q in QUESTIONS])
def test_a_chinese_question_gets_the_clauses_that_answer_it(book: PolicyBook, topic: str, question: str, wanted: list[str]) -> None:
    answer = book.answer_question(topic, question, language="zh")
    assert not answer.whole and 1 <= len(answer.sentences) <= 3
    for phrase in wanted:
        assert any(phrase in s for s in answer.sentences), f"{phrase!r} not in {answer.sentences}"


@pytest.mark.parametrize("text", ["完整的退货政策", "把退换货的全部规定发给我", "详细说明一下退货条款", "退货政策全文"])
def test_the_whole_section_when_asked_for_in_chinese(book: PolicyBook, text: str) -> None:
    assert wants_whole_section(text)
    answer = book.answer_question("returns", text, language="zh")
    assert answer.whole and len(answer.sentences) == len(book.clauses("returns", "zh"))


@pytest.mark.parametrize(("text", "topic"), [
    ("支持七天无理由退货吗", "returns"), ("包邮吗", "shipping"), ("几天能到", "shipping"), ("订单能取消吗", "cancellation"),
    ("保修多久", "warranty"), ("可以用支付宝吗", "payment"), ("怎么联系人工客服", "contact"), ("买贵了能保价吗", "price_match"),
    ("可以换尺码吗", "returns"), ("要交关税吗", "shipping"),
])
def test_the_section_a_chinese_question_is_about(book: PolicyBook, text: str, topic: str) -> None:
    assert book.topic_for(text, None) == topic


def test_a_book_without_a_translation_answers_in_english(tmp_path: Path) -> None:
    path = tmp_path / "policies.yml"
    path.write_text((DATA_DIR / "policies.yml").read_text())
    book = PolicyBook(path)
    assert book.languages() == ["en"]
    assert book.answer("returns", "zh") == book.answer("returns")
    partial = tmp_path / "partial_zh.yml"
    partial.write_text("labels: {}\npolicies:\n  returns:\n    title: 退货\n    summary: 30天内可以退货。\n")
    book = PolicyBook(path, translations={"zh": partial})
    assert book.answer("returns", "zh").sentences == ["30天内可以退货。"]
    assert book.answer("shipping", "zh") == book.answer("shipping")  # a section the translation lacks


def test_the_template_writes_a_chinese_policy_answer(book: PolicyBook) -> None:
    answer = book.answer_question("shipping", "满多少包邮", language="zh")
    plan = ReplyPlan(action="policy_answer", language="zh", facts=PolicyFacts(
        known=True, topic=answer.topic, title=answer.title, sentences=answer.sentences, section=answer.name, whole=answer.whole))
    reply = TemplateGenerator().generate(plan)
    assert reply.startswith("根据我们的配送政策：") and "满$50" in reply and " " not in reply.replace("Homeline Freight", "")


_PLACEHOLDER = re.compile(r"\{(\w+)\}")


def _placeholders(node: Any) -> set[str]:
    if isinstance(node, dict):
        return set().union(set(), *(_placeholders(v) for v in node.values()))
    if isinstance(node, list):
        return set().union(set(), *(_placeholders(v) for v in node))
    return set(_PLACEHOLDER.findall(str(node)))


@pytest.mark.parametrize("topic", list(EN["policies"]))
def test_both_files_write_the_same_amounts_and_give_each_one(topic: str) -> None:
    assert _placeholders(EN["policies"][topic]) == _placeholders(ZH["policies"][topic])
    wanted = _placeholders(EN["policies"]) - {"currency"}
    assert wanted <= set(EN["amounts"]) and wanted <= set(ZH["amounts"])
    assert (EN["currency"], ZH["currency"]) == ("USD", "CNY")


def test_a_cny_shop_states_its_own_amounts_in_both_languages() -> None:
    book = PolicyBook(DATA_DIR / "policies.yml", currency="CNY")
    assert book.currency == "CNY"
    chinese = book.answer_question("shipping", "满多少包邮", language="zh").sentences
    assert any("满¥99" in s for s in chinese) and not any("$" in s for s in chinese)
    english = book.answer_question("shipping", "how much is standard shipping?").sentences
    assert any("¥10" in s for s in english) and not any("$" in s for s in english)
    for language in ("en", "zh"):
        for topic in book.topics():
            assert not any("{" in s or "$" in s for s in book.answer(topic, language).sentences), (language, topic)
    assert "人民币（CNY）" in " ".join(book.answer("payment", "zh").sentences)
    assert "¥600" in " ".join(book.answer("payment").sentences) and "¥20,000" in " ".join(book.answer("payment").sentences)


def test_a_usd_shop_states_the_amounts_as_before(book: PolicyBook) -> None:
    assert book.currency == "USD"
    assert "Currency: US dollars (USD) only" in book.answer("payment").sentences
    assert any("orders of $50 or more; for smaller orders a $5.99 label fee" in s for s in book.answer("returns").sentences)
    assert "币种：仅支持美元（USD）" in book.answer("payment", "zh").sentences
    # a currency no policy file gives amounts for: the main file's (USD), not a wrong symbol
    assert PolicyBook(DATA_DIR / "policies.yml", currency="EUR").currency == "USD"
