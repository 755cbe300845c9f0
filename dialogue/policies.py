"""Store policies (returns, shipping, ...) answered only from ``data/policies.yml``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel

#: Words that point at a policy topic when the intent alone does not say which.
TOPIC_WORDS: dict[str, tuple[str, ...]] = {
    "returns": ("return", "refund", "exchange", "send back", "money back"),
    "shipping": ("ship", "deliver", "delivery", "postage", "courier", "arrive", "international"),
    "cancellation": ("cancel",),
    "warranty": ("warranty", "guarantee", "broken", "defect"),
    "price_match": ("price match", "cheaper elsewhere", "price guarantee"),
    "payment": ("pay", "payment", "card", "paypal", "installment", "klarna"),
    "contact": ("contact", "phone", "hours", "human", "agent", "email"),
}
INTENT_TOPICS = {"return_policy": "returns", "return_item": "returns", "shipping_info": "shipping", "cancel_order": "cancellation"}


class PolicyAnswer(BaseModel):
    topic: str
    title: str
    sentences: list[str]


def _sentences(node: Any, prefix: str = "") -> list[str]:
    """Flatten a YAML policy section into readable sentences, keeping every figure as written."""
    if isinstance(node, str):
        return [node.strip()]
    if isinstance(node, (int, float)):
        return [f"{prefix}: {node}".strip(": ")]
    if isinstance(node, list):
        return [s for item in node for s in _sentences(item, prefix)]
    if isinstance(node, dict):
        out: list[str] = []
        for key, value in node.items():
            label = str(key).replace("_", " ")
            if isinstance(value, (str, int, float, bool)) and not isinstance(value, str):
                out.append(f"{label.capitalize()}: {value}.")
            elif isinstance(value, str) and key not in {"summary", "text", "description", "title"} and len(value) < 60:
                out.append(f"{label.capitalize()}: {value}")
            else:
                out.extend(_sentences(value, label))
        return out
    return []


class PolicyBook:
    def __init__(self, path: Path) -> None:
        raw = yaml.safe_load(path.read_text()) or {}
        self.sections: dict[str, Any] = raw.get("policies", raw) if isinstance(raw, dict) else {}

    def topics(self) -> list[str]:
        return list(self.sections)

    def topic_for(self, text: str, intent: str | None) -> str | None:
        lowered = text.lower()
        for topic, words in TOPIC_WORDS.items():
            if topic in self.sections and any(w in lowered for w in words):
                if intent in INTENT_TOPICS and INTENT_TOPICS[intent] != topic and INTENT_TOPICS[intent] in self.sections:
                    continue
                return topic
        topic = INTENT_TOPICS.get(intent or "")
        return topic if topic in self.sections else None

    def answer(self, topic: str) -> PolicyAnswer:
        section = self.sections[topic]
        title = section.get("title", topic.replace("_", " ").title()) if isinstance(section, dict) else topic.title()
        body = {k: v for k, v in section.items() if k != "title"} if isinstance(section, dict) else section
        return PolicyAnswer(topic=topic, title=str(title), sentences=_sentences(body))
