"""The Chroma collection that stores products: embedded PersistentClient or a ``chroma run`` server."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable, Iterator
from typing import Any

import numpy as np

from core.errors import BackendUnavailableError, NotReadyError
from core.settings import RetrievalSettings
from retrieval.embedder import MINILM_NAME, ChromaEmbeddingFunction, Embedder
from retrieval.models import CORE_ATTRIBUTES, Product

log = logging.getLogger(__name__)

PAGE = 2000
#: Collection metadata naming the encoder of the stored vectors (absent: MiniLM, the only encoder before issue 19).
ENCODER_METADATA = "encoder"
#: Collection metadata naming the fingerprint of the contents a saved snapshot holds (``retrieval.snapshot``); empty
#: from the first write after it until ingest records the new one.
SNAPSHOT_METADATA = "snapshot"


def norm(value: str) -> str:
    return " ".join(value.lower().split())


#: Bump when ``Product.embedding_text`` or the embedder changes, so every product is re-embedded once.
EMBEDDING_VERSION = "minilm-l6-v2/text-2"


def content_hash(product: Product, encoder: str = "torch") -> str:
    """Changes whenever anything about the product (or how it is embedded: ``encoder`` is the embedder's variant)
    changes; unchanged rows are not re-embedded."""
    # Products without review texts hash as before review texts existed, so stores from then are not re-embedded.
    # ``encoder`` is the embedder's ``hash_key``: its variant for MiniLM (as before), with the encoder's name otherwise.
    dumped = product.model_dump_json(exclude={"reviews"} if not product.reviews else None)
    version = EMBEDDING_VERSION if encoder == "torch" else f"{EMBEDDING_VERSION}/{encoder}"
    return hashlib.sha1((version + dumped).encode()).hexdigest()


def catalog_fingerprint(hashes: Iterable[tuple[str, str]]) -> str:
    """The version of a catalog: changes when any product (``(id, content hash)``, in id order) changes."""
    return hashlib.sha1("".join(f"{pid}:{h};" for pid, h in hashes).encode()).hexdigest()


def product_metadata(product: Product, encoder: str = "torch") -> dict[str, Any]:
    """Flat, filterable metadata: scalars plus one boolean flag per category level and core attribute value."""
    meta: dict[str, Any] = {
        "price": float(product.price),
        "rating": float(product.rating or 0.0),
        "stock": int(product.stock),
        "in_stock": product.in_stock,
        "brand": norm(product.brand or ""),
        "content_hash": content_hash(product, encoder),
        "product": product.model_dump_json(),
    }
    for level in product.category:
        meta[f"cat:{norm(level)}"] = True
    for key in CORE_ATTRIBUTES:
        for value in product.values(key):
            meta[f"{key}:{norm(value)}"] = True
    return meta


class ChromaCatalog:
    """Products in one Chroma collection, with explicit embeddings and telemetry off.

    The collection records the encoder of its vectors (``ENCODER_METADATA``): opened with another encoder's embedder it
    is refused (:class:`NotReadyError`), or with ``rebuild`` (ingest) emptied so that everything is embedded again —
    MiniLM and e5 vectors are both 384-d, so Chroma itself would query one with the other without a word."""

    def __init__(self, settings: RetrievalSettings, embedder: Embedder, *, rebuild: bool = False) -> None:
        import chromadb
        from chromadb.config import Settings as ChromaSettings

        chroma_settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
        self.embedder = embedder
        self.mode = settings.chroma_mode
        try:
            if settings.chroma_mode == "http":
                self.client = chromadb.HttpClient(host=settings.chroma_host, port=settings.chroma_port, settings=chroma_settings)
            else:
                settings.chroma_dir.mkdir(parents=True, exist_ok=True)
                self.client = chromadb.PersistentClient(path=str(settings.chroma_dir), settings=chroma_settings)
            self.collection = self._open(settings.collection)
            stored = self.stored_encoder
            if stored != embedder.name and (rebuild or self.collection.count() == 0):
                if self.collection.count():
                    log.warning("chroma.rebuild collection=%s stored_encoder=%s encoder=%s", settings.collection, stored, embedder.name)
                self.client.delete_collection(settings.collection)
                self.collection = self._open(settings.collection)
        except Exception as exc:  # chromadb raises many types for a missing server
            where = f"{settings.chroma_host}:{settings.chroma_port}" if settings.chroma_mode == "http" else settings.chroma_dir
            raise BackendUnavailableError(f"Cannot open the Chroma product store at {where}: {exc}") from exc
        if self.stored_encoder != embedder.name:
            raise NotReadyError(
                f"The product store in {settings.home} (collection {settings.collection!r}) was embedded with "
                f"{self.stored_encoder}, but the product encoder is {embedder.name}: their vectors do not mix. Run "
                f"`shopassist ingest {settings.catalog_path}` to embed it again with {embedder.name}, or set "
                "SHOPASSIST_PRODUCT_ENCODER to the store's encoder.")

    def _open(self, name: str) -> Any:
        """The collection ``name``, created (recording this embedder's encoder) when missing."""
        return self.client.get_or_create_collection(
            name=name,
            embedding_function=ChromaEmbeddingFunction(self.embedder),  # type: ignore[arg-type]
            configuration={"hnsw": {"space": "cosine", "ef_construction": 200, "ef_search": 100, "max_neighbors": 16}},
            metadata={ENCODER_METADATA: self.embedder.name},  # kept as created: get_or_create ignores it for an existing one
        )

    @property
    def stored_encoder(self) -> str:
        """The encoder the stored vectors were made with."""
        return str((self.collection.metadata or {}).get(ENCODER_METADATA) or MINILM_NAME)

    def count(self) -> int:
        return self.collection.count()

    @property
    def snapshot_version(self) -> str | None:
        """The fingerprint of the current contents when a snapshot of them was recorded (None since any later write)."""
        return str((self.collection.metadata or {}).get(SNAPSHOT_METADATA) or "") or None

    def record_snapshot(self, fingerprint: str) -> None:
        """Records that the current contents, ``fingerprint``, are saved as a snapshot (ingest calls this last)."""
        self._set_metadata(fingerprint)

    def _set_metadata(self, snapshot: str) -> None:
        """Written on every call, not only when this instance's copy of the metadata differs: another process may have
        recorded a snapshot since this one read it."""
        self.collection.modify(metadata={**(self.collection.metadata or {}), SNAPSHOT_METADATA: snapshot})

    def existing_hashes(self) -> dict[str, str]:
        """id → content hash of everything stored."""
        out: dict[str, str] = {}
        for page in self._pages(include=["metadatas"]):
            for pid, meta in zip(page["ids"], page["metadatas"] or []):
                out[pid] = str((meta or {}).get("content_hash", ""))
        return out

    def upsert(self, products: list[Product], vectors: np.ndarray) -> None:
        """Stores products with their vectors and metadata. No document text: nothing reads it (BM25 is our own index)
        and Chroma's full-text index of it took a fifth of the insert time."""
        self._set_metadata("")  # the recorded snapshot no longer holds the contents
        for start in range(0, len(products), PAGE):
            chunk = products[start : start + PAGE]
            self.collection.upsert(
                ids=[p.id for p in chunk],
                embeddings=vectors[start : start + PAGE],
                metadatas=[product_metadata(p, self.embedder.hash_key) for p in chunk],
            )

    def delete(self, ids: list[str]) -> None:
        if ids:
            self._set_metadata("")
        for start in range(0, len(ids), PAGE):
            self.collection.delete(ids=ids[start : start + PAGE])

    def snapshot(self) -> tuple[list[Product], str]:
        """Every stored product ordered by id, and a fingerprint that changes when any of them changes."""
        rows: list[tuple[str, str, str]] = []
        for page in self._pages(include=["metadatas"]):
            for pid, meta in zip(page["ids"], page["metadatas"] or []):
                meta = meta or {}
                rows.append((pid, str(meta.get("content_hash", "")), str(meta["product"])))
        rows.sort()
        return [Product.model_validate_json(raw) for _, _, raw in rows], catalog_fingerprint((pid, h) for pid, h, _ in rows)

    def query(self, vector: np.ndarray, where: dict[str, Any] | None, n: int) -> list[tuple[str, float]]:
        """(id, cosine similarity) of the ``n`` nearest products passing ``where``; a Chroma server that does not
        answer is a :class:`BackendUnavailableError` (the API's 503), not an internal error."""
        try:
            result = self.collection.query(query_embeddings=[vector], n_results=n, where=where, include=["distances"])
        except Exception as exc:  # chromadb raises many types (httpx, its own) for a server that went away
            if self.mode != "http":
                raise
            raise BackendUnavailableError(f"The Chroma product store did not answer: {type(exc).__name__}") from exc
        ids = result["ids"][0]
        distances = (result.get("distances") or [[]])[0]
        return [(pid, 1.0 - float(d)) for pid, d in zip(ids, distances)]

    def embeddings(self, ids: list[str]) -> dict[str, np.ndarray]:
        """Stored vectors of ``ids`` (ids not stored are left out); the product store keeps them in memory."""
        out: dict[str, np.ndarray] = {}
        for start in range(0, len(ids), PAGE):
            page = self.collection.get(ids=ids[start : start + PAGE], include=["embeddings"])  # type: ignore[list-item]
            vectors = page.get("embeddings")
            if vectors is None:
                continue
            for pid, vector in zip(page["ids"], vectors):
                out[pid] = np.asarray(vector, dtype=np.float32)
        return out

    def _pages(self, include: list[str]) -> Iterator[dict[str, Any]]:
        offset = 0
        while True:
            page = self.collection.get(include=include, limit=PAGE, offset=offset)  # type: ignore[arg-type]
            if not page["ids"]:
                return
            yield page  # type: ignore[misc]
            offset += len(page["ids"])
