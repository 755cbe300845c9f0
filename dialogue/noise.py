"""Keyboard mash and other noise ("asdfgh", "jjjjj", "qwerty lol ;;;;"): a message that says nothing; markup and
code pasted into the chat (``strip_markup``, ``code_like``).

Such a message gets the helpful fallback, never a search or a goodbye (the intent model, shown letters it never saw
together, answers anything). A word is noise when it is no known word (English, the catalog's own words, or a catalog
value the slot extractor found) and it is a run of one letter ("jjjj"), a walk along a keyboard row ("asdf", "qwerty",
"zxcvb"), or a cluster of consonants no English word has ("fjdksl"). A message is noise when it has at least one noise
word and nothing else but fillers ("lol", "hmm", "ok") and symbols."""

from __future__ import annotations

import re
from collections.abc import Collection

_ROWS = ("qwertyuiop", "asdfghjkl", "zxcvbnm", "1234567890")
_WALKS = frozenset(row[i:i + 4] for row in _ROWS for i in range(len(row) - 3)) | frozenset(
    row[::-1][i:i + 4] for row in _ROWS for i in range(len(row) - 3))
_REPEAT = re.compile(r"([a-z])\1{2,}")
_CONSONANTS = re.compile(r"[bcdfghjklmnpqrstvwxz]{5,}")
_WORD = re.compile(r"[a-z0-9]+")
#: Words that carry no request of their own; a message of fillers alone is not noise (the model answers "ok", "lol").
FILLERS = frozenset("lol lmao lmfao rofl haha hahaha hehe xd xo ugh meh hmm hmmm um umm uh uhh erm er ok okay k kk idk "
                    "test testing oops ah ahh oh wtf omg".split())


def noise_word(word: str, known: Collection[str]) -> bool:
    """Whether ``word`` (lower case) is keyboard mash rather than a word someone meant."""
    if word in known or word in FILLERS or word.isdigit():
        return False
    if _REPEAT.search(word) and len(set(word)) <= 2:
        return True  # "jjjjj", "aaaa", "hahhhh"
    if len(word) >= 4 and any(word[i:i + 4] in _WALKS for i in range(len(word) - 3)):
        return True  # "asdf", "qwerty", "zxcvb", "lkjh"
    return len(word) >= 5 and bool(_CONSONANTS.search(word))  # "fjdksl", "xkcdq"


def is_noise(text: str, known: Collection[str]) -> bool:
    """Whether the whole message is noise: one noise word or more, and otherwise only fillers and symbols."""
    words = _WORD.findall(text.lower())
    if not words:
        return False  # symbols only: the "no-words" rule of the intent context already answers those
    noisy = [w for w in words if noise_word(w, known)]
    return bool(noisy) and all(w in noisy or w in FILLERS for w in words)


_SCRIPT = re.compile(r"<(script|style)\b[^>]*>.*?(</\1\s*>|$)", re.IGNORECASE | re.DOTALL)
_TAG = re.compile(r"</?[a-zA-Z][^<>]{0,200}>")
_CODE = re.compile(r"(;\s*--|\b(drop|truncate|alter)\s+table\b|\bunion\s+(all\s+)?select\b|\bselect\s+\*?\s*\w*\s*from\b"
                   r"|\binsert\s+into\b|\bdelete\s+from\b|\bor\s+1\s*=\s*1\b)", re.IGNORECASE)


def strip_markup(text: str) -> str:
    """``text`` without HTML tags and without script/style blocks and their content (what a shopper pasting markup
    means is the words around it: "<script>…</script> desk lamps" asks for desk lamps)."""
    return " ".join(_TAG.sub(" ", _SCRIPT.sub(" ", text)).split()) if "<" in text else text


def code_like(text: str) -> bool:
    """SQL pasted into the chat ("'; DROP TABLE products; --"): never an instruction to the shop."""
    return _CODE.search(text) is not None
