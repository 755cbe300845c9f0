"""Greetings, thanks, chit-chat, goodbyes, resets and the out-of-scope fallback."""

from __future__ import annotations

from typing import TYPE_CHECKING

from dialogue.plan import ReplyPlan
from dialogue.reply_facts import FallbackFacts, GoodbyeFacts, GreetFacts, ResetFacts
from dialogue.state import FeedbackEvent, FeedbackRecord, ResetEvent

if TYPE_CHECKING:
    from dialogue.manager import DialogueManager, Turn

CAPABILITIES = ["Find products", "Compare products", "Track an order", "Return policy"]


def greet(dm: DialogueManager, turn: Turn) -> ReplyPlan:
    kind = {"thanks": "thanks", "chitchat": "chitchat", "affirm": "ack", "deny": "ack"}.get(turn.nlu.intent, "greet")
    return turn.plan("greet", facts=GreetFacts(kind=kind), quick_replies=CAPABILITIES)


def goodbye(dm: DialogueManager, turn: Turn) -> ReplyPlan:
    return turn.plan("goodbye", facts=GoodbyeFacts(cart_items=sum(i.quantity for i in turn.state.cart)))


def reset(dm: DialogueManager, turn: Turn) -> ReplyPlan:
    turn.emit(ResetEvent())
    return turn.plan("reset", facts=ResetFacts(scope="conversation"), quick_replies=CAPABILITIES)


def forget_preferences(dm: DialogueManager, turn: Turn) -> ReplyPlan:
    """Clear the sender's long-term profile; feedback given so far in this conversation stops counting too."""
    had_profile = dm.profiles.forget(turn.state.sender) if dm.profiles is not None else False
    turn.emit(FeedbackEvent(feedback=FeedbackRecord(turn=turn.state.turn_count, kind="forget", source="text", detail=turn.text)))
    return turn.plan("reset", facts=ResetFacts(scope="preferences", had_profile=had_profile))


def fallback(dm: DialogueManager, turn: Turn, *, other_language: bool = False) -> ReplyPlan:
    """What the assistant can do; with ``other_language`` ("Ich möchte eine Waschmaschine kaufen"), which languages it
    speaks, instead of a guess at what the message asks."""
    facts = FallbackFacts(capabilities=CAPABILITIES, other_language=other_language)
    return turn.plan("fallback", facts=facts, quick_replies=CAPABILITIES)
