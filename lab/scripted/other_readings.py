"""How a turn is routed when the intent model reads it otherwise: another training of the same data may give a turn
another intent, or too little confidence for any (CI trains its own models). ``answer_as`` replays a conversation
and answers its last message as if the model had given it a chosen intent."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from assistant.service import ShopAssistant
from core.language import turn_language
from dialogue.intent_context import NluContext
from dialogue.plan import ReplyPlan

#: The confidence a forced reading is given: below any threshold's comfort, as an unsure model's would be.
UNSURE = 0.3


def answer_as(assistant: ShopAssistant, earlier: Sequence[str], text: str, intent: str) -> ReplyPlan:
    """The plan for ``text`` after the ``earlier`` messages of a new conversation, its intent read as ``intent``
    (slots and context as the assistant reads them). The last turn is not stored."""
    sender = f"reading-{uuid.uuid4().hex[:12]}"
    conversation = assistant.start(sender)
    for said in earlier:
        assistant.handle(conversation, sender, said)
    state = assistant.state(conversation, sender)
    context = NluContext(previous_action=state.last_action, pending=state.pending)
    understood = assistant.understander.understand(text, context, turn_language(text, None, state.language))
    forced = understood.model_copy(update={"intent": intent, "confidence": UNSURE, "rule": None})
    _, plan = assistant.manager.respond(forced, state)
    return plan

