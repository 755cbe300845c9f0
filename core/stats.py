"""Percentiles and latency summaries: one definition for every benchmark, so a p95 means the same figure everywhere.

Percentiles interpolate linearly between the two nearest ranks (numpy's default method), so they are stable for
small samples and agree with ``numpy.percentile``; ``percentile(values, 50)`` equals ``statistics.median``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class LatencySummary:
    """Milliseconds (or whatever unit the values had) over ``n`` timed calls.

    A plain dataclass, not a pydantic model: this module is imported by ``assistant.generators.hf_generate``, which
    runs in the vLLM venv with only torch and transformers.
    """

    p50: float
    p95: float
    mean: float
    n: int


def percentile(values: Iterable[float], q: float) -> float:
    """The ``q``-th percentile (0–100) of ``values`` by linear interpolation between closest ranks."""
    ordered = sorted(float(v) for v in values)
    if not ordered:
        raise ValueError("percentile of no values")
    if not 0 <= q <= 100:
        raise ValueError(f"percentile q must be within 0..100, got {q}")
    position = (len(ordered) - 1) * q / 100
    lower = math.floor(position)
    upper = min(lower + 1, len(ordered) - 1)
    return ordered[lower] + (ordered[upper] - ordered[lower]) * (position - lower)


def latency_summary(values: Iterable[float], digits: int | None = 2) -> LatencySummary:
    """p50, p95 and mean of ``values`` (rounded to ``digits``; ``None`` keeps full precision)."""
    data = [float(v) for v in values]
    if not data:
        raise ValueError("latency summary of no values")

    def rounded(value: float) -> float:
        return value if digits is None else round(value, digits)

    return LatencySummary(p50=rounded(percentile(data, 50)), p95=rounded(percentile(data, 95)),
                          mean=rounded(math.fsum(data) / len(data)), n=len(data))
