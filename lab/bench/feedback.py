"""``shopassist bench feedback``: simulated shoppers with a hidden target, feedback re-ranking ON versus OFF.

The shoppers are :mod:`lab.simulate.shoppers`'s: each opens with a vague request, likes and dislikes the products it
is shown against its hidden target, and sometimes states an attribute or a price. Turn t is the t-th list of
products; success at t: the target is among the (top 5) products shown by then. Both arms run the same shoppers
through the real assistant (NLU, dialogue manager, search, card feedback); OFF has ``rerank_enabled=False``, so
likes and dislikes are recorded but not used for ranking.
"""

from __future__ import annotations

import json
import logging
import statistics
import time
from pathlib import Path

from pydantic import BaseModel, Field

from assistant.service import ShopAssistant
from core.settings import Settings
from lab.simulate.shoppers import MAX_TURNS, Behaviour, ShopperOutcome, make_shoppers, run_arm
from retrieval.rerank import PriceBands, RerankWeights
from lab.plotting import pyplot

log = logging.getLogger(__name__)

SUCCESS_WITHIN = 5


class ArmReport(BaseModel):
    arm: str
    shoppers: int
    success_by_turn: list[float] = Field(description="Share of shoppers whose target was shown within turn 1..6.")
    success_within_5: float
    mean_turns_to_success: float | None = Field(description="Over the shoppers who succeeded within 6 turns.")
    turn_ms_p50: float


class FeedbackBenchReport(BaseModel):
    catalog: str
    products: int
    shoppers: int
    weights: str
    behaviour: Behaviour = Field(default_factory=Behaviour)
    arms: dict[str, ArmReport]
    rerank_added_ms_p50: float = Field(description="Median extra time of pooled search + re-ranking over plain search, per turn.")
    plot: str | None = None
    log_dir: str | None = Field(default=None, description="The arms' conversation databases and shoppers.json (input of `train reranker`).")
    targets: dict[str, bool] = Field(default_factory=dict)


def arm_report(arm: str, outcomes: list[ShopperOutcome], turn_ms: list[float], max_turns: int = MAX_TURNS) -> ArmReport:
    n = max(len(outcomes), 1)
    by_turn = [round(sum(1 for o in outcomes if o.success_turn is not None and o.success_turn <= t) / n, 4) for t in range(1, max_turns + 1)]
    turns = [o.success_turn for o in outcomes if o.success_turn is not None]
    return ArmReport(
        arm=arm, shoppers=len(outcomes), success_by_turn=by_turn, success_within_5=by_turn[min(SUCCESS_WITHIN, max_turns) - 1],
        mean_turns_to_success=round(statistics.mean(turns), 3) if turns else None,
        turn_ms_p50=round(statistics.median(turn_ms), 2) if turn_ms else 0.0,
    )


def rerank_overhead_ms(assistant: ShopAssistant, outcomes: list[ShopperOutcome], samples: int = 200, repeats: int = 3) -> float:
    """Median over stored ON conversations (their latest goal and state) of (pooled search + re-rank) − (plain search),
    each timed as the best of ``repeats`` interleaved runs, so other processes on a shared CPU do not inflate it."""
    dm = assistant.manager
    if dm.reranker is None:
        return 0.0
    diffs: list[float] = []
    k = assistant.settings.page_size
    for sender in [o.sender for o in outcomes][:samples]:
        for conversation_id in assistant.states.conversations_of(sender):
            state = assistant.states.load(conversation_id)
            if state.goal is None:
                continue
            constraints = state.goal.constraints.model_copy(update={"exclude_ids": list(state.shown)})
            dm.products.search(state.goal.query, constraints, k)  # warm the query cache for both
            plain, pooled = [], []
            for _ in range(repeats):
                started = time.perf_counter()
                dm.products.search(state.goal.query, constraints, k)
                plain.append(time.perf_counter() - started)
                started = time.perf_counter()
                dm.search(state, state.goal.query, constraints, k)
                pooled.append(time.perf_counter() - started)
            diffs.append((min(pooled) - min(plain)) * 1000)
    return round(statistics.median(diffs), 2) if diffs else 0.0


def run_feedback_bench(
    settings: Settings, *, shoppers: int = 300, catalog_label: str = "demo", store=None, seed: int = 17,  # type: ignore[no-untyped-def]
    plot: Path | None = None, progress: bool = True, weights: RerankWeights | None = None, behaviour: Behaviour | None = None,
) -> FeedbackBenchReport:
    """Run both arms on the catalog ingested in ``settings.home`` (conversations go to a fresh database each)."""
    from assistant.wiring import build_assistant
    from retrieval.product_store import HybridProductStore

    store = store or HybridProductStore.open(settings)
    run_dir = settings.home / "bench" / "feedback" / f"{catalog_label}-{shoppers}-{seed}"
    run_dir.mkdir(parents=True, exist_ok=True)
    for old in run_dir.glob("*.db*"):
        old.unlink()
    people = make_shoppers(store.products(), shoppers, seed)
    (run_dir / "shoppers.json").write_text(json.dumps({"behaviour": (behaviour or Behaviour()).model_dump(), "shoppers": [p.model_dump() for p in people]}, indent=1))
    bands = PriceBands(store.products())
    arms: dict[str, ArmReport] = {}
    overhead = 0.0
    weights_label = "settings"
    for arm, enabled in (("on", True), ("off", False)):
        arm_settings = settings.model_copy(update={"rerank_enabled": enabled, "database_url": f"sqlite:///{run_dir / f'{arm}.db'}"})
        assistant = build_assistant(arm_settings, store=store, reranker_weights=weights)
        if enabled and assistant.manager.reranker is not None:
            weights_label = assistant.manager.reranker.weights.source
        outcomes, timings = run_arm(assistant, people, bands, arm, progress, behaviour)
        arms[arm] = arm_report(arm, outcomes, timings)
        if enabled:
            overhead = rerank_overhead_ms(assistant, outcomes)
    report = FeedbackBenchReport(catalog=catalog_label, products=len(store.products()), shoppers=len(people), weights=weights_label,
                                 behaviour=behaviour or Behaviour(), arms=arms, rerank_added_ms_p50=overhead, log_dir=str(run_dir))
    on, off = arms["on"].success_within_5, arms["off"].success_within_5
    report.targets = {"success_within_5_on>=0.6": on >= 0.6, "on>=2x_off": on >= 2 * off, "added_ms_p50<=5": overhead <= 5.0}
    if plot is not None:
        report.plot = str(write_plot(report, plot))
    return report


def write_plot(report: FeedbackBenchReport, path: Path) -> Path:
    plt = pyplot()

    path.parent.mkdir(parents=True, exist_ok=True)
    fig, ax = plt.subplots(figsize=(6, 4))
    for name, arm in report.arms.items():
        turns = list(range(1, len(arm.success_by_turn) + 1))
        ax.plot(turns, arm.success_by_turn, marker="o", label=f"feedback re-ranking {name.upper()}")
    ax.set_xlabel("turn (product list shown)")
    ax.set_ylabel("success: target shown by this turn")
    ax.set_ylim(0, 1)
    ax.set_title(f"Simulated shoppers ({report.shoppers}) on the {report.catalog} catalog")
    ax.grid(alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path


def bench_feedback(settings: Settings, *, catalog: str = "demo", scaled_count: int = 40_000, shoppers: int = 300, seed: int = 17,
                   behaviour: Behaviour | None = None, plot: Path | None = None, progress: bool = True) -> FeedbackBenchReport:
    """:func:`run_feedback_bench` on the home's catalog (``demo``) or on the generated ``scaled_count``-product one
    (``scaled``, :func:`lab.fixtures.scaled_store`); the plot defaults to the run's log folder."""
    from lab.fixtures import scaled_store

    if catalog not in ("demo", "scaled"):
        raise ValueError("catalog must be demo or scaled")
    label = catalog
    if catalog == "scaled":
        label = f"scaled-{scaled_count}"
        settings = scaled_store(settings, scaled_count, progress=progress)
    plot_path = plot or settings.home / "bench" / "feedback" / f"{label}-{shoppers}-{seed}" / "success-by-turn.png"
    return run_feedback_bench(settings, shoppers=shoppers, catalog_label=label, seed=seed, plot=plot_path, progress=progress,
                              behaviour=behaviour)
