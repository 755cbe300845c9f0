"""``shopassist chat`` speaks the turn's language: a Chinese comparison prints a table with Chinese row names and
Chinese rating and stock cells (the widget's words, ``ui.texts``); an English table is printed as the comparison wrote it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from rich.console import Console
from typer.testing import CliRunner

from cli.conversation import comparison_grid
from cli.main import app
from core.settings import get_settings

ENGLISH_LABELS = re.compile(r"\b(price|brand|rating|reviews|availability|in stock|out of stock|color|size|material)\b")


def _rendered(grid: object) -> str:
    console = Console(width=200, record=True, color_system=None)
    with console.capture() as capture:
        console.print(grid)
    return capture.get()


def test_a_chinese_comparison_in_the_chat_has_chinese_labels(zh_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SHOPASSIST_HOME", str(zh_home))
    monkeypatch.setenv("SHOPASSIST_CATALOG", "zh")
    monkeypatch.setenv("COLUMNS", "200")  # rich's width: the table's cells on one line each
    get_settings.cache_clear()
    result = CliRunner().invoke(app, ["chat"], input="/like 1\n我想买一双跑步鞋，500元以内\n/like 2\n比较一下前两个\n/quit\n")
    assert result.exit_code == 0, result.output
    # the Chinese shop opens in Chinese, and a rating is acknowledged in the shopper's language
    assert result.output.startswith("ShopAssist — 您想找点什么？"), result.output[:200]
    assert "用法：/like N" in result.output and "已记下" in result.output, result.output
    table = result.output[result.output.index("┏"):]  # the comparison table, after the reply
    for label in ("价格", "品牌", "评分", "库存", "颜色", "尺码", "材质"):
        assert re.search(rf"│ {label}\s+│", table), f"no {label} row:\n{table}"
    assert "有货" in table and "条评价" in table, table
    assert not ENGLISH_LABELS.search(table), table


def test_the_table_follows_the_plans_language(zh_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The same comparison (a real plan) in English is printed as the comparison wrote it; in Chinese, in the widget's words."""
    from assistant.wiring import build_assistant

    monkeypatch.setenv("SHOPASSIST_HOME", str(zh_home))
    monkeypatch.setenv("SHOPASSIST_CATALOG", "zh")
    get_settings.cache_clear()
    assistant = build_assistant(get_settings())
    conversation = assistant.start("cli-test")
    assistant.handle(conversation, "cli-test", "我想买一双跑步鞋，500元以内")
    plan = assistant.handle(conversation, "cli-test", "比较一下前两个").plan
    assert plan.language == "zh" and plan.comparison is not None
    table = plan.comparison

    english = _rendered(comparison_grid(table, "en", "CNY"))
    for row in table.rows:  # English: the attribute names and the cells as dialogue.comparison wrote them
        assert re.search(rf"│ {re.escape(row.attribute)}\s+│ {re.escape(row.values[0])}\s+│", english), english
    assert "in stock" in english and "reviews)" in english

    chinese = _rendered(comparison_grid(table, plan.language, "CNY"))
    assert "│ 价格" in chinese and "│ 评分" in chinese and "有货" in chinese and not ENGLISH_LABELS.search(chinese), chinese


def test_the_chat_waits_for_a_person_after_a_hand_off(zh_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SHOPASSIST_HOME", str(zh_home))
    monkeypatch.setenv("SHOPASSIST_CATALOG", "zh")
    get_settings.cache_clear()
    result = CliRunner().invoke(app, ["chat"], input="转人工\n在吗\n/quit\n")
    assert result.exit_code == 0, result.output
    handed, waiting = result.output.split("you>")[1:3]
    assert "人工客服" in handed, handed
    assert "已转人工：您的消息正在等待客服回复" in waiting and "shopassist>" not in waiting, waiting
