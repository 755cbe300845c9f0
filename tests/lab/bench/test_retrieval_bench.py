"""The retrieval benchmark (``shopassist bench retrieval``): ingest throughput and search latency, with the products'
and the queries' encoders named, so a figure shows they share one vector space."""

from __future__ import annotations

from pathlib import Path

from core.settings import Settings
from lab.bench.retrieval import bench_retrieval
from lab.catalog.demo import generate_products, write_jsonl


def test_retrieval_bench_reports_throughput_and_one_vector_space(tmp_path: Path) -> None:
    catalog = tmp_path / "catalog.jsonl"
    write_jsonl(generate_products(80), catalog)
    result = bench_retrieval(catalog, Settings(home=tmp_path / "home"), rounds=1, progress=False)
    assert result.products == 80 and result.ingest_products_per_s > 0 and result.embed_products_per_s > 0
    assert result.search_p95_ms >= result.search_p50_ms > 0 and result.queries >= 16
    assert result.product_vectors == result.query_vectors == "all-MiniLM-L6-v2 (onnx-int8)"
