"""The one path of a shopper's message through any channel: rate limit → conversation → turn → metrics.

The native JSON API, Rasa's REST channel and the widget each call a :class:`ConversationGateway` with their channel
name and only render what it returns (JSON or SSE events, Rasa bot messages, chat and cards), so that limits,
conversation handling and metrics cannot drift apart between them.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Literal

from assistant.rate_limit import RateLimiter
from assistant.service import ShopAssistant, TurnResult
from assistant.turn_metrics import record_feedback, record_turn
from core.settings import ServerSettings
from dialogue.state import ConversationState

ChannelName = Literal["api", "rest", "socketio", "widget"]
#: Channels that cannot push: what a person writes during a hand-off reaches the shopper with their next turn.
PULL_CHANNELS: frozenset[ChannelName] = frozenset({"rest"})


class ConversationGateway:
    """Built once per server; every channel shares its rate limiter, so a sender's limit counts all its channels."""

    def __init__(self, assistant: ShopAssistant, settings: ServerSettings) -> None:
        self.assistant = assistant
        self.limiter = RateLimiter(settings.rate_limit_per_minute)

    # conversations -------------------------------------------------------------------------------
    def admit(self, sender: str) -> None:
        """Count one request of ``sender``; raises ``RateLimitedError`` past the per-minute limit."""
        self.limiter.check(sender)

    def start(self, sender: str, conversation_id: str | None = None) -> str:
        """A new conversation (not counted: channels that answer a start on its own admit it first)."""
        return self.assistant.start(sender, conversation_id)

    def open_conversation(self, sender: str) -> str:
        """The sender's latest conversation, created on its first message (one open conversation per sender).

        The store's lock (a PostgreSQL advisory lock, or a file lock beside SQLite) makes that hold across worker
        processes and hosts too, when a sender's first messages arrive at two workers at once."""
        with self.assistant.states.lock(f"sender:{sender}"):
            existing = self.assistant.states.conversations_of(sender)
            return existing[-1] if existing else self.assistant.start(sender)

    # turns ---------------------------------------------------------------------------------------
    def turn(self, channel: ChannelName, sender: str, text: str, conversation_id: str | None = None, language: str | None = None,
             message_id: str | None = None) -> TurnResult:
        """One turn, recorded under ``channel``; without a conversation id, the sender's open conversation;
        ``language``: the channel's language hint, if any; ``message_id``: the client's id of the message (a resend
        gets the stored reply and is not recorded again). A pull channel gets the agent messages it has not
        delivered in the result's ``from_person``."""
        self.admit(sender)
        conversation_id = self.open_conversation(sender) if conversation_id is None else conversation_id
        result = self.assistant.handle(conversation_id, sender, text, language, message_id,
                                       collect_for=channel if channel in PULL_CHANNELS else None)
        if not result.replayed:
            record_turn(result, channel)
        return result

    def stream_turn(self, channel: ChannelName, sender: str, text: str, conversation_id: str | None = None,
                    language: str | None = None, message_id: str | None = None) -> Iterator[str | TurnResult]:
        """Like :meth:`turn`, yielding the reply's text chunks, then the TurnResult (recorded before it is yielded).

        Nothing runs until the first item is asked for, so a rate limit or an input error surfaces there; closing
        the iterator closes the assistant's stream (and releases the conversation's lock)."""
        self.admit(sender)
        conversation_id = self.open_conversation(sender) if conversation_id is None else conversation_id
        stream = self.assistant.handle_stream(conversation_id, sender, text, language, message_id)
        try:
            for item in stream:
                if isinstance(item, TurnResult) and not item.replayed:
                    record_turn(item, channel)
                yield item
        finally:
            close = getattr(stream, "close", None)  # a generator: release the conversation's lock now, not at GC
            if close is not None:
                close()

    def feedback(self, channel: ChannelName, conversation_id: str, sender: str, product_id: str, liked: bool) -> ConversationState:
        """A like or dislike on a product card, recorded under ``channel``; the conversation's state after it."""
        self.admit(sender)
        state = self.assistant.feedback(conversation_id, sender, product_id, liked)
        record_feedback(channel, liked)
        return state
