"""One percentile for every benchmark: linear interpolation, as numpy's default."""

from __future__ import annotations

import random
import statistics

import numpy as np
import pytest

from core.stats import latency_summary, percentile


def test_percentile_matches_numpy_and_the_median() -> None:
    rng = random.Random(3)
    for size in (1, 2, 3, 10, 101):
        values = [rng.uniform(0, 50) for _ in range(size)]
        for q in (0, 5, 50, 90, 95, 99, 100):
            assert percentile(values, q) == pytest.approx(float(np.percentile(values, q)))
        assert percentile(values, 50) == pytest.approx(statistics.median(values))


def test_latency_summary_rounds_and_counts() -> None:
    summary = latency_summary([4.0, 1.0, 3.0, 2.0])
    assert (summary.p50, summary.p95, summary.mean, summary.n) == (2.5, 3.85, 2.5, 4)
    assert latency_summary([1 / 3], digits=None).p50 == 1 / 3


def test_no_values_is_an_error() -> None:
    with pytest.raises(ValueError):
        percentile([], 50)
    with pytest.raises(ValueError):
        percentile([1.0], 101)
    with pytest.raises(ValueError):
        latency_summary([])
