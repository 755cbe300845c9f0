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
from lab.scripted.other_readings import UNSURE, answer_as
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
def zh_assistant(zh_home: Path):  # type: ignore[no-untyped-def]
    """A real assistant on the Chinese demo catalog (``zh_home``: e5 product search, both intent models)."""
    from assistant.wiring import build_assistant

    settings = Settings(home=zh_home, catalog="zh", nlu_languages=["en", "zh"],
                        database_url=f"sqlite:///{zh_home / 'suites.db'}")
    built = build_assistant(settings)
    # build_understander serves Chinese turns with the English model when the Chinese one does not load: not here.
    assert "zh" in built.understander.by_language, "the Chinese intent model was not loaded"
    return built


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_dialogue_zh(case: DialogueCase, zh_assistant) -> None:  # type: ignore[no-untyped-def]
    result = run_case(zh_assistant, case)
    assert result.passed, format_failure(result)



# --- turns routed by what they say, whatever intent another training gives them (tests/dialogue/test_other_readings.py)
@pytest.mark.parametrize("intent", ["search_product", "ask_product_question", "chitchat", "out_of_scope", UNSURE])
def test_a_gift_for_a_coffee_lover_is_a_search_whatever_the_intent(zh_assistant, intent: str) -> None:  # type: ignore[no-untyped-def]
    """他是个咖啡控，送他什么好 names a gift and what its receiver likes: coffee makers (one training of the Chinese
    data called it out of scope, and the shopper got the fallback)."""
    plan = answer_as(zh_assistant, [], "他是个咖啡控，送他什么好", intent)
    assert plan.action == "show_products"
    assert len(plan.products) >= 3 and all(card.category.endswith("咖啡机") for card in plan.products)


@pytest.mark.parametrize("intent", ["refine", "deny", UNSURE])
def test_leaving_out_a_feature_is_a_refinement_whatever_the_intent(zh_assistant, intent: str) -> None:  # type: ignore[no-untyped-def]
    plan = answer_as(zh_assistant, ["4K电视"], "不要QLED", intent)
    assert plan.action == "show_products" and plan.products
    assert all("QLED" not in zh_assistant.products.get(card.product_id).values("屏幕类型") for card in plan.products)


@pytest.mark.parametrize("intent", ["return_item", "order_status", "remove_from_cart", UNSURE])
def test_a_product_that_does_not_turn_on_gets_the_warranty_whatever_the_intent(zh_assistant, intent: str) -> None:  # type: ignore[no-untyped-def]
    plan = answer_as(zh_assistant, ["台灯"], "第一个开不了机", intent)
    assert plan.action == "policy_answer" and plan.facts.fault


@pytest.mark.parametrize("intent", ["order_status", "shipping_info", UNSURE])
def test_when_the_shop_ships_gets_the_shipping_terms_whatever_the_intent(zh_assistant, intent: str) -> None:  # type: ignore[no-untyped-def]
    """顺便问一下多久发货 (the model read it as an order's status and asked for an order number): the shipping terms."""
    plan = answer_as(zh_assistant, ["看看记事本", "第一个加入购物车"], "顺便问一下多久发货", intent)
    assert plan.action == "policy_answer" and plan.intent == "shipping_info"


@pytest.mark.parametrize("intent", ["search_product", "chitchat", UNSURE])
def test_a_gift_for_a_tea_lover_is_a_kettle_whatever_the_intent(zh_assistant, intent: str) -> None:  # type: ignore[no-untyped-def]
    """送他礼物，他喜欢喝茶: the goods that go with the pastime (kettles), not tea tables."""
    plan = answer_as(zh_assistant, [], "送他礼物，他喜欢喝茶", intent)
    assert plan.action == "show_products" and plan.products
    assert all(card.category.endswith("电热水壶") for card in plan.products)
