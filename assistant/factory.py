"""Build a ready assistant from settings: each backend is chosen by configuration, not by edits."""

from __future__ import annotations

import logging

from core.errors import NotReadyError
from assistant.generators.registry import build_generator
from assistant.service import ShopAssistant
from core.settings import Settings
from dialogue.orders import OrderBook
from dialogue.policies import PolicyBook
from dialogue.state_store import SqlStateStore
from dialogue.understanding import Understander
from retrieval.embedder import Embedder
from retrieval.product_store import HybridProductStore

log = logging.getLogger(__name__)


def build_understander(settings: Settings, store: HybridProductStore) -> Understander:
    from dialogue.intent_classifier import IntentClassifier
    from dialogue.nlu_data import load_nlu
    from dialogue.slots import SlotExtractor
    from dialogue.vocabulary import CatalogVocabulary

    if not (settings.nlu_model_dir / "labels.json").exists():
        raise NotReadyError(f"No intent model in {settings.nlu_model_dir} — run `shopassist train nlu` (or `shopassist prepare`).")
    classifier = IntentClassifier.load(settings.nlu_model_dir, settings)
    synonyms = load_nlu(settings.data_dir / "nlu").synonyms
    vocabulary = CatalogVocabulary.from_products(store.products(), synonyms)
    return Understander(classifier, SlotExtractor(vocabulary))


def build_assistant(settings: Settings, *, embedder: Embedder | None = None, store: HybridProductStore | None = None) -> ShopAssistant:
    store = store or HybridProductStore.open(settings, embedder)
    states = SqlStateStore(settings.resolved_database_url)
    orders = OrderBook(settings.resolved_database_url, settings.data_dir / "orders.jsonl")
    policies = PolicyBook(settings.data_dir / "policies.yml")
    return ShopAssistant(settings, store, build_understander(settings, store), states, orders, policies, build_generator(settings))
