"""The product store behind LangChain's retriever interface, on the ingested demo catalog."""

from __future__ import annotations

from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever

from retrieval.langchain_retriever import ProductRetriever
from retrieval.models import SearchConstraints


def test_retriever_returns_documents_with_product_metadata(demo_store) -> None:  # type: ignore[no-untyped-def]
    retriever = ProductRetriever(store=demo_store, k=4)
    assert isinstance(retriever, BaseRetriever)
    docs = retriever.invoke("smartphone")
    assert 1 <= len(docs) <= 4 and all(isinstance(d, Document) for d in docs)
    first = docs[0]
    product = demo_store.get(first.metadata["product_id"])
    assert product is not None and first.id == product.id
    assert first.metadata["title"] == product.title and first.metadata["price"] == product.price
    assert first.page_content.startswith(product.title) and f"${product.price:,.2f}" in first.page_content
    assert any("Smartphones" in d.metadata["category"] for d in docs)


def test_retriever_applies_constraints(demo_store) -> None:  # type: ignore[no-untyped-def]
    retriever = ProductRetriever(store=demo_store, k=5, constraints=SearchConstraints(price_max=300))
    docs = retriever.invoke("smartphone")
    assert docs and all(d.metadata["price"] <= 300 for d in docs)
