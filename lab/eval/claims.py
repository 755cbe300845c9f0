"""``shopassist eval claims``: how well the independent judge (``lab/audit/judge.py``) and the reply guard
(``assistant.generators.claims.sentence_problems``) tell unsupported model sentences from supported ones, on the
hand-labelled set in ``lab/audit/claims`` (real SmolLM2 sentences; ``replies.jsonl`` holds each reply's plan and
template, ``sentences.jsonl`` each sentence's label and its dev/test split).

"Positive" is *unsupported*: precision is the share of flagged sentences that are unsupported, recall the share of
unsupported sentences that are flagged. The test split is the headline; the dev split is where the judge's
similarity threshold was chosen (the threshold that maximises F1 there, reported as ``dev_best_threshold``).
"""

from __future__ import annotations

import json
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field
from tqdm import tqdm

from assistant.generators.claims import sentence_problems
from dialogue.plan import ReplyPlan
from lab.audit.judge import THRESHOLD, ClaimJudge

CLAIMS_DIR = Path(__file__).resolve().parents[1] / "audit" / "claims"
Split = Literal["dev", "test"]
GuardCheck = Callable[..., list[str]]


class LabelledSentence(BaseModel):
    id: str
    reply_id: str
    action: str
    split: Split
    index: int = Field(description="Position of the sentence in its reply.")
    sentence: str
    label: Literal["supported", "unsupported"]
    degenerate: bool = Field(default=False, description="Emoji, prompt echo, repeat or gibberish: to reject, though it claims nothing.")


class LabelledReply(BaseModel):
    id: str
    action: str
    first_turn: bool
    plan: ReplyPlan
    template: str
    sentences: list[LabelledSentence] = Field(default_factory=list, description="Labelled sentences only, in order.")
    all_sentences: list[str] = Field(default_factory=list, description="Every sentence of the reply, labelled or not.")


class Scores(BaseModel):
    flagged: int
    tp: int
    fp: int
    fn: int
    precision: float | None
    recall: float | None
    f1: float | None


class SplitScores(BaseModel):
    split: Split
    sentences: int
    unsupported: int
    judge: Scores
    judge_reasons: dict[str, int] = Field(default_factory=dict, description="Reasons the judge gave on flagged sentences.")
    guard: Scores | None = None
    guard_non_degenerate: Scores | None = Field(default=None, description="The guard on sentences not labelled degenerate.")
    guard_rejections_unsupported_or_degenerate: float | None = Field(
        default=None, description="Share of the guard's rejections that are unsupported or degenerate (both must go).")
    guard_reasons: dict[str, int] = Field(default_factory=dict)
    guard_errors: int = 0


class ThresholdPoint(BaseModel):
    threshold: float
    precision: float | None
    recall: float | None
    f1: float | None


class Disagreement(BaseModel):
    id: str
    split: Split
    action: str
    sentence: str
    label: str
    judge: list[str]
    similarity: float
    guard: list[str] | None


class ClaimsEvalReport(BaseModel):
    data: str
    replies: int
    threshold: float = Field(description="The judge's similarity threshold (lab/audit/judge.py THRESHOLD).")
    dev_best_threshold: float = Field(description="The threshold with the best F1 on the dev split.")
    guard: str = Field(description="'available', or 'not asked' (--no-guard).")
    test: SplitScores
    dev: SplitScores
    dev_curve: list[ThresholdPoint] = Field(default_factory=list)
    judge_errors: list[Disagreement] = Field(default_factory=list, description="Test sentences the judge got wrong (up to 40).")
    seconds: float


class ClaimsDataMissing(FileNotFoundError):
    pass


def load_labelled(folder: Path = CLAIMS_DIR) -> list[LabelledReply]:
    """The labelled replies of ``folder`` (sentences without a supported/unsupported label are left out)."""
    replies_path, sentences_path = folder / "replies.jsonl", folder / "sentences.jsonl"
    for path in (replies_path, sentences_path):
        if not path.exists():
            raise ClaimsDataMissing(f"{path} not found: the labelled claim set (lab/audit/claims) is not there")
    replies: dict[str, LabelledReply] = {}
    for raw in _jsonl(replies_path):
        replies[raw["id"]] = LabelledReply(id=raw["id"], action=raw["action"], first_turn=bool(raw.get("first_turn", False)),
                                           plan=ReplyPlan.model_validate(raw["plan"]), template=raw["template"])
    rows = sorted(_jsonl(sentences_path), key=lambda r: (r["reply_id"], _index(r)))
    for raw in rows:
        reply = replies.get(raw["reply_id"])
        if reply is None:
            continue
        reply.all_sentences.append(raw["sentence"])
        if raw.get("label") in ("supported", "unsupported") and raw.get("split") in ("dev", "test"):
            reply.sentences.append(LabelledSentence(id=raw["id"], reply_id=raw["reply_id"], action=raw.get("action", reply.action),
                                                    split=raw["split"], index=_index(raw), sentence=raw["sentence"], label=raw["label"],
                                                    degenerate=bool(raw.get("degenerate", False))))
    return [r for r in replies.values() if r.sentences]


def _jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _index(row: dict[str, Any]) -> int:
    tail = str(row["id"]).rsplit("#", 1)[-1]
    return int(tail) if tail.isdigit() else 0


def scores(predicted: Sequence[bool], truth: Sequence[bool]) -> Scores:
    tp = sum(p and t for p, t in zip(predicted, truth))
    fp = sum(p and not t for p, t in zip(predicted, truth))
    fn = sum(t and not p for p, t in zip(predicted, truth))
    precision = tp / (tp + fp) if tp + fp else None
    recall = tp / (tp + fn) if tp + fn else None
    f1 = 2 * precision * recall / (precision + recall) if precision and recall else (0.0 if precision is not None and recall is not None else None)
    return Scores(flagged=tp + fp, tp=tp, fp=fp, fn=fn, precision=_round(precision), recall=_round(recall), f1=_round(f1))


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 3)


class _Judged(BaseModel):
    sentence: LabelledSentence
    rules: list[str]
    similarity: float
    guard: list[str] | None = None
    guard_error: bool = False

    def judge_flags(self, threshold: float) -> bool:
        return bool(self.rules) or self.similarity < threshold

    def judge_reasons(self, threshold: float) -> list[str]:
        return self.rules + ([] if self.similarity >= threshold else ["low_similarity"])


def _judge_all(replies: list[LabelledReply], guard: GuardCheck | None, progress: bool) -> list[_Judged]:
    out: list[_Judged] = []
    for reply in tqdm(replies, desc="claims", disable=not progress):
        judge = ClaimJudge(reply.plan, reply.template)
        verdicts = judge.judge_many([s.sentence for s in reply.sentences])
        for labelled, verdict in zip(reply.sentences, verdicts):
            item = _Judged(sentence=labelled, rules=[r for r in verdict.reasons if r != "low_similarity"], similarity=verdict.similarity)
            if guard is not None:
                earlier = reply.all_sentences[: labelled.index]
                try:
                    item.guard = list(guard(labelled.sentence, reply.plan, reply.template, first_turn=reply.first_turn, earlier=earlier))
                except Exception:  # a guard bug is reported as a count, not a crash of the evaluation
                    item.guard, item.guard_error = [], True
            out.append(item)
    return out


def _split_scores(split: Split, items: list[_Judged], threshold: float) -> SplitScores:
    truth = [i.sentence.label == "unsupported" for i in items]
    flagged = [i.judge_flags(threshold) for i in items]
    reasons = Counter(r.split(":")[0] for i, f in zip(items, flagged) if f for r in i.judge_reasons(threshold))
    result = SplitScores(split=split, sentences=len(items), unsupported=sum(truth), judge=scores(flagged, truth),
                         judge_reasons=dict(reasons.most_common()))
    if items and all(i.guard is not None for i in items):
        guard_flags = [bool(i.guard) for i in items]
        result.guard = scores(guard_flags, truth)
        plain = [(f, t) for f, t, i in zip(guard_flags, truth, items) if not i.sentence.degenerate]
        result.guard_non_degenerate = scores([f for f, _ in plain], [t for _, t in plain])
        rejected = [i for i, f in zip(items, guard_flags) if f]
        if rejected:
            right = sum(i.sentence.label == "unsupported" or i.sentence.degenerate for i in rejected)
            result.guard_rejections_unsupported_or_degenerate = round(right / len(rejected), 3)
        result.guard_reasons = dict(Counter(r.split(":")[0] for i in items for r in i.guard or []).most_common())
        result.guard_errors = sum(i.guard_error for i in items)
    return result


def dev_curve(items: list[_Judged], lo: float = 0.30, hi: float = 0.90, step: float = 0.01) -> list[ThresholdPoint]:
    truth = [i.sentence.label == "unsupported" for i in items]
    points = []
    for n in range(round((hi - lo) / step) + 1):
        threshold = round(lo + n * step, 2)
        s = scores([i.judge_flags(threshold) for i in items], truth)
        points.append(ThresholdPoint(threshold=threshold, precision=s.precision, recall=s.recall, f1=s.f1))
    return points


def best_threshold(curve: list[ThresholdPoint]) -> float:
    """The dev threshold with the highest F1 (ties: the higher recall, then the lower threshold)."""
    return max(curve, key=lambda p: (p.f1 or 0.0, p.recall or 0.0, -p.threshold)).threshold


def evaluate_claims(folder: Path = CLAIMS_DIR, *, threshold: float = THRESHOLD, use_guard: bool = True,
                    progress: bool = False) -> ClaimsEvalReport:
    """Judge (and guard) every labelled sentence; score both on the test and dev splits (see module doc)."""
    started = time.perf_counter()
    replies = load_labelled(folder)
    guard, guard_note = (sentence_problems, "available") if use_guard else (None, "not asked")
    items = _judge_all(replies, guard, progress)
    by_split: dict[str, list[_Judged]] = defaultdict(list)
    for item in items:
        by_split[item.sentence.split].append(item)
    curve = dev_curve(by_split["dev"])
    errors = [Disagreement(id=i.sentence.id, split=i.sentence.split, action=i.sentence.action, sentence=i.sentence.sentence,
                           label=i.sentence.label, judge=i.judge_reasons(threshold), similarity=i.similarity, guard=i.guard)
              for i in by_split["test"] if i.judge_flags(threshold) != (i.sentence.label == "unsupported")]
    return ClaimsEvalReport(
        data=str(folder), replies=len(replies), threshold=threshold, dev_best_threshold=best_threshold(curve), guard=guard_note,
        test=_split_scores("test", by_split["test"], threshold), dev=_split_scores("dev", by_split["dev"], threshold),
        dev_curve=curve, judge_errors=errors[:40], seconds=round(time.perf_counter() - started, 1),
    )
