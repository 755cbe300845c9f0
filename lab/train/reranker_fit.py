"""``shopassist train reranker``: fit the re-ranker's weights on half of a feedback log, judge them on the other half.

The log's shoppers are split by sender (:func:`lab.train.reranker.held_out`). The fitted weights are compared with the
defaults by AUC on the held-out half's examples and, when the log came from simulated shoppers (their
``shoppers.json`` beside the database), by re-running that half's shoppers with each set of weights: the weights are
saved only when they find more targets within five turns (or, without shoppers, rank better by AUC). A simulated
log must come from the tuning seeds (:func:`lab.train.reranker_grid.tuning_log`); logs of ``bench feedback``'s
held-out seeds are refused, so the reported figures never see the shoppers the weights were fitted on.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from core.settings import Settings
from lab.train.reranker import (
    FitReport,
    auc,
    fit_weights,
    held_out,
    save_weights,
    training_examples,
)


def default_feedback_log(settings: Settings) -> str:
    """The latest tuning log of the home (``tuning-*/on.db``, from :func:`lab.train.reranker_grid.tuning_log`), else
    the home's conversation database."""
    runs = sorted((settings.home / "bench" / "feedback").glob("tuning-*/on.db"), key=lambda p: p.stat().st_mtime)
    return f"sqlite:///{runs[-1]}" if runs else settings.resolved_database_url


def simulated_run(url: str) -> dict | None:  # type: ignore[type-arg]
    """The ``shoppers.json`` beside a simulated log (None for other logs); :class:`SeedError` when its shoppers are
    not tuning shoppers."""
    from lab.simulate.split import TUNING_SEEDS, SeedError

    path = Path(url.split("///", 1)[-1]).parent / "shoppers.json" if url.startswith("sqlite") else None
    if path is None or not path.exists():
        return None
    run = json.loads(path.read_text())
    seeds = [int(seed) for seed in run.get("seeds") or []]  # logs of the simulator before issue 18 name no seeds: refused
    if run.get("split") != "tuning" or not seeds or any(seed not in TUNING_SEEDS for seed in seeds):
        raise SeedError(f"{path.parent} holds shoppers of seeds {seeds} (split {run.get('split', 'unknown')}): the re-ranker is "
                        f"fitted only on tuning shoppers (TUNING_SEEDS = {list(TUNING_SEEDS)}); make a tuning log with "
                        "`shopassist train reranker --simulate N`")
    return run


def train_reranker(settings: Settings, database_url: str | None = None, *, force: bool = False, progress: bool = True) -> FitReport:
    """Fit, compare and (when better, or ``force``) save to home/models/reranker.json; the report says which."""
    from dialogue.state_store import SqlStateStore
    from retrieval.product_store import HybridProductStore
    from retrieval.rerank import FEATURES, FeedbackReranker, RerankWeights, weights_path

    url = database_url or default_feedback_log(settings)
    run = simulated_run(url)  # refuses held-out shoppers before anything is fitted
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
    if run is not None:
        from lab.bench.feedback import arm_report, run_arms
        from lab.simulate.shoppers import Behaviour, Shopper
        from lab.simulate.taste import CatalogTexts

        people = [s for s in (Shopper.model_validate(x) for x in run["shoppers"]) if held_out(s.sender)]
        texts = CatalogTexts(store.products())
        with tempfile.TemporaryDirectory() as tmp:
            for label, weights in (("default", default), ("fitted", fitted)):
                runs = run_arms(settings, store, people, texts, Path(tmp) / label, arms=("on",), weights=weights,
                                behaviour=Behaviour.model_validate(run["behaviour"]), progress=progress, overhead=False)
                setattr(report, f"held_out_success5_{label}", arm_report(label, runs["on"].outcomes, runs["on"].turn_ms).success_within_5)
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
