"""Products and queries share one encoder and one vector space: a product's vector is its text's query vector."""

from __future__ import annotations

import json

import numpy as np

from core.settings import DATA_DIR, Settings
from retrieval.encoders import product_embedder
from retrieval.models import Product


def _demo_texts(n: int) -> list[str]:
    with open(DATA_DIR / "catalog" / "demo.jsonl", encoding="utf-8") as rows:
        return [Product.model_validate(json.loads(line)).embedding_text() for _, line in zip(range(n), rows)]


def test_a_products_vector_is_the_query_vector_of_its_text(embedder) -> None:  # type: ignore[no-untyped-def]
    texts = _demo_texts(12)
    products = embedder.embed(texts)
    queries = np.stack([embedder.embed_query(text) for text in texts])
    assert products.shape == queries.shape
    np.testing.assert_array_equal(products, queries)  # each product is encoded alone, as a query is: the same numbers


def test_parallel_sessions_give_each_text_its_own_vector_in_order(embedder, tmp_path) -> None:  # type: ignore[no-untyped-def]
    texts = _demo_texts(40) + ["", "a", "a much longer text " * 30]  # uneven lengths, an empty text, one truncated
    two = product_embedder(Settings(home=tmp_path, model_cache=embedder.query_encoder_dir.parent), threads=2)
    assert two.query_encoder_dir == embedder.query_encoder_dir  # the same export, no second one
    vectors = two.embed(texts)
    np.testing.assert_array_equal(vectors, embedder.embed(texts))  # two sessions side by side, one session alone
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert len({v.tobytes() for v in vectors}) == len(texts)
