"""Entity substitution for intent training: annotated values swapped for other values of the same entity.

"show me [desk lamps](category)" teaches the classifier about desk lamps; with substitution it sees, epoch after
epoch, "show me laptops", "show me garden hoses", "show me beauty", and learns that the request's *shape* decides the
intent, not the product named. The pools are the dataset's lookup tables plus every annotated value of the
training examples. Substitution replaces text only (same number of examples), so an epoch costs the same.
"""

from __future__ import annotations

import random
from collections.abc import Iterable

from dialogue.nlu_data import NluDataset, NluExample

#: Entities whose value does not change what the shopper wants to do (prices, ratings and ids keep their wording).
SWAPPABLE = ("category", "brand", "color", "material", "size")


class EntitySwapper:
    """Per-example, per-epoch substitution of annotated :data:`SWAPPABLE` entities (deterministic under ``rng``)."""

    def __init__(self, dataset: NluDataset, rate: float, rng: random.Random, entities: Iterable[str] = SWAPPABLE) -> None:
        self.rate = rate
        self.rng = rng
        pools: dict[str, list[str]] = {}
        for name in entities:
            values = [*dataset.lookups.get(name, []), *(e.text for x in dataset.examples for e in x.entities if e.entity == name)]
            unique = sorted({v.strip() for v in values if v.strip()}, key=str.lower)
            if len(unique) > 1:
                pools[name] = unique
        self.pools = pools

    def text(self, example: NluExample) -> str:
        """The example's text, with its swappable entities replaced (at ``rate``, all or none)."""
        spans = [e for e in example.entities if e.entity in self.pools]
        if not spans or self.rate <= 0 or self.rng.random() >= self.rate:
            return example.text
        text = example.text
        for entity in sorted(spans, key=lambda e: e.start, reverse=True):
            value = self.rng.choice(self.pools[entity.entity])
            if entity.text[:1].isupper():
                value = value[:1].upper() + value[1:]
            text = text[: entity.start] + value + text[entity.end :]
        return text
