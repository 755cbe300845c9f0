"""Chinese superlatives and filters over the shown products (哪个最便宜, 哪款评分最高, 哪个最轻, 哪些有货, 哪个是纯棉的):
read as the same structured question as their English counterparts, answered with catalog values that the template
words in Chinese."""

from __future__ import annotations

import pytest

from assistant.generators.template import TemplateGenerator
from dialogue.plan import ReplyPlan
from dialogue.qa.answers import Mentioned, answer
from dialogue.qa.attributes import AttributeMatcher
from dialogue.qa.questions import read_question
from dialogue.reply_facts import AnswerFacts
from retrieval.models import Product


def _product(pid: str, title: str, **fields: object) -> Product:
    return Product.model_validate({"id": pid, "title": title, "category": ["家电", "净化器"], "price": 100.0,
                                   "currency": "CNY", **fields})


@pytest.mark.parametrize(("text", "references", "kind", "cue", "direction"), [
    ("哪个最便宜", 0, "superlative", "price", "min"), ("哪款评分最高", 0, "superlative", "rating", "max"),
    ("哪个最轻", 0, "superlative", "weight", "min"), ("哪个比较安静", 0, "superlative", "noise", "min"),
    ("最便宜的是哪个", 0, "superlative", "price", "min"), ("第一个和第二个哪个更轻", 2, "pairwise", "weight", "min"),
    ("哪些有货", 0, "filter", None, None), ("哪个是纯棉的", 0, "filter", None, None),
    ("第一个有哪些尺码", 1, "lookup", None, None), ("有哪些颜色", 0, "lookup", None, None),
    ("这款最大功率多少", 1, "lookup", None, None), ("第一个吵不吵", 1, "yes_no", None, None),
    ("第一个和第二个哪个好", 2, "pairwise", "rating", "max"), ("哪款最值得买", 0, "superlative", "rating", "max"),
    ("哪个好看", 0, "filter", None, None),
])
def test_chinese_question_shapes_match_english_ones(text: str, references: int, kind: str, cue: str | None,
                                                    direction: str | None) -> None:
    question = read_question(text, references)
    assert (question.kind, question.cue, question.direction) == (kind, cue, direction)


def test_english_shapes_carry_no_chinese_phrase() -> None:
    question = read_question("which one is the cheapest")
    assert (question.kind, question.cue, question.direction, question.said) == ("superlative", "price", "min", None)


def _reply(result, language: str = "zh") -> str:  # type: ignore[no-untyped-def]
    facts = AnswerFacts(known=result.known, kind=result.kind, topic=result.attribute, facts=result.sentences, details=result.details)
    return TemplateGenerator(currency="CNY").generate(ReplyPlan(action="answer_question", facts=facts, language=language))


def test_a_chinese_superlative_names_the_winner_in_chinese() -> None:
    shown = [_product("a", "甲", price=300.0, attributes={"噪音": ["32分贝"]}),
             _product("b", "乙", price=120.0, attributes={"噪音": ["24分贝"]}), _product("c", "丙", price=200.0)]
    cheapest = answer(read_question("哪个最便宜"), "哪个最便宜", shown)
    assert cheapest.product_ids[0] == "b"
    assert _reply(cheapest).startswith("最便宜的是乙（¥120.00）。其他：丙 — ¥200.00；甲 — ¥300.00")
    quietest = answer(read_question("哪个最安静"), "哪个最安静", shown)
    assert quietest.attribute == "噪音" and quietest.product_ids[0] == "b"
    text = _reply(quietest)
    assert "最安静的是乙（24分贝）" in text and "没有丙的噪音信息" in text
    lightest = answer(read_question("哪个最轻"), "哪个最轻", shown)
    assert not lightest.known and "没有这些商品的重量信息" in _reply(lightest)


def test_a_chinese_filter_lists_the_products_that_pass() -> None:
    shown = [_product("a", "甲", stock=0, attributes={"material": ["涤纶"]}),
             _product("b", "乙", stock=5, attributes={"material": ["纯棉"]}), _product("c", "丙", stock=2)]
    in_stock = answer(read_question("哪些有货"), "哪些有货", shown)
    assert in_stock.product_ids == ["b", "c"]
    assert _reply(in_stock) == "显示的3款中，有货的有2款：乙 — ¥100.00；丙 — ¥100.00。"
    cotton = answer(read_question("哪个是纯棉的"), "哪个是纯棉的", shown, Mentioned(materials=["纯棉"]))
    assert cotton.product_ids == ["b"] and "纯棉的有1款：乙" in _reply(cotton)


def test_english_answers_keep_their_sentences() -> None:
    shown = [_product("a", "Alpha", price=30.0), _product("b", "Beta", price=70.0)]
    result = answer(read_question("which one is the cheapest"), "which one is the cheapest", shown)
    assert _reply(result, "en") == " ".join(result.sentences) and result.sentences[0].startswith("Cheapest: the Alpha")


@pytest.mark.parametrize(("text", "attribute"), [
    ("第一个内存多大", "运行内存"), ("屏幕多大", "屏幕尺寸"), ("电池多大", "电池容量"), ("这个沙发多大", "尺寸"),
])
def test_a_chinese_topic_wins_over_a_bare_how_big(text: str, attribute: str) -> None:
    keys = ["运行内存", "屏幕尺寸", "电池容量", "尺寸", "存储容量"]
    assert AttributeMatcher(keys).match(text, read_question(text).cue) == attribute
