"""Dense search that reads Chinese (issue 19 item 3): the zh catalog's products embedded with multilingual-e5-small
(``SHOPASSIST_PRODUCT_ENCODER=e5-small``, its default with the zh catalog) are found by a word the catalog never uses,
where BM25 finds nothing; a store embedded with one encoder is never queried with another's vectors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from core.errors import NotReadyError, UserError
from core.settings import DATA_DIR, Settings
from retrieval.embedding_cache import write_cache

ZH_CATALOG = DATA_DIR / "catalog" / "demo_zh.jsonl"
#: A slice of the Chinese catalog: 15 products of each of these leaf categories (enough rivals, a quick ingest).
LEAVES = ("口红", "香水", "洗发水", "乳液面霜", "吹风机", "抱枕", "地毯", "花瓶")


@pytest.fixture(scope="module")
def zh_slice(tmp_path_factory: pytest.TempPathFactory) -> Path:
    rows = [line for line in ZH_CATALOG.read_text(encoding="utf-8").splitlines()
            if line.strip() and json.loads(line)["category"][-1] in LEAVES]
    path = tmp_path_factory.mktemp("zh-slice") / "slice.jsonl"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def e5_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    # torch rather than the int8 ONNX export: the same encoder (cosine ≥ 0.99 to it) without a 45 s export per session
    return Settings(home=tmp_path_factory.mktemp("zh-e5-home"), catalog="zh", query_encoder="torch")


def test_the_zh_catalog_defaults_to_e5_and_english_keeps_minilm() -> None:
    assert Settings(catalog="zh").product_encoder == "e5-small"
    assert Settings(catalog="zh", product_encoder="minilm").product_encoder == "minilm"
    assert Settings().product_encoder == "minilm"


def test_e5_finds_lipstick_by_a_word_bm25_does_not_know(e5_settings: Settings, zh_slice: Path) -> None:
    from retrieval.ingest import ingest
    from retrieval.product_store import HybridProductStore

    report = ingest([zh_slice], e5_settings, progress=False)
    assert report.embedded == report.total_in_store == 15 * len(LEAVES)
    store = HybridProductStore.open(e5_settings)
    assert store.embedder.name == "multilingual-e5-small"
    query = "唇膏"  # lip balm: the catalog says 口红 (lipstick) and never 唇膏, not one character in common
    assert not store.lexical.scores(query).any(), "BM25 alone finds nothing for it"
    top = [hit.product for hit in store.search(query, k=5)]
    assert sum(p.category[-1] == "口红" for p in top) >= 4, [p.title for p in top]


def test_a_store_is_never_queried_with_another_encoders_vectors(embedder, tmp_path: Path, zh_slice: Path,  # type: ignore[no-untyped-def]
                                                                e5_settings: Settings) -> None:
    from retrieval.chroma_store import ChromaCatalog
    from retrieval.encoders import product_embedder
    from retrieval.ingest import ingest
    from retrieval.product_store import HybridProductStore

    settings = e5_settings.model_copy(update={"home": tmp_path / "home"})
    ingest([zh_slice], settings, embedder=embedder, progress=False)  # the session's MiniLM: a MiniLM store
    e5 = product_embedder(settings, threads=1)
    with pytest.raises(NotReadyError, match="embedded with all-MiniLM-L6-v2, but the product encoder is multilingual-e5-small"):
        HybridProductStore.open(settings, e5)
    report = ingest([zh_slice], settings, embedder=e5, progress=False)  # ingest embeds it all again with e5
    assert report.embedded == report.total_in_store == 15 * len(LEAVES) and report.unchanged == 0
    assert ChromaCatalog(settings, e5).stored_encoder == "multilingual-e5-small"
    assert HybridProductStore.open(settings, e5).search("唇膏", k=1)[0].product.category[-1] == "口红"
    with pytest.raises(NotReadyError, match="embedded with multilingual-e5-small"):
        HybridProductStore.open(settings, embedder)
    # precomputed vectors of another encoder are refused too (both make 384-d vectors)
    cache = write_cache(tmp_path / "minilm.npz", ["x"], embedder.embed(["x"]), "all-MiniLM-L6-v2")
    with pytest.raises(UserError, match="holds all-MiniLM-L6-v2 vectors"):
        ingest([zh_slice], settings.model_copy(update={"embedding_cache": cache}), embedder=e5, progress=False)
