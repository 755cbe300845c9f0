"""``shopassist bench scale``: how search latency, memory and disk grow with the catalog (1k → 200k products).

Each size is a generated catalog (``generate_products(n)``, so smaller catalogs are prefixes of larger ones; the
file is :func:`lab.fixtures.scaled_catalog`'s, shared with the other benches) ingested into its own fresh store.
Vectors come from an embedding cache (``shopassist embed``, e.g. the 40k catalog embedded on a GPU host); products the cache lacks get a cached vector of a product of the same leaf category plus
small Gaussian noise (renormalised) — the issue allows this for 200k to save ingest time, and it keeps the vector
distribution realistic for timing. Reported per size: ingest seconds, store size on disk, resident memory added by
opening the store, and search p50/p95 for constrained (exact masked cosine) and unconstrained (Chroma HNSW) queries.
"""

from __future__ import annotations

import gc
import logging
import random
import shutil
import time
from collections import defaultdict
from pathlib import Path

import numpy as np
from pydantic import BaseModel, Field

from core.settings import Settings
from core.stats import percentile
from lab.bench.retrieval import BENCH_QUERIES
from lab.fixtures import scaled_catalog
from retrieval.catalog_io import load_catalog
from retrieval.embedding_cache import EmbeddingCache, write_cache
from retrieval.ingest import ingest
from retrieval.product_store import HybridProductStore, query_embedder
from lab.plotting import pyplot

log = logging.getLogger(__name__)

PHRASINGS = ["{}", "{} please", "looking for {}", "do you have {}", "I need {}", "show me {}"]


class ScalePoint(BaseModel):
    products: int
    real_vectors: int
    ingest_seconds: float
    store_disk_mb: float
    index_seconds: float = Field(description="Part of ingest: the store read back from Chroma (every product parsed), "
                                             "its snapshot and BM25 index saved — what every worker start cost before snapshots.")
    open_seconds: float = Field(description="A worker's store open from the snapshot (what a restart costs).")
    summaries_seconds: float = Field(description="After the open: the catalog vocabulary, category counts and price "
                                                 "bands built from the store's facets (what else a worker builds before it is ready).")
    store_rss_mb: float = Field(description="Resident memory added by opening the store, building the summaries and "
                                            "serving the bench queries (memory-mapped vectors count once read).")
    constrained_p50_ms: float
    constrained_p95_ms: float
    unconstrained_p50_ms: float
    unconstrained_p95_ms: float


def _rss_mb() -> float:
    import psutil

    return psutil.Process().memory_info().rss / 2**20


def _disk_mb(folder: Path) -> float:
    return sum(f.stat().st_size for f in folder.rglob("*") if f.is_file()) / 2**20


def filled_cache(texts: list[str], categories: list[str], cache: EmbeddingCache, out: Path, seed: int = 0,
                 noise: float = 0.02) -> tuple[Path, int]:
    """A cache for ``texts``: cached vectors where present, else a same-category cached vector plus noise."""
    rng = np.random.default_rng(seed)
    known = cache.embed(texts, lambda missing: np.full((len(missing), cache.dimension), np.nan, dtype=np.float32))
    real = ~np.isnan(known[:, 0])
    pool: dict[str, list[int]] = defaultdict(list)
    for i in np.flatnonzero(real):
        pool[categories[i]].append(int(i))
    anywhere = list(np.flatnonzero(real))
    if not anywhere:
        raise ValueError("the embedding cache holds none of these products")
    picker = random.Random(seed)
    for i in np.flatnonzero(~real):
        donor = picker.choice(pool.get(categories[i]) or anywhere)
        vector = known[donor] + rng.normal(0.0, noise, cache.dimension).astype(np.float32)
        known[i] = vector / np.linalg.norm(vector)
    return write_cache(out, texts, known, cache.model), int(real.sum())


def catalog_summaries(store: HybridProductStore) -> None:
    """What a worker builds from the catalog before it answers (``build_understander``'s vocabulary, the manager's
    category counts) and on the first re-ranked turn (price bands)."""
    from dialogue.handlers.shopping import CategoryCounts
    from dialogue.vocabulary import CatalogVocabulary
    from retrieval.rerank.bands import PriceBands

    CatalogVocabulary.from_store(store)
    CategoryCounts(store.facets())
    PriceBands(store.facets())


def bench_size(settings: Settings, count: int, cache: EmbeddingCache, progress: bool) -> ScalePoint:
    home = settings.home / "bench" / f"scale-{count}"
    shutil.rmtree(home, ignore_errors=True)
    home.mkdir(parents=True)
    catalog = scaled_catalog(settings, count)
    products = load_catalog([catalog]).products
    texts = [p.embedding_text() for p in products]
    cache_file, real = filled_cache(texts, [p.category[-1] for p in products], cache, home / "vectors.npz")
    store_settings = settings.model_copy(update={"home": home, "embedding_cache": cache_file, "catalog_path": catalog})
    embedder = query_embedder(store_settings)
    report = ingest([catalog], store_settings, embedder=embedder, progress=progress)
    gc.collect()
    before = _rss_mb()
    started = time.perf_counter()
    store = HybridProductStore.open(store_settings, embedder)
    open_seconds = time.perf_counter() - started
    started = time.perf_counter()
    catalog_summaries(store)
    summaries_seconds = time.perf_counter() - started
    constrained: list[float] = []
    unconstrained: list[float] = []
    for phrasing in PHRASINGS:
        for query, constraints in BENCH_QUERIES:
            text = phrasing.format(query)
            for constraint, timings in ((constraints, constrained), (None, unconstrained)):
                embedder.embed_query(text)  # embedding is timed by bench retrieval; here the store alone
                t0 = time.perf_counter()
                store.search(text, constraint, 10)
                timings.append((time.perf_counter() - t0) * 1000)
    rss = _rss_mb() - before  # after the searches: the memory-mapped vectors they read count once read
    point = ScalePoint(
        products=count, real_vectors=real, ingest_seconds=round(report.seconds, 1),
        store_disk_mb=round(sum(_disk_mb(home / part) for part in ("chroma", "lexical", "snapshot")), 1),
        index_seconds=round(report.index_seconds, 2), open_seconds=round(open_seconds, 2),
        summaries_seconds=round(summaries_seconds, 2), store_rss_mb=round(rss, 1),
        constrained_p50_ms=round(percentile(constrained, 50), 2), constrained_p95_ms=round(percentile(constrained, 95), 2),
        unconstrained_p50_ms=round(percentile(unconstrained, 50), 2), unconstrained_p95_ms=round(percentile(unconstrained, 95), 2),
    )
    del store
    log.info("bench.scale %s", point.model_dump())
    return point


class ScaleBenchReport(BaseModel):
    points: list[ScalePoint]
    plot: str


def bench_scale(settings: Settings, cache: Path, sizes: list[int], *, plot: Path | None = None, progress: bool = True) -> ScaleBenchReport:
    """:func:`bench_size` for each of ``sizes`` (smallest first) with vectors from the cache file ``cache``, and the
    plot (default home/bench/scale.png)."""
    vectors = EmbeddingCache(cache)
    points = [bench_size(settings, n, vectors, progress) for n in sorted(sizes)]
    return ScaleBenchReport(points=points, plot=str(plot_scale(points, plot or settings.home / "bench" / "scale.png")))


def plot_scale(points: list[ScalePoint], out: Path) -> Path:
    plt = pyplot()

    sizes = [p.products for p in points]
    fig, (left, middle, right) = plt.subplots(1, 3, figsize=(15, 4.2))
    left.plot(sizes, [p.constrained_p50_ms for p in points], "o-", label="constrained p50 (exact masked cosine)")
    left.plot(sizes, [p.unconstrained_p50_ms for p in points], "s-", label="unconstrained p50 (Chroma HNSW)")
    left.plot(sizes, [p.constrained_p95_ms for p in points], "o--", alpha=0.5, label="constrained p95")
    left.plot(sizes, [p.unconstrained_p95_ms for p in points], "s--", alpha=0.5, label="unconstrained p95")
    left.set_xscale("log")
    left.set_xlabel("products")
    left.set_ylabel("search ms (query embedding excluded)")
    left.legend(fontsize=8)
    middle.plot(sizes, [p.open_seconds for p in points], "o-", label="store open from its snapshot")
    middle.plot(sizes, [p.open_seconds + p.summaries_seconds for p in points], "^-", label="… plus vocabulary, counts, bands")
    middle.plot(sizes, [p.index_seconds for p in points], "s-", label="reading it back from Chroma (the open before snapshots)")
    middle.set_xscale("log")
    middle.set_yscale("log")
    middle.set_xlabel("products")
    middle.set_ylabel("seconds")
    middle.legend(fontsize=8)
    right.plot(sizes, [p.store_rss_mb for p in points], "o-", label="resident memory added by opening and searching (MB)")
    right.plot(sizes, [p.store_disk_mb for p in points], "s-", label="store on disk (MB)")
    right.set_xscale("log")
    right.set_yscale("log")
    right.set_xlabel("products")
    right.legend(fontsize=8)
    fig.suptitle("How retrieval cost grows with the catalog")
    fig.tight_layout()
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, dpi=110)
    plt.close(fig)
    return out
