"""The fine-tuned intent classifier: trained once per session on the shipped data/nlu (train split; the epoch chosen
on the dev split), then checked on its test split (never trained on, never used to choose), in context, after a
save/load round trip, at its thresholds, and zero-shot on real third-party dialogues (strict mapping, replayed
through the assistant)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

os.environ["HF_HUB_OFFLINE"] = "1"

from core.errors import NotReadyError  # noqa: E402
from core.settings import Settings  # noqa: E402
from dialogue.intent_classifier import IntentClassifier, IntentPrediction  # noqa: E402
from dialogue.intent_context import NluContext, apply_rules  # noqa: E402
from lab.train.intent import TrainingReport, nlu_splits, nlu_test_split, project_training_data  # noqa: E402
from dialogue.nlu_data import NluDataset  # noqa: E402
from lab.bench.nlu import bench_intent_latency  # noqa: E402
from lab.eval.nlu import NluEvalReport, evaluate_intents  # noqa: E402

SHARED_DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data"


def shared(*parts: str) -> Path:
    path = SHARED_DATA.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} not found: this test reads real third-party data from ../shared/data beside the checkout")
    return path


class Trained:
    def __init__(self, settings: Settings, dataset: NluDataset, report: TrainingReport, classifier: IntentClassifier) -> None:
        self.settings, self.dataset, self.report, self.classifier = settings, dataset, report, classifier


@pytest.fixture(scope="module")
def trained(nlu_settings: Settings) -> Trained:
    """The session's classifier (tests/conftest.py trains it once on data/nlu)."""
    report = TrainingReport.model_validate_json((nlu_settings.nlu_model_dir / "metrics.json").read_text())
    classifier = IntentClassifier.load(nlu_settings.nlu_model_dir, nlu_settings)
    return Trained(nlu_settings, project_training_data(nlu_settings)[0], report, classifier)


#: Targets (docs/nlu.md): test-split accuracy and out-of-scope recall, zero-shot SIMMC and Bitext act accuracy
#: under the strict mapping. The floors are the targets: the metrics are deterministic (same seed, same data).
ACCURACY_TARGET = 0.95
OUT_OF_SCOPE_RECALL_TARGET = 0.9
MACRO_F1_TARGET = 0.93
ZERO_SHOT_TARGET = 0.85

#: Two targets the shipped model does not reach (docs/nlu.md): test-split accuracy 0.912 and
#: macro-F1 0.926; SIMMC strict zero-shot (own context) 0.731 on the 60-dialogue sample. Their target tests are
#: strict xfails: they run, and the day the model reaches a target the XPASS fails the suite so the marker goes.
#: Meanwhile each is also guarded against regression a point under what was measured (torch's thread count moves a
#: trained model by an example or two). These guards are not the targets and are not reported as such.
BELOW_TARGET = pytest.mark.xfail(strict=True, reason="below its target (issue 18): see docs/nlu.md for the figures")
ACCURACY_MEASURED, MACRO_F1_MEASURED, SIMMC_STRICT_MEASURED = 0.912, 0.926, 0.731


@pytest.fixture(scope="module")
def heldout_report(trained: Trained, tmp_path_factory: pytest.TempPathFactory) -> NluEvalReport:
    """The test split, as ``shopassist eval nlu`` scores it."""
    test = nlu_test_split(trained.settings)
    return evaluate_intents(trained.classifier, test, tmp_path_factory.mktemp("nlu-eval"), progress=False, split="test")


def test_training_writes_model_labels_and_metrics(trained: Trained) -> None:
    folder = trained.settings.nlu_model_dir
    labels = json.loads((folder / "labels.json").read_text())["labels"]
    assert labels == trained.dataset.intents() == trained.classifier.labels
    metrics = TrainingReport.model_validate_json((folder / "metrics.json").read_text())
    assert metrics.best_epoch >= 1 and metrics.dev_examples > 0 and metrics.test_examples > 0
    assert (folder / "tokenizer.json").is_file() and any(folder.glob("*.safetensors"))
    assert not folder.with_name(folder.name + ".partial").exists()


def test_training_never_sees_the_test_split(trained: Trained) -> None:
    splits = nlu_splits(trained.dataset, trained.settings)
    assert trained.report.train_examples == len(splits.train.examples)
    assert trained.report.dev_examples == len(splits.dev.examples)
    assert trained.report.test_examples == len(splits.test.examples) == len(nlu_test_split(trained.settings).examples)
    trained_on = {(e.text, e.intent) for e in splits.train.examples}
    assert not trained_on & {(e.text, e.intent) for e in splits.test.examples}


def test_test_split_out_of_scope_recall_at_target(heldout_report: NluEvalReport) -> None:
    # On the test split: never trained on, never used to choose the epoch.
    assert heldout_report.split == "test"
    assert heldout_report.out_of_scope_recall is not None
    assert heldout_report.out_of_scope_recall >= OUT_OF_SCOPE_RECALL_TARGET, heldout_report.per_intent["out_of_scope"]


@BELOW_TARGET
def test_test_split_accuracy_at_target(heldout_report: NluEvalReport) -> None:
    assert heldout_report.accuracy >= ACCURACY_TARGET, heldout_report.top_confusions
    assert heldout_report.macro_f1 >= MACRO_F1_TARGET


def test_test_split_accuracy_does_not_regress(heldout_report: NluEvalReport) -> None:
    assert heldout_report.accuracy >= ACCURACY_MEASURED - 0.01, heldout_report.top_confusions
    assert heldout_report.macro_f1 >= MACRO_F1_MEASURED - 0.01


def test_eval_writes_rasa_style_artefacts(heldout_report: NluEvalReport) -> None:
    assert Path(heldout_report.confusion_matrix_path or "").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    errors = json.loads(Path(heldout_report.errors_path or "").read_text())
    assert len(errors) == heldout_report.errors
    assert all({"text", "expected", "predicted", "confidence"} <= set(e) for e in errors)
    assert set(heldout_report.per_intent["greet"].model_dump()) == {"precision", "recall", "f1", "support"}
    json.loads(heldout_report.model_dump_json())


@pytest.mark.parametrize(("text", "intent"), [
    ("show me red running shoes under $80", "search_product"),
    ("where is my order ORD-10001?", "order_status"),
    ("add the second one to my cart", "add_to_cart"),
    ("what's your return policy?", "return_policy"),
    ("I want to talk to a real person", "human_handoff"),
    ("what's the capital of France?", "out_of_scope"),
])
def test_clear_requests(trained: Trained, text: str, intent: str) -> None:
    prediction = trained.classifier.predict(text)
    assert prediction.intent == intent, prediction
    assert len(prediction.ranking) == 5 and prediction.ranking[0][1] >= prediction.ranking[-1][1]


@pytest.mark.parametrize(("text", "previous_action", "intent"), [
    ("yes", "ask_clarification", "affirm"),
    ("no thanks", "ask_clarification", "deny"),
    ("the blue one", "ask_clarification", "refine"),
    ("500", "ask_clarification", "refine"),
    ("under 200 dollars", "ask_clarification", "refine"),
    ("ORD-10001", "order_status", "order_status"),
    ("it's ORD-10002", "cancel_order", "cancel_order"),
    ("order number 48213", "return_item", "return_item"),
    ("where is my order?", "ask_clarification", "order_status"),
    ("I want to speak to a human", "order_status", "human_handoff"),
])
def test_context_routes_answers_to_questions(trained: Trained, text: str, previous_action: str, intent: str) -> None:
    prediction = trained.classifier.predict(text, NluContext(previous_action=previous_action))
    assert prediction.intent == intent, prediction


def test_pending_order_question_wins_and_plain_string_context_works(trained: Trained) -> None:
    context = NluContext(previous_action="ask_clarification", pending="order_id:return_item")
    assert trained.classifier.predict("#12345", context).intent == "return_item"
    assert trained.classifier.predict("ORD-10001", "cancel_order").rule == "order-id-answer"
    assert apply_rules("ORD-10001", None) is None
    assert apply_rules("cancel ORD-10001 please", NluContext(previous_action="order_status")) is None


def test_save_load_round_trip(trained: Trained, tmp_path: Path) -> None:
    reloaded = IntentClassifier.load(trained.settings.nlu_model_dir, trained.settings)
    for text in ("hi there", "compare the first two", "do you ship to Canada?"):
        assert reloaded.predict(text) == trained.classifier.predict(text)
    with pytest.raises(NotReadyError):
        IntentClassifier.load(tmp_path / "missing", trained.settings)


def test_thresholds_send_uncertain_turns_out_of_scope(trained: Trained) -> None:
    strict = IntentClassifier.load(trained.settings.nlu_model_dir, trained.settings.model_copy(update={"nlu_threshold": 1.0}))
    lenient = IntentClassifier.load(trained.settings.nlu_model_dir, trained.settings.model_copy(
        update={"nlu_threshold": 0.0, "nlu_ambiguity_threshold": 0.0}))
    text = "add the second one to my cart"
    refused, accepted = strict.predict(text), lenient.predict(text)
    assert refused.out_of_scope and refused.intent == "out_of_scope" and refused.fallback == "low_confidence"
    assert refused.raw_intent == accepted.intent == "add_to_cart" and refused.ranking[0][0] == "add_to_cart"
    ambiguous = IntentClassifier.load(trained.settings.nlu_model_dir, trained.settings.model_copy(
        update={"nlu_threshold": 0.0, "nlu_ambiguity_threshold": 1.0}))
    assert ambiguous.predict(text).fallback == "ambiguous"


def test_prediction_is_json_and_fast(trained: Trained) -> None:
    prediction = trained.classifier.predict("do you have this in blue?", "show_products")
    assert IntentPrediction.model_validate_json(prediction.model_dump_json()) == prediction
    timings = bench_intent_latency(trained.classifier, ["hi", "show me sofas under 500", "where is ORD-10001"], repeats=3)
    assert 0 < timings["p50_ms"] < 250


@pytest.fixture(scope="module")
def simmc_sample(trained: Trained, demo_store, tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """60 SIMMC 2.1 dev dialogues replayed through the assistant (demo catalog), zero-shot."""
    from lab.eval.simmc import evaluate_simmc

    path = shared("simmc2", "simmc2.1_dials_dstc11_dev.json")
    out_dir = tmp_path_factory.mktemp("simmc")
    report = evaluate_simmc("zero-shot", classifier=trained.classifier, settings=trained.settings, data_path=path,
                            nlu_data=trained.dataset, out_dir=out_dir, limit_dialogues=60, progress=False, store=demo_store)
    return report, out_dir


def test_simmc_zero_shot_sample_reports_both_contexts(simmc_sample) -> None:  # type: ignore[no-untyped-def]
    """The strict act accuracy with the assistant's own context is the headline; oracle and lenient are reported too."""
    report, out_dir = simmc_sample
    assert report.scored_turns > 200 and report.dialogues == 60 and report.replay.turns == report.turns
    own, oracle = report.own_context, report.oracle_context
    assert (own.context, oracle.context) == ("own", "oracle")
    assert own.lenient_accuracy >= own.strict_accuracy and oracle.lenient_accuracy >= oracle.strict_accuracy
    assert "INFORM:DISAMBIGUATE" not in report.act_mapping and sum(own.disambiguate.values()) > 0
    assert report.disambiguation_routing.turns == sum(own.disambiguate.values())
    saved = json.loads((out_dir / "simmc_zero-shot_report.json").read_text())
    assert {"own_context", "oracle_context", "headline", "replay"} <= set(saved)
    assert own.strict_accuracy >= SIMMC_STRICT_MEASURED - 0.01, (report.figures(), own.intents.top_confusions)


@BELOW_TARGET
def test_simmc_zero_shot_strict_at_target(simmc_sample) -> None:  # type: ignore[no-untyped-def]
    report, _ = simmc_sample
    assert report.own_context.strict_accuracy >= ZERO_SHOT_TARGET, report.figures()


def test_bitext_zero_shot_sample(trained: Trained, tmp_path: Path) -> None:
    from lab.eval.bitext import evaluate_bitext

    path = shared("bitext-customer-support", "Bitext_Sample_Customer_Support_Training_Dataset.csv")
    report = evaluate_bitext(trained.classifier, data_path=path, out_dir=tmp_path, sample=900,
                             training_texts=[e.text for e in trained.dataset.examples], progress=False)
    assert report.scored > 200 and report.duplicates_of_training == 0
    assert report.strict_accuracy >= ZERO_SHOT_TARGET, report.intents.top_confusions
