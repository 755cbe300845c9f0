"""A policy section split into clauses (sentences and list items), and the few clauses that answer a question.

Clauses are ranked by BM25 (bm25s, with the catalog's own tokenizer) fused with the cosine similarity of the query
encoder's embeddings, when an encoder is given; without one, BM25 alone decides. Chinese sections (``language="zh"``)
split at 。！？ and are indexed by character bigrams (no word segmenter needed), English words beside them as usual."""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from retrieval.lexical import tokenize

os.environ.setdefault("DISABLE_TQDM", "1")
import bm25s  # noqa: E402

from core.language import Language  # noqa: E402

log = logging.getLogger(__name__)

#: Embeds one text into a unit vector (the product store's ``embed_query``).
Embed = Callable[[str], np.ndarray]

#: Keys of a section that are not clauses.
META_KEYS = frozenset({"title", "name"})
#: Keys whose short values are still shown as sentences, not as "Key: value".
PROSE_KEYS = frozenset({"summary", "text", "description"})
#: A value shorter than this is shown as "Key: value".
SHORT_VALUE = 60

#: A sentence ends at . ! or ? followed by a capital or a digit, but not after "a.m.", "p.m.", "e.g." or "i.e.".
_SENTENCE_END = re.compile(r"(?<=[.!?])(?<![ap]\.m\.)(?<!e\.g\.)(?<!i\.e\.)\s+(?=[A-Z0-9“\"])")

#: A Chinese sentence ends at 。！ or ？ (a closing quote or bracket stays with it).
_SENTENCE_END_ZH = re.compile(r"(?<=[。！？])(?![”’」』）)])\s*|(?<=[。！？][”’」』）)])\s*|\n+")
#: Runs of CJK ideographs, which Chinese text is matched by (as character bigrams).
_CJK_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
#: What ends a Chinese value written as a sentence (a value without it is shown as "标签：值").
ZH_STOPS = ("。", "！", "？")

#: Question words that say nothing about which clause is meant (stemmed, as ``tokenize`` writes them).
QUESTION_STEMS = frozenset(tokenize([
    "can could would should do does did you your yours my mine me we our us what how when where which who why "
    "have has had am was were get please tell know want like need any there here ok okay hi hello hey thanks "
    "policy policies rule rules term terms info information detail details question store shop say about from "
    "some just also so very too really much still yet then"
])[0])
#: Phrasings of a question rewritten into the words a clause uses (for BM25 only; the encoder reads the question).
EXPANSIONS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"\bhow much\b|\bcharges?\b|\bprice\b"), r"\g<0> cost costs fee"),
    (re.compile(r"\bhow long\b|\bhow many days\b|\bhow fast\b|\bhow soon\b|\bwhen\b"), r"\g<0> days"),
    (re.compile(r"\bmoney back\b"), "refund"),
    (re.compile(r"\bsend (it |them )?back\b"), "return"),
    (re.compile(r"\bopened\b|\bunboxed\b|\bused\b|\bworn\b|\btried (it |them )?on\b|\bwithout (the )?(box|tags)\b"),
     r"\g<0> unused condition packaging tags"),
    (re.compile(r"\bbroken\b|\bfaulty\b|\bdoesn'?t work\b|\bstopped working\b"), r"\g<0> defective damaged"),
    (re.compile(r"\bcheaper\b|\bprice (dropped|drops|went down)\b|\bgone down\b|\bon sale\b"), r"\g<0> price drops difference"),
    (re.compile(r"\bchristmas\b|\bholidays?\b"), r"\g<0> holidays closed"),
)

#: Chinese question words and fillers that name no clause (as the bigrams ``tokenize_zh`` makes of them).
QUESTION_WORDS_ZH = ("请问 什么 怎么 怎样 怎么样 如何 多少 可以 能不能 可不可以 是不是 是否 有没有 没有 你们 我们 我的 您的 你的 "
                     "政策 规定 规则 条款 说明 一下 告诉 知道 想问 想要 需要 关于 的话 吗 呢 吧 啊 嘛 亲 在吗 谢谢 店里 这里 那个 这个")
#: Chinese phrasings rewritten into the words a clause uses (for BM25 only).
EXPANSIONS_ZH: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"多少钱|收费|费用|价钱"), r"\g<0> 运费 费用"),
    (re.compile(r"多久|多长时间|几天|多少天|什么时候|何时"), r"\g<0> 工作日 天内"),
    (re.compile(r"送到|到货|寄到|收到货"), r"\g<0> 配送 标准"),  # "多久能送到": standard delivery unless another is named
    (re.compile(r"退钱|钱退"), "退款"),
    (re.compile(r"寄回|寄回去|退回去"), "退货"),
    (re.compile(r"拆封|拆开|用过|穿过|试穿|没有包装|没吊牌"), r"\g<0> 未使用 包装 吊牌 拆封"),
    (re.compile(r"坏了|故障|不能用|质量问题|有问题"), r"\g<0> 损坏 缺陷 故障"),
    (re.compile(r"降价|便宜了|差价"), r"\g<0> 降价 差价"),
    (re.compile(r"包邮|免邮"), r"\g<0> 免运费 包邮"),
    (re.compile(r"节假日|过年|春节|圣诞"), r"\g<0> 节假日 暂停"),
    (re.compile(r"沙发|茶几|书桌|书架|衣柜|餐桌|椅子|办公椅"), r"\g<0> 家具"),  # the policies name furniture as a whole
)

#: A BM25 score ``s`` counts as ``s / (s + LEXICAL_SATURATION)``: a clause that shares one rare word with the question
#: scores about half as much as one that shares several, whatever the section's scale.
LEXICAL_SATURATION = 1.0
#: How much that saturated BM25 score weighs against the cosine similarity.
LEXICAL_WEIGHT = 1.0
#: Clauses within this margin of the best one's score are given with it (BM25 alone: the wider margin).
MARGIN = 0.1
LEXICAL_ONLY_MARGIN = 0.15


@dataclass(frozen=True)
class Clause:
    """One sentence or list item of a policy, as written; ``field`` is the key it came from, in words."""

    field: str
    text: str

    @property
    def indexed(self) -> str:
        """What matching reads: the key's words with the text, so "window" finds "Window: 30 days …"."""
        if self.text.lower().startswith(self.field.lower()):
            return self.text
        return f"{self.field}：{self.text}" if _CJK_RUN.search(self.field) else f"{self.field}: {self.text}"


def split_sentences(text: str, language: Language = "en") -> list[str]:
    pattern = _SENTENCE_END_ZH if language == "zh" else _SENTENCE_END
    return [s.strip() for s in pattern.split(text.strip()) if s.strip()]


def clauses_of(node: Any, field: str = "", *, language: Language = "en", labels: Mapping[str, str] | None = None) -> list[Clause]:
    """Flatten a YAML policy section into clauses, keeping every figure as written. A short value (under 60
    characters) becomes "Key: value"; longer values and list items become one clause per sentence.

    Chinese (``language="zh"``): a value that does not end with 。！？ becomes "标签：值", the key's label taken from
    ``labels``; the others become one clause per sentence."""
    if isinstance(node, str):
        return [Clause(field, s) for s in split_sentences(node, language)]
    if isinstance(node, bool) or isinstance(node, (int, float)):
        return [Clause(field, f"{field}: {node}".strip(": "))]
    if isinstance(node, list):
        return [c for item in node for c in clauses_of(item, field, language=language, labels=labels)]
    if isinstance(node, dict):
        out: list[Clause] = []
        for key, value in node.items():
            if key in META_KEYS:
                continue
            if language == "zh":
                out.extend(_clauses_zh(str(key), value, labels or {}))
                continue
            label = str(key).replace("_", " ")
            if isinstance(value, (int, float, bool)):
                out.append(Clause(label, f"{label.capitalize()}: {value}."))
            elif isinstance(value, str) and key not in PROSE_KEYS and len(value) < SHORT_VALUE:
                out.append(Clause(label, f"{label.capitalize()}: {value}"))
            else:
                out.extend(clauses_of(value, label))
        return out
    return []


def _clauses_zh(key: str, value: Any, labels: Mapping[str, str]) -> list[Clause]:
    label = str(labels.get(key, key.replace("_", " ")))
    if isinstance(value, (int, float, bool)):
        return [Clause(label, f"{label}：{value}。")]
    if isinstance(value, str) and key not in PROSE_KEYS and not value.rstrip().endswith(ZH_STOPS):
        return [Clause(label, f"{label}：{value.strip()}")]
    return clauses_of(value, label, language="zh", labels=labels)


def tokenize_zh(text: str) -> list[str]:
    """Chinese text as BM25 reads it: the character bigrams of every CJK run (a lone character as itself), and the
    stemmed English words of the rest ("订单满$50免运费": 订单 单满 免运 运费, and 50)."""
    tokens: list[str] = []
    for run in _CJK_RUN.findall(text):
        tokens += [run] if len(run) == 1 else [run[i : i + 2] for i in range(len(run) - 1)]
    return tokens + tokenize([_CJK_RUN.sub(" ", text)])[0]


_QUESTION_BIGRAMS_ZH = frozenset(t for word in QUESTION_WORDS_ZH.split() for t in tokenize_zh(word))


def query_terms(text: str, language: Language = "en") -> list[str]:
    """The question's stems that can tell clauses apart: question words dropped, a few phrasings expanded."""
    rewritten = text.lower()
    if language == "zh":
        for pattern, replacement in EXPANSIONS_ZH:
            rewritten = pattern.sub(replacement, rewritten)
        english = [t for t in tokenize([_CJK_RUN.sub(" ", rewritten)])[0] if t not in QUESTION_STEMS]
        chinese = [t for t in tokenize_zh(" ".join(_CJK_RUN.findall(rewritten))) if t not in _QUESTION_BIGRAMS_ZH]
        return chinese + english
    for pattern, replacement in EXPANSIONS:
        rewritten = pattern.sub(replacement, rewritten)
    return [t for t in tokenize([rewritten])[0] if t not in QUESTION_STEMS]


#: A clause that leans on the one before it: "another 3–5 business days", "It is issued …", 另外.
_CONTINUES = re.compile(r"\b(?:another|also)\b|^(?:it|they|this|that|these|those|then)\b|^(?:另外|此外|同时)", re.IGNORECASE)


class ClauseRanker:
    """The clauses of one section, indexed for BM25; their embeddings are computed on first use."""

    def __init__(self, clauses: list[Clause], language: Language = "en") -> None:
        self.clauses = clauses
        self.language = language
        self._bm25 = bm25s.BM25()
        tokens: Callable[[str], list[str]] = tokenize_zh if language == "zh" else (lambda text: tokenize([text])[0])
        self._bm25.index([tokens(c.indexed) or ["_"] for c in clauses], show_progress=False)
        self._vocab: dict[str, int] = self._bm25.vocab_dict  # type: ignore[assignment]
        self._vectors: np.ndarray | None = None

    def knows(self, term: str) -> bool:
        """Whether some clause contains this (stemmed) word."""
        return term in self._vocab

    def lexical(self, terms: list[str]) -> np.ndarray:
        known = [t for t in terms if t in self._vocab]
        if not known:
            return np.zeros(len(self.clauses), dtype=np.float32)
        return np.asarray(self._bm25.get_scores(known), dtype=np.float32)

    def semantic(self, text: str, embed: Embed | None) -> np.ndarray | None:
        """Cosine similarity of the question to each clause; None without an encoder (or when it fails)."""
        if embed is None:
            return None
        try:
            if self._vectors is None:
                self._vectors = np.stack([_unit(embed(c.indexed)) for c in self.clauses])
            return self._vectors @ _unit(embed(text))
        except Exception as exc:  # noqa: BLE001 - an encoder that cannot run leaves BM25 to decide
            log.warning("policy clauses ranked by BM25 alone: the query encoder failed (%s)", exc)
            return None

    def scores(self, text: str, embed: Embed | None = None) -> tuple[np.ndarray, bool]:
        """One score per clause, and whether the encoder took part: the cosine similarity plus the saturated BM25
        score, or the saturated BM25 score alone."""
        lexical = self.lexical(query_terms(text, self.language))
        saturated = lexical / (lexical + LEXICAL_SATURATION)
        semantic = self.semantic(text, embed)
        return (saturated, False) if semantic is None else (semantic + LEXICAL_WEIGHT * saturated, True)

    def best(self, text: str, embed: Embed | None = None, limit: int = 3) -> list[Clause]:
        """The best clause, and up to ``limit - 1`` more that score nearly as well (best first); none when BM25
        alone decides and no clause shares a word with the question."""
        if not self.clauses:
            return []
        scores, fused = self.scores(text, embed)
        order = np.argsort(-scores, kind="stable")
        top = float(scores[order[0]])
        if not fused and top <= 0:
            return []
        margin = MARGIN if fused else LEXICAL_ONLY_MARGIN
        chosen = [int(i) for i in order[:limit] if float(scores[i]) >= top - margin]
        return [self.clauses[i] for i in self._with_what_they_continue(chosen)]

    def _with_what_they_continue(self, chosen: list[int]) -> list[int]:
        """The chosen clauses, each that continues the clause before it in its field ("Your bank may take *another*
        3–5 business days") after that one, so that no answer starts in the middle of a thought."""
        out: list[int] = []
        for i in chosen:
            before = i - 1
            if _CONTINUES.search(self.clauses[i].text) and before >= 0 and self.clauses[before].field == self.clauses[i].field \
                    and before not in out:
                out.append(before)
            if i not in out:
                out.append(i)
        return out


def _unit(vector: np.ndarray) -> np.ndarray:
    vector = np.asarray(vector, dtype=np.float32)
    norm = float(np.linalg.norm(vector))
    return vector / norm if norm > 0 else vector
