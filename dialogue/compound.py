"""Two or more requests in one message, carried out one after the other: "add the second to my cart and show me
cheaper ones", "find running shoes, then compare the first two", "add the first, show my cart and checkout",
把第二个加入购物车，再看看便宜点的.

A message splits where a connective ("and", "then", a sentence's end; 然后, 再, 顺便 after a comma) is followed by a
request verb (English) or a connective word (Chinese: a comma alone often only adds a detail, 跑步鞋，500元以内). The
assistant (``assistant.service``) reads both parts and carries them out in order only when the first is something
done before the next is read (the cart changed, products found) and the second is a request of its own; otherwise the
message is one request, as before. Three or four parts are carried out alike when every part before the last is such
a first request (or "show my cart"); otherwise the message splits at its first joint only. When one asks something
back (which size? what kind of shoes?), the requests after it wait in that turn's record (``TurnRecord.then_say`` and
``then_also``) and are carried out if the next turn answers the question.
"""

from __future__ import annotations

import re

from core.language import Language
from dialogue.actions import CART_CHANGES, ORDER_ACTIONS
from dialogue.plan import ReplyPlan
from dialogue.reply_facts import SEARCH_QUESTIONS
from dialogue.state import ConversationState

#: What a first request may be: done before the second is read (the cart changed, products shown or narrowed).
FIRST_REQUESTS = frozenset({"add_to_cart", "remove_from_cart", "search_product", "refine"})
#: What a request between two others may be: done before the next is read, as a first request is.
MIDDLE_REQUESTS = FIRST_REQUESTS | {"view_cart"}
#: The most requests one message is read as.
MOST_REQUESTS = 4
#: What a second request may be: a request of its own, not a remark, a greeting or a yes / no.
SECOND_REQUESTS = frozenset({
    "add_to_cart", "remove_from_cart", "view_cart", "checkout", "search_product", "refine", "show_more", "compare",
    "ask_product_question", "order_status", "shipping_info", "return_policy", "human_handoff",
})

_ASK_EN = r"(?:please\s+)?(?:(?:can|could|would)\s+you\s+(?:please\s+)?)?(?:also\s+|now\s+)?"
_DO_EN = (r"(?:show|find|search|look|give|get|recommend|suggest|compare|add|put|throw|remove|delete|take|drop|check|"
          r"track|view|open|checkout|tell|let\s+me\s+see)\b")
_VERB_EN = (rf"{_ASK_EN}(?:{_DO_EN}|(?:what(?:'s|\s+is|\s+about|\s+are)|whats|where(?:'s|\s+is)|"
            r"how\s+(?:much|long|many|do|does|can)|when|is\s+(?:it|there|the)|are\s+(?:they|there|the)|do\s+you|does\s+(?:it|the))\b)")
#: How an English first part opens: a request ("add …", "I need …", "looking for …"), not a story ("I bought a lamp").
_OPENER_EN = (r"(?:(?:hi|hey|hello|ok|okay|great|cool|nice|perfect|actually|alright|all\s+right|so|well|yes|yeah|sure|"
              r"hmm|oh|now|thanks|thank\s+you)[,.!]?\s+){0,2}")
_FIRST_EN = re.compile(rf"(?i)^\s*{_OPENER_EN}(?:{_ASK_EN}{_DO_EN}|"
                       r"i(?:'d|\s+would)?\s+(?:like|want|need)\b|i'm\s+(?:looking|after)\b|i\s+am\s+(?:looking|after)\b|"
                       r"looking\s+for\b|do\s+you\s+(?:have|sell|carry)\b|any\b)")
#: An English joint: ", and (then)", " then", "; ", a sentence's end; the second part opens with a request verb.
_JOINT_EN = re.compile(rf"(?i)(?:\s*,?\s+and\s+(?:then\s+|also\s+)?|\s*,?\s+then\s+|\s*;\s*|\s*[.!?]\s+)(?={_VERB_EN})")
#: A Chinese joint: a comma or a sentence's end followed by a connective word, or 然后 alone.
_JOINT_ZH = re.compile(r"\s*[，,。；;！!？?]\s*(?=然后|再(?!便宜|贵|大|小|多|少|长|短|轻|重|好|来一)|顺便|另外|接着|同时|并且|还要)"
                       r"|(?<=[\u4e00-\u9fff])(?=然后)")
_LEAD_ZH = re.compile(r"^(?:然后|再|顺便|另外|接着|同时|并且|还要)")


def split_requests(text: str, language: Language) -> tuple[str, str] | None:
    """The message's two parts at its first joint, or None (one request, or parts too short to be requests)."""
    joint = (_JOINT_ZH if language == "zh" else _JOINT_EN).search(text)
    if joint is None or (language != "zh" and not _FIRST_EN.match(text)):
        return None
    first, second = text[: joint.start()].strip(" ,，"), text[joint.end():].strip()
    if language == "zh":
        second = _LEAD_ZH.sub("", second).strip(" ,，")
    minimum = 2 if language == "zh" else 4
    if len(first) < minimum or len(second) < minimum:
        return None
    return first, second


def split_all(text: str, language: Language) -> list[str] | None:
    """The message's parts at each of its joints (at most :data:`MOST_REQUESTS`), or None (one request)."""
    parts: list[str] = []
    rest = text
    while len(parts) < MOST_REQUESTS - 1 and (pair := split_requests(rest, language)) is not None:
        parts.append(pair[0])
        rest = pair[1]
    return [*parts, rest] if parts else None


def carried_out_in_order(*intents: str) -> bool:
    """Whether the parts' intents are requests to carry out one after the other: the first is done before the next is
    read, and so is every one between; each after the first is a request of its own."""
    first, *middle, last = intents
    return first in FIRST_REQUESTS and all(i in MIDDLE_REQUESTS for i in middle) and last in SECOND_REQUESTS


def goes_on_after(plan: ReplyPlan) -> bool:
    """Whether the next request is carried out after ``plan``: the cart changed or was shown, or products were found
    (not a question asked back, nothing found, or an item that could not be added)."""
    return plan.action in CART_CHANGES or plan.action == "show_cart" or _found_products(plan)


def _found_products(plan: ReplyPlan) -> bool:
    return plan.action == "show_products" and bool(plan.products)


def held_request(state: ConversationState) -> tuple[list[str], str] | None:
    """The requests the last turn held while its question waits for an answer (``TurnRecord.then_say`` and
    ``then_also``), in order, and what the question asked for."""
    last = state.turns[-1] if state.turns else None
    if last is None or last.then_say is None or last.asked is None:
        return None
    return [last.then_say, *last.then_also], last.asked


def answers_the_question(plan: ReplyPlan, asked: str | None) -> bool:
    """Whether ``plan`` answered the question (the slot ``asked``) that held a request: a search's question (what kind,
    which department) is answered when products were found; the cart's (which size, colour or product) when the cart
    changed. Anything else (the shopper moved on) leaves the held request unsaid."""
    if asked in SEARCH_QUESTIONS:
        return _found_products(plan)
    return plan.action in CART_CHANGES


def waits_for_an_answer(state: ConversationState) -> bool:
    """Whether the assistant's last reply asked something it still waits for (which size, which one, the order
    number, a yes): the message is the answer, whole. A question left unanswered turns ago does not count."""
    last = state.turns[-1] if state.turns else None
    return state.pending is not None and last is not None and (last.asked is not None or last.action in ORDER_ACTIONS)


def adds_to(action: str, intent: str) -> bool:
    """Whether a request (``intent``) adds to a reply of ``action`` just given: a cart change shows the cart, so "show
    my cart" right after it adds nothing."""
    return not (action in CART_CHANGES and intent == "view_cart")
