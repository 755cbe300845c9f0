"""The trained-model cache: a model is keyed by what it was trained from, and a new home uses a matching one
instead of training again (``dialogue.model_cache``)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from core.errors import NotReadyError
from core.settings import Settings
from dialogue.intent_classifier import ARCHITECTURE
from dialogue.model_cache import cache_entry, has_model, link_home_model, resolve_nlu_model_dir, training_key
from retrieval.encoders import encoder_onnx_dir
from tests.conftest import ROOT


def _settings(tmp_path: Path, **overrides: object) -> Settings:
    return Settings(home=tmp_path / "home", model_cache=tmp_path / "cache", **overrides)


def test_key_follows_training_data_and_settings_but_not_runtime_choices(tmp_path: Path) -> None:
    data = tmp_path / "nlu"
    shutil.copytree(Settings().data_dir / "nlu", data)
    base = _settings(tmp_path)
    key = training_key(base, [data])
    assert key == training_key(_settings(tmp_path / "elsewhere"), [data]), "the home and the cache's place do not count"
    assert key == training_key(base.model_copy(update={"nlu_runtime": "torch", "torch_threads": 4, "nlu_train_threads": 1}), [data])
    assert key != training_key(base.model_copy(update={"nlu_epochs": base.nlu_epochs + 1}), [data])
    assert key != training_key(base.model_copy(update={"nlu_seed": base.nlu_seed + 1}), [data])
    first = sorted(data.rglob("*.yml"))[0]
    first.write_text(first.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    assert key != training_key(base, [data]), "any change to the training data gives another model"


def test_a_home_without_a_model_fails_clearly_when_the_cache_has_none(tmp_path: Path) -> None:
    with pytest.raises(NotReadyError, match="shopassist prepare"):
        resolve_nlu_model_dir(_settings(tmp_path))


def test_link_replaces_the_home_model_and_keeps_the_cached_one(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    entries = [tmp_path / "cache" / name for name in ("intent-a", "intent-b")]
    for entry in entries:
        entry.mkdir(parents=True)
        (entry / "labels.json").write_text(json.dumps({"labels": [entry.name], "architecture": ARCHITECTURE}),
                                           encoding="utf-8")
    settings.nlu_model_dir.mkdir(parents=True)
    (settings.nlu_model_dir / "old.bin").write_text("an earlier model", encoding="utf-8")
    for entry in entries:
        linked = link_home_model(settings, entry)
        assert linked == settings.nlu_model_dir and linked.resolve() == entry.resolve()
        assert json.loads((linked / "labels.json").read_text(encoding="utf-8"))["labels"] == [entry.name]
    assert all(has_model(entry) for entry in entries), "relinking never deletes a cached model"
    assert [p.name for p in settings.models_dir.iterdir()] == ["nlu"], "no staging folders are left behind"


def test_a_brand_new_home_answers_from_the_model_cache_without_training(
        tmp_path: Path, demo_settings: Settings, demo_store, nlu_model_dir: Path, embedder) -> None:  # type: ignore[no-untyped-def]
    settings = _settings(tmp_path)
    entry = cache_entry(settings)
    shutil.copytree(nlu_model_dir, entry, symlinks=False)  # as if `shopassist prepare` had trained it for another home
    trained_at = (entry / "metrics.json").stat().st_mtime_ns
    # The new home has the demo catalog (copied: ingest is not what this test is about) and no intent model.
    for part in ("chroma", "lexical", "catalog"):
        if (demo_settings.home / part).exists():
            shutil.copytree(demo_settings.home / part, settings.home / part)
    settings.models_dir.mkdir(parents=True)
    encoder = encoder_onnx_dir(settings)  # the query encoder's export, in the model cache as `prepare` leaves it
    encoder.symlink_to(embedder.query_encoder_dir, target_is_directory=True)
    assert not settings.nlu_model_dir.exists()

    env = {**os.environ, "SHOPASSIST_HOME": str(settings.home), "SHOPASSIST_MODEL_CACHE": str(settings.model_cache),
           "HF_HUB_OFFLINE": "1"}
    done = subprocess.run([sys.executable, "-c", "from cli.main import run; run()", "ask", "--json", "hi there"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    assert json.loads(done.stdout)["plan"]["intent"] == "greet"
    assert done.stderr == "", "no warnings or debug lines the shopper did not ask for"
    assert settings.nlu_model_dir.is_symlink() and settings.nlu_model_dir.resolve() == entry.resolve()
    assert (entry / "metrics.json").stat().st_mtime_ns == trained_at, "nothing was trained"
    assert sorted(p.name for p in settings.model_cache.iterdir()) == sorted([entry.name, encoder.name])


def test_a_model_of_an_older_architecture_is_not_loaded_but_retrained(tmp_path: Path) -> None:
    from dialogue.intent_classifier import IntentClassifier

    settings = _settings(tmp_path)
    settings.nlu_model_dir.mkdir(parents=True)
    (settings.nlu_model_dir / "labels.json").write_text(json.dumps({"labels": ["greet", "thanks"]}), encoding="utf-8")
    assert not has_model(settings.nlu_model_dir), "prepare retrains a [CLS]-classifier folder from before the change"
    with pytest.raises(NotReadyError, match="older ShopAssist"):
        IntentClassifier.load(settings.nlu_model_dir, settings)
