"""An independent judge of the claims in a model-written sentence, for the grounding audit (issue 17, item 5).

It shares no code with the reply guard (``assistant.generators.grounding``/``claims``/``prompting``/``guarded``): its
own sentence splitter, tokeniser, number reader, fact rendering and word lists, and a different mechanism. The guard
checks words lexically; the judge asks whether a sentence *means* something the plan says. A claim is supported when
all of these hold:

(a) **similarity**: its MiniLM embedding (``retrieval.embedder.Embedder``, the shipped model, offline) has cosine
    ≥ ``threshold`` with one of the plan's *fact sentences* — rendered here from the plan (product cards, comparison
    rows, cart lines and total, order facts, policy clauses, the answer's facts) plus every sentence and line of the
    template reply;
(b) **numbers**: every number, price, percentage or number word in it is a number of the plan; in a sentence that
    names products, one the plan states about those products (or about no product): "The Hearthly Wren is $389.99"
    is refused when $389.99 is the Cleanwave's price;
(c) **evaluative words**: no superlative, comparative or absolute word ("best", "quieter … than", "only", "limited",
    "free", "always", "never", "guarantee", "recommend", …) unless the plan uses it (or its comparative/superlative
    form, or a phrase such as "lowest price" for "cheaper") — of the products the sentence names;
(d) **names**: no capitalised name the plan does not hold; a run of capitalised words ("Cleanwave Cedar Built-In
    Dishwasher") stands in the plan as written, a title's colour after its comma is one the plan gives it, and a
    list line "N. <product>" puts the product the plan shows at position N.

Not every sentence is a claim (:meth:`ClaimJudge.kind`): a sentence with no word, pure phrasing ("Here you go!",
"Let me know if you'd like more details": short, only connective and social words, no negation, nothing the rules
object to), text about the prompt ("Here's a rewritten DRAFT REPLY:") and the shopper's own words echoed back are
supported without (a) — the rules (b)-(d) still hold for them (only (b) for text about the prompt). Such sentences
may be degenerate (the guard's business, and the audit checks prompt echoes on its own); they claim nothing.

The similarity threshold (0.80) is the one with the best F1 for "unsupported" on the ``dev`` split of
``lab/audit/claims/sentences.jsonl`` (F1 is flat from 0.72 to 0.84); ``shopassist eval claims`` reports the dev-best
threshold beside the one used, and precision/recall on the held-out ``test`` split.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable, Iterator
from typing import Any

import numpy as np
from pydantic import BaseModel, Field

from dialogue.plan import ReplyPlan
from retrieval.embedder import Embedder

#: Cosine similarity to the nearest fact sentence a sentence needs (calibrated on the dev split; see the module doc).
THRESHOLD = 0.8

# ------------------------------------------------------------------------------------------------ text
_BREAK = re.compile(r"(?<=[.!?])[\"'”’)\]]*\s+|\s*\n+\s*")
_BULLET = re.compile(r"^\s*(?:[-*•]|\(?\d{1,2}[.)])\s+")
_TOKEN = re.compile(r"[^\W_][\w'’&+-]*")
_NUMBER = re.compile(r"(?<![\d.,])\d+(?:,\d{3})*(?:\.\d+)?")
_WORD = re.compile(r"(?<![\w'’&+-])[^\W_][\w'’&+-]*")


#: Words with a full stop that does not end a sentence.
_ABBREVIATIONS = frozenset("no. nos. co. vs. mr. mrs. ms. dr. st. inc. ltd. approx. e.g. i.e. fig. vol. ft. in. oz. lb. lbs.".split())


def split_sentences(text: str) -> list[str]:
    """Sentences and lines of ``text``: breaks after . ! ? (and closing quotes) before whitespace, and at newlines;
    a bare list number ("1.") stays with what follows it."""
    out: list[str] = []
    held = ""
    for piece in _BREAK.split(text):
        piece = piece.strip()
        if not piece:
            continue
        if re.fullmatch(r"\(?\d{1,2}[.)]", piece):
            held += piece + " "
            continue
        if out and not held and out[-1].split()[-1].lower() in _ABBREVIATIONS:
            out[-1] += " " + piece  # "No. 4", "Gamenight Co. Clementine": not a sentence end
            continue
        out.append(held + piece)
        held = ""
    if held.strip():
        out.append(held.strip())
    return out


def tokens(text: str) -> list[str]:
    """Lower-case word tokens (apostrophes kept: "you'd"; hyphenated words whole and in parts)."""
    out: list[str] = []
    for raw in _TOKEN.findall(text.replace("’", "'")):
        word = raw.lower().strip("'-+&")
        if not word:
            continue
        out.append(word)
        if "-" in word:
            out += [part for part in word.split("-") if part]
    return out


def numbers(text: str) -> set[float]:
    return {float(raw.replace(",", "")) for raw in _NUMBER.findall(text)}


def money(value: float) -> str:
    return f"${value:,.2f}"


# ------------------------------------------------------------------------------------------------ word lists
#: Number words the judge reads as numbers ("one" is left out: "the first one", "this one").
NUMBER_WORDS = {"two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
                "eleven": 11, "twelve": 12, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "hundred": 100,
                "dozen": 12, "half": 0.5, "double": 2, "twice": 2, "triple": 3}

#: Superlatives, comparatives, absolutes, recommendations and sales talk: claims only the plan may make.
EVALUATIVE = frozenset("""
best worst top greatest cheapest priciest lowest highest quietest loudest fastest lightest heaviest most least
better worse cheaper pricier lower higher quieter louder faster slower lighter heavier bigger smaller larger newer
older stronger weaker warmer cooler softer harder longer shorter safer easier nicer sturdier thinner thicker wider
brighter superior inferior
only limited unlimited exclusive exclusively free always never forever lifetime guarantee guaranteed guarantees
warranty perfect perfectly ideal ideally flawless recommend recommended recommends recommendation definitely
certainly absolutely surely excellent amazing fantastic outstanding superb exceptional incredible unbeatable
awesome wonderful premium luxury luxurious popular bestseller bestselling favourite favorite
sale deal deals discount discounted bargain savings coupon promo voucher cheap affordable expensive overpriced
instant instantly immediately guaranteeing risk-free hassle-free no-questions-asked
""".split())

#: Words ending in -est that are not superlatives.
_NOT_SUPERLATIVE = frozenset("""
interest interested interests request requested requests rest test tested tests guest guests west nest chest forest
honest modest suggest suggested suggests latest harvest contest protest manifest invest digest arrest quest vest
pest crest jest zest fest lest earnest priest midwest everest inquest conquest bequest behest unrest northwest
southwest attest detest infest ingest divest
""".split())

#: Words that only phrase (greetings, apologies, offers, pronouns, connectives and the shop's generic nouns). Negations
#: ("can't", "don't", "no") are left out on purpose: "I can't help with that" is a claim.
CONNECTIVES = frozenset("""
a an the and or but so if then than as to of in on at for from with about by into up out over this that these those
it its it's they them their there here here's there's what what's which who how when where why that's
i i'm i'd i'll i've me my we we're we'll we've us our you you're you'd you'll you've your yours someone anyone
is are was were be been being am do does did done have has had can could will would shall should may might
not yes yeah yep sure okay ok alright right certainly great good glad happy pleased welcome thanks thank please
sorry hi hello hey there goodbye bye cheers absolutely of course shopassist assistant
let let's know tell ask see look looking find found help helping assist assistance show shown showing check take get
give go going come try make like love want wants need needs wish hope feel free just also too very well more some any
anything something everything nothing else other another all each both either neither one ones way lot bit little
kind sort thing things stuff whatever whenever anytime
option options product products item items choice choices result results detail details info information question
questions cart basket order orders shop shopping store search compare comparison list below above following
buy buying purchase browse
today now again next first second third last today's moment day time
enjoy enjoying nice sounds glad happy thrilled excited delighted apologize apologise apologies confusion
inconvenience understand worry worries concern concerns issue issues problem trouble alone reach hear mind
""".split()) - EVALUATIVE

#: Capitalised words that are never a product name.
_COMMON_NAMES = frozenset("""
i i'm i'd i'll i've shopassist ok okay usd eur gbp faq
monday tuesday wednesday thursday friday saturday sunday january february march april may june july august
september october november december
""".split())

_PURE_PHRASING_WORDS = 14
#: Text about the prompt rather than the shop (an echo of its layout or instructions): not a claim.
_META = re.compile(r"draft reply|shopper[_ ]?message|\brewrit(?:e|ten|ing)\b|\brevised version\b|\binstructions\b|system prompt", re.I)
_META_CASED = re.compile(r"\bFACTS\b|\bDRA(?:FT)?\b")
_EST = re.compile(r"\b([a-z]{3,}est)\b")
_ER_THAN = re.compile(r"\b([a-z]+er|more|less|fewer|better|worse|rather)\s+than\b")
_PERCENT = re.compile(r"(\d+(?:\.\d+)?)\s*(?:%|percent\b)", re.IGNORECASE)
#: A clause with a short label first ("Condition: Unused, in the original packaging"): the value alone is a fact too.
_LABELLED = re.compile(r"^[A-Z][\w ]{1,30}:\s+(.+)$")
#: Two or more capitalised (or numeric) words in a row: how a product name is written.
_RUN = re.compile(r"(?<![\w'-])[A-Z][\w'&+.-]*(?:\s+(?:&|[A-Z0-9][\w'&+.-]*))+")


#: Comparative and superlative forms that share no stem with their base.
_IRREGULAR = {"better": "good", "best": "good", "worse": "bad", "worst": "bad", "more": "many", "most": "many", "less": "few",
              "least": "few", "fewer": "few", "fewest": "few", "pricier": "pricey", "priciest": "pricey", "pricy": "pricey"}
#: Phrases of the plan that state a comparison in other words ("lowest price" licenses "cheaper").
_PHRASES = {"cheap": ("lowest price", "lower price", "less expensive", "least expensive", "most affordable"),
            "pricey": ("highest price", "higher price", "more expensive", "most expensive"),
            "good": ("best rating", "best rated", "highest rated", "higher rated", "highest rating", "higher rating"),
            "quiet": ("lowest noise", "lower noise"), "loud": ("highest noise", "higher noise")}


def evaluative_words(text: str) -> list[str]:
    """The evaluative, superlative and comparative words of ``text`` (lower case, in order, once each)."""
    lowered = text.lower().replace("’", "'")
    found = [w for w in tokens(lowered) if w in EVALUATIVE]
    found += [m.group(1) for m in _EST.finditer(lowered) if m.group(1) not in _NOT_SUPERLATIVE]
    found += [m.group(1) for m in _ER_THAN.finditer(lowered)]
    return list(dict.fromkeys(found))


def base_form(word: str) -> str:
    """"quieter"/"quietest" → "quiet", "bigger" → "big", "pricier" → "pricey", "best" → "good"; other words unchanged."""
    if word in _IRREGULAR:
        return _IRREGULAR[word]
    for suffix in ("est", "er"):
        if word.endswith(suffix) and len(word) > len(suffix) + 2:
            stem = word[: -len(suffix)]
            if stem.endswith("i"):
                return stem[:-1] + "y"
            if len(stem) > 2 and stem[-1] == stem[-2] and stem[-1] not in "aeiou":
                return stem[:-1]
            return stem
    return word


def _licensed_bases(text: str) -> frozenset[str]:
    """Base forms of the comparisons ``text`` states, in words or by a phrase."""
    lowered = " ".join(text.lower().split())
    bases = {base_form(w) for w in evaluative_words(text)}
    bases |= {base for base, phrases in _PHRASES.items() if any(p in lowered for p in phrases)}
    return frozenset(bases)


def _vocabulary(embedder: Embedder) -> frozenset[str]:
    """Whole English words of the embedder's own (uncased WordPiece) vocabulary: a sentence may open with any of them."""
    path = embedder.model_dir / "vocab.txt"
    if not path.exists():
        return frozenset()
    return frozenset(w for w in path.read_text(encoding="utf-8").split() if w.isalpha() and len(w) > 1)


# ------------------------------------------------------------------------------------------------ the plan's facts
def fact_sentences(plan: ReplyPlan, template: str) -> list[str]:
    """Plain sentences of everything the plan states (never the shopper's words), plus the template's sentences."""
    out: list[str] = []
    for card in plan.products:
        short = short_name(card.title, card.brand)
        brand = f" by {card.brand}" if card.brand else ""
        out.append(f"{card.title}{brand} costs {money(card.price)}.")
        out.append(f"The {short} costs {money(card.price)}.")
        out.append(f"Option {card.position} is the {card.title}, {money(card.price)}.")
        if card.rating is not None:
            out.append(f"The {short} is rated {card.rating:.1f} out of 5 stars from {card.review_count or 0:,} reviews.")
        out.append(f"The {short} is {'in stock' if card.in_stock else 'out of stock'}.")
        leaf = card.category.split(" > ")[-1]
        out.append(f"The {card.title} is one of our {leaf.lower()} ({card.category}).")
        if card.key_attributes:
            out.append(f"The {card.title} has " + ", ".join(f"{k} {v}" for k, v in card.key_attributes.items()) + ".")
            out += [f"The {short}'s {k} is {v}." for k, v in card.key_attributes.items()]
        out += [f"The {short} matches: {reason}." for reason in card.reasons]
    if plan.comparison is not None:
        table = plan.comparison
        brands = {c.title: c.brand for c in plan.products if c.brand}
        shorts = [short_name(t, brands.get(t) or (t.split() or [""])[0]) for t in table.titles]
        out.append("Comparing the " + " and the ".join(table.titles) + ".")
        for row in table.rows:
            if len(set(row.values)) == 1 and row.values:
                out.append(f"{'Both' if len(shorts) == 2 else 'All of them'} have the same {row.attribute}: {row.values[0]}.")
            else:
                out.append(f"{row.attribute.capitalize()}: " + ", ".join(f"{v} for the {t}" for t, v in zip(shorts, row.values)) + ".")
            out += [f"The {t} has {row.attribute} {v}." for t, v in zip(shorts, row.values)]
        out += list(table.differences)
    for line in plan.cart:
        variant = f" ({', '.join(line.variant.values())})" if line.variant else ""
        out.append(f"{line.quantity} × {line.title}{variant} at {money(line.unit_price)} each: {money(line.line_total)}.")
    if plan.cart_total is not None:
        out.append(f"Your cart total is {money(plan.cart_total)} for {sum(l.quantity for l in plan.cart)} items.")
    given = plan.facts.model_dump(mode="json", exclude_unset=True)
    if plan.products and given.get("category"):
        constraints = f" {given['constraints']}" if given.get("constraints") else ""
        out.append(f"Here are {len(plan.products)} {str(given['category']).lower()}{constraints}.")
    out += list(_facts_sentences(given))
    for sentence in split_sentences(template):
        out.append(_BULLET.sub("", sentence))
    out += [m.group(1) for f in out if (m := _LABELLED.match(f)) and len(m.group(1).split()) > 2]  # "Condition: Unused, …"
    seen: set[str] = set()
    return [s for s in out if s.strip() and not (s in seen or seen.add(s))]  # type: ignore[func-returns-value]


def short_name(title: str, brand: str | None = None) -> str:
    """How a product is usually called: its brand and model name ("Cleanwave Cedar"); without a brand it begins with,
    the title before its comma."""
    base = title.split(",")[0].strip()
    if not brand or not base.startswith(brand):
        return base
    rest = base[len(brand):].split()
    return f"{brand} {rest[0]}" if rest else base


def _facts_sentences(facts: dict[str, Any]) -> Iterator[str]:
    """The action's facts as sentences: text lists as they are, other values as "key: value"."""
    scalars: list[str] = []
    for key, value in facts.items():
        name = key.replace("_", " ")
        if isinstance(value, list):
            if all(isinstance(v, str) and len(v.split()) > 3 for v in value):
                yield from value  # policy clauses, answer facts: sentences already
            elif value:
                yield f"{name}: {', '.join(map(str, value))}."
        elif isinstance(value, dict):
            if value:
                yield f"{name}: " + ", ".join(f"{k} {v}" for k, v in value.items()) + "."
        elif isinstance(value, str) and len(value.split()) > 3:
            yield value
        elif value not in (None, "", False):
            shown = money(value) if isinstance(value, float) and key in ("total", "unit_price") else value
            scalars.append(f"{name} {shown}")
    if scalars:
        yield "; ".join(scalars) + "."


def _plan_strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield str(key)
            yield from _plan_strings(item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from _plan_strings(item)


def _plan_numbers(value: Any) -> Iterator[float]:
    if isinstance(value, bool):
        return
    if isinstance(value, (int, float)):
        yield float(value)
    elif isinstance(value, str):
        yield from numbers(value)
    elif isinstance(value, dict):
        for item in value.values():
            yield from _plan_numbers(item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from _plan_numbers(item)


# ------------------------------------------------------------------------------------------------ products named
class _Named(BaseModel):
    title: str
    brand: str | None = None


def _named_products(plan: ReplyPlan) -> list[_Named]:
    """Every product the plan names: cards, comparison, cart lines and a title in the facts."""
    named = [_Named(title=c.title, brand=c.brand) for c in plan.products]
    named += [_Named(title=t) for t in (plan.comparison.titles if plan.comparison else [])]
    named += [_Named(title=line.title) for line in plan.cart]
    title = plan.facts.model_dump().get("title")
    if isinstance(title, str) and title:
        named.append(_Named(title=title))
    brands = {n.title: n.brand for n in named if n.brand}
    out: dict[str, _Named] = {}
    for n in named:
        out.setdefault(n.title, _Named(title=n.title, brand=n.brand or brands.get(n.title)))
    return list(out.values())


class _Keys(BaseModel):
    """How a sentence may name a product: ``specific`` phrases (matched in any case: the title without its colour
    suffix, "brand model") and words (matched as written: the model name), and its ``brand`` (a brand alone names every
    product of that brand the sentence does not name specifically)."""

    specific: list[str]
    words: list[str]
    brand: str


def _name_keys(product: _Named) -> _Keys:
    base = product.title.split(",")[0].strip()
    words = base.split()
    brand = product.brand or (words[0] if words else "")
    rest = base[len(brand):].split() if brand and base.startswith(brand) else words[1:]
    model = rest[0] if rest and rest[0][:1].isupper() and len(rest[0]) > 2 else ""
    specific = [p.lower() for p in (base, f"{brand} {model}" if model else "") if p and " " in p]
    return _Keys(specific=specific, words=[model] if model else [], brand=brand)


def _says(text: str, lowered: str, phrase: str) -> bool:
    """``phrase`` is in ``text``: a phrase with a space in any case, a single word as written (a capitalised name)."""
    if " " in phrase:
        return re.search(rf"(?<!\w){re.escape(phrase.lower())}(?!\w)", lowered) is not None
    return re.search(rf"(?<![\w-]){re.escape(phrase)}(?![\w-])", text) is not None


# ------------------------------------------------------------------------------------------------ the judge
class JudgeVerdict(BaseModel):
    supported: bool
    kind: str = Field(default="claim", description="empty, phrasing, meta, echo or claim (see ClaimJudge.kind).")
    reasons: list[str] = Field(default_factory=list, description="Why not: low_similarity, number:…, evaluative:…, name:….")
    similarity: float = Field(description="Cosine to the nearest fact sentence (1.0 when not a claim: not embedded).")
    nearest: str = Field(default="", description="That fact sentence.")


_SHARED: dict[str, Any] = {}
_SHARED_LOCK = threading.Lock()


def shared_embedder() -> tuple[Embedder, frozenset[str]]:
    """One MiniLM embedder (sentence-transformers, fp32, offline) and its word list per process."""
    with _SHARED_LOCK:
        if "embedder" not in _SHARED:
            embedder = Embedder()
            _SHARED["embedder"], _SHARED["vocabulary"] = embedder, _vocabulary(embedder)
        return _SHARED["embedder"], _SHARED["vocabulary"]


class ClaimJudge:
    """Judges model-written sentences against one reply plan and its template reply (see the module doc)."""

    def __init__(self, plan: ReplyPlan, template: str, *, threshold: float = THRESHOLD, embedder: Embedder | None = None) -> None:
        shared, vocabulary = shared_embedder() if embedder is None else (embedder, _vocabulary(embedder))
        self.embedder, self.vocabulary, self.threshold = shared, vocabulary, threshold
        self.plan, self.template = plan, template
        dumped = plan.model_dump(mode="json", exclude={"user_text", "quick_replies", "intent", "confidence", "handoff"})
        self.facts = fact_sentences(plan, template)
        plan_text = "\n".join([*_plan_strings(dumped), template, *self.facts])
        self.plan_words = frozenset(tokens(plan_text))
        self.numbers = set(_plan_numbers(dumped)) | numbers(template) | {float(len(plan.products)), float(len(plan.cart))}
        self.numbers |= {float(c.position) for c in plan.products}
        if any(c.rating is not None for c in plan.products):
            self.numbers.add(5.0)  # "out of 5 stars"
        self._vectors = self.embedder.embed(self.facts) if self.facts else np.zeros((0, 1), dtype=np.float32)
        self._user_words = frozenset(tokens(plan.user_text))
        named = _named_products(plan)
        self._keys = [_name_keys(p) for p in named]
        positions = {c.title: c.position for c in plan.products}
        self._position_of = {i: positions[p.title] for i, p in enumerate(named) if p.title in positions}
        self._titles = [p.title for p in named]
        self._flat = " " + " ".join(" ".join(t.lower().split()) for t in (*_plan_strings(dumped), template, *self.facts)) + " "
        self._units = [(_licensed_bases(f), numbers(f), self.mentions(f)) for f in self.facts]
        self._bases = frozenset().union(*(u[0] for u in self._units)) if self._units else frozenset()

    # one sentence ---------------------------------------------------------------------------------
    def judge(self, sentence: str) -> JudgeVerdict:
        return self.judge_many([sentence])[0]

    def judge_many(self, sentences: list[str]) -> list[JudgeVerdict]:
        """Verdicts for ``sentences`` (the claims among them embedded in one batch)."""
        kinds = [self.kind(s) for s in sentences]
        rules = [self.number_reasons(s) if kind == "meta" else self.rule_reasons(s) if kind != "empty" else []
                 for s, kind in zip(sentences, kinds)]
        todo = [i for i, kind in enumerate(kinds) if kind == "claim"]
        similarity: dict[int, tuple[float, str]] = {}
        if todo and len(self.facts):
            vectors = self.embedder.embed([_BULLET.sub("", sentences[i]).strip() for i in todo])
            scores = vectors @ self._vectors.T
            for row, i in enumerate(todo):
                best = int(np.argmax(scores[row]))
                similarity[i] = (float(scores[row, best]), self.facts[best])
        out = []
        for i, kind in enumerate(kinds):
            score, nearest = similarity.get(i, (0.0, "")) if kind == "claim" else (1.0, "")
            reasons = list(rules[i]) + ([] if score >= self.threshold else ["low_similarity"])
            out.append(JudgeVerdict(supported=not reasons, kind=kind, reasons=reasons, similarity=round(score, 4), nearest=nearest))
        return out

    def kind(self, sentence: str) -> str:
        """What a sentence is: ``empty`` (no word: emoji, punctuation), ``phrasing`` (see :meth:`is_phrasing`), ``meta``
        (about the prompt: "Here's a rewritten DRAFT REPLY"), ``echo`` (the shopper's own words back) or ``claim``.
        Only a claim must be similar to a fact; the rules hold for all but empty (numbers alone for meta)."""
        words = tokens(sentence)
        if not words:
            return "empty"
        if self.is_phrasing(sentence) and not self.rule_reasons(sentence):
            return "phrasing"
        if _META.search(sentence) or _META_CASED.search(sentence):
            return "meta"
        content = [w for w in words if w not in CONNECTIVES]
        if self._user_words and content and all(w in self._user_words for w in content):
            return "echo"
        return "claim"

    # the rules (b)-(d) ------------------------------------------------------------------------------
    def rule_reasons(self, sentence: str) -> list[str]:
        return (self.number_reasons(sentence) + self.evaluative_reasons(sentence) + self.name_reasons(sentence)
                + self.altered_name_reasons(sentence) + self.position_reasons(sentence))

    def mentions(self, text: str) -> frozenset[int]:
        """The plan's products ``text`` names (indices into the judge's product list)."""
        lowered = " ".join(text.lower().split())
        found = {i for i, keys in enumerate(self._keys) if any(_says(text, lowered, k) for k in (*keys.specific, *keys.words))}
        brands = {self._keys[i].brand for i in found}
        found |= {i for i, keys in enumerate(self._keys) if keys.brand and keys.brand not in brands and _says(text, lowered, keys.brand)}
        return frozenset(found)

    def number_reasons(self, sentence: str) -> list[str]:
        """Every number must be the plan's; in a sentence that names products, one the plan states about those products
        (or about no product)."""
        digits = numbers(_BULLET.sub("", sentence)) | {float(m.group(1)) for m in _PERCENT.finditer(sentence)}
        spelt = {float(NUMBER_WORDS[w]) for w in tokens(sentence) if w in NUMBER_WORDS and w not in self.plan_words}
        named = self.mentions(sentence)
        reasons = []
        for value in sorted(digits | spelt):
            if not any(abs(value - n) < 0.005 for n in self.numbers):
                reasons.append(f"number:{value:g}")
            elif named and value in digits and not any(
                    any(abs(value - n) < 0.005 for n in unit_numbers) and unit_named <= named
                    for _, unit_numbers, unit_named in self._units):
                reasons.append(f"number_of_another_product:{value:g}")
        return reasons

    def evaluative_reasons(self, sentence: str) -> list[str]:
        """Evaluative words the plan does not use; in a sentence that names products, ones the plan does not use of those
        products."""
        named = self.mentions(sentence)
        reasons = []
        for word in evaluative_words(sentence):
            base = base_form(word)
            if word not in self.plan_words and base not in self._bases:
                reasons.append(f"evaluative:{word}")
            elif named and not any(base in unit_bases and unit_named and unit_named <= named for unit_bases, _, unit_named in self._units):
                reasons.append(f"evaluative_of_another_product:{word}")
        return reasons

    def name_reasons(self, sentence: str) -> list[str]:
        """Capitalised words (a name's parts) the plan does not hold; a sentence's first word may be any English word."""
        text = _BULLET.sub("", sentence).strip().replace("’", "'")
        reasons: list[str] = []
        for match in _WORD.finditer(text):
            if not _capitalised(match.group(0)):
                continue
            word = match.group(0).strip("'-+&").lower()
            if not word or word in _COMMON_NAMES or _stem_known(word, self.plan_words):
                continue
            before = text[: match.start()].rstrip()
            opening = not before or before[-1] in ":;—–\"“(!?."
            if opening and (word in CONNECTIVES or re.sub(r"'(?:s|re|ll|ve|d|m|t)$", "", word) in self.vocabulary):
                continue
            reasons.append(f"name:{match.group(0)}")
        return reasons

    def altered_name_reasons(self, sentence: str) -> list[str]:
        """A run of two or more capitalised words (a product name) must stand in the plan as written ("Cleanwave Cedar
        Built-In Dishwasher" for the Cleanwave Cedar *Quiet* Built-In Dishwasher is another product); a title's colour
        after its comma must be one the plan gives that title."""
        text = _BULLET.sub("", sentence).replace("’", "'")
        reasons = []
        for match in _RUN.finditer(text):
            words = match.group(0).split()
            before = text[: match.start()].rstrip()
            if (not before or before[-1] in ":;—–\"“(!?.") and words[0].lower() in self.vocabulary:
                words.pop(0)  # an ordinary word opening the sentence ("Remove 1 × …")
            while words and (words[0].lower() in CONNECTIVES or words[0].lower() in _COMMON_NAMES):
                words.pop(0)
            while words and words[-1].lower().rstrip(".") in CONNECTIVES:
                words.pop()
            words[-1:] = [words[-1].rstrip(".'")] if words else []
            if len(words) >= 2 and any(ch.isalpha() for ch in words[0] + words[1]):
                phrase = " ".join(words)
                if f" {phrase.lower()}" not in self._flat and f"{phrase.lower()} " not in self._flat:
                    reasons.append(f"altered_name:{phrase}")
        for title in self._titles:
            base = title.split(",")[0].strip().lower()
            for found in re.finditer(rf"(?<!\w){re.escape(base)},\s*([A-Z][\w-]*)", text, re.IGNORECASE):
                if not found.group(1)[0].isupper():
                    continue
                variant = f"{base}, {found.group(1).lower()}"
                if not any(t.lower().startswith(variant) for t in self._titles):
                    reasons.append(f"altered_name:{text[found.start():found.end()]}")
        return list(dict.fromkeys(reasons))

    def position_reasons(self, sentence: str) -> list[str]:
        """A list line "N. <product>" must put the product the plan shows at position N there."""
        match = re.match(r"\s*\(?(\d{1,2})[.)]\s", sentence)
        if not match or not self._position_of:
            return []
        shown = {self._position_of[i] for i in self.mentions(sentence) if i in self._position_of}
        return [f"position:{match.group(1)}"] if shown and int(match.group(1)) not in shown else []

    def is_phrasing(self, sentence: str) -> bool:
        """Short, no digit, only connective words (and nothing a rule objects to): says nothing about the plan."""
        words = tokens(sentence)
        return (0 < len(words) <= _PURE_PHRASING_WORDS and not any(ch.isdigit() for ch in sentence)
                and all(w in CONNECTIVES for w in words))


def _capitalised(word: str) -> bool:
    """"Cleanwave", "XPS", "256GB": a capital letter first, or digits then a capital letter."""
    letters = word.lstrip("0123456789")
    return bool(letters) and letters[0].isupper() and (letters == word or letters[0].isalpha())


def _stem_known(word: str, known: frozenset[str]) -> bool:
    """``word`` or its singular / non-possessive form is one of ``known``."""
    if word in known or f"{word}s" in known:
        return True
    word = word.removesuffix("'s")
    return word in known or (word.endswith("s") and word[:-1] in known) or (word.endswith("es") and word[:-2] in known)


def judge_text(judge: ClaimJudge, text: str) -> list[tuple[str, JudgeVerdict]]:
    """Every sentence of ``text`` with its verdict."""
    sentences = split_sentences(text)
    return list(zip(sentences, judge.judge_many(sentences)))


def unsupported(pairs: Iterable[tuple[str, JudgeVerdict]]) -> list[tuple[str, JudgeVerdict]]:
    return [(s, v) for s, v in pairs if not v.supported]
