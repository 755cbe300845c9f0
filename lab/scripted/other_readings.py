"""How a turn is routed when the intent model reads it otherwise: another training of the same data may give a turn
another intent, or too little confidence for any (CI trains its own models). ``answer_as`` replays a conversation
and answers its last message as if the intent model had read it as a chosen intent; the classifier's context rules,
its fallback and the understanding's rules then apply as they do to any reading. ``evaluate_readings`` (``shopassist
eval readings``) re-runs scripted cases with each turn the model decided narrowly read otherwise, and lists the
readings under which a case fails: where routing leans on one training's close calls."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence

import numpy as np
from pydantic import BaseModel, Field
from tqdm import tqdm

from assistant.service import ShopAssistant
from core.language import turn_language
from dialogue.intent_classifier import IntentClassifier, IntentPrediction
from dialogue.intent_context import NluContext
from dialogue.plan import ReplyPlan
from dialogue.understanding import Understander
from lab.scripted.format import TestCase
from lab.scripted.runner import run_case

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


# --- which turns of scripted cases another training could read otherwise, and what that changes ----------------------
class CloseCall(BaseModel):
    """A turn the model decided narrowly, and a reading another training could plausibly give it."""

    case: str
    text: str
    read_as: str = Field(description="The intent the turn is read as instead (``unsure``: no intent sure enough).")
    why: str = Field(description="How close the call was: the model's top two intents and probabilities.")
    failures: list[str] = Field(default_factory=list, description="What the case's expectations say went wrong under it.")


class ReadingsReport(BaseModel):
    """``shopassist eval readings``: the scripted cases re-run with each close call read otherwise."""

    cases: int
    turns: int = Field(description="User turns the intent model read (rules aside).")
    margin: float
    close_calls: int = Field(description="Readings tried: turns within ``margin`` of the fallback or of their runner-up.")
    fragile: list[CloseCall] = Field(description="Readings under which the case fails.")
    baseline_failures: list[str] = Field(default_factory=list, description="Cases that fail as read by the model itself.")


class _RecordingReader:
    """Wraps an intent model: records each prediction; the ``forced``-th one is decided as another reading."""

    def __init__(self, classifier: IntentClassifier) -> None:
        self.classifier = classifier
        self.predictions: list[tuple[str, IntentPrediction]] = []
        self.forced: tuple[int, str] | None = None

    def predict(self, text: str, context: NluContext | str | None = None) -> IntentPrediction:
        index = len(self.predictions)
        if self.forced is not None and self.forced[0] == index:
            prediction = FixedReading(self.classifier, self.forced[1]).predict(text, context)
        else:
            prediction = self.classifier.predict(text, context)
        self.predictions.append((text, prediction))
        return prediction


def _start_over(readers: Iterable[_RecordingReader]) -> None:
    """Every reader without predictions and without a forced reading: a case's run begins."""
    for reader in readers:
        reader.predictions, reader.forced = [], None


def other_readings(prediction: IntentPrediction, classifier: IntentClassifier, margin: float) -> list[tuple[str, str]]:
    """(reading, why) for a prediction another training could plausibly flip: one decided within ``margin`` of the
    fallback reads as unsure; a fallback reads as the model's top intent; a runner-up within ``margin`` of the top."""
    if prediction.rule is not None or len(prediction.ranking) < 2:
        return []
    (top_intent, top), (second_intent, second) = prediction.ranking[:2]
    why = f"{top_intent} {top:.2f}, {second_intent} {second:.2f}"
    readings: list[tuple[str, str]] = []
    if prediction.fallback is not None:
        readings.append((prediction.raw_intent, f"fallback ({prediction.fallback}): {why}"))
    elif top < classifier.threshold + margin or top - second < classifier.ambiguity_threshold + margin:
        readings.append((UNSURE, f"near the fallback: {why}"))
    if top - second < margin and second_intent != prediction.intent:
        readings.append((second_intent, f"close runner-up: {why}"))
    return readings


def evaluate_readings(assistant: ShopAssistant, cases: Sequence[TestCase], *, margin: float = 0.12,
                      progress: bool = True) -> ReadingsReport:
    """Each case as the model reads it, then once per close call with that turn read otherwise."""
    understander = assistant.understander
    models = {"en": understander.intents, **understander.by_language}
    readers = {language: _RecordingReader(model) for language, model in models.items() if isinstance(model, IntentClassifier)}
    fragile: list[CloseCall] = []
    baseline: list[str] = []
    turns = tried = 0
    saved = understander.intents, dict(understander.by_language)
    try:
        understander.intents = readers.get("en", understander.intents)
        understander.by_language = {language: readers.get(language, model) for language, model in understander.by_language.items()}
        for case in tqdm(cases, desc="readings", disable=not progress):
            _start_over(readers.values())
            assistant.manager.orders.reset()  # a case that cancels an order finds it as the first run did
            if not run_case(assistant, case).passed:
                baseline.append(case.name)
                continue
            calls = [(reader, index, text, reading, why) for reader in readers.values()
                     for index, (text, prediction) in enumerate(reader.predictions)
                     for reading, why in other_readings(prediction, reader.classifier, margin)]
            turns += sum(prediction.rule is None for reader in readers.values() for _, prediction in reader.predictions)
            tried += len(calls)
            for reader, index, text, reading, why in calls:
                _start_over(readers.values())
                reader.forced = (index, reading)
                assistant.manager.orders.reset()
                result = run_case(assistant, case)
                if not result.passed:
                    fragile.append(CloseCall(case=case.name, text=text, read_as=reading, why=why, failures=result.failures))
    finally:
        understander.intents, understander.by_language = saved[0], saved[1]
    return ReadingsReport(cases=len(cases), turns=turns, margin=margin, close_calls=tried, fragile=fragile, baseline_failures=baseline)
