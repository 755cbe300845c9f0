"""Precomputed product embeddings: embed a large catalog once where it is fast (a GPU host), ingest it anywhere.

The cache is one ``.npz`` file: ``keys`` (SHA-1 of each product's embedding text) and ``vectors`` (float16, unit
length). ``shopassist embed CATALOG --out FILE [--device cuda]`` writes it; ``SHOPASSIST_EMBEDDING_CACHE=FILE``
makes ``shopassist ingest`` take vectors from it and embed only the texts it lacks. float16 storage changes a cosine
by under 1e-3. The same model must be used on both sides (the file records its name and dimension).

This module imports neither Chroma nor the rest of the retrieval stack, so a bare GPU host with torch and
sentence-transformers can run :func:`build_cache`.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

log = logging.getLogger(__name__)


def text_key(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


class EmbeddingCache:
    def __init__(self, path: Path) -> None:
        with np.load(path, allow_pickle=False) as data:
            self.model = str(data["model"]) if "model" in data.files else ""
            keys = [str(k) for k in data["keys"]]
            self._vectors = data["vectors"]
        self._row = {key: i for i, key in enumerate(keys)}
        self.path = path
        log.info("embedding_cache.loaded path=%s vectors=%d model=%s", path, len(keys), self.model)

    def __len__(self) -> int:
        return len(self._row)

    @property
    def dimension(self) -> int:
        return int(self._vectors.shape[1])

    def embed(self, texts: Sequence[str], embed_missing: Callable[[list[str]], np.ndarray]) -> np.ndarray:
        """Vectors for ``texts`` (float32, unit length): from the cache where present, else from ``embed_missing``."""
        rows = [self._row.get(text_key(t)) for t in texts]
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        missing = [i for i, row in enumerate(rows) if row is None]
        found = [i for i, row in enumerate(rows) if row is not None]
        if found:
            cached = self._vectors[[rows[i] for i in found]].astype(np.float32)
            out[found] = cached / np.maximum(np.linalg.norm(cached, axis=1, keepdims=True), 1e-12)
        if missing:
            out[missing] = embed_missing([texts[i] for i in missing])
        return out


def write_cache(path: Path, texts: Sequence[str], vectors: np.ndarray, model: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    keys = np.array([text_key(t) for t in texts])
    with path.open("wb") as handle:
        np.savez(handle, keys=keys, vectors=vectors.astype(np.float16), model=np.array(model))
    return path


def build_cache(texts: Sequence[str], out: Path, model_dir: Path, *, name: str = "all-MiniLM-L6-v2", device: str = "cpu",
                batch_size: int = 256, progress: bool = True, prefix: str = "") -> Path:
    """Embed ``texts`` with the (mean-pooled) model in ``model_dir`` on ``device`` and write the cache; ``prefix`` goes
    before every text (e5's "passage: "), the keys stay those of the texts themselves."""
    from sentence_transformers import SentenceTransformer

    model = SentenceTransformer(str(model_dir), device=device, local_files_only=True)
    unique = list(dict.fromkeys(texts))
    vectors = model.encode([prefix + t for t in unique], batch_size=batch_size, normalize_embeddings=True, convert_to_numpy=True,
                           show_progress_bar=progress)
    return write_cache(out, unique, vectors, name)
