"""Dialogue context for intent classification: what the assistant did last, and how it reaches the model.

Two mechanisms, used together:

1. **Context as a second text segment.** The classifier reads ``[CLS] utterance [SEP] previous action [SEP]``
   (``ask_clarification`` is written ``ask clarification``). In training, each epoch shows a share of the examples
   (``settings.nlu_context_rate``) with a previous action: mostly one after which the intent is typical
   (:data:`TYPICAL_AFTER`), sometimes any action at all, so the model learns context as a prior for short,
   ambiguous answers ("the blue one" after a clarifying question) while the words of a clear request still win.
   Without context the utterance alone is encoded, exactly as in training.
2. **A small rule layer** (:func:`apply_rules`) for bare answers whose meaning is fixed by the question:

   - ``order-id-answer``: after the assistant asked for an order number (pending :class:`AwaitingOrderId`, or a
     previous action ``order_status``/``cancel_order``/``return_item``), a message that is just an order id
     ("ORD-10001", "it's #12345") continues that intent.
   - ``value-answer``: after ``ask_clarification``, a bare price or number ("500", "$75", "under 200 dollars")
     answers the question: ``refine``.
   - ``size-answer``: while the assistant waits for a size to add an item (pending :class:`AwaitingSize`), a bare
     size ("M", "size 10", "extra large") continues ``add_to_cart``.
   - ``no-words`` (any context): a message with no letter or digit at all ("👋😊", "???") is ``out_of_scope``:
     the tokenizer sees only unknown symbols there, so the model's answer would be arbitrary.

   - ``catalog-request`` (any context; needs the slots, so :class:`dialogue.understanding.Understander` applies it):
     a message made only of a catalog category (with perhaps other catalog values or product features) and request
     words ("garden", "show me some beauty", "any appliances?", "blue office chairs please", "unlocked phones under
     800") is ``search_product`` unless the model
     already said ``search_product`` or ``refine``. A category the catalog knows names a product to find; the
     model, trained on phrasings rather than on this catalog's departments, can be confidently wrong about them.

   Rules only fire on these exact shapes; everything else is the model's decision.
"""

from __future__ import annotations

import random
import re

from pydantic import BaseModel, ConfigDict, Field, field_validator

from dialogue.actions import ACTIONS, ORDER_ACTIONS, Action, OrderAction
from dialogue.pending import AwaitingOrderId, AwaitingSize, Pending, parse_legacy

#: Actions after which an intent typically comes (context augmentation samples mostly from these; the previous-action
#: vocabulary seen in training is :data:`dialogue.actions.ACTIONS`).
TYPICAL_AFTER: dict[str, tuple[Action, ...]] = {
    "search_product": ("greet", "show_products", "ask_clarification", "fallback", "reset", "cart_add", "answer_question"),
    "refine": ("show_products", "ask_clarification", "compare"),
    "show_more": ("show_products",),
    "ask_product_question": ("show_products", "compare", "answer_question", "cart_add"),
    "compare": ("show_products", "answer_question", "compare"),
    "feedback_positive": ("show_products", "compare", "answer_question"),
    "feedback_negative": ("show_products", "compare", "answer_question"),
    "add_to_cart": ("show_products", "answer_question", "compare", "ask_clarification"),
    "remove_from_cart": ("show_cart", "cart_add", "cart_remove"),
    "view_cart": ("cart_add", "cart_remove", "show_products"),
    "checkout": ("show_cart", "cart_add"),
    "order_status": ("order_status", "greet", "policy_answer"),
    "cancel_order": ("order_status", "cancel_order"),
    "return_item": ("order_status", "return_item", "policy_answer"),
    "return_policy": ("policy_answer", "answer_question", "checkout", "return_item"),
    "shipping_info": ("policy_answer", "answer_question", "checkout", "order_status"),
    "human_handoff": ("fallback", "handoff", "order_status", "policy_answer"),
    "affirm": ("ask_clarification", "checkout", "cancel_order", "cart_add", "compare"),
    "deny": ("ask_clarification", "checkout", "cancel_order", "cart_add", "show_products"),
    "greet": ("goodbye", "reset"),
    "thanks": ("show_products", "answer_question", "order_status", "cart_add", "checkout", "policy_answer"),
    "goodbye": ("checkout", "order_status", "policy_answer", "answer_question"),
}


class NluContext(BaseModel):
    """What the classifier may know about the conversation so far."""

    model_config = ConfigDict(frozen=True)

    previous_action: Action | None = Field(default=None, description="The assistant's last action, e.g. ask_clarification.")
    pending: Pending | None = Field(default=None, description="What the assistant waits for, e.g. an order number.")
    asked: str | None = Field(default=None, description="The slot a clarifying question asked for, e.g. 'color'.")

    _legacy_pending = field_validator("pending", mode="before")(parse_legacy)

    @classmethod
    def of(cls, value: NluContext | str | None) -> NluContext | None:
        """A context from a context, a bare previous-action name, or nothing."""
        if value is None or isinstance(value, NluContext):
            return value
        return cls(previous_action=value)  # type: ignore[arg-type]  # validated: an unknown name is an error


def context_text(action: str | None) -> str | None:
    """The second text segment for a previous action (``None``: the utterance is encoded alone)."""
    if not action:
        return None
    return action.replace("_", " ").strip() or None


def sample_action(intent: str, rng: random.Random, rate: float, typical_share: float = 0.7) -> Action | None:
    """A previous action for one training example in one epoch (``None`` for no context)."""
    if rng.random() >= rate:
        return None
    typical = TYPICAL_AFTER.get(intent)
    if typical and rng.random() < typical_share:
        return rng.choice(typical)
    return rng.choice(ACTIONS)


_ORDER_ID = r"#?\s*(?:ord[-\s]?\d{3,}|\d{4,})"
_ORDER_ANSWER = re.compile(
    r"^\s*(?:(?:it'?s|it is|sure|yes|ok(?:ay)?|here|that'?s)[,:]?\s*)*"
    r"(?:(?:my|the)\s+)?(?:order|purchase)?\s*(?:number|no\.?|id|#)?\s*(?:is|:)?\s*"
    + _ORDER_ID + r"\s*[.!]?\s*$",
    re.IGNORECASE,
)
_VALUE_ANSWER = re.compile(
    r"^\s*(?:(?:under|below|less than|up to|max(?:imum)?|around|about|roughly|over|above|at least|no more than)\s+)?"
    r"[$€£]?\s*\d+(?:[.,]\d+)?\s*(?:k|bucks|dollars?|euros?|pounds?|usd|eur|gbp)?\s*(?:max|tops|or less|or so)?\s*[.!]?\s*$",
    re.IGNORECASE,
)


_SIZE_ANSWER = re.compile(
    r"^\s*(?:(?:size|in|a|an|in a|in size)\s+)?(?:x{0,3}s|m|x{0,3}l|\d{1,2}(?:\.5)?|small|medium|large|extra[- ]?(?:small|large)"
    r"|petite|tall|one size)\s*(?:please)?\s*[.!]?\s*$",
    re.IGNORECASE,
)


def order_intent_awaited(context: NluContext | None) -> OrderAction | None:
    """The order intent an order-number answer would continue, if the assistant just asked for one."""
    if context is None:
        return None
    if isinstance(context.pending, AwaitingOrderId):
        return context.pending.intent
    previous = context.previous_action
    return previous if previous in ORDER_ACTIONS else None  # type: ignore[return-value]  # narrowed by the membership test


def apply_rules(text: str, context: NluContext | None) -> tuple[str, str] | None:
    """``(intent, rule name)`` when a documented rule decides this turn, else ``None``."""
    if not any(ch.isalnum() for ch in text):
        return "out_of_scope", "no-words"
    if context is None:
        return None
    awaited = order_intent_awaited(context)
    if awaited and _ORDER_ANSWER.match(text):
        return awaited, "order-id-answer"
    if context.previous_action == "ask_clarification" and _VALUE_ANSWER.match(text):
        return "refine", "value-answer"
    if isinstance(context.pending, AwaitingSize) and _SIZE_ANSWER.match(text):
        return "add_to_cart", "size-answer"
    return None


#: Words that only frame a request ("show me some …", "do you have any … please?").
REQUEST_WORDS = frozenset(
    "a an any anything are browse buy can carry could do find for get got have hello hey hi i i'd i'm im in interested "
    "is let look looking me need of ok okay please pls see sell shop shopping show some something stuff the "
    "there things to u want what you your".split()
)
#: Intents a message of catalog terms and request words may keep (see ``catalog-request``).
CATALOG_REQUEST_INTENTS = frozenset({"search_product", "refine"})


def catalog_request_rule(intent: str, has_category: bool, other_words: list[str],
                         feature_words: frozenset[str] = frozenset()) -> tuple[str, str] | None:
    """``("search_product", "catalog-request")`` when a message names a catalog category and otherwise only frames
    a request or names product features (``feature_words``: "unlocked phones under 800"), and the model routed it
    elsewhere; else ``None``."""
    if has_category and intent not in CATALOG_REQUEST_INTENTS and all(w in REQUEST_WORDS or w in feature_words for w in other_words):
        return "search_product", "catalog-request"
    return None


#: "add a yoga mat to my cart", "please put the second one in the basket", 把瑜伽垫加入购物车: an order to add.
_ADD_ORDER = re.compile(r"^\s*(?:please\s+|pls\s+|(?:can|could|would)\s+you\s+)?(?:add|put|throw|toss|pop|stick)\b[^?]*"
                        r"\b(?:cart|basket|trolley)\b[^?]*$", re.IGNORECASE)
_ADD_ORDER_ZH = re.compile(r"(?:加入|加到|加进|放进|放到|放入|添加到)(?:我的)?购物车(?!里[有是]|有什么)[^吗?？]*$")


#: Emptying the cart: "clear my cart", "empty the basket", "remove everything", 清空购物车.
CLEAR_CART = re.compile(r"\b(clear|empty|reset)\b(\s+\w+)?\s+(cart|basket|bag|trolley)\b|\b(remove|delete|drop)\s+(everything|it\s+all)\b|"
                        r"清空|全部(删|移|清)|都(删|移|清|不要)")
#: The cart named ("my cart", 购物车).
CART_NAMED = re.compile(r"(?i)\b(?:cart|basket|trolley)\b|购物车")
#: What a model has made of an order to add something to the cart ("add running shoes to my cart"): a request to see
#: the cart, a search, or nothing it was sure of.
_MISREAD_ADD_ORDER = frozenset({"view_cart", "search_product", "out_of_scope"})


def cart_order_rule(intent: str, text: str, names_something: bool) -> tuple[str, str] | None:
    """``("add_to_cart", "add-order")`` when the model misread (``_MISREAD_ADD_ORDER``) an order to add something (a
    kind of product or a reference, ``names_something``) to the cart; ``("remove_from_cart", "clear-cart")`` for an
    order to empty it read as a look at it or not understood; else ``None``. "what did I add to my cart?" is a
    question, not an order, and stays view_cart."""
    if intent in _MISREAD_ADD_ORDER and names_something and (_ADD_ORDER.match(text) or _ADD_ORDER_ZH.search(text)):
        return "add_to_cart", "add-order"
    if intent in ("view_cart", "out_of_scope") and CLEAR_CART.search(text.lower()) and CART_NAMED.search(text):
        return "remove_from_cart", "clear-cart"  # "clear my cart" read as a look at it
    return None
