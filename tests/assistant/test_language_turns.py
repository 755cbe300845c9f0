"""A turn answered in the shopper's language (issue 19 items 1, 4, 5), through the real pipeline with the template
generator: the channel's hint (or the message's script) sets the plan's language; policies, quick replies and the
reply text follow it."""

from __future__ import annotations

import re

from core.settings import Settings

HAN = re.compile(r"[\u4e00-\u9fff]")


def test_a_chinese_hint_gets_a_chinese_policy_answer_with_the_same_facts(assistant_factory) -> None:  # type: ignore[no-untyped-def]
    assistant = assistant_factory()
    english = assistant.handle(assistant.start("lang-en"), "lang-en", "what is your return policy?")
    sender = "lang-zh"
    chinese = assistant.handle(assistant.start(sender), sender, "what is your return policy?", language="zh")
    assert english.plan.language == "en" and chinese.plan.language == "zh"
    assert english.plan.action == chinese.plan.action == "policy_answer"
    assert len(HAN.findall(chinese.text)) > 10 and not HAN.search(english.text)
    assert "30" in english.text and "30天" in chinese.text  # the same window, in the shopper's language
    assert all(HAN.search(reply) for reply in chinese.plan.quick_replies), chinese.plan.quick_replies


def test_products_are_listed_in_chinese_with_the_catalogs_currency(assistant_factory) -> None:  # type: ignore[no-untyped-def]
    assistant = assistant_factory()
    sender = "lang-zh-shop"
    result = assistant.handle(assistant.start(sender), sender, "wireless headphones", language="zh")
    assert result.plan.action == "show_products" and result.plan.products
    assert HAN.search(result.text) and "$" in result.text  # the demo catalog is in USD
    assert assistant.state(result.conversation_id).turns[-1].language == "zh"


def test_the_zh_catalog_setting_chooses_its_file_home_and_currency(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("SHOPASSIST_CATALOG", "zh")
    monkeypatch.delenv("SHOPASSIST_HOME", raising=False)
    settings = Settings()
    assert settings.catalog_path.name == "demo_zh.jsonl" and settings.home.name == ".shopassist-zh" and settings.currency == "CNY"
    assert Settings(catalog="en").currency == "USD" and Settings(catalog="zh", shop_currency="eur").currency == "EUR"
