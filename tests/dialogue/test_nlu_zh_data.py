"""The Chinese NLU data (data/nlu_zh): loaded with the project's loader and checked against the English data.

The Chinese data must cover every intent of data/nlu with enough examples, use only the English entity names, give
entity values in the English canonical form (colours, materials, sizes, categories, ordinals, prices parseable by
the English price rules), and be merge-safe: no text shared with the English data, no synonym that contradicts an
English one. It is written for ShopAssist, so no example may come from the third-party data in ../shared/data.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest
import yaml

from core.settings import DATA_DIR
from dialogue.nlu_data import NluDataset, load_nlu, nlu_files
from dialogue.slot_rules import PatternRules, SlotOptions
from lab.train.dedup import bitext_texts, find_overlap, simmc_texts
from tests.conftest import shared_data

#: The Chinese data; if it moves (e.g. to data/nlu/zh), change this line: the English data is data/nlu without it.
ZH_DIR = DATA_DIR / "nlu_zh"
EN_DIR = DATA_DIR / "nlu"
MIN_EXAMPLES = 40
CJK = re.compile(r"[\u4e00-\u9fff]")
#: Examples without a Chinese character that Chinese shoppers really type (88 = bye, 3q = thanks, ...).
MAX_NON_CJK_SHARE = 0.02
ORDINALS = {"first", "second", "third", "fourth", "fifth", "last"}
REFERENCES = {"this one", "that one", "it", "them", "these", "those", "both", "the one on the left", "the one on the right",
              "the one in the middle",
              # 前两个 / 三个都 / 贵的那个 (data/nlu_zh/cart.yml): phrases the English rules read (ordinals 1-2, all, priciest)
              "the first two", "the first three", "all three", "the more expensive one"}
SIZE_PATTERN = re.compile(r"^(?:\d{2,3}|\d{2} inch)$")


@pytest.fixture(scope="module")
def zh() -> NluDataset:
    return load_nlu([ZH_DIR])


def _english_files() -> list[Path]:
    """The English NLU files: data/nlu without the Chinese folder, wherever that is moved to."""
    return [p for p in nlu_files(EN_DIR) if not p.resolve().is_relative_to(ZH_DIR.resolve())]


@pytest.fixture(scope="module")
def en() -> NluDataset:
    return load_nlu(_english_files())


def _normalised(text: str) -> str:
    """Lower-case text without punctuation or spaces (Chinese has no word spaces), for near-duplicate checks."""
    return re.sub(r"[\W_]+", "", text.lower())


def _catalog_leaves() -> list[str]:
    spec = yaml.safe_load((DATA_DIR / "catalog" / "categories.yml").read_text(encoding="utf-8"))
    return [leaf["path"][-1] for leaf in spec["leaves"]]


def _catalog_brands() -> set[str]:
    spec = yaml.safe_load((DATA_DIR / "catalog" / "categories.yml").read_text(encoding="utf-8"))
    return {brand.lower() for leaf in spec["leaves"] for brand in leaf.get("brands", [])}


def _values(dataset: NluDataset, entity: str, canonical: NluDataset) -> Counter[str]:
    return Counter(canonical.canonical(e.value) for x in dataset.examples for e in x.entities if e.entity == entity)


# Coverage ----------------------------------------------------------------------------------------
def test_each_chinese_file_has_an_english_counterpart() -> None:
    english = {p.name for p in _english_files()}
    chinese = {re.sub(r"^more\d*_", "", p.name) for p in nlu_files(ZH_DIR)}  # more_cart.yml, more2_cart.yml: more cart examples
    assert chinese <= english, f"Chinese NLU files without an English file of the same name: {sorted(chinese - english)}"
    assert {"cart.yml", "customer_service.yml", "out_of_scope.yml", "products.yml", "session.yml", "shopping.yml", "social.yml",
            "lookups.yml", "synonyms.yml"} <= chinese


def test_every_english_intent_has_enough_chinese_examples(zh: NluDataset, en: NluDataset) -> None:
    counts = Counter(example.intent for example in zh.examples)
    missing = set(en.intents()) - set(counts)
    assert not missing, f"English intents without Chinese examples: {sorted(missing)}"
    unknown = set(counts) - set(en.intents())
    assert not unknown, f"Chinese intents the English data does not have: {sorted(unknown)}"
    too_few = {intent: n for intent, n in counts.items() if n < MIN_EXAMPLES}
    assert not too_few, f"intents with fewer than {MIN_EXAMPLES} Chinese examples: {too_few}"


def test_examples_are_chinese(zh: NluDataset) -> None:
    other = [example.text for example in zh.examples if not CJK.search(example.text)]
    assert len(other) <= MAX_NON_CJK_SHARE * len(zh.examples), f"too many examples without Chinese: {other}"


# Duplicates and provenance -----------------------------------------------------------------------
def test_no_example_is_duplicated(zh: NluDataset) -> None:
    repeated = [text for text, n in Counter(_normalised(e.text) for e in zh.examples).items() if n > 1]
    assert not repeated, f"examples repeated (ignoring case, spaces and punctuation): {repeated}"


def test_no_text_is_shared_with_the_english_data(zh: NluDataset, en: NluDataset) -> None:
    """The lead will merge both languages into one dataset; its duplicate and clash checks must keep passing."""
    english = {_normalised(e.text) for e in en.examples}
    shared = [e.text for e in zh.examples if _normalised(e.text) in english]
    assert not shared, f"Chinese examples that are also English examples: {shared}"


def test_no_example_is_copied_from_the_shared_data(zh: NluDataset) -> None:
    """No exact or near copy (lab/train/dedup.py, the check training applies) of a Bitext instruction or a SIMMC 2.1
    user turn (every SIMMC file, not only dev), and, since that check only sees Latin letters and numbers, no
    example equal to one of them once case, spaces and punctuation are dropped."""
    references = bitext_texts(shared_data("bitext-customer-support", "Bitext_Sample_Customer_Support_Training_Dataset.csv"))
    for path in sorted(shared_data("simmc2").glob("*.json")):
        references += simmc_texts(path)
    near = find_overlap(zh, references)
    assert not near, f"examples that copy ../shared/data: {[(o.text, o.match, o.match_source) for o in near]}"
    texts = {_normalised(r.text) for r in references} - {""}
    copied = [e.text for e in zh.examples if _normalised(e.text) in texts]
    assert not copied, f"examples found in ../shared/data: {copied}"


# Entities ----------------------------------------------------------------------------------------
def test_entity_names_are_the_english_ones(zh: NluDataset, en: NluDataset) -> None:
    unknown = sorted(set(zh.entity_types()) - set(en.entity_types()))
    assert not unknown, f"entity names the English data does not use: {unknown}"
    roles = {e.role for x in zh.examples for e in x.entities} - {None}
    assert roles <= {e.role for x in en.examples for e in x.entities} - {None}


def test_entity_values_use_the_english_canonical_forms(zh: NluDataset, en: NluDataset) -> None:
    merged = en.merge(zh)
    english_canonical = {name: {merged.canonical(v) for v in en.lookups.get(name, [])} for name in ("color", "material", "size")}
    wrong: dict[str, list[str]] = {}
    for name in ("color", "material"):
        wrong[name] = sorted(set(_values(zh, name, merged)) - english_canonical[name])
    wrong["size"] = sorted(v for v in _values(zh, "size", merged) if v not in english_canonical["size"] and not SIZE_PATTERN.match(v))
    categories = ({merged.canonical(v) for v in en.lookups.get("category", [])}
                  | {merged.canonical(v) for v in _values(en, "category", merged)}
                  | {merged.canonical(leaf.lower()) for leaf in _catalog_leaves()})
    wrong["category"] = sorted(set(_values(zh, "category", merged)) - categories)
    wrong["brand"] = sorted(v for v in _values(zh, "brand", merged) if v.lower() not in _catalog_brands())
    wrong["ordinal"] = sorted(set(_values(zh, "ordinal", merged)) - ORDINALS)
    wrong["reference"] = sorted(set(_values(zh, "reference", merged)) - REFERENCES)
    wrong["quantity"] = sorted(v for v in _values(zh, "quantity", zh) if not v.isdigit())
    wrong = {name: values for name, values in wrong.items() if values}
    assert not wrong, f"entity values not in the English canonical form: {wrong}"


def test_price_and_rating_values_parse_with_the_english_rules(zh: NluDataset) -> None:
    rules = PatternRules(SlotOptions())
    prices = [e.value for x in zh.examples for e in x.entities if e.entity == "price"]
    assert prices
    bounds = {v: rules.run(v) for v in prices}
    unparsed = [v for v, hits in bounds.items() if not v.isdigit() and hits.price_min is None and hits.price_max is None]
    assert not unparsed, f"price values the English price rules cannot read: {unparsed}"
    ratings = [e.value for x in zh.examples for e in x.entities if e.entity == "rating"]
    assert ratings and all(rules.run(v).rating_min is not None for v in ratings), ratings


def test_the_issue_slot_phrases_are_annotated(zh: NluDataset) -> None:
    """Issue 19's slot examples appear as annotated spans with the expected values."""
    spans = {(e.entity, e.text): e.value for x in zh.examples for e in x.entities}
    expected = {
        ("price", "500元以内"): "under 500", ("price", "不超过300块"): "under 300", ("price", "两百左右"): "around 200",
        ("price", "100到200元"): "between 100 and 200", ("price", "¥199"): "199", ("color", "红色"): "red",
        ("color", "黑"): "black", ("color", "深蓝"): "blue", ("size", "42码"): "42", ("size", "M码"): "M", ("size", "大码"): "L",
        ("material", "纯棉"): "cotton", ("material", "真皮"): "leather", ("ordinal", "第一个"): "first",
        ("ordinal", "第二款"): "second", ("ordinal", "最后那个"): "last", ("reference", "这个"): "this one",
        ("reference", "它"): "it", ("quantity", "两件"): "2", ("quantity", "三个"): "3",
        ("category", "跑步鞋"): "running shoes", ("category", "洗碗机"): "dishwashers", ("order_id", "ORD-10001"): "ORD-10001",
    }
    missing = {key: value for key, value in expected.items() if spans.get(key) != value}
    assert not missing, f"missing or differently valued spans: {missing}"
    excluded = {(e.entity, e.text) for x in zh.examples for e in x.entities if e.role == "exclude"}
    assert {"brand", "color", "material"} <= {entity for entity, _ in excluded}
    negated = [x.text for x in zh.examples if any(e.role == "exclude" for e in x.entities)]
    for cue in ("不要", "除了", "别给我"):
        assert any(cue in text for text in negated), f"no negation example with {cue!r}"


# Lookups and synonyms ----------------------------------------------------------------------------
def test_lookups_map_to_canonical_values(zh: NluDataset, en: NluDataset) -> None:
    for name in ("color", "material", "size", "category"):
        forms = zh.lookups.get(name, [])
        assert forms, f"no Chinese lookup for {name}"
        unmapped = [form for form in forms if form.lower() not in zh.synonyms]
        assert not unmapped, f"{name} forms without a synonym: {unmapped}"
    assert set(zh.regexes) >= {"order_id", "price"}


def test_every_catalog_leaf_category_has_a_chinese_name(zh: NluDataset) -> None:
    named = set(zh.synonyms.values())
    missing = [leaf for leaf in _catalog_leaves() if leaf.lower() not in named]
    assert not missing, f"catalog leaf categories without a Chinese name: {missing}"


def test_synonyms_agree_with_the_english_ones(zh: NluDataset, en: NluDataset) -> None:
    clashes = {key: (value, en.synonyms[key]) for key, value in zh.synonyms.items()
               if key in en.synonyms and en.synonyms[key] != value}
    assert not clashes, f"synonyms that contradict the English data: {clashes}"


def test_the_languages_load_together(en: NluDataset) -> None:
    merged = load_nlu([*_english_files(), ZH_DIR])
    assert set(merged.intents()) == set(en.intents())
    assert len(merged.examples) == len(en.examples) + len(load_nlu([ZH_DIR]).examples)

