"""The one place an assistant is assembled: every backend is chosen by configuration and built here, then handed to
the parts that use it (``ShopAssistant`` and ``DialogueManager`` build nothing themselves).

Tests, benches and channels pass ready parts (a shared product store, an embedder, a generator, re-ranker weights)
instead of reaching into a built assistant to swap them."""

from __future__ import annotations

import logging

from assistant.generators.base import Generator
from assistant.generators.registry import build_generator
from assistant.service import ShopAssistant
from core.errors import NotReadyError
from core.language import Language
from core.settings import Settings
from dialogue.manager import DialogueManager
from dialogue.orders import DEMO_ORDERS, OrderBook
from dialogue.policies import PolicyBook
from dialogue.profiles import ProfileStore
from dialogue.state_store import SqlStateStore
from dialogue.understanding import IntentModel, Understander
from retrieval.embedder import Embedder
from retrieval.product_store import HybridProductStore, ProductStore
from retrieval.rerank import FeedbackReranker, RerankWeights

log = logging.getLogger(__name__)


def build_understander(settings: Settings, store: ProductStore, classifier: IntentModel | None = None) -> Understander:
    """The intent models (``classifier`` for the settings' language when given, else the home's, else the model
    cache's; the other languages' likewise) and the slot extractor on the store's vocabulary."""
    from dialogue.intent_classifier import IntentClassifier
    from dialogue.model_cache import resolve_nlu_model_dir
    from dialogue.nlu_data import load_nlu
    from dialogue.slots import SlotExtractor
    from dialogue.vocabulary import CatalogVocabulary

    if classifier is None:
        classifier = IntentClassifier.load(resolve_nlu_model_dir(settings), settings)
    by_language: dict[Language, IntentModel] = {}
    for language in settings.other_nlu_languages:
        view = settings.for_language(language)
        try:
            by_language[language] = IntentClassifier.load(resolve_nlu_model_dir(view), view)
        except NotReadyError as exc:  # serve English; Chinese turns reach the English model until prepare trains one
            log.warning("nlu.language_model_missing language=%s reason=%s", language, exc)
    synonyms = load_nlu(settings.data_dir / "nlu").synonyms
    vocabulary = CatalogVocabulary.from_store(store, synonyms)
    return Understander(classifier, SlotExtractor(vocabulary), by_language)


def build_reranker(settings: Settings, store: ProductStore, weights: RerankWeights | None = None) -> FeedbackReranker | None:
    """The feedback re-ranker (``weights``, else fitted ones from home/models, else the settings'); None when
    ``settings.rerank_enabled`` is off: results keep the retrieval order."""
    if not settings.rerank_enabled:
        return None
    return FeedbackReranker(settings, store, weights)


def build_assistant(
    settings: Settings,
    *,
    store: ProductStore | None = None,
    embedder: Embedder | None = None,
    generator: Generator | None = None,
    reranker_weights: RerankWeights | None = None,
    classifier: IntentModel | None = None,
) -> ShopAssistant:
    """An assistant on ``settings``; any part passed in is used as is (``embedder`` only serves a store opened here;
    ``classifier`` is the intent model of the settings' language, e.g. one an evaluation trained)."""
    products: ProductStore = store or HybridProductStore.open(settings, embedder)
    understander = build_understander(settings, products, classifier)
    states = SqlStateStore(settings.resolved_database_url)
    orders = OrderBook(settings.resolved_database_url, settings.data_dir / DEMO_ORDERS[settings.catalog])
    policies = PolicyBook(settings.data_dir / "policies.yml", currency=settings.currency)
    profiles = ProfileStore(settings.resolved_database_url) if settings.profiles_enabled else None
    reranker = build_reranker(settings, products, reranker_weights)
    manager = DialogueManager(settings, products, orders, policies, profiles=profiles, reranker=reranker)
    return ShopAssistant(settings, products, understander, states, manager, generator or build_generator(settings), profiles=profiles)
