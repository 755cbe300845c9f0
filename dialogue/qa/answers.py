"""Answers to product questions computed from catalog facts only; when the catalog does not say, the answer says so.

``answer`` takes the question's shape (:mod:`dialogue.qa.questions`), the products it is about and the message's
slots, and returns a :class:`QaAnswer`: the fact sentences a reply may use, the products to show (the answer's
subject first) and, for tests and the evaluation, the attribute and per-product values it read.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence

import numpy as np
from pydantic import BaseModel, Field

from core.language import detect_language
from core.money import money
from dialogue.lexicon import attribute_words, listing, normalize, tokens_of
from dialogue.qa.attributes import AttributeMatcher
from dialogue.qa.attributes_zh import NOT_TOPICS_ZH
from dialogue.qa.quantities import Quantity, parse_quantity
from dialogue.qa.questions import GRADED, GRADED_PHRASES, RECOMMENDING, Question, QuestionKind, which_predicate
from dialogue.qa.reviews import representative_quotes, summarize_reviews
from dialogue.reply_facts import AnswerDetail, DetailForm
from retrieval.lexical import tokenize
from retrieval.models import CORE_ATTRIBUTES, NO_VALUES, WHOSE, YES_VALUES, Product, SearchConstraints, value_phrase

#: A Chinese filter on stock (哪些有货, 哪个还有库存).
_STOCK_ZH = re.compile(r"有货|现货|库存|能发货|没卖完")
LABELS = {"price": "price", "rating": "rating", "reviews": "number of reviews", "stock": "stock", "brand": "brand"}


class ProductValue(BaseModel):
    product_id: str
    title: str
    value: str | None = Field(description="The catalog's value as written; None when the catalog does not say.")


class QaAnswer(BaseModel):
    kind: QuestionKind
    known: bool
    attribute: str | None = None
    sentences: list[str] = Field(default_factory=list)
    product_ids: list[str] = Field(default_factory=list, description="What the answer is about, its subject first.")
    values: list[ProductValue] = Field(default_factory=list)
    verdict: bool | None = Field(default=None, description="A yes/no question's answer (None: not yes/no or unknown).")
    details: list[AnswerDetail] = Field(default_factory=list, description="The answer as catalog values, for replies in "
                                        "other languages (one product's look-ups, yes/no answers and reviews).")
    unchecked: str | None = Field(default=None, description='What a "which of them …" question asked that no catalog field '
                                  'tells, in its own words ("is easier to clean", 更好清洗).')


class Mentioned(BaseModel):
    """Catalog values the message names (from slot extraction): checked by yes/no questions and filters."""

    colors: list[str] = Field(default_factory=list)
    sizes: list[str] = Field(default_factory=list)
    materials: list[str] = Field(default_factory=list)
    brands: list[str] = Field(default_factory=list)
    price_min: float | None = None
    price_max: float | None = None
    quantity: int | None = Field(default=None, description='"how much are two of them": what the price is asked for.')
    features: dict[str, list[str]] = Field(default_factory=dict, description='Product features named in the catalog\'s words '
                                           '("which are OLED?", 哪些是嵌入式的): attribute → values (``dialogue.features``).')


def answer(question: Question, text: str, products: Sequence[Product], mentioned: Mentioned | None = None,
           embed: Callable[[str], np.ndarray] | None = None, known_keys: Iterable[str] = (),
           others: Sequence[Product] = ()) -> QaAnswer:
    """The answer to ``text`` (read as ``question``) about ``products`` (one for a look-up or yes/no, the shown
    ones for a superlative or filter, two for a pairwise comparison). ``known_keys``: other attribute names the
    question may mean (those of the products on screen), so that one a product lacks is reported as not stated
    instead of being mistaken for another. ``others``: the other products in view, named when the one asked about
    does not come in a colour, size or material they do."""
    mentioned = mentioned or Mentioned()
    present = {k for p in products for k in p.attributes} | set(known_keys)
    matcher = AttributeMatcher(present | set(CORE_ATTRIBUTES), embed, present=present)
    if question.kind == "reviews":
        return _reviews(products[0])
    if question.kind in ("superlative", "pairwise"):
        return _graded(question, text, products, matcher)
    if question.kind == "filter":
        return _filter(text, products, mentioned, matcher)
    if question.kind == "yes_no":
        return _yes_no(text, products[0], mentioned, matcher, others)
    if question.kind == "overview":
        return _overview(products[0])
    return _lookup(question, text, products[0], matcher, mentioned.quantity)


# --- values --------------------------------------------------------------------------------------------------------
def value_text(product: Product, attribute: str) -> str | None:
    """The catalog's value of ``attribute`` (an attribute key or a product field) in words; None when absent."""
    if attribute == "price":
        return money(product.price, product.currency)
    if attribute == "rating":
        return f"{product.rating:.1f} out of 5 from {product.review_count or 0:,} reviews" if product.rating is not None else None
    if attribute == "reviews":
        return f"{product.review_count or 0:,} reviews"
    if attribute == "stock":
        return f"{product.stock} in stock" if product.stock else "out of stock"
    if attribute == "brand":
        return product.brand
    values = product.values(attribute)
    return ", ".join(values) if values else None


def yes_no_value(product: Product, attribute: str) -> bool | None:
    """A yes/no attribute's value ("waterproof: yes"); None when the product lacks it or its values are not yes/no."""
    flags = {normalize(v) for v in product.values(attribute)}
    return bool(flags & YES_VALUES) if flags and flags <= YES_VALUES | NO_VALUES else None


def quantity_of(product: Product, attribute: str) -> Quantity | None:
    if attribute == "price":
        return Quantity(value=product.price, family="usd", text=money(product.price, product.currency))
    if attribute == "rating":
        return Quantity(value=product.rating, family="stars", text=f"{product.rating:.1f}") if product.rating is not None else None
    if attribute == "reviews":
        return Quantity(value=float(product.review_count), family="count", text=str(product.review_count))
    if attribute == "stock":
        return Quantity(value=float(product.stock), family="count", text=str(product.stock))
    values = product.values(attribute)
    if not values:
        return None
    parsed = [q for q in (parse_quantity(v) for v in values) if q is not None]
    if not parsed:
        return None
    return max(parsed, key=lambda q: q.value)  # "sizes 8, 9, 10": the largest it comes in


def _label(attribute: str) -> str:
    return LABELS.get(attribute) or attribute_words(attribute)


def _values(products: Sequence[Product], attribute: str | None) -> list[ProductValue]:
    return [ProductValue(product_id=p.id, title=p.title, value=value_text(p, attribute) if attribute else None) for p in products]


def _detail(form: DetailForm, product: Product, attribute: str | None, **given: object) -> AnswerDetail:
    """``product``'s catalog values for ``attribute`` as an :class:`AnswerDetail` (``given``: the rest of it)."""
    values: dict[str, object] = {}
    if attribute == "price":
        values = {"price": product.price, "currency": product.currency}
    elif attribute in ("rating", "reviews"):
        values = {"rating": product.rating, "review_count": product.review_count}
    elif attribute == "stock":
        values = {"stock": product.stock}
    elif attribute == "brand":
        values = {"values": [product.brand] if product.brand else []}
    elif attribute is not None:
        values = {"values": product.values(attribute), "sold_out": _sold_out(product, attribute)}
    return AnswerDetail(form=form, title=product.title, attribute=attribute, **{**values, **given})  # type: ignore[arg-type]


# --- look-ups ------------------------------------------------------------------------------------------------------
def _lookup(question: Question, text: str, product: Product, matcher: AttributeMatcher, quantity: int | None = None) -> QaAnswer:
    attribute = matcher.match(text, question.cue)
    if attribute is None:
        quoted = _description_sentences(text, product)
        if quoted:
            return QaAnswer(kind="lookup", known=True, sentences=[f"From the {product.title}'s description: {' '.join(quoted)}"],
                            product_ids=[product.id], details=[_detail("quote", product, None, quote=quoted)])
        return _unknown("lookup", product, None)
    value = value_text(product, attribute)
    if value is None:
        return _unknown("lookup", product, attribute)
    flag = yes_no_value(product, attribute)
    if flag is not None:  # "the third one, washable cover?": a yes/no fact reads as one
        return _flag(product, attribute, flag)
    if attribute == "price" and quantity and quantity > 1:  # "how much would two of the first cost"
        total = money(round(product.price * quantity, 2), product.currency)
        sentences = [f"{quantity} × the {product.title} cost {total} ({value} each)."]
        details = [_detail("value", product, attribute, quantity=quantity)]
    else:
        sentences = [_fact_sentence(product, attribute, value), *_variant_stock(product, attribute)]
        details = [_detail("value", product, attribute)]
    return QaAnswer(kind="lookup", known=True, attribute=attribute, sentences=sentences, product_ids=[product.id],
                    values=_values([product], attribute), details=details)


def _fact_sentence(product: Product, attribute: str, value: str) -> str:
    if attribute == "price":
        return f"The {product.title} costs {value}."
    if attribute == "rating":
        return f"The {product.title} is rated {value}."
    if attribute == "stock":
        return f"The {product.title} is {value}."
    if attribute == "brand":
        return f"The {product.title} is made by {value}."
    if attribute == "reviews":
        return f"The {product.title} has {value}."
    if attribute in ("color", "size"):
        return f"The {product.title} comes in {'these colours' if attribute == 'color' else 'these sizes'}: {value}."
    if attribute == "material":
        return f"The {product.title} is made of {value}."
    return f"The {product.title}'s {attribute_words(attribute)}: {value}."


def _variant_stock(product: Product, attribute: str) -> list[str]:
    """For sizes and colours of a product with variants: which of them are sold out."""
    sold_out = _sold_out(product, attribute)
    return [f"Sold out in {', '.join(_option(attribute, v) for v in sold_out)}."] if sold_out else []


def _sold_out(product: Product, attribute: str) -> list[str]:
    if attribute not in ("color", "size") or not product.variants:
        return []
    return [v for v in product.values(attribute) if not _variant_count(product, attribute, v)]


def _variant_count(product: Product, attribute: str, value: str) -> int:
    wanted = normalize(value)
    return sum(v.stock for v in product.variants if normalize(v.attributes.get(attribute, "")) == wanted)


def _unknown(kind: QuestionKind, product: Product, attribute: str | None) -> QaAnswer:
    if attribute is None:
        sentence = f"The catalog doesn't say that about the {product.title}."
    elif kind == "yes_no":  # not "the programmable of"
        label = _label(attribute)
        owned = f"is {label}" if _adjective(attribute) else f"has {_thing(label)}"
        sentence = f"The catalog doesn't say whether the {product.title} {owned}."
    else:
        sentence = f"The catalog doesn't say the {_label(attribute)} of the {product.title}."
    return QaAnswer(kind=kind, known=False, attribute=attribute, product_ids=[product.id],
                    sentences=[sentence], values=_values([product], attribute),
                    details=[AnswerDetail(form="unknown", title=product.title, attribute=attribute)])


def _description_sentences(text: str, product: Product) -> list[str]:
    """Description sentences sharing a word with the question, not counting words of the product's own title and
    category ("is the dishwasher dishwasher safe" must not quote a sentence for saying "dishwasher")."""
    own = set(tokenize([" ".join([product.title, *product.category])])[0])
    stems = set(tokenize([text])[0]) - own - {"first", "second", "third", "last", "one", "tell", "know", "much", "product", "item"}
    stems = {s for s in stems if not NOT_TOPICS_ZH.match(s)}  # 第三个, 这款, 多少: references and question words
    if not stems or not product.description:
        return []
    return [s for s in _described(product) if stems & set(tokenize([s])[0])][:2]


def _described(product: Product) -> list[str]:
    """The sentences of ``product``'s description (English or Chinese)."""
    return [s.strip() for s in re.split(r"(?<=[.!?])\s+|(?<=[。！？])", product.description or "") if s.strip()]


# --- the whole product ---------------------------------------------------------------------------------------------
OVERVIEW_ATTRIBUTES = 6
OVERVIEW_VALUES = 6


def _overview(product: Product) -> QaAnswer:
    """"Tell me more about the second one": its price, rating and stock, its attributes (colours and sizes last, a
    few values each) and the first sentences of its description, all as the catalog writes them."""
    standing = f"The {product.title} costs {money(product.price, product.currency)}"
    if product.rating is not None:
        standing += f" and is rated {product.rating:.1f} out of 5 from {product.review_count or 0:,} reviews"
    sentences = [standing + ("." if product.in_stock else "; it is out of stock right now.")]
    keys = sorted(product.attributes, key=lambda k: k in ("color", "size"))[:OVERVIEW_ATTRIBUTES]  # stable: catalog order
    shown = {k: product.values(k)[:OVERVIEW_VALUES] for k in keys if product.values(k)}
    if shown:
        sentences.append("Details: " + "; ".join(f"{attribute_words(k)}: {', '.join(v)}" for k, v in shown.items()) + ".")
    described = _described(product)[:2]
    if described:
        sentences.append(f"From its description: {' '.join(described)}")
    lead = AnswerDetail(form="overview", title=product.title, price=product.price, currency=product.currency,
                        rating=product.rating, review_count=product.review_count, stock=product.stock, quote=described)
    details = [lead, *(AnswerDetail(form="value", title=product.title, attribute=k, values=v) for k, v in shown.items())]
    return QaAnswer(kind="overview", known=True, sentences=sentences, product_ids=[product.id], details=details)


# --- yes / no ------------------------------------------------------------------------------------------------------
def _yes_no(text: str, product: Product, mentioned: Mentioned, matcher: AttributeMatcher, others: Sequence[Product] = ()) -> QaAnswer:
    for attribute, wanted in (("color", mentioned.colors), ("size", mentioned.sizes), ("material", mentioned.materials)):
        if wanted:
            return _offers(product, attribute, wanted, others)
    if mentioned.brands:
        has = bool(product.brand) and normalize(product.brand or "") in {normalize(b) for b in mentioned.brands}
        return _verdict(product, "brand", has, f"the {product.title} is made by {product.brand or 'a brand the catalog does not name'}",
                        asked=mentioned.brands)
    value_hit = _named_value(text, product)
    if value_hit is not None:
        attribute, value = value_hit
        return QaAnswer(kind="yes_no", known=True, attribute=attribute, verdict=True, product_ids=[product.id],
                        sentences=[f"Yes — the {product.title}'s {attribute_words(attribute)} is {value}."], values=_values([product], attribute),
                        details=[_detail("verdict", product, attribute, verdict=True, asked=[value])])
    feature = _named_feature(product, mentioned)
    if feature is not None:  # "is it built-in?" of a portable one: no, and what it is
        attribute, wanted = feature
        values = product.values(attribute)
        has = bool({normalize(v) for v in values} & {normalize(w) for w in wanted})
        return _verdict(product, attribute, has, f"the {product.title}'s {attribute_words(attribute)} is {', '.join(values)}", asked=wanted)
    attribute = matcher.match(text, None, allow_fields=False)
    if attribute is not None:
        values = product.values(attribute)
        if not values:
            return _unknown("yes_no", product, attribute)
        flag = yes_no_value(product, attribute)
        if flag is not None:
            return _flag(product, attribute, flag)
        return QaAnswer(kind="yes_no", known=True, attribute=attribute, product_ids=[product.id],
                        sentences=[f"The catalog lists the {product.title}'s {attribute_words(attribute)} as {', '.join(values)}."],
                        values=_values([product], attribute), details=[_detail("value", product, attribute)])
    field = matcher.match(text, None)
    if field == "stock":
        stock = f"in stock ({product.stock} available)" if product.in_stock else "out of stock right now"
        return _verdict(product, "stock", product.in_stock, f"the {product.title} is {stock}")
    quoted = _description_sentences(text, product)
    if quoted:
        return QaAnswer(kind="yes_no", known=True, product_ids=[product.id],
                        sentences=[f"The catalog doesn't answer that directly; the {product.title}'s description says: {' '.join(quoted)}"],
                        details=[_detail("quote", product, None, quote=quoted)])
    return _unknown("yes_no", product, None)


def _flag(product: Product, attribute: str, has: bool) -> QaAnswer:
    if _adjective(attribute):
        return _verdict(product, attribute, has, f"the {product.title} is {'' if has else 'not '}{attribute}")
    return _verdict(product, attribute, has, f"the {product.title} {'has' if has else 'does not have'} {_thing(attribute)}"
                    if not attribute.endswith("included") else
                    f"{attribute.removesuffix(' included')} is {'' if has else 'not '}included with the {product.title}")


#: The last words of yes/no attributes that name a thing a product has ("third rack": "has a third rack").
_COUNTABLE = frozenset({"maker", "rack", "shelf", "hole", "tray", "frother", "port", "monitor", "strap", "cover", "filter"})


def _adjective(attribute: str) -> bool:
    """"waterproof", "dishwasher safe", "dimmable": yes/no attributes that read as "is (not) <attribute>"."""
    return not attribute.endswith(("included", "support", "control", "armrests", "drawers", "gps")) and not _countable(attribute)


def _thing(attribute: str) -> str:
    """A thing a product has, with its article where it takes one: "a third rack", "lumbar support", "gps"."""
    return f"a {attribute}" if _countable(attribute) else attribute


def _countable(attribute: str) -> bool:
    return attribute.rsplit(" ", 1)[-1] in _COUNTABLE


def _verdict(product: Product, attribute: str, has: bool, fact: str, asked: Sequence[str] = ()) -> QaAnswer:
    return QaAnswer(kind="yes_no", known=True, attribute=attribute, verdict=has, product_ids=[product.id],
                    sentences=[f"{'Yes' if has else 'No'} — {fact}."], values=_values([product], attribute),
                    details=[_detail("verdict", product, attribute, verdict=has, asked=list(asked))])


def _offers(product: Product, attribute: str, wanted: list[str], others: Sequence[Product] = ()) -> QaAnswer:
    """"Does it come in black / in size M": yes with the variant's stock, or no with what it comes in (and which of
    ``others``, at most two, do)."""
    available = product.values(attribute)
    label = {"color": "colours", "size": "sizes", "material": "materials"}[attribute]
    if not available:
        return QaAnswer(kind="yes_no", known=False, attribute=attribute, product_ids=[product.id],
                        sentences=[f"The catalog doesn't list {label} for the {product.title}."],
                        details=[AnswerDetail(form="unknown", title=product.title, attribute=attribute)])
    asked = {normalize(w) for w in wanted}
    matches = [v for v in available if normalize(v) in asked]
    if not matches:
        offered = [(p, v) for p in others if p.id != product.id
                   and (v := next((v for v in p.values(attribute) if normalize(v) in asked), None)) is not None][:2]
        return QaAnswer(kind="yes_no", known=True, attribute=attribute, verdict=False,
                        product_ids=[product.id, *(p.id for p, _ in offered)],
                        sentences=[f"No — the {product.title} comes {_only_in(attribute, available)}, "
                                   f"not in {' or '.join(_option(attribute, w) for w in wanted)}.",
                                   *(f"The {p.title} does come in {_option(attribute, v)}." for p, v in offered)],
                        values=_values([product], attribute),
                        details=[_detail("offers", product, attribute, verdict=False, asked=list(wanted)),
                                 *(AnswerDetail(form="alternative", title=p.title, attribute=attribute, asked=[v]) for p, v in offered)])
    value = matches[0]
    count = product.stock
    if attribute == "material":
        sentence = f"Yes — the {product.title} is made of {', '.join(available)}."
    elif product.variants:
        count = _variant_count(product, attribute, value)
        option = _option(attribute, value)
        sentence = (f"Yes — the {product.title} comes in {option}, with {count} in stock." if count else
                    f"The {product.title} comes in {option}, but it is sold out in {option} right now.")
    else:
        sentence = f"Yes — the {product.title} comes in {_option(attribute, value)}" + (
            f" ({product.stock} in stock)." if product.in_stock else ", but it is out of stock right now.")
    return QaAnswer(kind="yes_no", known=True, attribute=attribute, verdict=True, product_ids=[product.id], sentences=[sentence],
                    values=_values([product], attribute),
                    details=[_detail("offers", product, attribute, verdict=True, asked=[value], stock=count)])


def _option(attribute: str, value: str) -> str:
    return f"size {value}" if attribute == "size" else value


def _only_in(attribute: str, values: list[str]) -> str:
    """"only in Gray", "in Gray and Black", "in sizes 8, 9 and 10"."""
    if len(values) == 1:
        return f"only in {_option(attribute, values[0])}"
    return f"in sizes {listing(values)}" if attribute == "size" else f"in {listing(values)}"


#: What a product comes in (its variants' colours, sizes, materials): asked about, answered by :func:`_offers`.
_OFFERED = ("color", "size", "material")


def _named_value(text: str, product: Product) -> tuple[str, str] | None:
    """An attribute value of the product that the question names word for word ("is it 4K", "is it the 12-core",
    是嵌入式的吗)."""
    words = f" {normalize(text)} "
    for attribute, values in product.attributes.items():
        for value in values:
            norm = normalize(value)
            named = f" {norm} " in words or (detect_language(norm) == "zh" and norm in words)  # Chinese has no spaces
            if norm and norm not in YES_VALUES | NO_VALUES and len(norm) > 1 and named and attribute not in _OFFERED:
                return attribute, value
    return None


def _named_feature(product: Product, mentioned: Mentioned) -> tuple[str, list[str]] | None:
    """A feature the question names in the catalog's words (``Mentioned.features``: "built-in", "at least 12 hours")
    that the product lists a value for, not a yes/no flag (those are answered as flags): the attribute and the values
    that would mean yes."""
    for attribute, wanted in mentioned.features.items():
        values = product.values(attribute)
        if values and attribute not in _OFFERED and \
                not all(normalize(v) in YES_VALUES | NO_VALUES for v in values):
            return attribute, wanted
    return None


# --- superlatives and pairwise comparisons -------------------------------------------------------------------------
#: What a graded word's cue is about when no attribute of the products names it ("lightest": their weight).
_CUE_TOPICS = {"weight": "weight", "noise": "noise level", "long": "length", "width": "width", "height": "height",
               "thickness": "thickness", "power": "power"}
#: Attributes of which less is better ("the best price" is the lowest).
LESS_IS_BETTER = re.compile(r"^price$|noise|weight|噪音|重量|分贝")


def _graded(question: Question, text: str, products: Sequence[Product], matcher: AttributeMatcher) -> QaAnswer:
    attribute = matcher.match(text, question.cue)
    said = _graded_word(text)
    if question.cue == "rating" and said in {"best", "better", "worst", "worse"} and \
            (named := matcher.named(text)) not in (None, "rating", "reviews"):
        best = said in {"best", "better"}  # "which has the best camera": the camera, not the rating
        attribute = named
        question = question.model_copy(update={"cue": None, "direction": "min" if best == bool(LESS_IS_BETTER.search(named)) else "max"})
    if attribute is None and question.cue == "big":
        attribute = next((k for k in ("screen size", "capacity", "size", "volume") if k in matcher.keys), None)
    if attribute is None and (topic := _CUE_TOPICS.get(question.cue or "")) is not None:
        attribute = topic  # "which is the lightest?" of laptops that list no weight: said so below
    if attribute is None:
        return _described_instead(text, products) or QaAnswer(
            kind=question.kind, known=False, product_ids=[p.id for p in products],
            sentences=["I couldn't tell which detail to compare them on."])
    quantities = {p.id: quantity_of(p, attribute) for p in products}
    families = Counter(q.family for q in quantities.values() if q is not None)
    label = _label(attribute)
    if not families:
        return QaAnswer(kind=question.kind, known=False, attribute=attribute, product_ids=[p.id for p in products],
                        sentences=[f"The catalog doesn't list the {label} of {'these products' if len(products) > 2 else 'either product'}."],
                        values=_values(products, attribute))
    family = families.most_common(1)[0][0]
    highest = question.direction != "min"

    def rank(p: Product) -> tuple[float, ...]:  # equal ratings: more reviews first (4.1 from 450 is a surer 4.1 than from 59)
        value = quantities[p.id].value  # type: ignore[union-attr]
        return (value, p.review_count if highest else -p.review_count) if attribute == "rating" else (value,)

    ranked = sorted((p for p in products if (q := quantities[p.id]) is not None and q.family == family), key=rank, reverse=highest)
    winners = [p for p in ranked if rank(p) == rank(ranked[0])]
    word = said or ("highest" if question.direction == "max" else "lowest")
    if attribute == "rating" and word in {"best", "worst"}:
        word = f"{word} rated"  # "which is the best value?": by rating, and said so
    heading = word.capitalize() if question.cue and question.cue in {"price", "noise", "weight", "width", "height", "thickness",
                                                                      "power", "rating", "reviews"} else f"{word.capitalize()} {label}"
    if len(winners) == len(ranked) and len(ranked) > 1:
        sentence = f"They are the same on {label}: {value_text(ranked[0], attribute)}."
    else:
        names = listing([f"the {p.title}" for p in winners])
        sentence = f"{heading}: {names} ({value_text(winners[0], attribute)})."
    sentences = [sentence]
    others = [p for p in ranked if p not in winners]
    if others:
        sentences.append(("The other: " if len(others) == 1 else "The others: ") + "; ".join(f"{p.title} — {value_text(p, attribute)}" for p in others[:4]) + ".")
    missing = [p for p in products if p not in ranked]
    if missing:
        sentences.append(f"The catalog doesn't list the {label} of the {', '.join(p.title for p in missing[:3])}.")
    # for replies in other languages: the winners (verdict True, ``graded`` the phrase as said), the others
    # (verdict False) in rank order, then those the catalog has no value for
    details = [_detail("value", p, attribute, verdict=True, graded=question.said) for p in winners] + \
        [_detail("value", p, attribute, verdict=False) for p in others] + \
        [AnswerDetail(form="unknown", title=p.title, attribute=attribute) for p in missing]
    return QaAnswer(kind=question.kind, known=True, attribute=attribute, sentences=sentences,
                    product_ids=[p.id for p in winners + others + missing], values=_values(products, attribute), details=details)


def _described_instead(text: str, products: Sequence[Product]) -> QaAnswer | None:
    """"Which one is easier to clean?": no catalog attribute ranks or filters them on that, but descriptions that
    mention it are quoted, product by product, as written; None when no description does."""
    quoted = [(p, q) for p in products if (q := _description_sentences(text, p))]
    if not quoted:
        return None
    sentences = ["No catalog detail ranks them on that."]
    sentences += [f"From the {p.title}'s description: {' '.join(q)}" for p, q in quoted]
    return QaAnswer(kind="lookup", known=True, sentences=sentences, product_ids=[p.id for p, _ in quoted],
                    details=[_detail("quote", p, None, quote=q) for p, q in quoted])


def _graded_word(text: str) -> str | None:
    lowered = text.lower()
    for phrase, _, _ in GRADED_PHRASES:
        if phrase in lowered:
            return "best rated" if phrase in RECOMMENDING else phrase
    return next((w for w in tokens_of(lowered) if w in GRADED and w not in {"more", "less", "most", "least"}), None)


# --- filters over what was shown -----------------------------------------------------------------------------------
def _filter(text: str, products: Sequence[Product], mentioned: Mentioned, matcher: AttributeMatcher) -> QaAnswer:
    tests: list[tuple[str, Callable[[Product], bool]]] = []
    topics: list[tuple[str, list[str]]] = []  # the attributes checked and the values asked, for the details
    low, high = mentioned.price_min, mentioned.price_max
    currency = products[0].currency if products else "USD"  # one catalog, one currency
    bound = SearchConstraints(price_min=low, price_max=high).price_phrase(currency)
    if bound is not None:
        tests.append((bound, lambda p: (high is None or p.price <= high) and (low is None or p.price >= low)))
        topics.append(("price", []))
    for attribute, wanted in (("color", mentioned.colors), ("size", mentioned.sizes), ("material", mentioned.materials)):
        if wanted:
            tests.append((f"available in {' or '.join(wanted)}",
                          lambda p, a=attribute, w=wanted: any(p.has_value(a, v) for v in w)))
            topics.append((attribute, list(wanted)))
    if mentioned.brands:
        tests.append((f"from {' or '.join(mentioned.brands)}",
                      lambda p: normalize(p.brand or "") in {normalize(b) for b in mentioned.brands}))
        topics.append(("brand", list(mentioned.brands)))
    for attribute, values in mentioned.features.items():
        tests.append((" or ".join(value_phrase(attribute, v) for v in values), lambda p, a=attribute, w=values: any(p.has_value(a, v) for v in w)))
        topics.append((attribute, list(values)))
    if not tests:
        attribute = matcher.match(text, None, allow_fields=False)
        if attribute is not None and any(yes_no_value(p, attribute) is not None for p in products):
            tests.append((attribute, lambda p, a=attribute: bool(yes_no_value(p, a))))
            topics.append((attribute, []))
        elif (named := next(filter(None, (_named_value(text, p) for p in products)), None)) is not None:
            attribute, value = named  # "which ones are built-in?", "which are OLED?"
            tests.append((value, lambda p, a=attribute, v=value: p.has_value(a, v)))
            topics.append((attribute, [value]))
        elif "stock" in text.lower() or "available" in text.lower() or _STOCK_ZH.search(text):
            tests.append(("in stock", lambda p: p.in_stock))
            topics.append(("stock", []))
    if not tests:
        said = which_predicate(text)
        sentence = f"The catalog doesn't say which of them {said}." if said else "I couldn't tell what to check them for."
        return _described_instead(text, products) or QaAnswer(
            kind="filter", known=False, product_ids=[p.id for p in products], sentences=[sentence], unchecked=said)
    description = " and ".join(WHOSE.get(name, name) for name, _ in tests)  # "women's", not "women"
    passing = [p for p in products if all(check(p) for _, check in tests)]
    shown = f"the {len(products)} shown" if len(products) > 1 else "the one shown"
    # a feature named by a plural noun is had, not been: "None of the 5 shown has drawers" (not "is drawers")
    one, many = ("has", "have") if len(tests) == 1 and topics[0][0] not in ("price", "stock") \
        and all(v.lower() in YES_VALUES for v in topics[0][1]) and _is_plural_noun(description) else ("is", "are")
    if not passing:
        sentence = f"None of {shown} {one} {description}."
    elif len(passing) == len(products) > 2:  # "are they waterproof?": all of them, without listing the cards again
        sentence = f"All {len(products)} shown {many} {description}."
    else:
        listed = "; ".join(f"{p.title} — {money(p.price, p.currency)}" for p in passing)
        sentence = f"{len(passing)} of {shown} {one if len(passing) == 1 else many} {description}: {listed}."
    # for replies in other languages: every product shown, passing ones (verdict True) first, on the first topic checked
    # (``asked``: the values the message named, 纯棉 / XL)
    topic, asked = topics[0]
    details = [_detail("value", p, topic, verdict=p in passing, asked=asked, price=p.price, currency=p.currency)
               for p in passing + [p for p in products if p not in passing]]
    return QaAnswer(kind="filter", known=True, sentences=[sentence], product_ids=[p.id for p in passing] or [p.id for p in products],
                    details=details)


def _is_plural_noun(words: str) -> bool:
    """Whether an attribute name ends in a plural noun ("drawers", "usb ports"; not "glass", "wireless")."""
    last = words.split()[-1].lower() if words.split() else ""
    return last.isascii() and last.isalpha() and last.endswith("s") and not last.endswith(("ss", "us", "is"))


# --- reviews -------------------------------------------------------------------------------------------------------
def _reviews(product: Product) -> QaAnswer:
    summary = summarize_reviews(product)
    rating = value_text(product, "rating")
    quotes = representative_quotes([r for r in product.reviews if r.rating is not None and r.rating >= 4])
    detail = _detail("reviews", product, "reviews", quote=quotes)
    if not summary:
        tail = f" It is rated {rating}." if rating else ""
        return QaAnswer(kind="reviews", known=False, attribute="reviews", product_ids=[product.id],
                        sentences=[f"The catalog has no review texts for the {product.title}.{tail}"], details=[detail])
    lead = f"The {product.title} is rated {rating}." if rating else f"What reviewers say about the {product.title}:"
    return QaAnswer(kind="reviews", known=True, attribute="reviews", product_ids=[product.id], sentences=[lead, *summary],
                    details=[detail])
