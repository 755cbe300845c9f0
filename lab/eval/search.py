"""``shopassist eval search``: product search quality on the Chinese demo catalog, by product encoder (issue 19 item 3).

Hand-labelled shopper queries (``lab/eval/data/search_zh.yml``: each names the leaf category, and attribute values, of
its relevant products) go straight to the hybrid store's ``search`` (no slot extraction: retrieval alone). For each
encoder (``SHOPASSIST_PRODUCT_ENCODER``) the catalog is ingested into a fresh home and scored three ways: BM25 alone
(the fused ranking with ``dense_weight`` 0, products BM25 did not find left out), dense alone (``lexical_weight`` 0)
and hybrid (the serving configuration). Relevance is binary: recall@k is the share of a query's relevant products
(at most k of them) in its top k, nDCG@k the usual one with gain 1.
"""

from __future__ import annotations

import math
import shutil
import tempfile
import time
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, Field
from tqdm import tqdm

from core.settings import DATA_DIR, PROJECT_ROOT, Settings
from core.stats import percentile
from retrieval.models import Product

QUERIES_FILE = PROJECT_ROOT / "lab" / "eval" / "data" / "search_zh.yml"
ZH_CATALOG = DATA_DIR / "catalog" / "demo_zh.jsonl"
K = 5


class LabelledQuery(BaseModel):
    query: str
    category: list[str] = Field(description="Leaf categories of the relevant products.")
    attributes: dict[str, list[str]] = Field(default_factory=dict, description="Each key: one of these values.")
    kind: Literal["synonym", "plain"]

    def relevant(self, product: Product) -> bool:
        return product.category[-1] in self.category and all(
            any(v in product.values(key) for v in values) for key, values in self.attributes.items())


def load_queries(path: Path = QUERIES_FILE) -> list[LabelledQuery]:
    rows = yaml.safe_load(path.read_text(encoding="utf-8"))["queries"]
    return [LabelledQuery.model_validate({**row, "category": row["category"] if isinstance(row["category"], list)
                                          else [row["category"]]}) for row in rows]


class Scores(BaseModel):
    recall: float = Field(description=f"Mean recall@{K}.")
    ndcg: float = Field(description=f"Mean nDCG@{K}.")
    queries: int


class ModeScores(BaseModel):
    all: Scores
    synonym: Scores
    no_shared_characters: Scores = Field(description="Queries sharing no character with any relevant product's title.")


class EncoderRun(BaseModel):
    encoder: str
    model: str
    variant: str = Field(description="How it ran: onnx-int8, onnx or torch (query_encoder).")
    ingest_seconds: float = Field(description="Fresh ingest of the catalog (embedding, Chroma, BM25), encoder loaded.")
    load_seconds: float = Field(description="Loading the encoder (exporting it to ONNX the first time).")
    query_encode_p50_ms: float
    query_encode_p95_ms: float
    bm25: ModeScores
    dense: ModeScores
    hybrid: ModeScores
    misses: list[str] = Field(description=f"Hybrid: queries with no relevant product in the top {K}.")


class SearchEval(BaseModel):
    catalog: str
    products: int
    queries: int
    k: int = K
    runs: list[EncoderRun]


def score(ranked: list[Product], query: LabelledQuery, relevant_count: int, k: int = K) -> tuple[float, float]:
    gains = [1.0 if query.relevant(p) else 0.0 for p in ranked[:k]]
    ideal = min(relevant_count, k)
    if ideal == 0:
        return 0.0, 0.0
    dcg = sum(g / math.log2(i + 2) for i, g in enumerate(gains))
    idcg = sum(1.0 / math.log2(i + 2) for i in range(ideal))
    return sum(gains) / ideal, dcg / idcg


def _mean(pairs: list[tuple[float, float]]) -> Scores:
    if not pairs:
        return Scores(recall=0.0, ndcg=0.0, queries=0)
    return Scores(recall=round(sum(r for r, _ in pairs) / len(pairs), 3), ndcg=round(sum(n for _, n in pairs) / len(pairs), 3),
                  queries=len(pairs))


def _shares_no_character(query: LabelledQuery, products: list[Product]) -> bool:
    return not any(ch in p.title for p in products if query.relevant(p) for ch in query.query if not ch.isspace())


def evaluate_encoder(encoder: Literal["minilm", "e5-small"], settings: Settings, queries: list[LabelledQuery],
                     catalog: Path = ZH_CATALOG, *, progress: bool = True, latency_rounds: int = 3) -> EncoderRun:
    """Ingest ``catalog`` with ``encoder`` into a fresh home and score ``queries`` (BM25, dense, hybrid)."""
    from retrieval.chroma_store import ChromaCatalog
    from retrieval.encoders import product_embedder
    from retrieval.ingest import ingest
    from retrieval.product_store import HybridProductStore

    home = Path(tempfile.mkdtemp(prefix=f"eval-search-{encoder}-", dir=settings.home if settings.home.exists() else None))
    try:
        store_settings = settings.model_copy(update={"home": home, "product_encoder": encoder, "embedding_model": None,
                                                     "embedding_cache": None, "collection": "products"})
        started = time.perf_counter()
        embedder = product_embedder(store_settings, threads=store_settings.ingest_threads)
        loaded = time.perf_counter()
        ingest([catalog], store_settings, embedder=embedder, progress=progress)
        ingest_seconds = time.perf_counter() - loaded
        probe = product_embedder(store_settings, threads=store_settings.torch_threads, cache_size=0)  # serving: 1 thread
        probe.embed_query("预热")
        timings: list[float] = []
        for _ in range(latency_rounds):
            for q in queries:
                t0 = time.perf_counter()
                probe.embed_query(q.query)
                timings.append((time.perf_counter() - t0) * 1000.0)
        embedder.use_threads(store_settings.torch_threads)
        modes: dict[str, ModeScores] = {}
        misses: list[str] = []
        products: list[Product] = []
        chroma = ChromaCatalog(store_settings, embedder)
        for mode, update in (("bm25", {"dense_weight": 0.0}), ("dense", {"lexical_weight": 0.0}), ("hybrid", {})):
            store = HybridProductStore(store_settings.model_copy(update=update), embedder, chroma)
            products = store.products()
            per: dict[str, list[tuple[float, float]]] = {"all": [], "synonym": [], "no_shared_characters": []}
            for q in tqdm(queries, desc=f"{encoder} {mode}", disable=not progress):
                hits = store.search(q.query, k=K)
                ranked = [h.product for h in hits if mode != "bm25" or h.score > 0]
                pair = score(ranked, q, sum(q.relevant(p) for p in products))
                per["all"].append(pair)
                if q.kind == "synonym":
                    per["synonym"].append(pair)
                if _shares_no_character(q, products):
                    per["no_shared_characters"].append(pair)
                if mode == "hybrid" and pair[0] == 0.0:
                    misses.append(q.query)
            modes[mode] = ModeScores(**{name: _mean(pairs) for name, pairs in per.items()})
        return EncoderRun(encoder=encoder, model=embedder.name, variant=embedder.variant,
                          ingest_seconds=round(ingest_seconds, 1), load_seconds=round(loaded - started, 1),
                          query_encode_p50_ms=round(percentile(timings, 50), 2),
                          query_encode_p95_ms=round(percentile(timings, 95), 2), misses=misses, **modes)
    finally:
        shutil.rmtree(home, ignore_errors=True)


def evaluate_search(settings: Settings, encoders: list[Literal["minilm", "e5-small"]], *, catalog: Path = ZH_CATALOG,
                    queries_file: Path = QUERIES_FILE, progress: bool = True) -> SearchEval:
    from retrieval.catalog_io import load_catalog

    queries = load_queries(queries_file)
    count = len(load_catalog([catalog]).products)
    runs = [evaluate_encoder(encoder, settings, queries, catalog, progress=progress) for encoder in encoders]
    return SearchEval(catalog=catalog.name, products=count, queries=len(queries), runs=runs)
