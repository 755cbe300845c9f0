"""The fine-tuned intent classifier: trained once per module on the shipped data/nlu, then checked on its held-out
share, in context, after a save/load round trip, at its thresholds, and zero-shot on real third-party dialogues."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

os.environ["HF_HUB_OFFLINE"] = "1"

from core.errors import NotReadyError  # noqa: E402
from core.settings import DATA_DIR, Settings  # noqa: E402
from dialogue.intent_classifier import IntentClassifier, IntentPrediction  # noqa: E402
from dialogue.intent_context import NluContext, apply_rules  # noqa: E402
from lab.train.intent import TrainingReport, holdout_split  # noqa: E402
from dialogue.nlu_data import NluDataset, load_nlu  # noqa: E402
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
    return Trained(nlu_settings, load_nlu(DATA_DIR / "nlu"), report, classifier)


@pytest.fixture(scope="module")
def heldout_report(trained: Trained, tmp_path_factory: pytest.TempPathFactory) -> NluEvalReport:
    _, heldout = holdout_split(trained.dataset, trained.settings)
    return evaluate_intents(trained.classifier, heldout, tmp_path_factory.mktemp("nlu-eval"), progress=False)


def test_training_writes_model_labels_and_metrics(trained: Trained) -> None:
    folder = trained.settings.nlu_model_dir
    labels = json.loads((folder / "labels.json").read_text())["labels"]
    assert labels == trained.dataset.intents() == trained.classifier.labels
    metrics = TrainingReport.model_validate_json((folder / "metrics.json").read_text())
    assert metrics.best_epoch >= 1 and metrics.heldout_examples > 0
    assert (folder / "tokenizer.json").is_file() and any(folder.glob("*.safetensors"))
    assert not folder.with_name(folder.name + ".partial").exists()


def test_heldout_accuracy_and_out_of_scope_recall(heldout_report: NluEvalReport) -> None:
    # Quality floors, a little under the targets (accuracy 0.95, out-of-scope recall 0.9): the held-out split has only
    # ~35 out-of-scope examples, so one example moves recall by 0.03, and torch's thread count changes the trained model.
    assert heldout_report.accuracy >= 0.94, heldout_report.top_confusions
    assert heldout_report.out_of_scope_recall is not None and heldout_report.out_of_scope_recall >= 0.8
    assert heldout_report.macro_f1 >= 0.93


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


def test_simmc_zero_shot_sample(trained: Trained, tmp_path: Path) -> None:
    from lab.eval.simmc import evaluate_simmc

    path = shared("simmc2", "simmc2.1_dials_dstc11_dev.json")
    report = evaluate_simmc("zero-shot", classifier=trained.classifier, settings=trained.settings, data_path=path,
                            nlu_data=trained.dataset, out_dir=tmp_path, limit_dialogues=60, progress=False)
    assert report.scored_turns > 200 and report.dialogues == 60
    assert report.accuracy >= 0.75, report.intents.top_confusions
    assert "INFORM:DISAMBIGUATE" not in report.act_mapping and sum(report.disambiguate.values()) > 0
    assert (tmp_path / "simmc_zero-shot_report.json").is_file()


def test_bitext_zero_shot_sample(trained: Trained, tmp_path: Path) -> None:
    from lab.eval.bitext import evaluate_bitext

    path = shared("bitext-customer-support", "Bitext_Sample_Customer_Support_Training_Dataset.csv")
    report = evaluate_bitext(trained.classifier, data_path=path, out_dir=tmp_path, sample=900,
                             training_texts=[e.text for e in trained.dataset.examples], progress=False)
    assert report.scored > 200
    assert report.accuracy >= 0.85, report.intents.top_confusions
