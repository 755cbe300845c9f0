"""The conversation's feedback, as the re-ranker needs it: signals with their turns, what was shown when, and the
sender's long-term profile. Feedback given before "forget my preferences" no longer counts."""

from __future__ import annotations

from dialogue.state import ConversationState
from retrieval.rerank import FeedbackContext, FeedbackSignal, ProfileSignals


def feedback_context(state: ConversationState, profile: ProfileSignals | None = None) -> FeedbackContext:
    records = list(state.feedback)
    forgotten = max((i for i, r in enumerate(records) if r.kind == "forget"), default=-1)
    signals = [
        FeedbackSignal(turn=r.turn, kind=r.kind, product_id=r.product_id, detail=r.detail)
        for r in records[forgotten + 1 :]
        if r.kind not in ("rated_reply", "forget")
    ]
    shown_by_turn = {t.index: list(t.product_ids) for t in state.turns if t.product_ids}
    counts: dict[str, int] = {}
    for ids in shown_by_turn.values():
        for pid in ids:
            counts[pid] = counts.get(pid, 0) + 1
    for pid in state.shown:  # shown in the turn being handled (its TurnRecord is not stored yet)
        counts.setdefault(pid, 1)
    return FeedbackContext(signals=signals, shown_counts=counts, shown_by_turn=shown_by_turn, profile=profile)
