"""Zero-shot customer-service intent evaluation on the Bitext sample (4,514 utterances, 27 intents).

The CSV stays in ``../shared/data/bitext-customer-support`` (CDLA-Sharing-1.0; see its SOURCE.md) and is only read.

**Label mapping** (Bitext intent → ours), :data:`INTENT_MAP`; only these rows are scored:

=============================================  ===============  ==============================================
Bitext                                         ours             note
=============================================  ===============  ==============================================
track_order                                    order_status
cancel_order                                   cancel_order
get_refund, track_refund                       return_item      our return_item covers "I want / where is my
                                                                refund" (see data/nlu/customer_service.yml)
check_refund_policy                            return_policy
delivery_options, delivery_period              shipping_info    delivery_period also accepts order_status:
                                                                "when will my parcel arrive" asks about an
                                                                order (:data:`ALSO_ACCEPTED`; strict score too)
contact_human_agent, contact_customer_service  human_handoff
=============================================  ===============  ==============================================

Every other Bitext intent (accounts, invoices, payments, newsletter, shipping address, order changes, placing an
order, cancellation fees, complaints, reviews) has no counterpart: those rows are not scored, and the report
shows what the classifier did with them (``unsupported_predictions``; out_of_scope or human_handoff are the
sensible answers there). Rows whose text also appears in the training data are left out and counted.
"""

from __future__ import annotations

import csv
import logging
import random
import time
from collections import Counter, defaultdict
from collections.abc import Iterable
from pathlib import Path

from pydantic import BaseModel, Field

from core.errors import NotReadyError
from core.settings import PROJECT_ROOT
from dialogue.intent_classifier import IntentClassifier
from lab.eval.nlu import NluEvalReport, predict_all, score_predictions

log = logging.getLogger(__name__)

INTENT_MAP: dict[str, str] = {
    "track_order": "order_status", "cancel_order": "cancel_order", "get_refund": "return_item",
    "track_refund": "return_item", "check_refund_policy": "return_policy", "delivery_options": "shipping_info",
    "delivery_period": "shipping_info", "contact_human_agent": "human_handoff", "contact_customer_service": "human_handoff",
}
ALSO_ACCEPTED: dict[str, set[str]] = {"delivery_period": {"order_status"}}


def default_bitext_path() -> Path:
    return (PROJECT_ROOT.parent / "shared" / "data" / "bitext-customer-support"
            / "Bitext_Sample_Customer_Support_Training_Dataset.csv")


class BitextEvalReport(BaseModel):
    data: str
    rows: int
    scored: int
    duplicates_of_training: int = Field(description="Mapped rows left out because the training data has the same text.")
    accuracy: float = Field(description="With ALSO_ACCEPTED alternatives counted as right.")
    strict_accuracy: float
    macro_f1: float
    out_of_scope_rate: float = Field(description="Scored rows sent to out_of_scope.")
    per_source_intent: dict[str, float] = Field(default_factory=dict, description="Accuracy per Bitext intent.")
    intents: NluEvalReport
    mapping: dict[str, str] = Field(default_factory=lambda: dict(INTENT_MAP))
    unsupported_rows: int = 0
    unsupported_predictions: dict[str, int] = Field(default_factory=dict)
    seconds: float = 0.0


def load_bitext(path: Path | None = None) -> list[tuple[str, str]]:
    """(utterance, Bitext intent) rows."""
    path = Path(path or default_bitext_path())
    if not path.is_file():
        raise NotReadyError(f"Bitext data not found at {path} (expected in ../shared/data/bitext-customer-support).")
    with path.open(encoding="utf-8", newline="") as handle:
        return [(row["instruction"].strip(), row["intent"].strip()) for row in csv.DictReader(handle) if row["instruction"].strip()]


def _normal(text: str) -> str:
    return " ".join(text.lower().split())


def evaluate_bitext(
    classifier: IntentClassifier,
    data_path: Path | None = None,
    out_dir: Path | None = None,
    training_texts: Iterable[str] = (),
    sample: int | None = None,
    include_unsupported: bool = True,
    seed: int = 0,
    progress: bool = True,
) -> BitextEvalReport:
    """Zero-shot accuracy on the Bitext intents we share (``sample``: a seeded subset of rows, for quick runs)."""
    started = time.perf_counter()
    rows = load_bitext(data_path)
    if sample is not None and sample < len(rows):
        rows = random.Random(seed).sample(rows, sample)
    seen = {_normal(t) for t in training_texts}
    mapped = [(t, i) for t, i in rows if i in INTENT_MAP]
    kept = [(t, i) for t, i in mapped if _normal(t) not in seen]
    unsupported = [(t, i) for t, i in rows if i not in INTENT_MAP] if include_unsupported else []
    predictions = predict_all(classifier, [t for t, _ in kept] + [t for t, _ in unsupported], progress=progress,
                              desc="Bitext rows")
    scored, rest = predictions[: len(kept)], predictions[len(kept) :]
    gold = [INTENT_MAP[i] for _, i in kept]
    lenient = [
        p.model_copy(update={"intent": INTENT_MAP[i]}) if p.intent in ALSO_ACCEPTED.get(i, set()) else p
        for (_, i), p in zip(kept, scored)
    ]
    report = score_predictions(gold, lenient, [t for t, _ in kept], out_dir, name="bitext",
                               sources=[f"bitext:{i}" for _, i in kept])
    strict = sum(g == p.intent for g, p in zip(gold, scored)) / len(gold)
    by_source: dict[str, list[bool]] = defaultdict(list)
    for (_, i), p in zip(kept, lenient):
        by_source[i].append(p.intent == INTENT_MAP[i])
    result = BitextEvalReport(
        data=str(data_path or default_bitext_path()), rows=len(rows), scored=len(kept),
        duplicates_of_training=len(mapped) - len(kept), accuracy=report.accuracy, strict_accuracy=round(strict, 4),
        macro_f1=report.macro_f1, out_of_scope_rate=round(sum(p.out_of_scope for p in scored) / len(scored), 4),
        per_source_intent={k: round(sum(v) / len(v), 4) for k, v in sorted(by_source.items())}, intents=report,
        unsupported_rows=len(unsupported), unsupported_predictions=dict(Counter(p.intent for p in rest).most_common()),
        seconds=round(time.perf_counter() - started, 1),
    )
    if out_dir is not None:
        (Path(out_dir) / "bitext_eval_report.json").write_text(result.model_dump_json(indent=2), encoding="utf-8")
    log.info("bitext.eval scored=%d acc=%.4f strict=%.4f macro_f1=%.4f", result.scored, result.accuracy,
             result.strict_accuracy, result.macro_f1)
    return result
