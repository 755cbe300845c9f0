"""``shopassist bench feedback``: simulated shoppers with a hidden target, feedback re-ranking ON versus OFF.

The shoppers are :mod:`lab.simulate.shoppers`'s: each opens with a vague request, judges the cards it is shown with
its own utility over the whole product (text similarity to its target, price closeness, noise; it may give no
feedback at all), likes and dislikes accordingly, and sometimes states an attribute or a price. The simulator shares
no code with the re-ranker. Turn t is the t-th list of products; success@k: the target is among the products shown
in the first k lists. Both arms run the same shoppers through the real assistant (NLU, dialogue manager, search, card
feedback); OFF has ``rerank_enabled=False``, so likes and dislikes are recorded but not used for ranking.

The reported run uses held-out seeds only (:data:`lab.simulate.split.TUNING_SEEDS` are refused) and held-out
targets; success@k of each arm and the ON − OFF difference come with 95 % intervals from a paired bootstrap over
shoppers (the same resampled shoppers for both arms). Catalogs: ``demo`` (the home's), ``luma`` (the Magento Luma
sample catalog in ../shared/data/magento-luma, skipped when absent) and ``scaled`` (the generated 40k catalog).
"""

from __future__ import annotations

import json
import logging
import statistics
import time
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import BaseModel, Field

from assistant.service import ShopAssistant
from core.settings import DATA_DIR, PROJECT_ROOT, Settings
from core.stats import percentile
from lab.plotting import pyplot
from lab.simulate.shoppers import (
    MAX_TURNS,
    Behaviour,
    Shopper,
    ShopperOutcome,
    make_shoppers,
    run_arm,
)
from lab.simulate.split import HELD_OUT_SEEDS, TUNING_SEEDS, require_held_out
from lab.simulate.taste import CatalogTexts
from retrieval.product_store import ProductStore
from retrieval.rerank import RerankWeights

log = logging.getLogger(__name__)

SUCCESS_WITHIN = 5
CATALOGS = ("demo", "luma", "scaled")
DEFAULT_CATALOGS = ("demo", "luma")
LUMA_DIR = PROJECT_ROOT.parent / "shared" / "data" / "magento-luma"
LUMA_GEAR = ("products_gear_bags.csv", "products_gear_watches.csv", "products_gear_fitness_equipment.csv",
             "products_gear_fitness_equipment_ball.csv", "products_gear_fitness_equipment_strap.csv")
BOOTSTRAP_RESAMPLES = 2000
BOOTSTRAP_SEED = 0
CONFIDENCE = 0.95
SIMULATOR = ("lab.simulate: hidden in-stock target; utility = (1-w)*TF-IDF cosine of the full product text + "
             "w*price closeness + Gaussian noise; likes top like_share of the catalog by utility, dislikes bottom "
             "dislike_share; no card feedback with chance `silence` per list; 10% never click; no re-ranker code")


class CatalogMissing(Exception):
    """A catalog whose data is not on this machine (the report lists it as skipped, with this message)."""


class Interval(BaseModel):
    """A share with its 95 % bootstrap interval (``lo <= mean <= hi``)."""

    mean: float
    lo: float
    hi: float


class ArmReport(BaseModel):
    arm: str
    shoppers: int
    success_by_turn: list[float] = Field(description="success@k for k = 1..6: share of shoppers whose target was shown in the first k lists.")
    success_at: list[Interval] = Field(default_factory=list, description="success@k for k = 1..6 with its 95% bootstrap interval.")
    success_within_5: float
    mean_turns_to_success: float | None = Field(description="Over the shoppers who succeeded within 6 turns.")
    likes_per_shopper: float = 0.0
    dislikes_per_shopper: float = 0.0
    silent_list_share: float = Field(default=0.0, description="Share of judged lists given no card feedback at all.")
    turn_ms_p50: float


class CatalogReport(BaseModel):
    catalog: str
    products: int
    shoppers: int
    seeds: list[int]
    weights: str = Field(description="Where the ON arm's weights came from (settings, a fitted file, or a caller).")
    weight_values: dict[str, float] = Field(default_factory=dict)
    arms: dict[str, ArmReport]
    difference: list[Interval] = Field(default_factory=list, description="ON − OFF success@k, k = 1..6, paired bootstrap interval.")
    difference_within_5: Interval | None = None
    rerank_added_ms_p50: float = Field(description="Median extra time of pooled search + re-ranking over plain search, per turn.")
    targets: dict[str, bool] = Field(default_factory=dict)
    plot: str | None = None
    log_dir: str | None = Field(default=None, description="The arms' conversation databases and shoppers.json.")


class FeedbackBenchReport(BaseModel):
    held_out_seeds: list[int]
    tuning_seeds: list[int] = Field(default_factory=lambda: list(TUNING_SEEDS), description="Refused here; the weights were tuned on these.")
    shoppers_per_seed: int
    success_within: int = SUCCESS_WITHIN
    bootstrap: dict[str, Any] = Field(default_factory=lambda: {"resamples": BOOTSTRAP_RESAMPLES, "confidence": CONFIDENCE,
                                                               "paired_over": "shoppers", "seed": BOOTSTRAP_SEED})
    simulator: str = SIMULATOR
    behaviour: Behaviour = Field(default_factory=Behaviour)
    catalogs: list[CatalogReport] = Field(default_factory=list)
    skipped: dict[str, str] = Field(default_factory=dict, description="Catalogs not run, and why.")


# figures ----------------------------------------------------------------------------------------------
def success_matrix(outcomes: list[ShopperOutcome], max_turns: int = MAX_TURNS) -> np.ndarray:
    """(shoppers × turns) booleans: the target was shown in the first k lists (column k − 1)."""
    turns = np.array([o.success_turn if o.success_turn is not None else max_turns + 1 for o in outcomes], dtype=np.int64)
    return turns[:, None] <= np.arange(1, max_turns + 1)[None, :]


def _interval(observed: float, samples: np.ndarray, confidence: float = CONFIDENCE) -> Interval:
    tail = (1 - confidence) / 2 * 100
    values = samples.tolist()
    lo, hi = percentile(values, tail), percentile(values, 100 - tail)
    return Interval(mean=round(observed, 4), lo=round(min(lo, observed), 4), hi=round(max(hi, observed), 4))


def paired_bootstrap(on: np.ndarray, off: np.ndarray, *, resamples: int = BOOTSTRAP_RESAMPLES, seed: int = BOOTSTRAP_SEED,
                     confidence: float = CONFIDENCE) -> tuple[list[Interval], list[Interval], list[Interval]]:
    """Intervals of ON success@k, OFF success@k and their difference, for every column k, from ``resamples`` draws of
    shoppers with replacement — the same draw for both arms (the arms ran the same shoppers). The observed share is
    the ``mean``; the percentile interval is widened to contain it should it ever fall outside."""
    if on.shape != off.shape or on.shape[0] == 0:
        raise ValueError("paired bootstrap needs both arms' outcomes for the same (non-empty) shoppers")
    rng = np.random.default_rng(seed)
    picks = rng.integers(0, on.shape[0], size=(resamples, on.shape[0]))
    on_f, off_f = on.astype(np.float64), off.astype(np.float64)
    boot_on, boot_off = on_f[picks].mean(axis=1), off_f[picks].mean(axis=1)  # (resamples × turns)
    out: tuple[list[Interval], list[Interval], list[Interval]] = ([], [], [])
    for k in range(on.shape[1]):
        out[0].append(_interval(float(on_f[:, k].mean()), boot_on[:, k], confidence))
        out[1].append(_interval(float(off_f[:, k].mean()), boot_off[:, k], confidence))
        out[2].append(_interval(float(on_f[:, k].mean() - off_f[:, k].mean()), boot_on[:, k] - boot_off[:, k], confidence))
    return out


def arm_report(arm: str, outcomes: list[ShopperOutcome], turn_ms: list[float], max_turns: int = MAX_TURNS,
               intervals: list[Interval] | None = None) -> ArmReport:
    n = max(len(outcomes), 1)
    by_turn = [round(float(v), 4) for v in success_matrix(outcomes, max_turns).mean(axis=0)] if outcomes else [0.0] * max_turns
    turns = [o.success_turn for o in outcomes if o.success_turn is not None]
    judged = sum(max(o.lists - 1, 0) for o in outcomes)  # the list that showed the target, and the last, are not judged
    return ArmReport(
        arm=arm, shoppers=len(outcomes), success_by_turn=by_turn, success_at=intervals or [],
        success_within_5=by_turn[min(SUCCESS_WITHIN, max_turns) - 1],
        mean_turns_to_success=round(statistics.mean(turns), 3) if turns else None,
        likes_per_shopper=round(sum(o.likes for o in outcomes) / n, 3), dislikes_per_shopper=round(sum(o.dislikes for o in outcomes) / n, 3),
        silent_list_share=round(sum(o.silent_lists for o in outcomes) / judged, 3) if judged else 0.0,
        turn_ms_p50=round(percentile(turn_ms, 50), 2) if turn_ms else 0.0,
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
    return round(percentile(diffs, 50), 2) if diffs else 0.0


# running ----------------------------------------------------------------------------------------------
class ArmRun(BaseModel):
    outcomes: list[ShopperOutcome]
    turn_ms: list[float]
    weights: str = "off"
    weight_values: dict[str, float] = Field(default_factory=dict)
    added_ms: float = 0.0


def run_arms(settings: Settings, store: ProductStore, people: list[Shopper], texts: CatalogTexts, run_dir: Path, *,
             arms: tuple[str, ...] = ("on", "off"), weights: RerankWeights | None = None, behaviour: Behaviour | None = None,
             progress: bool = True, overhead: bool = True) -> dict[str, ArmRun]:
    """The same shoppers through a fresh assistant per arm (``on``: re-ranking with ``weights``, default the
    settings'/fitted ones; ``off``: none), each logging to ``run_dir/<arm>.db``."""
    from assistant.wiring import build_assistant

    run_dir.mkdir(parents=True, exist_ok=True)
    out: dict[str, ArmRun] = {}
    for arm in arms:
        for old in run_dir.glob(f"{arm}.db*"):
            old.unlink()
        enabled = arm != "off"
        arm_settings = settings.model_copy(update={"rerank_enabled": enabled, "database_url": f"sqlite:///{run_dir / f'{arm}.db'}"})
        assistant = build_assistant(arm_settings, store=store, reranker_weights=weights)
        outcomes, timings = run_arm(assistant, people, texts, arm, progress, behaviour)
        run = ArmRun(outcomes=outcomes, turn_ms=timings)
        reranker = assistant.manager.reranker
        if enabled and reranker is not None:
            run.weights, run.weight_values = reranker.weights.source, reranker.weights.named()
            run.added_ms = rerank_overhead_ms(assistant, outcomes) if overhead else 0.0
        out[arm] = run
    return out


def write_shoppers(path: Path, people: list[Shopper], seeds: list[int], behaviour: Behaviour, split: str) -> None:
    path.write_text(json.dumps({"seeds": seeds, "split": split, "behaviour": behaviour.model_dump(),
                                "shoppers": [p.model_dump() for p in people]}, indent=1))


def run_catalog(settings: Settings, label: str, *, seeds: list[int], shoppers: int, store: ProductStore | None = None,
                weights: RerankWeights | None = None, behaviour: Behaviour | None = None, plot: bool = True,
                progress: bool = True, resamples: int = BOOTSTRAP_RESAMPLES) -> CatalogReport:
    """Both arms on the catalog of ``settings.home`` with ``shoppers`` held-out shoppers per seed (tuning seeds
    refused), their bootstrap intervals, and (``plot``) success by turn as a PNG beside the logs."""
    from retrieval.product_store import HybridProductStore

    seeds = require_held_out(seeds)
    behaviour = behaviour or Behaviour()
    store = store or HybridProductStore.open(settings)
    products = store.products()
    texts = CatalogTexts(products)
    people = [p for seed in seeds for p in make_shoppers(products, shoppers, seed, behaviour=behaviour)]
    run_dir = settings.home / "bench" / "feedback" / f"{label}-{shoppers}x{'-'.join(map(str, seeds))}"
    run_dir.mkdir(parents=True, exist_ok=True)
    write_shoppers(run_dir / "shoppers.json", people, seeds, behaviour, "held_out")
    runs = run_arms(settings, store, people, texts, run_dir, weights=weights, behaviour=behaviour, progress=progress)
    on_m, off_m = success_matrix(runs["on"].outcomes), success_matrix(runs["off"].outcomes)
    on_ci, off_ci, diff_ci = paired_bootstrap(on_m, off_m, resamples=resamples)
    k = SUCCESS_WITHIN - 1
    arms = {"on": arm_report("on", runs["on"].outcomes, runs["on"].turn_ms, intervals=on_ci),
            "off": arm_report("off", runs["off"].outcomes, runs["off"].turn_ms, intervals=off_ci)}
    report = CatalogReport(
        catalog=label, products=len(products), shoppers=len(people), seeds=seeds, weights=runs["on"].weights,
        weight_values=runs["on"].weight_values, arms=arms, difference=diff_ci, difference_within_5=diff_ci[k],
        rerank_added_ms_p50=runs["on"].added_ms, log_dir=str(run_dir),
    )
    on, off = on_ci[k].mean, off_ci[k].mean
    report.targets = {"success_within_5_on>=0.6": on >= 0.6, "on>=2x_off": on >= 2 * off,
                      "on>off_at_95%": diff_ci[k].lo > 0, "added_ms_p50<=5": report.rerank_added_ms_p50 <= 5.0}
    if plot:
        report.plot = str(write_plot(report, run_dir / "success-by-turn.png"))
    log.info("bench.feedback catalog=%s on=%s off=%s diff=%s", label, on_ci[k], off_ci[k], diff_ci[k])
    return report


def write_plot(report: CatalogReport, path: Path) -> Path:
    plt = pyplot()

    path.parent.mkdir(parents=True, exist_ok=True)
    fig, ax = plt.subplots(figsize=(6, 4))
    for name, arm in report.arms.items():
        turns = list(range(1, len(arm.success_by_turn) + 1))
        ax.plot(turns, arm.success_by_turn, marker="o", label=f"feedback re-ranking {name.upper()}")
        if arm.success_at:
            ax.fill_between(turns, [i.lo for i in arm.success_at], [i.hi for i in arm.success_at], alpha=0.2)
    ax.set_xlabel("k (product lists shown)")
    ax.set_ylabel("success@k (95% bootstrap interval)")
    ax.set_ylim(0, 1)
    ax.set_title(f"{report.shoppers} held-out shoppers, {report.catalog} catalog (seeds {', '.join(map(str, report.seeds))})", fontsize=9)
    ax.grid(alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path


# catalogs ---------------------------------------------------------------------------------------------
def catalog_settings(settings: Settings, catalog: str, *, scaled_count: int = 40_000, progress: bool = True) -> tuple[Settings, str]:
    """(settings of a home holding ``catalog``, its label). ``demo``: the home itself; ``scaled``: the generated
    ``scaled_count``-product catalog (:func:`lab.fixtures.scaled_store`, ingested once); ``luma``: the Magento Luma
    sample catalog (configurable apparel and the gear files, shipped mappings; :func:`lab.fixtures.catalog_store`).
    :class:`CatalogMissing` when the Luma data is not beside the checkout."""
    from lab.fixtures import catalog_store, scaled_store

    if catalog == "demo":
        return settings, "demo"
    if catalog == "scaled":
        return scaled_store(settings, scaled_count, progress=progress), f"scaled-{scaled_count}"
    if catalog == "luma":
        apparel = LUMA_DIR / "configurable_products.csv"
        if not apparel.exists():
            raise CatalogMissing(f"{apparel} not found: the Magento Luma catalog is read from ../shared/data/magento-luma beside the checkout")
        from retrieval.ingest import ingest

        store = catalog_store(settings, [apparel], mapping=DATA_DIR / "mappings" / "magento_luma.yml", progress=progress)
        gear = [LUMA_DIR / name for name in LUMA_GEAR if (LUMA_DIR / name).exists()]
        if gear:
            ingest(gear, store, mapping_path=DATA_DIR / "mappings" / "magento_luma_gear.yml", progress=progress)
        return store, "luma"
    raise ValueError(f"unknown catalog {catalog!r}: one of {', '.join(CATALOGS)}")


def bench_feedback(settings: Settings, *, catalogs: tuple[str, ...] | list[str] = DEFAULT_CATALOGS, scaled_count: int = 40_000,
                   shoppers: int = 100, seeds: tuple[int, ...] | list[int] = HELD_OUT_SEEDS, behaviour: Behaviour | None = None,
                   weights: RerankWeights | None = None, plot: bool = True, progress: bool = True,
                   resamples: int = BOOTSTRAP_RESAMPLES) -> FeedbackBenchReport:
    """:func:`run_catalog` on each of ``catalogs`` with ``shoppers`` shoppers per held-out seed; catalogs whose
    data is absent are listed under ``skipped``. Tuning seeds raise :class:`lab.simulate.split.SeedError`."""
    seeds = require_held_out(seeds)
    unknown = [c for c in catalogs if c not in CATALOGS]
    if unknown:
        raise ValueError(f"unknown catalog(s) {', '.join(unknown)}: choose from {', '.join(CATALOGS)}")
    behaviour = behaviour or Behaviour()
    report = FeedbackBenchReport(held_out_seeds=seeds, shoppers_per_seed=shoppers, behaviour=behaviour,
                                 bootstrap={"resamples": resamples, "confidence": CONFIDENCE, "paired_over": "shoppers", "seed": BOOTSTRAP_SEED})
    for catalog in dict.fromkeys(catalogs):
        try:
            home, label = catalog_settings(settings, catalog, scaled_count=scaled_count, progress=progress)
        except CatalogMissing as exc:
            log.warning("bench.feedback skipped %s: %s", catalog, exc)
            report.skipped[catalog] = str(exc)
            continue
        report.catalogs.append(run_catalog(home, label, seeds=seeds, shoppers=shoppers, weights=weights, behaviour=behaviour,
                                           plot=plot, progress=progress, resamples=resamples))
    return report
