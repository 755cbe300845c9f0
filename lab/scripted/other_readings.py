"""How a turn is routed when the intent model reads it otherwise: another training of the same data may give a turn
another intent, or too little confidence for any (CI trains its own models). ``answer_as`` replays a conversation
and answers its last message as if the intent model had read it as a chosen intent; the classifier's context rules,
its fallback and the understanding's rules then apply as they do to any reading."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

import numpy as np

from assistant.service import ShopAssistant
from core.language import turn_language
from dialogue.intent_classifier import IntentClassifier, IntentPrediction
from dialogue.intent_context import NluContext
from dialogue.plan import ReplyPlan
from dialogue.understanding import Understander

#: The probability a reading gives its intent: the rest is spread evenly, so the fallback stays quiet.
READING_CONFIDENCE = 0.6
#: The reading of a model sure of nothing: every intent equally likely, so the fallback fires.
UNSURE = "unsure"


class FixedReading:
    """An intent model that reads every message as ``intent`` (``UNSURE``: as nothing), decided by ``classifier``'s
    rules and fallback."""

    def __init__(self, classifier: IntentClassifier, intent: str) -> None:
        if intent != UNSURE and intent not in classifier.labels:
            raise ValueError(f"{intent!r} is not one of the model's intents")
        self.classifier = classifier
        self.probabilities = np.full(len(classifier.labels), 1.0 / len(classifier.labels), dtype=np.float32)
        if intent != UNSURE:
            self.probabilities[:] = (1.0 - READING_CONFIDENCE) / (len(classifier.labels) - 1)
            self.probabilities[classifier.labels.index(intent)] = READING_CONFIDENCE

    def predict(self, text: str, context: NluContext | str | None = None) -> IntentPrediction:
        return self.classifier.decide(text, NluContext.of(context), self.probabilities)


def answer_as(assistant: ShopAssistant, earlier: Sequence[str], text: str, intent: str) -> ReplyPlan:
    """The plan for ``text`` after the ``earlier`` messages of a new conversation, read by the intent model as
    ``intent`` (or ``UNSURE``). The last turn is not stored."""
    sender = f"reading-{uuid.uuid4().hex[:12]}"
    conversation = assistant.start(sender)
    for said in earlier:
        assistant.handle(conversation, sender, said)
    state = assistant.state(conversation, sender)
    language = turn_language(text, None, state.language)
    understander = assistant.understander
    classifier = understander.by_language.get(language, understander.intents)
    assert isinstance(classifier, IntentClassifier), "a reading is decided by a trained classifier's rules"
    reading = FixedReading(classifier, intent)
    understood = Understander(reading, understander.slots, {language: reading}).understand(text, NluContext(previous_action=state.last_action, pending=state.pending), language)
    _, plan = assistant.manager.respond(understood, state)
    return plan
