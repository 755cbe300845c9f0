"""The Chinese demo catalog (data/catalog/demo_zh.jsonl) and its spec (categories_zh.yml): every English leaf category
has a Chinese one, products read as a Chinese shop writes them, prices are CNY, and it regenerates byte for byte."""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

import pytest
import yaml

from lab.catalog.demo import (
    DEMO_PATH,
    DEMO_ZH_COUNT,
    DEMO_ZH_PATH,
    SPEC_PATH,
    SPEC_ZH_PATH,
    generate_products,
    leaf_names,
    load_spec,
    main,
    write_jsonl,
)
from retrieval.models import CORE_ATTRIBUTES, Product, SearchConstraints

CJK = re.compile(r"[\u4e00-\u9fff]")
SCHEMA_KEYS = {*CORE_ATTRIBUTES, "type"}

#: Chinese shopper requests and the constraints that define their matches; each needs several products.
SHOPPER_QUERIES: dict[str, SearchConstraints] = {
    "跑步鞋，500元以内": SearchConstraints(category="跑步鞋", price_max=500),
    "红色跑步鞋": SearchConstraints(category="跑步鞋", attributes_in={"color": ["红色"]}),
    "42码的跑步鞋": SearchConstraints(category="跑步鞋", attributes_in={"size": ["42码"]}),
    "蓝色T恤": SearchConstraints(category="T恤", attributes_in={"color": ["蓝色"]}),
    "纯棉T恤": SearchConstraints(category="T恤", attributes_in={"material": ["纯棉"]}),
    "主动降噪耳机": SearchConstraints(category="头戴式耳机", attributes_in={"主动降噪": ["是"]}),
    "无线键盘": SearchConstraints(category="键盘", attributes_in={"无线": ["是"]}),
    "300元以内的台灯": SearchConstraints(category="台灯", price_max=300),
    "不锈钢锅": SearchConstraints(category="锅具", attributes_in={"material": ["不锈钢"]}),
    "32码牛仔裤": SearchConstraints(category="牛仔裤", attributes_in={"size": ["32码"]}),
    "灰色地毯": SearchConstraints(category="地毯", attributes_in={"color": ["灰色"]}),
    "3000到8000的笔记本电脑": SearchConstraints(category="笔记本电脑", price_min=3000, price_max=8000),
    "实木书桌": SearchConstraints(category="书桌", attributes_in={"material": ["实木"]}),
    "M码卫衣": SearchConstraints(category="卫衣", attributes_in={"size": ["M"]}),
    "黑色连衣裙": SearchConstraints(category="连衣裙", attributes_in={"color": ["黑色"]}),
}


def _read(path: Path) -> list[Product]:
    return [Product.model_validate_json(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.fixture(scope="module")
def demo_zh() -> list[Product]:
    return _read(DEMO_ZH_PATH)


@pytest.fixture(scope="module")
def by_leaf(demo_zh: list[Product]) -> dict[str, list[Product]]:
    groups: dict[str, list[Product]] = defaultdict(list)
    for product in demo_zh:
        groups[product.leaf_category].append(product)
    return groups


@pytest.fixture(scope="module")
def spec_zh() -> dict:
    return yaml.safe_load(SPEC_ZH_PATH.read_text(encoding="utf-8"))


def test_catalog_is_large_valid_and_unique(demo_zh: list[Product]) -> None:
    assert len(demo_zh) == DEMO_ZH_COUNT >= 600
    assert len({p.id for p in demo_zh}) == len({p.title for p in demo_zh}) == len(demo_zh)
    assert all(re.fullmatch(r"ZH\d{5}", p.id) for p in demo_zh)  # never collides with the English P00001…


def test_every_english_leaf_has_a_chinese_one(by_leaf: dict[str, list[Product]]) -> None:
    english = {c.path for c in load_spec(SPEC_PATH).categories}
    chinese = load_spec(SPEC_ZH_PATH).categories
    assert {c.en for c in chinese} == english and len(chinese) == len(english)
    mapping = leaf_names()
    assert len(set(mapping.values())) == len(mapping) == len(english)
    assert mapping["Running Shoes"] == "跑步鞋" and mapping["T-Shirts"] == "T恤" and mapping["Headphones"] == "头戴式耳机"
    english_leaves = {p.leaf_category for p in _read(DEMO_PATH)}
    assert set(mapping) == english_leaves
    for leaf in english_leaves:
        assert len(by_leaf[mapping[leaf]]) >= 5, leaf
    for category in chinese:
        assert all(CJK.search(level) for level in category.path), category.path


def test_prices_are_cny_shelf_prices(demo_zh: list[Product], by_leaf: dict[str, list[Product]]) -> None:
    assert {p.currency for p in demo_zh} == {"CNY"}
    for product in demo_zh:
        assert product.price > 0 and round(product.price, 1) == product.price
        assert re.search(r"9(\.0|\.9)?$", f"{product.price:.1f}"), product.price  # 9.9, 39, 199, 1299
        for variant in product.variants:
            assert variant.price is None or variant.price > 0
    for leaf, products in by_leaf.items():
        prices = [p.price for p in products]
        assert max(prices) >= 2 * min(prices), leaf
    assert max(p.price for p in by_leaf["T恤"]) <= 300
    assert min(p.price for p in by_leaf["电视"]) >= 999 and max(p.price for p in by_leaf["电视"]) <= 19999
    assert 1999 <= min(p.price for p in by_leaf["洗碗机"])


def test_written_as_a_chinese_shop_writes(demo_zh: list[Product], spec_zh: dict) -> None:
    vocabulary = spec_zh["vocabulary"]
    keys = {k.lower() for k in vocabulary["keys"]}
    for product in demo_zh:
        assert CJK.search(product.title) and CJK.search(product.description) and CJK.search(product.brand or ""), product.id
        assert product.title.startswith(f"{product.brand} ")
        assert 2 <= product.description.count("。") <= 4 and product.description.endswith("。"), product.id
        assert product.brand in product.description
        for key, values in product.attributes.items():
            assert key in SCHEMA_KEYS or key in keys, key
            assert not any(re.search(r"[a-z]{3,}", v) for v in values if v != "oversize"), (key, values)  # no English words
        assert all(c in vocabulary["colors"] for c in product.values("color")), product.values("color")
        assert all(m in vocabulary["materials"] for m in product.values("material")), product.values("material")
    english = load_spec(SPEC_PATH)
    english_colors = {c for cat in english.categories for p in cat.profiles for c in p.colors}
    english_materials = {m for cat in english.categories for p in cat.profiles for m in p.materials}
    assert set(vocabulary["colors"].values()) <= english_colors
    assert set(vocabulary["materials"].values()) <= english_materials


def test_yes_no_facts_read_shi_fou_and_descriptions_agree(demo_zh: list[Product], spec_zh: dict) -> None:
    flag_texts = {(leaf["path"][-1], name): flag for leaf in spec_zh["leaves"] for name, flag in (leaf.get("flags") or {}).items()}
    checked = 0
    for product in demo_zh:
        for (leaf, name), flag in flag_texts.items():
            if leaf != product.leaf_category or not product.values(name):
                continue
            value = product.values(name)[0]
            assert value in {"是", "否"}
            if value == "否" and flag.get("text"):
                assert flag["text"] not in product.description, (product.id, name)
            if value == "否" and flag.get("title"):
                assert not product.title.split(" ", 2)[-1].startswith(flag["title"]), (product.id, name)
            checked += 1
        if product.leaf_category == "洗碗机":
            assert product.values("噪音")[0] in product.description
        if product.variants:
            assert all(color in product.description for color in product.values("color")), product.id
    assert checked > 500


def test_clothing_and_shoes_have_size_colour_variants(demo_zh: list[Product]) -> None:
    apparel = [p for p in demo_zh if p.category[0] in {"服装", "鞋靴"}]
    assert apparel and all(p.variants for p in apparel)
    skus = [v.sku for p in apparel for v in p.variants]
    assert len(skus) == len(set(skus)) and all(s.isascii() for s in skus)
    for product in apparel:
        assert product.stock == sum(v.stock for v in product.variants)
        assert all({"size", "color"} <= set(v.attributes) for v in product.variants)
    shoes = [p for p in apparel if p.category[0] == "鞋靴"]
    assert {s for p in shoes for s in p.values("size")} <= {f"{n}码" for n in range(35, 47)}
    for product in shoes:
        sizes = [int(s[:-1]) for s in product.values("size")]
        if product.has_value("性别", "女款"):
            assert max(sizes) <= 41, product.id
        if product.has_value("性别", "男款"):
            assert min(sizes) >= 38, product.id
    assert {s for p in apparel if p.category[-1] == "T恤" for s in p.values("size")} <= {"S", "M", "L", "XL", "XXL", "XXXL"}


@pytest.mark.parametrize("query", sorted(SHOPPER_QUERIES))
def test_common_chinese_queries_have_matches(demo_zh: list[Product], query: str) -> None:
    assert sum(SHOPPER_QUERIES[query].matches(p) for p in demo_zh) >= 3, query


def test_regenerating_gives_the_same_file(tmp_path: Path) -> None:
    out = tmp_path / "demo_zh.jsonl"
    main(["--lang", "zh", "--out", str(out)])
    assert out.read_bytes() == DEMO_ZH_PATH.read_bytes()
    again = tmp_path / "again.jsonl"
    assert write_jsonl(generate_products(DEMO_ZH_COUNT, spec_path=SPEC_ZH_PATH), again) == DEMO_ZH_COUNT
    assert again.read_bytes() == out.read_bytes()
    first = [p.model_dump() for p in generate_products(200, seed=3, spec_path=SPEC_ZH_PATH)]
    assert first == [p.model_dump() for p in generate_products(300, seed=3, spec_path=SPEC_ZH_PATH)][:200]


def test_english_catalog_is_unchanged_byte_for_byte(tmp_path: Path) -> None:
    out = tmp_path / "demo.jsonl"
    main(["--out", str(out)])
    assert out.read_bytes() == DEMO_PATH.read_bytes()


def test_chinese_orders_are_refused(tmp_path: Path) -> None:
    with pytest.raises(SystemExit):
        main(["--lang", "zh", "--out", str(tmp_path / "c.jsonl"), "--orders", str(tmp_path / "o.jsonl")])
