"""``shopassist bench turn``: where a turn's time goes, fp32 versus optimised, on the demo and a large catalog.

Simulated shoppers (seeded) hold multi-turn conversations built from the catalog's own categories, colours, brands
and prices: a vague request, a colour, a budget, "show me more", a question about the second product, a comparison,
"cheaper", an add-to-cart. Every turn runs the whole pipeline (state load, intent model, slots, query embedding,
Chroma/exact dense search, BM25, fusion, feedback re-ranking, template reply, state store) and reports its stages
(:mod:`core.timing`). No LLM tokens: the template generator phrases replies.

On the Chinese catalog (``SHOPASSIST_CATALOG=zh``) the shoppers write Chinese (:func:`shopper_turns_zh`), and the
Chinese intent model serves them where ``nlu_languages`` has zh (the zh catalog's default).

Variants: ``fp32`` runs the intent classifier and the query encoder in torch; ``optimised`` runs the defaults: the
classifier as fp32 ONNX and the query encoder as int8 ONNX. The query-embedding cache is emptied before each variant so repeated phrasings are not free.
"""

from __future__ import annotations

import logging
import random
import tempfile
import time
from collections import defaultdict
from pathlib import Path

from pydantic import BaseModel, Field

from core.settings import Settings
from core.stats import latency_summary
from retrieval.models import Product
from lab.plotting import pyplot

log = logging.getLogger(__name__)

VARIANTS: dict[str, dict[str, str]] = {
    "fp32": {"nlu_runtime": "torch", "query_encoder": "torch"},
    "optimised": {"nlu_runtime": "onnx", "query_encoder": "onnx-int8"},
}


class StageStats(BaseModel):
    p50_ms: float
    p95_ms: float
    mean_ms: float


class TurnBenchRun(BaseModel):
    catalog: str
    products: int
    variant: str
    conversations: int
    turns: int
    total: StageStats
    stages: dict[str, StageStats] = Field(default_factory=dict, description="Per stage, over the turns that ran it.")
    actions: dict[str, int] = Field(default_factory=dict, description="How many turns ended in each dialogue action.")


class TurnBenchReport(BaseModel):
    runs: list[TurnBenchRun]
    plot: str | None = None


def shopper_turns(products: list[Product], rng: random.Random) -> list[str]:
    """One simulated conversation drawn from a random product's facts."""
    target = rng.choice(products)
    leaf = target.category[-1].lower()
    colour = (target.attributes.get("color") or ["blue"])[0].lower()
    budget = max(5, int(round(target.price * rng.choice([1.1, 1.3, 1.6]) / 5) * 5))
    turns = [
        rng.choice([f"I'm looking for {leaf}", f"do you have any {leaf}?", f"show me {leaf}", f"I need new {leaf}"]),
        rng.choice([f"in {colour}", f"something {colour}", f"do you have it in {colour}?"]),
        rng.choice([f"under ${budget}", f"my budget is {budget} dollars", f"less than ${budget} please"]),
        "show me more",
        rng.choice(["tell me more about the second one", "what is the rating of the second one?", "is the first one in stock?"]),
        "compare the first two",
        rng.choice(["too expensive", "anything cheaper?", "something cheaper please"]),
        "add the first one to my cart",
    ]
    if target.brand and rng.random() < 0.5:
        turns.insert(3, f"not {target.brand}" if rng.random() < 0.5 else f"from {target.brand}")
    return turns


def shopper_turns_zh(products: list[Product], rng: random.Random) -> list[str]:
    """The same conversation as :func:`shopper_turns`, as a Chinese shopper writes it (the zh catalog's own words)."""
    target = rng.choice(products)
    leaf = target.category[-1]
    colour = (target.attributes.get("color") or ["黑色"])[0]
    budget = max(10, int(round(target.price * rng.choice([1.1, 1.3, 1.6]) / 10) * 10))
    turns = [
        rng.choice([f"我想买{leaf}", f"有没有{leaf}", f"看看{leaf}", f"给我推荐几款{leaf}"]),
        rng.choice([f"要{colour}的", f"有{colour}的吗", f"换个{colour}的"]),
        rng.choice([f"{budget}元以内", f"预算{budget}块", f"不超过{budget}元"]),
        "还有别的吗",
        rng.choice(["第二个怎么样", "第二个评分多少", "第一个有货吗"]),
        "比较一下前两个",
        rng.choice(["太贵了", "有便宜点的吗", "便宜一点的"]),
        "把第一个加入购物车",
    ]
    if target.brand and rng.random() < 0.5:
        turns.insert(3, f"不要{target.brand}的" if rng.random() < 0.5 else f"要{target.brand}的")
    return turns


def _stats(values: list[float]) -> StageStats:
    summary = latency_summary(values)
    return StageStats(p50_ms=summary.p50, p95_ms=summary.p95, mean_ms=summary.mean)


def run_variant(settings: Settings, variant: str, conversations: int, seed: int, progress: bool) -> TurnBenchRun:
    """Build an assistant for ``variant`` on ``settings`` (an ingested store and a trained model) and time turns."""
    from tqdm.auto import tqdm

    from assistant.wiring import build_assistant

    with tempfile.TemporaryDirectory(prefix="bench-turn-") as scratch:
        bench = settings.model_copy(update={**VARIANTS[variant], "generator": "template",
                                            "database_url": f"sqlite:///{Path(scratch) / 'conversations.db'}"})
        assistant = build_assistant(bench)
        products = assistant.products.products()
        rng = random.Random(seed)
        script = shopper_turns_zh if settings.catalog == "zh" else shopper_turns
        scripts = [script(products, rng) for _ in range(conversations + 1)]
        warm = assistant.start("bench-warm-up")
        for text in scripts[0]:
            assistant.handle(warm, "bench-warm-up", text)
        per_stage: dict[str, list[float]] = defaultdict(list)
        actions: dict[str, int] = defaultdict(int)
        totals: list[float] = []
        turns = sum(len(s) for s in scripts[1:])
        with tqdm(total=turns, desc=f"turns ({variant}, {len(products)} products)", disable=not progress, leave=False) as bar:
            for index, script in enumerate(scripts[1:]):
                sender = f"bench-shopper-{index}"
                conversation = assistant.start(sender)
                for text in script:
                    started = time.perf_counter()
                    result = assistant.handle(conversation, sender, text)
                    totals.append((time.perf_counter() - started) * 1000)
                    actions[result.plan.action] += 1
                    for name, ms in result.timings_ms.items():
                        if name != "total":
                            per_stage[name].append(ms)
                    bar.update(1)
        return TurnBenchRun(
            catalog=str(settings.home), products=len(products), variant=variant, conversations=conversations,
            turns=len(totals), total=_stats(totals), stages={name: _stats(v) for name, v in sorted(per_stage.items())},
            actions=dict(sorted(actions.items())),
        )


def plot_runs(runs: list[TurnBenchRun], out: Path) -> Path:
    """Stacked p50 per stage (top-level stages only) for every catalog × variant, with the total p50/p95 marked."""
    plt = pyplot()

    stages = ["state.load", "nlu", "dialogue", "generate", "state.store"]
    labels = [f"{r.products:,} products\n{r.variant}" for r in runs]
    fig, ax = plt.subplots(figsize=(1.9 * len(runs) + 2, 4.8))
    bottom = [0.0] * len(runs)
    for name in stages:
        heights = [r.stages[name].p50_ms if name in r.stages else 0.0 for r in runs]
        ax.bar(labels, heights, bottom=bottom, label=name)
        bottom = [b + h for b, h in zip(bottom, heights)]
    ax.scatter(labels, [r.total.p95_ms for r in runs], marker="_", s=600, color="black", label="total p95", zorder=3)
    ax.axhline(30, linestyle="--", color="grey", linewidth=1, label="target p50 30 ms")
    ax.set_ylabel("milliseconds per turn (p50 per stage)")
    ax.set_title("Turn latency by stage (template replies, no LLM tokens)")
    ax.legend(fontsize=8, loc="upper left")
    fig.tight_layout()
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, dpi=110)
    plt.close(fig)
    return out


def bench_turn(settings: Settings, *, scaled_count: int, conversations: int, variants: list[str], seed: int,
               plot: Path | None = None, progress: bool = True) -> TurnBenchReport:
    """Every variant on the home's catalog and (``scaled_count`` > 0) on the generated ``scaled_count``-product
    catalog (:func:`lab.fixtures.scaled_store`); the stacked-stage plot goes to ``plot`` (default home/bench/turn.png)."""
    from lab.fixtures import scaled_store

    unknown = set(variants) - set(VARIANTS)
    if unknown:
        raise ValueError(f"unknown variant(s): {', '.join(sorted(unknown))}")
    stores = [settings] + ([scaled_store(settings, scaled_count, progress=progress)] if scaled_count else [])
    runs = [run_variant(store, name, conversations, seed, progress) for store in stores for name in variants]
    return TurnBenchReport(runs=runs, plot=str(plot_runs(runs, plot or settings.home / "bench" / "turn.png")))
