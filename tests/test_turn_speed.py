"""The speed work, checked for correctness: per-stage turn timings, the int8 ONNX intent classifier's accuracy
against torch and precomputed embeddings at ingest (the turn and scale benchmarks: tests/lab/bench)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from core.settings import DATA_DIR, Settings
from core.timing import recording, stage
from dialogue.intent_classifier import IntentClassifier
from lab.train.intent import holdout_split
from dialogue.nlu_data import load_nlu
from lab.eval.nlu import evaluate_intents

TURN_STAGES = {"state.load", "nlu", "nlu.intent", "nlu.slots", "dialogue", "retrieval", "retrieval.embed",
               "retrieval.dense", "retrieval.bm25", "rerank", "generate", "state.store", "total"}


def test_stages_accumulate_only_inside_a_recording() -> None:
    with stage("outside"):
        pass
    with recording() as timings:
        for _ in range(3):
            with stage("inner"):
                sum(range(1000))
    assert set(timings) == {"inner"} and timings["inner"] > 0
    into: dict[str, float] = {"kept": 1.0}
    with recording(into), stage("more"):
        pass
    assert set(into) == {"kept", "more"}


def test_a_search_turn_reports_every_stage(assistant) -> None:  # type: ignore[no-untyped-def]
    conversation = assistant.start("stage-shopper")
    result = assistant.handle(conversation, "stage-shopper", "show me running shoes under $120")
    assert result.plan.products, result.text
    assert TURN_STAGES <= set(result.timings_ms), sorted(result.timings_ms)
    parts = sum(result.timings_ms[s] for s in ("state.load", "nlu", "dialogue", "generate", "state.store"))
    assert 0 < parts <= result.timings_ms["total"] + 0.5
    assert result.timings_ms["nlu.intent"] <= result.timings_ms["nlu"] + 0.01


def test_int8_onnx_classifier_keeps_heldout_accuracy(nlu_settings: Settings) -> None:
    """int8 may cost at most one point of held-out accuracy against the torch model it was exported from."""
    heldout = holdout_split(load_nlu(DATA_DIR / "nlu"), nlu_settings)[1]
    scores = {}
    for runtime in ("torch", "onnx-int8"):
        classifier = IntentClassifier.load(nlu_settings.nlu_model_dir, nlu_settings.model_copy(update={"nlu_runtime": runtime}))
        assert classifier.runtime.startswith("onnx") == (runtime != "torch")
        scores[runtime] = evaluate_intents(classifier, heldout, progress=False)
    assert (nlu_settings.nlu_model_dir / "onnx" / "model.int8.onnx").is_file(), "training exports the ONNX runtime's files"
    assert scores["onnx-int8"].accuracy >= scores["torch"].accuracy - 0.01, (scores["torch"].accuracy, scores["onnx-int8"].accuracy)
    assert scores["onnx-int8"].macro_f1 >= scores["torch"].macro_f1 - 0.015


def test_ingest_takes_vectors_from_an_embedding_cache(embedder, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from retrieval.catalog_io import load_catalog
    from retrieval.chroma_store import ChromaCatalog
    from retrieval.embedding_cache import EmbeddingCache, write_cache
    from retrieval.ingest import ingest

    catalog = DATA_DIR / "catalog" / "demo.jsonl"
    products = load_catalog([catalog]).products[:40]
    subset = tmp_path / "subset.jsonl"
    subset.write_text("".join(p.model_dump_json() + "\n" for p in products))
    texts = [p.embedding_text() for p in products]
    cached = embedder.embed(texts[:30])
    marked = cached.copy()
    marked[0] = -marked[0]  # a vector the model would never produce for this text: proves it came from the cache
    cache = write_cache(tmp_path / "vectors.npz", texts[:30], marked, "all-MiniLM-L6-v2")
    assert len(EmbeddingCache(cache)) == 30
    settings = Settings(home=tmp_path / "home", embedding_cache=cache)
    report = ingest([subset], settings, embedder=embedder, progress=False)
    assert report.embedded == 40 and report.total_in_store == 40
    stored = ChromaCatalog(settings, embedder).embeddings([products[0].id, products[35].id])
    assert float(np.dot(stored[products[0].id], marked[0])) > 0.999
    # Not cached: embedded as usual. int8 dynamic quantisation scales activations per batch, so the same text embedded
    # alone and within a batch differs slightly (cosine ~0.995); a vector from elsewhere would be far below 0.98.
    assert float(np.dot(stored[products[35].id], embedder.embed([texts[35]])[0])) > 0.98


def test_embedding_cache_of_another_dimension_is_refused(embedder, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from core.errors import UserError
    from retrieval.embedding_cache import write_cache
    from retrieval.ingest import ingest

    cache = write_cache(tmp_path / "small.npz", ["x"], np.ones((1, 8), dtype=np.float32), embedder.name)  # same name, 8-d
    with pytest.raises(UserError, match="8-d"):
        ingest([DATA_DIR / "catalog" / "demo.jsonl"], Settings(home=tmp_path / "home", embedding_cache=cache), embedder=embedder, progress=False)
