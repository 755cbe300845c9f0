"""The dialogue manager's action names: one vocabulary for reply plans, turn records, the classifier's context and
the scripted tests.

The values are stored in conversations and were the intent model's context text in training, so they never change."""

from __future__ import annotations

from typing import Literal, get_args

Action = Literal[
    "show_products", "ask_clarification", "compare", "answer_question", "cart_add", "cart_remove", "show_cart",
    "checkout", "order_status", "cancel_order", "return_item", "policy_answer", "handoff", "greet", "goodbye",
    "fallback", "reset",
]
ACTIONS: tuple[Action, ...] = get_args(Action)

#: Actions on an order, each named like the intent that asks for it.
OrderAction = Literal["order_status", "cancel_order", "return_item"]
ORDER_ACTIONS: tuple[OrderAction, ...] = get_args(OrderAction)

#: Actions that answer with the cart.
CART_ACTIONS: frozenset[Action] = frozenset({"cart_add", "cart_remove", "show_cart", "checkout"})
#: Actions that change the cart (their reply shows it).
CART_CHANGES: frozenset[Action] = frozenset({"cart_add", "cart_remove"})
