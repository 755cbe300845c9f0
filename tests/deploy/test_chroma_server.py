"""The product store on a ``chroma run`` server, chosen by settings only: ingest through it, search through it."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.errors import BackendUnavailableError
from core.settings import DATA_DIR, Settings
from retrieval.chroma_store import ChromaCatalog
from retrieval.models import Product
from retrieval.product_store import HybridProductStore
from tests.deploy.conftest import deployment_env, run_cli
from tests.deploy.processes import chroma_server, free_port

pytestmark = pytest.mark.slow

SLICE = 40


def test_the_cli_ingests_through_the_server_and_a_server_backed_store_searches(tmp_path: Path, embedder) -> None:  # type: ignore[no-untyped-def]
    port = free_port()
    server = chroma_server(tmp_path / "chroma", port, tmp_path).start(timeout_s=90)
    try:
        _ingest_and_search(tmp_path, port, embedder)
    finally:
        server.stop()


def _ingest_and_search(tmp_path: Path, port: int, embedder) -> None:  # type: ignore[no-untyped-def]
    rows = [line for line in (DATA_DIR / "catalog" / "demo.jsonl").read_text().splitlines() if line.strip()][:SLICE]
    catalog = tmp_path / "slice.jsonl"
    catalog.write_text("\n".join(rows) + "\n")
    env = {**deployment_env(tmp_path / "home", port, "sqlite:///unused.db", "http://127.0.0.1:9/v1"),
           "SHOPASSIST_COLLECTION": "deploy-slice"}

    first = run_cli(env, "ingest", str(catalog))
    again = run_cli(env, "ingest", str(catalog))  # incremental: the server's content hashes say nothing changed
    assert (first["embedded"], first["total_in_store"]) == (SLICE, SLICE), first
    assert (again["embedded"], again["unchanged"]) == (0, SLICE), again

    settings = Settings(home=tmp_path / "home", chroma_mode="http", chroma_port=port, collection="deploy-slice")
    store = HybridProductStore.open(settings, embedder)
    assert store.catalog.client.get_settings().chroma_api_impl.endswith("fastapi.FastAPI")  # an HTTP client, not embedded
    assert len(store.products()) == SLICE
    target = Product.model_validate_json(rows[7])
    hits = store.search(target.title, k=3)
    assert target.id in [hit.product.id for hit in hits]
    assert store.catalog.query(store.embedder.embed_query(target.title), None, 1)[0][0] == target.id  # HNSW on the server


def test_a_missing_chroma_server_is_a_clear_error(tmp_path: Path, embedder) -> None:  # type: ignore[no-untyped-def]
    settings = Settings(home=tmp_path / "home", chroma_mode="http", chroma_port=free_port())
    with pytest.raises(BackendUnavailableError, match="Cannot open the Chroma product store at 127.0.0.1"):
        ChromaCatalog(settings, embedder)


def test_a_chroma_server_going_away_is_a_503_class_error_not_a_crash(tmp_path: Path, embedder) -> None:  # type: ignore[no-untyped-def]
    """Filtered searches run on the in-memory matrix; unfiltered ones ask the server's HNSW index, which may be gone."""
    port = free_port()
    server = chroma_server(tmp_path / "chroma", port, tmp_path).start(timeout_s=90)
    try:
        settings = Settings(home=tmp_path / "home", chroma_mode="http", chroma_port=port, collection="going-away")
        catalog = ChromaCatalog(settings, embedder)
        product = Product.model_validate_json((DATA_DIR / "catalog" / "demo.jsonl").read_text().splitlines()[0])
        catalog.upsert([product], embedder.embed([product.embedding_text()]))
        vector = embedder.embed_query(product.title)
        assert catalog.query(vector, None, 1)[0][0] == product.id
    finally:
        server.stop()
    with pytest.raises(BackendUnavailableError, match="did not answer"):
        catalog.query(vector, None, 1)
