"""One turn's understanding: the routed intent (fine-tuned classifier, in context) and the extracted slots."""

from __future__ import annotations

from typing import Protocol

from pydantic import BaseModel, Field

from dialogue.slots import SlotExtractor, Slots


class IntentResult(BaseModel):
    intent: str
    confidence: float
    ranking: list[tuple[str, float]] = Field(default_factory=list)


class IntentModel(Protocol):
    def predict(self, text: str, previous_action: str | None = None) -> IntentResult: ...


class Understanding(BaseModel):
    text: str
    intent: str
    confidence: float
    ranking: list[tuple[str, float]] = Field(default_factory=list)
    slots: Slots


class Understander:
    """Runs the intent model and the slot extractor; the previous system action is the intent model's context."""

    def __init__(self, intents: IntentModel, slots: SlotExtractor) -> None:
        self.intents = intents
        self.slots = slots

    def understand(self, text: str, previous_action: str | None = None) -> Understanding:
        result = self.intents.predict(text, previous_action)
        return Understanding(
            text=text, intent=result.intent, confidence=result.confidence, ranking=result.ranking,
            slots=self.slots.extract(text),
        )
