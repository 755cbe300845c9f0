"""``shopassist bench feedback``: simulated shoppers with a hidden target, feedback re-ranking ON versus OFF.

Each shopper has a hidden target product. It opens with a vague request for the target's top-level category
(answering "no preference" if asked what kind), then reacts to every list of products like a person would: it likes
shown products sharing at least two of the target's attributes (type, brand, colour, material, price band), dislikes
clearly different ones (none shared, or a different type sharing at most one), and says something: sometimes one of
the target's attributes ("something in leather"), "these are too expensive" when the target is well below what it
sees, otherwise "show me more". Turn t is the t-th list of products; success at t: the target is among the (top 5)
products shown by then. Both arms run the same shoppers through the real assistant (NLU, dialogue manager, search,
card feedback); OFF has ``rerank_enabled=False``, so likes and dislikes are recorded but not used for ranking.
"""

from __future__ import annotations

import json
import logging
import random
import statistics
import time
from pathlib import Path

from pydantic import BaseModel, Field
from tqdm import tqdm

from assistant.service import ShopAssistant
from core.settings import Settings
from retrieval.models import Product
from retrieval.reranker import PriceBands, RerankWeights

log = logging.getLogger(__name__)

MAX_TURNS = 6
SUCCESS_WITHIN = 5
MAX_LIKES_PER_TURN = 2
MAX_DISLIKES_PER_TURN = 2


class Behaviour(BaseModel):
    """How often a shopper says more than "show me more" (each at most once per conversation)."""

    state_rate: float = Field(default=0.2, ge=0, le=1, description="Chance per turn of stating one target attribute.")
    price_rate: float = Field(default=0.5, ge=0, le=1, description="Chance per turn of \"too expensive\" when the target is < 0.8 × the median shown price.")


class Shopper(BaseModel):
    sender: str
    target_id: str
    seed: int


class ShopperOutcome(BaseModel):
    sender: str
    target_id: str
    success_turn: int | None = Field(default=None, description="The turn (product list) the target was first shown in.")
    lists: int = 0
    messages: list[str] = Field(default_factory=list)
    likes: int = 0
    dislikes: int = 0
    carted: bool = Field(default=False, description="Found it and added it to the cart (logged as added_to_cart).")


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


# shoppers --------------------------------------------------------------------------------------------
def make_shoppers(products: list[Product], count: int, seed: int = 17) -> list[Shopper]:
    """``count`` shoppers with targets drawn (deterministically) from in-stock products."""
    rng = random.Random(seed)
    pool = sorted((p for p in products if p.in_stock), key=lambda p: p.id)
    targets = rng.sample(pool, min(count, len(pool))) if count <= len(pool) else [rng.choice(pool) for _ in range(count)]
    return [Shopper(sender=f"shopper-{i:04d}", target_id=t.id, seed=seed * 100_003 + i) for i, t in enumerate(targets)]


class TargetView:
    """How a shopper judges products against its hidden target."""

    def __init__(self, target: Product, bands: PriceBands) -> None:
        self.target = target
        self.bands = bands
        self.band = bands.band(target)

    def shared(self, product: Product) -> int:
        t = self.target
        return sum((
            product.leaf_category == t.leaf_category,
            bool(t.brand) and product.brand == t.brand,
            bool({v.lower() for v in product.values("color")} & {v.lower() for v in t.values("color")}),
            bool({v.lower() for v in product.values("material")} & {v.lower() for v in t.values("material")}),
            self.bands.band(product) == self.band,
        ))

    def reactions(self, shown: list[Product]) -> tuple[list[str], list[str]]:
        scored = sorted(((self.shared(p), i, p) for i, p in enumerate(shown)), key=lambda x: (-x[0], x[1]))
        likes = [p.id for s, _, p in scored if s >= 2][:MAX_LIKES_PER_TURN]
        different = [p.id for s, _, p in reversed(scored)
                     if s == 0 or (p.leaf_category != self.target.leaf_category and s <= 1)]
        return likes, different[:MAX_DISLIKES_PER_TURN]

    def statements(self) -> list[str]:
        """Things this shopper could say about the target (one attribute each)."""
        out: list[str] = []
        colors = self.target.values("color")
        if len(colors) == 1:
            out.append(f"do you have any in {colors[0].lower()}?")
        materials = self.target.values("material")
        if len(materials) == 1:
            out.append(f"something in {materials[0].lower()} please")
        return out


def simulate(assistant: ShopAssistant, shopper: Shopper, bands: PriceBands, *, max_turns: int = MAX_TURNS,
             timings: list[float] | None = None, behaviour: Behaviour | None = None) -> ShopperOutcome:
    behaviour = behaviour or Behaviour()
    target = assistant.products.get(shopper.target_id)
    assert target is not None, shopper.target_id
    view = TargetView(target, bands)
    rng = random.Random(shopper.seed)
    outcome = ShopperOutcome(sender=shopper.sender, target_id=target.id)
    conversation = assistant.start(shopper.sender)

    def say(text: str) -> list[str]:
        started = time.perf_counter()
        result = assistant.handle(conversation, shopper.sender, text)
        if timings is not None:
            timings.append((time.perf_counter() - started) * 1000)
        outcome.messages.append(text)
        return [card.product_id for card in result.plan.products] if result.plan.action == "show_products" else []

    shown = say(f"show me some {target.category[0].lower()}")
    if not shown:
        shown = say("no preference, show me some")
    stated = False
    said_price = False
    for turn in range(1, max_turns + 1):
        outcome.lists = turn
        if target.id in shown:
            outcome.success_turn = turn
            outcome.carted = _buy(assistant, conversation, shopper.sender, shown.index(target.id))
            break
        if turn == max_turns:
            break
        products = [p for pid in shown if (p := assistant.products.get(pid)) is not None]
        likes, dislikes = view.reactions(products)
        for pid in likes:
            assistant.feedback(conversation, shopper.sender, pid, liked=True)
        for pid in dislikes:
            assistant.feedback(conversation, shopper.sender, pid, liked=False)
        outcome.likes += len(likes)
        outcome.dislikes += len(dislikes)
        roll = rng.random()
        prices = [p.price for p in products]
        statements = view.statements()
        if prices and not said_price and target.price < 0.8 * statistics.median(prices) and roll < behaviour.price_rate:
            text, said_price = "these are too expensive", True
        elif statements and not stated and roll < behaviour.state_rate:
            text, stated = rng.choice(statements), True
        else:
            text = "show me more"
        shown = say(text) or shown
    return outcome


ORDINALS = ("first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth")


def _buy(assistant: ShopAssistant, conversation: str, sender: str, index: int) -> bool:
    """The shopper found the target: "add the third one to my cart" (answering the size question if asked).
    Not a counted turn; it leaves an ``added_to_cart`` event in the log, the label `train reranker` learns from."""
    result = assistant.handle(conversation, sender, f"add the {ORDINALS[min(index, len(ORDINALS) - 1)]} one to my cart")
    if result.plan.action == "ask_clarification" and result.plan.facts.get("slot") == "size" and result.plan.facts.get("options"):
        result = assistant.handle(conversation, sender, str(result.plan.facts["options"][0]))
    return result.plan.action == "cart_add" and bool(result.plan.facts.get("added"))


# the benchmark ----------------------------------------------------------------------------------------
def arm_report(arm: str, outcomes: list[ShopperOutcome], turn_ms: list[float], max_turns: int = MAX_TURNS) -> ArmReport:
    n = max(len(outcomes), 1)
    by_turn = [round(sum(1 for o in outcomes if o.success_turn is not None and o.success_turn <= t) / n, 4) for t in range(1, max_turns + 1)]
    turns = [o.success_turn for o in outcomes if o.success_turn is not None]
    return ArmReport(
        arm=arm, shoppers=len(outcomes), success_by_turn=by_turn, success_within_5=by_turn[min(SUCCESS_WITHIN, max_turns) - 1],
        mean_turns_to_success=round(statistics.mean(turns), 3) if turns else None,
        turn_ms_p50=round(statistics.median(turn_ms), 2) if turn_ms else 0.0,
    )


def run_arm(assistant: ShopAssistant, shoppers: list[Shopper], bands: PriceBands, label: str, progress: bool = True,
            behaviour: Behaviour | None = None) -> tuple[list[ShopperOutcome], list[float]]:
    timings: list[float] = []
    outcomes = [simulate(assistant, s, bands, timings=timings, behaviour=behaviour)
                for s in tqdm(shoppers, desc=f"shoppers ({label})", disable=not progress)]
    return outcomes, timings


def rerank_overhead_ms(assistant: ShopAssistant, outcomes: list[ShopperOutcome], samples: int = 200, repeats: int = 3) -> float:
    """Median over stored ON conversations (their latest goal and state) of (pooled search + re-rank) − (plain search),
    each timed as the best of ``repeats`` interleaved runs, so other processes on a shared CPU do not inflate it."""
    dm = assistant.manager
    if dm.reranker is None:
        return 0.0
    diffs: list[float] = []
    k = core.settings.page_size
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
    from assistant.factory import build_assistant
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
        assistant = build_assistant(arm_settings, store=store)
        if enabled and assistant.manager.reranker is not None:
            if weights is not None:
                assistant.manager.reranker.weights = weights
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
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

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
