"""Deterministic replies written from the plan alone: no model, every fact straight from the plan. Used by tests,
on machines without a GPU, and as the fallback of every model backend."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from assistant.generators.base import HistoryTurn
from dialogue.actions import Action
from dialogue.plan import ProductCard, ReplyPlan
from dialogue.reply_facts import (
    AnswerFacts,
    CancelOrderFacts,
    CartAddFacts,
    CartRemoveFacts,
    CheckoutFacts,
    ClarificationFacts,
    GoodbyeFacts,
    GreetFacts,
    OrderFacts,
    OrderStatusFacts,
    PolicyFacts,
    ResetFacts,
    ReturnItemFacts,
    ShowProductsFacts,
)


def money(value: float) -> str:
    return f"${value:,.2f}"


def card_line(card: ProductCard) -> str:
    rating = f", {card.rating:.1f}★" if card.rating is not None else ""
    stock = "" if card.in_stock else " (out of stock)"
    return f"{card.position}. {card.title} — {money(card.price)}{rating}{stock}"


#: How alternatives differ from the request, by the constraint relaxed to find them.
_ALTERNATIVES = {"brand": "from other brands", "colour": "in other colours", "size": "in other sizes", "material": "in other materials",
                 "price": "with the budget relaxed", "rating": "with lower ratings", "stock": "that are out of stock right now"}


def _products(plan: ReplyPlan) -> str:
    f = plan.facts_as(ShowProductsFacts)
    scope = f" {f.category.lower()}" if f.category else ""
    n = len(plan.products)
    if not plan.products:
        if f.unmatched:
            return f"Sorry, we don't have any {'more ' if f.more else ''}{f.unmatched}. Try a different budget, colour or brand."
        return f"Sorry, I couldn't find any{scope} products matching that. Try a different budget, colour or brand."
    sold_out = "Everything that matches is out of stock right now. " if f.all_out_of_stock else ""
    if f.relaxed:  # the products are alternatives: say what matched nothing, and how these differ
        lead = (f"We don't carry {' or '.join(f.not_carried)}." if f.not_carried
                else f"We don't have any {'more ' if f.more else ''}{f.unmatched or 'products matching that'}.")
        how = " and ".join(_ALTERNATIVES.get(r, f"without the {r} you asked for") for r in f.relaxed)
        head = f"{lead} {sold_out}Here {'is' if n == 1 else 'are'} {n} {'alternative' if n == 1 else 'alternatives'} {how}:"
        return "\n".join([head, *(card_line(c) for c in plan.products)])
    detail = f" ({f.constraints})" if f.constraints else ""
    if f.more:
        head = f"Here are {len(plan.products)} more{scope} options{detail}:"
    elif f.note == "similar":
        head = f"Here are {len(plan.products)}{scope} options similar to the one you liked{detail}:"
    elif f.note == "avoiding":
        head = f"Got it — here are {len(plan.products)} different{scope} options{detail}:"
    elif n == 1:
        head = f"Here is the one match{detail}:"
    else:
        head = f"Here are {len(plan.products)}{scope} options{detail}:"
    return "\n".join([sold_out + head, *(card_line(c) for c in plan.products)])


def _clarify(plan: ReplyPlan) -> str:
    f = plan.facts_as(ClarificationFacts)
    question = f.question or "Could you tell me a bit more?"
    options = f.options
    lead = "Available" if f.slot in ("size", "color") else "For example"
    return f"{question} {lead}: {', '.join(map(str, options[:8 if lead == 'Available' else 6]))}." if options else question


def _compare(plan: ReplyPlan) -> str:
    table = plan.comparison
    if table is None:
        return "I need at least two products to compare."
    # at most three lines on what matters; the table itself is delivered beside the reply (widget panel, REST custom
    # payload, API field, CLI table), so the reply does not repeat it
    lines = table.differences[:3] or ["They match on price, rating and every attribute the table lists."]
    return "\n".join(lines)


def _answer(plan: ReplyPlan) -> str:
    f = plan.facts_as(AnswerFacts)
    if f.facts:
        return " ".join(f.facts)
    if f.reason == "no_product":
        return "Which product do you mean? Search for something first, then ask me about it."
    title = f.title or "this product"
    return f"I don't know — the catalog doesn't say that about the {title}. I can tell you its price, sizes, colours, materials, stock and rating."


def _cart_summary(plan: ReplyPlan) -> str:
    lines = [f"- {line.quantity} × {line.title}{_variant(line.variant)} — {money(line.line_total)}" for line in plan.cart]
    return "\n".join([*lines, f"Total: {money(plan.cart_total or 0.0)}"])


def _variant(variant: dict[str, str]) -> str:
    return f" ({', '.join(variant.values())})" if variant else ""


def _cart_add(plan: ReplyPlan) -> str:
    f = plan.facts_as(CartAddFacts)
    if not f.added:
        if f.reason == "out_of_stock":
            return f"Sorry, the {f.title} is out of stock right now, so I couldn't add it."
        return "Sorry, I couldn't find that product to add."
    if f.updated:
        return f"Updated: {f.quantity} × {f.title}{_variant(f.variant)} in your cart.\n{_cart_summary(plan)}"
    return f"Added {f.quantity} × {f.title}{_variant(f.variant)} to your cart.\n{_cart_summary(plan)}"


def _cart_remove(plan: ReplyPlan) -> str:
    f = plan.facts_as(CartRemoveFacts)
    if not f.removed:
        return "Your cart is empty, so there is nothing to remove."
    return f"Removed {f.quantity} × {f.title} from your cart.\n" + (_cart_summary(plan) if plan.cart else "Your cart is now empty.")


def _show_cart(plan: ReplyPlan) -> str:
    return f"Your cart:\n{_cart_summary(plan)}" if plan.cart else "Your cart is empty."


def _checkout(plan: ReplyPlan) -> str:
    if plan.facts_as(CheckoutFacts).empty:
        return "Your cart is empty — add something first and I'll take you through checkout."
    return f"Here's your order summary:\n{_cart_summary(plan)}\nReady to pay? Continue to the secure checkout page to enter shipping and payment details."


def _order(plan: ReplyPlan) -> str:
    f = plan.facts_as(OrderFacts)
    policy = _clauses(f.policy) if isinstance(f, ReturnItemFacts) else ""
    if f.slot == "order_id":
        return f"{policy} {f.question}".strip()
    if not f.found:
        if f.problem == "invalid_id":
            return f"“{f.order_id}” doesn't look like an order number. Order numbers look like ORD-12345."
        return f"I couldn't find order {f.order_id} on your account. Please check the number."
    items = ", ".join(f.items)
    status = f"Order {f.order_id} ({items}, total {money(f.total or 0.0)}) is {f.status}."
    if isinstance(f, OrderStatusFacts):
        extra = []
        if f.carrier and f.tracking_number:
            extra.append(f"It ships with {f.carrier}, tracking number {f.tracking_number}.")
        if f.estimated_delivery and f.status in {"processing", "shipped"}:
            extra.append(f"Estimated delivery: {f.estimated_delivery}.")
        return " ".join([status, *extra])
    if isinstance(f, CancelOrderFacts):
        if f.cancelled:
            return f"Done — order {f.order_id} is cancelled. You'll be refunded to your original payment method."
        return f"{status} It can no longer be cancelled, but you can return it once it arrives."
    if isinstance(f, ReturnItemFacts) and f.returnable:
        return f"{status} You can return it. {policy}".strip()
    return f"{status} Returns start once an order has been delivered. {policy}".strip()


def _policy(plan: ReplyPlan) -> str:
    f = plan.facts_as(PolicyFacts)
    if not f.known:
        return "I can answer questions about " + ", ".join(t.replace("_", " ") for t in f.topics) + "."
    text = _clauses(f.sentences)
    return f"{f.title}: {text}" if f.whole or not f.section else f"From our {f.section}: {text}"


def _clauses(sentences: list[str]) -> str:
    """Policy clauses as one paragraph; a "Key: value" clause gets its full stop."""
    return " ".join(s if s.endswith((".", "!", "?")) else f"{s}." for s in sentences)


def _greet(plan: ReplyPlan) -> str:
    kind = plan.facts_as(GreetFacts).kind
    if kind == "thanks":
        return "You're welcome! Anything else I can help you find?"
    if kind == "ack":
        return "Okay! What would you like to do next?"
    if kind == "feedback_ack":
        return "Thanks for telling me! What are you looking for?"
    if kind == "chitchat":
        return "I'm ShopAssist, the store's shopping assistant. I can find and compare products, answer questions about them, manage your cart and help with orders, returns and shipping."
    return "Hi! I'm ShopAssist. What can I help you find today?"


def _goodbye(plan: ReplyPlan) -> str:
    items = plan.facts_as(GoodbyeFacts).cart_items
    return "Goodbye! Your cart is saved." if items else "Goodbye, and thanks for shopping with us!"


def _reset(plan: ReplyPlan) -> str:
    if plan.facts_as(ResetFacts).scope == "preferences":
        return "Done — I've forgotten your saved preferences."
    return "Okay, let's start over. What are you looking for?"


def _handoff(plan: ReplyPlan) -> str:
    return "I'm handing you over to a member of our customer-service team. A person will reply here shortly."


def _fallback(plan: ReplyPlan) -> str:
    return "Sorry, I can't help with that. I can find and compare products, answer product questions, manage your cart, and help with orders, returns and shipping."


RENDERERS: dict[Action, Callable[[ReplyPlan], str]] = {
    "show_products": _products, "ask_clarification": _clarify, "compare": _compare, "answer_question": _answer,
    "cart_add": _cart_add, "cart_remove": _cart_remove, "show_cart": _show_cart, "checkout": _checkout,
    "order_status": _order, "cancel_order": _order, "return_item": _order, "policy_answer": _policy,
    "handoff": _handoff, "greet": _greet, "goodbye": _goodbye, "fallback": _fallback, "reset": _reset,
}


class TemplateGenerator:
    name = "template"

    def generate(self, plan: ReplyPlan, history: list[HistoryTurn] | None = None, deadline: float | None = None) -> str:
        return RENDERERS.get(plan.action, _fallback)(plan)

    def stream(self, plan: ReplyPlan, history: list[HistoryTurn] | None = None, deadline: float | None = None) -> Iterator[str]:
        text = self.generate(plan, history)
        for word in text.split(" "):
            yield word + " "
