"""Chinese product questions are routed by their shape, not only by the intent the classifier gives: two trainings of
the same data read "哪款评分最高" as a product question and as a wish for more products. Each case runs the real
slot extractor on the Chinese demo catalog and the real router, under every intent a classifier has given it."""

from __future__ import annotations

import pytest

from core.settings import DATA_DIR
from dialogue.handlers.products import routes_to_question
from dialogue.manager import Turn
from dialogue.nlu_data import load_nlu
from dialogue.slots import SlotExtractor
from dialogue.state import ConversationState
from dialogue.understanding import Understanding
from dialogue.vocabulary import CatalogVocabulary
from retrieval.catalog_io import load_catalog

SHOWN = ["p1", "p2", "p3"]


@pytest.fixture(scope="module")
def chinese() -> SlotExtractor:
    products = load_catalog([DATA_DIR / "catalog" / "demo_zh.jsonl"]).products
    return SlotExtractor(CatalogVocabulary.from_products(products, load_nlu(DATA_DIR / "nlu").synonyms))


def _turn(chinese: SlotExtractor, text: str, intent: str) -> Turn:
    state = ConversationState(conversation_id="c", sender="s", last_shown=SHOWN)
    nlu = Understanding(text=text, intent=intent, confidence=0.9, slots=chinese.extract(text), language="zh")
    return Turn(nlu=nlu, state=state)


@pytest.mark.parametrize("intent", ["ask_product_question", "show_more", "refine", "search_product", "chitchat", "out_of_scope"])
@pytest.mark.parametrize("text", ["哪款评分最高", "哪个最便宜", "哪些有货"])
def test_which_questions_over_the_shown_products_are_questions(chinese: SlotExtractor, text: str, intent: str) -> None:
    assert routes_to_question(_turn(chinese, text, intent)) is True


@pytest.mark.parametrize(("text", "intent"), [("还有更便宜的吗", "show_more"), ("还有别的吗", "show_more"),
                                              ("再来几个", "show_more"), ("找个更便宜的", "refine"), ("对比一下前两个", "compare")])
def test_wishes_for_more_products_stay_requests(chinese: SlotExtractor, text: str, intent: str) -> None:
    assert routes_to_question(_turn(chinese, text, intent)) is False
