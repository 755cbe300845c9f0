"""``shopassist eval qa``: product questions asked in real conversations, scored against answers computed from the
catalog's facts.

Each case is a two-turn conversation through the whole assistant: "show me <category>", then a question from
:data:`PATTERNS` about what was shown. The gold answer is computed here from the shown products' catalog records,
with code of its own (a plain number reader, no unit conversion: a case whose values carry different units is
skipped), not with the assistant's question-answering code. A reply is correct when

- look-up: it contains the catalog's value(s) and names the product;
- yes/no: it opens with the right "Yes"/"No";
- superlative / pairwise: it names the winning product before any other shown product;
- filter: it names every shown product that passes and none that fails;
- the catalog does not say: the reply says so ("doesn't say" / "doesn't list" / "no review texts"); a warranty or
  return asked of a product is then answered with the shop's clause for its kind, after saying the catalog has none.

**Invented values**: numbers in a reply (prices, values with units) that appear in none of the shown products'
facts (title, price, rating, review count, stock, attributes, description) nor the shop's policy clauses the reply
quotes — counted over all replies; the target
is 0. "Doesn't say" precision: of the replies that say the catalog does not say, the share where it truly does not.

The answering code was developed against the cases that the seeds in ``DEVELOPMENT_SEEDS`` draw (their misses were
read and fixed); the reported run uses another seed (other categories, products and pattern draws), and a run on a
development seed is labelled as such. The patterns themselves were seen during development and were written
by the people who wrote the answering code, which this figure cannot rule out.
"""

from __future__ import annotations

import logging
import random
import re
from collections import Counter, defaultdict
from collections.abc import Callable
from typing import Literal

from pydantic import BaseModel, Field
from tqdm import tqdm

from retrieval.models import Product

log = logging.getLogger(__name__)

Kind = Literal["lookup", "yes_no", "superlative", "pairwise", "filter", "unknown"]
ORDINALS = ["first", "second", "third"]
DEVELOPMENT_SEEDS = (7, 2027)  # draws whose misses were read and fixed; reported runs use another
REPORTED_SEED = 4242
UNKNOWN_MARKERS = ("doesn't say", "doesn't list", "does not say", "no review texts", "doesn't answer")
_NUMBER = re.compile(r"\d+(?:,\d{3})*(?:\.\d+)?")


class Pattern(BaseModel):
    kind: Kind
    text: str = Field(description="The question; {n} = an ordinal, {attr} = an attribute name, {value}, {price}.")
    attribute: str | None = Field(default=None, description="The fact asked about (price, rating or an attribute key).")
    direction: Literal["max", "min"] | None = None


def _p(kind: Kind, text: str, attribute: str | None = None, direction: Literal["max", "min"] | None = None) -> Pattern:
    return Pattern(kind=kind, text=text, attribute=attribute, direction=direction)


#: 44 question patterns, phrased as shoppers write (lower case, no question marks, some typos).
PATTERNS: list[Pattern] = [
    _p("lookup", "how much is the {n} one", "price"), _p("lookup", "whats the price of the {n} one", "price"),
    _p("lookup", "what does the {n} one cost", "price"), _p("lookup", "what is the {n} one made of", "material"),
    _p("lookup", "what material is the {n} one", "material"), _p("lookup", "what colors does the {n} one come in", "color"),
    _p("lookup", "what's the {attr} of the {n} one", "{attr}"), _p("lookup", "{attr} of the {n} one?", "{attr}"),
    _p("lookup", "tell me the {attr} for the {n} one", "{attr}"), _p("lookup", "how is the {n} one rated", "rating"),
    _p("lookup", "whats the rating on the {n} one", "rating"), _p("lookup", "who makes the {n} one", "brand"),
    _p("lookup", "what brand is the {n} one", "brand"),
    _p("yes_no", "is the {n} one {attr}", "{bool}"), _p("yes_no", "the {n} one, is it {attr}?", "{bool}"),
    _p("yes_no", "is the {n} one {attr} or not", "{bool}"),
    _p("yes_no", "does the {n} one come in {value}", "color"), _p("yes_no", "do you have the {n} one in {value}", "color"),
    _p("yes_no", "is the {n} one in stock", "stock"), _p("yes_no", "is the {n} one available rn", "stock"),
    _p("superlative", "which one is the cheapest", "price", "min"), _p("superlative", "whats the cheapest one", "price", "min"),
    _p("superlative", "which is the most expensive", "price", "max"), _p("superlative", "which one is best rated", "rating", "max"),
    _p("superlative", "which of these has the highest rating", "rating", "max"),
    _p("superlative", "which one has the highest {attr}", "{num}", "max"),
    _p("superlative", "which one has the lowest {attr}", "{num}", "min"),
    _p("superlative", "which has the most {attr}", "{num}", "max"), _p("superlative", "which one has the least {attr}", "{num}", "min"),
    _p("superlative", "whats the priciest one", "price", "max"), _p("superlative", "which is the top rated one", "rating", "max"),
    _p("pairwise", "which is cheaper, the first or the second", "price", "min"),
    _p("pairwise", "which is cheaper the second one or the third one", "price", "min"),
    _p("pairwise", "which is more expensive, the first or the third", "price", "max"),
    _p("pairwise", "which is better rated, the first or the second", "rating", "max"),
    _p("filter", "which of these are under {price}", "price"), _p("filter", "which of these cost less than {price}", "price"),
    _p("filter", "any of these under {price}", "price"), _p("filter", "which of them are {attr}", "{bool}"),
    _p("unknown", "what is the warranty on the {n} one", "warranty"),
    _p("unknown", "does the {n} one have a lifetime guarantee", "guarantee"),
    _p("unknown", "what's the country of origin of the {n} one", "origin"),
    _p("unknown", "how long is the warranty of the {n} one", "warranty"),
    _p("unknown", "does the {n} one come with a carrying case", "case"),
]


class CaseResult(BaseModel):
    category: str
    pattern: str
    question: str
    kind: Kind
    correct: bool
    says_unknown: bool
    invented: list[str] = Field(default_factory=list)
    reply: str
    gold: str


class QaReport(BaseModel):
    catalog: str
    cases: int
    categories: int
    patterns: int
    accuracy: float
    accuracy_by_kind: dict[str, float]
    doesnt_say_precision: float | None
    doesnt_say_recall: float | None
    replies_with_invented_values: int
    skipped: int = Field(description="Instances skipped: values with mixed units, too few products shown, …")
    errors: list[CaseResult] = Field(default_factory=list, description="Up to 40 wrong answers, for reading.")


def evaluate_qa(assistant: object, products: list[Product], *, catalog: str, seed: int = 7, per_category: int = 6,
                max_categories: int = 40, progress: bool = True) -> QaReport:
    """Run the patterns against ``assistant`` (a ShopAssistant) over the leaf categories of ``products``."""
    rng = random.Random(seed)
    by_leaf: dict[str, list[Product]] = defaultdict(list)
    for product in products:
        by_leaf[product.leaf_category].append(product)
    leaves = sorted(leaf for leaf, items in by_leaf.items() if len(items) >= 3)
    rng.shuffle(leaves)
    leaves = sorted(leaves[:max_categories])
    results: list[CaseResult] = []
    skipped = 0
    plans = [(leaf, pattern) for leaf in leaves for pattern in rng.sample(PATTERNS, min(per_category, len(PATTERNS)))]
    for leaf, pattern in tqdm(plans, desc="qa cases", unit="case", disable=not progress):
        result = _run_case(assistant, leaf, pattern, rng)
        if result is None:
            skipped += 1
        else:
            results.append(result)
    return _report(results, catalog, skipped, len(leaves))


def _run_case(assistant: object, leaf: str, pattern: Pattern, rng: random.Random) -> CaseResult | None:
    conversation = assistant.start("qa-eval")  # type: ignore[attr-defined]
    shown_reply = assistant.handle(conversation, "qa-eval", f"show me {leaf.lower()}")  # type: ignore[attr-defined]
    shown = [assistant.manager.product(card.product_id) for card in shown_reply.plan.products]  # type: ignore[attr-defined]
    shown = [p for p in shown if p is not None]
    if len(shown) < 3:
        return None
    case = _instantiate(pattern, shown, rng)
    if case is None:
        return None
    question, judge, gold = case
    handled = assistant.handle(conversation, "qa-eval", question)  # type: ignore[attr-defined]
    reply = handled.text
    said = {n.replace(",", "") for n in _NUMBER.findall(question)}  # the shopper's own numbers may be repeated
    # so may the shop's own clauses a reply quotes (a warranty the catalog lacks is the shop's: "1-year limited warranty")
    said |= {n.replace(",", "") for clause in getattr(handled.plan.facts, "sentences", []) for n in _NUMBER.findall(clause)}
    says_unknown = any(m in reply.lower() for m in UNKNOWN_MARKERS)
    correct = judge(reply)
    return CaseResult(category=leaf, pattern=pattern.text, question=question, kind=pattern.kind, correct=correct,
                      says_unknown=says_unknown, invented=_invented(reply, shown, said), reply=reply[:500], gold=gold)


Judge = Callable[[str], bool]


def _instantiate(pattern: Pattern, shown: list[Product], rng: random.Random) -> tuple[str, Judge, str] | None:
    index = rng.randrange(3)
    product = shown[index]
    text = pattern.text.replace("{n}", ORDINALS[index])
    attribute = pattern.attribute
    if attribute == "{attr}":
        keys = [k for k in product.attributes if k not in ("color", "size", "material") and not _is_bool(product, k)]
        if not keys:
            return None
        attribute = rng.choice(keys)
    elif attribute == "{bool}":
        keys = sorted({k for p in shown for k in p.attributes if _is_bool(p, k)})
        if not keys:
            return None
        attribute = rng.choice(keys)
    elif attribute == "{num}":
        keys = sorted({k for k in product.attributes if _same_unit([_plain_number(p.values(k)) for p in shown])
                       and all(len(p.values(k)) == 1 for p in shown)})  # "the least size" of a size range is no question
        if not keys:
            return None
        attribute = rng.choice(keys)
    assert attribute is not None
    text = text.replace("{attr}", attribute)
    if pattern.kind == "lookup":
        return _lookup(text, product, attribute)
    if pattern.kind == "unknown":
        if any(attribute in key for key in product.attributes) or attribute in product.description.lower():
            return None
        return text, lambda reply: any(m in reply.lower() for m in UNKNOWN_MARKERS), "the catalog does not say"
    if pattern.kind == "yes_no":
        return _yes_no(text, product, shown, attribute, rng)
    if pattern.kind == "filter":
        return _filter(text, shown, attribute, rng)
    pool = shown[:3] if pattern.kind == "pairwise" else shown
    if pattern.kind == "pairwise":
        picked = [ORDINALS.index(w) for w in re.findall(r"first|second|third", text)]
        pool = [shown[i] for i in picked]
    return _graded(text, pool, shown, attribute, pattern.direction or "max")


def _lookup(text: str, product: Product, attribute: str) -> tuple[str, Judge, str] | None:
    if attribute == "price":
        values = [f"{product.price:,.2f}"]
    elif attribute == "rating":
        if product.rating is None:
            return None
        values = [f"{product.rating:.1f}"]
    elif attribute == "brand":
        if not product.brand:
            return None
        values = [product.brand]
    else:
        values = product.values(attribute)
        if not values:
            return text, lambda reply: any(m in reply.lower() for m in UNKNOWN_MARKERS), "the catalog does not say"
    return text, lambda reply: all(v.lower() in reply.lower() for v in values), ", ".join(values)


def _is_bool(product: Product, key: str) -> bool:
    values = {v.lower() for v in product.values(key)}
    return bool(values) and values <= {"yes", "no"}


def _yes_no(text: str, product: Product, shown: list[Product], attribute: str, rng: random.Random) -> tuple[str, Judge, str] | None:
    if attribute == "stock":
        truth: bool | None = product.in_stock
    elif attribute == "color":
        colours = sorted({c for p in shown for c in p.values("color")} | {"black", "red", "white"})
        value = rng.choice(colours)
        text = text.replace("{value}", value.lower())
        if not product.values("color"):
            truth = None
        else:
            truth = value.lower() in {c.lower() for c in product.values("color")}
    else:
        truth = "yes" in {v.lower() for v in product.values(attribute)} if product.values(attribute) else None
    if truth is None:
        return text, lambda reply: any(m in reply.lower() for m in UNKNOWN_MARKERS), "the catalog does not say"
    word = "yes" if truth else "no"
    return text, lambda reply: reply.strip().lower().startswith(word), word


def _filter(text: str, shown: list[Product], attribute: str, rng: random.Random) -> tuple[str, Judge, str] | None:
    if attribute == "price":
        prices = sorted(p.price for p in shown)
        bound = round((prices[len(prices) // 2] + prices[len(prices) // 2 - 1]) / 2)
        if any(abs(p - bound) < 1 for p in prices):
            return None
        text = text.replace("{price}", f"${bound}")
        passing = [p for p in shown if p.price < bound]
    else:
        passing = [p for p in shown if "yes" in {v.lower() for v in p.values(attribute)}]
    failing = [p for p in shown if p not in passing]

    def judge(reply: str) -> bool:
        low = reply.lower()
        return all(p.title.lower() in low for p in passing) and not any(p.title.lower() in low for p in failing)

    return text, judge, "; ".join(p.title for p in passing) or "none"


def _graded(text: str, pool: list[Product], shown: list[Product], attribute: str, direction: str) -> tuple[str, Judge, str] | None:
    if attribute == "price":
        numbers: list[float | None] = [p.price for p in pool]
    elif attribute == "rating":
        numbers = [p.rating for p in pool]
    else:
        parsed = [_plain_number(p.values(attribute)) for p in pool]
        if not _same_unit(parsed):
            return None
        numbers = [n for n, _ in parsed]  # type: ignore[misc]
    if any(n is None for n in numbers):
        return None
    best = max(numbers) if direction == "max" else min(numbers)  # type: ignore[type-var]
    winners = [p for p, n in zip(pool, numbers) if n == best]
    if len(winners) != 1:
        return None
    winner = winners[0]

    def judge(reply: str) -> bool:
        low = reply.lower()
        first = low.find(winner.title.lower())
        others = [low.find(p.title.lower()) for p in shown if p is not winner and p.title.lower() != winner.title.lower()]
        return first >= 0 and all(o < 0 or o > first for o in others)

    return text, judge, winner.title


def _plain_number(values: list[str]) -> tuple[float, str] | None:
    """The first value's leading number and the words after it ("18 hours" → (18.0, "hours")); no conversions."""
    if not values:
        return None
    match = re.match(r"\s*(\d+(?:,\d{3})*(?:\.\d+)?)\s*(.*)", values[0])
    if not match:
        return None
    return float(match.group(1).replace(",", "")), match.group(2).strip().lower()


def _same_unit(parsed: list[tuple[float, str] | None]) -> bool:
    return all(p is not None for p in parsed) and len({p[1] for p in parsed if p}) == 1


def _facts_text(products: list[Product]) -> str:
    parts = []
    for p in products:
        parts += [p.title, f"{p.price:,.2f}", f"{p.price:.2f}", str(p.review_count), str(p.stock), p.description]
        if p.rating is not None:
            parts.append(f"{p.rating:.1f}")
        parts += [f"{k} {' '.join(v)}" for k, v in p.attributes.items()]
        parts += [f"{v.stock}" for v in p.variants]
        for key in ("color", "size"):  # stock per colour / size: the sum of its variants
            parts += [str(sum(v.stock for v in p.variants if v.attributes.get(key) == value)) for value in p.values(key)]
    return " ".join(parts)


def _invented(reply: str, shown: list[Product], said: set[str]) -> list[str]:
    """Numbers in ``reply`` that no shown product's facts nor the shopper's message contain (list positions and
    "out of 5" excepted; "$107.00" counts as the shopper's "$107")."""
    facts = {n.replace(",", "") for n in _NUMBER.findall(_facts_text(shown))} | said | {f"{n}.00" for n in said}
    body = re.sub(r"^\s*\d+\.\s", "", reply, flags=re.M).replace("out of 5", "")
    found = [n for n in _NUMBER.findall(body) if n.replace(",", "") not in facts]
    return [n for n in found if n not in {"1", "2", "3", "4", "5"}]


def _report(results: list[CaseResult], catalog: str, skipped: int, categories: int) -> QaReport:
    by_kind: dict[str, list[bool]] = defaultdict(list)
    for r in results:
        by_kind[r.kind].append(r.correct)
    says = [r for r in results if r.says_unknown]
    truly_unknown = [r for r in results if r.gold == "the catalog does not say"]
    return QaReport(
        catalog=catalog, cases=len(results), categories=categories, patterns=len(Counter(r.pattern for r in results)),
        accuracy=round(sum(r.correct for r in results) / len(results), 4) if results else 0.0,
        accuracy_by_kind={k: round(sum(v) / len(v), 4) for k, v in sorted(by_kind.items())},
        doesnt_say_precision=round(sum(r.gold == "the catalog does not say" for r in says) / len(says), 4) if says else None,
        doesnt_say_recall=round(sum(r.says_unknown for r in truly_unknown) / len(truly_unknown), 4) if truly_unknown else None,
        replies_with_invented_values=sum(bool(r.invented) for r in results), skipped=skipped,
        errors=[r for r in results if not r.correct or r.invented][:40],
    )
