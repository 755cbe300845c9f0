"""Cart actions: add/remove with quantities and variants, quantity corrections, view, checkout summary.

A size or colour the shopper asked for is never swapped for another: when the product lacks it (or it is out of
stock), the reply says so with what is available and waits for a choice (pending :class:`AwaitingSize`). A size or
colour said earlier in the conversation is used without asking again (``dialogue.memory``).

"Add both", "the first and the third", "add all of them" add each product; those that need a size or colour wait
behind one question and are added with its answer where they come in it. "Add them" alone is the products just
compared or the pair in focus, never silently the first card."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from dialogue.actions import CART_ACTIONS, Action
from dialogue.handlers.service import cart_quote
from dialogue.intent_context import CLEAR_CART
from dialogue.lexicon import STOPWORDS, singular, tokens_of
from dialogue.memory import VariantWish, variant_wish
from dialogue.pending import AwaitingReference, AwaitingSize
from dialogue.references import in_view
from dialogue.plan import CartLine, ReplyPlan
from dialogue.reply_facts import CartAddFacts, CartRemoveFacts, CheckoutFacts, ClarificationFacts, ClarifiedSlot, Facts, ShowCartFacts
from dialogue.state import CartEvent, CartItem, ConversationState, FeedbackEvent, FeedbackRecord, ServiceEvent
from retrieval.models import Product, Variant

if TYPE_CHECKING:
    from dialogue.manager import DialogueManager, Turn

#: Words that make a plural pronoun mean every product ("add all of them", 都加入购物车).
_EVERY = re.compile(r"\b(all|each|every|both)\b|全部|都|所有")
_SIZE_UNIT = re.compile(r"\s*(码|號|号)$")
_SIZE_LIKE = re.compile(r"^(?:\d{1,2}(?:\.5)?|x{0,3}[sml]|\d?x{1,3}l|xxs|one size)$", re.IGNORECASE)
#: Words of a remove request that never name the cart line ("take the lamp out of my cart").
_CART_WORDS = frozenset("remove delete drop take out off cart basket bag trolley from my the please get rid ditch lose "
                        "don't dont want need anymore any more actually also too".split())


def cart_lines(state: ConversationState) -> list[CartLine]:
    return [
        CartLine(product_id=i.product_id, title=i.title, quantity=i.quantity, unit_price=i.unit_price, line_total=i.line_total, variant=i.variant)
        for i in state.cart
    ]


def _cart_plan(turn: Turn, action: Action, facts: Facts, quick: list[str] | None = None) -> ReplyPlan:
    return turn.plan(action, facts=facts, cart=cart_lines(turn.state), cart_total=turn.state.cart_total,
                     quick_replies=quick if quick is not None else ["View cart", "Checkout"])


def add(dm: DialogueManager, turn: Turn, product_id: str | None = None, lead: str = "") -> ReplyPlan:
    slots = turn.nlu.slots
    pending = turn.state.pending
    if product_id is None and isinstance(pending, AwaitingSize) and _answers_pending(dm, turn, pending):
        product_id = pending.product_id  # "the purple one then" while the assistant asked which colour
        if not slots.quantity:
            slots.quantity = pending.quantity
    if isinstance(pending, AwaitingReference) and pending.quantity and not slots.quantity:
        slots.quantity = pending.quantity  # "make it two" while asked which one, then "the second one"
    if product_id is None:
        resolution = dm.resolve(turn)
        chosen = _products_to_add(turn, resolution.product_ids)
        if resolution.problem or resolution.ambiguous or not chosen:
            return _ask_which_to_add(dm, turn, resolution.ambiguous or turn.state.last_shown[:4], resolution.problem,
                                     **resolution.out_of_range())
        if len(chosen) > 1:
            return _add_several(dm, turn, chosen)
        product_id = chosen[0]
    product = dm.product(product_id)
    if product is None:
        return _cart_plan(turn, "cart_add", CartAddFacts(added=False, reason="unknown_product"))
    dm.focus(turn, product.id)
    quantity = slots.quantity or 1
    wish = variant_wish(turn.state, slots, product)
    sizes, colors = product.values("size"), product.values("color")
    chosen_size, chosen_color = _pick(wish.sizes, sizes), _pick(wish.colors, colors)
    missing = _missing(product, wish, chosen_size, chosen_color)
    if missing is not None:
        return _ask_variant(turn, product, quantity, *missing, lead=lead)
    asked = turn.state.turns[-1].asked if isinstance(pending, AwaitingSize) and pending.product_id == product.id and turn.state.turns else None
    if asked == "size" and not wish.size_now and not wish.color_now:
        chosen_size = None  # the size question stands until the shopper answers it (or picks another colour)
    if asked == "color" and not wish.color_now and not wish.size_now:
        within = f" in size {chosen_size}" if chosen_size else ""
        options = _in_stock(product, "color", colors, size=chosen_size) or _in_stock(product, "color", colors)
        return _ask(turn, product, quantity, "color", f"{lead}Which colour would you like for the {product.title}{within}?", options)
    if product.variants and sizes and chosen_size is None and len(sizes) > 1:
        available = _in_stock(product, "size", sizes, color=chosen_color)
        if not available:
            return _cart_plan(turn, "cart_add", CartAddFacts(added=False, reason="out_of_stock", title=product.title))
        question = f"{lead}Which size would you like for the {product.title}{f' in {chosen_color}' if chosen_color else ''}?"
        return _ask(turn, product, quantity, "size", question.strip(), available)
    variant = _variant(product, chosen_size, chosen_color)
    stock = variant.stock if variant else product.stock
    if stock <= 0:
        return _cart_plan(turn, "cart_add", CartAddFacts(added=False, reason="out_of_stock", title=product.title))
    chosen = {k: v for k, v in (("size", chosen_size or (sizes[0] if len(sizes) == 1 else None)), ("color", chosen_color)) if v}
    if variant:
        chosen = dict(variant.attributes)
    item = CartItem(product_id=product.id, title=product.title, unit_price=variant.price if variant and variant.price else product.price,
                    quantity=quantity, variant=chosen)
    replaced = _line_replaced(turn, product.id)
    if replaced is not None:  # "change it to size 9": out before the new line goes in
        turn.emit(CartEvent(op="remove", item=replaced))
    turn.emit(CartEvent(op="add", item=item))
    if turn.state.pending is not None:
        turn.emit(ServiceEvent(pending=None))
    turn.emit(FeedbackEvent(feedback=FeedbackRecord(turn=turn.state.turn_count, product_id=product.id, kind="added_to_cart", source="behaviour")))
    return _cart_plan(turn, "cart_add", CartAddFacts(added=True, updated=replaced is not None, title=product.title, quantity=quantity,
                                                     variant=chosen, unit_price=item.unit_price))


def change_variant(dm: DialogueManager, turn: Turn) -> ReplyPlan:
    """"Change it to size 9", "make it blue instead", 换成42码 right after an add: the line just added, in that size or
    colour (its other one kept). When the product cannot be had in it the reply says so and asks, and the line stays
    until the answer replaces it (``AwaitingSize.replaces``)."""
    state, slots = turn.state, turn.nlu.slots
    added = lines_missing(state.cart, state.cart_before or [])
    line = added[-1] if added else None
    if line is None or dm.product(line.product_id) is None:
        return add(dm, turn)
    slots.quantity = slots.quantity or line.quantity
    if not slots.sizes and "size" in line.variant:
        slots.sizes = [line.variant["size"]]
    if not slots.colors and "color" in line.variant:
        slots.colors = [line.variant["color"]]
    turn.emit(ServiceEvent(pending=AwaitingSize(product_id=line.product_id, quantity=line.quantity, replaces=line.variant)))
    plan = add(dm, turn, line.product_id)
    awaited = turn.state.pending
    if plan.action == "ask_clarification" and isinstance(awaited, AwaitingSize):  # the line stays until the answer
        turn.emit(ServiceEvent(pending=awaited.model_copy(update={"replaces": line.variant})))
    elif awaited is not None:  # could not be had at all (sold out): nothing waits
        turn.emit(ServiceEvent(pending=None))
    return plan


def _line_replaced(turn: Turn, product_id: str) -> CartItem | None:
    """The cart line of ``product_id`` that the awaited answer replaces (``AwaitingSize.replaces``)."""
    pending = turn.state.pending
    if not isinstance(pending, AwaitingSize) or pending.product_id != product_id or pending.replaces is None:
        return None
    return next((line for line in turn.state.cart if line.product_id == product_id and line.variant == pending.replaces), None)


def _products_to_add(turn: Turn, ids: list[str]) -> list[str]:
    """The products an add request means. A bare plural pronoun ("add them", "I'll take those") is the products just
    compared, or the product in focus (a pair of shoes is "them"), not every card on screen: with neither, none (the
    reply asks which). "Add all of them", "add both", "the first and the third" mean what they say."""
    references = turn.nlu.slots.references
    if len(ids) <= 1 or [r.kind for r in references] != ["all"] or _EVERY.search(turn.text.lower()):
        return ids
    state = turn.state
    in_sight = in_view(state)
    if in_sight != state.last_shown:
        return in_sight
    return [state.focus] if state.focus else []


def _add_several(dm: DialogueManager, turn: Turn, ids: list[str]) -> ReplyPlan:
    """Each product as if added alone. The first that needs a size or colour is asked about once the others are in;
    the others that need one wait behind it (``AwaitingSize.then``) and are added with the answer where they come in it."""
    added: list[CartAddFacts] = []
    question: ReplyPlan | None = None
    pending: AwaitingSize | None = None
    waiting: list[tuple[str, str]] = []
    for product_id, said in zip(ids, _said_of_each(turn, len(ids))):
        plan = add(dm, said, product_id)
        if plan.action == "cart_add":
            added.append(plan.facts_as(CartAddFacts))
        elif question is None and isinstance(turn.state.pending, AwaitingSize):
            question, pending = plan, turn.state.pending
        else:
            waiting.append((product_id, plan.facts_as(ClarificationFacts).title or ""))
    if question is None or pending is None:
        *others, last = added
        return _cart_plan(turn, "cart_add", last.model_copy(update={"others": others}))
    turn.emit(ServiceEvent(pending=pending.model_copy(update={"then": [pid for pid, _ in waiting]})))
    facts = question.facts_as(ClarificationFacts).model_copy(
        update={"added": [f.title or "" for f in added if f.added], "waiting": [title for _, title in waiting]})
    return question.model_copy(update={"facts": facts})


def _said_of_each(turn: Turn, count: int) -> list[Turn]:
    """"Add the first in L and the second in M": as many sizes (or colours) as products, one for each in order;
    otherwise the message as it is for every product ("add both in M")."""
    from dialogue.manager import Turn

    slots = turn.nlu.slots
    own = {name: values for name, values in (("sizes", slots.sizes), ("colors", slots.colors)) if count > 1 and len(values) == count}
    if not own:
        return [turn] * count
    return [Turn(nlu=turn.nlu.model_copy(update={"slots": slots.model_copy(update={name: [values[i]] for name, values in own.items()})}),
                 state=turn.state, events=turn.events) for i in range(count)]


def _missing(product: Product, wish: VariantWish, size: str | None, color: str | None) -> tuple[ClarifiedSlot, str, str] | None:
    """(slot, value asked for, why) when the shopper asked for a size or colour this product cannot be had in."""
    if wish.size_said and size is None and product.values("size"):
        return "size", wish.sizes[0], "lacks"
    if wish.color_said and color is None and product.values("color"):
        return "color", wish.colors[0], "lacks"
    if not product.variants:
        return None
    if size is not None and color is not None:
        both = [v for v in product.variants if _same(v.attributes.get("size"), size) and _same(v.attributes.get("color"), color)]
        for why, unavailable in (("lacks_with", not both and any("size" in v.attributes and "color" in v.attributes for v in product.variants)),
                                 ("out_of_stock", bool(both) and all(v.stock <= 0 for v in both))):
            if unavailable:  # keep the size (it is about fit) and offer the colours it comes in, unless only a size was said
                return ("color", color, why) if wish.color_said or not wish.size_said else ("size", size, why)
        return None
    checks: tuple[tuple[ClarifiedSlot, str | None, bool], ...] = (("size", size, wish.size_said), ("color", color, wish.color_said))
    for key, value, said in checks:
        if value is not None and said:
            matching = [v for v in product.variants if _same(v.attributes.get(key), value)]
            if matching and all(v.stock <= 0 for v in matching):
                return key, value, "out_of_stock"
    return None


def _ask_variant(turn: Turn, product: Product, quantity: int, slot: ClarifiedSlot, value: str, why: str, lead: str = "") -> ReplyPlan:
    """Say plainly that the size/colour asked for cannot be had, with what can, and wait for the shopper's choice."""
    other: ClarifiedSlot = "color" if slot == "size" else "size"
    wish = variant_wish(turn.state, turn.nlu.slots, product)
    other_value = _pick(wish.sizes if other == "size" else wish.colors, product.values(other))
    said = f"size {value}" if slot == "size" else value
    within = f" in {'size ' if other == 'size' else ''}{other_value}" if other_value else ""
    both = f"{value}, size {other_value}" if slot == "color" else f"{other_value}, size {value}"
    if why == "out_of_stock":
        head = f"Sorry, the {product.title} in {both if other_value else said} is out of stock right now."
    elif why == "lacks_with":
        head = f"Sorry, the {product.title} doesn't come in {both}."
    else:
        head = f"Sorry, the {product.title} doesn't come in {said}."
    available = _in_stock(product, slot, product.values(slot), **({other: other_value} if other_value else {}))
    scope = within
    if not available and other_value:
        available, scope = _in_stock(product, slot, product.values(slot)), ""
    if not available:
        return _cart_plan(turn, "cart_add", CartAddFacts(added=False, reason="out_of_stock", title=product.title))
    question = f"{lead}{head} Which {'size' if slot == 'size' else 'colour'} would you like{scope}?"
    return _ask(turn, product, quantity, slot, question, available, unavailable=value, sold_out=why == "out_of_stock")


def _ask(turn: Turn, product: Product, quantity: int, slot: ClarifiedSlot, question: str, options: list[str], *,
         unavailable: str | None = None, sold_out: bool = False) -> ReplyPlan:
    turn.emit(ServiceEvent(pending=AwaitingSize(product_id=product.id, quantity=quantity)))
    facts = ClarificationFacts(slot=slot, question=question, options=options, title=product.title, unavailable=unavailable,
                               sold_out=sold_out)
    return turn.plan("ask_clarification", facts=facts, quick_replies=options[:8])


def _in_stock(product: Product, key: str, values: list[str], *, size: str | None = None, color: str | None = None) -> list[str]:
    """The values of ``key`` a shopper can actually buy (with the other attribute fixed, when given): those of variants
    in stock (all of them when variants do not carry ``key``)."""
    keyed = [v for v in product.variants if key in v.attributes
             and (size is None or key == "size" or _same(v.attributes.get("size"), size))
             and (color is None or key == "color" or _same(v.attributes.get("color"), color))]
    if not keyed:
        return values if not any(key in v.attributes for v in product.variants) else []
    stocked = {v.attributes[key].lower() for v in keyed if v.stock > 0}
    return [value for value in values if value.lower() in stocked]


def _answers_pending(dm: DialogueManager, turn: Turn, pending: AwaitingSize) -> bool:
    """Whether this message chooses a size/colour for the product the assistant asked about ("the purple one then")."""
    product = dm.product(pending.product_id)
    if product is None:
        return False
    slots = turn.nlu.slots
    refs = slots.references
    if any(r.kind not in {"attribute", "focus"} or (r.kind == "attribute" and r.key not in {"color", "size"}) for r in refs):
        return False
    values = [r.value for r in refs if r.kind == "attribute" and r.value] + slots.colors + slots.sizes
    return bool(values) and all(_pick([v], product.values("size")) or _pick([v], product.values("color")) for v in values)


def quantity_while_asked(dm: DialogueManager, turn: Turn) -> ReplyPlan:
    """"Make it two" while the assistant asks which product to add: kept for the answer, and the question asked again."""
    slots = turn.nlu.slots
    slots.quantity = slots.quantity or 1
    return _ask_which_to_add(dm, turn, turn.state.last_shown[:4], f"Sure, {slots.quantity}. Which one should I add?")


def _ask_which_to_add(dm: DialogueManager, turn: Turn, ids: list[str], question: str | None, **facts: int | None) -> ReplyPlan:
    """Which product to add, ``ids`` offered; a quantity said ("要两个", "make it two") waits with the question."""
    candidates = [p.title for pid in ids if (p := dm.product(pid))]
    question = question or ("Which one should I add?" if candidates else "What would you like to add? Search for a product first.")
    if turn.nlu.slots.quantity and candidates:
        turn.emit(ServiceEvent(pending=AwaitingReference(intent="add_to_cart", quantity=turn.nlu.slots.quantity)))
    asking = ClarificationFacts(slot="reference", question=question, options=candidates, **facts)
    return turn.plan("ask_clarification", facts=asking, quick_replies=candidates[:4])


def correct_quantity(dm: DialogueManager, turn: Turn) -> ReplyPlan:
    """"make it two", "just one": the quantity of the item the assistant asked a size for, or of the line just added
    (of the line meant: "make the second one 3", "change the quantity of the headphones to 3")."""
    quantity = turn.nlu.slots.quantity or 1
    pending = turn.state.pending
    if isinstance(pending, AwaitingSize):
        turn.nlu.slots.quantity = quantity
        return add(dm, turn, pending.product_id, lead=f"Sure, {quantity}. ")
    meant = _cart_lines_meant(dm, turn) if turn.nlu.slots.references else []  # "make the second one 3"
    named = None if meant else _named_lines(dm, turn)  # "change the quantity of the headphones to 3"
    line = meant[0] if len(meant) == 1 else named or (turn.state.cart[-1] if turn.state.cart else None)
    if line is None:
        return add(dm, turn)
    if quantity > line.quantity:
        turn.emit(CartEvent(op="add", item=line.model_copy(update={"quantity": quantity - line.quantity})))
    elif quantity < line.quantity:
        turn.emit(CartEvent(op="remove", item=line.model_copy(update={"quantity": line.quantity - quantity})))
    return _cart_plan(turn, "cart_add", CartAddFacts(added=True, updated=True, title=line.title, quantity=quantity, variant=line.variant,
                                                     unit_price=line.unit_price))


def remove(dm: DialogueManager, turn: Turn) -> ReplyPlan:
    state = turn.state
    if not state.cart:
        return _cart_plan(turn, "cart_remove", CartRemoveFacts(removed=False, reason="empty"), quick=[])
    targets = _cart_lines_meant(dm, turn)
    if not targets:
        titles = [i.title for i in state.cart]
        return turn.plan("ask_clarification", facts=ClarificationFacts(slot="reference", question="Which item should I remove?", options=titles),
                         quick_replies=[f"Remove {t}" for t in titles[:4]])
    removed: list[CartRemoveFacts] = []
    for target in targets:
        quantity = min(turn.nlu.slots.quantity or target.quantity, target.quantity) if len(targets) == 1 else target.quantity
        turn.emit(CartEvent(op="remove", item=target.model_copy(update={"quantity": quantity})))
        removed.append(CartRemoveFacts(removed=True, title=target.title, quantity=quantity))
    *others, last = removed
    return _cart_plan(turn, "cart_remove", last.model_copy(update={"others": others}))


def _cart_lines_meant(dm: DialogueManager, turn: Turn) -> list[CartItem]:
    """The cart lines a removal means: every line ("clear my cart", "remove all of them", 清空购物车; "both" of a cart of
    two), several by position ("remove the first two"), or the one line of :func:`_cart_target`."""
    cart, refs = turn.state.cart, turn.nlu.slots.references
    kinds = {r.kind for r in refs}
    if CLEAR_CART.search(turn.text.lower()) or (kinds == {"all"} and _EVERY.search(turn.text.lower())) or \
            (kinds == {"both"} and len(cart) == 2):
        return list(cart)
    if len(refs) > 1 and kinds == {"ordinal"}:
        if turn.state.last_action in CART_ACTIONS:
            return [cart[r.index - 1] for r in refs if r.index and r.index <= len(cart)]
        ids = dm.resolve(turn).product_ids
        return [item for item in cart if item.product_id in ids]
    target = _cart_target(dm, turn)
    return [target] if target is not None else []


def undo(dm: DialogueManager, turn: Turn) -> ReplyPlan:
    """"undo that", "put it back", 撤销: the cart as it was before its last change (a second "undo" redoes it)."""
    state = turn.state
    before, now = state.cart_before or [], state.cart
    back, out = lines_missing(before, now), lines_missing(now, before)
    for item in out:
        turn.emit(CartEvent(op="remove", item=item))
    for item in back:
        turn.emit(CartEvent(op="add", item=item))
    if back:
        *others, last = [CartAddFacts(added=True, put_back=True, title=i.title, quantity=i.quantity, variant=i.variant,
                                      unit_price=i.unit_price) for i in back]
        return _cart_plan(turn, "cart_add", last.model_copy(update={"others": others}))
    if out:
        *gone, last_gone = [CartRemoveFacts(removed=True, title=i.title, quantity=i.quantity) for i in out]
        return _cart_plan(turn, "cart_remove", last_gone.model_copy(update={"others": gone}))
    return view(dm, turn)


def lines_missing(cart: list[CartItem], other: list[CartItem]) -> list[CartItem]:
    """The lines (and quantities) of ``cart`` that ``other`` lacks."""
    missing = []
    for line in cart:
        there = sum(o.quantity for o in other if o.same_line(line))
        if line.quantity > there:
            missing.append(line.model_copy(update={"quantity": line.quantity - there}))
    return missing


def view(dm: DialogueManager, turn: Turn) -> ReplyPlan:
    return _cart_plan(turn, "show_cart", ShowCartFacts(items=sum(i.quantity for i in turn.state.cart)), quick=["Checkout"] if turn.state.cart else [])


def checkout(dm: DialogueManager, turn: Turn) -> ReplyPlan:
    items = sum(i.quantity for i in turn.state.cart)
    facts = CheckoutFacts(items=items, empty=not turn.state.cart, shipping=cart_quote(dm, turn))
    return _cart_plan(turn, "checkout", facts, quick=[])


def answer_size(dm: DialogueManager, turn: Turn, awaited: AwaitingSize) -> ReplyPlan:
    """The reply to "which size / which colour?": add the awaited product in what was chosen; a message that chooses
    nothing is handled as what it says."""
    nlu = turn.nlu
    product = dm.product(awaited.product_id)
    if product is not None and not nlu.slots.sizes and not nlu.slots.colors:
        raw = turn.text.strip().rstrip(".!")
        words = [raw, *re.findall(r"[\w.]+", raw)]  # "XL", "one size", or a word of "fine, 10"
        offered = _pick(words, product.values("size")) or _pick(words, product.values("color"))
        if offered in product.values("color"):
            nlu.slots.colors = [offered]
        elif offered or _SIZE_LIKE.match(raw):
            nlu.slots.sizes = [offered or raw.upper()]
        else:
            from dialogue import handlers

            return handlers.INTENT_HANDLERS.get(nlu.intent, handlers.fallback)(dm, turn)
    if not nlu.slots.quantity:
        nlu.slots.quantity = awaited.quantity
    if awaited.then:  # "add both": the others of the request, in the same size or colour where they come in it
        return _add_several(dm, turn, [awaited.product_id, *awaited.then])
    return add(dm, turn, awaited.product_id)


def _cart_target(dm: DialogueManager, turn: Turn) -> CartItem | None:
    """The cart line meant: by position in the cart, by price among its lines after the cart was shown ("remove the
    cheaper one"), by name or kind ("the yoga mat", "the lamp"), the only line, or the product in focus when it is in
    the cart."""
    cart = turn.state.cart
    refs = turn.nlu.slots.references
    last = turn.state.last_action
    for ref in refs:
        if ref.kind == "ordinal" and ref.index and last in CART_ACTIONS and ref.index <= len(cart):
            return cart[ref.index - 1]
        if ref.kind == "last" and last in CART_ACTIONS:
            return cart[-1]
        if ref.kind in ("cheapest", "priciest") and last in CART_ACTIONS:
            pick = (min if ref.kind == "cheapest" else max)(cart, key=lambda item: item.unit_price)
            if sum(item.unit_price == pick.unit_price for item in cart) == 1:  # a tie asks which
                return pick
    named = _named_lines(dm, turn)
    if named is not None:
        return named
    if len(cart) == 1:
        return cart[0]
    resolution = dm.resolve(turn)
    for pid in resolution.product_ids:
        for item in cart:
            if item.product_id == pid:
                return item
    return None


def _named_lines(dm: DialogueManager, turn: Turn) -> CartItem | None:
    """The one cart line whose title or category the message names best ("remove the yoga mat", "take the lamp out")."""
    cart = turn.state.cart
    category = turn.nlu.slots.category
    words = {singular(w) for w in tokens_of(turn.text) if w not in STOPWORDS and w not in _CART_WORDS and len(w) > 2}
    scored: list[tuple[int, int]] = []
    for index, item in enumerate(cart):
        product = dm.product(item.product_id)
        title_words = {singular(w) for w in tokens_of(item.title)}
        score = len(words & title_words) * 2
        if product is not None:
            score += len(words & {singular(w) for level in product.category for w in tokens_of(level)})
            if category and product.in_category(category):
                score += 3
            if product.brand and product.brand.lower() in turn.text.lower():
                score += 2
        if score:
            scored.append((score, index))
    if not scored:
        return None
    scored.sort(reverse=True)
    if len(scored) > 1 and scored[1][0] == scored[0][0]:
        return None
    return cart[scored[0][1]]


def _same(a: str | None, b: str | None) -> bool:
    return a is not None and b is not None and a.lower() == b.lower()


def _pick(wanted: list[str], available: list[str]) -> str | None:
    """The first of ``available`` that is wanted: by its words, else without a size unit ("42" is the catalog's "42码")."""
    for key in (str.lower, _without_unit):
        for value in wanted:
            for option in available:
                if key(option) == key(value):
                    return option
    return None


def _without_unit(value: str) -> str:
    return _SIZE_UNIT.sub("", value.lower().strip())


def _variant(product: Product, size: str | None, color: str | None) -> Variant | None:
    candidates = [v for v in product.variants
                  if (size is None or v.attributes.get("size", "").lower() == size.lower())
                  and (color is None or v.attributes.get("color", "").lower() == color.lower())]
    in_stock = [v for v in candidates if v.stock > 0]
    return (in_stock or candidates or [None])[0]
