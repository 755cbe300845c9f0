"""The feedback bench (issue 18, item 1): a shopper simulator that shares no code with the re-ranker, tuning seeds
refused by the reported run, held-out targets, paired-bootstrap intervals, and a small real run of both arms."""

from __future__ import annotations

import ast
import json
import random
from pathlib import Path

import numpy as np
import pytest

from core.settings import DATA_DIR
from lab.simulate.split import (
    HELD_OUT_SEEDS,
    TUNING_SEEDS,
    SeedError,
    require_held_out,
    target_split,
)
from retrieval.catalog_io import load_catalog
from retrieval.models import Product

ROOT = Path(__file__).resolve().parents[3]
#: What the simulator must not import: the re-ranker, and the dialogue parts built on its facts (price bands).
RERANKER = ("retrieval.rerank", "retrieval.reranker", "dialogue.feedback", "dialogue.profiles")


@pytest.fixture(scope="module")
def demo_products() -> list[Product]:
    return load_catalog([DATA_DIR / "catalog" / "demo.jsonl"]).products


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    names = {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names |= {f"{node.module}.{a.name}" for a in node.names}  # "from retrieval import rerank"
    return names


def test_the_simulator_shares_no_code_with_the_reranker() -> None:
    files = sorted((ROOT / "lab" / "simulate").glob("*.py"))
    assert {f.name for f in files} >= {"shoppers.py", "taste.py", "split.py"}
    for path in files:
        imported = imported_modules(path)
        assert not {m for m in imported if m.startswith(RERANKER)}, (path.name, imported)


def test_tuning_seeds_are_declared_and_refused() -> None:
    from core.settings import Settings
    from lab.bench.feedback import bench_feedback

    assert set(TUNING_SEEDS) == {5, 17, 23} and not set(HELD_OUT_SEEDS) & set(TUNING_SEEDS)
    with pytest.raises(SeedError, match="tuned the re-ranker"):
        require_held_out([101, 17])
    with pytest.raises(SeedError):
        bench_feedback(Settings(), seeds=[5], catalogs=["demo"], progress=False)  # refused before any catalog is opened


def test_the_cli_refuses_a_tuning_seed() -> None:
    from typer.testing import CliRunner

    from cli import main as cli

    result = CliRunner().invoke(cli.app, ["bench", "feedback", "--seed", "23", "--json"])
    assert result.exit_code == 2, result.output
    assert "tuned the re-ranker" in result.output


def test_held_out_shoppers_never_look_for_a_tuning_target(demo_products: list[Product]) -> None:
    from lab.simulate.shoppers import make_shoppers

    held = [s for seed in HELD_OUT_SEEDS for s in make_shoppers(demo_products, 100, seed)]
    tuning = [s for seed in TUNING_SEEDS for s in make_shoppers(demo_products, 100, seed)]
    assert {target_split(s.target_id) for s in held} == {"held_out"}
    assert {target_split(s.target_id) for s in tuning} == {"tuning"}
    assert not {s.target_id for s in held} & {s.target_id for s in tuning}
    assert make_shoppers(demo_products, 5, 101) == make_shoppers(demo_products, 5, 101)  # deterministic
    assert len({s.sender for s in held}) == len(held)


def test_a_shopper_judges_the_whole_product_against_its_target(demo_products: list[Product]) -> None:
    from lab.simulate.taste import CatalogTexts, Taste, Traits

    texts = CatalogTexts(demo_products)
    target = next(p for p in demo_products if p.category[-1] == "Blenders")
    other_kind = next(p for p in demo_products if p.category[0] != target.category[0])
    traits = Traits(price_weight=0.2, noise=0.0, silence=0.0, like_share=0.02, dislike_share=0.5)
    taste = Taste(texts, target, traits)
    closest = max((p for p in demo_products if p.id != target.id), key=lambda p: taste.utility[texts.row[p.id]])
    assert closest.category[-1] == "Blenders"
    liked, disliked = taste.reactions([other_kind.id, closest.id], random.Random(0))
    assert liked == [closest.id] and disliked == [other_kind.id]
    silent = Taste(texts, target, traits.model_copy(update={"silence": 1.0}))
    assert silent.reactions([other_kind.id, closest.id], random.Random(0)) == ([], [])


def test_paired_bootstrap_intervals() -> None:
    from lab.bench.feedback import paired_bootstrap

    rng = np.random.default_rng(1)
    on = rng.random((200, 6)).cumsum(axis=1) > 1.5
    off = rng.random((200, 6)).cumsum(axis=1) > 2.5
    on_ci, off_ci, diff = paired_bootstrap(on, off, resamples=500)
    for interval in (*on_ci, *off_ci, *diff):
        assert interval.lo <= interval.mean <= interval.hi
    assert all(d.mean == pytest.approx(a.mean - b.mean, abs=1e-4) for a, b, d in zip(on_ci, off_ci, diff))
    assert diff[4].lo > 0  # a real gap of ~0.4 on 200 shoppers is resolved
    same = paired_bootstrap(on, on, resamples=200)[2]
    assert all(d.lo == d.mean == d.hi == 0 for d in same)  # paired: identical arms differ by exactly nothing


def test_both_arms_on_the_demo_catalog_report_intervals_and_feed_training(assistant_factory) -> None:  # type: ignore[no-untyped-def]
    from dialogue.state_store import SqlStateStore
    from lab.bench.feedback import FeedbackBenchReport, run_catalog
    from lab.train.reranker import fit_weights, training_examples
    from lab.train.reranker_fit import simulated_run
    from lab.train.reranker_grid import tuning_log
    from retrieval.rerank import FeedbackReranker, RerankWeights

    shop = assistant_factory()
    result = run_catalog(shop.settings, "demo", seeds=[101], shoppers=12, store=shop.products, plot=False, progress=False, resamples=300)
    report = json.loads(FeedbackBenchReport(held_out_seeds=[101], shoppers_per_seed=12, catalogs=[result]).model_dump_json())
    assert report["held_out_seeds"] == [101] and report["tuning_seeds"] == [5, 17, 23]
    catalog = report["catalogs"][0]
    assert catalog["catalog"] == "demo" and catalog["seeds"] == [101] and catalog["shoppers"] == 12
    for arm in ("on", "off"):
        data = catalog["arms"][arm]
        assert data["shoppers"] == 12 and len(data["success_at"]) == 6
        assert data["success_by_turn"] == sorted(data["success_by_turn"])
        assert all(i["lo"] <= i["mean"] <= i["hi"] for i in data["success_at"])
        assert [i["mean"] for i in data["success_at"]] == data["success_by_turn"]
    assert all(i["lo"] <= i["mean"] <= i["hi"] for i in catalog["difference"])
    assert catalog["arms"]["on"]["likes_per_shopper"] > 0  # the shoppers did give feedback
    assert catalog["weight_values"]["attribute"] == shop.settings.rerank_attribute
    # a held-out run's log may not train the re-ranker
    with pytest.raises(SeedError):
        simulated_run(f"sqlite:///{result.log_dir}/on.db")
    # a tuning log does: labelled features from both halves, a purchase ranked against each earlier pool
    url = tuning_log(shop.settings, shoppers=6, store=shop.products, progress=False)
    assert simulated_run(url) is not None
    reranker = FeedbackReranker(shop.settings, shop.products, RerankWeights.from_settings(shop.settings))
    fit, held = training_examples(SqlStateStore(url), reranker)
    assert set(fit.labels) == {0, 1} and held.labels
    bought = [(w, g) for w, y, g in zip(fit.weights, fit.labels, fit.groups) if y == 1 and w > 1]
    assert bought and all(sum(1 for g2 in fit.groups if g2 == g) > w for w, g in bought)
    fitted = fit_weights(fit, reranker.weights)
    assert all(value >= 0 for value in fitted.vector()) and fitted.source == "fitted"
