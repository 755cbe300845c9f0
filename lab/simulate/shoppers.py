"""Simulated shoppers with a hidden target product, run through the real assistant (``bench feedback``, ``train reranker``).

Each shopper has a hidden target product. It opens with a vague request for the target's top-level category
(answering "no preference" if asked what kind), then reacts to every list of products like a person would: it likes
shown products sharing at least two of the target's attributes (type, brand, colour, material, price band), dislikes
clearly different ones (none shared, or a different type sharing at most one), and says something: sometimes one of
the target's attributes ("something in leather"), "these are too expensive" when the target is well below what it
sees, otherwise "show me more". Turn t is the t-th list of products; once the target is shown, the shopper adds it
to the cart (the ``added_to_cart`` event `train reranker` learns from).
"""

from __future__ import annotations

import random
import statistics
import time

from pydantic import BaseModel, Field
from tqdm import tqdm

from assistant.service import ShopAssistant
from dialogue.reply_facts import CartAddFacts, ClarificationFacts
from retrieval.models import Product
from retrieval.rerank import PriceBands

MAX_TURNS = 6
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
    facts = result.plan.facts
    if isinstance(facts, ClarificationFacts) and facts.slot == "size" and facts.options:
        result = assistant.handle(conversation, sender, facts.options[0])
    return isinstance(result.plan.facts, CartAddFacts) and result.plan.facts.added


def run_arm(assistant: ShopAssistant, shoppers: list[Shopper], bands: PriceBands, label: str, progress: bool = True,
            behaviour: Behaviour | None = None) -> tuple[list[ShopperOutcome], list[float]]:
    timings: list[float] = []
    outcomes = [simulate(assistant, s, bands, timings=timings, behaviour=behaviour)
                for s in tqdm(shoppers, desc=f"shoppers ({label})", disable=not progress)]
    return outcomes, timings
