"""Retrieval benchmark: ingest throughput and search latency on a catalog."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

from pydantic import BaseModel, Field

from core.settings import Settings
from core.stats import percentile
from retrieval.ingest import ingest
from retrieval.models import SearchConstraints
from retrieval.product_store import HybridProductStore, query_embedder

#: Written shopper queries with the constraints a dialogue manager would extract from them.
BENCH_QUERIES: list[tuple[str, SearchConstraints]] = [
    ("red running shoes", SearchConstraints(category="Running Shoes", price_max=100, attributes_in={"color": ["red"]})),
    ("quiet dishwasher", SearchConstraints(category="Dishwashers", price_max=600)),
    ("noise cancelling headphones", SearchConstraints(category="Headphones")),
    ("leather sofa", SearchConstraints(category="Sofas", attributes_in={"material": ["leather"]})),
    ("desk lamp", SearchConstraints(category="Desk Lamps", price_max=40)),
    ("waterproof hiking boots", SearchConstraints(category="Boots")),
    ("wireless keyboard", SearchConstraints(category="Keyboards")),
    ("stainless steel cookware set", SearchConstraints(category="Cookware")),
    ("blue t-shirt", SearchConstraints(attributes_in={"color": ["blue"]}, category="T-Shirts")),
    ("gift for a 10 year old", SearchConstraints()),
    ("coffee maker with grinder", SearchConstraints(in_stock=True)),
    ("4 person tent", SearchConstraints(category="Tents", rating_min=4.0)),
    ("yoga mat", SearchConstraints(price_max=40)),
    ("cordless vacuum for pet hair", SearchConstraints()),
    ("office chair with lumbar support", SearchConstraints(price_min=100, price_max=400)),
    ("board game for family night", SearchConstraints()),
]


class RetrievalBench(BaseModel):
    catalog: str
    products: int
    ingest_seconds: float
    embed_seconds: float
    ingest_products_per_s: float
    embed_products_per_s: float
    queries: int
    search_p50_ms: float
    search_p95_ms: float
    cached_search_p50_ms: float
    embed_query_p50_ms: float
    product_vectors: str = Field(description="The encoder the stored product vectors were made with (the collection's record).")
    query_vectors: str = Field(description="The encoder and runtime that embed the queries: the same model, one vector space.")


def _pct(seconds: list[float], q: float) -> float:
    """The ``q``-th percentile of ``seconds``, in milliseconds."""
    return percentile([s * 1000.0 for s in seconds], q)


def bench_retrieval(catalog_path: Path, settings: Settings, *, rounds: int = 5, progress: bool = True,
                    fresh: bool = True) -> RetrievalBench:
    """Ingest ``catalog_path`` into a fresh store under ``settings.home`` and time ``rounds`` phrasings of each
    benchmark query: once with the query embedding computed, once served from the embedding cache.
    ``fresh=False`` keeps an existing store (ingest is then incremental: its figures say nothing of throughput)."""
    if fresh and settings.chroma_dir.exists():
        shutil.rmtree(settings.chroma_dir)
        shutil.rmtree(settings.home / "lexical", ignore_errors=True)
    report = ingest([catalog_path], settings, progress=progress)  # as `shopassist ingest`: the encoder on ingest_threads
    embedder = query_embedder(settings)  # as a serving process: one thread
    store = HybridProductStore.open(settings, embedder)
    store.search("warm up", SearchConstraints(), 10)
    cold: list[float] = []
    warm: list[float] = []
    embed_times: list[float] = []
    phrasings = ["{}", "{} please", "looking for {}", "do you have {}", "I need {}", "show me {}", "any {}?", "{} for me"]
    queries = [(p.format(text), c) for p in phrasings[:rounds] for text, c in BENCH_QUERIES]
    for query, _ in queries:
        t0 = time.perf_counter()
        embedder.embed_query(query + " ?")  # uncached: the bare cost of one query embedding
        embed_times.append(time.perf_counter() - t0)
    for timings in (cold, warm):  # first pass embeds each query; the second hits the query-embedding cache
        for query, constraints in queries:
            t0 = time.perf_counter()
            store.search(query, constraints, 10)
            timings.append(time.perf_counter() - t0)
    return RetrievalBench(
        catalog=str(catalog_path),
        products=report.total_in_store,
        ingest_seconds=round(report.seconds, 2),
        embed_seconds=round(report.embed_seconds, 2),
        ingest_products_per_s=round(report.valid_rows / report.seconds, 1),
        embed_products_per_s=round(report.embed_rate, 1),
        queries=len(queries),
        search_p50_ms=round(_pct(cold, 50), 2),
        search_p95_ms=round(_pct(cold, 95), 2),
        cached_search_p50_ms=round(_pct(warm, 50), 2),
        embed_query_p50_ms=round(_pct(embed_times, 50), 2),
        product_vectors=f"{store.catalog.stored_encoder} ({report.encoder_variant})", query_vectors=f"{embedder.name} ({embedder.variant})",
    )


def bench_catalogs(settings: Settings, catalogs: list[Path] | None = None, *, scaled_count: int = 40_000, rounds: int = 5,
                   progress: bool = True, search_only: bool = False) -> list[RetrievalBench]:
    """:func:`bench_retrieval` on each of ``catalogs`` (each in a store of its own under home/bench), by default on the
    home's catalog and the generated ``scaled_count``-product one (:mod:`lab.fixtures`' home, shared with the other
    benches). ``search_only`` reuses the stores of an earlier run."""
    from lab.fixtures import scaled_settings

    if catalogs:
        stores = [(path, settings.model_copy(update={"home": settings.home / "bench" / f"store-{index}"}))
                  for index, path in enumerate(catalogs)]
    else:
        scaled = scaled_settings(settings, scaled_count)
        stores = [(settings.catalog_path, settings.model_copy(update={"home": settings.home / "bench" / "store-0"})),
                  (scaled.catalog_path, scaled)]
    return [bench_retrieval(path, store, rounds=rounds, progress=progress, fresh=not search_only) for path, store in stores]
