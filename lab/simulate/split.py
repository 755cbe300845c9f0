"""Which simulated shoppers may tune the re-ranker and which may only measure it.

Two things keep tuning and reporting apart:

* **seeds** — the re-ranker's weights are tuned (``shopassist train reranker``) only with shoppers drawn from
  :data:`TUNING_SEEDS`; the reported run (``shopassist bench feedback``) refuses those seeds;
* **targets** — a product is a possible *tuning* target or a possible *held-out* target, by a hash of its id
  (:func:`target_split`, about one in four for tuning), so a held-out shopper never looks for a product that a tuning
  shopper looked for, whatever the counts.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from typing import Literal

Split = Literal["tuning", "held_out"]

#: The seeds the re-ranker's weights were (and may be) tuned on: 5, 17 and 23 tuned the weights shipped until
#: issue 18 and tune them now. ``bench feedback`` refuses them.
TUNING_SEEDS: tuple[int, ...] = (5, 17, 23)
#: The seeds ``bench feedback`` reports by default (never used for tuning).
HELD_OUT_SEEDS: tuple[int, ...] = (101, 202, 303)
#: One product in ``TUNING_TARGET_MODULO`` is a tuning target; the rest are held-out targets.
TUNING_TARGET_MODULO = 4


class SeedError(ValueError):
    """A seed used for the wrong purpose (a tuning seed in a reported run, or the other way round)."""


def split_of_seed(seed: int) -> Split:
    return "tuning" if seed in TUNING_SEEDS else "held_out"


def target_split(product_id: str) -> Split:
    """``tuning`` for about one product id in :data:`TUNING_TARGET_MODULO`, else ``held_out`` (stable across runs)."""
    digest = int(hashlib.sha1(product_id.encode()).hexdigest(), 16)
    return "tuning" if digest % TUNING_TARGET_MODULO == 0 else "held_out"


def require_held_out(seeds: Iterable[int]) -> list[int]:
    """``seeds`` as a list, or :class:`SeedError` naming any tuning seed among them."""
    seeds = list(seeds)
    if not seeds:
        raise SeedError("no seeds: give at least one held-out seed")
    tuning = sorted({s for s in seeds if s in TUNING_SEEDS})
    if tuning:
        raise SeedError(f"seed(s) {', '.join(map(str, tuning))} tuned the re-ranker (TUNING_SEEDS = {list(TUNING_SEEDS)}): "
                        "a reported run must use other seeds (default: {})".format(", ".join(map(str, HELD_OUT_SEEDS))))
    return seeds


def require_tuning(seeds: Iterable[int]) -> list[int]:
    """``seeds`` as a list, or :class:`SeedError` naming any seed that is not a tuning seed."""
    seeds = list(seeds)
    other = sorted({s for s in seeds if s not in TUNING_SEEDS})
    if not seeds or other:
        raise SeedError(f"tuning may only use TUNING_SEEDS = {list(TUNING_SEEDS)}; got {seeds}")
    return seeds
