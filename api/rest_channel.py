"""Rasa's REST channel (``POST /webhooks/rest/webhook``), so that clients and widgets built for Rasa work unchanged.

The reply is a list of bot messages: the text, then the quick replies as buttons, then the product cards as a custom
payload. A sender has one open conversation, created on its first message.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse

from api.context import ApiContext, get_context, require_key
from api.schemas import RasaBotMessage, RasaButton, RasaMessage
from api.routes import ERRORS
from assistant.service import TurnResult

router = APIRouter(prefix="/webhooks/rest", tags=["rasa rest channel"], dependencies=[Depends(require_key)], responses=ERRORS)
Ctx = Annotated[ApiContext, Depends(get_context)]


@router.get("/")
def channel_health() -> dict[str, str]:
    """Rasa's channel health check."""
    return {"status": "ok"}


@router.post("/webhook", response_class=JSONResponse, responses={200: {"model": list[RasaBotMessage], "description": "The bot messages."}})
def webhook(body: RasaMessage, ctx: Ctx) -> JSONResponse:
    """One shopper message in, the bot's messages out (Rasa REST format)."""
    result = ctx.gateway.turn("rest", body.sender, body.message, language=body.language, message_id=body.message_id)
    return JSONResponse(rasa_messages(result))  # in the sender's open conversation


def rasa_messages(result: TurnResult) -> list[dict[str, Any]]:
    recipient = result.sender
    plan = result.plan
    messages: list[dict[str, Any]] = [{"recipient_id": recipient, "text": result.text}]
    if plan.quick_replies:
        buttons = [RasaButton(title=reply, payload=reply).model_dump() for reply in plan.quick_replies]
        messages.append({"recipient_id": recipient, "buttons": buttons})
    if plan.products:
        messages.append({"recipient_id": recipient, "custom": {"products": [card.model_dump(mode="json") for card in plan.products]}})
    if plan.comparison is not None:
        messages.append({"recipient_id": recipient, "custom": {"comparison": plan.comparison.model_dump(mode="json")}})
    return messages
