"""The benchmark home (lab/fixtures.py): the generated catalog written once, the store ingested incrementally, the
intent model linked from the main home rather than trained again."""

from __future__ import annotations

from pathlib import Path

from core.settings import Settings
from lab.fixtures import catalog_store, scaled_catalog, scaled_home, scaled_store


def test_scaled_store_generates_once_ingests_incrementally_and_links_the_model(tmp_path: Path) -> None:
    main = Settings(home=tmp_path / "main")
    main.nlu_model_dir.mkdir(parents=True)
    (main.nlu_model_dir / "labels.json").write_text("[]")

    store = scaled_store(main, 40, progress=False)
    assert store.home == scaled_home(main, 40) == main.home / "bench" / "scaled-40"
    assert store.catalog_path == scaled_catalog(main, 40) and len(store.catalog_path.read_text().splitlines()) == 40
    assert store.nlu_model_dir.is_symlink() and (store.nlu_model_dir / "labels.json").read_text() == "[]"
    assert store.resolved_database_url.endswith(str(store.home / "conversations.db"))

    written = store.catalog_path.stat().st_mtime_ns
    again = scaled_store(main, 40, progress=False)
    assert again.home == store.home and again.catalog_path.stat().st_mtime_ns == written
    assert scaled_home(main, 40, seed=8) != store.home


def test_catalog_store_keys_its_home_by_catalog_and_links_the_model(tmp_path: Path) -> None:
    main = Settings(home=tmp_path / "main")
    main.nlu_model_dir.mkdir(parents=True)
    catalog = scaled_catalog(Settings(home=tmp_path / "elsewhere"), 25)
    store = catalog_store(main, [catalog])
    assert store.home.parent == main.home / "test-catalogs" and store.chroma_dir.is_dir()
    assert store.nlu_model_dir.resolve() == main.nlu_model_dir.resolve()
    assert catalog_store(main, [catalog]).home == store.home
