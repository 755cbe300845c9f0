"""Slot filling for the SIMMC evaluation: a value lexicon learned from annotated turns, plus dialogue-state carry-over.

SIMMC's user ``slot_values`` are the *search state* of a turn, not only what its words say: an ``INFORM:REFINE``
turn ("anything cheaper?") carries the type, colour, ... of the search it refines, and an ``INFORM:GET`` turn
("something like that in brown") carries the type of the item it points at. So prediction is two steps:

1. **Lexicon matching.** :meth:`SlotLexicon.learn` collects every value of the scored slots in the training turns,
   with surface forms: the value itself (lower-cased, hyphens and plurals normalised), size words (``L`` = "large",
   ``XL`` = "extra large", ...), and aliases learned from the data: an n-gram (1–3 words) that co-occurs with a value
   it does not spell out at least ``min_count`` times and in at least ``min_share`` of the turns containing it
   ("good reviews" → customerReview=good). Forms whose training precision is below ``min_precision`` are dropped
   (a bare "good" is not a review request). Matching prefers the longest span; single-letter sizes must be upper-case.
2. **State tracking** (:func:`track_dialogue`): a refine turn adds its matches to the running state; a search turn
   starts a new state from its matches and keeps the running ``type`` when it names none; other acts have no slots.

Multi-valued slots ("white, red, violet") are scored per component, as (slot, value) pairs, micro-averaged.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence

from pydantic import BaseModel, Field

SLOTS: tuple[str, ...] = ("type", "color", "brand", "price", "size", "pattern", "sleeveLength", "customerReview")
SIZE_WORDS: dict[str, tuple[str, ...]] = {
    "xs": ("extra small", "x small", "xsmall"), "s": ("small",), "m": ("medium",), "l": ("large",),
    "xl": ("extra large", "x large", "xlarge"), "xxl": ("extra extra large", "xx large", "xxlarge", "2xl", "double xl"),
}
_STOP = frozenset("a an the i me my you your it its is are am be do does did have has any some of for in on to and or "
                  "with that this those these there what which can could would please like want need show get".split())
_DETERMINERS = frozenset({"the", "that", "those", "these", "this"})
_CHAIN = frozenset({"and", "or", "light", "dark", "bright"})
_TOKEN = re.compile(r"[A-Za-z0-9]+(?:\.[0-9]+)?")

Pair = tuple[str, str]
SLOT_INTENTS = ("search_product", "refine")


def gold_pairs(slot_values: dict[str, object]) -> set[Pair]:
    """The scored (slot, value) pairs of one SIMMC annotation; multi-valued strings are split into components."""
    pairs: set[Pair] = set()
    for slot in SLOTS:
        value = slot_values.get(slot)
        if value is None or value == "":
            continue
        for part in (value if isinstance(value, list) else str(value).split(",")):
            part = normalise_value(str(part))
            if part:
                pairs.add((slot, part))
    return pairs


def normalise_value(value: str) -> str:
    return " ".join(value.strip().lower().split())


def tokens(text: str) -> list[str]:
    """Lower-case word tokens; hyphens and slashes split words ("t-shirt" → "t", "shirt"), so forms do the same."""
    return _TOKEN.findall(text.lower().replace("'s", ""))


def _singular(token: str) -> str:
    """A crude plural stripper that maps singular and plural to one key ("dresses"/"dress", "hoodies"/"hoodie")."""
    if len(token) <= 3:
        return token
    if token.endswith(("sses", "xes", "ches", "shes")):
        return token[:-2]
    if token.endswith("s") and not token.endswith(("ss", "us", "is")):
        return token[:-1]
    return token


def _key(words: Iterable[str]) -> tuple[str, ...]:
    return tuple(_singular(w) for w in words)


class LexiconTurn(BaseModel):
    """One annotated turn for lexicon learning: its gold pairs, and those new relative to the previous state."""

    text: str
    pairs: set[Pair]
    new: set[Pair]


def lexicon_turns(dialogues: Iterable[Sequence[tuple[str, str | None, set[Pair]]]]) -> list[LexiconTurn]:
    """Learning turns from dialogues of (text, intent, gold pairs): the search and refine turns, with their new pairs."""
    out: list[LexiconTurn] = []
    for dialogue in dialogues:
        previous: set[Pair] = set()
        for text, intent, pairs in dialogue:
            if intent in SLOT_INTENTS:
                out.append(LexiconTurn(text=text, pairs=pairs, new=pairs - previous))
                previous = pairs
    return out


class SlotLexicon(BaseModel):
    """Surface forms (singularised token tuples, joined by spaces) → (slot, value)."""

    forms: dict[str, Pair] = Field(default_factory=dict)
    learned_aliases: int = 0

    @classmethod
    def learn(cls, turns: Sequence[LexiconTurn], min_count: int = 3, min_share: float = 0.6,
              min_precision: float = 0.5) -> SlotLexicon:
        """A lexicon from annotated turns (only turns whose act carries slots: searches and refinements)."""
        forms: dict[tuple[str, ...], Pair] = {}
        for turn in turns:
            for slot, value in turn.pairs:
                forms.setdefault(_key(tokens(value)), (slot, value))
                if slot == "size" and value in SIZE_WORDS:
                    for word in SIZE_WORDS[value]:
                        forms.setdefault(_key(tokens(word)), (slot, value))
        lexicon = cls(forms={" ".join(k): v for k, v in forms.items() if k})
        aliases = lexicon._aliases(turns, min_count, min_share)
        for key, pair in aliases.items():
            lexicon.forms.setdefault(key, pair)
        lexicon.learned_aliases = len(aliases)
        lexicon._prune(turns, min_precision)
        return lexicon

    def _aliases(self, turns: Sequence[LexiconTurn], min_count: int, min_share: float) -> dict[str, Pair]:
        """n-grams that stand for a value they do not spell out; only values new in their turn count."""
        together: dict[str, Counter[Pair]] = defaultdict(Counter)
        frequency: Counter[str] = Counter()
        for turn in turns:
            grams = _ngrams(_key(tokens(turn.text)))
            frequency.update(grams)
            missed = turn.new - self.match(turn.text).pairs()
            for gram in grams:
                together[gram].update(missed)
        aliases: dict[str, Pair] = {}
        for gram, counts in together.items():
            pair, count = counts.most_common(1)[0] if counts else (None, 0)
            if pair and count >= min_count and count / frequency[gram] >= min_share and gram not in self.forms:
                aliases[gram] = pair
        return aliases

    def _prune(self, turns: Sequence[LexiconTurn], min_precision: float) -> None:
        hits: Counter[str] = Counter()
        right: Counter[str] = Counter()
        for turn in turns:
            for form, pair in self.match(turn.text).spans:
                hits[form] += 1
                right[form] += pair in turn.pairs
        for form, count in hits.items():
            if right[form] / count < min_precision:
                del self.forms[form]

    def match(self, text: str) -> SlotMatch:
        """The (form, pair) spans found in ``text``: longest first, no overlaps; see :class:`SlotMatch`."""
        raw = _TOKEN.findall(text.replace("'s", ""))
        words = _key(w.lower() for w in raw)
        longest = max((len(f.split()) for f in self.forms), default=0)
        taken = [False] * len(words)
        found: list[tuple[int, str, Pair]] = []
        for size in range(min(longest, len(words)), 0, -1):
            for start in range(len(words) - size + 1):
                if any(taken[start : start + size]):
                    continue
                form = " ".join(words[start : start + size])
                pair = self.forms.get(form)
                if pair is None or (pair[0] == "size" and size == 1 and len(raw[start]) == 1 and not raw[start].isupper()):
                    continue
                taken[start : start + size] = [True] * size
                found.append((start, form, pair))
        spans, references = [], []
        for start, form, pair in sorted(found):
            j = start - 1
            while j >= 0 and (taken[j] or words[j] in _CHAIN):
                j -= 1
            (references if pair[0] != "type" and j >= 0 and words[j] in _DETERMINERS else spans).append((form, pair))
        return SlotMatch(spans=spans, references=references)


class SlotMatch(BaseModel):
    """Matched spans. ``references`` are values inside a definite reference ("like *the black* coat", "those
    *grey and brown* ones"): they describe an item already seen, not what the user asks for (type excepted)."""

    spans: list[tuple[str, Pair]] = Field(default_factory=list)
    references: list[tuple[str, Pair]] = Field(default_factory=list)

    def pairs(self) -> set[Pair]:
        return {pair for _, pair in self.spans}


def _ngrams(words: tuple[str, ...], most: int = 3) -> set[str]:
    grams: set[str] = set()
    for size in range(1, most + 1):
        for start in range(len(words) - size + 1):
            gram = words[start : start + size]
            if not all(w in _STOP for w in gram):
                grams.add(" ".join(gram))
    return grams


def track_dialogue(texts: Sequence[str], intents: Sequence[str], lexicon: SlotLexicon) -> list[set[Pair]]:
    """Predicted slot pairs of each user turn of one dialogue (see the module docstring)."""
    state: dict[str, set[str]] = {}
    predicted: list[set[Pair]] = []
    for text, intent in zip(texts, intents):
        found: dict[str, set[str]] = defaultdict(set)
        for slot, value in lexicon.match(text).pairs():
            found[slot].add(value)
        if intent in ("refine", "show_more"):
            state = {**state, **found}
        elif intent == "search_product":
            carried = {"type": state["type"]} if "type" in state and "type" not in found else {}
            state = {**carried, **found}
        else:
            predicted.append(set())
            continue
        predicted.append({(slot, value) for slot, values in state.items() for value in values})
    return predicted


class SlotScores(BaseModel):
    precision: float
    recall: float
    f1: float
    support: int


def score_slots(gold: Sequence[set[Pair]], predicted: Sequence[set[Pair]]) -> tuple[SlotScores, dict[str, SlotScores]]:
    """Micro precision/recall/F1 over (slot, value) pairs, overall and per slot."""
    def scores(tp: int, fp: int, fn: int) -> SlotScores:
        p = tp / (tp + fp) if tp + fp else 0.0
        r = tp / (tp + fn) if tp + fn else 0.0
        f = 2 * p * r / (p + r) if p + r else 0.0
        return SlotScores(precision=round(p, 4), recall=round(r, 4), f1=round(f, 4), support=tp + fn)

    counts: dict[str, list[int]] = {slot: [0, 0, 0] for slot in SLOTS}
    for g, p in zip(gold, predicted):
        for slot, _ in p & g:
            counts[slot][0] += 1
        for slot, _ in p - g:
            counts[slot][1] += 1
        for slot, _ in g - p:
            counts[slot][2] += 1
    total = [sum(c[i] for c in counts.values()) for i in range(3)]
    return scores(*total), {slot: scores(*c) for slot, c in counts.items() if sum(c)}
