"""Pydantic models at the HTTP boundary: the native JSON API and Rasa's REST channel.

``MessageReply`` lives in the assistant layer (the widget returns it too) and is re-exported here.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from assistant.message_reply import MessageReply as MessageReply  # re-exported: the API response model
from dialogue.pending import Pending
from dialogue.state import AgentMessage

#: Sender ids: what a channel calls its user (Rasa's ``sender``). Printable, no spaces, bounded.
SENDER_PATTERN = r"^[A-Za-z0-9_.:@+\-]{1,128}$"
CONVERSATION_PATTERN = r"^[A-Za-z0-9_\-]{1,64}$"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


def encodable(text: str) -> str:
    """Refuse text that is not valid Unicode (lone surrogates from ASCII-escaped JSON)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise ValueError("The text is not valid Unicode.") from exc
    return text


# Native API: requests --------------------------------------------------------------------------
class CreateConversation(_Strict):
    sender: str = Field(pattern=SENDER_PATTERN, description="The shopper's id in your channel.", examples=["shopper-42"])
    conversation_id: str | None = Field(default=None, pattern=CONVERSATION_PATTERN, description="Choose the id (default: a random one).")


class MessageMetadata(BaseModel):
    """A message's metadata; only ``language`` is read (other keys are kept by Rasa clients and ignored here)."""

    model_config = ConfigDict(extra="ignore")

    language: str | None = Field(default=None, max_length=16, description="The reply's language, overriding detection: zh or en (a region suffix is fine).")


class PostMessage(_Strict):
    sender: str = Field(pattern=SENDER_PATTERN, examples=["shopper-42"])
    text: str = Field(min_length=1, description="What the shopper says (the limit is the max_message_chars setting).", examples=["running shoes under 100"])
    metadata: MessageMetadata | None = Field(default=None, description="As in Rasa's channels: `language` (\"zh\", \"en\", \"zh-CN\") overrides detection.")

    _valid_text = field_validator("text")(encodable)

    @property
    def language(self) -> str | None:
        return self.metadata.language if self.metadata else None


class PostFeedback(_Strict):
    sender: str = Field(pattern=SENDER_PATTERN, examples=["shopper-42"])
    product_id: str = Field(min_length=1, max_length=200, description="A product id from a card.")
    liked: bool = Field(description="True: liked (more like it); false: disliked (fewer like it).")


# Native API: responses -------------------------------------------------------------------------
class ConversationCreated(BaseModel):
    conversation_id: str
    sender: str


class FeedbackAck(BaseModel):
    conversation_id: str
    product_id: str
    liked: bool
    liked_products: list[str]
    disliked_products: list[str]


class TurnView(BaseModel):
    index: int
    text: str
    reply: str
    intent: str | None = None
    action: str | None = None
    product_ids: list[str] = Field(default_factory=list)
    language: str = "en"
    at: datetime


class CartView(BaseModel):
    product_id: str
    title: str
    unit_price: float
    quantity: int
    variant: dict[str, str] = Field(default_factory=dict)


class ConversationView(BaseModel):
    """A conversation as a human agent needs it after a hand-off."""

    conversation_id: str
    sender: str
    created_at: datetime
    updated_at: datetime
    turn_count: int
    handoff: bool
    goal: dict[str, Any] | None = None
    turns: list[TurnView]
    cart: list[CartView]
    cart_total: float
    liked: list[str]
    disliked: list[str]
    last_shown: list[str]
    pending: Pending | None = Field(default=None, description="What the assistant waits for: an order number, a size, or which product was meant.")
    order_id: str | None = None
    agent_messages: list[AgentMessage] = Field(default_factory=list, description="What a person wrote to the shopper (hand-off).")


class ErrorBody(BaseModel):
    detail: str = Field(description="What went wrong and, where it helps, what to do.")


class Health(BaseModel):
    status: str
    products: int
    database: str
    generator: str
    widget: str | None = Field(default=None, description="The chat widget at /ui: starting (built after start-up), ready or "
                                                         "failed; absent when the server runs without it.")
    warm_up: str | None = Field(default=None, description="The warm-up after start-up (category space, vector index, intent "
                                "models' first runs): starting, ready or failed; absent when it is off (SHOPASSIST_SERVE_WARM_UP).")
    worker: int = Field(description="The answering server process's id: with `serve --workers N`, each worker answers for "
                                    "itself (its own warm-up).")


# Rasa REST channel -----------------------------------------------------------------------------
class RasaMessage(BaseModel):
    """Rasa's REST channel request (``POST /webhooks/rest/webhook``)."""

    model_config = ConfigDict(extra="ignore")

    sender: str = Field(pattern=SENDER_PATTERN, examples=["shopper-42"])
    message: str = Field(examples=["running shoes under 100"])
    metadata: dict[str, Any] | None = None

    _valid_message = field_validator("message")(encodable)

    @property
    def language(self) -> str | None:
        """``metadata.language``, when it is a string: the reply's language, overriding detection."""
        value = (self.metadata or {}).get("language")
        return value if isinstance(value, str) else None

    @property
    def message_id(self) -> str | None:
        """``metadata.message_id`` (Rasa's id of a user message): a resend with the same id gets the stored reply."""
        value = (self.metadata or {}).get("message_id")
        return str(value) if isinstance(value, (str, int)) and not isinstance(value, bool) else None


class RasaButton(BaseModel):
    title: str
    payload: str


class RasaBotMessage(BaseModel):
    """One bot message: exactly one of text, buttons (with optional text) or custom; a person's message (hand-off) is
    text with ``metadata: {"from": "person", "agent": …}``."""

    recipient_id: str
    text: str | None = None
    buttons: list[RasaButton] | None = None
    custom: dict[str, Any] | None = None
    metadata: dict[str, Any] | None = None


# Agent API (human takeover) ----------------------------------------------------------------------
class AgentReply(_Strict):
    agent: str = Field(min_length=1, max_length=64, description="The agent's display name, shown to the shopper.", examples=["Dana"])
    text: str = Field(min_length=1, description="The message to the shopper.", examples=["Hi, I'm Dana. Let me check that order for you."])

    _valid_text = field_validator("text")(encodable)


class HandBack(_Strict):
    agent: str = Field(min_length=1, max_length=64, examples=["Dana"])
    text: str | None = Field(default=None, description="A last message to the shopper before the assistant answers again.")

    _valid_text = field_validator("text")(encodable)
