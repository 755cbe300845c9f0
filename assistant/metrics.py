"""Process-wide counters and histograms, rendered as Prometheus text (exposition format 0.0.4) without dependencies.

    from assistant.metrics import METRICS
    METRICS.counter("shopassist_llm_fallbacks_total", "Replies that fell back to the template.").inc(reason="timeout")
    METRICS.histogram("shopassist_llm_first_token_seconds", "...").observe(0.12)
    METRICS.render()  # the body of a /metrics response
"""

from __future__ import annotations

import math
import threading
from bisect import bisect_left
from collections.abc import Callable, Iterable

LabelKey = tuple[tuple[str, str], ...]

#: Default histogram buckets, in seconds (latencies from 5 ms to 30 s).
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0, 30.0)


def _key(labels: dict[str, str]) -> LabelKey:
    return tuple(sorted((k, str(v)) for k, v in labels.items()))


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def _labels(key: LabelKey, extra: tuple[tuple[str, str], ...] = ()) -> str:
    pairs = (*key, *extra)
    return "{" + ",".join(f'{k}="{_escape(v)}"' for k, v in pairs) + "}" if pairs else ""


def _number(value: float) -> str:
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    return repr(float(value)) if not float(value).is_integer() else str(int(value))


class Counter:
    """A monotonically increasing count per label set."""

    kind = "counter"

    def __init__(self, name: str, help_text: str) -> None:
        self.name, self.help = name, help_text
        self._values: dict[LabelKey, float] = {}
        self._lock = threading.Lock()

    def inc(self, amount: float = 1.0, **labels: str) -> None:
        if amount < 0:
            raise ValueError("A counter can only go up")
        key = _key(labels)
        with self._lock:
            self._values[key] = self._values.get(key, 0.0) + amount

    def value(self, **labels: str) -> float:
        with self._lock:
            return self._values.get(_key(labels), 0.0)

    def total(self) -> float:
        with self._lock:
            return sum(self._values.values())

    def by_label(self, label: str) -> dict[str, float]:
        """Counts summed per value of one label (e.g. ``reason``), for reports."""
        with self._lock:
            items = list(self._values.items())
        totals: dict[str, float] = {}
        for key, value in items:
            name = dict(key).get(label, "")
            totals[name] = totals.get(name, 0.0) + value
        return totals

    def samples(self) -> Iterable[str]:
        with self._lock:
            items = sorted(self._values.items())
        for key, value in items:
            yield f"{self.name}{_labels(key)} {_number(value)}"


class Histogram:
    """Observations counted into cumulative buckets, with their sum and count, per label set."""

    kind = "histogram"

    def __init__(self, name: str, help_text: str, buckets: Iterable[float] = LATENCY_BUCKETS) -> None:
        self.name, self.help = name, help_text
        self.buckets = tuple(sorted(buckets))
        self._series: dict[LabelKey, tuple[list[int], list[float]]] = {}  # bucket counts (+Inf last), [sum, count]
        self._lock = threading.Lock()

    def observe(self, value: float, **labels: str) -> None:
        key = _key(labels)
        with self._lock:
            counts, totals = self._series.setdefault(key, ([0] * (len(self.buckets) + 1), [0.0, 0.0]))
            counts[bisect_left(self.buckets, value)] += 1
            totals[0] += value
            totals[1] += 1

    def count(self, **labels: str) -> int:
        with self._lock:
            series = self._series.get(_key(labels))
            return int(series[1][1]) if series else 0

    def samples(self) -> Iterable[str]:
        with self._lock:
            items = sorted((key, (list(c), list(t))) for key, (c, t) in self._series.items())
        for key, (counts, (total, count)) in items:
            running = 0
            for bound, n in zip((*self.buckets, math.inf), counts, strict=True):
                running += n
                yield f"{self.name}_bucket{_labels(key, (('le', _number(bound)),))} {running}"
            yield f"{self.name}_sum{_labels(key)} {_number(total)}"
            yield f"{self.name}_count{_labels(key)} {_number(count)}"


class MetricsRegistry:
    """Metrics by name; asking twice for a name returns the same metric."""

    def __init__(self) -> None:
        self._metrics: dict[str, Counter | Histogram] = {}
        self._lock = threading.Lock()

    def counter(self, name: str, help_text: str = "") -> Counter:
        metric = self._get(name, lambda: Counter(name, help_text))
        if not isinstance(metric, Counter):
            raise TypeError(f"Metric {name!r} is a {metric.kind}, not a counter")
        return metric

    def histogram(self, name: str, help_text: str = "", buckets: Iterable[float] = LATENCY_BUCKETS) -> Histogram:
        metric = self._get(name, lambda: Histogram(name, help_text, buckets))
        if not isinstance(metric, Histogram):
            raise TypeError(f"Metric {name!r} is a {metric.kind}, not a histogram")
        return metric

    def _get(self, name: str, make: Callable[[], Counter | Histogram]) -> Counter | Histogram:
        with self._lock:
            metric = self._metrics.get(name)
            if metric is None:
                metric = self._metrics[name] = make()
            return metric

    def render(self) -> str:
        """Every metric in the Prometheus text exposition format."""
        with self._lock:
            metrics = sorted(self._metrics.values(), key=lambda m: m.name)
        lines: list[str] = []
        for metric in metrics:
            lines += [f"# HELP {metric.name} {metric.help}", f"# TYPE {metric.name} {metric.kind}", *metric.samples()]
        return "\n".join(lines) + "\n"


#: The process-wide registry.
METRICS = MetricsRegistry()
