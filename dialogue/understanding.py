"""One turn's understanding: the routed intent (fine-tuned classifier, in context) and the extracted slots."""

from __future__ import annotations

from typing import Protocol

from pydantic import BaseModel, Field

from core.timing import stage
from dialogue.intent_context import NluContext, catalog_request_rule
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


class Understander:
    """Runs the intent model and the slot extractor; what the assistant did last (and waits for) is the context."""

    def __init__(self, intents: IntentModel, slots: SlotExtractor) -> None:
        self.intents = intents
        self.slots = slots

    def understand(self, text: str, context: NluContext | str | None = None) -> Understanding:
        with stage("nlu.intent"):
            result = self.intents.predict(text, context)
        with stage("nlu.slots"):
            slots, other_words = self.slots.extract_with_rest(text)
        ruled = catalog_request_rule(result.intent, slots.category is not None, other_words)
        intent, confidence, rule = (ruled[0], 1.0, ruled[1]) if ruled else (result.intent, result.confidence, None)
        return Understanding(text=text, intent=intent, confidence=confidence, ranking=result.ranking, slots=slots, rule=rule)
