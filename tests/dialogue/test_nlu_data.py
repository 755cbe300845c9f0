"""The shipped Rasa NLU data and its loader."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from core.settings import DATA_DIR
from dialogue.nlu_data import (
    NluDataset,
    NluExample,
    NluFormatError,
    load_nlu,
    parse_example,
    stratified_split,
    three_way_split,
)

NLU_DIR = DATA_DIR / "nlu"
REQUIRED_INTENTS = {
    "greet", "goodbye", "thanks", "search_product", "refine", "show_more", "ask_product_question", "compare",
    "feedback_positive", "feedback_negative", "add_to_cart", "remove_from_cart", "view_cart", "checkout",
    "order_status", "cancel_order", "return_item", "return_policy", "shipping_info", "human_handoff", "reset",
    "chitchat", "out_of_scope", "forget_preferences", "affirm", "deny",
}
ENTITY_TYPES = {"color", "price", "brand", "category", "material", "size", "rating", "quantity", "ordinal", "reference", "order_id"}


@pytest.fixture(scope="module")
def shipped() -> NluDataset:
    return load_nlu([NLU_DIR])


def _normalised(text: str) -> str:
    return " ".join(re.sub(r"[^\w\s$#%]", "", text.lower()).split())


def write(tmp_path: Path, name: str, body: str) -> Path:
    path = tmp_path / name
    path.write_text(body, encoding="utf-8")
    return path


# The shipped data ------------------------------------------------------------------------------
def test_shipped_data_has_every_intent_with_enough_examples(shipped: NluDataset) -> None:
    counts = Counter(example.intent for example in shipped.examples)
    assert REQUIRED_INTENTS <= set(counts)
    too_few = {intent: n for intent, n in counts.items() if n < 60}
    assert not too_few, f"intents with fewer than 60 examples: {too_few}"
    assert counts["out_of_scope"] >= 100


def test_shipped_data_has_no_text_under_two_intents(shipped: NluDataset) -> None:
    intents_of: dict[str, set[str]] = {}
    for example in shipped.examples:
        intents_of.setdefault(_normalised(example.text), set()).add(example.intent)
    clashes = {text: intents for text, intents in intents_of.items() if len(intents) > 1}
    assert not clashes, f"texts labelled with more than one intent: {clashes}"


def test_shipped_data_has_no_exact_duplicates(shipped: NluDataset) -> None:
    repeated = [text for text, n in Counter(e.text.lower() for e in shipped.examples).items() if n > 1]
    assert not repeated


def test_shipped_entities_point_at_their_text(shipped: NluDataset) -> None:
    for example in shipped.examples:
        for entity in example.entities:
            assert example.text[entity.start : entity.end] == entity.text, example.source
            assert "[" not in example.text and "](" not in example.text, example.source
    assert ENTITY_TYPES <= set(shipped.entity_types())


def test_shipped_examples_know_their_file_and_line(shipped: NluDataset) -> None:
    for example in shipped.examples:
        file, line = example.source.rsplit(":", 1)
        source_line = Path(file).read_text(encoding="utf-8").splitlines()[int(line) - 1]
        assert source_line.strip().startswith("- ")
        assert parse_example(source_line.strip()[2:])[0] == example.text


def test_shipped_synonyms_lookups_and_regexes(shipped: NluDataset) -> None:
    assert shipped.synonyms["grey"] == "gray"
    assert shipped.synonyms["trainers"] == "sneakers"
    assert shipped.synonyms["couch"] == "sofa"
    assert shipped.synonyms["television"] == "tv"
    assert shipped.canonical("Navy") == "blue"
    assert shipped.canonical("teal") == "teal"
    assert all(key == key.lower() and value == value.lower() for key, value in shipped.synonyms.items())
    assert {"color", "material", "size"} <= set(shipped.lookups)
    assert "leather" in shipped.lookups["material"]
    assert any(re.fullmatch(pattern, "ORD-10001") for pattern in shipped.regexes["order_id"])


def test_shipped_order_ids_match_the_regex(shipped: NluDataset) -> None:
    ids = [e.text for example in shipped.examples for e in example.entities if e.entity == "order_id"]
    assert ids
    assert all(any(re.search(p, value) for p in shipped.regexes["order_id"]) or value.isdigit() for value in ids)


# Annotations -----------------------------------------------------------------------------------
def test_parse_plain_text_has_no_entities() -> None:
    assert parse_example("show me more") == ("show me more", [])


def test_parse_short_form() -> None:
    text, entities = parse_example("[Acme](brand) [running shoes](category) [under $50](price)")
    assert text == "Acme running shoes under $50"
    assert [(e.entity, e.value, e.start, e.end) for e in entities] == [
        ("brand", "Acme", 0, 4), ("category", "running shoes", 5, 18), ("price", "under $50", 19, 28)]


def test_parse_rasa2_value_form() -> None:
    text, [entity] = parse_example("something in [grey](color:gray) please")
    assert text == "something in grey please"
    assert (entity.entity, entity.text, entity.value) == ("color", "grey", "gray")
    assert text[entity.start : entity.end] == "grey"


def test_parse_json_form_with_role_and_group() -> None:
    text, [entity] = parse_example('anything but [Glowix]{"entity": "brand", "value": "glowix", "role": "exclude", "group": 1}')
    assert text == "anything but Glowix"
    assert (entity.entity, entity.value, entity.role, entity.group) == ("brand", "glowix", "exclude", "1")
    assert text[entity.start : entity.end] == "Glowix"


def test_parse_json_list_form() -> None:
    text, entities = parse_example('ship to [Paris][{"entity": "city"}, {"entity": "destination", "value": "FR"}]')
    assert text == "ship to Paris"
    assert [(e.entity, e.value) for e in entities] == [("city", "Paris"), ("destination", "FR")]


@pytest.mark.parametrize("bad", ["[blue](color", "[blue]() one", "[blue(color) one", '[blue]{"value": "x"}', "[blue]{not json}"])
def test_parse_rejects_malformed_annotations(bad: str) -> None:
    with pytest.raises(NluFormatError):
        parse_example(bad)


# Files -----------------------------------------------------------------------------------------
def test_load_file_with_other_sections_and_synonyms(tmp_path: Path) -> None:
    path = write(tmp_path, "mixed.yml", """\
version: "3.1"
responses:
  utter_greet:
  - text: hi!
nlu:
- intent: refine
  examples: |
    - in [navy]{"entity": "color", "value": "blue"}
    - [cheaper](price)

    - in [grey](color:gray)
- synonym: sofa
  examples: |
    - Couch
- lookup: color
  examples: |
    - red
- regex: order_id
  examples: |
    - ORD-\\d{5}
- intent: greet
  examples:
  - text: hello
  - hi
stories:
- story: s
  steps:
  - intent: greet
""")
    data = load_nlu([path])
    assert [(e.intent, e.text) for e in data.examples] == [
        ("refine", "in navy"), ("refine", "cheaper"), ("refine", "in grey"), ("greet", "hello"), ("greet", "hi")]
    assert [e.source for e in data.examples[:3]] == [f"{path}:8", f"{path}:9", f"{path}:11"]
    assert data.examples[3].source == f"{path}:23"
    assert data.synonyms == {"couch": "sofa", "navy": "blue", "grey": "gray"}
    assert data.lookups == {"color": ["red"]}
    assert data.regexes == {"order_id": [r"ORD-\d{5}"]}


def test_load_folder_recursively_and_skip_non_nlu_files(tmp_path: Path) -> None:
    write(tmp_path, "a.yml", "nlu:\n- intent: greet\n  examples: |\n    - hi\n")
    (tmp_path / "sub").mkdir()
    write(tmp_path / "sub", "b.yaml", "nlu:\n- intent: goodbye\n  examples: |\n    - bye\n")
    write(tmp_path, "domain.yml", "responses:\n  utter_x:\n  - text: x\n")
    write(tmp_path, "notes.txt", "not yaml: [")
    data = load_nlu([tmp_path])
    assert data.intents() == ["goodbye", "greet"]
    assert list(data.by_intent()) == ["goodbye", "greet"]


def test_missing_path_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="nope"):
        load_nlu([tmp_path / "nope"])


@pytest.mark.parametrize(
    ("body", "line", "reason"),
    [
        ("nlu:\n- intent: greet\n  examples: |\n    - hi\n    - [hey](greeting\n", 5, "malformed entity annotation"),
        ("nlu:\n- intent: greet\n  examples: |\n    - hi\n    hello\n", 5, "must start with '- '"),
        ("nlu:\n- intent: greet\n  examples: |\n    - hi\n- examples: |\n    - bye\n", 5, "exactly one of"),
        ("nlu:\n- intent: greet\n  examples: |\n    - hi\n- intent: bye\n", 5, "no 'examples'"),
        ("nlu:\n- intent: greet\n  examples: |\n    - hi\n  : : [\n", 5, "invalid YAML"),
        ("nlu:\n  intent: greet\n", 2, "must be a list"),
        ("nlu:\n- regex: id\n  examples: |\n    - ORD-(\\d\n", 4, "invalid regex"),
    ],
)
def test_malformed_file_names_file_and_line(tmp_path: Path, body: str, line: int, reason: str) -> None:
    path = write(tmp_path, "bad.yml", body)
    with pytest.raises(NluFormatError) as caught:
        load_nlu([path])
    assert caught.value.path == str(path)
    assert caught.value.line == line
    assert reason in str(caught.value)
    assert str(caught.value).startswith(f"{path}:{line}: ")


# Merge and split -------------------------------------------------------------------------------
def test_merge_combines_everything(tmp_path: Path) -> None:
    one = load_nlu([write(tmp_path, "1.yml", "nlu:\n- intent: a\n  examples: |\n    - x\n- lookup: c\n  examples: |\n    - red\n")])
    two = load_nlu([write(tmp_path, "2.yml", "nlu:\n- intent: b\n  examples: |\n    - y\n- lookup: c\n  examples: |\n    - red\n    - blue\n")])
    merged = one.merge(two)
    assert [e.text for e in merged.examples] == ["x", "y"]
    assert merged.lookups == {"c": ["red", "blue"]}


def test_split_is_stratified_and_deterministic(shipped: NluDataset) -> None:
    train, test = stratified_split(shipped, test_fraction=0.2, seed=7)
    again_train, again_test = stratified_split(shipped, test_fraction=0.2, seed=7)
    assert [e.source for e in test.examples] == [e.source for e in again_test.examples]
    assert [e.source for e in train.examples] == [e.source for e in again_train.examples]
    assert len(train.examples) + len(test.examples) == len(shipped.examples)
    assert not {e.source for e in train.examples} & {e.source for e in test.examples}
    totals = Counter(e.intent for e in shipped.examples)
    held = Counter(e.intent for e in test.examples)
    for intent, total in totals.items():
        assert abs(held[intent] - round(total * 0.2)) <= 1, intent
    assert train.synonyms == shipped.synonyms and test.lookups == shipped.lookups
    _, other_test = stratified_split(shipped, test_fraction=0.2, seed=8)
    assert [e.source for e in other_test.examples] != [e.source for e in test.examples]


def test_split_keeps_one_example_each_side_for_small_intents() -> None:
    from dialogue.nlu_data import NluExample

    data = NluDataset(examples=[NluExample(text=f"t{i}", intent="a" if i < 2 else "b") for i in range(12)])
    train, test = stratified_split(data, test_fraction=0.1, seed=0)
    assert Counter(e.intent for e in test.examples) == {"a": 1, "b": 1}
    assert Counter(e.intent for e in train.examples) == {"a": 1, "b": 9}
    with pytest.raises(ValueError):
        stratified_split(data, test_fraction=1.0)


def test_three_way_split_is_stratified_disjoint_and_deterministic(shipped: NluDataset) -> None:
    splits = three_way_split(shipped, dev_fraction=0.1, test_fraction=0.15, seed=13)
    again = three_way_split(shipped, dev_fraction=0.1, test_fraction=0.15, seed=13)
    parts = {name: [e.source for e in getattr(splits, name).examples] for name in ("train", "dev", "test")}
    assert parts == {name: [e.source for e in getattr(again, name).examples] for name in ("train", "dev", "test")}
    assert sum(len(p) for p in parts.values()) == len(shipped.examples)
    assert len({s for p in parts.values() for s in p}) == len(shipped.examples), "a part shares an example"
    totals = Counter(e.intent for e in shipped.examples)
    for name, share in (("dev", 0.1), ("test", 0.15)):
        counts = Counter(e.intent for e in getattr(splits, name).examples)
        for intent, total in totals.items():
            assert abs(counts[intent] - round(total * share)) <= 1, (name, intent)
    assert splits.dev.synonyms == shipped.synonyms and splits.test.lookups == shipped.lookups
    other = three_way_split(shipped, dev_fraction=0.1, test_fraction=0.15, seed=14)
    assert [e.source for e in other.test.examples] != parts["test"]


def test_three_way_split_moves_few_examples_when_data_is_added() -> None:
    base = [NluExample(text=f"utterance number {i}", intent="a" if i % 2 else "b") for i in range(200)]
    more = [*base, *(NluExample(text=f"a new utterance {i}", intent="a") for i in range(5))]
    before = three_way_split(NluDataset(examples=base), 0.1, 0.15, seed=1)
    after = three_way_split(NluDataset(examples=more), 0.1, 0.15, seed=1)
    was_test, now_test = {e.text for e in before.test.examples}, {e.text for e in after.test.examples}
    was_train, now_train = {e.text for e in before.train.examples}, {e.text for e in after.train.examples}
    assert len(was_test - now_test) <= 5 and len(was_train - now_train) <= 5, "adding examples re-drew the split"
    assert not was_test & now_train, "a test example went straight into train"


def test_three_way_split_keeps_every_part_for_small_intents() -> None:
    data = NluDataset(examples=[NluExample(text=f"t{i}", intent="a" if i < 3 else "b") for i in range(23)])
    splits = three_way_split(data, dev_fraction=0.1, test_fraction=0.15, seed=0)
    for part in (splits.train, splits.dev, splits.test):
        assert Counter(e.intent for e in part.examples)["a"] == 1
    with pytest.raises(ValueError):
        three_way_split(data, dev_fraction=0.5, test_fraction=0.5)
