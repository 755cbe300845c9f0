"""Evaluation texts kept out of intent training: exact and near copies of SIMMC 2.1 dev and Bitext turns.

The zero-shot SIMMC and Bitext figures (``lab/eval/simmc.py``, ``lab/eval/bitext.py``) only mean "zero-shot" if
no training example is a copy of a turn they score. :func:`find_overlap` compares every training text with every
evaluation text after :func:`normalise` (lower case, Bitext ``{{placeholders}}`` and bare numbers made one token,
punctuation dropped, whitespace collapsed): a pair is a copy when the normalised texts are equal (*exact*) or their
token sets have a Jaccard similarity of at least :data:`NEAR_JACCARD` (*near*). Candidates come from a prefix-filter
index (tokens in rarest-first order; two sets with Jaccard ≥ t share a token among the first ``|A| - ceil(t·|A|) + 1``
of each), then each is verified exactly, so the result is the same as comparing all pairs.

Evaluation texts (:func:`evaluation_texts`): every user transcript and disambiguation transcript of SIMMC 2.1 dev
(the wizard's system transcripts are never classified, so they are not compared), and every Bitext instruction
(``eval bitext`` scores the mapped rows and reports what the classifier does with the rest, and ``--sample`` draws
from all of them). Where ``../shared/data`` is absent there is
nothing to compare with: :func:`remove_overlap` then keeps the data as it is and says so
(:attr:`OverlapReport.checked` false). ``data/nlu`` itself holds no copy (``tests/lab/train/test_dedup.py``), so
training removes nothing there; the filter stays in the training entry points in case one comes back.
"""

from __future__ import annotations

import csv
import json
import logging
import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from pathlib import Path

from pydantic import BaseModel, Field

from core.settings import PROJECT_ROOT
from dialogue.nlu_data import NluDataset

log = logging.getLogger(__name__)

SHARED_DATA = PROJECT_ROOT.parent / "shared" / "data"
#: The files ``eval simmc`` and ``eval bitext`` read by default (the same paths as theirs).
SIMMC_DEV = SHARED_DATA / "simmc2" / "simmc2.1_dials_dstc11_dev.json"
BITEXT = SHARED_DATA / "bitext-customer-support" / "Bitext_Sample_Customer_Support_Training_Dataset.csv"
#: Token-set Jaccard similarity from which two texts count as copies.
NEAR_JACCARD = 0.8
_PLACEHOLDER = re.compile(r"\{\{[^}]*\}\}")
_NUMBER = re.compile(r"(?<![a-z0-9])\d[\d.,:/-]*(?![a-z0-9])")  # not \b: a number touching Han characters counts too
_TOKEN = re.compile(r"<slot>|<num>|[a-z0-9]+|[\u3400-\u9fff]")  # a Han character is a token of its own


class ReferenceText(BaseModel):
    text: str
    source: str = Field(description="Where it comes from, e.g. simmc:dialogue:turn:user or bitext:row.")


class Overlap(BaseModel):
    """One training text that copies an evaluation text."""

    text: str
    intent: str
    source: str = Field(description="file:line of the training example.")
    match: str
    match_source: str
    jaccard: float
    exact: bool


class OverlapReport(BaseModel):
    checked: bool = Field(description="False when no evaluation data was found (nothing compared).")
    references: int = 0
    sources: dict[str, str] = Field(default_factory=dict, description="Evaluation data set → file compared with.")
    threshold: float = NEAR_JACCARD
    exact: int = 0
    near: int = 0
    removed: list[Overlap] = Field(default_factory=list)


def normalise(text: str) -> str:
    """Lower case; ``{{Order Number}}``-style placeholders and numbers as one token each; each Han character a token;
    no punctuation."""
    lowered = _PLACEHOLDER.sub(" <slot> ", text.lower())
    lowered = _NUMBER.sub(" <num> ", lowered)
    return " ".join(_TOKEN.findall(lowered.replace("'", "")))


def token_set(text: str) -> frozenset[str]:
    return frozenset(normalise(text).split())


def jaccard(left: frozenset[str], right: frozenset[str]) -> float:
    if not left and not right:
        return 1.0
    return len(left & right) / len(left | right)


class OverlapIndex:
    """Evaluation texts indexed for exact and near-duplicate look-ups (prefix filtering; see the module docstring)."""

    def __init__(self, references: Sequence[ReferenceText], threshold: float = NEAR_JACCARD) -> None:
        self.references = list(references)
        self.threshold = threshold
        self.normal = [normalise(r.text) for r in self.references]
        self.sets = [frozenset(n.split()) for n in self.normal]
        self.exact: dict[str, int] = {}
        for i, n in enumerate(self.normal):
            self.exact.setdefault(n, i)
        self.frequency: Counter[str] = Counter(t for s in self.sets for t in s)
        self.postings: dict[str, list[int]] = defaultdict(list)
        for i, tokens in enumerate(self.sets):
            for token in self._prefix(tokens):
                self.postings[token].append(i)

    def _prefix(self, tokens: frozenset[str]) -> list[str]:
        ordered = sorted(tokens, key=lambda t: (self.frequency.get(t, 0), t))
        return ordered[: len(ordered) - math.ceil(self.threshold * len(ordered)) + 1] if ordered else []

    def best_match(self, text: str) -> tuple[int, float] | None:
        """(reference index, Jaccard) of the closest evaluation text at or above the threshold, else None."""
        normal = normalise(text)
        if normal in self.exact:
            return self.exact[normal], 1.0
        tokens = frozenset(normal.split())
        candidates = {i for token in self._prefix(tokens) for i in self.postings.get(token, ())}
        best: tuple[int, float] | None = None
        for i in sorted(candidates):
            score = jaccard(tokens, self.sets[i])
            if score >= self.threshold and (best is None or score > best[1]):
                best = (i, score)
        return best


def simmc_texts(path: Path) -> list[ReferenceText]:
    """Every user transcript and disambiguation transcript (the user's words) of a SIMMC 2.1 dialogue file."""
    out: list[ReferenceText] = []
    for item in json.loads(path.read_text(encoding="utf-8"))["dialogue_data"]:
        for entry in item["dialogue"]:
            where = f"simmc:{item['dialogue_idx']}:{entry['turn_idx']}"
            for field, kind in (("transcript", "user"), ("disambiguation_transcript", "disambiguation")):
                text = str(entry.get(field) or "").strip()
                if text:
                    out.append(ReferenceText(text=text, source=f"{where}:{kind}"))
    return out


def bitext_texts(path: Path) -> list[ReferenceText]:
    """Every instruction of the Bitext CSV (row numbers count data rows from 1)."""
    with path.open(encoding="utf-8", newline="") as handle:
        return [ReferenceText(text=row["instruction"].strip(), source=f"bitext:{n}:{row['intent']}")
                for n, row in enumerate(csv.DictReader(handle), 1) if row["instruction"].strip()]


def evaluation_texts(simmc_path: Path | None = None, bitext_path: Path | None = None) -> tuple[list[ReferenceText], dict[str, str]]:
    """The texts of the evaluation sets that exist (default paths: ``../shared/data``), and the files read."""
    texts: list[ReferenceText] = []
    sources: dict[str, str] = {}
    for name, path, reader in (("simmc2.1-dev", simmc_path or SIMMC_DEV, simmc_texts),
                               ("bitext", bitext_path or BITEXT, bitext_texts)):
        if Path(path).is_file():
            texts += reader(Path(path))
            sources[name] = str(path)
        else:
            log.info("nlu.dedup.missing data=%s path=%s", name, path)
    return texts, sources


def find_overlap(dataset: NluDataset, references: Sequence[ReferenceText], threshold: float = NEAR_JACCARD) -> list[Overlap]:
    """The training examples that copy an evaluation text (exactly or near, see the module docstring)."""
    index = OverlapIndex(references, threshold)
    found: list[Overlap] = []
    for example in dataset.examples:
        match = index.best_match(example.text)
        if match is None:
            continue
        i, score = match
        found.append(Overlap(text=example.text, intent=example.intent, source=example.source, match=index.references[i].text,
                             match_source=index.references[i].source, jaccard=round(score, 4),
                             exact=normalise(example.text) == index.normal[i]))
    return found


def remove_overlap(dataset: NluDataset, references: Iterable[ReferenceText] | None = None,
                   sources: dict[str, str] | None = None, threshold: float = NEAR_JACCARD) -> tuple[NluDataset, OverlapReport]:
    """``dataset`` without its copies of evaluation texts (default: those of :func:`evaluation_texts`)."""
    if references is None:
        references, sources = evaluation_texts()
    refs = list(references)
    if not refs:
        log.info("nlu.dedup.skipped reason=no evaluation data found (../shared/data absent); nothing compared")
        return dataset, OverlapReport(checked=False, threshold=threshold)
    overlap = find_overlap(dataset, refs, threshold)
    dropped = {(o.source, o.text) for o in overlap}
    kept = [e for e in dataset.examples if (e.source, e.text) not in dropped]
    report = OverlapReport(checked=True, references=len(refs), sources=dict(sources or {}), threshold=threshold,
                           exact=sum(o.exact for o in overlap), near=sum(not o.exact for o in overlap), removed=overlap)
    if overlap:
        log.warning("nlu.dedup.removed exact=%d near=%d (copies of evaluation texts; remove them from the data)",
                    report.exact, report.near)
    return dataset.model_copy(update={"examples": kept}), report
