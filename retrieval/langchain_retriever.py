"""The product store as a LangChain retriever, so LangChain chains and agents can search the catalog.

    from retrieval.langchain_retriever import ProductRetriever
    retriever = ProductRetriever(store=HybridProductStore.open(settings), k=5)
    docs = retriever.invoke("waterproof jacket under $100")
    docs[0].metadata["price"], docs[0].metadata["product_id"]

Each ``Document`` holds the product's title and key facts as text, and its fields (id, title, brand, category,
price, currency, rating, stock, score, reasons) as metadata. See docs/llm.md for a chain with ``ChatOpenAI``.
"""

from __future__ import annotations

from typing import Any

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import Field, SkipValidation

from core.money import money
from retrieval.models import ProductHit, SearchConstraints
from retrieval.product_store import ProductStore


def hit_document(hit: ProductHit) -> Document:
    """One search hit as a LangChain document (text for the model, fields for code)."""
    p = hit.product
    lines = [p.title, f"Brand: {p.brand}" if p.brand else "", f"Category: {' > '.join(p.category)}", f"Price: {money(p.price, p.currency)} ({p.currency})",
             f"Rating: {p.rating:.1f} ({p.review_count or 0:,} reviews)" if p.rating is not None else "", "In stock" if p.in_stock else "Out of stock"]
    lines += [f"{key.capitalize()}: {', '.join(values[:6])}" for key, values in p.attributes.items()]
    if p.description:
        lines.append(p.description)
    metadata: dict[str, Any] = {
        "product_id": p.id, "title": p.title, "brand": p.brand, "category": " > ".join(p.category), "price": p.price, "currency": p.currency,
        "rating": p.rating, "review_count": p.review_count, "in_stock": p.in_stock, "stock": p.stock, "image_url": p.image_url,
        "score": hit.score, "reasons": list(hit.reasons),
    }
    return Document(page_content="\n".join(line for line in lines if line), metadata=metadata, id=p.id)


class ProductRetriever(BaseRetriever):
    """Hybrid (dense + BM25) product search behind LangChain's retriever interface."""

    store: SkipValidation[ProductStore] = Field(description="Any ProductStore, e.g. HybridProductStore.open(settings).")
    k: int = Field(default=5, ge=1, le=100, description="Documents returned per query.")
    constraints: SearchConstraints | None = Field(default=None, description="Hard filters applied to every query (price, brand, ...).")

    def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun) -> list[Document]:
        return [hit_document(hit) for hit in self.store.search(query, self.constraints, k=self.k)]
