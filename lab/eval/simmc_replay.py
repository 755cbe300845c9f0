"""SIMMC dialogues replayed through the assistant: what it understood and did at each user turn, with no oracle.

SIMMC's system turns are a human wizard's, annotated with acts (REQUEST:DISAMBIGUATE, INFORM:GET, ...). The assistant
never sees them: in a real conversation its context is *its own* previous action. :func:`replay_dialogues` sends each
SIMMC dialogue's user turns, in order, to a fresh conversation of a real :class:`assistant.service.ShopAssistant`
(the classifier under evaluation, the slot extractor over the replay catalog, the dialogue manager, template
replies; no long-term profiles; conversations in a scratch SQLite file) and records, per user turn, the intent the
assistant understood (with its own previous action and whatever it was waiting for as context, as in production)
and the action it took. The next turn's own context is that action; whether the assistant then waits for an answer
to its own "which one do you mean?" (and whether the next turn names a reference) is recorded too, for the routing
of answers (:func:`lab.eval.simmc.routed_intents`).

The catalog is whatever store is passed (the CLI: the home's ingested catalog; the tests: the demo catalog). SIMMC's
items are not in it, so the assistant's actions (a "which one do you mean?" question, a product answer, a size
question after an add-to-cart) are its own, not the wizard's: that is the point of the replay.
"""

from __future__ import annotations

import logging
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import BaseModel, Field
from tqdm.auto import tqdm

from core.settings import Settings
from dialogue.intent_classifier import IntentClassifier
from dialogue.pending import AwaitingReference

if TYPE_CHECKING:
    from lab.eval.simmc import SimmcTurn
    from retrieval.product_store import ProductStore

log = logging.getLogger(__name__)


class ReplayTurn(BaseModel):
    """One user turn as the assistant handled it."""

    intent: str = Field(description="The intent the assistant understood (classifier in its own context, plus the "
                                    "understanding rules).")
    confidence: float
    action: str = Field(description="The dialogue manager's action (ReplyPlan.action).")
    asked: str | None = Field(default=None, description="What a clarifying question asked for (reference, category, ...).")
    previous_action: str | None = Field(default=None, description="The assistant's own action on the turn before.")
    awaiting_reference: str | None = Field(default=None, description="Before this turn the assistant waited for an "
                                           "answer to its own 'which one do you mean?' (pending AwaitingReference): the "
                                           "intent that asked.")
    references: bool = Field(default=False, description="The assistant's slot extractor found a reference in the turn.")


class ReplaySummary(BaseModel):
    catalog: str = Field(description="The store the assistant searched (its home or path).")
    products: int
    dialogues: int
    turns: int
    actions: dict[str, int] = Field(default_factory=dict, description="How often the assistant took each action.")
    clarifications: dict[str, int] = Field(default_factory=dict, description="Its clarifying questions, by what they asked.")
    seconds: float = 0.0


def replay_settings(settings: Settings, scratch: Path) -> Settings:
    """The assistant's settings for a replay: template replies, no profiles, conversations in ``scratch``."""
    return settings.model_copy(update={"generator": "template", "profiles_enabled": False,
                                       "database_url": f"sqlite:///{scratch / 'simmc-replay.db'}"})


def build_replay_assistant(settings: Settings, store: ProductStore, classifier: IntentClassifier):  # type: ignore[no-untyped-def]
    """The production assistant (``assistant.wiring``) on ``store`` around ``classifier``."""
    from assistant.wiring import build_assistant

    return build_assistant(settings, store=store, classifier=classifier)


def replay_dialogues(dialogues: list[list[SimmcTurn]], classifier: IntentClassifier, settings: Settings,
                     store: ProductStore | None = None, progress: bool = True) -> tuple[list[list[ReplayTurn]], ReplaySummary]:
    """Every dialogue's user turns through a fresh conversation each; see the module docstring.

    ``store``: the catalog to search (default: the one ingested in ``settings.home``)."""
    from retrieval.product_store import HybridProductStore

    started = time.perf_counter()
    store = store or HybridProductStore.open(settings)
    replayed: list[list[ReplayTurn]] = []
    with tempfile.TemporaryDirectory(prefix="simmc-replay-") as scratch:
        assistant = build_replay_assistant(replay_settings(settings, Path(scratch)), store, classifier)
        total = sum(len(d) for d in dialogues)
        with tqdm(total=total, desc="replaying SIMMC dialogues", unit="turn", disable=not progress, leave=False) as bar:
            for dialogue in dialogues:
                sender = f"simmc-{dialogue[0].dialogue}" if dialogue else "simmc"
                conversation = assistant.start(sender)
                turns: list[ReplayTurn] = []
                previous: str | None = None
                awaiting: str | None = None
                for turn in dialogue:
                    result = assistant.handle(conversation, sender, turn.text)
                    state = assistant.state(conversation, sender)
                    asked = getattr(result.plan.facts, "slot", None) if result.plan.action == "ask_clarification" else None
                    turns.append(ReplayTurn(intent=result.plan.intent, confidence=result.plan.confidence,
                                            action=result.plan.action, asked=asked, previous_action=previous,
                                            awaiting_reference=awaiting,
                                            references=bool(state.turns[-1].slots.get("references"))))
                    previous = result.plan.action
                    awaiting = state.pending.intent if isinstance(state.pending, AwaitingReference) else None
                    bar.update(1)
                replayed.append(turns)
    flat = [t for d in replayed for t in d]
    summary = ReplaySummary(
        catalog=str(getattr(getattr(store, "settings", None), "home", settings.home)),
        products=len(store.products()), dialogues=len(replayed), turns=len(flat),
        actions=dict(Counter(t.action for t in flat).most_common()),
        clarifications=dict(Counter(t.asked or "?" for t in flat if t.action == "ask_clarification").most_common()),
        seconds=round(time.perf_counter() - started, 1),
    )
    log.info("simmc.replay dialogues=%d turns=%d products=%d seconds=%.1f actions=%s", summary.dialogues, summary.turns,
             summary.products, summary.seconds, summary.actions)
    return replayed, summary
