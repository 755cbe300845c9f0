"""``shopassist ingest``: validate a catalog, embed what changed, upsert into Chroma, save the store's snapshot and
BM25 index."""

from __future__ import annotations

import logging
import time
from pathlib import Path

import numpy as np
from pydantic import BaseModel
from tqdm import tqdm

from core.errors import UserError
from core.settings import RetrievalSettings
from retrieval.catalog_io import RowError, load_catalog
from retrieval.chroma_store import ChromaCatalog, catalog_fingerprint, content_hash
from retrieval.embedder import Embedder
from retrieval.embedding_cache import EmbeddingCache
from retrieval.encoders import product_embedder
from retrieval.mapping import load_mapping
from retrieval.models import Product
from retrieval.product_store import HybridProductStore, save_lexical_index, snapshot_root
from retrieval.snapshot import CatalogSnapshot, unit_matrix

log = logging.getLogger(__name__)


class IngestReport(BaseModel):
    """What an ingest did; printed by the CLI and returned to callers."""

    sources: list[str]
    valid_rows: int
    invalid_rows: int
    errors: list[RowError]
    embedded: int
    unchanged: int
    removed: int
    total_in_store: int
    seconds: float
    embed_seconds: float
    index_seconds: float = 0.0  # saving the snapshot (reading the store back only where it keeps other products) and BM25
    encoder_variant: str = ""  # the runtime that embedded the products (onnx-int8, torch)

    @property
    def embed_rate(self) -> float:
        return self.embedded / self.embed_seconds if self.embed_seconds else 0.0


def ingest(
    paths: list[Path],
    settings: RetrievalSettings,
    *,
    mapping_path: Path | None = None,
    replace: bool = False,
    embedder: Embedder | None = None,
    progress: bool = True,
) -> IngestReport:
    """Idempotent and incremental: unchanged products (same content hash) are not re-embedded. With ``replace``,
    products absent from ``paths`` are removed from the store."""
    started = time.perf_counter()
    mapping = load_mapping(mapping_path) if mapping_path else None
    loaded = load_catalog(list(paths), mapping)
    loaded.raise_if_empty()
    # Products are embedded by the encoder that embeds the queries (product_encoder, its ONNX export by default): one
    # vector space. A store embedded with another encoder is emptied and embedded again (ChromaCatalog's rebuild).
    embedder = embedder or product_embedder(settings, threads=settings.ingest_threads)
    cache = EmbeddingCache(settings.embedding_cache) if settings.embedding_cache else None
    if cache is not None and cache.model and cache.model != embedder.name:
        raise UserError(f"{settings.embedding_cache} holds {cache.model} vectors; the product encoder is {embedder.name} "
                        "(SHOPASSIST_PRODUCT_ENCODER): embed the catalog again with it (`shopassist embed`).")
    if cache is not None and cache.dimension != embedder.dimension:
        raise UserError(f"{settings.embedding_cache} holds {cache.dimension}-d vectors; the embedder makes {embedder.dimension}-d ones.")
    catalog = ChromaCatalog(settings, embedder, rebuild=True)
    existing = catalog.existing_hashes()
    changed = [p for p in loaded.products if existing.get(p.id) != content_hash(p, embedder.hash_key)]
    keep = {p.id for p in loaded.products}
    # Afterwards the collection holds exactly this catalog (snapshot built from memory), or other products stay in it
    # (the store reads it back): only the first needs the vectors kept.
    exact = replace or keep.issuperset(existing)
    embed_started = time.perf_counter()
    batch = max(settings.embed_batch_size, 1) * 4
    embedded: dict[str, np.ndarray] = {}
    with tqdm(total=len(changed), desc="embedding", unit="product", disable=not progress) as bar:
        for start in range(0, len(changed), batch):
            chunk = changed[start : start + batch]
            texts = [p.embedding_text() for p in chunk]
            vectors = cache.embed(texts, embedder.embed) if cache is not None else embedder.embed(texts)
            catalog.upsert(chunk, vectors)
            if exact:
                embedded.update(zip((p.id for p in chunk), vectors))
            bar.update(len(chunk))
    embed_seconds = time.perf_counter() - embed_started
    removed: list[str] = []
    if replace:
        removed = sorted(pid for pid in existing if pid not in keep)
        catalog.delete(removed)
    index_started = time.perf_counter()
    if exact:
        catalog.record_snapshot(_save_indexes(settings, catalog, embedder, loaded.products, embedded))
    else:
        catalog.record_snapshot(HybridProductStore(settings, embedder, catalog).fingerprint)
    index_seconds = time.perf_counter() - index_started
    report = IngestReport(
        sources=[str(p) for p in paths],
        valid_rows=len(loaded.products),
        invalid_rows=loaded.invalid_rows,
        errors=loaded.errors,
        embedded=len(changed),
        unchanged=len(loaded.products) - len(changed),
        removed=len(removed),
        total_in_store=catalog.count(),
        seconds=time.perf_counter() - started,
        embed_seconds=embed_seconds,
        index_seconds=index_seconds,
        encoder_variant=embedder.variant,
    )
    log.info("ingest.done embedded=%d unchanged=%d invalid=%d", report.embedded, report.unchanged, report.invalid_rows)
    return report


def _save_indexes(settings: RetrievalSettings, catalog: ChromaCatalog, embedder: Embedder, products: list[Product],
                  embedded: dict[str, np.ndarray]) -> str:
    """Saves the snapshot and BM25 index of a collection that holds exactly ``products``, from the products parsed and
    the vectors just embedded (those of unchanged products read from Chroma) instead of reading every product back and
    parsing it again; returns the snapshot's fingerprint, the one :meth:`ChromaCatalog.snapshot` gives the same
    collection."""
    ordered = sorted(products, key=lambda p: p.id)
    ids = [p.id for p in ordered]
    vectors = {**catalog.embeddings([pid for pid in ids if pid not in embedded]), **embedded}
    fingerprint = catalog_fingerprint((p.id, content_hash(p, embedder.hash_key)) for p in ordered)
    CatalogSnapshot.build(ordered, unit_matrix(ids, vectors, embedder.dimension), fingerprint).save(snapshot_root(settings))
    save_lexical_index(settings, ids, ordered, fingerprint)
    return fingerprint
