"""Catalog entities in a message: exact n-gram lookups in the vocabulary (longest first), then fuzzy matching of the
unknown words left over ("runing shoes" → Running Shoes, "hedphones" → Headphones), then negation scopes ("not Acme",
"without leather", "I don't want black")."""

from __future__ import annotations

import re
from dataclasses import dataclass

from rapidfuzz import process
from rapidfuzz.distance import OSA

from dialogue.lexicon import AMBIGUOUS_SIZE_WORDS, NUMBER_WORDS, ORDINAL_WORDS, SIZE_CUES, STOPWORDS, TOKEN, english_words
from dialogue.vocabulary import CatalogVocabulary, SurfaceForm, Tier

_FUZZY_MAX_TIER = Tier.HEAD_NOUN
_SHORT_FILLER = frozenset({"please", "size", "in", "a", "an", "the", "ok", "okay", "um", "uh", "just", "pls", "thanks"})
_EXPLICIT_SIZE_CUES = SIZE_CUES | {"waist", "inseam"}
_SIZE_PREFIXES = frozenset({"in", "a", "an", "the", "one", "1"})
_SIZE_SUFFIXES = frozenset({"", "please", "pls", "thanks", "too", "instead", "one", "ones", "then", "if", "with", "but", "from",
                            "by", "in", "for", "size", "sized", "available", "now", "vs", "versus"})
_NOT_CATEGORY_BEFORE = frozenset({"safe", "compatible", "proof", "friendly", "free"})
_VERB_BEFORE_GERUND = frozenset({"i'm", "im", "am", "is", "are", "was", "were", "be", "been", "keep", "stop", "start", "started",
                                 "i", "we", "you", "they", "not", "currently", "just", "still", "enjoy", "love", "like", "hate"})
_SIZE_LIKE = re.compile(r"^(?:\d{1,2}(?:\.5)?|x{0,3}[sml]|\d?x{1,3}l|xxs|[a-b]\d)$")
_NEGATION = re.compile(
    r"\b(?:not(?!\s+(?:only|just|sure|too|so|bad|that\s+(?!brand)))|no(?!\s*[,.!?])|without|except|excluding|exclude|minus|non|never|"
    r"avoid|hate|dislike|nothing(?!\s+but)(?:\s+(?:in|from|by|made\s+of))?|none(?:\s+(?:in|from|by|of))?|anything\s+but|"
    r"everything\s+but|other\s+than|rather\s+than|instead\s+of|apart\s+from|aside\s+from|but\s+not|"
    r"(?:don't|do\s+not|dont|didn't|won't|wouldn't)\s+(?:want|like|need|care\s+for|love)|allergic\s+to|no\s+more|"
    r"(?:aren't|isn't|wasn't|weren't|arent|isnt|are\s+not|is\s+not)(?:\s+(?:in|made\s+of|from|by))?|"
    r"not\s+a\s+fan\s+of|sick\s+of|tired\s+of)\b")
_SCOPE_FILLERS = frozenset({"a", "an", "the", "any", "in", "of", "from", "by", "made", "with", "more", "color", "colour", "brand",
                            "ones", "one", "anything", "something", "stuff", "items", "products", "at", "all", "really", "too"})
_SCOPE_BREAKERS = frozenset({"but", "just", "only", "instead", "rather", "prefer", "want", "need", "like", "love", "show", "give",
                             "get", "please", "then", "so", "because", "though", "although"})
_CONNECTORS = frozenset({"or", "nor", "and", "either", "neither"})


@dataclass
class Token:
    text: str
    start: int
    end: int
    upper: bool


@dataclass
class EntityMatch:
    kind: str
    value: str
    first: int
    last: int  # exclusive token index
    tier: int
    fuzzy: bool = False
    negated: bool = False


def tokenize(text: str) -> list[Token]:
    """Tokens of ``text`` with their character spans (``text`` and its lower-cased form must have equal lengths)."""
    found = []
    for m in TOKEN.finditer(text.replace("’", "'")):
        raw = m.group()
        found.append(Token("and" if raw == "&" else raw.lower(), m.start(), m.end(), raw.isupper()))
    return found


class EntityMatcher:
    """Finds vocabulary entities among the tokens the pattern rules left free."""

    def __init__(self, vocabulary: CatalogVocabulary, *, fuzzy: bool = True, english_guard: bool = True) -> None:
        self.vocabulary = vocabulary
        self.forms = vocabulary.forms
        self.fuzzy = fuzzy
        self.max_tokens = max((key.count(" ") + 1 for key in self.forms), default=1)
        self.known = STOPWORDS | set(vocabulary.known_words) | set(NUMBER_WORDS) | set(ORDINAL_WORDS)
        if english_guard:
            self.known |= english_words()
        self.single_pool: dict[str, list[str]] = {}
        self.multi_pool: dict[tuple[str, int], list[str]] = {}
        for key, entries in self.forms.items():
            best = entries[0]
            if best.tier > _FUZZY_MAX_TIER or (best.kind == "size" and self._needs_cue(key)):
                continue
            words = key.split()
            if len(words) == 1 and key.isalpha() and len(key) >= 4:
                self.single_pool.setdefault(key[0], []).append(key)
            elif len(words) > 1 and len(key) >= 6:
                self.multi_pool.setdefault((key[0], len(words)), []).append(key)
        self._cache: dict[str, str | None] = {}

    # exact ---------------------------------------------------------------------------------------------
    def match(self, tokens: list[Token], free: list[bool]) -> list[EntityMatch]:
        matches: list[EntityMatch] = []
        i, n = 0, len(tokens)
        while i < n:
            step = 1
            for length in range(min(self.max_tokens, n - i), 0, -1):
                if not all(free[i:i + length]):
                    continue
                key = " ".join(t.text for t in tokens[i:i + length])
                entries = self.forms.get(key)
                entry = self._accept(entries, key, tokens, i, length, matches) if entries else None
                if entry is not None:
                    matches.append(EntityMatch(entry.kind, entry.value, i, i + length, entry.tier))
                    step = length
                    break
            i += step
        self._raw_sizes(tokens, free, matches)
        if self.fuzzy:
            self._fuzzy(tokens, free, matches)
        matches.sort(key=lambda m: m.first)
        return matches

    def _accept(self, entries: list[SurfaceForm], key: str, tokens: list[Token], i: int, length: int,
                matches: list[EntityMatch]) -> SurfaceForm | None:
        prev = tokens[i - 1].text if i > 0 else ""
        after = tokens[i + length].text if i + length < len(tokens) else ""
        for entry in entries:
            if entry.kind == "size" and self._needs_cue(key) and not self._size_cued(key, tokens, i, length, matches):
                continue
            if entry.kind == "category" and (after in _NOT_CATEGORY_BEFORE or (length == 1 and key.endswith("ing") and prev in _VERB_BEFORE_GERUND)):
                continue
            return entry
        return None

    @staticmethod
    def _needs_cue(key: str) -> bool:
        return key in AMBIGUOUS_SIZE_WORDS or len(key) == 1 or bool(re.fullmatch(r"\d+(?:\.\d+)?", key))

    def _size_cued(self, key: str, tokens: list[Token], i: int, length: int, matches: list[EntityMatch]) -> bool:
        """Whether an ambiguous size word ("medium", "M", "10", "queen") is used as a size here."""
        texts = [t.text for t in tokens]
        prev = texts[i - 1] if i > 0 else ""
        after = texts[i + length] if i + length < len(texts) else ""
        if prev in _EXPLICIT_SIZE_CUES or after in _EXPLICIT_SIZE_CUES:
            return True  # "size 10", "medium size", "32 waist"
        if prev in _CONNECTORS | {"to", "vs", "versus"} and any(m.kind == "size" and m.last == i - 1 for m in matches):
            return True  # "size 9 or 10"
        if key[0].isdigit():
            return False
        content = [t for t in texts if t not in _SHORT_FILLER]
        if len(content) == 1:  # "M", "medium please": the answer to "which size?"
            return len(key) > 1 or tokens[i].upper or len(texts) <= 2
        if len(key) == 1 and not tokens[i].upper:
            return False
        following = self._category_at(texts, i + length)
        if following is not None:  # "queen mattress", "a medium hoodie" — but not "a small desk lamp"
            return self._size_value(key) in self.vocabulary.category_sizes.get(following, [])
        # "in medium please", "I'd like a large", "add one medium" — but not "in a small apartment"
        return prev in _SIZE_PREFIXES and (after in _SIZE_SUFFIXES or after in _CONNECTORS)

    def _category_at(self, texts: list[str], start: int) -> str | None:
        for span in range(min(self.max_tokens, len(texts) - start), 0, -1):
            entries = self.forms.get(" ".join(texts[start:start + span]))
            if entries and entries[0].kind == "category":
                return entries[0].value
        return None

    def _size_value(self, key: str) -> str | None:
        return next((e.value for e in self.forms.get(key, []) if e.kind == "size"), None)

    def _raw_sizes(self, tokens: list[Token], free: list[bool], matches: list[EntityMatch]) -> None:
        """"size 10.5" names a size even when the catalog has none by that name."""
        taken = {k for m in matches for k in range(m.first, m.last)}
        for i in range(1, len(tokens)):
            if tokens[i - 1].text in SIZE_CUES and free[i] and i not in taken and _SIZE_LIKE.match(tokens[i].text):
                matches.append(EntityMatch("size", tokens[i].text.upper(), i, i + 1, Tier.TAXONOMY + 1))

    # fuzzy ---------------------------------------------------------------------------------------------
    def _eligible(self, token: Token) -> bool:
        text = token.text
        return len(text) >= 4 and text.isalpha() and text not in self.known

    def _fuzzy(self, tokens: list[Token], free: list[bool], matches: list[EntityMatch]) -> None:
        covered = {k for m in matches for k in range(m.first, m.last)}
        for i, token in enumerate(tokens):
            if not free[i] or i in covered or not self._eligible(token):
                continue
            found = self._fuzzy_phrase(tokens, free, i)
            if found is not None:
                first, last, key = found
                matches[:] = [m for m in matches if m.last <= first or m.first >= last]
                entry = self.forms[key][0]
                matches.append(EntityMatch(entry.kind, entry.value, first, last, entry.tier, fuzzy=True))
                covered.update(range(first, last))
                continue
            key = self._fuzzy_word(token.text)
            if key is not None:
                entry = self.forms[key][0]
                matches.append(EntityMatch(entry.kind, entry.value, i, i + 1, entry.tier, fuzzy=True))
                covered.add(i)

    def _fuzzy_phrase(self, tokens: list[Token], free: list[bool], i: int) -> tuple[int, int, str] | None:
        for first, last in ((i, i + 2), (i - 1, i + 1), (i, i + 3), (i - 2, i + 1), (i - 1, i + 2)):
            if first < 0 or last > len(tokens) or not all(free[first:last]):
                continue
            phrase = " ".join(t.text for t in tokens[first:last])
            pool = self.multi_pool.get((phrase[0], last - first))
            if not pool:
                continue
            limit = 1 if len(phrase) < 12 else 2
            best = process.extractOne(phrase, pool, scorer=OSA.distance, score_cutoff=limit)
            if best is not None:
                return first, last, best[0]
        return None

    def _fuzzy_word(self, word: str) -> str | None:
        if word in self._cache:
            return self._cache[word]
        pool = self.single_pool.get(word[0], [])
        limit = 1 if len(word) < 9 else 2
        found = process.extract(word, pool, scorer=OSA.distance, score_cutoff=limit, limit=5)
        result = None
        if found:
            best = min(score for _, score, _ in found)
            keys = [key for key, score, _ in found if score == best and _plausible_typo(word, key)]
            meanings = {(self.forms[k][0].kind, self.forms[k][0].value) for k in keys}
            result = keys[0] if len(meanings) == 1 else None
        if len(self._cache) < 8192:
            self._cache[word] = result
        return result

    # negation ------------------------------------------------------------------------------------------
    def negate(self, text: str, tokens: list[Token], matches: list[EntityMatch], claimed: list[tuple[int, int]]) -> None:
        """Mark the entities a negation covers: "not red", "no Acme or Glowix", "without leather", "leather-free"."""
        by_first = {m.first: m for m in matches}
        for trigger in _NEGATION.finditer(text):
            if any(not (trigger.end() <= s or trigger.start() >= e) for s, e in claimed):
                continue
            i = next((k for k, t in enumerate(tokens) if t.start >= trigger.end()), len(tokens))
            budget, negated_kind = 2, None
            while i < len(tokens) and budget >= 0:
                gap = text[tokens[i - 1].end:tokens[i].start] if i > 0 else ""
                if re.search(r"[.;!?]", gap) or ("," in gap and negated_kind is None and tokens[i - 1].end > trigger.end()):
                    break
                token = tokens[i]
                if i in by_first:
                    match = by_first[i]
                    match.negated = True
                    negated_kind = match.kind
                    i = match.last
                    continue
                if any(not (token.end <= s or token.start >= e) for s, e in claimed) or token.text in _SCOPE_BREAKERS:
                    break
                if negated_kind is not None and token.text not in _CONNECTORS:
                    break
                if token.text not in _SCOPE_FILLERS and token.text not in _CONNECTORS:
                    budget -= 1
                i += 1
        for m in matches:
            if m.last < len(tokens) and tokens[m.last].text == "free":
                m.negated = True


def _plausible_typo(word: str, key: str) -> bool:
    """Short words are often other real words: a 4-letter typo must swap two letters ("mosue"), a 5-letter one may also
    add or drop one ("sofas" ← "sofs"), never replace one ("pans" is not "pens")."""
    if len(word) >= 6:
        return True
    swapped = len(word) == len(key) and sorted(word) == sorted(key)
    return swapped or (len(word) == 5 and len(word) != len(key))
