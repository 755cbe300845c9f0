"""Entity substitution in intent training: annotated values swapped for others of the same entity, deterministically."""

from __future__ import annotations

import random

from lab.train.augment import EntitySwapper
from dialogue.nlu_data import NluDataset, NluExample, parse_example


def example(line: str, intent: str = "search_product") -> NluExample:
    text, entities = parse_example(line)
    return NluExample(text=text, intent=intent, entities=entities)


DATASET = NluDataset(
    examples=[example("show me [desk lamps](category) in [blue](color) [under $50](price)"), example("[Acme](brand) [sofas](category)"),
              example("hello there", "greet")],
    lookups={"category": ["laptops", "garden hoses", "beauty"], "color": ["red", "green"], "brand": ["Nordvik"]},
)


def test_swaps_only_swappable_entities_for_values_of_the_same_entity() -> None:
    swapper = EntitySwapper(DATASET, rate=1.0, rng=random.Random(0))
    assert set(swapper.pools) == {"category", "color", "brand"}  # price keeps its wording; one-value pools are dropped
    categories = {"laptops", "garden hoses", "beauty", "desk lamps", "sofas"}
    seen = set()
    for _ in range(40):
        text = swapper.text(DATASET.examples[0])
        assert text.startswith("show me ") and text.endswith(" under $50")
        middle = text.removeprefix("show me ").removesuffix(" under $50")
        category, color = middle.rsplit(" in ", 1)
        assert category in categories and color in {"red", "green", "blue"}
        seen.add(category)
    assert len(seen) >= 3
    brand_first = swapper.text(DATASET.examples[1])
    assert brand_first.split()[0] in {"Acme", "Nordvik"}  # a capitalised value stays capitalised
    assert swapper.text(DATASET.examples[2]) == "hello there"


def test_rate_zero_keeps_every_text_and_a_seed_repeats_itself() -> None:
    assert EntitySwapper(DATASET, rate=0.0, rng=random.Random(0)).text(DATASET.examples[0]) == DATASET.examples[0].text
    first = EntitySwapper(DATASET, rate=0.5, rng=random.Random(7))
    second = EntitySwapper(DATASET, rate=0.5, rng=random.Random(7))
    assert [first.text(e) for e in DATASET.examples * 10] == [second.text(e) for e in DATASET.examples * 10]
