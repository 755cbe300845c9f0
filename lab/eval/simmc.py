"""Intent and slot evaluation on real shopping dialogues: SIMMC 2.1 dev (563 fashion dialogues, 3,494 user turns).

The data stays in ``../shared/data/simmc2`` (CC BY-NC-SA 4.0; see its SOURCE.md) and is only read.

**Label mapping** (SIMMC user act → our intent), :data:`ACT_TO_INTENT`:

==========================  =====================  ==================================================
SIMMC act                   our intent             note
==========================  =====================  ==================================================
REQUEST:GET                 search_product         "do you have any good hats?"
INFORM:GET                  search_product         "anything like the black coat but in green?"
INFORM:REFINE               refine                 also "what else can you show me?" (see below)
REQUEST:COMPARE             compare
REQUEST:ADD_TO_CART         add_to_cart
ASK:GET                     ask_product_question   "what sizes does it come in?"
INFORM:PREFER / DISPREFER   feedback_positive/neg  (in the scheme; absent from 2.1 dev)
INFORM:DISAMBIGUATE         — reported apart       answers to "which one do you mean?"; not in accuracy
==========================  =====================  ==================================================

Any other act is counted under ``unmapped`` and not scored. Two SIMMC acts cover what ShopAssist splits into
several intents, all of which the dialogue manager serves correctly, so ``accuracy``/``macro_f1`` also accept
(:data:`ALSO_ACCEPTED`):

- INFORM:REFINE: ``show_more`` — SIMMC has no "show more" act; "any others to show?" is annotated REFINE;
- INFORM:GET: ``refine`` and ``feedback_positive`` — a search anchored on a seen item ("something like the black
  coat but in green") is, in this project's scheme, a refinement ("like that but in grey", shopping.yml) or
  "more like this one" (products.yml); the search handler runs the same product search for all three.

``strict_accuracy``/``strict_macro_f1`` use the one-to-one mapping alone.

**Context**: the previous system act becomes the classifier's previous action (:data:`SYSTEM_ACT_TO_ACTION`). In
in-domain training each SIMMC example is shown with the action it really followed (:func:`fold_examples`), not a
sampled one.

**Answers to "which one do you mean?"** (INFORM:DISAMBIGUATE, after the system's REQUEST:DISAMBIGUATE, our
``ask_clarification``) are routed as the dialogue manager routes them (:func:`routed_intents`): they continue the
intent that asked unless they are an explicit request, so they start no new search and carry no search slots
(SIMMC annotates none on them).

**Modes**: ``zero-shot`` scores a classifier trained on the project's data only. ``in-domain`` runs k-fold
cross-validation by dialogue: for each fold the same ``train_intent_model`` trains on the project data plus the
other folds' mapped turns and is scored on the held-out dialogues; slots use a lexicon learned from the training
folds (``simmc_slots``). Zero-shot slots use a lexicon built from the project's own entity annotations.
"""

from __future__ import annotations

import json
import logging
import random
import shutil
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field

from core.errors import NotReadyError
from core.settings import PROJECT_ROOT, Settings, get_settings
from dialogue.handlers import EXPLICIT
from dialogue.intent_classifier import IntentClassifier, IntentPrediction
from dialogue.intent_context import NluContext
from lab.train.intent import train_intent_model
from dialogue.nlu_data import NluDataset, NluExample, load_nlu
from lab.eval.nlu import NluEvalReport, predict_all, score_predictions
from lab.eval.simmc_slots import (LexiconTurn, Pair, SlotLexicon, SlotScores, gold_pairs, lexicon_turns, normalise_value,
                                  score_slots, track_dialogue)

log = logging.getLogger(__name__)

ACT_TO_INTENT: dict[str, str] = {
    "REQUEST:GET": "search_product", "INFORM:GET": "search_product", "INFORM:REFINE": "refine",
    "REQUEST:COMPARE": "compare", "REQUEST:ADD_TO_CART": "add_to_cart", "ASK:GET": "ask_product_question",
    "INFORM:PREFER": "feedback_positive", "INFORM:DISPREFER": "feedback_negative",
}
SEPARATE_ACTS = ("INFORM:DISAMBIGUATE",)
ALSO_ACCEPTED: dict[str, set[str]] = {"INFORM:REFINE": {"show_more"}, "INFORM:GET": {"refine", "feedback_positive"}}
#: How the slot tracker treats intents outside search/refine that still run a product search.
SLOT_INTENT_ALIASES = {"show_more": "refine", "feedback_positive": "search_product"}
SYSTEM_ACT_TO_ACTION = {
    "INFORM:GET": "show_products", "INFORM:REFINE": "show_products", "INFORM:COMPARE": "compare",
    "CONFIRM:ADD_TO_CART": "cart_add", "REQUEST:DISAMBIGUATE": "ask_clarification", "ASK:GET": "answer_question",
}
#: Project entity → SIMMC slot, for the zero-shot lexicon.
ENTITY_TO_SLOT = {"category": "type", "color": "color", "brand": "brand", "size": "size", "material": "pattern"}


def default_simmc_path() -> Path:
    return PROJECT_ROOT.parent / "shared" / "data" / "simmc2" / "simmc2.1_dials_dstc11_dev.json"


class SimmcTurn(BaseModel):
    dialogue: int
    turn: int
    text: str
    act: str
    intent: str | None = Field(description="The mapped intent; None for separate or unmapped acts.")
    slots: list[Pair] = Field(default_factory=list)
    previous_action: str | None = None


class SimmcFold(BaseModel):
    fold: int
    train_dialogues: int
    test_dialogues: int
    accuracy: float
    macro_f1: float
    slot_f1: float
    train_seconds: float


class SimmcEvalReport(BaseModel):
    mode: Literal["zero-shot", "in-domain"]
    data: str
    dialogues: int
    turns: int
    scored_turns: int
    accuracy: float
    strict_accuracy: float
    macro_f1: float
    strict_macro_f1: float
    slot_precision: float
    slot_recall: float
    slot_f1: float
    per_slot: dict[str, SlotScores] = Field(default_factory=dict)
    intents: NluEvalReport
    disambiguate: dict[str, int] = Field(default_factory=dict, description="Predictions on INFORM:DISAMBIGUATE turns.")
    unmapped: dict[str, int] = Field(default_factory=dict)
    act_mapping: dict[str, str] = Field(default_factory=lambda: dict(ACT_TO_INTENT))
    also_accepted: dict[str, list[str]] = Field(default_factory=lambda: {k: sorted(v) for k, v in ALSO_ACCEPTED.items()})
    use_context: bool
    folds: list[SimmcFold] = Field(default_factory=list)
    seconds: float = 0.0


def load_simmc(path: Path | None = None, limit_dialogues: int | None = None, seed: int = 0) -> list[list[SimmcTurn]]:
    """User turns of each SIMMC dialogue, in order (optionally a seeded sample of dialogues)."""
    path = Path(path or default_simmc_path())
    if not path.is_file():
        raise NotReadyError(f"SIMMC 2.1 dev data not found at {path} (expected in ../shared/data/simmc2).")
    raw = json.loads(path.read_text(encoding="utf-8"))["dialogue_data"]
    dialogues: list[list[SimmcTurn]] = []
    for item in raw:
        turns, previous = [], None
        for entry in item["dialogue"]:
            annotated = entry["transcript_annotated"]
            turns.append(SimmcTurn(
                dialogue=int(item["dialogue_idx"]), turn=int(entry["turn_idx"]), text=entry["transcript"].strip(),
                act=annotated["act"], intent=ACT_TO_INTENT.get(annotated["act"]),
                slots=sorted(gold_pairs(annotated["act_attributes"].get("slot_values", {}))), previous_action=previous,
            ))
            previous = SYSTEM_ACT_TO_ACTION.get(entry.get("system_transcript_annotated", {}).get("act", ""))
        dialogues.append(turns)
    if limit_dialogues is not None and limit_dialogues < len(dialogues):
        dialogues = random.Random(seed).sample(dialogues, limit_dialogues)
    return dialogues


def evaluate_simmc(
    mode: Literal["zero-shot", "in-domain"] = "zero-shot",
    folds: int = 5,
    classifier: IntentClassifier | None = None,
    settings: Settings | None = None,
    data_path: Path | None = None,
    nlu_data: NluDataset | None = None,
    out_dir: Path | None = None,
    limit_dialogues: int | None = None,
    use_context: bool = True,
    seed: int = 0,
    progress: bool = True,
    warm_start: Path | None = None,
    fold_epochs: int | None = None,
) -> SimmcEvalReport:
    """Score intents (act accuracy, macro-F1) and slots on SIMMC 2.1 dev; see the module docstring for the modes.

    In-domain only: ``warm_start`` (a model folder with the same labels, e.g. the zero-shot model) starts each fold
    from those weights instead of the base encoder, and ``fold_epochs`` overrides ``settings.nlu_epochs``; both only
    shorten the run, the training code and data are the same.
    """
    settings = settings or get_settings()
    started = time.perf_counter()
    dialogues = load_simmc(data_path, limit_dialogues, seed)
    project = nlu_data if nlu_data is not None else load_nlu(settings.data_dir / "nlu")
    fold_reports: list[SimmcFold] = []
    if mode == "zero-shot":
        classifier = classifier or IntentClassifier.load(settings.nlu_model_dir, settings)
        lexicon = SlotLexicon.learn(_project_slot_turns(project), min_count=2)
        predictions = _predict(classifier, dialogues, use_context, progress)
        slot_predictions = _track(dialogues, predictions, lexicon)
        ordered = dialogues
    elif mode == "in-domain":
        ordered, predictions, slot_predictions = [], [], []
        updates = {"nlu_base_model": warm_start} if warm_start else {}
        if fold_epochs:
            updates["nlu_epochs"] = fold_epochs
        fold_settings = settings.model_copy(update=updates)
        for k, (train, test) in enumerate(_folds(dialogues, folds, seed)):
            fold_started = time.perf_counter()
            fold_classifier = _train_fold(project, train, fold_settings, k, progress)
            train_seconds = time.perf_counter() - fold_started
            lexicon = SlotLexicon.learn(lexicon_turns([[(t.text, t.intent, set(t.slots)) for t in d] for d in train]))
            fold_predictions = _predict(fold_classifier, test, use_context, progress)
            fold_slots = _track(test, fold_predictions, lexicon)
            fold_report = _intent_report(test, fold_predictions, None, f"simmc_fold{k}")
            slot_total, _ = score_slots([set(t.slots) for d in test for t in d], fold_slots)
            fold_reports.append(SimmcFold(fold=k, train_dialogues=len(train), test_dialogues=len(test),
                                          accuracy=fold_report.accuracy, macro_f1=fold_report.macro_f1,
                                          slot_f1=slot_total.f1, train_seconds=round(train_seconds, 1)))
            log.info("simmc.fold %d acc=%.4f macro_f1=%.4f slot_f1=%.4f train=%.0fs", k, fold_report.accuracy,
                     fold_report.macro_f1, slot_total.f1, train_seconds)
            ordered += test
            predictions += fold_predictions
            slot_predictions += fold_slots
    else:
        raise ValueError(f"unknown SIMMC evaluation mode {mode!r}")
    report = _report(mode, ordered, predictions, slot_predictions, out_dir, use_context, data_path)
    report.folds = fold_reports
    report.seconds = round(time.perf_counter() - started, 1)
    if out_dir is not None:
        (Path(out_dir) / f"simmc_{mode}_report.json").write_text(report.model_dump_json(indent=2), encoding="utf-8")
    return report


def _predict(classifier: IntentClassifier, dialogues: list[list[SimmcTurn]], use_context: bool,
             progress: bool) -> list[IntentPrediction]:
    turns = [t for d in dialogues for t in d]
    contexts = [NluContext(previous_action=t.previous_action) if use_context and t.previous_action else None for t in turns]
    return predict_all(classifier, [t.text for t in turns], contexts, progress=progress, desc="SIMMC turns")


def _track(dialogues: list[list[SimmcTurn]], predictions: list[IntentPrediction], lexicon: SlotLexicon) -> list[set[Pair]]:
    out: list[set[Pair]] = []
    position = 0
    for dialogue in dialogues:
        routed = routed_intents(dialogue, predictions[position : position + len(dialogue)])
        out += track_dialogue([t.text for t in dialogue], [SLOT_INTENT_ALIASES.get(i, i) for i in routed], lexicon)
        position += len(dialogue)
    return out


def routed_intents(dialogue: list[SimmcTurn], predictions: list[IntentPrediction]) -> list[str]:
    """The intent the dialogue manager serves each turn with, as :func:`dialogue.handlers.contextual_handler` routes it:
    the answer to a "which one do you mean?" question (SIMMC's REQUEST:DISAMBIGUATE, our ``ask_clarification``)
    continues the intent that asked it unless it is an explicit request; it starts no new search. The handler also
    needs a reference among the answer's slots; that check is left out here, since every SIMMC turn after
    REQUEST:DISAMBIGUATE is an INFORM:DISAMBIGUATE answer naming the item."""
    routed: list[str] = []
    for turn, prediction in zip(dialogue, predictions):
        answers = bool(routed) and turn.previous_action == "ask_clarification" and prediction.intent not in EXPLICIT
        routed.append(routed[-1] if answers else prediction.intent)
    return routed


def _intent_report(dialogues: list[list[SimmcTurn]], predictions: list[IntentPrediction], out_dir: Path | None,
                   name: str, lenient: bool = True) -> NluEvalReport:
    pairs = [(t, p) for t, p in zip((t for d in dialogues for t in d), predictions) if t.intent]
    mapped = [p.model_copy(update={"intent": t.intent}) if lenient and p.intent in ALSO_ACCEPTED.get(t.act, ()) else p
              for t, p in pairs]
    return score_predictions([t.intent for t, _ in pairs], mapped, [t.text for t, _ in pairs], out_dir, name=name,  # type: ignore[misc]
                             contexts=[t.previous_action for t, _ in pairs], sources=[f"simmc:{t.dialogue}:{t.turn}" for t, _ in pairs])


def _report(mode: Literal["zero-shot", "in-domain"], dialogues: list[list[SimmcTurn]], predictions: list[IntentPrediction],
            slot_predictions: list[set[Pair]], out_dir: Path | None, use_context: bool, data_path: Path | None) -> SimmcEvalReport:
    turns = [t for d in dialogues for t in d]
    intents = _intent_report(dialogues, predictions, out_dir, f"simmc_{mode.replace('-', '_')}")
    strict = _intent_report(dialogues, predictions, None, "strict", lenient=False)
    slot_total, per_slot = score_slots([set(t.slots) for t in turns], slot_predictions)
    separate = Counter(p.intent for t, p in zip(turns, predictions) if t.act in SEPARATE_ACTS)
    unmapped = Counter(t.act for t in turns if t.intent is None and t.act not in SEPARATE_ACTS)
    return SimmcEvalReport(
        mode=mode, data=str(data_path or default_simmc_path()), dialogues=len(dialogues), turns=len(turns),
        scored_turns=intents.examples, accuracy=intents.accuracy, strict_accuracy=strict.accuracy,
        macro_f1=intents.macro_f1, strict_macro_f1=strict.macro_f1, slot_precision=slot_total.precision, slot_recall=slot_total.recall,
        slot_f1=slot_total.f1, per_slot=per_slot, intents=intents, disambiguate=dict(separate.most_common()),
        unmapped=dict(unmapped), use_context=use_context,
    )


def _folds(dialogues: list[list[SimmcTurn]], folds: int, seed: int) -> list[tuple[list[list[SimmcTurn]], list[list[SimmcTurn]]]]:
    if folds < 2:
        raise ValueError("in-domain evaluation needs at least 2 folds")
    order = sorted(dialogues, key=lambda d: d[0].dialogue)
    random.Random(seed).shuffle(order)
    parts = [order[k::folds] for k in range(folds)]
    return [([d for j, part in enumerate(parts) if j != k for d in part], parts[k]) for k in range(folds)]


def _train_fold(project: NluDataset, train: list[list[SimmcTurn]], settings: Settings, k: int,
                progress: bool) -> IntentClassifier:
    dataset = project.model_copy(update={"examples": [*project.examples, *fold_examples(train)]})
    work = Path(tempfile.mkdtemp(prefix=f"simmc-fold{k}-"))
    try:
        train_intent_model(dataset, work / "model", settings, progress=progress)
        return IntentClassifier.load(work / "model", settings)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def fold_examples(dialogues: list[list[SimmcTurn]]) -> list[NluExample]:
    """Training examples from SIMMC's mapped user turns, each with the previous action it was really said after."""
    return [NluExample(text=t.text, intent=t.intent, source=f"simmc:{t.dialogue}:{t.turn}", context=t.previous_action)
            for d in dialogues for t in d if t.intent and t.text]


def _project_slot_turns(project: NluDataset) -> list[LexiconTurn]:
    """Lexicon turns from the project's own entity annotations (search and refine examples)."""
    turns = []
    for example in project.examples:
        if example.intent not in ("search_product", "refine"):
            continue
        pairs = {(ENTITY_TO_SLOT[e.entity], normalise_value(project.canonical(e.value)))
                 for e in example.entities if e.entity in ENTITY_TO_SLOT and e.role != "exclude"}
        turns.append(LexiconTurn(text=example.text, pairs=pairs, new=pairs))
    return turns
