"""The script rule of core/language.py, measured on the project's NLU examples (English: data/nlu, Chinese:
data/nlu_zh), and the hint / no-script cases."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.language import detect_language, turn_language
from dialogue.nlu_data import load_nlu

ROOT = Path(__file__).resolve().parents[2]
#: The rule's target on each language's examples: at least 99 % detected as that language.
ACCURACY_TARGET = 0.99


@pytest.mark.parametrize(("language", "folder"), [("en", ROOT / "data" / "nlu"), ("zh", ROOT / "data" / "nlu_zh")])
def test_the_rule_on_every_nlu_example(language: str, folder: Path) -> None:
    texts = [e.text for e in load_nlu(folder).examples]
    detected = [detect_language(t) for t in texts]
    said = [(t, d) for t, d in zip(texts, detected) if d is not None]  # "88", "666", an order id: no script
    right = sum(d == language for _, d in said)
    assert len(said) >= 0.95 * len(texts) and len(texts) >= 1000
    assert right / len(said) >= ACCURACY_TARGET, [t for t, d in said if d != language][:20]


def test_mixed_messages_follow_the_sentence_not_the_brand() -> None:
    assert detect_language("我要 Nike 的跑步鞋") == "zh"
    assert detect_language("iPhone 15 多少钱") == "zh"
    assert detect_language("do you have 跑步鞋 in size 9") == "en"
    assert detect_language("ORD-10001") is None and detect_language("查一下ORD-10001") == "zh"  # codes say nothing
    assert detect_language("where is ORD-10001") == "en"
    assert detect_language("12345 👍") is None


def test_a_hint_wins_and_a_message_without_script_keeps_the_conversation_language() -> None:
    assert turn_language("hello", hint="zh-CN") == "zh"
    assert turn_language("你好", hint="en") == "en"
    assert turn_language("你好", hint="fr") == "zh"  # an unknown hint is ignored
    assert turn_language("42", previous="zh") == "zh"
    assert turn_language("2", previous="en") == "en"
