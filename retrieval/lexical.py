"""BM25 keyword index (bm25s) over the products' text, persisted next to the vector store."""

from __future__ import annotations

import json
import logging
import os
import re
from pathlib import Path

# bm25s imports tqdm for progress bars unless DISABLE_TQDM is set; this index never shows one (show_progress=False),
# and the serving path stays free of tqdm.
os.environ.setdefault("DISABLE_TQDM", "1")
import bm25s  # noqa: E402
from bm25s.stopwords import STOPWORDS_EN  # noqa: E402
import numpy as np  # noqa: E402
import Stemmer  # noqa: E402

from retrieval.models import Product  # noqa: E402

log = logging.getLogger(__name__)

_STEMMER = Stemmer.Stemmer("english")
_WORD = re.compile(r"(?u)\b\w\w+\b")
_STOPWORDS = frozenset(STOPWORDS_EN)


def tokenize(texts: list[str]) -> list[list[str]]:
    """Lower-cased, stop-word-free, stemmed words (bm25s' own tokenizer is slow on single queries)."""
    return [_STEMMER.stemWords([w for w in _WORD.findall(t.lower()) if w not in _STOPWORDS]) for t in texts]


def matched_terms(query: str, product: Product) -> list[str]:
    """The query's words that the product's text contains (compared after stemming), in query order."""
    product_stems = set(tokenize([product.lexical_text()])[0])
    words = [w for w in dict.fromkeys(_WORD.findall(query.lower())) if w not in _STOPWORDS]
    return [w for w, stem in zip(words, _STEMMER.stemWords(words)) if stem in product_stems]


class LexicalIndex:
    """Scores every product for a query; rows are in the order of ``ids``."""

    def __init__(self, retriever: bm25s.BM25, ids: list[str], fingerprint: str) -> None:
        self._retriever = retriever
        self.ids = ids
        self.fingerprint = fingerprint
        self._vocab: dict[str, int] = retriever.vocab_dict  # type: ignore[assignment]

    @classmethod
    def build(cls, ids: list[str], texts: list[str], fingerprint: str) -> LexicalIndex:
        retriever = bm25s.BM25()
        retriever.index(tokenize(texts), show_progress=False)
        return cls(retriever, ids, fingerprint)

    def save(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self._retriever.save(str(folder))
        (folder / "shopassist.json").write_text(json.dumps({"ids": self.ids, "fingerprint": self.fingerprint}))

    @classmethod
    def load(cls, folder: Path, fingerprint: str) -> LexicalIndex | None:
        """The saved index, or None when it is missing or was built from another catalog version."""
        meta_file = folder / "shopassist.json"
        if not meta_file.exists():
            return None
        meta = json.loads(meta_file.read_text())
        if meta.get("fingerprint") != fingerprint:
            return None
        return cls(bm25s.BM25.load(str(folder)), meta["ids"], fingerprint)

    def scores(self, query: str, mask: np.ndarray | None = None) -> np.ndarray:
        """BM25 score per product (0 where ``mask`` is False or nothing matches)."""
        tokens = [t for t in tokenize([query])[0] if t in self._vocab]
        if not tokens:
            return np.zeros(len(self.ids), dtype=np.float32)
        weight_mask = None if mask is None else mask.astype(np.float32)
        return np.asarray(self._retriever.get_scores(tokens, weight_mask=weight_mask), dtype=np.float32)
