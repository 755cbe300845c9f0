"""Intent → handler registry, plus the routing that depends on what the assistant just asked."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING

from dialogue.actions import ORDER_ACTIONS
from dialogue.goals import goes_back
from dialogue.handlers import cart, products, recall, service, shopping, social
from dialogue.intent_context import CART_NAMED
from dialogue.pending import AwaitingConfirmation, AwaitingOrderId, AwaitingReference, AwaitingSize
from dialogue.reply_facts import SEARCH_QUESTIONS
from dialogue.request_cues import (asks_about_deals, asks_about_own_cart, asks_about_returning_a_kind,
                                   asks_for_any_from, asks_for_similar, asks_to_be_shown, asks_to_browse, asks_to_buy,
                                   asks_to_put_back, asks_to_return, asks_to_take, asks_to_undo,
                                   asks_what_shipping_costs, asks_when, asks_when_the_shop_ships, asks_where_mine_is,
                                   asks_whether_sold, changes_the_choice, forgot_order_number, models_on_a_shown_one,
                                   names_a_gift, names_a_kind_to_add, names_an_order, reports_a_fault,
                                   speaks_another_language, stock_wish, takes_back, tells_an_interest,
                                   wants_other_colour, wants_to_shop, withdraws_handoff)

if TYPE_CHECKING:
    from dialogue.manager import DialogueManager, Turn
    from dialogue.plan import ReplyPlan

    Handler = Callable[[DialogueManager, Turn], ReplyPlan]

fallback = social.fallback

INTENT_HANDLERS: dict[str, Handler] = {
    "greet": social.greet, "thanks": social.greet, "chitchat": social.greet, "affirm": social.greet, "deny": social.greet,
    "goodbye": social.goodbye, "reset": social.reset, "forget_preferences": social.forget_preferences,
    "out_of_scope": social.fallback,
    "search_product": shopping.search, "refine": shopping.refine, "show_more": shopping.show_more,
    "feedback_positive": partial(shopping.feedback, liked=True), "feedback_negative": partial(shopping.feedback, liked=False),
    "compare": products.compare, "ask_product_question": products.question,
    "add_to_cart": cart.add, "remove_from_cart": cart.remove, "view_cart": cart.view, "checkout": cart.checkout,
    "order_status": partial(service.order_action, action="order_status"),
    "cancel_order": partial(service.order_action, action="cancel_order"),
    "return_item": partial(service.order_action, action="return_item"),
    "return_policy": service.policy, "shipping_info": service.policy, "human_handoff": service.handoff,
}

#: Intents whose handlers already leave out the brand or colour just seen ("换个牌子" as a refinement or a dislike).
ASKS_FOR_OTHERS_ALREADY = {"refine", "feedback_negative", "show_more", "search_product"}
#: Intents that always mean what they say, even right after a question.
EXPLICIT = {"reset", "human_handoff", "goodbye", "view_cart", "checkout", "return_policy", "shipping_info", "order_status",
            "cancel_order", "return_item", "compare", "add_to_cart", "remove_from_cart", "forget_preferences"}
#: Explicit intents a model may give a report of a product that does not work (第一个开不了机 read as a return, a
#: question about an order or a removal, "they stopped working" as a reset): the warranty's answer unless a return
#: is asked for. The others may be meant alongside a fault (a person, the returns terms, a cancellation, a comparison,
#: an order to add).
FAULT_MISREAD = EXPLICIT - {"human_handoff", "return_policy", "cancel_order", "compare", "add_to_cart"}


def _keeps_its_intent(turn: Turn) -> set[str]:
    """The explicit intents that stand against "换个牌子" / "a different colour" or going back to a search: the order
    actions only where the message speaks of an order (换 is also "exchange", so a classifier may read 换个牌子 as a
    return), a removal only where the cart has something to remove ("这个不要了，换个牌子的" about a product shown; a
    classifier read 回到刚才的蓝牙耳机 as a removal)."""
    kept = EXPLICIT if names_an_order(turn.nlu.text) else EXPLICIT - set(ORDER_ACTIONS)
    return kept if turn.state.cart else kept - {"remove_from_cart"}


def names_features(dm: DialogueManager, turn: Turn) -> bool:
    """Whether the message names features of the products searched for in the catalog's words ("QLED ones", 不要QLED)."""
    goal = turn.state.goal
    return goal is not None and bool(dm.features.named(turn.nlu.text, goal.constraints.category))


def follows_up_the_search(dm: DialogueManager, turn: Turn) -> bool:
    """"What about 6 person ones?", "and in red?", "what about dell", "any from Apple?", "ok show me in size 10": the
    search asked again with what the follow-up names (a slot, a catalog feature or a brand the shop does not carry), no
    product pointed at. A brand not carried joins the turn's slots, as the search would add it
    (``shopping.read_unknown_brand``)."""
    nlu = turn.nlu
    follow_up = products.FOLLOW_UP.match(nlu.text) or asks_for_any_from(nlu.text) or \
        (asks_to_be_shown(nlu.text) and not nlu.slots.category)
    if turn.state.goal is None or nlu.slots.references or not follow_up:
        return False
    shopping.read_unknown_brand(dm, turn)
    return not nlu.slots.is_empty() or names_features(dm, turn)


def contextual_handler(dm: DialogueManager, turn: Turn) -> Handler | None:
    """The handler the conversation decides, whatever the classifier said: answers to the assistant's own questions
    (an order id, a size, a clarification), follow-ups ("what about the third?") and questions about products in view."""
    state, nlu = turn.state, turn.nlu
    pending = state.pending
    if nlu.rule == "noise":
        return fallback  # keyboard mash answers no question
    if state.last_action == "handoff" and not state.handoff and withdraws_handoff(nlu.text) \
            and not withdraws_handoff(state.turns[-1].text):
        return service.handoff_withdrawn  # "never mind" before a person wrote (the service handed the conversation back)
    if nlu.language == "en" and speaks_another_language(nlu.text):
        return partial(fallback, other_language=True)  # "Ich möchte eine Waschmaschine kaufen bitte": not a guess at what it asks
    if nlu.slots.quantity_fix and (isinstance(pending, AwaitingSize) or state.cart) \
            and nlu.intent not in EXPLICIT - {"add_to_cart", "remove_from_cart"}:
        return cart.correct_quantity  # "actually make it two", "just one", "change the first one to 2" (not a removal)
    if nlu.slots.quantity_fix and isinstance(pending, AwaitingReference) and pending.intent == "add_to_cart" \
            and not nlu.slots.references and state.last_shown:
        return cart.quantity_while_asked  # "make it two" while asked which one to add
    if state.cart_before is not None and (asks_to_undo(nlu.text) and state.cart_changed_turn == state.turn_count - 1
                                          or asks_to_put_back(nlu.text) and cart.lines_missing(state.cart_before, state.cart)):
        return cart.undo  # "undo that" right after a cart change, "put it back" after a removal
    just_added = state.cart_before is not None and state.last_action == "cart_add" and state.cart_changed_turn == state.turn_count - 1
    if just_added and (nlu.slots.sizes or nlu.slots.colors) and changes_the_choice(nlu.text) and not nlu.slots.category \
            and all(r.kind == "focus" for r in nlu.slots.references) and nlu.intent not in EXPLICIT - {"add_to_cart", "remove_from_cart"}:
        return cart.change_variant  # "change it to size 9", "make it blue instead", 换成42码: the line just added
    if just_added and takes_back(nlu.text) and all(r.kind == "focus" for r in nlu.slots.references) \
            and nlu.intent not in EXPLICIT - {"remove_from_cart", "cancel_order"}:
        return cart.undo  # "never mind, I don't want it", 算了，不要了 right after an add: it comes out again
    if asks_to_undo(nlu.text) and state.last_action == "show_products" and state.goal_trail:
        return partial(recall.resume, goal=state.goal_trail[-1].goal)  # "undo that" after "not Nimbra": the results before
    if (recalled := recall.recalled_goal(turn)) is not None and nlu.intent not in _keeps_its_intent(turn) - {"reset"}:
        return partial(recall.resume, goal=recalled)  # "go back to the coffee makers"
    if nlu.slots.category and goes_back(nlu.text) and nlu.intent not in _keeps_its_intent(turn) - {"reset"}:
        return shopping.search  # "go back to the laptops" with no laptop search before: a search, not a fresh start
    if isinstance(pending, AwaitingConfirmation) and (nlu.intent == "deny" or service.DECLINES.search(nlu.text)):
        return partial(service.keep_order, awaited=pending)  # "no", "no don't cancel it", 不取消了: whatever the classifier called them
    if isinstance(pending, AwaitingConfirmation) and nlu.intent == "affirm":
        return partial(service.order_action, action="cancel_order")
    if isinstance(pending, AwaitingOrderId) and (nlu.slots.order_id and nlu.intent not in EXPLICIT - set(ORDER_ACTIONS)
                                                 or service.LATEST_ONE.search(nlu.text.strip())):
        return partial(service.order_action, action=pending.intent)  # "ORD-10035", "the most recent one"
    if isinstance(pending, AwaitingOrderId) and forgot_order_number(nlu.text) and nlu.intent not in EXPLICIT - set(ORDER_ACTIONS):
        return partial(service.order_action, action=pending.intent)  # "I don't remember the number": where to find it
    if state.order_id is not None and service.OTHER_ORDER.search(nlu.text) and nlu.intent not in EXPLICIT:
        action = state.last_action if state.last_action in ORDER_ACTIONS else "order_status"
        return partial(service.order_action, action=action)  # "and my other order?" after one order's answer
    if isinstance(pending, AwaitingSize) and (nlu.slots.sizes or (nlu.slots.colors and not nlu.slots.category) or len(nlu.text.split()) <= 2) \
            and nlu.intent not in EXPLICIT and not (nlu.intent == "ask_product_question" and nlu.slots.references):
        return partial(cart.answer_size, awaited=pending)
    if isinstance(pending, AwaitingReference) and pending.intent == "ask_product_question" and nlu.slots.references \
            and (asked := products.answers_which_one(turn)) is not None:
        return partial(products.question_again, previous=asked)  # "is it waterproof?" … "the second one"
    if isinstance(pending, AwaitingReference) and nlu.slots.references \
            and (nlu.intent not in EXPLICIT or nlu.intent == pending.intent) \
            and not (pending.intent == "compare" and products.asks_about_one(turn)):
        return INTENT_HANDLERS.get(pending.intent, fallback)  # "the second one" (第二个, read as the request itself too)
    asked = state.turns[-1].asked if state.turns else None
    if state.last_action == "ask_clarification" and asked in SEARCH_QUESTIONS and nlu.intent not in EXPLICIT:
        return shopping.answer_clarification
    if (nlu.slots.references and state.last_shown or (state.cart or asks_about_own_cart(nlu.text)) and not nlu.slots.references) \
            and asks_what_shipping_costs(nlu.text) \
            and nlu.intent in {"shipping_info", "ask_product_question", "out_of_scope", "view_cart", "checkout"}:
        return service.shipping_quote  # "does this one ship free?", 这个包邮吗, "do I pay shipping?": the threshold against the price
    if service.is_policy_question(turn):
        return service.policy  # "do you take paypal", "is there a warranty on laptops"
    if asks_about_deals(nlu.text) and not nlu.slots.category and not nlu.slots.references \
            and nlu.intent in {"out_of_scope", "chitchat", "refine", "search_product", "return_policy", "shipping_info",
                               "ask_product_question"}:
        return service.deals  # "do you have any deals?", 有优惠吗: no sales listed; the price promises
    if nlu.intent in ("order_status", "out_of_scope") and not nlu.slots.order_id and state.order_id is None \
            and asks_when_the_shop_ships(nlu.text):
        return service.shipping_question  # 顺便问一下多久发货: the shipping terms, not an order number asked for
    if nlu.intent in ("out_of_scope", "search_product", "ask_product_question") and nlu.slots.category \
            and not nlu.slots.references and asks_where_mine_is(nlu.text):
        return partial(service.order_action, action="order_status")  # "where is my hair dryer?": the order it is in
    if nlu.intent in ("return_item", "out_of_scope") and not nlu.slots.order_id \
            and (asks_when(nlu.text) and not nlu.slots.references or asks_about_returning_a_kind(nlu.text)):
        return service.returns_question  # "when will I get my money back?", "can I return a yoga mat?": the terms, not a return
    if reports_a_fault(nlu.text) and (nlu.intent not in EXPLICIT or nlu.intent in FAULT_MISREAD and not asks_to_return(nlu.text)
                                      and not products.CART_WORDS.search(nlu.text)):
        return service.fault  # "they stopped working", 第一个开不了机 (not a search for phones, nor a return asked for)
    if (state.goal is not None or names_a_gift(nlu.text)) and tells_an_interest(nlu.text) and not nlu.slots.references \
            and nlu.intent not in EXPLICIT:
        return shopping.search  # "she's into yoga" after "a present for my wife"; 他是个咖啡控，送他什么好
    if nlu.intent == "out_of_scope" and nlu.rule is None and names_a_gift(nlu.text) and asks_to_buy(nlu.text):
        return shopping.search  # "I want to buy a present for my 8 year old nephew", not understood
    if wants_to_shop(nlu.text) and nlu.intent not in {"reset", "human_handoff", "goodbye"}:
        return shopping.ask_what_kind  # "I want to buy something", 我想买东西 (not a checkout of an empty cart)
    if nlu.intent in ("out_of_scope", "view_cart") and nlu.rule is None and (nlu.slots.brands or nlu.slots.category) \
            and not nlu.slots.references and not CART_NAMED.search(nlu.text) \
            and (asks_to_buy(nlu.text) or asks_whether_sold(nlu.text) or asks_to_browse(nlu.text)):
        return shopping.search  # "show me the Nimbra Quasar", "do you have the Nimbra Quasar 900?", 看看记事本 (not the cart)
    if state.last_shown and not nlu.slots.category and (nlu.slots.brands_out_focus or wants_other_colour(nlu.text)) \
            and nlu.intent not in _keeps_its_intent(turn) | ASKS_FOR_OTHERS_ALREADY:
        return shopping.refine  # "换个牌子", "a different colour", whatever the classifier called it
    if state.goal is not None and nlu.slots.categories_out and not nlu.slots.references \
            and nlu.intent not in _keeps_its_intent(turn) | ASKS_FOR_OTHERS_ALREADY:
        return shopping.refine  # "锅具也不要", "no kettles either": a kind of product left out of the search
    if state.last_shown and (nlu.slots.price_hint or nlu.slots.colors or nlu.slots.materials) and models_on_a_shown_one(nlu.text) \
            and nlu.intent not in _keeps_its_intent(turn) - {"compare", "shipping_info", "return_policy"}:
        return shopping.like_a_shown_one  # "cheaper options like the second one": not what the second one costs
    if (state.focus or state.liked()) and state.last_shown and asks_for_similar(nlu.text) and not nlu.slots.category \
            and nlu.intent in {"out_of_scope", "search_product", "refine", "show_more", "feedback_positive"}:
        return shopping.like_a_shown_one  # "show me similar ones" after liking or asking about one
    if state.last_shown and nlu.slots.references and (nlu.slots.sizes or nlu.slots.colors) and asks_to_take(nlu.text) \
            and nlu.intent in {"out_of_scope", "ask_product_question", "refine", "compare"}:
        return cart.add  # 第一个要L码，第二个要M码 read as a question, a comparison or not understood: each in its size
    if nlu.intent == "add_to_cart" and not state.last_shown and not state.focus and nlu.slots.category \
            and not nlu.slots.references:
        return shopping.search_to_add  # "来点瑜伽垫", "add a yoga mat" with nothing shown yet: find them first, ask which
    if nlu.intent == "add_to_cart" and not nlu.slots.category and not nlu.slots.references and not nlu.slots.sizes \
            and not nlu.slots.colors and names_a_kind_to_add(nlu.text):
        return shopping.search_to_add  # "also add a gift card", "add a bag too": not one more of the product in focus
    if products.follows_up_a_question(dm, turn):
        return products.question_again  # "what about the third?" after a question about the first
    if (attribute := products.superlative_followed_up(dm, turn)) is not None:
        return partial(products.superlative_again, attribute=attribute)  # "what about battery life?" after "which is the cheapest?"
    if nlu.intent in {"compare", "ask_product_question", "refine", "search_product", "out_of_scope"} \
            and products.asks_about_all_shown(turn):
        return products.question  # "do they come in pink?" after a list: each product in view
    if nlu.intent == "compare" and products.asks_about_a_pair(dm, turn):
        return products.question  # "are they waterproof?" about the running shoes in focus
    if products.routes_to_question(turn) or products.names_a_shown_product(dm, turn):
        return products.question
    if nlu.intent == "out_of_scope" and state.last_shown and (stock_wish(nlu.text) is not None or names_features(dm, turn)):
        return shopping.refine  # "show me the sold out ones too", 不要QLED: a refinement the classifier may not know
    if nlu.intent in ("out_of_scope", "ask_product_question") and follows_up_the_search(dm, turn):
        return shopping.refine  # "what about dell" not understood, "what about 6 person ones?" read as a question
    if nlu.intent == "deny" and state.last_shown and names_features(dm, turn):
        return shopping.refine  # 不要QLED read as a "no"
    if nlu.intent == "ask_product_question" and state.last_shown and stock_wish(nlu.text) is not None and asks_to_be_shown(nlu.text):
        return shopping.refine  # "show me the sold out ones too" read as a question about stock
    return None
