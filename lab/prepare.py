"""``shopassist prepare``: make a home ready to chat: the demo catalog ingested, the intent model trained."""

from __future__ import annotations

import time
from typing import Literal

from pydantic import BaseModel, Field

from core.settings import Settings


class PrepareReport(BaseModel):
    catalog: int
    embedded: int
    catalog_seconds: float
    nlu_trained: bool
    nlu_model: Literal["home", "cache", "trained"] = Field(
        description="The intent model was already in the home, linked from the model cache, or trained (into the cache).")
    nlu_models_by_language: dict[str, Literal["home", "cache", "trained"]] = Field(
        default_factory=dict, description="The same for each other language's intent model (SHOPASSIST_NLU_LANGUAGES).")
    nlu_seconds: float


def prepare_home(settings: Settings, *, progress: bool = True) -> PrepareReport:
    """Ingest ``settings.catalog_path`` (incremental) and give the home an intent model when it has none: from the
    model cache when one was trained on the same data and settings, else trained (once, into the cache)."""
    from lab.train.intent import ensure_intent_model
    from retrieval.ingest import ingest
    from retrieval.product_store import query_embedder

    started = time.perf_counter()
    report = ingest([settings.catalog_path], settings, progress=progress)
    query_embedder(settings)  # exports the ONNX query encoder now, so that a server never starts by exporting it
    ingested = time.perf_counter()
    source, _ = ensure_intent_model(settings, progress=progress)
    others = {language: ensure_intent_model(settings.for_language(language), progress=progress)[0]
              for language in settings.other_nlu_languages}
    return PrepareReport(catalog=report.total_in_store, embedded=report.embedded,
                         catalog_seconds=round(ingested - started, 1), nlu_trained=source == "trained", nlu_model=source,
                         nlu_models_by_language=others, nlu_seconds=round(time.perf_counter() - ingested, 1))
