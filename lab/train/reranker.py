"""The feedback log: export feedback events as JSONL, and fit the re-ranker's weights from them.

Training examples come from replaying each logged conversation with the re-ranker's features computed as they were
then (the feedback given before). A conversation that ended in a purchase (a product added to the cart) gives, for
every earlier product list with feedback, the candidate pool the re-ranker scored: the bought product labelled 1
(weighted as much as the rest together), the other candidates 0. A conversation without a purchase gives one
example per like (1) or dislike (0) of a shown product. A logistic regression on those features gives the weights.
Conversations are split in halves by a hash of the sender: fit on one, evaluate on the other.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.settings import DialogueSettings
from dialogue.feedback import feedback_context
from dialogue.state import ConversationState, FeedbackEvent, ShownEvent
from dialogue.state_store import ConversationRow, EventRow, SqlStateStore
from retrieval.models import ProductHit
from retrieval.product_store import ProductStore
from retrieval.rerank import FEATURES, FeedbackReranker, RerankWeights

log = logging.getLogger(__name__)

LABELS = {"like": 1, "dislike": 0}
#: Products per list when the caller does not say (the dialogue's default page).
DEFAULT_PAGE_SIZE: int = DialogueSettings.model_fields["page_size"].default


class FeedbackRow(BaseModel):
    """One exported feedback event."""

    conversation_id: str
    sender: str
    turn: int
    kind: str
    source: str
    product_id: str | None = None
    detail: str = ""
    at: datetime
    product: dict[str, Any] | None = Field(default=None, description="title, brand, category, price, rating and attributes.")


def conversation_ids(states: SqlStateStore) -> list[str]:
    with Session(states.engine) as session:
        return list(session.scalars(select(ConversationRow.id).order_by(ConversationRow.created_at, ConversationRow.id)))


def iter_feedback_rows(states: SqlStateStore, products: ProductStore | None = None) -> Iterator[FeedbackRow]:
    for conversation_id in conversation_ids(states):
        state = states.load(conversation_id)
        for record in state.feedback:
            product = products.get(record.product_id) if products is not None and record.product_id else None
            yield FeedbackRow(
                conversation_id=conversation_id, sender=state.sender, turn=record.turn, kind=record.kind, source=record.source,
                product_id=record.product_id, detail=record.detail, at=record.at,
                product=None if product is None else {
                    "title": product.title, "brand": product.brand, "category": product.category, "price": product.price,
                    "rating": product.rating, "attributes": product.attributes,
                },
            )


def export_feedback(states: SqlStateStore, products: ProductStore | None, out: Path) -> int:
    out.parent.mkdir(parents=True, exist_ok=True)
    count = 0
    with out.open("w") as handle:
        for row in iter_feedback_rows(states, products):
            handle.write(row.model_dump_json() + "\n")
            count += 1
    return count


# training ---------------------------------------------------------------------------------------------
def held_out(sender: str) -> bool:
    """The evaluation half: decided by a hash of the sender, so one shopper's conversations stay together."""
    return int(hashlib.sha1(sender.encode()).hexdigest(), 16) % 2 == 1


class Examples(BaseModel):
    features: list[list[float]] = Field(default_factory=list)
    labels: list[int] = Field(default_factory=list)
    groups: list[str] = Field(default_factory=list, description="conversation id of each example")
    weights: list[float] = Field(default_factory=list, description="sample weight of each example")

    def arrays(self) -> tuple[np.ndarray, np.ndarray]:
        return np.asarray(self.features, dtype=np.float64).reshape(-1, len(FEATURES)), np.asarray(self.labels, dtype=np.int64)


def training_examples(states: SqlStateStore, reranker: FeedbackReranker, page_size: int = DEFAULT_PAGE_SIZE) -> tuple[Examples, Examples]:
    """(fit half, held-out half) of labelled feature rows replayed from every logged conversation (lists of
    ``page_size`` products, as the assistant showed them)."""
    fit, hold = Examples(), Examples()
    with Session(states.engine) as session:
        rows = session.execute(select(ConversationRow.id, ConversationRow.sender).order_by(ConversationRow.created_at, ConversationRow.id)).all()
    for conversation_id, sender in rows:
        target = hold if held_out(sender) else fit
        _replay(states, conversation_id, sender, reranker, page_size, target)
    return fit, hold


def _replay(states: SqlStateStore, conversation_id: str, sender: str, reranker: FeedbackReranker, page_size: int, out: Examples) -> None:
    """Labelled feature rows of one conversation. When the shopper bought (added to the cart) a product, every
    earlier product list with feedback gives a ranking example: the candidate pool the re-ranker scored then, the
    bought product labelled 1 and the rest 0 — the signal the re-ranker exists for. Without a purchase, each like
    (1) or dislike (0) of a shown product is an example."""
    from dialogue.state import EventEnvelope

    with Session(states.engine) as session:
        payloads = session.scalars(select(EventRow.payload).where(EventRow.conversation_id == conversation_id).order_by(EventRow.seq)).all()
    events = [EventEnvelope.model_validate({"event": payload}).event for payload in payloads]
    bought = next((e.feedback.product_id for e in events
                   if isinstance(e, FeedbackEvent) and e.feedback.kind == "added_to_cart" and e.feedback.product_id), None)
    state = ConversationState(conversation_id=conversation_id, sender=sender)
    for event in events:
        if bought and isinstance(event, ShownEvent) and event.page_of_goal:
            _purchase_examples(state, bought, conversation_id, reranker, page_size, out)
        elif not bought and isinstance(event, FeedbackEvent) and event.feedback.kind in LABELS and event.feedback.product_id and state.last_shown:
            _feedback_example(state, event.feedback.product_id, LABELS[event.feedback.kind], conversation_id, reranker, out)
        state.apply(event)


def _purchase_examples(state: ConversationState, bought: str, conversation_id: str, reranker: FeedbackReranker, page_size: int,
                       out: Examples) -> None:
    context = feedback_context(state)
    if state.goal is None or bought in state.shown or not context.signals:
        return
    constraints = state.goal.constraints.model_copy(update={"exclude_ids": list(state.shown)})
    hits = reranker.candidates(state.goal.query, constraints, context, page_size)
    listed = [h.product.id for h in hits]
    if bought not in listed or len(listed) < 2:
        return
    matrix, _ = reranker.features(state.goal.query, hits, context)
    for pid, row in zip(listed, matrix):
        out.features.append([float(v) for v in row])
        out.labels.append(int(pid == bought))
        out.groups.append(conversation_id)
        out.weights.append(float(len(listed) - 1) if pid == bought else 1.0)


def _feedback_example(state: ConversationState, pid: str, label: int, conversation_id: str, reranker: FeedbackReranker, out: Examples) -> None:
    hits = [ProductHit(product=p, score=1.0 / (60 + rank)) for rank, sid in enumerate(state.last_shown) if (p := reranker.store.get(sid))]
    listed = [h.product.id for h in hits]
    if pid in listed:
        matrix, _ = reranker.features(state.goal.query if state.goal else "", hits, feedback_context(state))
        out.features.append([float(v) for v in matrix[listed.index(pid)]])
        out.labels.append(label)
        out.groups.append(conversation_id)
        out.weights.append(1.0)


class FitReport(BaseModel):
    examples_fit: int
    examples_held_out: int
    default: dict[str, float]
    fitted: dict[str, float]
    held_out_auc_default: float | None = None
    held_out_auc_fitted: float | None = None
    held_out_success5_default: float | None = None
    held_out_success5_fitted: float | None = None
    held_out_shoppers: int = 0
    improved: bool = False
    saved: str | None = None


def fit_weights(fit: Examples, default: RerankWeights, seed: int = 0) -> RerankWeights:
    """Logistic regression of the labels (bought vs other candidates; like vs dislike) on the features; non-negative
    weights scaled to the defaults' sum."""
    from sklearn.linear_model import LogisticRegression

    x, y = fit.arrays()
    if len(set(y.tolist())) < 2:
        raise ValueError("The log needs both positive examples (purchases or likes) and negative ones to fit weights.")
    model = LogisticRegression(C=1.0, max_iter=1000, random_state=seed).fit(x, y, sample_weight=np.asarray(fit.weights) if fit.weights else None)
    coef = np.clip(model.coef_[0], 0.0, None)
    if not coef.any():
        return default
    scale = float(np.abs(default.vector()).sum() / coef.sum())
    return RerankWeights(**{name: round(float(c * scale), 4) for name, c in zip(FEATURES, coef)}, source="fitted")


def auc(examples: Examples, weights: RerankWeights) -> float | None:
    """Ranking quality on held-out examples: ROC AUC of ``features @ weights`` separating positives from negatives."""
    from sklearn.metrics import roc_auc_score

    x, y = examples.arrays()
    if len(set(y.tolist())) < 2:
        return None
    return round(float(roc_auc_score(y, x @ weights.vector())), 4)


def save_weights(weights: RerankWeights, path: Path, report: FitReport) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"weights": weights.named(),
                                "report": report.model_dump(exclude={"saved"})}, indent=2))
