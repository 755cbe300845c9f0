"""Shared fixtures: every test gets its own SHOPASSIST_HOME; expensive real components are built once per session."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ["HF_HUB_OFFLINE"] = "1"
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
# Tests never read or fill the user's shared model cache (~/.cache/shopassist): a cache of their own per session,
# removed when the session ends (it holds exported and dequantised encoders: up to 1.5 GB).
SESSION_MODEL_CACHE = tempfile.mkdtemp(prefix="shopassist-test-model-cache-")
os.environ["SHOPASSIST_MODEL_CACHE"] = SESSION_MODEL_CACHE

from core.settings import DATA_DIR, Settings, get_settings  # noqa: E402
from tests.background_training import BackgroundTraining  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = ROOT.parent / "shared" / "data"
DEMO_CATALOG = DATA_DIR / "catalog" / "demo.jsonl"
DIALOGUE_SUITES = ROOT / "tests" / "dialogues"


#: The session's intent models, trained beside the tests that need none (tests/background_training.py).
TRAINING = BackgroundTraining()
#: The model fixtures, by the language of the model; a test module's rank is the last model any of its tests needs.
MODEL_FIXTURES = {"en": "nlu_settings", "zh": "zh_nlu_settings"}
REUSED_MODELS = {"en": "SHOPASSIST_TEST_NLU_MODEL", "zh": "SHOPASSIST_TEST_NLU_ZH_MODEL"}  # developers only: no training


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Test modules that need no intent model run first, then those that need the English one, then the Chinese
    ones (each module's tests in their own order), and the models the selected tests need start training in the
    background meanwhile."""
    def rank(item: pytest.Item) -> int:
        names = getattr(item, "fixturenames", ())
        return 2 if MODEL_FIXTURES["zh"] in names else 1 if MODEL_FIXTURES["en"] in names else 0

    module_rank: dict[str, int] = {}
    for item in items:
        module_rank[item.nodeid.split("::")[0]] = max(module_rank.get(item.nodeid.split("::")[0], 0), rank(item))
    items.sort(key=lambda item: module_rank[item.nodeid.split("::")[0]])  # stable: the order within a rank is kept
    needed = [language for language, fixture in MODEL_FIXTURES.items()
              if any(fixture in getattr(item, "fixturenames", ()) for item in items) and not os.environ.get(REUSED_MODELS[language])]
    if needed and not config.option.collectonly:
        TRAINING.start(Path(tempfile.mkdtemp(prefix="shopassist-test-nlu-")), needed)


def pytest_unconfigure(config: pytest.Config) -> None:
    TRAINING.stop()
    if TRAINING.root is not None:
        shutil.rmtree(TRAINING.root, ignore_errors=True)
    shutil.rmtree(SESSION_MODEL_CACHE, ignore_errors=True)


def shared_data(*parts: str) -> Path:
    """A path under ../shared/data, or skip the test with a clear message when the shared data is absent."""
    path = SHARED_DATA.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} not found: this test reads real third-party data from ../shared/data beside the checkout")
    return path


@pytest.fixture(autouse=True)
def isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Tests never touch a user's ~/.shopassist."""
    home = tmp_path / "home"
    monkeypatch.setenv("SHOPASSIST_HOME", str(home))
    get_settings.cache_clear()
    yield home
    get_settings.cache_clear()


@pytest.fixture(scope="session")
def embedder(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """The serving embedder (ONNX int8 query encoder, exported once per session)."""
    from retrieval.product_store import query_embedder

    return query_embedder(Settings(home=tmp_path_factory.mktemp("embedder-home")))


@pytest.fixture(scope="session")
def demo_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return Settings(home=tmp_path_factory.mktemp("demo-home"))


@pytest.fixture(scope="session")
def demo_store(demo_settings: Settings, embedder):  # type: ignore[no-untyped-def]
    """The demo catalog ingested into a real embedded Chroma, once per test session."""
    from retrieval.ingest import ingest
    from retrieval.product_store import HybridProductStore

    ingest([DEMO_CATALOG], demo_settings, embedder=embedder, progress=False)
    return HybridProductStore.open(demo_settings, embedder)


@pytest.fixture(scope="session")
def nlu_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """The intent classifier fine-tuned on the shipped NLU data, once per test session (settings of its home)."""
    from lab.train.intent import train_from_settings

    if (trained := TRAINING.settings("en")) is not None:
        return trained
    settings = Settings(home=tmp_path_factory.mktemp("nlu-home"))
    reuse = os.environ.get(REUSED_MODELS["en"])  # developers only: skip training with a model trained on this data
    if reuse:
        shutil.copytree(reuse, settings.nlu_model_dir)
    else:
        train_from_settings(settings, progress=False)
    return settings


@pytest.fixture(scope="session")
def zh_nlu_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """The Chinese intent classifier (multilingual-e5-small fine-tuned on data/nlu_zh), once per test session: the
    Chinese view of its home's settings (``Settings.for_language``)."""
    from lab.train.intent import train_from_settings

    if (trained := TRAINING.settings("zh")) is not None:
        return trained
    settings = Settings(home=tmp_path_factory.mktemp("nlu-zh-home"), nlu_languages=["en", "zh"]).for_language("zh")
    reuse = os.environ.get(REUSED_MODELS["zh"])  # developers only, as SHOPASSIST_TEST_NLU_MODEL
    if reuse:
        shutil.copytree(reuse, settings.nlu_model_dir)
    else:
        train_from_settings(settings, progress=False)  # the base encoder is dequantised into the model cache first
    return settings


@pytest.fixture(scope="session")
def nlu_model_dir(nlu_settings: Settings) -> Path:
    return nlu_settings.nlu_model_dir


@pytest.fixture(scope="session")
def zh_home(tmp_path_factory: pytest.TempPathFactory, nlu_model_dir: Path, zh_nlu_settings: Settings) -> Path:
    """A home with the Chinese demo catalog ingested with the catalog's default product encoder (multilingual-e5-small,
    int8 ONNX) and the session's English and Chinese intent models linked in; once per session (the Chinese suites and
    the CLI tests share it, each with conversation ids of its own)."""
    from retrieval.ingest import ingest
    from retrieval.product_store import query_embedder

    home = tmp_path_factory.mktemp("zh-home")
    settings = Settings(home=home, catalog="zh", nlu_languages=["en", "zh"])
    assert settings.product_encoder == "e5-small"
    ingest([DATA_DIR / "catalog" / "demo_zh.jsonl"], settings, embedder=query_embedder(settings), progress=False)
    settings.models_dir.mkdir(parents=True, exist_ok=True)
    settings.nlu_model_dir.symlink_to(nlu_model_dir, target_is_directory=True)
    settings.for_language("zh").nlu_model_dir.symlink_to(zh_nlu_settings.nlu_model_dir, target_is_directory=True)
    return home


@pytest.fixture(scope="session")
def assistant_factory(demo_settings: Settings, demo_store, nlu_model_dir: Path, tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """Builds a real assistant (demo catalog in Chroma, trained classifier) with its own conversation database."""
    from assistant.wiring import build_assistant

    def build(**overrides):  # type: ignore[no-untyped-def]
        home = tmp_path_factory.mktemp("assistant-home")
        settings = demo_settings.model_copy(update={"database_url": f"sqlite:///{home / 'conversations.db'}", **overrides})
        settings.models_dir.mkdir(parents=True, exist_ok=True)
        if not settings.nlu_model_dir.exists():
            settings.nlu_model_dir.symlink_to(nlu_model_dir, target_is_directory=True)
        return build_assistant(settings, store=demo_store)

    return build


@pytest.fixture(scope="session")
def catalog_assistant(tmp_path_factory: pytest.TempPathFactory, embedder, nlu_model_dir: Path):  # type: ignore[no-untyped-def]
    """Builds (once per catalog) a real assistant over a third-party catalog from ../shared/data, ingested with a
    shipped mapping into a home of its own: ``catalog_assistant(("dummyjson", "products.json"), "dummyjson.yml")``.
    Skips when the data is absent."""
    from assistant.wiring import build_assistant
    from retrieval.ingest import ingest
    from retrieval.product_store import HybridProductStore

    built: dict[tuple[tuple[str, ...], str], object] = {}

    def build(source: tuple[str, ...], mapping: str):  # type: ignore[no-untyped-def]
        if (source, mapping) not in built:
            path = shared_data(*source)
            home = tmp_path_factory.mktemp(source[0] + "-home")
            settings = Settings(home=home, embedding_cache=None, database_url=f"sqlite:///{home / 'conversations.db'}")
            ingest([path], settings, mapping_path=DATA_DIR / "mappings" / mapping, embedder=embedder, progress=False)
            settings.models_dir.mkdir(parents=True, exist_ok=True)
            settings.nlu_model_dir.symlink_to(nlu_model_dir, target_is_directory=True)
            built[(source, mapping)] = build_assistant(settings, store=HybridProductStore.open(settings, embedder))
        return built[(source, mapping)]

    return build


@pytest.fixture(scope="session")
def assistant(assistant_factory):  # type: ignore[no-untyped-def]
    return assistant_factory()
