"""A message as a search query: its opening frame and what the pattern rules read as filters are left out."""

from __future__ import annotations

import pytest

from dialogue.search_query import search_query
from dialogue.slot_rules import PatternRules, SlotOptions

RULES = PatternRules(SlotOptions())


def _query(text: str) -> str:
    return search_query(text, RULES.run(text.lower()).spans)


@pytest.mark.parametrize(("text", "query"), [
    ("I'm looking for a gift for my dad who likes cooking, around 50 dollars", "a gift for my dad who likes cooking"),
    ("hi, I need a desk lamp under $40", "a desk lamp"),
    ("Hello there! Can you show me running shoes rated 4 stars or more?", "running shoes rated"),
    ("do you have any red sofas between 500 and 900 dollars", "any red sofas"),
    ("we'd like to buy a tent", "a tent"),
    ("a toy for my 8 year old under 30", "a toy for my 8 year old"),  # who it is for stays: the search reads it
    ("show me", ""),
    ("running shoes", "running shoes"),
    ("I need help with my order", "help with my order"),
    ("想买个扫地机器人，预算2000以内", "想买个扫地机器人"),
])
def test_search_query_keeps_what_is_asked_for(text: str, query: str) -> None:
    assert _query(text) == query
