"""Review texts survive ingestion through a field mapping: inline review objects (DummyJSON) and a separate reviews
table (Magento Luma), so that "what do people say about it" can quote them."""

from __future__ import annotations

from retrieval.catalog_io import load_catalog
from retrieval.mapping import load_mapping
from tests.conftest import ROOT, shared_data


def test_dummyjson_review_objects_become_review_texts() -> None:
    catalog = shared_data("dummyjson", "products.json")
    products = load_catalog([catalog], load_mapping(ROOT / "data" / "mappings" / "dummyjson.yml")).products
    reviewed = [p for p in products if p.reviews]
    assert len(reviewed) == len(products) > 100
    first = reviewed[0]
    assert first.review_count == len(first.reviews) and all(r.text and r.rating is not None and r.author for r in first.reviews)


def test_magento_reviews_table_gives_texts_with_titles_and_ratings() -> None:
    catalog = shared_data("magento-luma", "configurable_products.csv")
    products = load_catalog([catalog], load_mapping(ROOT / "data" / "mappings" / "magento_luma.yml")).products
    reviewed = [p for p in products if p.reviews]
    assert len(reviewed) > 50
    assert all(p.review_count >= len(p.reviews) for p in reviewed)
    assert all(r.title and r.author and 1 <= (r.rating or 0) <= 5 for p in reviewed for r in p.reviews)
