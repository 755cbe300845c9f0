"""Deterministic replies written from the plan alone: no model, every fact straight from the plan. Used by tests,
on machines without a GPU, and as the fallback of every model backend.

Every text comes from the phrasebook of the plan's language (``phrases``: English or Chinese, the same keys); prices
are written in the products' currency. Free text the dialogue manager wrote (a clarifying question, the constraints
in words) is quoted when it is in the reply's language; otherwise a Chinese reply says it its own way."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from assistant.generators.base import HistoryTurn
from assistant.generators.phrases import (
    DEFAULT_CURRENCY,
    Phrasebook,
    comparison_cell,
    localize_quick_reply,
    money,
    phrasebook,
    plan_currency,
)
from core.language import Language
from dialogue.actions import Action
from dialogue.plan import ProductCard, ReplyPlan
from dialogue.relaxation import category_noun
from dialogue.reply_facts import (
    AnswerDetail,
    AnswerFacts,
    CancelOrderFacts,
    CartAddFacts,
    CartRemoveFacts,
    CheckoutFacts,
    ClarificationFacts,
    FallbackFacts,
    GoodbyeFacts,
    GreetFacts,
    HandoffFacts,
    OrderFacts,
    OrderStatusFacts,
    PolicyFacts,
    ResetFacts,
    ReturnItemFacts,
    ShippingQuote,
    ShowProductsFacts,
)
from retrieval.models import WHOSE, YES_VALUES


def card_line(card: ProductCard, language: Language = "en") -> str:
    p = phrasebook(language)
    rating = p("line.rating", rating=card.rating) if card.rating is not None else ""
    stock = "" if card.in_stock else p["line.out_of_stock"]
    return p("line.card", position=card.position, title=card.title, price=money(card.price, card.currency), rating=rating, stock=stock)


@dataclass(frozen=True)
class Writer:
    """What a renderer writes with: the plan's phrasebook and the currency of its amounts."""

    p: Phrasebook
    currency: str

    def money(self, value: float) -> str:
        return money(value, self.currency)


#: How alternatives differ from the request, by the constraint relaxed to find them (phrasebook keys).
_ALTERNATIVES = ("brand", "colour", "size", "material", "price", "rating", "stock")


def _products(plan: ReplyPlan, w: Writer) -> str:
    text = _found(plan, w)
    ask = plan.products and plan.facts_as(ShowProductsFacts).ask_which_to_add
    return f"{text}\n{w.p['products.which_to_add']}" if ask else text


def _found(plan: ReplyPlan, w: Writer) -> str:
    p = w.p
    f = plan.facts_as(ShowProductsFacts)
    more = p["fmt.more"] if f.more else ""
    unmatched = p.own_words(f.unmatched)
    n = len(plan.products)
    if not plan.products:
        not_carried = [t for t in f.not_carried if p.own_words(t)]
        if not_carried:  # a kind of product the shop does not sell at all
            return p.sentences([p("products.not_carried", items=p["fmt.or"].join(not_carried)), p["products.what_else"]])
        if f.nothing_for:  # what someone likes, and nothing the shop sells goes with it
            return p("products.nothing_for", pastime=f.nothing_for)
        if unmatched:
            return p("products.none_of", more=more, unmatched=unmatched)
        scope = p("fmt.scope", category=f.category, category_lower=category_noun(f.category)) if f.category else ""
        return p("products.none", scope=scope)
    sold_out = p["products.sold_out"] if f.all_out_of_stock else ""
    lines = [card_line(c, p.language) for c in plan.products]
    if f.relaxed:  # the products are alternatives: say what matched nothing, and how these differ
        not_carried = [t for t in f.not_carried if p.own_words(t)]
        if not_carried and len(not_carried) == len(f.not_carried):
            lead = p("products.not_carried", items=p["fmt.or"].join(not_carried))
        elif unmatched:
            lead = p("products.no_more_of", more=more, unmatched=unmatched)
        else:
            lead = p("products.no_more", more=more)
        how = p["fmt.and"].join(p(f"alt.{r}") if r in _ALTERNATIVES else p("alt.other", name=r) for r in f.relaxed)
        head = p("products.alternatives_one" if n == 1 else "products.alternatives_many", lead=lead, sold_out=sold_out, count=n, how=how)
        return "\n".join([head, *lines])
    constraints = p.own_words(f.constraints)
    detail = p("fmt.detail", constraints=constraints) if constraints else ""
    if f.more:
        key = "products.more"
    elif f.note == "similar":
        key = "products.similar"
    elif f.note == "avoiding":
        key = "products.avoiding"
    elif f.note == "again":
        key = "products.again"
    elif n == 1:
        key = "products.one"
    else:
        key = "products.many"
    if n == 1 and key != "products.one":
        key = f"{key}_one"  # "Here is one more", not "Here are 1 more …"
    head = p(key, count=n, things=_things(f.category, p), detail=detail)
    lead = p("products.nothing_for_these", pastime=f.nothing_for) if f.nothing_for else ""
    return "\n".join([lead + sold_out + head, *lines])


#: English plurals that do not end in "s".
_IRREGULAR_PLURALS = frozenset({"mice", "children", "people", "men", "women", "feet", "teeth", "geese"})


def _things(category: str | None, p: Phrasebook) -> str:
    """What the products are, counted ("5 laptops"; "5 cookware options" for a category named by a mass noun)."""
    if not category:
        return p["fmt.things_any"]
    last = category.lower().split()[-1] if category.split() else ""
    plural = (last.endswith("s") and not last.endswith("ss")) or last in _IRREGULAR_PLURALS
    return p("fmt.things_plural" if plural else "fmt.things", category=category, category_lower=category_noun(category))


def _clarify(plan: ReplyPlan, w: Writer) -> str:
    p = w.p
    f = plan.facts_as(ClarificationFacts)
    question = p.own_words(f.question) or (_slot_question(f, p) if f.question else p["clarify.default"])
    question = p.agree(question, [f.title]) if f.title else question  # "the … Running Shoes don't come in size 8.5"
    options = [localize_quick_reply(o, p.language) for o in f.options]
    lead = p["clarify.available"] if f.slot in ("size", "color") else p["clarify.example"]
    if options and not all(option in question for option in options):  # "Weakest: the A and the B (…). Which one …?"
        shown = options[:8 if f.slot in ("size", "color") else 6]
        question = p("clarify.options", question=question, lead=lead, options=p.items(map(str, shown)))
    before = [p("cart.added_titles", titles=p["fmt.and"].join(f.added))] if f.added else []  # "add both": the one added
    after = [p("cart.waiting", titles=p["fmt.and"].join(f.waiting))] if f.waiting else []
    return p["fmt.sep"].join([*before, question, *after])


def _slot_question(f: ClarificationFacts, p: Phrasebook) -> str:
    """The question of a clarification in the phrasebook's words (when the dialogue manager's is in another language)."""
    if f.slot in ("size", "color"):
        question = p(f"clarify.{f.slot}_of", title=f.title) if f.title else p[f"clarify.{f.slot}"]
        if f.unavailable and f.title:  # 抱歉，…没有M码。: what was asked for cannot be had
            value = p.size_option(f.unavailable) if f.slot == "size" else f.unavailable
            return p("clarify.sold_out" if f.sold_out else "clarify.lacks", title=f.title, value=value) + question
        return question
    if f.asked_position is not None and f.shown_count == 0:
        return p["clarify.nothing_shown"]
    if f.asked_position is not None and f.shown_count is not None:
        return p("clarify.no_such_position", shown=f.shown_count, index=f.asked_position)
    return p[f"clarify.{f.slot}"]


def _compare(plan: ReplyPlan, w: Writer) -> str:
    p = w.p
    table = plan.comparison
    if table is None:
        return p["compare.need_two"]
    # at most three lines on what matters; the table itself is delivered beside the reply (widget panel, REST custom
    # payload, API field, CLI table), so the reply does not repeat it
    differences = [d for d in table.differences if p.own_words(d)]
    if p.language != "en" and len(differences) < len(table.differences):  # said from the table's rows instead
        differences = [p("compare.differs", attribute=p.attribute(row.attribute),
                         values=" / ".join(comparison_cell(row.attribute, v, p) for v in row.values))
                       for row in table.rows if row.differs]
    lines = differences[:3] or [p["compare.same"]]
    return "\n".join(lines)


def _answer(plan: ReplyPlan, w: Writer) -> str:
    p = w.p
    f = plan.facts_as(AnswerFacts)
    if p.language != "en" and f.kind in ("superlative", "pairwise"):  # over several products: a ranking
        return p.sentences(_ranked(f, w))
    if p.language != "en" and f.kind == "filter":  # which of the shown products pass
        return p.sentences(_filtered(f, w))
    if p.language != "en" and f.kind == "overview" and f.details:  # the whole product: one line of its values
        return p.sentences(_overview(f, w))
    if f.details and p.language != "en":  # the facts' sentences are English: word the catalog values in this language
        return p.sentences(sentence for d in f.details for sentence in _detail(d, w))
    if f.facts:
        if all(p.own_words(fact) for fact in f.facts):
            titles = {d.title for d in f.details if d.title} | {card.title for card in plan.products}
            return p.sentences(p.agree(fact, titles) for fact in f.facts)
        return p("answer.from_catalog", facts=" ".join(f.facts))  # catalog sentences not yet written in this language
    if f.reason == "no_product":
        return p["answer.no_product"]
    return p("answer.unknown", title=f.title or p["answer.this_product"])


def _ranked(f: AnswerFacts, w: Writer) -> list[str]:
    """A superlative or pairwise answer from its details: the winners (verdict True, ``asked``: the graded phrase
    as said), the others in rank order (verdict False), the products the catalog has no value for (unknown)."""
    p = w.p
    attribute = p.attribute(f.topic) if f.topic else ""
    winners = [d for d in f.details if d.form != "unknown" and d.verdict]
    others = [d for d in f.details if d.form != "unknown" and not d.verdict]
    missing = [d for d in f.details if d.form == "unknown"]
    if not winners:
        return [p("qa.graded_unknown", attribute=attribute) if f.topic else p["qa.graded_no_topic"]]
    if not others and len(winners) > 1:
        return [p("qa.graded_same", attribute=attribute, value=_short_value(winners[0], w))]
    titles = p["fmt.and"].join(d.title for d in winners)
    said = winners[0].graded
    lead = p("qa.graded", said=said, titles=titles, value=_short_value(winners[0], w)) if said else \
        p("qa.graded_plain", attribute=attribute, titles=titles, value=_short_value(winners[0], w))
    lines = [lead]
    if others:
        lines.append(p("qa.graded_others", items=p["fmt.items"].join(f"{d.title} — {_short_value(d, w)}" for d in others[:4])))
    if missing:
        lines.append(p("qa.graded_missing", attribute=attribute, titles=p["fmt.and"].join(d.title for d in missing[:3])))
    return lines


def _overview(f: AnswerFacts, w: Writer) -> list[str]:
    """"Tell me more about it" from its details: price, rating and stock, then its attributes, then its description."""
    p = w.p
    lead, *values = f.details
    rating = p("qa.overview_rating", rating=f"{lead.rating:.1f}", count=f"{lead.review_count or 0:,}") if lead.rating is not None else ""
    lines = [p("qa.overview", title=lead.title, price=money(lead.price or 0.0, lead.currency or w.currency), rating=rating,
               stock="" if lead.stock else p["qa.overview_sold_out"])]
    if values:
        lines.append(p("qa.overview_details", items=p["fmt.items"].join(
            p("qa.overview_item", attribute=p.attribute(d.attribute or ""), values=p.items(d.values)) for d in values)))
    if lead.quote:
        lines.append(p("qa.overview_quote", quote=p.sep.join(lead.quote)))
    return lines


def _filtered(f: AnswerFacts, w: Writer) -> list[str]:
    """A filter answer from its details: every product shown, those that pass (verdict True) first."""
    p = w.p
    if not f.details:
        return [p("qa.filter_unchecked", said=f.unchecked) if f.unchecked else p["qa.filter_unknown"]]
    topic, asked = f.details[0].attribute, f.details[0].asked
    if topic == "stock":
        condition = p["qa.condition_stock"]
    elif topic == "price":
        condition = p["qa.condition_price"]
    elif asked and not all(v.lower() in YES_VALUES for v in asked):  # 防水: 是 is said as 防水
        condition = p["fmt.or"].join(p.size_option(v) if topic == "size" else WHOSE.get(v, v) if topic == "gender" else v
                                     for v in asked)
    else:
        condition = p.attribute(topic or "")
    passing = [d for d in f.details if d.verdict]
    if not passing:
        return [p("qa.filter_none", total=len(f.details), condition=condition)]
    if len(passing) == len(f.details) > 2:  # "are they waterproof?": all of them, no list of the same cards
        return [p("qa.filter_all", total=len(f.details), condition=condition)]
    items = p["fmt.items"].join(f"{d.title} — {money(d.price, d.currency or w.currency)}" if d.price is not None else d.title
                                for d in passing)
    return [p("qa.filter_some", total=len(f.details), condition=condition, count=len(passing), items=items)]


def _short_value(d: AnswerDetail, w: Writer) -> str:
    """``d``'s value on its attribute in a few words, for a ranking."""
    p = w.p
    if d.attribute == "price" and d.price is not None:
        return money(d.price, d.currency or w.currency)
    if d.attribute == "rating" and d.rating is not None:
        return p("qa.rating_short", rating=f"{d.rating:.1f}", count=f"{d.review_count or 0:,}")
    if d.attribute == "reviews":
        return p("qa.reviews_short", count=f"{d.review_count or 0:,}")
    if d.attribute == "stock":
        return p("qa.stock_short", stock=d.stock or 0)
    return p.items(d.values)


_VALUE_KEYS = {"color": "qa.colors", "size": "qa.sizes", "material": "qa.material"}


def _detail(d: AnswerDetail, w: Writer) -> list[str]:
    """One product's answer (``AnswerFacts.details``) in the phrasebook's words."""
    p = w.p
    attribute = p.attribute(d.attribute) if d.attribute else ""
    values = p.items(d.values)
    if d.form == "unknown" or (d.form in ("value", "verdict") and d.attribute not in _FIELDS and not d.values):
        return [p("qa.unknown", title=d.title, attribute=attribute) if d.attribute else p("answer.unknown", title=d.title)]
    if d.form == "quote":
        return [p("qa.quote", title=d.title, quote="".join(d.quote))]
    if d.form == "alternative":  # another product in view comes in what was asked
        return [p("qa.alternative", title=d.title, option=p.size_option(d.asked[0]) if d.attribute == "size" else d.asked[0])]
    if d.form == "reviews":
        lead = p("qa.rating", title=d.title, rating=f"{d.rating:.1f}", count=f"{d.review_count or 0:,}") if d.rating is not None else \
            p("qa.no_rating", title=d.title)
        quotes = p("qa.reviews_liked", quotes="".join(f"“{q}”" for q in d.quote)) if d.quote else p("qa.reviews_none", title=d.title)
        return [lead, quotes]
    if d.form == "offers":
        options = [p.size_option(v) if d.attribute == "size" else v for v in d.asked]
        if d.attribute == "material":
            return [p["qa.yes" if d.verdict else "qa.no"] + p("qa.material", title=d.title, values=values)]
        if not d.verdict:
            return [p("qa.offers_no", title=d.title, values=values, asked=p["fmt.or"].join(options))]
        if d.stock:
            return [p("qa.offers_yes", title=d.title, option=options[0], stock=d.stock)]
        return [p("qa.offers_sold_out", title=d.title, option=options[0])]
    if d.form == "verdict" and d.attribute not in ("stock", "brand") and not d.asked:  # a yes/no attribute (防水: 是)
        return [p("qa.flag_yes" if d.verdict else "qa.flag_no", title=d.title, attribute=attribute)]
    lead = p["qa.yes" if d.verdict else "qa.no"] if d.form == "verdict" and d.attribute != "stock" else ""
    return [lead + sentence for sentence in _value_sentences(d, w)]


_FIELDS = ("price", "rating", "reviews", "stock", "brand")


def _value_sentences(d: AnswerDetail, w: Writer) -> list[str]:
    p = w.p
    if d.attribute == "price" and d.price is not None:
        price = money(d.price, d.currency or w.currency)
        if d.quantity and d.quantity > 1:
            total = money(round(d.price * d.quantity, 2), d.currency or w.currency)
            return [p("qa.price_times", title=d.title, price=price, quantity=d.quantity, total=total)]
        return [p("qa.price", title=d.title, price=price)]
    if d.attribute == "rating":
        if d.rating is None:
            return [p("qa.no_rating", title=d.title)]
        return [p("qa.rating", title=d.title, rating=f"{d.rating:.1f}", count=f"{d.review_count or 0:,}")]
    if d.attribute == "reviews":
        return [p("qa.reviews", title=d.title, count=f"{d.review_count or 0:,}")]
    if d.attribute == "stock":
        return [p("qa.in_stock", title=d.title, stock=d.stock) if d.stock else p("qa.out_of_stock", title=d.title)]
    if d.attribute == "brand":
        return [p("qa.brand", title=d.title, brand=d.values[0])] if d.values else [p("qa.unknown", title=d.title, attribute=p.attribute("brand"))]
    values = p.items(d.values)
    key = _VALUE_KEYS.get(d.attribute or "")
    sentence = p(key, title=d.title, values=values) if key else \
        p("qa.value", title=d.title, attribute=p.attribute(d.attribute or ""), values=values)
    sold_out = [p.size_option(v) if d.attribute == "size" else v for v in d.sold_out]
    return [sentence, *([p("qa.sold_out", values=p.items(sold_out))] if sold_out else [])]


def _cart_summary(plan: ReplyPlan, w: Writer) -> str:
    p = w.p
    lines = [p("cart.line", quantity=line.quantity, title=line.title, variant=_variant(line.variant, p), total=w.money(line.line_total))
             for line in plan.cart]
    return "\n".join([*lines, p("cart.total", total=w.money(plan.cart_total or 0.0))])


def _variant(variant: dict[str, str], p: Phrasebook) -> str:
    return p("fmt.variant", values=p.items(p.size_option(v) if k == "size" else v for k, v in variant.items())) if variant else ""


def _cart_add(plan: ReplyPlan, w: Writer) -> str:
    p = w.p
    f = plan.facts_as(CartAddFacts)
    each = [*f.others, f]  # "add both": one sentence for those added as asked, one for each of the rest
    plain = [x for x in each if x.added and not (x.put_back or x.updated)]
    rest = [_cart_added(x, p) for x in each if x not in plain]
    lines = [p("cart.added_line", quantity=x.quantity, title=x.title, variant=_variant(x.variant, p)) for x in plain]
    added = [p("cart.added_lines", lines=p.items(lines[:-1]) + p["fmt.and"] + lines[-1])] if len(lines) > 1 else \
        [_cart_added(x, p) for x in plain]
    said = p["fmt.sep"].join([*added, *rest])
    return f"{said}\n{_cart_summary(plan, w)}" if any(x.added for x in each) and not plan.cart_listed_later else said


def _cart_added(f: CartAddFacts, p: Phrasebook) -> str:
    if f.added:
        key = "cart.put_back" if f.put_back else "cart.updated" if f.updated else "cart.added"
        return p(key, quantity=f.quantity, title=f.title, variant=_variant(f.variant, p))
    return p("cart.out_of_stock", title=f.title) if f.reason == "out_of_stock" else p["cart.unknown_product"]


def _cart_remove(plan: ReplyPlan, w: Writer) -> str:
    p = w.p
    f = plan.facts_as(CartRemoveFacts)
    if not f.removed:
        return p["cart.nothing_to_remove"]
    said = p["fmt.sep"].join(p("cart.removed", quantity=x.quantity, title=x.title) for x in [*f.others, f])
    return said if plan.cart_listed_later else said + "\n" + (_cart_summary(plan, w) if plan.cart else p["cart.now_empty"])


def _show_cart(plan: ReplyPlan, w: Writer) -> str:
    return f"{w.p['cart.show']}\n{_cart_summary(plan, w)}" if plan.cart else w.p["cart.empty"]


def _checkout(plan: ReplyPlan, w: Writer) -> str:
    p = w.p
    f = plan.facts_as(CheckoutFacts)
    if f.empty:
        return p["checkout.empty"]
    lines = [p["checkout.summary"], _cart_summary(plan, w)]
    if (q := f.shipping) is not None:  # standard shipping on top, or free
        lines.append(p("checkout.ships_free" if q.free_alone else "checkout.shipping", free_from=money(q.free_from, q.currency, short=True),
                       fee=money(q.fee, q.currency, short=True), with_fee=money(q.with_fee, q.currency),
                       short=money(q.amount_short, q.currency)))
    return "\n".join([*lines, p["checkout.next"]])


#: Orders that are over: the phrase said to a cancellation or a return asked for.
_CLOSED = {"returned": "order.already_returned", "cancelled": "order.already_cancelled"}


def _order(plan: ReplyPlan, w: Writer) -> str:
    p = w.p
    f = plan.facts_as(OrderFacts)
    policy = _clauses(f.policy, p) if isinstance(f, ReturnItemFacts) else ""
    if f.slot == "order_id":
        question = p("order.which", orders=p.items(p("order.choice", order_id=c.order_id, status=p.status(c.status), date=c.placed_at)
                                                   for c in f.choices)) if f.choices else p.own_words(f.question) or p["order.ask_id"]
        if f.forgot:  # "I don't remember the number": the orders to choose from, or where to find it
            question = p.sentences([p["order.no_problem"], question if f.choices else p["order.where_to_find"]])
        asked = p("order.ask", policy=policy, question=question).strip()
        if f.not_ordered:  # "return the headphones" with no headphones in any order: said first
            return p.sentences([p("order.not_ordered", item=category_noun(f.not_ordered)), asked])
        return asked
    if not f.found:
        if f.problem == "invalid_id":
            return p("order.invalid_id", order_id=f.order_id)
        return p("order.not_found", order_id=f.order_id)
    status = p("order.status", order_id=f.order_id, items=p.items(f.items), total=money(f.total or 0.0, f.currency or w.currency), status=p.status(f.status))
    if isinstance(f, OrderStatusFacts):
        extra = []
        if f.carrier and f.tracking_number:
            shipped = "order.carrier_past" if f.status in {"delivered", "returned"} else "order.carrier"
            extra.append(p(shipped, carrier=f.carrier, tracking_number=f.tracking_number))
        if f.estimated_delivery and f.status in {"processing", "shipped"}:
            extra.append(p("order.eta", date=f.estimated_delivery))
        return p.sentences([status, *extra])
    if isinstance(f, CancelOrderFacts) and f.cancelled:
        return p("order.cancelled", order_id=f.order_id)
    if isinstance(f, CancelOrderFacts) and f.kept:
        return p("order.kept", order_id=f.order_id)
    if isinstance(f, CancelOrderFacts) and f.confirm:
        return p("order.confirm_cancel", status=status)
    if f.status in _CLOSED:  # nothing left to cancel or return, whichever was asked
        return p(_CLOSED[f.status], status=status)
    if isinstance(f, CancelOrderFacts):
        return p("order.not_cancellable_delivered" if f.status == "delivered" else "order.not_cancellable", status=status)
    if isinstance(f, ReturnItemFacts) and f.returnable:
        return p("order.returnable", status=status, policy=policy).strip()
    return p("order.not_returnable", status=status, policy=policy).strip()


def _policy(plan: ReplyPlan, w: Writer) -> str:
    p = w.p
    f = plan.facts_as(PolicyFacts)
    if not f.known:
        return p("policy.topics", topics=p.items(p.topic(t) for t in f.topics))
    text = _clauses(f.sentences, p)
    answer = p("policy.whole", title=f.title, text=text) if f.whole or not f.section else p("policy.from", section=f.section, text=text)
    lead = _policy_lead(f, p)
    return p["fmt.sep"].join([lead, answer]) if lead else answer


def _policy_lead(f: PolicyFacts, p: Phrasebook) -> str:
    """What a policy answer says before the clauses: sorry for a fault, the shipping quote (or that the cart is empty), that a product has no terms
    of its own, that there are no special prices; nothing otherwise."""
    if f.fault:
        return p["policy.sorry_fault"]
    if f.quote is not None:
        return _shipping_quote(f.quote, p)
    if f.cart_empty:
        return p["policy.cart_empty"]
    if f.product:
        return p("policy.for_product", title=f.product)
    return p["policy.no_deals"] if f.deals else ""


def _shipping_quote(q: ShippingQuote, p: Phrasebook) -> str:
    """"Does this one ship free?": its price against the free-shipping threshold, the rest of the cart counted; "do I
    pay shipping?": the cart's subtotal against it."""
    amounts = {"title": q.title, "price": money(q.price, q.currency), "free_from": money(q.free_from, q.currency, short=True),
               "fee": money(q.fee, q.currency, short=True), "cart": money(q.cart_subtotal, q.currency),
               "short": money(q.amount_short, q.currency), "with_fee": money(q.with_fee, q.currency)}
    if q.title is None:
        return p("policy.cart_ships_free" if q.free_alone else "policy.cart_ships_for_fee", **amounts)
    key = "policy.ships_free" if q.free_alone else "policy.ships_free_with_cart" if q.free_with_cart else "policy.ships_for_fee"
    return p(key, **amounts)


def _clauses(sentences: list[str], p: Phrasebook) -> str:
    """Policy clauses as one paragraph; a "Key: value" clause gets its full stop."""
    return p.sentences(p.stop(s) for s in sentences)


def _greet(plan: ReplyPlan, w: Writer) -> str:
    kind = plan.facts_as(GreetFacts).kind
    return w.p[f"greet.{kind}"] if kind in ("thanks", "ack", "feedback_ack", "chitchat") else w.p["greet.hello"]


def _goodbye(plan: ReplyPlan, w: Writer) -> str:
    return w.p["goodbye.cart_saved"] if plan.facts_as(GoodbyeFacts).cart_items else w.p["goodbye.plain"]


def _reset(plan: ReplyPlan, w: Writer) -> str:
    return w.p["reset.preferences"] if plan.facts_as(ResetFacts).scope == "preferences" else w.p["reset.conversation"]


def _handoff(plan: ReplyPlan, w: Writer) -> str:
    return w.p["handoff.withdrawn" if plan.facts_as(HandoffFacts).withdrawn else "handoff"]


def _fallback(plan: ReplyPlan, w: Writer) -> str:
    return w.p["fallback.other_language" if plan.facts_as(FallbackFacts).other_language else "fallback"]


RENDERERS: dict[Action, Callable[[ReplyPlan, Writer], str]] = {
    "show_products": _products, "ask_clarification": _clarify, "compare": _compare, "answer_question": _answer,
    "cart_add": _cart_add, "cart_remove": _cart_remove, "show_cart": _show_cart, "checkout": _checkout,
    "order_status": _order, "cancel_order": _order, "return_item": _order, "policy_answer": _policy,
    "handoff": _handoff, "greet": _greet, "goodbye": _goodbye, "fallback": _fallback, "reset": _reset,
}


class TemplateGenerator:
    """``currency``: the catalog's currency, for amounts of a plan that shows no product (cart lines, order totals)."""

    name = "template"

    def __init__(self, currency: str = DEFAULT_CURRENCY) -> None:
        self.currency = currency

    def generate(self, plan: ReplyPlan, history: list[HistoryTurn] | None = None, deadline: float | None = None) -> str:
        writer = Writer(p=phrasebook(plan.language), currency=plan_currency(plan, self.currency))
        return RENDERERS.get(plan.action, _fallback)(plan, writer)

    def stream(self, plan: ReplyPlan, history: list[HistoryTurn] | None = None, deadline: float | None = None) -> Iterator[str]:
        text = self.generate(plan, history)
        for word in text.split(" "):
            yield word + " "
