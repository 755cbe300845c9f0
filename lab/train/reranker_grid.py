"""Tune the re-ranker against the simulated shoppers of the tuning seeds only (``shopassist train reranker --grid``),
and write tuning logs for ``shopassist train reranker`` to fit weights on.

Shoppers come from :data:`lab.simulate.split.TUNING_SEEDS` with tuning targets (:func:`lab.simulate.split.target_split`);
anything else is refused. The grid is a coordinate search from the current settings: for each setting in turn, each
of its candidate values is run (the ON arm, the same shoppers every time) and kept when it finds more targets within
five lists by at least ``min_gain``. The held-out figures are ``shopassist bench feedback``'s, which never sees these
shoppers.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, Field
from tqdm import tqdm

from core.settings import Settings
from lab.bench.feedback import SUCCESS_WITHIN, run_arms, success_matrix, write_shoppers
from lab.simulate.shoppers import Behaviour, Shopper, make_shoppers
from lab.simulate.split import TUNING_SEEDS, require_tuning
from lab.simulate.taste import CatalogTexts
from retrieval.product_store import ProductStore
from retrieval.rerank import RerankWeights

#: The settings searched and their candidate values (the current value is always tried first).
GRID: dict[str, tuple[float, ...]] = {
    "rerank_attribute": (2.0, 4.0, 8.0, 12.0),
    "rerank_dislike_kind": (1.0, 3.0),
    "rerank_rocchio": (0.0, 2.0, 4.0),
    "rerank_liked_similarity": (0.0, 1.0, 3.0),
    "rerank_relevance": (0.5, 1.0, 2.0),
    "rerank_novelty": (0.0, 0.6, 1.5),
    "rerank_price": (0.0, 1.0, 3.0),
}


def tuning_shoppers(products: list, shoppers: int, seeds: tuple[int, ...] | list[int] = TUNING_SEEDS,  # type: ignore[type-arg]
                    behaviour: Behaviour | None = None) -> list[Shopper]:
    """``shoppers`` per tuning seed (other seeds refused), with tuning targets."""
    return [p for seed in require_tuning(seeds) for p in make_shoppers(products, shoppers, seed, behaviour=behaviour, split="tuning")]


class Trial(BaseModel):
    setting: str
    value: float
    success_within_5: float
    kept: bool = False


class GridReport(BaseModel):
    seeds: list[int]
    shoppers: int = Field(description="Tuning shoppers per candidate (all seeds).")
    start: dict[str, float]
    best: dict[str, float]
    success_within_5_start: float
    success_within_5_best: float
    success_within_5_off: float | None = Field(default=None, description="The same shoppers without re-ranking.")
    trials: list[Trial] = Field(default_factory=list)

    def changed(self) -> dict[str, float]:
        return {k: v for k, v in self.best.items() if self.start.get(k) != v}


def _success5(settings: Settings, store: ProductStore, people: list[Shopper], texts: CatalogTexts, run_dir: Path, arm: str) -> float:
    weights = RerankWeights.from_settings(settings).model_copy(update={"source": "grid"})
    runs = run_arms(settings, store, people, texts, run_dir, arms=(arm,), weights=weights, progress=False, overhead=False)
    return round(float(success_matrix(runs[arm].outcomes)[:, SUCCESS_WITHIN - 1].mean()), 4)


def grid_search(settings: Settings, *, shoppers: int = 60, seeds: tuple[int, ...] | list[int] = TUNING_SEEDS,
                grid: dict[str, tuple[float, ...]] | None = None, min_gain: float = 0.02, store: ProductStore | None = None,
                progress: bool = True) -> GridReport:
    """Coordinate search over ``grid`` on the home's catalog (or ``store``) with ``shoppers`` tuning shoppers per seed."""
    from retrieval.product_store import HybridProductStore

    grid = grid or GRID
    store = store or HybridProductStore.open(settings)
    products = store.products()
    texts = CatalogTexts(products)
    people = tuning_shoppers(products, shoppers, seeds)
    run_dir = settings.home / "bench" / "feedback" / "tuning-grid"
    run_dir.mkdir(parents=True, exist_ok=True)
    write_shoppers(run_dir / "shoppers.json", people, list(seeds), Behaviour(), "tuning")
    current = {name: float(getattr(settings, name)) for name in grid}
    trials_total = 2 + sum(len([v for v in values if v != current[name]]) for name, values in grid.items())
    bar = tqdm(total=trials_total, desc="grid (tuning seeds)", disable=not progress)
    off = _success5(settings, store, people, texts, run_dir, "off")
    bar.update()
    best_score = _success5(settings, store, people, texts, run_dir, "on")
    bar.update()
    report = GridReport(seeds=list(seeds), shoppers=len(people), start=dict(current), best=dict(current),
                        success_within_5_start=best_score, success_within_5_best=best_score, success_within_5_off=off)
    seen = {tuple(current.items())}
    for name, values in grid.items():
        for value in values:
            candidate = {**current, name: value}
            if tuple(candidate.items()) in seen:  # the current point, or one tried before
                continue
            seen.add(tuple(candidate.items()))
            score = _success5(settings.model_copy(update=candidate), store, people, texts, run_dir, "on")
            trial = Trial(setting=name, value=value, success_within_5=score)
            report.trials.append(trial)
            bar.update()
            if score >= best_score + min_gain:
                trial.kept = True
                best_score, current = score, candidate
            bar.set_postfix(best=best_score)
    bar.close()
    report.best, report.success_within_5_best = current, best_score
    return report


def tuning_log(settings: Settings, *, shoppers: int = 100, seeds: tuple[int, ...] | list[int] = TUNING_SEEDS,
               weights: RerankWeights | None = None, store: ProductStore | None = None, progress: bool = True) -> str:
    """Run the ON arm for the tuning shoppers on the home's catalog (or ``store``); the SQLAlchemy URL of its log
    (with ``shoppers.json`` beside it), the input of ``shopassist train reranker``."""
    from retrieval.product_store import HybridProductStore

    store = store or HybridProductStore.open(settings)
    products = store.products()
    people = tuning_shoppers(products, shoppers, seeds)
    run_dir = settings.home / "bench" / "feedback" / f"tuning-{shoppers}x{'-'.join(map(str, seeds))}"
    run_dir.mkdir(parents=True, exist_ok=True)
    write_shoppers(run_dir / "shoppers.json", people, list(seeds), Behaviour(), "tuning")
    run_arms(settings, store, people, CatalogTexts(products), run_dir, arms=("on",), weights=weights, progress=progress, overhead=False)
    return f"sqlite:///{run_dir / 'on.db'}"
