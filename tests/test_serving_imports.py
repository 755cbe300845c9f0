"""The serving path stays lean: a server built from a prepared home (ONNX intent classifier and query encoder, the
defaults) answers a turn without importing training code (``lab``), scikit-learn, torch or transformers, nor tqdm
(which only the widget's gradio brings in, through huggingface_hub).

Checked in a fresh interpreter, which records who first imports each watched package, so a failure names the culprit.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from core.settings import Settings
from retrieval.encoders import encoder_onnx_dir
from tests.conftest import ROOT

WATCHED = ("lab", "sklearn", "tqdm", "torch", "transformers", "sentence_transformers")
# The widget's gradio imports huggingface_hub, which imports tqdm: third-party, and absent without the widget.
WIDGET_TQDM_IMPORTER = "huggingface_hub"

PROBE = """
import builtins, json, sys

watched = set(sys.argv[1].split(","))
importers = {}
real_import = builtins.__import__

def tracking_import(name, globals=None, locals=None, fromlist=(), level=0):
    top = name.partition(".")[0]
    if level == 0 and top in watched and top not in sys.modules and top not in importers:
        importers[top] = (globals or {}).get("__name__", "?")
    return real_import(name, globals, locals, fromlist, level)

builtins.__import__ = tracking_import

from fastapi.testclient import TestClient

from api.app import create_app
from assistant.wiring import build_assistant
from core.settings import Settings

settings = Settings()
assistant = build_assistant(settings)
with TestClient(create_app(assistant, settings, ui=sys.argv[2] == "ui")) as client:
    health = client.get("/healthz").status_code
conversation = assistant.start("probe")
reply = assistant.handle(conversation, "probe", "I need a quiet dishwasher under $600")
loaded = sorted(m for m in sys.modules if m.partition(".")[0] in watched)
print(json.dumps({"health": health, "intent": reply.plan.intent, "products": len(reply.plan.products),
                  "loaded": loaded, "importers": importers}))
"""


@pytest.mark.parametrize("ui", ["ui", "no-ui"])
def test_server_from_a_prepared_home_imports_no_training_code(ui: str, demo_settings: Settings, demo_store,  # type: ignore[no-untyped-def]
                                                               nlu_model_dir: Path, embedder) -> None:
    # A prepared home: the demo catalog ingested, the intent model in models/; the ONNX query encoder in a model cache
    # that holds nothing else (so no intent model comes from it).
    demo_settings.models_dir.mkdir(parents=True, exist_ok=True)
    cache = demo_settings.model_copy(update={"model_cache": demo_settings.home / "encoder-only-model-cache"})
    cache.model_cache.mkdir(exist_ok=True)
    for link, target in ((demo_settings.models_dir / "nlu", nlu_model_dir), (encoder_onnx_dir(cache), embedder.query_encoder_dir)):
        if not link.exists():
            link.symlink_to(target, target_is_directory=True)
    env = {**os.environ, "SHOPASSIST_HOME": str(demo_settings.home), "HF_HUB_OFFLINE": "1",
           "SHOPASSIST_MODEL_CACHE": str(cache.model_cache)}
    done = subprocess.run([sys.executable, "-c", PROBE, ",".join(WATCHED), ui], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["health"] == 200 and result["intent"] == "search_product" and result["products"] > 0, result

    loaded, importers = set(result["loaded"]), result["importers"]
    assert not {m for m in loaded if m == "lab" or m.startswith("lab.")}, (loaded, importers)
    for package in ("sklearn", "torch", "transformers", "sentence_transformers"):
        assert package not in loaded, f"{package} imported by {importers.get(package, 'importlib')}"
    tqdm_importer = importers.get("tqdm", "importlib")
    if ui == "no-ui":
        assert "tqdm" not in loaded, f"tqdm imported by {tqdm_importer}"
    elif "tqdm" in loaded:
        assert tqdm_importer.partition(".")[0] == WIDGET_TQDM_IMPORTER, f"tqdm imported by {tqdm_importer}"


def test_serving_tokenizer_gives_the_training_tokenizers_ids() -> None:
    """The ONNX classifier's `tokenizers`-only tokenizer matches transformers' fast tokenizer id for id: singly
    (as a turn is classified) and in padded batches, with and without the previous action, truncated or not."""
    import numpy as np
    from transformers import AutoTokenizer

    from dialogue.intent_context import context_text
    from dialogue.intent_onnx import PairTokenizer
    from dialogue.nlu_data import load_nlu
    from retrieval.embedder import default_model_dir

    settings = Settings()
    model_dir, max_length = default_model_dir(), settings.nlu_max_length  # the classifier's tokenizer is the base's
    reference = AutoTokenizer.from_pretrained(model_dir, use_fast=True)
    serving = PairTokenizer(model_dir, max_length)
    texts = [e.text for e in load_nlu(settings.data_dir / "nlu").examples][::7]
    texts += ["word " * 80, "Ünïcödé café — 東京 😀 $1,299.99!!", "", "  spaced   out  "]
    actions = [None, "show_products", "ask_clarification", "order_status"]
    pairs = [context_text(actions[i % len(actions)]) for i in range(len(texts))]
    keys = ("input_ids", "attention_mask", "token_type_ids")
    for text, pair in zip(texts, pairs):
        expected = reference(text, pair, truncation=True, max_length=max_length, return_tensors="np")
        got = serving.encode([text], [pair])
        assert all(np.array_equal(expected[k], got[k]) for k in keys), (text, pair)
    for start in range(0, len(texts), 64):
        chunk, chunk_pairs = texts[start : start + 64], pairs[start : start + 64]
        expected = reference.pad([reference(t, p, truncation=True, max_length=max_length) for t, p in zip(chunk, chunk_pairs)],
                                 return_tensors="np")
        got = serving.encode(chunk, chunk_pairs)
        assert all(np.array_equal(expected[k], got[k]) for k in keys), start
