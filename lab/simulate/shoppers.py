"""Simulated shoppers with a hidden target product, run through the real assistant (``bench feedback``, ``train reranker``).

Each shopper has a hidden in-stock target and a temperament (:class:`lab.simulate.taste.Traits`, drawn from its
seed). It opens with a vague request for the target's top-level category ("show me some electronics"; "show me some
women's tops" where the top level is a gender), answering "no preference, show me some" if asked what kind. Turn t is
the t-th list of products. After each list it judges the cards with its own utility over the whole product
(:class:`lab.simulate.taste.Taste`: text similarity to the target, price closeness, noise): it may give no card
feedback at all, or like the cards it ranks near the top of the catalog and dislike those near the bottom. Then it
says something: "these are too expensive" (once) when the target costs well under what it sees, one of the target's
attributes (once: "do you have any in blue?"), or "show me more". Once the target is shown it adds it to the cart
(the ``added_to_cart`` event `train reranker` learns from).

Both arms of ``bench feedback`` run the same shoppers (same seeds, same rules, same messages); only what the
assistant shows them differs. This package imports nothing from the re-ranker (``retrieval.rerank``); a test checks.
"""

from __future__ import annotations

import random
import time

from pydantic import BaseModel, Field
from tqdm import tqdm

from assistant.service import ShopAssistant
from dialogue.reply_facts import CartAddFacts, ClarificationFacts
from lab.simulate.split import Split, split_of_seed, target_split
from lab.simulate.taste import CatalogTexts, Taste, Traits, price_ratio
from retrieval.models import Product

MAX_TURNS = 6
#: Top-level categories that name who a product is for rather than what it is ("show me some women" says nothing).
PEOPLE_ROOTS = frozenset({"men", "women", "kids", "boys", "girls", "baby", "unisex"})


class Behaviour(BaseModel):
    """How often a shopper says more than "show me more" (each at most once per conversation), and how many never click."""

    state_rate: float = Field(default=0.2, ge=0, le=1, description="Chance per turn of stating one target attribute.")
    price_rate: float = Field(default=0.5, ge=0, le=1, description="Chance per turn of \"too expensive\" when the target is < 0.8 × the median shown price.")
    lurker_rate: float = Field(default=0.1, ge=0, le=1, description="Share of shoppers who never like or dislike a card.")


class Shopper(BaseModel):
    sender: str
    target_id: str
    seed: int
    traits: Traits


class ShopperOutcome(BaseModel):
    sender: str
    target_id: str
    success_turn: int | None = Field(default=None, description="The turn (product list) the target was first shown in.")
    lists: int = 0
    messages: list[str] = Field(default_factory=list)
    likes: int = 0
    dislikes: int = 0
    silent_lists: int = Field(default=0, description="Lists judged without any card feedback.")
    carted: bool = Field(default=False, description="Found it and added it to the cart (logged as added_to_cart).")


def make_shoppers(products: list[Product], count: int, seed: int, *, behaviour: Behaviour | None = None,
                  split: Split | None = None) -> list[Shopper]:
    """``count`` shoppers whose targets are drawn (deterministically from ``seed``) among the in-stock products of the
    seed's split (:func:`lab.simulate.split.target_split`), each with traits drawn from its own seed."""
    behaviour = behaviour or Behaviour()
    split = split or split_of_seed(seed)
    rng = random.Random(seed)
    pool = sorted((p for p in products if p.in_stock and target_split(p.id) == split), key=lambda p: p.id)
    if not pool:
        raise ValueError(f"the catalog has no in-stock {split} targets")
    targets = rng.sample(pool, count) if count <= len(pool) else [rng.choice(pool) for _ in range(count)]
    people = []
    for i, target in enumerate(targets):
        own = seed * 100_003 + i
        people.append(Shopper(sender=f"shopper-{seed}-{i:04d}", target_id=target.id, seed=own,
                              traits=Traits.draw(random.Random(own), behaviour.lurker_rate)))
    return people


def opening(target: Product) -> str:
    """The vague first request: the target's top-level category (with the next level when the top names people)."""
    root = target.category[0]
    if root.lower() in PEOPLE_ROOTS and len(target.category) > 2:
        return f"show me some {root.lower()}'s {target.category[1].lower()}"
    return f"show me some {root.lower()}"


def statements(target: Product) -> list[str]:
    """Things the shopper could say about what it wants (one attribute each, only when the target has one value)."""
    out: list[str] = []
    colors = target.values("color")
    if len(colors) == 1:
        out.append(f"do you have any in {colors[0].lower()}?")
    materials = target.values("material")
    if len(materials) == 1:
        out.append(f"something in {materials[0].lower()} please")
    return out


def simulate(assistant: ShopAssistant, shopper: Shopper, texts: CatalogTexts, *, max_turns: int = MAX_TURNS,
             timings: list[float] | None = None, behaviour: Behaviour | None = None) -> ShopperOutcome:
    behaviour = behaviour or Behaviour()
    target = assistant.products.get(shopper.target_id)
    assert target is not None, shopper.target_id
    taste = Taste(texts, target, shopper.traits)
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

    shown = say(opening(target))
    if not shown:
        shown = say("no preference, show me some")
    stated = said_price = False
    options = statements(target)
    for turn in range(1, max_turns + 1):
        outcome.lists = turn
        if target.id in shown:
            outcome.success_turn = turn
            outcome.carted = _buy(assistant, conversation, shopper.sender, shown.index(target.id))
            break
        if turn == max_turns:
            break
        likes, dislikes = taste.reactions(shown, rng)
        outcome.silent_lists += not (likes or dislikes)
        for pid in likes:
            assistant.feedback(conversation, shopper.sender, pid, liked=True)
        for pid in dislikes:
            assistant.feedback(conversation, shopper.sender, pid, liked=False)
        outcome.likes += len(likes)
        outcome.dislikes += len(dislikes)
        roll = rng.random()
        ratio = price_ratio(target, [p for pid in shown if (p := assistant.products.get(pid)) is not None])
        if ratio is not None and ratio < 0.8 and not said_price and roll < behaviour.price_rate:
            text, said_price = "these are too expensive", True
        elif options and not stated and roll < behaviour.state_rate:
            text, stated = rng.choice(options), True
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
    for _ in range(2):  # a size question, then perhaps a colour one (variant catalogs)
        if not (isinstance(facts, ClarificationFacts) and facts.slot in ("size", "color") and facts.options):
            break
        result = assistant.handle(conversation, sender, facts.options[0])
        facts = result.plan.facts
    return isinstance(result.plan.facts, CartAddFacts) and result.plan.facts.added


def run_arm(assistant: ShopAssistant, shoppers: list[Shopper], texts: CatalogTexts, label: str, progress: bool = True,
            behaviour: Behaviour | None = None) -> tuple[list[ShopperOutcome], list[float]]:
    """Every shopper through ``assistant`` (one progress bar); the outcomes and each turn's milliseconds."""
    timings: list[float] = []
    outcomes = [simulate(assistant, s, texts, timings=timings, behaviour=behaviour)
                for s in tqdm(shoppers, desc=f"shoppers ({label})", disable=not progress)]
    return outcomes, timings
