"""Benchmark homes: a generated large catalog ingested once into a home of its own, with the main home's intent model.

Every bench that needs "the 40k catalog" (``bench retrieval``, ``bench turn``, ``bench feedback --catalog scaled``,
``bench scale``) and ``shopassist test --catalog`` take their home from here, so the catalog is generated once, the
store is ingested incrementally (unchanged products are not embedded again) and the intent model is never retrained.
"""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path

from core.settings import HomeSettings, NluSettings, Settings

log = logging.getLogger(__name__)

#: The demo catalog generator's default seed (``shopassist catalog generate --seed``).
CATALOG_SEED = 7


def scaled_home(settings: HomeSettings, count: int, *, seed: int = CATALOG_SEED) -> Path:
    """The home of the ``count``-product generated catalog, under ``settings.home / "bench"``."""
    suffix = "" if seed == CATALOG_SEED else f"-seed{seed}"
    return settings.home / "bench" / f"scaled-{count}{suffix}"


def scaled_catalog(settings: HomeSettings, count: int, *, seed: int = CATALOG_SEED) -> Path:
    """The ``count``-product generated catalog (JSONL), written on first use only."""
    from lab.catalog.demo import generate_products, write_jsonl

    path = scaled_home(settings, count, seed=seed) / "catalog.jsonl"
    if not path.exists():
        log.info("generating a %d-product catalog in %s", count, path)
        write_jsonl(generate_products(count, seed=seed), path)
    return path


def link_intent_model(shared: Path, settings: NluSettings) -> None:
    """Link the intent model folder ``shared`` into ``settings``' home (when it exists and the home has none)."""
    from dialogue.model_cache import link_home_model

    target = settings.nlu_model_dir
    if shared.exists() and not (target.exists() or target.is_symlink()):
        link_home_model(settings, shared)


def moved_home(settings: Settings, home: Path, **updates: object) -> Settings:
    """``settings`` with another home (its own store and conversation database) that shares the intent model."""
    moved = settings.model_copy(update={"home": home, "database_url": None, **updates})
    link_intent_model(settings.nlu_model_dir, moved)
    return moved


def scaled_settings(settings: Settings, count: int, *, seed: int = CATALOG_SEED) -> Settings:
    """Settings of the ``count``-product bench home: catalog generated, intent model linked, store not ingested."""
    catalog = scaled_catalog(settings, count, seed=seed)
    return moved_home(settings, scaled_home(settings, count, seed=seed), catalog_path=catalog)


def scaled_store(settings: Settings, count: int, *, seed: int = CATALOG_SEED, progress: bool = True) -> Settings:
    """Settings of the ``count``-product bench home with its store ingested (incrementally: only new or changed
    products are embedded, and ``settings.embedding_cache`` spares even those)."""
    from retrieval.ingest import ingest

    store = scaled_settings(settings, count, seed=seed)
    ingest([store.catalog_path], store, progress=progress)
    return store


def catalog_store(settings: Settings, paths: list[Path], *, mapping: Path | None = None, progress: bool = False) -> Settings:
    """Settings of a home of its own for a foreign catalog (keyed by its path), ingested, with the intent model linked:
    ``shopassist test --catalog`` runs the dialogue suites against it."""
    from retrieval.ingest import ingest

    key = hashlib.sha1(str(paths[0].resolve()).encode()).hexdigest()[:12]
    store = settings.model_copy(update={"home": settings.home / "test-catalogs" / key})
    ingest(paths, store, mapping_path=mapping, progress=progress)
    link_intent_model(settings.nlu_model_dir, store)
    return store
