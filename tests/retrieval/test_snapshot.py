"""The product store's snapshot (``retrieval.snapshot``): after ingest a store opens from the saved files, not from
Chroma, and serves exactly what a store rebuilt from Chroma serves; any write to the collection makes the next open
rebuild (a snapshot never serves products the collection no longer holds)."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import numpy as np

from core.settings import Settings
from retrieval.chroma_store import ChromaCatalog
from retrieval.ingest import ingest
from retrieval.models import Product, SearchConstraints
from retrieval.product_store import HybridProductStore, lexical_root
from tests.conftest import DEMO_CATALOG

QUERIES = [
    ("waterproof rain jacket", SearchConstraints()),
    ("running shoes", SearchConstraints(price_max=120, in_stock=True)),
    ("lamp", SearchConstraints(category="Home Decor", brands_out=["Glowix"])),
    ("", SearchConstraints(attributes_in={"color": ["Black"]})),
]


def _rebuilt(settings: Settings, embedder) -> HybridProductStore:  # type: ignore[no-untyped-def]
    """The store as it opens when no snapshot is recorded: read back from Chroma, its BM25 index built from what it
    read."""
    shutil.rmtree(settings.home / "snapshot" / settings.collection)
    shutil.rmtree(lexical_root(settings))
    store = HybridProductStore.open(settings, embedder)
    assert store.opened_from == "chroma"
    return store


def _same_catalog(opened: HybridProductStore, rebuilt: HybridProductStore) -> None:
    """The snapshot ingest saved holds what the collection holds (the same version, products and vectors), and the
    BM25 index ingest saved is the one the products give."""
    assert rebuilt.fingerprint == opened.fingerprint and rebuilt.index.ids == opened.index.ids
    ids = rebuilt.index.ids
    # ingest snapshots the vectors it embedded; Chroma hands back its own float32 copies (apart in the last bit)
    assert np.allclose(np.asarray(opened.vectors(ids)), rebuilt.vectors(ids), rtol=0, atol=1e-6)
    assert list(opened.products()) == list(rebuilt.products())
    for query in ("waterproof jacket", "black leather boots", "lamp"):
        assert np.array_equal(opened.lexical.scores(query), rebuilt.lexical.scores(query))


def test_an_ingested_store_opens_from_its_snapshot_and_serves_the_same(tmp_path: Path, embedder) -> None:  # type: ignore[no-untyped-def]
    settings = Settings(home=tmp_path / "home")
    ingest([DEMO_CATALOG], settings, embedder=embedder, progress=False)
    started = time.perf_counter()
    opened = HybridProductStore.open(settings, embedder)
    open_seconds = time.perf_counter() - started
    assert opened.opened_from == "snapshot" and opened.catalog.snapshot_version == opened.fingerprint
    started = time.perf_counter()
    rebuilt = _rebuilt(settings, embedder)
    rebuild_seconds = time.perf_counter() - started
    assert open_seconds * 3 < rebuild_seconds, (open_seconds, rebuild_seconds)  # a ratio in one run, not a time
    _same_catalog(opened, rebuilt)
    ids = rebuilt.index.ids
    # the facets' columns are what catalog summaries read, without parsing a product
    loaded, built = opened.facets(), rebuilt.facets()
    assert (loaded.ids, loaded.titles, loaded.brands, loaded.paths) == (built.ids, built.titles, built.brands, built.paths)
    assert loaded.path_counts() == built.path_counts() and loaded.prices_by_leaf().keys() == built.prices_by_leaf().keys()
    for key in ("color", "size", "material"):
        assert loaded.value_counts(key) == built.value_counts(key) and loaded.values_by_level(key) == built.values_by_level(key)
    for text, constraints in QUERIES:
        want = [(h.product, h.reasons) for h in rebuilt.search(text, constraints, 10)]
        assert want and [(h.product, h.reasons) for h in opened.search(text, constraints, 10)] == want
        assert opened.count(constraints) == rebuilt.count(constraints)
    assert opened.get(ids[7]) == rebuilt.get(ids[7]) and opened.get("no-such-id") is None
    assert opened.products()[-1] == rebuilt.products()[-1]  # a negative row, before iteration parses every row


def test_ingests_that_add_change_and_keep_products_snapshot_what_the_collection_holds(tmp_path: Path, embedder) -> None:  # type: ignore[no-untyped-def]
    """Ingest snapshots from the vectors it embedded (and Chroma's for unchanged products) when the collection holds
    just the file's products, and reads the collection back when it holds others too: either way the snapshot is the
    collection's."""
    settings = Settings(home=tmp_path / "home")
    lines = DEMO_CATALOG.read_text(encoding="utf-8").splitlines()[:120]
    first, second, third = tmp_path / "first.jsonl", tmp_path / "second.jsonl", tmp_path / "third.jsonl"
    first.write_text("\n".join(lines[:80]) + "\n")
    changed = Product.model_validate_json(lines[3]).model_copy(update={"price": 1.0})
    second.write_text("\n".join([*lines[:3], changed.model_dump_json(), *lines[4:100]]) + "\n")  # 1 changed, 20 new
    third.write_text("\n".join(lines[100:]) + "\n")  # only new products: the others stay in the collection
    for path, embedded in ((first, 80), (second, 21), (third, 20)):
        report = ingest([path], settings, embedder=embedder, progress=False)
        assert report.embedded == embedded
        opened = HybridProductStore.open(settings, embedder)
        assert opened.opened_from == "snapshot"
        _same_catalog(opened, _rebuilt(settings, embedder))
    assert len(opened.products()) == 120 and opened.get(changed.id).price == 1.0


def test_a_write_to_the_collection_retires_the_snapshot(tmp_path: Path, embedder) -> None:  # type: ignore[no-untyped-def]
    settings = Settings(home=tmp_path / "home")
    catalog_file = tmp_path / "c.jsonl"
    rows = [Product(id=f"T{i}", title=f"Trail Lamp {i}", brand="Glowix", category=["Home Decor", "Lighting"],
                    price=10 + i, stock=3) for i in range(4)]
    catalog_file.write_text("\n".join(p.model_dump_json() for p in rows) + "\n")
    ingest([catalog_file], settings, embedder=embedder, progress=False)
    recorded = HybridProductStore.open(settings, embedder)
    assert recorded.opened_from == "snapshot"
    # another writer (not ingest) changes a product: the recorded snapshot is cleared, the next open reads Chroma
    changed = rows[1].model_copy(update={"price": 99.0})
    writer = ChromaCatalog(settings, embedder)
    writer.upsert([changed], embedder.embed([changed.embedding_text()]))
    assert writer.snapshot_version is None
    reopened = HybridProductStore.open(settings, embedder)
    assert reopened.opened_from == "chroma" and reopened.get("T1").price == 99.0
    assert reopened.fingerprint != recorded.fingerprint
    # the next ingest puts the file's product back, records the new contents and removes the older snapshots
    ingest([catalog_file], settings, embedder=embedder, progress=False)
    latest = HybridProductStore.open(settings, embedder)
    assert latest.opened_from == "snapshot" and latest.get("T1").price == 11.0
    assert [p.name for p in (settings.home / "snapshot" / settings.collection).iterdir()] == [latest.fingerprint]


def test_an_unreadable_snapshot_is_rebuilt_not_served(tmp_path: Path, embedder) -> None:  # type: ignore[no-untyped-def]
    settings = Settings(home=tmp_path / "home")
    catalog_file = tmp_path / "c.jsonl"
    catalog_file.write_text(Product(id="A", title="Desk Lamp", category=["Lighting"], price=5, stock=1).model_dump_json() + "\n")
    ingest([catalog_file], settings, embedder=embedder, progress=False)
    folder = settings.home / "snapshot" / settings.collection / HybridProductStore.open(settings, embedder).fingerprint
    (folder / "facets.npz").write_bytes(b"truncated")
    store = HybridProductStore.open(settings, embedder)
    assert store.opened_from == "chroma" and store.get("A").title == "Desk Lamp"
    assert HybridProductStore.open(settings, embedder).opened_from == "snapshot"  # saved again by the rebuild
