"""``shopassist train reranker``: fit the re-ranker's weights on half of a feedback log, judge them on the other half.

The log's shoppers are split by sender (:func:`lab.train.reranker.held_out`). The fitted weights are compared with the
defaults by AUC on the held-out half's examples and, when the log came from ``bench feedback`` (its
``shoppers.json`` beside the database), by re-running the held-out shoppers with each set of weights: the weights
are saved only when they find more targets within five turns (or, without shoppers, rank better by AUC).
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from core.settings import Settings
from lab.train.reranker import FitReport, auc, fit_weights, held_out, save_weights, training_examples


def default_feedback_log(settings: Settings) -> str:
    """The latest ``bench feedback`` ON log of the home, else the home's conversation database."""
    runs = sorted((settings.home / "bench" / "feedback").glob("*/on.db"), key=lambda p: p.stat().st_mtime)
    return f"sqlite:///{runs[-1]}" if runs else settings.resolved_database_url


def train_reranker(settings: Settings, database_url: str | None = None, *, force: bool = False, progress: bool = True) -> FitReport:
    """Fit, compare and (when better, or ``force``) save to home/models/reranker.json; the report says which."""
    from dialogue.state_store import SqlStateStore
    from retrieval.product_store import HybridProductStore
    from retrieval.rerank import FEATURES, FeedbackReranker, RerankWeights, weights_path

    url = database_url or default_feedback_log(settings)
    store = HybridProductStore.open(settings)
    default = RerankWeights.from_settings(settings)
    reranker = FeedbackReranker(settings, store, default)
    fit, hold = training_examples(SqlStateStore(url), reranker, settings.page_size)
    fitted = fit_weights(fit, default)
    report = FitReport(
        examples_fit=len(fit.labels), examples_held_out=len(hold.labels),
        default={n: getattr(default, n) for n in FEATURES}, fitted={n: getattr(fitted, n) for n in FEATURES},
        held_out_auc_default=auc(hold, default), held_out_auc_fitted=auc(hold, fitted),
    )
    shoppers_file = Path(url.split("///", 1)[-1]).parent / "shoppers.json" if url.startswith("sqlite") else None
    if shoppers_file is not None and shoppers_file.exists():
        from assistant.wiring import build_assistant
        from lab.bench.feedback import arm_report
        from lab.simulate.shoppers import Behaviour, Shopper, run_arm
        from retrieval.rerank import PriceBands

        run = json.loads(shoppers_file.read_text())
        people = [s for s in (Shopper.model_validate(x) for x in run["shoppers"]) if held_out(s.sender)]
        bands = PriceBands(store.products())
        with tempfile.TemporaryDirectory() as tmp:
            for label, weights in (("default", default), ("fitted", fitted)):
                assistant = build_assistant(settings.model_copy(update={"rerank_enabled": True, "database_url": f"sqlite:///{Path(tmp) / label}.db"}),
                                            store=store, reranker_weights=weights)
                outcomes, timings = run_arm(assistant, people, bands, f"held-out, {label} weights", progress, Behaviour.model_validate(run["behaviour"]))
                setattr(report, f"held_out_success5_{label}", arm_report(label, outcomes, timings).success_within_5)
        report.held_out_shoppers = len(people)
    if report.held_out_success5_fitted is not None and report.held_out_success5_default is not None:
        report.improved = report.held_out_success5_fitted > report.held_out_success5_default
    else:
        report.improved = (report.held_out_auc_fitted or 0) > (report.held_out_auc_default or 0)
    if report.improved or force:
        path = weights_path(settings)
        save_weights(fitted, path, report)
        report.saved = str(path)
    return report
