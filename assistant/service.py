"""The assistant: one turn end to end — lock the conversation, understand, decide, phrase, store."""

from __future__ import annotations

import gc
import logging
import time
from collections.abc import Generator, Iterator
from pathlib import Path

from pydantic import BaseModel, Field

from assistant.generators.base import Generator, HistoryTurn
from assistant.generators.phrases import localize_quick_replies
from core.errors import BackendUnavailableError, UserError
from core.language import Language, turn_language
from core.settings import Settings
from core.timing import recording, stage
from dialogue.actions import CART_ACTIONS, CART_CHANGES
from dialogue.compound import (
    adds_to,
    answers_the_question,
    carried_out_in_order,
    goes_on_after,
    held_request,
    split_all,
    split_requests,
    waits_for_an_answer,
)
from dialogue.intent_context import NluContext
from dialogue.manager import DialogueManager
from dialogue.plan import ReplyPlan
from dialogue.profiles import ProfileStore
from dialogue.request_cues import withdraws_handoff
from dialogue.reply_facts import ClarificationFacts, HandoffFacts
from dialogue.state import (
    AgentMessage,
    ConversationState,
    Event,
    FeedbackEvent,
    FeedbackRecord,
    HandoffEvent,
    TurnEvent,
    TurnRecord,
)
from dialogue.state_store import MESSAGE_ID_MAX, Receipt, StateStore, UnknownConversationError
from dialogue.understanding import Understander, Understanding
from retrieval.product_store import ProductStore

log = logging.getLogger(__name__)


class TurnResult(BaseModel):
    conversation_id: str
    sender: str
    turn_index: int
    text: str = Field(description="The reply.")
    plan: ReplyPlan
    earlier_plans: list[ReplyPlan] = Field(default_factory=list, description="The plans of the requests carried out "
                                           "before the last one in this message (dialogue.compound); the reply answers each in order.")
    timings_ms: dict[str, float] = Field(default_factory=dict)
    replayed: bool = Field(default=False, description="A resend of a message already answered: the stored reply, not a new turn.")
    from_person: list[AgentMessage] = Field(default_factory=list, description="What a person wrote that the channel had "
                                            "not delivered (for channels that cannot push: ``handle(collect_for=…)``).")

    @property
    def waiting_for_person(self) -> bool:
        """A person has the conversation: the message waits for them and there is no reply."""
        return isinstance(self.plan.facts, HandoffFacts) and self.plan.facts.already


class ShopAssistant:
    def __init__(
        self,
        settings: Settings,
        products: ProductStore,
        understander: Understander,
        states: StateStore,
        manager: DialogueManager,
        generator: Generator,
        profiles: ProfileStore | None = None,
    ) -> None:
        """The parts come built (assistant/wiring.py); ``profiles`` None: no long-term profiles are learned."""
        self.settings = settings
        self.products = products
        self.understander = understander
        self.states = states
        self.profiles = profiles
        self.manager = manager
        self.generator = generator

    def warm_up(self) -> None:
        """Build now what the first turns after start-up would otherwise build and wait for: the dialogue manager's
        catalog structures (the category space embeds every category name: ~0.15 s on the demo catalog, seconds on a
        large one), Chroma's vector index (loaded by the first unconstrained search) and each intent model's first
        run. Nothing is stored; a server runs this in a thread after start-up (``api.warm_up``).

        Then (``gc_freeze_after_warm_up``) everything alive is moved out of the garbage collector's reach: a full
        collection walks every tracked object, and with a catalog, its indexes and the models loaded that is a pause of
        ~0.5 s in whichever turn triggers it, past the turn's deadline."""
        started = time.perf_counter()
        self.manager.warm_up()
        self.products.search("gift", k=1)
        for language in ("en", *self.understander.by_language):
            self.understander.understand("hello", None, language)
        if self.settings.gc_freeze_after_warm_up:
            gc.collect()
            gc.freeze()
        log.info("assistant.warmed_up ms=%.0f frozen_objects=%d", _ms(started), gc.get_freeze_count())

    # conversations -------------------------------------------------------------------------------
    def start(self, sender: str, conversation_id: str | None = None) -> str:
        return self.states.create(sender, conversation_id).conversation_id

    def state(self, conversation_id: str, sender: str | None = None) -> ConversationState:
        state = self.states.load(conversation_id)
        if sender is not None and state.sender != sender:
            raise UnknownConversationError(f"Unknown conversation id {conversation_id!r}")  # never reveal others' conversations
        return state

    # turns ---------------------------------------------------------------------------------------
    def handle(self, conversation_id: str, sender: str, text: str, language: str | None = None,
               message_id: str | None = None, *, collect_for: str | None = None) -> TurnResult:
        """One turn: understand, decide, phrase, store (the conversation is locked throughout). ``language``: a
        channel's hint ("zh", "en", "zh-CN"); without one the message's script decides (core.language).
        ``message_id``: the client's id of the message; a resend of an answered one gets the stored reply
        (``replayed``) and is not processed again. ``collect_for``: a channel that cannot push (Rasa's REST): the
        agent messages it has not delivered come in ``from_person``, marked delivered with the turn."""
        *_, result = self._turn(conversation_id, sender, text, stream=False, language=language, message_id=message_id,
                                collect_for=collect_for)
        assert isinstance(result, TurnResult)
        return result

    def handle_stream(self, conversation_id: str, sender: str, text: str, language: str | None = None,
                      message_id: str | None = None) -> Iterator[str | TurnResult]:
        """Like :meth:`handle`, but yields the reply's text chunks as the generator makes them, then the TurnResult.

        The conversation stays locked until the generator is exhausted or closed; the turn is stored at the end.
        """
        yield from self._turn(conversation_id, sender, text, stream=True, language=language, message_id=message_id)

    def _turn(self, conversation_id: str, sender: str, text: str, *, stream: bool, language: str | None = None,
              message_id: str | None = None, collect_for: str | None = None) -> Iterator[str | TurnResult]:
        text = self._validate(text)
        timings: dict[str, float] = {}
        with self.states.lock(conversation_id):
            started = time.perf_counter()
            with recording(timings):
                with stage("state.load"):
                    state = self.state(conversation_id, sender)
                    stored = state.events_applied
                    answered = self._answered(conversation_id, message_id, text)
            if answered is not None:
                log.info("turn.replayed conversation=%s message_id=%s", conversation_id, message_id)
                if stream:
                    yield answered.text
                yield answered
                return
            withdrawn = [HandoffEvent(active=False)] if state.handoff and withdraws_handoff(text) and not _answered_by_a_person(state) else []
            for event in withdrawn:  # "never mind" before a person has written: the assistant has the conversation again
                state.apply(event)
            if state.handoff:  # a person has the conversation: the message waits for them, the assistant says nothing
                events, plans = [], [waiting_plan(text, turn_language(text, language, state.language))]
                record = TurnRecord(index=state.turn_count, text=text, action=plans[0].action, language=plans[0].language)
            else:
                events, plans, record = yield from self._answer(text, state, language, stream=stream, started=started, timings=timings)
                events = [*withdrawn, *events]
            turn_events: list[Event] = [TurnEvent(turn=record)]
            from_person, delivered = state.undelivered(collect_for) if collect_for else ([], None)
            if delivered is not None:
                turn_events.append(delivered)
            for event in turn_events:
                state.apply(event)
            with recording(timings), stage("state.store"):
                result = TurnResult(conversation_id=conversation_id, sender=sender, turn_index=record.index, text=record.reply,
                                    plan=plans[-1], earlier_plans=plans[:-1], from_person=from_person)
                receipt = Receipt(message_id=message_id, text=text, reply=result.model_dump(mode="json")) if message_id else None
                self.states.append(conversation_id, stored, [*events, *turn_events], receipt, state)
                self._learn_profile(state, events)
            timings["total"] = _ms(started)
        log.info("turn.handled conversation=%s intent=%s action=%s streamed=%s ms=%.1f", conversation_id, record.intent,
                 record.action, stream, timings["total"])
        result.timings_ms = dict(timings)
        yield result

    def _answer(self, text: str, state: ConversationState, language: str | None, *, stream: bool, started: float,
                timings: dict[str, float]) -> Generator[str, None, tuple[list[Event], list[ReplyPlan], TurnRecord]]:
        """The assistant's answer: understand, decide, phrase (yielding the reply's chunks when streaming); the turn's
        events, its plans (one per request carried out) and its record. A message with two requests ("add the second to my cart and show me cheaper
        ones": ``dialogue.compound``) has both carried out in order and answered in one reply; the turn's plan is
        the last one, with the cards of the last part that showed any. When the first asks something back (which
        size? what kind?), the rest wait in the turn's record (``then_say``, ``then_also``) and are carried out after the
        answer."""
        spoken = turn_language(text, language, state.language)
        held, asked = held_request(state) or (None, None)
        waiting: list[str] = []  # the requests after a question asked back
        events: list[Event] = []
        plans: list[ReplyPlan] = []
        with recording(timings):
            with stage("nlu"):
                requests = self._requests(text, state, spoken)
            with stage("dialogue"):
                carried: list[Understanding] = []  # the requests carried out, one per plan
                for index, nlu in enumerate(requests):  # grows by the held request once its question is answered
                    if plans and not adds_to(plans[-1].action, nlu.intent):
                        continue  # "show my cart" right after a cart change: that reply shows it
                    done, plan = self.manager.respond(nlu, state)
                    carried.append(nlu)
                    events += done
                    if plan.language != "en":  # the dialogue manager writes quick replies in English
                        plan.quick_replies = localize_quick_replies(plan.quick_replies, plan.language)
                    if plans and plan.action == "checkout" and plan.cart and plans[-1].action in CART_CHANGES:  # its summary lists the cart
                        plans[-1] = plans[-1].model_copy(update={"cart_listed_later": True})
                    plans.append(plan)
                    rest = [request.text for request in requests[index + 1:]]
                    if plan.action == "ask_clarification" and rest:  # a question asked back: the rest waits for its answer
                        waiting = rest
                    if state.pending is not None or not goes_on_after(plan):
                        break
                    if held is not None and index == len(requests) - 1 and answers_the_question(plan, asked):  # the request it held
                        context = NluContext(previous_action=plan.action)
                        requests += [self.understander.understand(request, context, spoken) for request in held]
                        held = None
        mark = time.perf_counter()
        deadline = started + self.settings.turn_deadline_s
        history = self._history(state)
        pieces: list[str] = []  # streamed: the reply is what the shopper saw, chunk by chunk
        for plan in plans:
            if stream:  # no recording across these yields (see core.timing)
                if pieces:
                    pieces.append("\n\n")
                    yield "\n\n"
                for chunk in self.generator.stream(plan, history, deadline):
                    pieces.append(chunk)
                    yield chunk
            else:
                pieces.append(("\n\n" if pieces else "") + self.generator.generate(plan, history, deadline).strip())
        timings["generate"] = _ms(mark)
        nlu, plan = carried[-1], plans[-1]  # the last request carried out
        plan = plan.model_copy(update=_carried_over(plans)) if len(plans) > 1 else plan
        record = TurnRecord(
            index=state.turn_count, text=text, intent=nlu.intent, confidence=nlu.confidence,
            slots=nlu.slots.model_dump(exclude_defaults=True), action=plan.action,
            asked=plan.facts.slot if isinstance(plan.facts, ClarificationFacts) else None,
            then_say=waiting[0] if waiting else None, then_also=waiting[1:],
            reply="".join(pieces).strip(), product_ids=[card.product_id for card in plan.products], language=nlu.language,
            unmet=plan.unmet_need(),
        )
        return events, [*plans[:-1], plan], record

    def _requests(self, text: str, state: ConversationState, language: Language) -> list[Understanding]:
        """What the message asks for: one request, or several to carry out in order (``dialogue.compound``: at every
        joint, else at the first only; never while the assistant waits for the answer to its last question, which the
        whole message is)."""
        context = NluContext(previous_action=state.last_action, pending=state.pending)
        parts = None if waits_for_an_answer(state) else split_all(text, language)
        if parts is not None:
            read = [self.understander.understand(part, context, language) for part in parts]
            if len(read) > 2 and not carried_out_in_order(*(r.intent for r in read)):
                rest = split_requests(text, language)[1]  # type: ignore[index]  # parts exist, so the first joint does
                read = [read[0], self.understander.understand(rest, context, language)]  # the first joint only
            if carried_out_in_order(*(r.intent for r in read)):
                log.info("turn.requests intents=%s", ",".join(r.intent for r in read))
                return read
        return [self.understander.understand(text, context, language)]

    def _answered(self, conversation_id: str, message_id: str | None, text: str) -> TurnResult | None:
        """The stored reply to ``message_id`` when the conversation already answered it (a client's resend)."""
        if message_id is not None and not 0 < len(message_id) <= MESSAGE_ID_MAX:
            raise UserError(f"A message id has 1 to {MESSAGE_ID_MAX} characters; this one has {len(message_id)}.")
        if message_id is None or (receipt := self.states.receipt(conversation_id, message_id)) is None:
            return None
        if receipt.text != text:
            raise UserError(f"Message id {message_id!r} was already used for another message in this conversation.")
        return TurnResult.model_validate({**receipt.reply, "replayed": True, "timings_ms": {}})

    def feedback(self, conversation_id: str, sender: str, product_id: str, liked: bool) -> ConversationState:
        """A like/dislike on a product card."""
        with self.states.lock(conversation_id):
            state = self.state(conversation_id, sender)
            if self.products.get(product_id) is None:
                raise UserError(f"Unknown product id {product_id!r}")
            event = FeedbackEvent(feedback=FeedbackRecord(turn=max(state.turn_count - 1, 0), product_id=product_id, kind="like" if liked else "dislike", source="card"))
            self.states.append(conversation_id, state.events_applied, [event])
            state.apply(event)
            self._learn_profile(state, [event])
            return state

    def _learn_profile(self, state: ConversationState, events: list[Event]) -> None:
        """The sender's long-term profile learns from this turn's feedback (a profile failure never fails a turn)."""
        records = [e.feedback for e in events if isinstance(e, FeedbackEvent) and e.feedback.product_id]
        if self.profiles is None or not records:
            return
        products = {pid: p for r in records if (pid := r.product_id) and (p := self.products.get(pid)) is not None}
        bands = self.manager.reranker.bands if self.manager.reranker is not None else None
        try:
            self.profiles.learn(state.sender, records, products, bands, state.cart)
        except BackendUnavailableError as exc:
            log.warning("profile.unavailable sender=%s error=%s", state.sender, exc)

    def _validate(self, text: str) -> str:
        if not isinstance(text, str) or not text.strip():
            raise UserError("The message is empty: type what you are looking for.")
        if len(text) > self.settings.max_message_chars:
            raise UserError(f"The message is too long ({len(text)} characters; the limit is {self.settings.max_message_chars}).")
        return " ".join(text.split())

    def _history(self, state: ConversationState) -> list[HistoryTurn]:
        history: list[HistoryTurn] = []
        for turn in state.turns[-self.settings.history_turns :]:
            history += [HistoryTurn(role="user", text=turn.text), HistoryTurn(role="assistant", text=turn.reply)]
        return history


def _carried_over(plans: list[ReplyPlan]) -> dict[str, object]:
    """What the last plan of a turn with several takes from those before it: the cards of the last one that showed
    products, the cart as the last cart change left it."""
    last = plans[-1]
    update: dict[str, object] = {}
    if not last.products and (shown := next((p.products for p in reversed(plans) if p.products), None)):
        update["products"] = shown
    if last.action not in CART_ACTIONS and (changed := next((p for p in reversed(plans) if p.action in CART_ACTIONS), None)):
        update.update(cart=changed.cart, cart_total=changed.cart_total)
    return update


def _answered_by_a_person(state: ConversationState) -> bool:
    """Whether a person has written since the conversation was last handed off."""
    return any(state.handoff_at is None or m.at >= state.handoff_at for m in state.agent_messages)


def waiting_plan(text: str, language: Language) -> ReplyPlan:
    """The plan of a message to a person (the conversation is handed off): no reply; the agent answers."""
    return ReplyPlan(action="handoff", facts=HandoffFacts(already=True), handoff=True, user_text=text, language=language)


def _ms(since: float) -> float:
    return round((time.perf_counter() - since) * 1000, 2)


def data_file(settings: Settings, name: str) -> Path:
    return settings.data_dir / name
