"""One turn's understanding: the routed intent (fine-tuned classifier, in context) and the extracted slots."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

from pydantic import BaseModel, Field

from core.language import Language
from core.timing import stage
from dialogue.actions import ORDER_ACTIONS
from dialogue.intent_context import NluContext, cart_order_rule, catalog_request_rule, order_intent_awaited
from dialogue.noise import code_like, is_noise, strip_markup
from dialogue.slots import SlotExtractor, Slots


class IntentResult(BaseModel):
    intent: str
    confidence: float
    ranking: list[tuple[str, float]] = Field(default_factory=list)


class IntentModel(Protocol):
    def predict(self, text: str, context: NluContext | str | None = None) -> IntentResult: ...


class Understanding(BaseModel):
    text: str
    intent: str
    confidence: float
    ranking: list[tuple[str, float]] = Field(default_factory=list)
    slots: Slots
    rule: str | None = Field(default=None, description="The understanding-level rule that decided the intent, if any.")
    language: Language = Field(default="en", description="The turn's language (core.language.turn_language).")
    query: str | None = Field(default=None, description="The message as a search query: without its opening frame and "
                              "without the budget, rating and references the rules read (dialogue.search_query).")

    @property
    def search_text(self) -> str:
        return self.query if self.query is not None else self.text


class Understander:
    """Runs the intent model and the slot extractor; what the assistant did last (and waits for) is the context.

    ``by_language`` holds the intent models of other languages (``zh``: the Chinese model); a turn in a language
    without one goes to ``intents`` (the English model)."""

    def __init__(self, intents: IntentModel, slots: SlotExtractor, by_language: Mapping[Language, IntentModel] | None = None) -> None:
        self.intents = intents
        self.slots = slots
        self.by_language = dict(by_language or {})
        self._feature_words = frozenset(slots.vocabulary.feature_words)

    def understand(self, text: str, context: NluContext | str | None = None, language: Language = "en") -> Understanding:
        words = strip_markup(text) or text  # HTML pasted around a request: the request's words are understood
        with stage("nlu.intent"):
            result = self.by_language.get(language, self.intents).predict(words, context)
        with stage("nlu.slots"):
            slots, other_words, query = self.slots.extract_all(words)
        ruled = catalog_request_rule(result.intent, slots.category is not None, other_words, self._feature_words) \
            or cart_order_rule(result.intent, words, slots.category is not None or bool(slots.references))
        if code_like(words):
            ruled = ("out_of_scope", "code")  # SQL pasted into the chat is data, never a request (e.g. "drop" = remove)
        elif ruled is None and _says_nothing(slots) and is_noise(" ".join(other_words), self.slots.matcher.known):
            ruled = ("out_of_scope", "noise")  # keyboard mash: the fallback, never a search or a goodbye
        intent, confidence, rule = (ruled[0], 1.0, ruled[1]) if ruled else (result.intent, result.confidence, None)
        awaited = order_intent_awaited(context) if isinstance(context, NluContext) else None
        if awaited and intent in (*ORDER_ACTIONS, *_SAID_AROUND_A_NUMBER) \
                and (answered := slots.order_id or self.slots.rules.order_id_answered(words)):  # "sure, it's 12345 thanks"
            slots.order_id = answered
            if intent not in ORDER_ACTIONS:
                intent, confidence, rule = awaited, 1.0, "order-id-answer"
        return Understanding(text=text, intent=intent, confidence=confidence, ranking=result.ranking, slots=slots, rule=rule, language=language,
                             query=query)


#: What the intent model may call an order number given with a few words around it ("sure, the number is 12345 thanks",
#: 是10035): anything but a request of its own.
_SAID_AROUND_A_NUMBER = ("out_of_scope", "thanks", "affirm", "deny", "chitchat", "greet", "goodbye", "feedback_positive",
                         "feedback_negative", "shipping_info")


def _says_nothing(slots: Slots) -> bool:
    return slots.is_empty() and not slots.references and slots.quantity is None and slots.order_id is None
