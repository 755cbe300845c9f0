"""A message as a search query: what it asks for, without the words that only ask and without what the pattern rules
already read as filters.

"I'm looking for a gift for my dad who likes cooking, around 50 dollars" is searched as "a gift for my dad who likes
cooking". Its budget is a filter already; left in the query, its "50" found a 50-foot garden hose by keyword, and
"I'm looking for" drew the dense search to vases. Who the products are for stays ("my dad", "my 8 year old"): the
search reads it from the query.
"""

from __future__ import annotations

import re

#: How an English request opens before it says what it wants: "I'm looking for", "can you show me", "do you have".
_FRAME = re.compile(
    r"^(?:(?:hi|hello|hey|hiya)(?:\s+there)?[\s,!.]+)?(?:"
    r"(?:i'?m|i\s+am|we'?re|we\s+are)\s+(?:looking|searching|shopping|hunting)(?:\s+(?:for|around))?|"
    r"(?:i|we)(?:\s+(?:need|want|would\s+like|wanna)|'d\s+like)(?:\s+to\s+(?:buy|get|find|see|order))?|"
    r"(?:can|could|would)\s+you\s+(?:please\s+)?(?:show|find|recommend|suggest|get)(?:\s+(?:me|us))?|"
    r"(?:please\s+)?(?:show|find|get)\s+(?:me|us)|"
    r"do\s+you\s+(?:have|sell|carry|stock)"
    r")\b[\s,:]*", re.IGNORECASE)


def search_query(text: str, claimed: list[tuple[int, int]]) -> str:
    """``text`` without the spans in ``claimed`` (a budget, a rating, a reference the rules read) and without its
    opening frame; empty when nothing else is left."""
    kept = text
    for start, end in sorted(claimed, reverse=True):
        kept = f"{kept[:start]} {kept[end:]}"
    kept = _FRAME.sub("", kept.strip(), count=1)
    return " ".join(kept.split()).strip(" ,;:-?!.，；：、？！。")
