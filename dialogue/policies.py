"""Store policies (returns, shipping, ...) answered only from ``data/policies.yml``."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, Field

from dialogue.policy_clauses import Clause, ClauseRanker, Embed, clauses_of, query_terms
from retrieval.lexical import tokenize

#: Words that point at a policy topic when the intent alone does not say which.
TOPIC_WORDS: dict[str, tuple[str, ...]] = {
    "returns": ("return", "refund", "exchange", "send back", "money back"),
    "shipping": ("ship", "deliver", "delivery", "postage", "courier", "arrive", "international"),
    "cancellation": ("cancel",),
    "warranty": ("warranty", "warranties", "guarantee", "broken", "defect"),
    "price_match": ("price match", "price-match", "cheaper elsewhere", "price guarantee", "match the price", "match a price",
                    "match their price", "price drop"),
    "payment": ("pay", "payment", "card", "paypal", "installment", "klarna", "cash on delivery", "crypto", "bitcoin", "sales tax"),
    "contact": ("contact", "phone", "hours", "human", "agent", "email", "call you", "customer service", "customer care",
                "are you open", "open on"),
}
INTENT_TOPICS = {"return_policy": "returns", "return_item": "returns", "shipping_info": "shipping", "cancel_order": "cancellation"}


#: "the whole / full / entire / complete … policy", "everything about returns": the whole section, not clauses.
WHOLE_SECTION = re.compile(
    r"\b(whole|full|entire|complete)\s+(?:[\w'-]+\s+){0,3}?(policy|policies|details|terms|rules|text|section|info|information)\b"
    r"|\b(everything|all)\s+(?:\w+\s+){0,2}(about|on|regarding)\b|\ball (the|your) (details|rules|terms)\b|\bin full\b"
)
#: Clauses given for a question that names its topic and nothing more ("what is your return policy").
OVERVIEW_CLAUSES = 3
#: Words that name no particular clause (beyond the question words ``dialogue.policy_clauses`` drops).
GENERAL_WORDS = "something anything thing things stuff item items order orders product products purchase bought pls plz ur"
_ORDER_ID = re.compile(r"\bord-?\d+\b", re.IGNORECASE)


class PolicyAnswer(BaseModel):
    topic: str
    title: str
    sentences: list[str]
    name: str = Field(default="", description='How replies name the section: "returns policy".')
    whole: bool = Field(default=True, description="The whole section; otherwise the clauses that answer a question.")


def wants_whole_section(text: str) -> bool:
    return WHOLE_SECTION.search(text.lower()) is not None


class PolicyBook:
    """The policy sections of a YAML file. A section answers as a whole, or by the few clauses that answer a question."""

    def __init__(self, path: Path) -> None:
        raw = yaml.safe_load(path.read_text()) or {}
        self.sections: dict[str, Any] = raw.get("policies", raw) if isinstance(raw, dict) else {}
        self._rankers: dict[str, ClauseRanker] = {}

    def topics(self) -> list[str]:
        return list(self.sections)

    def topic_for(self, text: str, intent: str | None) -> str | None:
        """The section a message is about: the intent's own section when the message names it or names none, else
        the first section it names ("is there a warranty on laptops", classified as a returns question: warranty)."""
        lowered = text.lower()
        longest = {t: max((len(w) for w in words if w in lowered), default=0) for t, words in TOPIC_WORDS.items() if t in self.sections}
        named = sorted((t for t, size in longest.items() if size), key=lambda t: -longest[t])  # "cash on delivery": payment
        own = INTENT_TOPICS.get(intent or "")
        if own in self.sections and (own in named or not named):
            return own
        return named[0] if named else None

    def title(self, topic: str) -> str:
        section = self.sections[topic]
        return str(section.get("title", topic.replace("_", " ").title())) if isinstance(section, dict) else topic.title()

    def name(self, topic: str) -> str:
        """How a reply names the section: its ``name`` in the YAML, else "<topic> policy"."""
        section = self.sections[topic]
        named = section.get("name") if isinstance(section, dict) else None
        return str(named) if named else f"{topic.replace('_', ' ')} policy"

    def clauses(self, topic: str) -> list[Clause]:
        return self.ranker(topic).clauses

    def ranker(self, topic: str) -> ClauseRanker:
        if topic not in self._rankers:
            self._rankers[topic] = ClauseRanker(clauses_of(self.sections[topic]))
        return self._rankers[topic]

    def answer(self, topic: str) -> PolicyAnswer:
        """The whole section."""
        return PolicyAnswer(topic=topic, title=self.title(topic), name=self.name(topic), whole=True,
                            sentences=[c.text for c in self.clauses(topic)])

    def answer_question(self, topic: str, text: str, embed: Embed | None = None, *, limit: int = 3,
                        only_when_matched: bool = False) -> PolicyAnswer:
        """The clauses of ``topic`` that answer ``text`` (at most ``limit``), or the whole section when asked for it.

        A question that names the topic and nothing more gets the section's first clauses (its summary); so does one
        whose words are in no clause when ``only_when_matched`` (a return request: "return the backpack")."""
        if wants_whole_section(text):
            return self.answer(topic)
        ranker = self.ranker(topic)
        terms = self._specific_terms(topic, text)
        if only_when_matched:
            terms = [t for t in terms if ranker.knows(t)]
        chosen = ranker.best(_ORDER_ID.sub(" ", text), embed, limit) if terms else []
        sentences = [c.text for c in (chosen or ranker.clauses[: min(limit, OVERVIEW_CLAUSES)])]
        return PolicyAnswer(topic=topic, title=self.title(topic), name=self.name(topic), whole=False, sentences=sentences)

    def _specific_terms(self, topic: str, text: str) -> list[str]:
        """The words of ``text`` that could single out a clause: not question words, order numbers, or the section's
        own name and title."""
        general = set(tokenize([f"{GENERAL_WORDS} {topic.replace('_', ' ')} {self.title(topic)}"])[0])
        return [t for t in query_terms(_ORDER_ID.sub(" ", text)) if t not in general and not t.isdigit()]
