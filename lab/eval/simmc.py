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

Any other act is counted under ``unmapped`` and not scored.

**Strict (the headline) and lenient.** The strict scores use the one-to-one mapping above alone. The lenient scores,
always shown second, also accept (:data:`ALSO_ACCEPTED`) intents the dialogue manager serves the same way:
INFORM:REFINE → ``show_more`` (SIMMC has no "show more" act; "any others to show?" is annotated REFINE); INFORM:GET →
``refine`` and ``feedback_positive`` (a search anchored on a seen item, "something like the black coat but in green",
is a refinement or "more like this one" in this project's scheme; the search handler runs the same product search).
The lenient figure is this project's reading of SIMMC's labels, so it is never the headline.

**Context: own (the headline) and oracle.** The classifier takes the previous action as context. Two figures:

- **own context** (no oracle): each dialogue is replayed through the real assistant (``simmc_replay``): every user
  turn is classified as the assistant classified it in that conversation, with *its own* previous action (and
  whatever it was waiting for) as context, on the replay catalog;
- **oracle context** (the SIMMC convention: models see the gold dialogue history, i.e. the wizard's system turns):
  SIMMC's annotated previous system act, mapped by :data:`SYSTEM_ACT_TO_ACTION`, is the previous action. The
  assistant can never know it; this figure is for comparison with work that uses the gold history.

**Answers to "which one do you mean?"** are routed as the dialogue manager routes them (:func:`routed_intents`):
while the assistant waits for the answer to *its own* "which one?" question, a turn that names a reference and is
not an explicit request is served by the intent that asked, so it starts no new search. In both contexts the routing
uses only what the replay shows the assistant knew, never SIMMC's annotated system act (an earlier version routed
every turn after the wizard's REQUEST:DISAMBIGUATE, which only the wizard knew; in-domain slot F1 crossed 0.85
through it). ``disambiguation_routing`` counts how the 366 INFORM:DISAMBIGUATE turns met the assistant's own
questions.

**Modes**: ``zero-shot`` scores a classifier trained on the project's data only (with copies of SIMMC dev turns
removed, ``lab.train.dedup``). ``in-domain`` runs k-fold cross-validation by dialogue: for each fold the same
``train_intent_model`` trains on the project's train split plus 90 % of the other folds' dialogues (each SIMMC example
shown with the previous action annotated in the training data), picks the epoch on the project's dev split plus the
other 10 % of those dialogues, and is scored on the held-out dialogues; slots use a lexicon learned from the training
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
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, Field

from core.errors import NotReadyError
from core.settings import PROJECT_ROOT, Settings, get_settings
from dialogue.handlers import EXPLICIT
from dialogue.intent_classifier import IntentClassifier
from dialogue.intent_context import NluContext
from dialogue.nlu_data import NluDataset, NluExample
from lab.eval.nlu import NluEvalReport, predict_all, score_predictions
from lab.eval.simmc_replay import ReplaySummary, ReplayTurn, replay_dialogues
from lab.eval.simmc_slots import (
    LexiconTurn,
    Pair,
    SlotLexicon,
    SlotScores,
    gold_pairs,
    lexicon_turns,
    normalise_value,
    score_slots,
    track_dialogue,
)
from lab.train.intent import nlu_splits, project_training_data, train_intent_model

if TYPE_CHECKING:
    from retrieval.product_store import ProductStore

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
    gold_previous_action: str | None = Field(default=None, description="SIMMC's annotated previous system act, mapped "
                                             "(SYSTEM_ACT_TO_ACTION): the wizard's, which the assistant never knows. "
                                             "Used only for the oracle context and as training context in-domain.")


class ContextScores(BaseModel):
    """Scores with one kind of context: strict first (the headline), lenient second."""

    context: Literal["own", "oracle"]
    description: str
    strict_accuracy: float
    strict_macro_f1: float
    lenient_accuracy: float = Field(description="ALSO_ACCEPTED alternatives counted as right.")
    lenient_macro_f1: float
    slot_precision: float
    slot_recall: float
    slot_f1: float
    per_slot: dict[str, SlotScores] = Field(default_factory=dict)
    disambiguate: dict[str, int] = Field(default_factory=dict, description="Predictions on INFORM:DISAMBIGUATE turns.")
    intents: NluEvalReport = Field(description="Strict per-intent scores and confusions.")


OWN_CONTEXT = ("The assistant's own previous action, from replaying each dialogue through it (no oracle): what a "
               "shopper would get.")
ORACLE_CONTEXT = ("SIMMC's annotated previous system act (the wizard's), mapped to our actions: the SIMMC convention of "
                  "gold dialogue history, which the assistant never knows.")
HEADLINE = "own_context.strict_accuracy / strict_macro_f1 (strict mapping, no oracle); lenient and oracle are second."


class SimmcFold(BaseModel):
    fold: int
    train_dialogues: int
    test_dialogues: int
    strict_accuracy: float = Field(description="Own context.")
    strict_macro_f1: float = Field(description="Own context.")
    oracle_strict_macro_f1: float
    slot_f1: float = Field(description="Own context.")
    oracle_slot_f1: float
    train_seconds: float


class DisambiguationRouting(BaseModel):
    """How the INFORM:DISAMBIGUATE answers met the assistant's own questions."""

    turns: int = 0
    after_own_clarification: int = Field(default=0, description="Answers right after the assistant itself asked a "
                                         "clarifying question (any kind).")
    after_own_reference_question: int = Field(default=0, description="... a 'which one do you mean?' question (the "
                                              "assistant then waits for a reference).")
    routed_as_answers: int = Field(default=0, description="... and named a reference: served as answers (unless explicit).")
    other_turns_routed_as_answers: int = Field(default=0, description="Turns of other acts that met the same conditions "
                                               "(the assistant takes them as answers too, unless explicit).")


class SimmcEvalReport(BaseModel):
    mode: Literal["zero-shot", "in-domain"]
    data: str
    dialogues: int
    turns: int
    scored_turns: int
    headline: str = HEADLINE
    own_context: ContextScores
    oracle_context: ContextScores
    replay: ReplaySummary
    disambiguation_routing: DisambiguationRouting = Field(default_factory=DisambiguationRouting)
    unmapped: dict[str, int] = Field(default_factory=dict)
    act_mapping: dict[str, str] = Field(default_factory=lambda: dict(ACT_TO_INTENT))
    also_accepted: dict[str, list[str]] = Field(default_factory=lambda: {k: sorted(v) for k, v in ALSO_ACCEPTED.items()})
    folds: list[SimmcFold] = Field(default_factory=list)
    seconds: float = 0.0

    def figures(self) -> dict[str, float]:
        """The headline and the comparison figures in one flat, ordered mapping (strict before lenient, own before
        oracle)."""
        out: dict[str, float] = {}
        for name, scores in (("own", self.own_context), ("oracle", self.oracle_context)):
            for key in ("strict_accuracy", "strict_macro_f1", "lenient_accuracy", "lenient_macro_f1", "slot_f1"):
                out[f"{name}.{key}"] = getattr(scores, key)
        return out


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
                slots=sorted(gold_pairs(annotated["act_attributes"].get("slot_values", {}))), gold_previous_action=previous,
            ))
            previous = SYSTEM_ACT_TO_ACTION.get(entry.get("system_transcript_annotated", {}).get("act", ""))
        dialogues.append(turns)
    if limit_dialogues is not None and limit_dialogues < len(dialogues):
        dialogues = random.Random(seed).sample(dialogues, limit_dialogues)
    return dialogues


@dataclass
class _Run:
    """Per-turn results in dialogue order (all folds concatenated in in-domain mode)."""

    dialogues: list[list[SimmcTurn]] = field(default_factory=list)
    oracle: list[str] = field(default_factory=list)
    own: list[str] = field(default_factory=list)
    own_previous: list[str | None] = field(default_factory=list)
    own_asked: list[str | None] = field(default_factory=list)
    awaiting: list[str | None] = field(default_factory=list)
    references: list[bool] = field(default_factory=list)
    oracle_slots: list[set[Pair]] = field(default_factory=list)
    own_slots: list[set[Pair]] = field(default_factory=list)
    replays: list[ReplaySummary] = field(default_factory=list)

    def add(self, dialogues: list[list[SimmcTurn]], oracle: list[str], replayed: list[list[ReplayTurn]],
            lexicon: SlotLexicon, summary: ReplaySummary) -> None:
        """One classifier's results on ``dialogues``: oracle-context intents, the replay, and both slot trackings."""
        flat = [t for d in replayed for t in d]
        own = [t.intent for t in flat]
        awaiting = [t.awaiting_reference for t in flat]
        references = [t.references for t in flat]
        for turns in replayed:  # what the assistant's previous turn asked for (None on a dialogue's first turn)
            self.own_asked += [None, *(t.asked for t in turns[:-1])][: len(turns)]
        self.dialogues += dialogues
        self.oracle += oracle
        self.own += own
        self.own_previous += [t.previous_action for t in flat]
        self.awaiting += awaiting
        self.references += references
        self.oracle_slots += _track(dialogues, oracle, awaiting, references, lexicon)
        self.own_slots += _track(dialogues, own, awaiting, references, lexicon)
        self.replays.append(summary)

    def extend(self, other: _Run) -> None:
        for name in ("dialogues", "oracle", "own", "own_previous", "own_asked", "awaiting", "references", "oracle_slots",
                     "own_slots", "replays"):
            getattr(self, name).extend(getattr(other, name))


def evaluate_simmc(
    mode: Literal["zero-shot", "in-domain"] = "zero-shot",
    folds: int = 5,
    classifier: IntentClassifier | None = None,
    settings: Settings | None = None,
    data_path: Path | None = None,
    nlu_data: NluDataset | None = None,
    out_dir: Path | None = None,
    limit_dialogues: int | None = None,
    seed: int = 0,
    progress: bool = True,
    warm_start: Path | None = None,
    fold_epochs: int | None = None,
    store: ProductStore | None = None,
) -> SimmcEvalReport:
    """Score intents (strict and lenient; own and oracle context) and slots on SIMMC 2.1 dev; see the module
    docstring for the modes and contexts.

    ``store``: the catalog the replaying assistant searches (default: the one ingested in ``settings.home``).
    ``nlu_data``: the project data (default: ``data/nlu`` less copies of evaluation texts). In-domain only:
    ``warm_start`` (a model folder with the same labels, e.g. the zero-shot model) starts each fold from those weights
    instead of the base encoder, and ``fold_epochs`` overrides ``settings.nlu_epochs``; both only shorten the run,
    the training code and data are the same.
    """
    from retrieval.product_store import HybridProductStore

    settings = settings or get_settings()
    started = time.perf_counter()
    dialogues = load_simmc(data_path, limit_dialogues, seed)
    project = nlu_data if nlu_data is not None else project_training_data(settings)[0]
    store = store or HybridProductStore.open(settings)
    run = _Run()
    fold_reports: list[SimmcFold] = []
    if mode == "zero-shot":
        classifier = classifier or IntentClassifier.load(settings.nlu_model_dir, settings)
        lexicon = SlotLexicon.learn(_project_slot_turns(project), min_count=2)
        replayed, summary = replay_dialogues(dialogues, classifier, settings, store, progress)
        run.add(dialogues, _predict_oracle(classifier, dialogues, progress), replayed, lexicon, summary)
    elif mode == "in-domain":
        updates: dict[str, object] = {"nlu_base_model": warm_start} if warm_start else {}
        if fold_epochs:
            updates["nlu_epochs"] = fold_epochs
        fold_settings = settings.model_copy(update=updates)
        for k, (train, test) in enumerate(_folds(dialogues, folds, seed)):
            fold_started = time.perf_counter()
            fold_classifier, work = _train_fold(project, train, fold_settings, k, seed, progress)
            try:
                train_seconds = time.perf_counter() - fold_started
                lexicon = SlotLexicon.learn(lexicon_turns([[(t.text, t.intent, set(t.slots)) for t in d] for d in train]))
                replayed, summary = replay_dialogues(test, fold_classifier, settings, store, progress)
                fold_run = _Run()
                fold_run.add(test, _predict_oracle(fold_classifier, test, progress), replayed, lexicon, summary)
            finally:
                shutil.rmtree(work, ignore_errors=True)
            own = _context_scores("own", fold_run, None, f"simmc_fold{k}")
            oracle = _context_scores("oracle", fold_run, None, f"simmc_fold{k}_oracle")
            fold_reports.append(SimmcFold(
                fold=k, train_dialogues=len(train), test_dialogues=len(test), strict_accuracy=own.strict_accuracy,
                strict_macro_f1=own.strict_macro_f1, oracle_strict_macro_f1=oracle.strict_macro_f1, slot_f1=own.slot_f1,
                oracle_slot_f1=oracle.slot_f1, train_seconds=round(train_seconds, 1)))
            log.info("simmc.fold %d strict_acc=%.4f strict_macro_f1=%.4f (oracle %.4f) slot_f1=%.4f (oracle %.4f) "
                     "train=%.0fs", k, own.strict_accuracy, own.strict_macro_f1, oracle.strict_macro_f1, own.slot_f1,
                     oracle.slot_f1, train_seconds)
            run.extend(fold_run)
    else:
        raise ValueError(f"unknown SIMMC evaluation mode {mode!r}")
    report = _report(mode, run, out_dir, data_path)
    report.folds = fold_reports
    report.seconds = round(time.perf_counter() - started, 1)
    if out_dir is not None:
        (Path(out_dir) / f"simmc_{mode}_report.json").write_text(report.model_dump_json(indent=2), encoding="utf-8")
    return report


def _predict_oracle(classifier: IntentClassifier, dialogues: list[list[SimmcTurn]], progress: bool) -> list[str]:
    """Every turn classified with SIMMC's annotated previous system act as context (the oracle context)."""
    turns = [t for d in dialogues for t in d]
    contexts = [NluContext(previous_action=t.gold_previous_action) if t.gold_previous_action else None for t in turns]
    return [p.intent for p in predict_all(classifier, [t.text for t in turns], contexts, progress=progress,
                                           desc="SIMMC turns (oracle context)")]


def _track(dialogues: list[list[SimmcTurn]], intents: list[str], awaiting: list[str | None], references: list[bool],
           lexicon: SlotLexicon) -> list[set[Pair]]:
    out: list[set[Pair]] = []
    position = 0
    for dialogue in dialogues:
        end = position + len(dialogue)
        routed = routed_intents(intents[position:end], awaiting[position:end], references[position:end])
        out += track_dialogue([t.text for t in dialogue], [SLOT_INTENT_ALIASES.get(i, i) for i in routed], lexicon)
        position = end
    return out


def routed_intents(intents: list[str], awaiting_reference: list[str | None], references: list[bool]) -> list[str]:
    """The intent the dialogue manager serves each turn of one dialogue with, as the reference branch of
    :func:`dialogue.handlers.contextual_handler` routes it: while the assistant waits for the answer to *its own*
    "which one do you mean?" (``awaiting_reference``: the intent that asked, from the replay), a turn that names a
    reference (``references``, the assistant's slot extraction) and is not an explicit request is served by the intent
    that asked; it starts no new search. Only what the assistant itself knows decides: SIMMC's annotated system acts
    are not an argument."""
    if not len(intents) == len(awaiting_reference) == len(references):
        raise ValueError("intents, awaited references and reference flags differ in length")
    return [asked if asked is not None and named and intent not in EXPLICIT else intent
            for intent, asked, named in zip(intents, awaiting_reference, references)]


def _context_scores(context: Literal["own", "oracle"], run: _Run, out_dir: Path | None, name: str) -> ContextScores:
    turns = [t for d in run.dialogues for t in d]
    intents = run.own if context == "own" else run.oracle
    pairs = [(t, p) for t, p in zip(turns, intents) if t.intent]
    if not pairs:
        raise ValueError(f"{name}: no scored SIMMC turns")
    gold = [t.intent for t, _ in pairs]
    strict_predictions = [p for _, p in pairs]
    lenient_predictions = [t.intent if p in ALSO_ACCEPTED.get(t.act, ()) else p for t, p in pairs]
    previous = run.own_previous if context == "own" else [t.gold_previous_action for t in turns]
    scored_previous = [a for t, a in zip(turns, previous) if t.intent]
    strict = score_predictions(gold, strict_predictions, [t.text for t, _ in pairs], out_dir, name=name, split=f"simmc-{context}",
                               contexts=scored_previous, sources=[f"simmc:{t.dialogue}:{t.turn}" for t, _ in pairs])
    lenient = score_predictions(gold, lenient_predictions, [t.text for t, _ in pairs], None, name=f"{name}_lenient")  # type: ignore[arg-type]
    slots = run.own_slots if context == "own" else run.oracle_slots
    slot_total, per_slot = score_slots([set(t.slots) for t in turns], slots)
    separate = Counter(p for t, p in zip(turns, intents) if t.act in SEPARATE_ACTS)
    return ContextScores(
        context=context, description=OWN_CONTEXT if context == "own" else ORACLE_CONTEXT,
        strict_accuracy=strict.accuracy, strict_macro_f1=strict.macro_f1, lenient_accuracy=lenient.accuracy,
        lenient_macro_f1=lenient.macro_f1, slot_precision=slot_total.precision, slot_recall=slot_total.recall,
        slot_f1=slot_total.f1, per_slot=per_slot, disambiguate=dict(separate.most_common()), intents=strict,
    )


def _report(mode: Literal["zero-shot", "in-domain"], run: _Run, out_dir: Path | None, data_path: Path | None) -> SimmcEvalReport:
    turns = [t for d in run.dialogues for t in d]
    stem = f"simmc_{mode.replace('-', '_')}"
    own = _context_scores("own", run, out_dir, stem)
    oracle = _context_scores("oracle", run, out_dir, f"{stem}_oracle")
    answers = [(p, a) for t, p, a in zip(turns, run.own_previous, run.own_asked) if t.act in SEPARATE_ACTS]
    routed = [(w, r) for t, w, r in zip(turns, run.awaiting, run.references) if t.act in SEPARATE_ACTS]
    routing = DisambiguationRouting(
        turns=len(answers), after_own_clarification=sum(p == "ask_clarification" for p, _ in answers),
        after_own_reference_question=sum(w is not None for w, _ in routed),
        routed_as_answers=sum(w is not None and r for w, r in routed),
        other_turns_routed_as_answers=sum(w is not None and r for t, w, r in zip(turns, run.awaiting, run.references)
                                          if t.act not in SEPARATE_ACTS),
    )
    unmapped = Counter(t.act for t in turns if t.intent is None and t.act not in SEPARATE_ACTS)
    replay = ReplaySummary(
        catalog=run.replays[0].catalog, products=run.replays[0].products, dialogues=sum(r.dialogues for r in run.replays),
        turns=sum(r.turns for r in run.replays),
        actions=dict(sum((Counter(r.actions) for r in run.replays), Counter()).most_common()),
        clarifications=dict(sum((Counter(r.clarifications) for r in run.replays), Counter()).most_common()),
        seconds=round(sum(r.seconds for r in run.replays), 1),
    )
    return SimmcEvalReport(
        mode=mode, data=str(data_path or default_simmc_path()), dialogues=len(run.dialogues), turns=len(turns),
        scored_turns=own.intents.examples, own_context=own, oracle_context=oracle, replay=replay,
        disambiguation_routing=routing, unmapped=dict(unmapped),
    )


def _folds(dialogues: list[list[SimmcTurn]], folds: int, seed: int) -> list[tuple[list[list[SimmcTurn]], list[list[SimmcTurn]]]]:
    if folds < 2:
        raise ValueError("in-domain evaluation needs at least 2 folds")
    order = sorted(dialogues, key=lambda d: d[0].dialogue)
    random.Random(seed).shuffle(order)
    parts = [order[k::folds] for k in range(folds)]
    return [([d for j, part in enumerate(parts) if j != k for d in part], parts[k]) for k in range(folds)]


#: Share of the training folds' dialogues that joins the project's dev split to choose the epoch (in-domain).
FOLD_DEV_FRACTION = 0.1


def _train_fold(project: NluDataset, train: list[list[SimmcTurn]], settings: Settings, k: int, seed: int,
                progress: bool) -> tuple[IntentClassifier, Path]:
    """A classifier trained on the project's train split and 90 % of the training folds' dialogues, its epoch chosen
    on the project's dev split and the other 10 %; returns it and its scratch folder (the caller removes it)."""
    order = sorted(train, key=lambda d: d[0].dialogue)
    random.Random(f"{seed}:fold{k}:dev").shuffle(order)
    cut = max(1, round(len(order) * FOLD_DEV_FRACTION))
    splits = nlu_splits(project, settings)
    dataset = splits.train.model_copy(update={"examples": [*splits.train.examples, *fold_examples(order[cut:])]})
    dev = splits.dev.model_copy(update={"examples": [*splits.dev.examples, *fold_examples(order[:cut])]})
    work = Path(tempfile.mkdtemp(prefix=f"simmc-fold{k}-"))
    try:
        train_intent_model(dataset, work / "model", settings, dev=dev, progress=progress)
        return IntentClassifier.load(work / "model", settings), work
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise


def fold_examples(dialogues: list[list[SimmcTurn]]) -> list[NluExample]:
    """Training examples from SIMMC's mapped user turns, each with the previous action annotated in the training data
    (the wizard's act: training data may use its annotations; evaluation turns never get them in the own context)."""
    return [NluExample(text=t.text, intent=t.intent, source=f"simmc:{t.dialogue}:{t.turn}", context=t.gold_previous_action)
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
