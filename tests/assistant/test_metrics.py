"""Dependency-free counters and histograms rendered as Prometheus text."""

from __future__ import annotations

import pytest

from assistant.metrics import MetricsRegistry


def test_counters_and_histograms_render_as_prometheus_text() -> None:
    registry = MetricsRegistry()
    fallbacks = registry.counter("shop_fallbacks_total", "Fallbacks by reason.")
    fallbacks.inc(reason="timeout")
    fallbacks.inc(2, reason='odd "quote"')
    assert registry.counter("shop_fallbacks_total") is fallbacks and fallbacks.total() == 3
    latency = registry.histogram("shop_latency_seconds", "Latency.", buckets=(0.1, 1.0))
    for value in (0.05, 0.5, 5.0):
        latency.observe(value, backend="x")
    text = registry.render()
    assert "# TYPE shop_fallbacks_total counter" in text and 'shop_fallbacks_total{reason="timeout"} 1' in text
    assert 'shop_fallbacks_total{reason="odd \\"quote\\""} 2' in text
    assert "# TYPE shop_latency_seconds histogram" in text
    assert 'shop_latency_seconds_bucket{backend="x",le="0.1"} 1' in text and 'shop_latency_seconds_bucket{backend="x",le="1"} 2' in text
    assert 'shop_latency_seconds_bucket{backend="x",le="+Inf"} 3' in text and 'shop_latency_seconds_count{backend="x"} 3' in text
    assert 'shop_latency_seconds_sum{backend="x"} 5.55' in text and latency.count(backend="x") == 3


def test_misuse_fails_loudly() -> None:
    registry = MetricsRegistry()
    registry.counter("a_total")
    with pytest.raises(TypeError):
        registry.histogram("a_total")
    with pytest.raises(ValueError):
        registry.counter("a_total").inc(-1)
