"""The scale benchmark (``shopassist bench scale``): missing vectors filled from the cache, search and memory measured."""

from __future__ import annotations

from pathlib import Path

from core.settings import Settings


def test_scale_bench_fills_missing_vectors_and_measures(embedder, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from retrieval.catalog_io import load_catalog
    from lab.catalog.demo import generate_products, write_jsonl
    from retrieval.embedding_cache import EmbeddingCache, write_cache
    from lab.bench.scale import bench_size, plot_scale

    write_jsonl(generate_products(120), tmp_path / "seed.jsonl")
    texts = [p.embedding_text() for p in load_catalog([tmp_path / "seed.jsonl"]).products]
    cache = EmbeddingCache(write_cache(tmp_path / "seed.npz", texts, embedder.embed(texts), "all-MiniLM-L6-v2"))
    settings = Settings(home=tmp_path / "home")
    point = bench_size(settings, 300, cache, progress=False)
    assert point.products == 300 and point.real_vectors == 120
    assert point.constrained_p50_ms > 0 and point.unconstrained_p50_ms > 0 and point.store_disk_mb > 0
    assert point.index_seconds > 0 and point.open_seconds > 0 and point.summaries_seconds > 0
    assert plot_scale([point], tmp_path / "scale.png").stat().st_size > 1000
