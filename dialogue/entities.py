"""Catalog entities in a message: exact n-gram lookups in the vocabulary (longest first), then fuzzy matching of the
unknown words left over ("runing shoes" → Running Shoes, "hedphones" → Headphones), then negation scopes ("not Acme",
"without leather", "I don't want black").

Chinese: every Han character is a token of its own, so the same longest-first lookup finds Chinese forms anywhere in
a run of characters ("我想买跑步鞋" → 跑步鞋); the key of adjacent tokens with a Han character between them has no
space ("m码", "跑步鞋", as ``dialogue.lexicon.normalize`` writes it). A one-character form (红, 包, 鞋, 竹) counts only
where jieba makes it a word of its own (see ``dialogue.lexicon_zh.single_char_words``), and a colour character also
needs 的/色/款/系 or the clause's end after it ("要红的", not "红米"). In a Chinese message a capital S/M/L standing
alone is a size ("一件M一件L"), "42码"/"130码" is a size even when the catalog has no such size (its number, as
"size 42" gives), and "15寸"/"15英寸" is "15 inch". Chinese negations (不要, 不想要, 除了, 别给我 ...) cover the
entities after them up to the clause's end or a turn such as 只要/但是.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import pairwise

from rapidfuzz import process
from rapidfuzz.distance import OSA

from dialogue.lexicon import (
    AMBIGUOUS_COLOUR_WORDS,
    AMBIGUOUS_SIZE_WORDS,
    COLOUR_CUES,
    NUMBER_WORDS,
    ORDINAL_WORDS,
    SIZE_CUES,
    STOPWORDS,
    TOKEN,
    english_words,
)
from dialogue.lexicon_zh import HAN_RANGES, is_han, single_char_words
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
#: What may follow "in 8.5" for the number to be a size ("add the second one in 8.5 please").
_AFTER_SIZE_IN = frozenset({"please", "pls", "instead", "and", "too", "then", "thanks", "thank", "for", "of"})


def _size_after_in(tokens: list[Token], i: int) -> bool:
    """"… in 8.5", "in a 9.5": a half size after "in" that ends the clause (whole numbers the catalog sells as sizes
    are matched as its values; others, "a tv in 55", are no size); "make it a 9": a size ("make it 2" is a quantity)."""
    before = [t.text for t in tokens[max(i - 3, 0):i]]
    after = tokens[i + 1].text if i + 1 < len(tokens) else None
    if after is not None and after not in _AFTER_SIZE_IN:
        return False
    if before[-3:] == ["make", "it", "a"]:
        return _SIZE_LIKE.match(tokens[i].text) is not None and tokens[i].text[0].isdigit()
    return bool(re.fullmatch(r"\d{1,2}\.5", tokens[i].text)) and bool(before) and (before[-1] == "in" or before[-2:] == ["in", "a"])


#: Letter sizes no word spells ("XXS", "xl", "3XL"): a size without "size" before it.
_SIZE_ALONE = re.compile(r"^(?:x{1,3}[sl]|[2-5]xl)$")
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
_HAN_SPLIT = re.compile(f"[{HAN_RANGES}]|[^{HAN_RANGES}]+")
#: What may follow a one-character colour (红的, 红色, 红款, 红系, 红吗): anything else makes it part of a word (红米).
_COLOR_CHAR_NEXT = frozenset("的色款系调吗呢吧和或与跟、还")
_ZH_NEGATION = re.compile(r"(?<![要有])(?:不(?:太|怎么)?(?:想|用|需|会)?要|不需要|不(?:太|怎么)?喜欢|不想买|不考虑|不含|不带|讨厌|排除|除了|除去|"
                          r"别(?:再)?(?:给我)?(?:推荐?|要|来|拿|买|选|看|发)?(?![的人处家样]))")
#: A negation after what it covers, as Chinese often says it: 锅具也不要, 红色的就算了, Acme的不考虑. Not 不要太贵 ("not too"),
#: and not 瑜伽垫不要了 ("no longer"): that names what to take out of the cart.
_ZH_NEGATION_AFTER = re.compile(r"的?(?:也|就|都|我)?(?:不要|不需要|不考虑|算了|免了)(?!太|那么|超过|比|多于|少于|了)")
#: Before a one-character form, a demonstrative or a count makes it a measure word ("那笔订单", "一包纸巾").
_MEASURE_BEFORE = frozenset("这那哪一两几每某")
#: Turns that end a Chinese negation's scope ("不要红色，要蓝色", "不要Acme但是要便宜").
_ZH_SCOPE_BREAK = ("只要", "就要", "但", "可是", "不过", "而是", "要", "换成", "只", "就", "还是", "改")
_ZH_CONNECTORS = frozenset("和或与跟及、/")
_ZH_FILLER_BUDGET = 4
_ZH_SIZE = re.compile(r"(?<![\d.])(?P<n>\d{2,3}(?:\.5)?)\s*码|(?<![\d.])(?P<inch>\d{1,3}(?:\.\d)?)\s*(?:英寸|寸)")
_LETTER_SIZES = frozenset({"s", "m", "l"})


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
    """Tokens of ``text`` with their character spans (``text`` and its lower-cased form must have equal lengths); each
    Han character is a token of its own."""
    found = []
    for m in TOKEN.finditer(text.replace("’", "'")):
        raw = m.group()
        if raw.isascii() or not any(is_han(ch) for ch in raw):
            found.append(Token("and" if raw == "&" else raw.lower(), m.start(), m.end(), raw.isupper()))
            continue
        for part in _HAN_SPLIT.finditer(raw):
            piece = part.group()
            found.append(Token(piece.lower(), m.start() + part.start(), m.start() + part.end(), piece.isupper()))
    return found


def _han_runs(tokens: list[Token]) -> list[list[int]]:
    """Indexes of the runs of touching one-character Han tokens."""
    runs: list[list[int]] = []
    for k, token in enumerate(tokens):
        if len(token.text) != 1 or not is_han(token.text):
            continue
        if runs and runs[-1][-1] == k - 1 and tokens[k - 1].end == token.start:
            runs[-1].append(k)
        else:
            runs.append([k])
    return runs


def join_tokens(tokens: list[Token]) -> str:
    """The lookup key of consecutive tokens: spaces between words, none next to a Han character they touch."""
    if not tokens:
        return ""
    parts = [tokens[0].text]
    for before, token in pairwise(tokens):
        touching = before.end == token.start and (is_han(before.text[-1]) or is_han(token.text[0]))
        parts.append(token.text if touching else f" {token.text}")
    return "".join(parts)


class EntityMatcher:
    """Finds vocabulary entities among the tokens the pattern rules left free."""

    def __init__(self, vocabulary: CatalogVocabulary, *, fuzzy: bool = True, english_guard: bool = True) -> None:
        self.vocabulary = vocabulary
        self.forms = vocabulary.forms
        self.fuzzy = fuzzy
        self.unsold = frozenset(vocabulary.unsold)
        self.max_tokens = max((len(tokenize(key)) for key in [*self.forms, *self.unsold]), default=1)
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
        words: dict[int, str] = {}  # single-character Chinese words: token index → "alone" / "tail", found on demand
        i, n = 0, len(tokens)
        while i < n:
            step = 1
            for length in range(min(self.max_tokens, n - i), 0, -1):
                if not all(free[i:i + length]):
                    continue
                key = join_tokens(tokens[i:i + length])
                entries = self.forms.get(key)
                entry = self._accept(entries, key, tokens, i, length, matches, words) if entries else None
                if entry is not None:
                    matches.append(EntityMatch(entry.kind, entry.value, i, i + length, entry.tier))
                    step = length
                    break
                if key in self.unsold:
                    step = length  # "手机壳": a thing this catalog does not sell, not 手机
                    break
            i += step
        self._raw_sizes(tokens, free, matches)
        self._chinese_sizes(tokens, free, matches)
        if self.fuzzy:
            self._fuzzy(tokens, free, matches)
        matches.sort(key=lambda m: m.first)
        return matches

    def _accept(self, entries: list[SurfaceForm], key: str, tokens: list[Token], i: int, length: int,
                matches: list[EntityMatch], words: dict[int, str]) -> SurfaceForm | None:
        prev = tokens[i - 1].text if i > 0 else ""
        after = tokens[i + length].text if i + length < len(tokens) else ""
        if len(key) == 1 and is_han(key) and not self._han_word(tokens, i, entries, words):
            return None
        for entry in entries:
            if entry.kind == "size" and self._needs_cue(key) and not self._size_cued(key, tokens, i, length, matches):
                continue
            if entry.kind == "color" and key in AMBIGUOUS_COLOUR_WORDS and not self._colour_cued(tokens, i, length, matches):
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
        if key in _LETTER_SIZES and tokens[i].upper and self._beside_han(tokens, i):
            return True  # "一件M一件L", "M和L价格一样吗"
        content = [t for t in texts if t not in _SHORT_FILLER]
        if len(content) == 1:  # "M", "medium please": the answer to "which size?"
            return len(key) > 1 or tokens[i].upper or len(texts) <= 2
        if len(key) == 1 and not tokens[i].upper:
            return False
        following = self._category_at(tokens, i + length)
        if following is not None:  # "queen mattress", "a medium hoodie" — but not "a small desk lamp"
            return self._size_value(key) in self.vocabulary.category_sizes.get(following, [])
        # "in medium please", "I'd like a large", "add one medium" — but not "in a small apartment"
        return prev in _SIZE_PREFIXES and (after in _SIZE_SUFFIXES or after in _CONNECTORS)

    def _colour_cued(self, tokens: list[Token], i: int, length: int, matches: list[EntityMatch]) -> bool:
        """Whether a colour word that also names a thing is used as a colour here: "espresso coloured", "the olive one",
        "in sage", "mint green", "black or sage", the one word of an answer, or before a kind of product ("an espresso
        dresser"); not "one that makes espresso", "wine glasses", "cream for dry skin"."""
        texts = [t.text for t in tokens]
        prev = texts[i - 1] if i > 0 else ""
        after = texts[i + length] if i + length < len(texts) else ""
        if after in COLOUR_CUES or prev == "in" or any(e.kind == "color" for e in self.forms.get(after, [])):
            return True
        if prev in _CONNECTORS and any(m.kind == "color" and m.last == i - 1 for m in matches):
            return True
        if len([t for t in texts if t not in _SHORT_FILLER]) == 1:
            return True
        return self._category_at(tokens, i + length) is not None

    def _category_at(self, tokens: list[Token], start: int) -> str | None:
        for span in range(min(self.max_tokens, len(tokens) - start), 0, -1):
            entries = self.forms.get(join_tokens(tokens[start:start + span]))
            if entries and entries[0].kind == "category":
                return entries[0].value
        return None

    @staticmethod
    def _beside_han(tokens: list[Token], i: int) -> bool:
        """Whether token ``i`` touches a Han character, or stands alone in a message that has one."""
        before = i > 0 and tokens[i - 1].end == tokens[i].start and is_han(tokens[i - 1].text[-1])
        after = i + 1 < len(tokens) and tokens[i + 1].start == tokens[i].end and is_han(tokens[i + 1].text[0])
        return before or after or (len(tokens) > 1 and any(is_han(t.text[0]) for t in tokens))

    def _han_word(self, tokens: list[Token], i: int, entries: list[SurfaceForm], words: dict[int, str]) -> bool:
        """Whether the one-character form at token ``i`` is a word here (see the module doc); ``words`` caches the
        message's segmentation."""
        if not words:
            for run in _han_runs(tokens):
                found = single_char_words("".join(tokens[k].text for k in run))
                words.update({run[offset]: how for offset, how in found.items()})
            words.setdefault(-1, "")  # segmented, even if nothing was found
        how = words.get(i)
        if entries[0].kind != "color":
            before = tokens[i - 1] if i > 0 else None
            measure = before is not None and before.end == tokens[i].start and before.text in _MEASURE_BEFORE
            return how is not None and not measure  # "买鞋", "看鞋" (tail) but not "那笔订单" (a measure word)
        if how != "alone":
            return False
        after = tokens[i + 1] if i + 1 < len(tokens) else None
        if after is None or after.start > tokens[i].end or not is_han(after.text[0]):
            return True
        return after.text in _COLOR_CHAR_NEXT or any(e.kind == "color" for e in self.forms.get(after.text, []))

    def _size_value(self, key: str) -> str | None:
        return next((e.value for e in self.forms.get(key, []) if e.kind == "size"), None)

    def _raw_sizes(self, tokens: list[Token], free: list[bool], matches: list[EntityMatch]) -> None:
        """"size 10.5", "XXS", "the second one in 8.5" name a size even when the catalog has none by that name."""
        taken = {k for m in matches for k in range(m.first, m.last)}
        for i in range(len(tokens)):
            if free[i] and i not in taken and (i and tokens[i - 1].text in SIZE_CUES and _SIZE_LIKE.match(tokens[i].text)
                                               or _SIZE_ALONE.match(tokens[i].text) or _size_after_in(tokens, i)):
                matches.append(EntityMatch("size", tokens[i].text.upper(), i, i + 1, Tier.TAXONOMY + 1))

    def _chinese_sizes(self, tokens: list[Token], free: list[bool], matches: list[EntityMatch]) -> None:
        """"42码", "130码", "15寸": a size (the catalog's, else the number / "N inch") even when the catalog lacks it."""
        taken = {k for m in matches for k in range(m.first, m.last)}
        text = "".join(f"{' ' * (t.start - (tokens[k - 1].end if k else 0))}{t.text}" for k, t in enumerate(tokens))
        for m in _ZH_SIZE.finditer(text):
            span = [k for k, t in enumerate(tokens) if t.start >= m.start() and t.end <= m.end()]
            if not span or any(k in taken or not free[k] for k in span):
                continue
            if m.group("n"):
                value = self._size_value(m.group("n")) or m.group("n")
            else:
                value = self._size_value(f"{m.group('inch')} inch") or f"{m.group('inch')} inch"
            matches.append(EntityMatch("size", value, span[0], span[-1] + 1, Tier.TAXONOMY + 1))
            taken.update(span)

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

    def negate_zh(self, text: str, tokens: list[Token], matches: list[EntityMatch], claimed: list[tuple[int, int]]) -> None:
        """Mark the entities a Chinese negation covers: "不要Acme的", "除了真皮的都行", "别给我推红色和黑色的", and the one a
        negation follows: "锅具也不要"."""
        for m in matches:
            if _ZH_NEGATION_AFTER.match(text, tokens[m.last - 1].end):
                m.negated = True
        by_first = {m.first: m for m in matches}
        for trigger in _ZH_NEGATION.finditer(text):
            if any(not (trigger.end() <= s or trigger.start() >= e) for s, e in claimed):
                continue
            i = next((k for k, t in enumerate(tokens) if t.start >= trigger.end()), len(tokens))
            budget, negated = _ZH_FILLER_BUDGET, False
            while i < len(tokens):
                gap = text[tokens[i - 1].end if i > 0 else trigger.end():tokens[i].start]
                if re.search(r"[，,。.;；!！?？]", gap):
                    break
                if i in by_first:
                    if negated and by_first[i].kind == "category":
                        break  # "不要Acme的耳机": headphones, not Acme's
                    by_first[i].negated = negated = True
                    i = by_first[i].last
                    continue
                token = tokens[i]
                if any(not (token.end <= s or token.start >= e) for s, e in claimed) or text.startswith(_ZH_SCOPE_BREAK, token.start):
                    break
                if negated and token.text not in _ZH_CONNECTORS and token.text != "的":
                    break
                if not negated:
                    budget -= 1
                    if budget < 0:
                        break
                i += 1


def _plausible_typo(word: str, key: str) -> bool:
    """Short words are often other real words: a 4-letter typo must swap two letters ("mosue"), a 5-letter one may also
    add or drop one ("sofas" ← "sofs"), never replace one ("pans" is not "pens")."""
    if len(word) >= 6:
        return True
    swapped = len(word) == len(key) and sorted(word) == sorted(key)
    return swapped or (len(word) == 5 and len(word) != len(key))
