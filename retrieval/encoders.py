"""The product encoders (``SHOPASSIST_PRODUCT_ENCODER``): which model embeds products and queries, with which prefixes,
and where its ONNX export lives. Products and queries always go through the same one: one vector space per store, and
the store records which (``retrieval.chroma_store``)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel

from core.settings import MULTILINGUAL_BASE, RetrievalSettings
from retrieval.embedder import MINILM_NAME, Embedder

EncoderKey = Literal["minilm", "e5-small"]


class EncoderSpec(BaseModel):
    """How one encoder is used: the name its vectors are recorded under, and the texts' prefixes."""

    key: EncoderKey
    name: str
    query_prefix: str = ""
    passage_prefix: str = ""
    document_tokens: int = 256


ENCODERS: dict[str, EncoderSpec] = {
    "minilm": EncoderSpec(key="minilm", name="all-MiniLM-L6-v2"),
    # e5 was trained with these prefixes and mean pooling (its model card); without them retrieval quality drops.
    "e5-small": EncoderSpec(key="e5-small", name="multilingual-e5-small", query_prefix="query: ", passage_prefix="passage: "),
}


def encoder_spec(settings: RetrievalSettings) -> EncoderSpec:
    return ENCODERS[settings.product_encoder]


def encoder_model_dir(settings: RetrievalSettings) -> Path | None:
    """The encoder's transformers folder: ``embedding_model`` when set; e5-small's in the model cache (dequantised
    the first time); None for the shipped MiniLM (the embedder finds it)."""
    if settings.embedding_model is not None:
        return settings.embedding_model
    if settings.product_encoder == "e5-small":
        from retrieval.multilingual_e5 import ensure_multilingual_e5

        return ensure_multilingual_e5(settings.model_cache)
    return None


def encoder_onnx_dir(settings: RetrievalSettings) -> Path:
    """Where the encoder's ONNX export is written: the shipped encoders' in the model cache (one export per machine,
    shared by every home: it takes ~35 s), a model of one's own (``embedding_model``) in the home."""
    if settings.embedding_model is None:
        name = f"{MULTILINGUAL_BASE}-onnx" if settings.product_encoder == "e5-small" else f"{MINILM_NAME}-onnx"
        return settings.model_cache / name
    return settings.models_dir / ("query-encoder" if settings.product_encoder == "minilm" else f"query-encoder-{settings.product_encoder}")


def product_embedder(settings: RetrievalSettings, *, threads: int, cache_size: int = 0) -> Embedder:
    """The configured product encoder as an :class:`Embedder` (its ONNX export when ``query_encoder`` says so, written
    the first time): what ingest embeds products with and a serving process embeds queries with."""
    spec = encoder_spec(settings)
    return Embedder(
        encoder_model_dir(settings), threads=threads, batch_size=settings.embed_batch_size, cache_size=cache_size,
        query_encoder=settings.query_encoder, onnx_dir=encoder_onnx_dir(settings),
        name=spec.name if settings.embedding_model is None else None,
        query_prefix=spec.query_prefix, passage_prefix=spec.passage_prefix, document_tokens=spec.document_tokens,
    )
