"""``shopassist embed``: precompute a catalog's product embeddings (e.g. on a GPU host) for a later ``ingest`` anywhere."""

from __future__ import annotations

import time
from pathlib import Path

from pydantic import BaseModel

from core.settings import RetrievalSettings


class EmbedReport(BaseModel):
    products: int
    cache: str
    seconds: float
    products_per_s: float


def embed_catalog(paths: list[Path], out: Path, settings: RetrievalSettings, *, mapping: Path | None = None,
                  device: str = "cpu", progress: bool = True) -> EmbedReport:
    """Embed every product of ``paths`` into the ``.npz`` cache ``out`` (ingest it with SHOPASSIST_EMBEDDING_CACHE)."""
    from retrieval.catalog_io import load_catalog
    from retrieval.embedder import default_model_dir
    from retrieval.embedding_cache import build_cache
    from retrieval.encoders import encoder_model_dir, encoder_spec
    from retrieval.mapping import load_mapping

    loaded = load_catalog(list(paths), load_mapping(mapping) if mapping else None)
    loaded.raise_if_empty()
    started = time.perf_counter()
    spec = encoder_spec(settings)  # the product encoder ingest will check the cache against
    model_dir = encoder_model_dir(settings) or default_model_dir()
    name = spec.name if settings.embedding_model is None else model_dir.name
    written = build_cache([p.embedding_text() for p in loaded.products], out, model_dir, name=name, device=device,
                          progress=progress, prefix=spec.passage_prefix)
    seconds = time.perf_counter() - started
    return EmbedReport(products=len(loaded.products), cache=str(written), seconds=round(seconds, 1),
                       products_per_s=round(len(loaded.products) / seconds, 1))
