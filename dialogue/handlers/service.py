"""Customer service: order status, cancellation, returns, policies and hand-off to a person."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from core.language import has_han
from dialogue.actions import OrderAction
from dialogue.lexicon import STOPWORDS, singular, tokens_of
from dialogue.pending import AwaitingConfirmation, AwaitingOrderId
from dialogue.plan import ReplyPlan
from dialogue.reply_facts import (
    ORDER_FACTS,
    CancelOrderFacts,
    HandoffFacts,
    OrderChoice,
    PolicyFacts,
    ReturnItemFacts,
    ShippingQuote,
)
from dialogue.request_cues import forgot_order_number
from dialogue.state import HandoffEvent, ServiceEvent

if TYPE_CHECKING:
    from dialogue.manager import DialogueManager, Turn
    from dialogue.orders import Order, OrderItem
    from dialogue.policy_clauses import Embed
    from retrieval.models import Product


#: A no to "Shall I cancel it?" in words, whatever the classifier made of it ("no don't cancel it", 不取消了 hold "cancel").
DECLINES = re.compile(r"(?i)^\W*(no|nope|nah|never\s*mind|keep\s+it)\b|\b(don'?t|do\s+not)\s+cancel\b|不取消|不要取消|别取消|先不|算了|不用了|不了")


#: "my latest order", 最近的订单: the sender's most recent order, whatever order was talked about before.
LATEST_ORDER = re.compile(r"(?i)\b(latest|last|most\s+recent|newest|recent)\s+(order|purchase)\b|最近(的|一个|一笔|一单|那个)*订单|最新的?订单|"
                          r"上一(个|笔)?订单|上一单|刚(下|买)的(那个)?(订单|单)")
#: The newest order, named in answer to "which order?": "the most recent one", "the latest", 最近那个, 最新的.
LATEST_ONE = re.compile(r"(?i)^\W*(?:the\s+)?(?:latest|last|most\s+recent|newest)(?:\s+one)?\W*$|^(?:最近|最新|最后)(?:的|那个|那单|一个|一单)*$")


#: "my other order", 另一个订单: an order of the sender's other than the one the conversation is about.
OTHER_ORDER = re.compile(r"(?i)\b(other|another|different|second)\s+(order|purchase)\b|(另一|另外一|另外的|其他|其它|别的)(个|笔|单)?订单|另一单")


def order_action(dm: DialogueManager, turn: Turn, action: OrderAction) -> ReplyPlan:
    """order_status / cancel_order / return_item: needs an order id (asked for when missing, or "my latest order"),
    checked against the sender's own orders. A cancellation is carried out only after a yes to "Shall I cancel it?"
    (a "can I cancel my order?" cancelled it at once, and it cannot be undone)."""
    awaited = turn.state.pending
    other = turn.state.order_id if OTHER_ORDER.search(turn.text) else None  # "my other order": not the one talked about
    mine = [o for o in dm.orders.orders_of(turn.state.sender) if o.order_id != other]  # all of them without "other"
    talked_about = (mine[0].order_id if len(mine) == 1 else None) if other else turn.state.order_id
    item = turn.nlu.slots.category if not turn.nlu.slots.order_id else None  # "return the backpack": the order it is in
    holding = _orders_with(dm, mine, item) if item else mine
    if item and talked_about not in {o.order_id for o in holding}:
        talked_about = None
    order_id = turn.nlu.slots.order_id or _latest_order(dm, turn) or talked_about
    facts_class = ORDER_FACTS[action]
    candidates = (_candidates(holding, action) or (holding if item else [])) if not order_id else []
    if not order_id and len(candidates) == 1:
        order_id = candidates[0].order_id  # "where is my order?" with one order on its way, or the one the item is in
    if not order_id:
        forgot = isinstance(awaited, AwaitingOrderId) and forgot_order_number(turn.text)
        candidates = candidates or _candidates(mine, action)  # no order holds the item named: those the request may mean
        options = [o.order_id for o in candidates[:4]]
        turn.emit(ServiceEvent(pending=AwaitingOrderId(intent=action, offered=options)))
        choices = [OrderChoice(order_id=o.order_id, status=o.status, placed_at=str(o.placed_at)) for o in candidates[:4]]
        asking = facts_class(slot="order_id", question="Could you give me your order number? It looks like ORD-12345.",
                             options=options, choices=choices, forgot=forgot, not_ordered=item if item and not holding else None)
        if isinstance(asking, ReturnItemFacts) and not forgot:
            asking.policy = _return_clauses(dm, turn, limit=2)
        return turn.plan(action, facts=asking, quick_replies=options or (["Talk to a person"] if forgot else []))
    result = dm.orders.lookup(order_id, turn.state.sender)
    if result.order is None:
        turn.emit(ServiceEvent(pending=AwaitingOrderId(intent=action), order_id=None))
        return turn.plan(action, facts=facts_class(order_id=order_id, found=False, problem=result.problem))
    order = result.order
    turn.emit(ServiceEvent(pending=None, order_id=order.order_id))
    facts = facts_class(order_id=order.order_id, found=True, status=order.status, placed_at=str(order.placed_at),
                        items=[f"{i.quantity} × {i.title}" for i in order.items], total=order.total, currency=order.currency,
                        carrier=order.carrier, tracking_number=order.tracking_number,
                        estimated_delivery=str(order.estimated_delivery) if order.estimated_delivery else None)
    if isinstance(facts, CancelOrderFacts):
        confirmed = isinstance(awaited, AwaitingConfirmation) and awaited.order_id == order.order_id and not DECLINES.search(turn.text)
        if order.cancellable and confirmed:
            dm.orders.set_status(order.order_id, turn.state.sender, "cancelled")
            facts.cancelled, facts.status = True, "cancelled"
        elif order.cancellable:
            turn.emit(ServiceEvent(pending=AwaitingConfirmation(order_id=order.order_id), order_id=order.order_id))
            facts.confirm = True
            return turn.plan(action, facts=facts, quick_replies=["Yes, cancel it", "No, keep it"])
    elif isinstance(facts, ReturnItemFacts):
        facts.returnable = order.returnable
        facts.policy = _return_clauses(dm, turn, limit=3)
    return turn.plan(action, facts=facts, quick_replies=["Talk to a person"] if action != "order_status" else [])


def keep_order(dm: DialogueManager, turn: Turn, awaited: AwaitingConfirmation) -> ReplyPlan:
    """A no to "Shall I cancel it?": the order stays as it is."""
    turn.emit(ServiceEvent(pending=None, order_id=awaited.order_id))
    return turn.plan("cancel_order", facts=CancelOrderFacts(order_id=awaited.order_id, found=True, kept=True))


#: The orders each request may be about: on their way for a status or a cancellation, delivered for a return.
_CANDIDATE_STATUSES: dict[str, tuple[str, ...]] = {"order_status": ("processing", "shipped"), "cancel_order": ("processing", "shipped"),
                                                   "return_item": ("delivered",)}


def _candidates(orders: list[Order], action: OrderAction) -> list[Order]:
    """The shopper's orders ``action`` may be about, newest first."""
    wanted = _CANDIDATE_STATUSES.get(action, ())
    return sorted((o for o in orders if o.status in wanted), key=lambda o: (o.placed_at, o.order_id), reverse=True)


def _orders_with(dm: DialogueManager, orders: list[Order], category: str) -> list[Order]:
    """The orders with an item of ``category`` in them (by the item's catalog entry; by the category's last word in
    its title when the catalog no longer lists it)."""
    head = singular(category.lower().split()[-1]) if category.split() else category

    def holds(item: OrderItem) -> bool:
        product = dm.product(item.product_id)
        return category in product.category if product is not None else head in item.title.lower()

    return [o for o in orders if any(holds(i) for i in o.items)]


def _latest_order(dm: DialogueManager, turn: Turn) -> str | None:
    """The newest order when the message names it ("my latest order"; "the most recent one" when asked which order:
    the newest of those the question offered)."""
    pending = turn.state.pending
    awaited = isinstance(pending, AwaitingOrderId) and LATEST_ONE.search(turn.text.strip()) is not None
    if not (LATEST_ORDER.search(turn.text) or awaited):
        return None
    if isinstance(pending, AwaitingOrderId) and pending.offered:
        return pending.offered[0]  # the newest of those the question offered: no need to read the orders
    mine = dm.orders.orders_of(turn.state.sender)
    offered = [o.order_id for o in _candidates(mine, pending.intent)] if isinstance(pending, AwaitingOrderId) else []
    return offered[0] if offered else max(mine, key=lambda o: (o.placed_at, o.order_id)).order_id if mine else None


#: How to reach the store (answered from the policies, also when the classifier filed it as a hand-off).
CONTACT_EN = (r"phone number|call you|email address|contact (you|customer)|customer (service|care|support) (hours|number|phone|email)"
              r"|opening hours|(are|r) (you|u) open")
CONTACT_ZH = r"电话|联系方式|怎么联系|联系你们|邮箱|营业时间|上班时间|几点上班|几点下班|人工服务时间"
#: Policy questions the intent classifier files elsewhere ("do you take paypal" as checkout, "what is your phone number"
#: as chitchat or hand-off; 能用花呗吗 as checkout): a question with one of these phrases, classified as one of
#: ``FILED_ELSEWHERE``, is a policy question. One pattern per language, matched on the turn's language.
POLICY_PHRASES = re.compile(
    r"\b(paypal|apple pay|google pay|klarna|afterpay|installments?|payment (methods?|options?)|credit cards?|debit cards?"
    r"|cash on delivery|crypto\w*|bitcoin|pay (with|by|in|using)|card (be |get |gets |is )?charged|charge my card|sales tax"
    rf"|warranty|warranties|guarantee[ds]?|price[- ]match\w*|match (a|the|their|your) price|{CONTACT_EN})\b")
POLICY_PHRASES_ZH = re.compile(
    r"(?i)paypal|apple ?pay|支付宝|微信支付|微信付|花呗|白条|分期|付款方式|支付方式|怎么付款|怎么支付|用什么付|能刷|信用卡|银行卡|储蓄卡"
    rf"|货到付款|比特币|数字货币|扣款|发票|开票|保修|质保|三包|保价|价保|比价|{CONTACT_ZH}")
QUESTION = re.compile(r"^\s*(do|does|did|can|could|will|would|is|are|was|how|what|whats|what's|when|where|which|who|why|any|r)\b|\?\s*$")
QUESTION_ZH = re.compile(r"[吗么嘛呢？?]|多少|多久|几|怎么|怎样|如何|哪些|哪种|哪个|什么|能不能|可不可以|可以|支持|有没有|是否|行不行")
FILED_ELSEWHERE = {"checkout", "out_of_scope", "chitchat", "greet", "thanks", "affirm", "deny", "refine", "search_product"}
#: Contact questions ("what's your phone number", 客服电话多少) that the data files as a hand-off: answered from the
#: contact policy unless the shopper asks for a person.
CONTACT_PHRASES = re.compile(rf"(?i)\b({CONTACT_EN})\b|{CONTACT_ZH}")
ASKS_FOR_PERSON = re.compile(r"(?i)\b(person|human|agent|someone|somebody|representative|real people)\b|人工|真人|转接|找个人|找人|有人吗|客服人员|经理|领导|投诉")


#: "Can I return a …": a return request put as a question, answered as one (the summary unless its words point at a
#: clause: "a mattress", "a gift card"), not by clauses that only sound like the product ("a yoga mat": mattresses).
CAN_I_RETURN = re.compile(r"(?i)\b(can|could|may)\s+i\s+(return|send\s+back|exchange)\b")


def is_policy_question(turn: Turn) -> bool:
    """A question about the store's terms, not about a product named or pointed at ("does the first one have a
    warranty" stays a product question, "is there a warranty on laptops" does not); a contact question filed as a
    hand-off counts unless it asks for a person."""
    text = turn.text.lower()
    zh = turn.nlu.language == "zh"
    if turn.nlu.slots.references:
        return False
    if turn.nlu.intent == "human_handoff":
        if not CONTACT_PHRASES.search(text) or ASKS_FOR_PERSON.search(text):
            return False
    elif turn.nlu.intent not in FILED_ELSEWHERE and not (turn.nlu.intent == "ask_product_question" and turn.nlu.slots.category):
        return False
    phrases, question = (POLICY_PHRASES_ZH, QUESTION_ZH) if zh else (POLICY_PHRASES, QUESTION)
    return bool(question.search(text)) and bool(phrases.search(text))


def policy(dm: DialogueManager, turn: Turn) -> ReplyPlan:
    """The clauses of the policy that answer the question (the whole section when asked for), with the section named."""
    topic = dm.policies.topic_for(turn.text, turn.nlu.intent)
    if topic is None:
        return turn.plan("policy_answer", facts=PolicyFacts(known=False, topics=dm.policies.topics()))
    asks_to_return = topic == "returns" and CAN_I_RETURN.search(turn.text) is not None  # "can i return a yoga mat"
    answer = dm.policies.answer_question(topic, turn.text, _policy_encoder(dm, turn), only_when_matched=asks_to_return,
                                         language=turn.nlu.language)
    facts = PolicyFacts(known=True, topic=answer.topic, title=answer.title, sentences=answer.sentences, section=answer.name,
                        whole=answer.whole)
    return turn.plan("policy_answer", facts=facts, quick_replies=[] if answer.whole else [f"The full {answer.name}"])


def returns_question(dm: DialogueManager, turn: Turn) -> ReplyPlan:
    """A question about the returns terms filed elsewhere ("can i send a mattress back if i dont like it", not
    understood): answered from the returns policy."""
    return _policy_on(dm, turn, "return_policy")


def shipping_question(dm: DialogueManager, turn: Turn) -> ReplyPlan:
    """When things ship, asked of no order of the shopper's (顺便问一下多久发货, "when do you ship?") but filed as an
    order's status: answered from the shipping policy, not with a request for an order number."""
    return _policy_on(dm, turn, "shipping_info")


def shipping_quote(dm: DialogueManager, turn: Turn) -> ReplyPlan:
    """"Does this one ship free?", 第一个包邮吗, "do I need to pay for shipping?": the shipping policy's answer, led by
    what it means for the product meant (its price against the free-shipping threshold, with the rest of the cart
    counted) or, when the message names none, for the cart; led by "your cart is empty" when no product is meant and
    the cart is empty; the policy's answer alone when the policy states no threshold in the catalog's currency."""
    plan = _policy_on(dm, turn, "shipping_info")
    facts = plan.facts_as(PolicyFacts)
    free_from, fee = dm.policies.amounts.get("free_shipping"), dm.policies.amounts.get("standard_shipping")
    cart = turn.state.cart
    ids = dm.resolve(turn).product_ids if turn.nlu.slots.references else []
    product = dm.product(ids[0]) if len(ids) == 1 else None
    priced = product or (dm.product(cart[0].product_id) if cart and not ids else None)
    if priced is None and not ids and facts.known:  # "what's my total with shipping?" with nothing in the cart
        return plan.model_copy(update={"facts": facts.model_copy(update={"cart_empty": True})})
    if priced is None or free_from is None or fee is None or priced.currency.upper() != dm.policies.currency or not facts.known:
        return plan
    if product is not None:
        dm.focus(turn, product.id)  # "does the first one ship free?" then "add it": that one
        others = round(sum(item.line_total for item in cart if item.product_id != product.id), 2)
        quote = ShippingQuote(title=product.title, price=product.price, currency=product.currency, free_from=free_from,
                              fee=fee, cart_subtotal=others, amount_short=max(round(free_from - product.price - others, 2), 0.0))
    else:
        quote = cart_quote(dm, turn)
    summary = dm.policies.clauses_under("shipping", ["summary"], turn.nlu.language)  # the quote says the threshold and fee
    sentences = [s for s in facts.sentences if s not in summary] or facts.sentences
    return plan.model_copy(update={"facts": facts.model_copy(update={"quote": quote, "sentences": sentences})})


def cart_quote(dm: DialogueManager, turn: Turn) -> ShippingQuote | None:
    """What standard shipping costs the cart under the shop's terms (its subtotal against the free-shipping threshold),
    or None: an empty cart, or a policy with no threshold in the cart's currency."""
    free_from, fee = dm.policies.amounts.get("free_shipping"), dm.policies.amounts.get("standard_shipping")
    cart = turn.state.cart
    priced = dm.product(cart[0].product_id) if cart else None
    if priced is None or free_from is None or fee is None or priced.currency.upper() != dm.policies.currency:
        return None
    total = turn.state.cart_total
    return ShippingQuote(price=total, currency=priced.currency, free_from=free_from, fee=fee,
                         amount_short=max(round(free_from - total, 2), 0.0), with_fee=round(total + fee, 2))


def deals(dm: DialogueManager, turn: Turn) -> ReplyPlan:
    """"Do you have any deals?", 有优惠吗: the catalog lists no sales or coupons, so the reply says so and gives what the
    shop promises on price (the price match's summary and its refund of a price drop); the policy answer when the
    shop's policy has no price match."""
    language = turn.nlu.language
    sentences = dm.policies.clauses_under("price_match", ["summary", "our_price_drops"], language)
    if not sentences:
        return policy(dm, turn)
    facts = PolicyFacts(known=True, topic="price_match", title=dm.policies.title("price_match", language), sentences=sentences,
                        section=dm.policies.name("price_match", language), deals=True)
    return turn.plan("policy_answer", facts=facts, quick_replies=["Show me cheaper options", f"The full {facts.section}"])


#: What a question about one product may ask of the shop's terms when the catalog says nothing of its own.
PRODUCT_TERMS = ("warranty", "returns")


def terms_for_product(dm: DialogueManager, turn: Turn, product: Product) -> ReplyPlan | None:
    """"How long is the warranty?", "can I return it?" about a product the catalog lists no such terms for: the shop's
    clause for the product's kind ("vacuums have a 2-year warranty"), picked by its category's names (the question's
    own words, "how long is the guarantee", would pick clauses by "guarantee"); None for other questions."""
    topic = dm.policies.topic_for(turn.text, None)
    if topic not in PRODUCT_TERMS:
        return None
    language = turn.nlu.language
    # the one clause for its kind (the section's summary when no clause names it); the rest of the section is a tap away
    answer = dm.policies.answer_question(topic, " ".join(product.category), _policy_encoder(dm, turn), limit=1, language=language)
    sentences = answer.sentences
    if not any(_names_the_kind(sentence, product.category) for sentence in sentences):
        sentences = dm.policies.clauses_under(topic, ["summary"], language) or sentences  # a garden hose: no clause of its own
    facts = PolicyFacts(known=True, topic=answer.topic, title=answer.title, sentences=sentences, section=answer.name,
                        product=product.title)
    return turn.plan("policy_answer", facts=facts, quick_replies=[f"The full {answer.name}"])


def _names_the_kind(clause: str, category: list[str]) -> bool:
    """Whether a policy clause names a level of the product's category ("Major appliances (… vacuums …)" for Robot
    Vacuums, 自行车 for 自行车), and so speaks of its kind."""
    if has_han(clause):
        return any(level in clause for level in category)
    words = {singular(w) for w in tokens_of(clause.lower())} - STOPWORDS
    return any(singular(w) in words for level in category for w in tokens_of(level.lower()))


def _policy_on(dm: DialogueManager, turn: Turn, intent: str) -> ReplyPlan:
    from dialogue.manager import Turn

    return policy(dm, Turn(nlu=turn.nlu.model_copy(update={"intent": intent}), state=turn.state, events=turn.events))


def fault(dm: DialogueManager, turn: Turn) -> ReplyPlan:
    """"They stopped working", "it arrived broken", 耳机坏了: what the warranty says of a product that does not work (a
    defect on arrival, how to claim), with a person and the returns policy a tap away; the warranty's summary when the
    shop's policy has neither clause, the policy answer when it has no warranty section."""
    language = turn.nlu.language
    sentences = dm.policies.clauses_under("warranty", ["defective_on_arrival", "how_to_claim"], language) or \
        dm.policies.clauses_under("warranty", ["summary"], language)
    if not sentences:
        return policy(dm, turn)
    facts = PolicyFacts(known=True, topic="warranty", title=dm.policies.title("warranty", language), sentences=sentences,
                        section=dm.policies.name("warranty", language), fault=True)
    return turn.plan("policy_answer", facts=facts, quick_replies=["Talk to a person", "Return policy"])


def _return_clauses(dm: DialogueManager, turn: Turn, limit: int) -> list[str]:
    """The returns clauses a return request calls for: those its words point at ("it arrived broken"), else the
    policy's summary."""
    if "returns" not in dm.policies.sections:
        return []
    return dm.policies.answer_question("returns", turn.text, _policy_encoder(dm, turn), limit=limit, only_when_matched=True,
                                       language=turn.nlu.language).sentences


def _policy_encoder(dm: DialogueManager, turn: Turn) -> Embed | None:
    """The query encoder for matching a question to policy clauses; None (BM25 alone) for Chinese: it is English-only."""
    return dm.products.embed_query if turn.nlu.language == "en" else None


def handoff(dm: DialogueManager, turn: Turn) -> ReplyPlan:
    if not turn.state.handoff:
        turn.emit(HandoffEvent(active=True, reason=turn.text[:200]))
    return turn.plan("handoff", handoff=True, facts=HandoffFacts(already=False))


def handoff_withdrawn(dm: DialogueManager, turn: Turn) -> ReplyPlan:
    """"Never mind", 算了 right after asking for a person, before one wrote (the request is withdrawn: the service
    handed the conversation back): says so, and the assistant helps on."""
    return turn.plan("handoff", facts=HandoffFacts(withdrawn=True))
