"""BM25 keyword index (bm25s) over the products' text, persisted next to the vector store."""

from __future__ import annotations

import json
import logging
import os
import re
import warnings
from collections.abc import Callable
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
#: A run of Han characters (CJK Unified Ideographs, extension A, compatibility): segmented by jieba, not by _WORD.
_HAN_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
#: Chinese function words and shopping filler that say nothing about a product.
ZH_STOPWORDS = frozenset("""
的 了 吗 呢 吧 啊 呀 哦 嘛 么 我 你 您 他 她 它 我们 你们 想 要 想要 需要 有 有没有 没有 是 不是 在 在吗 和 与 或 或者 跟
这 那 这个 那个 这款 那款 个 款 件 双 台 一个 一款 一双 一件 一台 请 请问 帮 帮我 给 给我 看 看看 一下 什么 怎么 怎样
多少 哪个 哪些 哪款 亲 能 能不能 可以 还 就 都 也 很 太 吧 呗 买 找 推荐 一些 有些 些 左右 以内 以下 以上 之间
""".split())


def _segmenter() -> Callable[[str], list[str]]:
    """jieba's search-mode segmentation (a word and its shorter words: "跑步鞋" → "跑步", "鞋"), loaded on first use
    (about 1 s to build its dictionary, then cached by jieba in the temp folder)."""
    global _SEGMENT
    if _SEGMENT is None:
        with warnings.catch_warnings():  # jieba 0.42's regexes warn (invalid escapes) when first compiled
            warnings.simplefilter("ignore", DeprecationWarning)
            import jieba

        jieba.setLogLevel(logging.WARNING)
        _SEGMENT = jieba.Tokenizer().lcut_for_search
    return _SEGMENT


_SEGMENT: Callable[[str], list[str]] | None = None


def _terms(text: str) -> list[tuple[str, str]]:
    """(surface, index term) pairs of ``text``: English words lower-cased, stop words out, stemmed; Chinese runs
    segmented into words (stop words out, not stemmed)."""
    lowered = text.lower()
    latin = [w for w in _WORD.findall(_HAN_RUN.sub(" ", lowered)) if w not in _STOPWORDS]
    pairs = list(zip(latin, _STEMMER.stemWords(latin)))
    if _HAN_RUN.search(lowered):
        segment = _segmenter()
        pairs += [(w, w) for run in _HAN_RUN.findall(lowered) for w in segment(run) if w.strip() and w not in ZH_STOPWORDS]
    return pairs


def tokenize(texts: list[str]) -> list[list[str]]:
    """Index terms per text: English words lower-cased, stop-word-free and stemmed; Chinese segmented by jieba
    (bm25s' own tokenizer is slow on single queries and knows no Chinese)."""
    return [[term for _, term in _terms(t)] for t in texts]


def product_terms(product: Product) -> frozenset[str]:
    """The index terms of the product's text."""
    return frozenset(tokenize([product.lexical_text()])[0])


def matched_terms(query: str, terms: frozenset[str]) -> list[str]:
    """The query's words that a product's text contains (``terms``: its :func:`product_terms`), in query order."""
    return list(dict.fromkeys(word for word, term in _terms(query) if term in terms))


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
