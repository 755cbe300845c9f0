"""Every Chinese scripted dialogue in tests/dialogues_zh runs under pytest, one test per case, through the full pipeline
of an assistant on the Chinese demo catalog (data/catalog/demo_zh.jsonl, CNY) with both intent models, English and
Chinese, each turn routed to its language's. tests/dialogues_zh/known_failures.yml holds Chinese cases the assistant
does not pass yet (each says what goes wrong); it is not run here."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from core.settings import DATA_DIR, Settings
from lab.scripted import format as suite_format
from lab.scripted.runner import format_failure, run_case

SUITES = Path(__file__).parent / "dialogues_zh"
KNOWN_FAILURES = SUITES / "known_failures.yml"
ZH_CATALOG = DATA_DIR / "catalog" / "demo_zh.jsonl"
DialogueCase = suite_format.TestCase  # not imported as "TestCase": pytest would try to collect it as a test class
CASES: list[DialogueCase] = [case for path in suite_format.discover([SUITES]) if path != KNOWN_FAILURES
                             for case in suite_format.parse_suite(path)]


def test_chinese_suites_are_substantial() -> None:
    assert len(CASES) >= 50


def test_cases_name_products_of_the_chinese_catalog() -> None:
    """A product id a case expects (shown, not shown, in the cart) is one of the Chinese demo catalog's."""
    ids = {json.loads(line)["id"] for line in ZH_CATALOG.read_text(encoding="utf-8").splitlines() if line.strip()}
    named: set[tuple[str, str]] = set()
    for case in CASES:
        for step in case.steps:
            products, cart = step.expect.get("products") or {}, step.expect.get("cart") or {}
            for pid in [*products.get("include", []), *products.get("exclude", []), *cart.get("contains", [])]:
                named.add((case.name, pid))
    assert sorted((name, pid) for name, pid in named if pid not in ids) == []


@pytest.fixture(scope="module")
def zh_assistant(tmp_path_factory: pytest.TempPathFactory, nlu_model_dir: Path, zh_nlu_settings: Settings):  # type: ignore[no-untyped-def]
    """A real assistant on the Chinese demo catalog, ingested into an embedded Chroma in a home of its own with the
    catalog's default product encoder (multilingual-e5-small, int8 ONNX), with the session's English and Chinese intent
    models linked into that home."""
    from assistant.wiring import build_assistant
    from retrieval.ingest import ingest
    from retrieval.product_store import HybridProductStore, query_embedder

    home = tmp_path_factory.mktemp("zh-assistant-home")
    settings = Settings(home=home, catalog="zh", nlu_languages=["en", "zh"],
                        database_url=f"sqlite:///{home / 'conversations.db'}")
    assert settings.product_encoder == "e5-small"
    embedder = query_embedder(settings)
    ingest([ZH_CATALOG], settings, embedder=embedder, progress=False)
    settings.models_dir.mkdir(parents=True, exist_ok=True)
    settings.nlu_model_dir.symlink_to(nlu_model_dir, target_is_directory=True)
    settings.for_language("zh").nlu_model_dir.symlink_to(zh_nlu_settings.nlu_model_dir, target_is_directory=True)
    built = build_assistant(settings, store=HybridProductStore.open(settings, embedder))
    # build_understander serves Chinese turns with the English model when the Chinese one does not load: not here.
    assert "zh" in built.understander.by_language, "the Chinese intent model was not loaded"
    return built


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_dialogue_zh(case: DialogueCase, zh_assistant) -> None:  # type: ignore[no-untyped-def]
    result = run_case(zh_assistant, case)
    assert result.passed, format_failure(result)
