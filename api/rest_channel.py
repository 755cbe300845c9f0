"""Rasa's REST channel (``POST /webhooks/rest/webhook``), so that clients and widgets built for Rasa work unchanged.

The reply is a list of bot messages: the text, then the quick replies as buttons, then the product cards as a custom
payload. A sender has one open conversation, created on its first message.

While a person has the conversation (hand-off) the assistant does not answer; what the person wrote since the
sender's previous request comes first in the next reply (each message once), marked ``metadata: {"from": "person"}``.
A client may also poll ``GET /webhooks/rest/messages?sender=…`` for them (the REST channel cannot push).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from fastapi.responses import JSONResponse

from api.context import ApiContext, get_context, require_key
from api.schemas import SENDER_PATTERN, RasaBotMessage, RasaButton, RasaMessage
from api.routes import ERRORS
from assistant.service import TurnResult
from dialogue.state import AgentMessage

router = APIRouter(prefix="/webhooks/rest", tags=["rasa rest channel"], dependencies=[Depends(require_key)], responses=ERRORS)
Ctx = Annotated[ApiContext, Depends(get_context)]


@router.get("/")
def channel_health() -> dict[str, str]:
    """Rasa's channel health check."""
    return {"status": "ok"}


@router.post("/webhook", response_class=JSONResponse, responses={200: {"model": list[RasaBotMessage], "description": "The bot messages."}})
def webhook(body: RasaMessage, ctx: Ctx) -> JSONResponse:
    """One shopper message in, the bot's messages out (Rasa REST format); first, what a person wrote meanwhile."""
    result = ctx.gateway.turn("rest", body.sender, body.message, language=body.language, message_id=body.message_id)
    return JSONResponse(person_messages(body.sender, result.from_person) + rasa_messages(result))


@router.get("/messages", response_class=JSONResponse,
            responses={200: {"model": list[RasaBotMessage], "description": "What a person wrote since the last request."}})
def poll(sender: Annotated[str, Query(pattern=SENDER_PATTERN)], ctx: Ctx) -> JSONResponse:
    """The messages a person wrote to the sender that no request has returned yet (each is returned once)."""
    ctx.gateway.admit(sender)
    conversations = ctx.assistant.states.conversations_of(sender)
    from_person = ctx.takeover.collect(conversations[-1], "rest") if conversations else []
    return JSONResponse(person_messages(sender, from_person))


def person_messages(recipient: str, messages: list[AgentMessage]) -> list[dict[str, Any]]:
    return [{"recipient_id": recipient, "text": m.text, "metadata": {"from": "person", "agent": m.agent, "at": m.at.isoformat()}}
            for m in messages]


def rasa_messages(result: TurnResult) -> list[dict[str, Any]]:
    """The assistant's messages of a turn (none while a person has the conversation)."""
    recipient = result.sender
    plan = result.plan
    if result.waiting_for_person:
        return []
    messages: list[dict[str, Any]] = [{"recipient_id": recipient, "text": result.text}]
    if plan.quick_replies:
        buttons = [RasaButton(title=reply, payload=reply).model_dump() for reply in plan.quick_replies]
        messages.append({"recipient_id": recipient, "buttons": buttons})
    if plan.products:
        messages.append({"recipient_id": recipient, "custom": {"products": [card.model_dump(mode="json") for card in plan.products]}})
    if plan.comparison is not None:
        messages.append({"recipient_id": recipient, "custom": {"comparison": plan.comparison.model_dump(mode="json")}})
    return messages
