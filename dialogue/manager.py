"""The dialogue manager: from a turn's understanding and the conversation state to events and one reply plan."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

from core.settings import Settings
from core.timing import stage
from dialogue.actions import Action
from dialogue.feedback import feedback_context
from dialogue.features import FeatureIndex
from dialogue.goals import AGE_VALUE
from dialogue.orders import OrderBook
from dialogue.pending import AwaitingConfirmation, AwaitingReference
from dialogue.plan import ProductCard, ReplyPlan
from dialogue.policies import PolicyBook
from dialogue.profiles import ProfileStore
from dialogue.references import ReferenceSpec, Resolution, resolve
from dialogue.reply_facts import ClarificationFacts
from dialogue.state import ConversationState, Event, FocusEvent, ServiceEvent
from dialogue.understanding import Understanding
from retrieval.models import Product, ProductHit, SearchConstraints
from retrieval.product_store import ProductStore
from retrieval.rerank import FeedbackReranker, with_reason

if TYPE_CHECKING:
    from dialogue.handlers.shopping import CategoryCounts
    from retrieval.category_space import CategorySpace

log = logging.getLogger(__name__)


@dataclass
class Turn:
    """What a handler works with, and the events it produces (stored only if the whole turn succeeds)."""

    nlu: Understanding
    state: ConversationState
    events: list[Event] = field(default_factory=list)

    @property
    def text(self) -> str:
        return self.nlu.text

    def emit(self, event: Event) -> None:
        self.events.append(event)
        self.state.apply(event)

    def plan(self, action: Action, **fields: object) -> ReplyPlan:
        return ReplyPlan(action=action, intent=self.nlu.intent, confidence=self.nlu.confidence, user_text=self.text,  # type: ignore[arg-type]
                         language=self.nlu.language, **fields)


Handler = Callable[["DialogueManager", Turn], ReplyPlan]


class DialogueManager:
    def __init__(
        self, settings: Settings, products: ProductStore, orders: OrderBook, policies: PolicyBook,
        profiles: ProfileStore | None = None, reranker: FeedbackReranker | None = None,
    ) -> None:
        """The parts come built (assistant/wiring.py); without ``reranker``, results keep the retrieval order."""
        self.settings = settings
        self.products = products
        self.profiles = profiles
        self.reranker = reranker
        self.orders = orders
        self.policies = policies
        from dialogue import handlers

        self._handlers: dict[str, Handler] = handlers.INTENT_HANDLERS

    def respond(self, nlu: Understanding, state: ConversationState) -> tuple[list[Event], ReplyPlan]:
        """Decide and carry out one action. ``state`` is advanced in place; the returned events reproduce that."""
        turn = Turn(nlu=nlu, state=state)
        pending_before = state.pending
        handler = self._route(turn)
        plan = handler(self, turn)
        set_by_handler = isinstance(state.pending, AwaitingReference) and state.pending is not pending_before
        if isinstance(plan.facts, ClarificationFacts) and plan.facts.slot == "reference" and not set_by_handler:
            # the answer goes where the question came from: a product question the classifier called out of scope too
            asked_by = next((name for name, known in self._handlers.items() if known is handler), nlu.intent)
            turn.emit(ServiceEvent(pending=AwaitingReference(intent=asked_by)))
        elif isinstance(pending_before, AwaitingReference | AwaitingConfirmation) and state.pending is pending_before:
            # not asked again: answered, or the shopper moved on (a later "yes" cancels nothing)
            turn.emit(ServiceEvent(pending=None))
        return turn.events, plan

    def _route(self, turn: Turn) -> Handler:
        from dialogue import handlers

        contextual = handlers.contextual_handler(self, turn)
        if contextual is not None:
            return contextual
        return self._handlers.get(turn.nlu.intent, handlers.fallback)

    # helpers shared by handlers --------------------------------------------------------------------------
    def resolve(self, turn: Turn, *, default_focus: bool = True) -> Resolution:
        specs = [ReferenceSpec.model_validate(r.model_dump()) for r in turn.nlu.slots.references]
        return resolve(specs, turn.state, self.products, text=turn.text, default_focus=default_focus)

    def search(self, state: ConversationState | None, query: str, constraints: SearchConstraints, k: int) -> list[ProductHit]:
        """Retrieval; with re-ranking on, a larger candidate pool re-ranked with the conversation's feedback."""
        if self.reranker is None or state is None:
            with stage("retrieval"):
                return [with_reason(hit) for hit in self.products.search(query, constraints, k)]
        with stage("retrieval"):
            hits = self.products.search(query, constraints, self.reranker.pool_size(k))
        profile = self.profiles.signals(state.sender) if self.profiles is not None else None
        with stage("rerank"):
            return self.reranker.rerank(query, constraints, hits, feedback_context(state, profile), k)

    def warm_up(self) -> None:
        """Build now what the first turns would otherwise build on the way (a server calls this after start-up): the
        category space (one query embedding per category name), the category counts, the catalog's words and its
        product features."""
        self.category_space  # noqa: B018 - cached_property: reading builds it
        self.category_counts.words  # noqa: B018
        self.features, self.age_values  # noqa: B018

    @cached_property
    def category_counts(self) -> CategoryCounts:
        """The catalog's category counts, for clarifying questions (the store's products are fixed once opened)."""
        from dialogue.handlers.shopping import CategoryCounts

        return CategoryCounts(self.products.facets())

    @cached_property
    def features(self) -> FeatureIndex:
        """Each category's product features in the catalog's words ("OLED", "wireless"), built on first use."""
        return FeatureIndex(self.products.facets())

    @cached_property
    def age_values(self) -> dict[str, list[str]]:
        """Each attribute whose values are the youngest age a product is for ("age": ["3+", "8+"]) → its values."""
        values = self.products.facets().values
        return {key: column.names for key, column in values.items() if column.names and all(map(AGE_VALUE.match, column.names))}

    @cached_property
    def leaf_prices(self) -> dict[str, list[float]]:
        """Each leaf category (lower-cased) → its products' prices, sorted: what "cheap laptops" is cheap against."""
        return {leaf: prices.tolist() for leaf, prices in self.products.facets().prices_by_leaf().items()}

    @cached_property
    def category_space(self) -> CategorySpace | None:
        """The catalog's categories by meaning (names and product centroids), built on first use, once per store."""
        from retrieval.category_space import CategorySpace

        retrieval = self.settings
        return CategorySpace.build(self.products, min_score=retrieval.category_match_min, min_margin=retrieval.category_match_margin)

    def product(self, product_id: str) -> Product | None:
        return self.products.get(product_id)

    def cards(self, hits: list[ProductHit]) -> list[ProductCard]:
        return [ProductCard.from_hit(i + 1, hit) for i, hit in enumerate(hits)]

    def focus(self, turn: Turn, product_id: str | None) -> None:
        if turn.state.focus != product_id:
            turn.emit(FocusEvent(product_id=product_id))
