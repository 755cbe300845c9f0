"""Cart actions: add/remove with quantities and variants, view, checkout summary."""

from __future__ import annotations

from typing import TYPE_CHECKING

from dialogue.actions import CART_ACTIONS, Action
from dialogue.pending import AwaitingSize
from dialogue.plan import CartLine, ReplyPlan
from dialogue.reply_facts import CartAddFacts, CartRemoveFacts, CheckoutFacts, ClarificationFacts, Facts, ShowCartFacts
from dialogue.state import CartEvent, CartItem, ConversationState, FeedbackEvent, FeedbackRecord, ServiceEvent
from retrieval.models import Product, Variant

if TYPE_CHECKING:
    from dialogue.manager import DialogueManager, Turn


def cart_lines(state: ConversationState) -> list[CartLine]:
    return [
        CartLine(product_id=i.product_id, title=i.title, quantity=i.quantity, unit_price=i.unit_price, line_total=i.line_total, variant=i.variant)
        for i in state.cart
    ]


def _cart_plan(turn: Turn, action: Action, facts: Facts, quick: list[str] | None = None) -> ReplyPlan:
    return turn.plan(action, facts=facts, cart=cart_lines(turn.state), cart_total=turn.state.cart_total,
                     quick_replies=quick if quick is not None else ["View cart", "Checkout"])


def add(dm: DialogueManager, turn: Turn, product_id: str | None = None) -> ReplyPlan:
    slots = turn.nlu.slots
    if product_id is None:
        resolution = dm.resolve(turn)
        if resolution.problem or resolution.ambiguous or not resolution.product_ids:
            candidates = [p.title for pid in (resolution.ambiguous or turn.state.last_shown[:4]) if (p := dm.product(pid))]
            question = resolution.problem or ("Which one should I add?" if candidates else "What would you like to add? Search for a product first.")
            return turn.plan("ask_clarification", facts=ClarificationFacts(slot="reference", question=question, options=candidates), quick_replies=candidates[:4])
        product_id = resolution.product_ids[0]
    product = dm.product(product_id)
    if product is None:
        return _cart_plan(turn, "cart_add", CartAddFacts(added=False, reason="unknown_product"))
    dm.focus(turn, product.id)
    quantity = slots.quantity or 1
    sizes = [v for v in product.values("size")]
    chosen_size = _pick(slots.sizes, sizes)
    chosen_color = _pick(slots.colors, product.values("color"))
    if product.variants and sizes and chosen_size is None and len(sizes) > 1:
        available = _sizes_in_stock(product, sizes)
        if not available:
            return _cart_plan(turn, "cart_add", CartAddFacts(added=False, reason="out_of_stock", title=product.title))
        turn.emit(ServiceEvent(pending=AwaitingSize(product_id=product.id, quantity=quantity)))
        question = f"Which size would you like for the {product.title}?"
        return turn.plan("ask_clarification", facts=ClarificationFacts(slot="size", question=question, options=available, title=product.title),
                         quick_replies=available[:8])
    variant = _variant(product, chosen_size, chosen_color)
    stock = variant.stock if variant else product.stock
    if stock <= 0:
        return _cart_plan(turn, "cart_add", CartAddFacts(added=False, reason="out_of_stock", title=product.title))
    chosen = {k: v for k, v in (("size", chosen_size or (sizes[0] if len(sizes) == 1 else None)), ("color", chosen_color)) if v}
    if variant:
        chosen = dict(variant.attributes)
    item = CartItem(product_id=product.id, title=product.title, unit_price=variant.price if variant and variant.price else product.price,
                    quantity=quantity, variant=chosen)
    turn.emit(CartEvent(op="add", item=item))
    if turn.state.pending is not None:
        turn.emit(ServiceEvent(pending=None))
    turn.emit(FeedbackEvent(feedback=FeedbackRecord(turn=turn.state.turn_count, product_id=product.id, kind="added_to_cart", source="behaviour")))
    return _cart_plan(turn, "cart_add", CartAddFacts(added=True, title=product.title, quantity=quantity, variant=chosen, unit_price=item.unit_price))


def _sizes_in_stock(product: Product, sizes: list[str]) -> list[str]:
    """The sizes a shopper can actually buy: those of variants in stock (all of them when variants carry no size)."""
    sized = [v for v in product.variants if "size" in v.attributes]
    if not sized:
        return sizes
    stocked = {v.attributes["size"].lower() for v in sized if v.stock > 0}
    return [size for size in sizes if size.lower() in stocked]


def remove(dm: DialogueManager, turn: Turn) -> ReplyPlan:
    state = turn.state
    if not state.cart:
        return _cart_plan(turn, "cart_remove", CartRemoveFacts(removed=False, reason="empty"), quick=[])
    target = _cart_target(dm, turn)
    if target is None:
        titles = [i.title for i in state.cart]
        return turn.plan("ask_clarification", facts=ClarificationFacts(slot="reference", question="Which item should I remove?", options=titles),
                         quick_replies=[f"Remove {t}" for t in titles[:4]])
    quantity = turn.nlu.slots.quantity or target.quantity
    turn.emit(CartEvent(op="remove", item=target.model_copy(update={"quantity": quantity})))
    return _cart_plan(turn, "cart_remove", CartRemoveFacts(removed=True, title=target.title, quantity=quantity))


def view(dm: DialogueManager, turn: Turn) -> ReplyPlan:
    return _cart_plan(turn, "show_cart", ShowCartFacts(items=sum(i.quantity for i in turn.state.cart)), quick=["Checkout"] if turn.state.cart else [])


def checkout(dm: DialogueManager, turn: Turn) -> ReplyPlan:
    items = sum(i.quantity for i in turn.state.cart)
    return _cart_plan(turn, "checkout", CheckoutFacts(items=items, empty=not turn.state.cart), quick=[])


def answer_size(dm: DialogueManager, turn: Turn, awaited: AwaitingSize) -> ReplyPlan:
    """The reply to "which size?": add the awaited product in that size."""
    nlu = turn.nlu
    if not nlu.slots.sizes:
        size = turn.text.strip().upper()
        nlu.slots.sizes = [size] if size else []
    if not nlu.slots.quantity:
        nlu.slots.quantity = awaited.quantity
    return add(dm, turn, awaited.product_id)


def _cart_target(dm: DialogueManager, turn: Turn) -> CartItem | None:
    cart = turn.state.cart
    refs = turn.nlu.slots.references
    if len(cart) == 1 and not refs:
        return cart[0]
    last = turn.state.last_action
    for ref in refs:
        if ref.kind == "ordinal" and ref.index and last in CART_ACTIONS and ref.index <= len(cart):
            return cart[ref.index - 1]
        if ref.kind == "last" and last in CART_ACTIONS:
            return cart[-1]
    resolution = dm.resolve(turn)
    for pid in resolution.product_ids:
        for item in cart:
            if item.product_id == pid:
                return item
    lowered = turn.text.lower()
    matches = [i for i in cart if any(w in lowered for w in i.title.lower().split() if len(w) > 3)]
    return matches[0] if len(matches) == 1 else None


def _pick(wanted: list[str], available: list[str]) -> str | None:
    for value in wanted:
        for option in available:
            if option.lower() == value.lower():
                return option
    return None


def _variant(product: Product, size: str | None, color: str | None) -> Variant | None:
    candidates = [v for v in product.variants
                  if (size is None or v.attributes.get("size", "").lower() == size.lower())
                  and (color is None or v.attributes.get("color", "").lower() == color.lower())]
    in_stock = [v for v in candidates if v.stock > 0]
    return (in_stock or candidates or [None])[0]
