"""Chinese slot extraction (issue 19, item 2): Chinese messages give the Slots English ones give, on the English demo
catalog (values "Red", "Running Shoes") and on the Chinese one (values 红色, 跑步鞋); plus the slot F1 on the annotated
Chinese NLU examples (lab/eval/slots_zh.py)."""

from __future__ import annotations

from typing import Any

import pytest

from core.settings import DATA_DIR
from dialogue.lexicon_zh import chinese_forms, zh_number
from dialogue.nlu_data import NluExample, load_nlu, parse_example, three_way_split
from dialogue.slots import SlotExtractor
from dialogue.vocabulary import CatalogVocabulary, Tier
from lab.eval.slots_zh import evaluate_slots
from retrieval.catalog_io import load_catalog


@pytest.fixture(scope="module")
def english() -> SlotExtractor:
    """The English demo catalog with the English NLU synonyms, as the assistant builds it."""
    products = load_catalog([DATA_DIR / "catalog" / "demo.jsonl"]).products
    return SlotExtractor(CatalogVocabulary.from_products(products, load_nlu(DATA_DIR / "nlu").synonyms))


@pytest.fixture(scope="module")
def chinese() -> SlotExtractor:
    products = load_catalog([DATA_DIR / "catalog" / "demo_zh.jsonl"]).products
    return SlotExtractor(CatalogVocabulary.from_products(products, load_nlu(DATA_DIR / "nlu").synonyms))


def _ord(*indexes: int) -> list[dict[str, Any]]:
    return [{"kind": "ordinal", "index": i} for i in indexes]


FOCUS = [{"kind": "focus"}]

#: Chinese message → exact slots on the English demo catalog.
CASES: list[tuple[str, dict[str, Any]]] = [
    # prices (the English rules' values: "around" is ± 15 %)
    ("500元以内", {"price_max": 500.0}),
    ("不超过300块", {"price_max": 300.0}),
    ("300块以下", {"price_max": 300.0}),
    ("两百左右", {"price_min": 170.0, "price_max": 230.0}),
    ("100到200元", {"price_min": 100.0, "price_max": 200.0}),
    ("100到200元之间的", {"price_min": 100.0, "price_max": 200.0}),
    ("¥199", {"price_max": 199.0}),
    ("200多", {"price_min": 200.0, "price_max": 300.0}),
    ("1000多的手机", {"category": "Smartphones", "price_min": 1000.0, "price_max": 2000.0}),
    ("三四百的有吗", {"price_min": 300.0, "price_max": 400.0}),
    ("三千五以内", {"price_max": 3500.0}),
    ("一千二左右", {"price_min": 1020.0, "price_max": 1380.0}),
    ("两百块", {"price_max": 200.0}),
    ("预算500块", {"price_max": 500.0}),
    ("1k以内", {"price_max": 1000.0}),
    ("一千以上也行", {"price_min": 1000.0}),
    ("至少500，要质量好的", {"price_min": 500.0, "price_hint": "more_premium"}),
    ("低于四十", {"price_max": 40.0}),
    ("500的", {"price_max": 500.0}),
    ("便宜点", {"price_hint": "cheaper"}),
    ("便宜一点的", {"price_hint": "cheaper"}),
    ("贵一点", {"price_hint": "more_premium"}),
    ("不要太贵的", {"price_hint": "cheaper"}),
    ("不便宜", {}),
    ("3岁以上的玩具", {"category": "Toys & Games"}),
    ("2到3天能到吗", {}),
    ("iPhone 15 多少钱", {}),
    ("给我朋友转100块", {}),
    # ratings
    ("4星以上", {"rating_min": 4.0}),
    ("只看五星的", {"rating_min": 5.0}),
    ("评分4.5以上", {"rating_min": 4.5}),
    ("三星的手机", {"category": "Smartphones"}),
    # colours, sizes, materials, brands, categories
    ("红色的", {"colors": ["Red"]}),
    ("红的", {"colors": ["Red"]}),
    ("黑的有吗", {"colors": ["Black"]}),
    ("深蓝", {"colors": ["Blue"]}),
    ("藏青色的卫衣", {"category": "Hoodies", "colors": ["Blue"]}),
    ("42码", {"sizes": ["42"]}),
    ("M码", {"sizes": ["M"]}),
    ("大码", {"sizes": ["L"]}),
    ("要XL的", {"sizes": ["XL"]}),
    ("一件M一件L", {"sizes": ["M", "L"]}),
    ("65寸的电视", {"category": "TVs", "sizes": ["65 inch"]}),
    ("1.8米的床垫", {"category": "Mattresses", "sizes": ["King"]}),
    ("纯棉", {"materials": ["Cotton"]}),
    ("真皮沙发", {"category": "Sofas", "materials": ["Leather"]}),
    ("Acme的耳机", {"category": "Headphones", "brands": ["Acme"]}),
    ("我想买一双跑步鞋，500元以内", {"category": "Running Shoes", "price_max": 500.0}),
    ("洗碗机", {"category": "Dishwashers"}),
    ("好，现在需要一盏配书桌的台灯", {"category": "Desk Lamps"}),
    # one-character forms only where they are words
    ("蓝牙耳机", {"category": "Earbuds"}),
    ("包邮吗", {}),
    ("红米手机", {"category": "Smartphones"}),
    ("最近那笔订单我想取消", {}),
    ("找个手机壳", {}),
    ("前面挂着的黑色T恤是多大码", {"category": "T-Shirts", "colors": ["Black"]}),
    # negation
    ("不要红色", {"colors_out": ["Red"]}),
    ("不要Acme的", {"brands_out": ["Acme"]}),
    ("除了Glowix都行", {"brands_out": ["Glowix"]}),
    ("别给我推Nordvik的了", {"brands_out": ["Nordvik"]}),
    ("不想要黑色和白色的", {"colors_out": ["Black", "White"]}),
    ("除了真皮的都行", {"materials_out": ["Leather"]}),
    ("不要红色，要蓝色", {"colors": ["Blue"], "colors_out": ["Red"]}),
    ("再看看别的沙发", {"category": "Sofas"}),
    ("不要那个牌子", {"brands_out_focus": True}),
    ("换个牌子", {"brands_out_focus": True}),
    # ordinals and references
    ("第一个", {"references": _ord(1)}),
    ("第二款", {"references": _ord(2)}),
    ("第2个", {"references": _ord(2)}),
    ("帮我把2号加进购物车", {"references": _ord(2)}),
    ("最后那个", {"references": [{"kind": "last"}]}),
    ("最后一个删了", {"references": [{"kind": "last"}]}),
    ("这个", {"references": FOCUS}),
    ("这款保修多久", {"references": FOCUS}),
    ("把它加进我的购物车好吗", {"references": FOCUS}),
    ("前两个", {"references": _ord(1, 2)}),
    ("第一个和第三个比一下", {"references": _ord(1, 3)}),
    ("它们多少钱", {"references": [{"kind": "all"}]}),
    ("两个都删掉", {"references": [{"kind": "both"}]}),
    ("最便宜的那个", {"references": [{"kind": "cheapest"}]}),
    ("最便宜的两款对比一下", {"references": [{"kind": "cheapest", "index": 1}, {"kind": "cheapest", "index": 2}]}),
    ("三款最贵的", {"references": [{"kind": "priciest", "index": i} for i in (1, 2, 3)]}),
    ("贵的那个好在哪", {"references": [{"kind": "priciest"}]}),
    ("更轻的那个有货吗", {"references": [{"kind": "graded", "value": "更轻"}]}),
    ("安静一点的那款多少钱", {"references": [{"kind": "graded", "value": "更安静"}]}),
    ("把评分高的那个加入购物车", {"references": [{"kind": "graded", "value": "评分最高"}]}),
    ("只看好评多的", {"rating_min": 4.0}),
    ("左边那个多少钱", {}),
    ("第一次买", {}),
    ("下一个", {}),
    ("作废这个订单", {}),
    ("红色那个", {"references": [{"kind": "attribute", "key": "color", "value": "Red"}]}),
    ("Acme那个有蓝牙吗", {"references": [{"kind": "attribute", "key": "brand", "value": "Acme"}]}),
    ("这个纯棉的我要了", {"materials": ["Cotton"], "references": FOCUS}),  # this cotton one (data/nlu_zh/cart.yml)
    ("Acme那个破壁机", {"category": "Blenders", "brands": ["Acme"]}),
    ("那件深蓝的卫衣", {"category": "Hoodies", "colors": ["Blue"], "references": FOCUS}),
    # quantities
    ("两件", {"quantity": 2}),
    ("来三个", {"quantity": 3}),
    ("买2双", {"quantity": 2}),
    ("给我加一件", {"quantity": 1}),
    ("再给我看十个", {"quantity": 10}),
    ("我要这个，数量2", {"quantity": 2, "references": FOCUS}),
    ("只要一件，不要两件", {"quantity": 1, "quantity_fix": True}),
    ("第三个我要两件", {"quantity": 2, "references": _ord(3)}),
    ("两件夹克有哪些尺码", {"category": "Jackets", "references": [{"kind": "both"}]}),  # the two shown (cart.yml)
    # the annotation rules of data/nlu_zh/cart.yml: counts to drop or return, both, no pointer, well rated
    ("少要一个水杯", {"quantity": 1}),
    ("发了两个一样的，退一个", {"quantity": 1}),
    ("能只取消订单里的一件吗", {"quantity": 1}),
    ("订单里只想退一部分", {}),
    ("把两条裙子放一起比比", {"category": "Dresses", "references": [{"kind": "both"}]}),
    ("两个分别多少钱", {"references": [{"kind": "both"}]}),
    ("就是这个", {}),
    ("对，就是它", {}),
    ("就是它了，你太懂我了", {"references": FOCUS}),
    ("不搜这个了", {}),
    ("就这些吗？", {}),
    ("除了这些还有吗", {"references": [{"kind": "all"}]}),
    ("就是这个意思", {}),
    ("哪个最便宜", {}),
    ("架子上那件红色衬衫有什么码", {"category": "T-Shirts", "colors": ["Red"]}),
    ("格子那件放购物车", {}),
    ("能放洗碗机洗的", {}),
    ("有评分很高的大衣吗", {"category": "Outerwear", "rating_min": 4.0}),
    ("有Nordvik的好评鞋子吗", {"category": "Shoes", "brands": ["Nordvik"], "rating_min": 4.0}),
    ("哪个好评最多", {}),
    ("就它，两件", {"quantity": 2, "references": FOCUS}),
    ("比30便宜的", {"price_max": 30.0}),
    ("比500贵的", {"price_min": 500.0}),
    ("能帮我挑件西装外套吗", {}),
    # order ids next to Han characters
    ("订单A1B2C3到哪了", {"order_id": "A1B2C3"}),
    ("我的订单号是 100234 呢", {"order_id": "ORD-100234"}),
    ("订单ORD-10001到哪了", {"order_id": "ORD-10001"}),
    ("ORD-20418到哪了麻烦看下", {"order_id": "ORD-20418"}),
    ("订单#48214现在到哪了", {"order_id": "ORD-48214"}),
    ("单号1234567891的物流信息", {"order_id": "ORD-1234567891"}),
    ("取消我的订单20240518993", {"order_id": "ORD-20240518993"}),
    # mixed scripts
    ("do you have 跑步鞋 in size 9", {"category": "Running Shoes", "sizes": ["9"]}),
]


@pytest.mark.parametrize(("text", "expected"), CASES, ids=[text for text, _ in CASES])
def test_chinese_slots_on_the_english_catalog(english: SlotExtractor, text: str, expected: dict[str, Any]) -> None:
    assert english.extract(text).model_dump(exclude_defaults=True) == expected


@pytest.mark.parametrize(("chinese_text", "english_text"), [
    ("红色的跑鞋，500元以内", "red running shoes under 500"),
    ("不要Acme的耳机", "headphones, not Acme"),
    ("第二个", "the second one"),
    ("最后一个", "the last one"),
    ("这个", "this one"),
    ("前两个", "the first two"),
    ("便宜点", "cheaper"),
    ("4星以上的办公椅", "office chairs rated 4 stars and up"),
    ("ORD-10001", "ORD-10001"),
])
def test_chinese_and_english_give_the_same_slots(english: SlotExtractor, chinese_text: str, english_text: str) -> None:
    assert english.extract(chinese_text) == english.extract(english_text)


#: Chinese message → exact slots on the Chinese demo catalog (its own, Chinese values).
CASES_ZH_CATALOG: list[tuple[str, dict[str, Any]]] = [
    ("红色的跑鞋500元以内", {"category": "跑步鞋", "colors": ["红色"], "price_max": 500.0}),
    ("红的", {"colors": ["红色"]}),
    ("藏青", {"colors": ["蓝色"]}),
    ("42码", {"sizes": ["42码"]}),
    ("大码", {"sizes": ["L"]}),
    ("纯棉", {"materials": ["纯棉"]}),
    ("不要真皮的", {"materials_out": ["真皮"]}),
    ("启瞳的手机", {"category": "手机", "brands": ["启瞳"]}),
    ("灯", {"category": "灯具"}),
    ("跑步鞋", {"category": "跑步鞋"}),
    ("red running shoes", {"category": "跑步鞋", "colors": ["红色"]}),
    ("a black sofa under 3000", {"category": "沙发", "colors": ["黑色"], "price_max": 3000.0}),
]


@pytest.mark.parametrize(("text", "expected"), CASES_ZH_CATALOG, ids=[text for text, _ in CASES_ZH_CATALOG])
def test_slots_on_the_chinese_catalog(chinese: SlotExtractor, text: str, expected: dict[str, Any]) -> None:
    assert chinese.extract(text).model_dump(exclude_defaults=True) == expected


def test_tables_are_substantial() -> None:
    assert len(CASES) >= 100 and len(CASES_ZH_CATALOG) >= 10


@pytest.mark.parametrize(("text", "value"), [
    ("500", 500), ("两百", 200), ("三千五", 3500), ("一千二", 1200), ("两百五", 250), ("十五", 15), ("四十", 40),
    ("一万二", 12000), ("一千零五", 1005), ("1.5k", 1500), ("2万", 20000), ("3千5", 3500), ("千", 1000),
    ("三四", None), ("abc", None), ("", None),
])
def test_zh_number(text: str, value: float | None) -> None:
    assert zh_number(text) == value


def test_vocabularies_map_chinese_forms_to_each_catalogs_values(english: SlotExtractor, chinese: SlotExtractor) -> None:
    en, zh = english.vocabulary, chinese.vocabulary
    assert en.canonical("color", "红色") == "Red" and zh.canonical("color", "红色") == "红色"
    assert en.canonical("color", "藏青") == "Blue" and zh.canonical("color", "藏青") == "蓝色"
    assert en.canonical("category", "跑鞋") == "Running Shoes" and zh.canonical("category", "跑鞋") == "跑步鞋"
    assert en.canonical("material", "纯棉") == "Cotton" and zh.canonical("material", "纯棉") == "纯棉"
    assert en.canonical("size", "大码") == "L" and zh.canonical("size", "大码") == "L"
    assert zh.canonical("category", "running shoes") == "跑步鞋" and zh.canonical("color", "red") == "红色"
    assert en.best("跑鞋").tier == Tier.BUILTIN_SYNONYM  # type: ignore[union-attr]
    assert zh.best("跑步鞋").tier == Tier.CATALOG  # type: ignore[union-attr]
    assert "手机壳" in en.unsold  # phone cases: not sold, so no "手机" inside it is read
    assert en.lookup("手机壳") == []


def test_chinese_forms_come_from_the_shipped_data_only() -> None:
    forms = chinese_forms()
    assert ("color", "红色", "red") in forms and ("category", "跑步鞋", "running shoes") in forms
    assert ("material", "纯棉", "cotton") in forms and ("size", "m码", "m") in forms
    assert {kind for kind, _, _ in forms} == {"category", "color", "size", "material"}


def test_chinese_forms_can_be_left_out() -> None:
    products = load_catalog([DATA_DIR / "catalog" / "demo.jsonl"]).products
    plain = CatalogVocabulary.from_products(products, chinese=False)
    assert plain.lookup("红色") == [] and SlotExtractor(plain).extract("红色的").colors == []


def test_english_messages_are_unchanged(english: SlotExtractor) -> None:
    assert english.extract("where is order 10001?").order_id == "ORD-10001"
    assert english.extract("status of #10001").order_id == "ORD-10001"
    assert english.extract("red running shoes under $50").model_dump(exclude_defaults=True) == {
        "category": "Running Shoes", "colors": ["Red"], "price_max": 50.0}


def test_rest_words_keep_chinese_runs_together(english: SlotExtractor) -> None:
    _, rest = english.extract_with_rest("我想买跑步鞋")
    assert rest == ["我想买"]


# Slot F1 on the annotated Chinese examples (developed on train + dev only; see lab/eval/slots_zh.py) ------------------
@pytest.fixture(scope="module")
def splits():  # type: ignore[no-untyped-def]
    return three_way_split(load_nlu(DATA_DIR / "nlu_zh"), dev_fraction=0.1, test_fraction=0.15, seed=13)


def test_slot_recall_on_the_chinese_dev_examples(english: SlotExtractor, splits) -> None:  # type: ignore[no-untyped-def]
    """A regression guard on the part the rules were developed against (dev: recall 0.96; colour, brand, price, order
    id and ordinal F1 1.0 when written). Precision, and so F1, is bounded by the annotation's coverage (see
    lab/eval/slots_zh.py)."""
    report = evaluate_slots(splits.dev.examples, english)
    assert report.overall.recall >= 0.95, report.overall
    for slot in ("color", "brand", "price", "order_id", "ordinal"):
        assert report.per_slot[slot].f1 >= 0.95, (slot, report.per_slot[slot])


#: Issue 19's target on the test part (scored once, after the rules and the annotation were frozen): 0.956 measured
#: (0.853 before the annotation was made consistent and the rules extended on train and dev; docs/nlu.md).
SLOT_F1_TARGET = 0.9


def test_slot_f1_on_the_chinese_test_examples_at_target(english: SlotExtractor, splits) -> None:  # type: ignore[no-untyped-def]
    report = evaluate_slots(splits.test.examples, english)
    assert report.overall.f1 >= SLOT_F1_TARGET, report.per_slot


def _example(line: str) -> NluExample:
    text, entities = parse_example(line)
    return NluExample(text=text, intent="refine", entities=entities)


def test_scorer_reads_gold_values_like_the_english_rules(english: SlotExtractor) -> None:
    right = [
        _example("[500元以内](price:under 500)的[跑鞋](category:running shoes)"),
        _example('不要[Acme]{"entity": "brand", "role": "exclude"}的'),
        _example("[第二个](ordinal:second)有[羊毛](material:wool)的吗"),
        _example("[两百左右](price:around 200)"),
        _example("[¥199](price:199)"),
        _example("[红色](color:red)那个"),
        _example("订单[#48214](order_id:#48214)到哪了"),
    ]
    report = evaluate_slots(right, english)
    assert report.overall.f1 == 1.0 and report.overall.support == 9 and report.unscored == 0
    assert set(report.per_slot) == {"price", "category", "brand", "ordinal", "material", "color", "order_id"}
    wrong = evaluate_slots([_example("[左边那个](reference:the one on the left)多少钱"), _example("[蓝色](color:blue)的"),
                            _example("这些看着不错")], english)
    assert wrong.unscored == 1
    assert wrong.per_slot["color"].f1 == 1.0
    assert wrong.per_slot["reference"].precision == 0.0 and wrong.per_slot["reference"].predicted == 1
    assert wrong.errors == [{"text": "这些看着不错", "source": "", "missing": [], "extra": [("reference", "all")]}]
