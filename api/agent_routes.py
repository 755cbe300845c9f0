"""The agent API (human takeover, ``assistant.takeover``): behind an agent key, list the handed-off conversations,
read one with its cart and shown products, write to the shopper, hand it back to the assistant. The agent page
(``/agent``, ``api/static/agent.html``) is a browser front end for these routes."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, status
from fastapi.responses import HTMLResponse

from api.context import ApiContext, get_context, require_agent
from api.routes import ERRORS, ConversationId
from api.schemas import AgentReply, ErrorBody, HandBack
from assistant.takeover import AgentView, WaitingConversation
from dialogue.state import AgentMessage

AGENT_PAGE = Path(__file__).parent / "static" / "agent.html"
AGENT_ERRORS = {**ERRORS, 403: {"model": ErrorBody, "description": "No agent keys are configured: the agent API is off."},
                409: {"model": ErrorBody, "description": "The conversation is not handed off (hand back)."}}

router = APIRouter(prefix="/api/agent", tags=["human takeover"], dependencies=[Depends(require_agent)], responses=AGENT_ERRORS)
page_router = APIRouter(include_in_schema=False)
Ctx = Annotated[ApiContext, Depends(get_context)]


@router.get("/conversations", response_model=list[WaitingConversation])
def waiting(ctx: Ctx) -> list[WaitingConversation]:
    """The handed-off conversations, longest waiting first, with how many shopper messages wait for an answer."""
    return ctx.takeover.waiting()


@router.get("/conversations/{conversation_id}", response_model=AgentView)
def view(conversation_id: ConversationId, ctx: Ctx) -> AgentView:
    """The transcript (shopper, assistant and agent messages in order), the cart and the products shown."""
    return ctx.takeover.view(conversation_id)


@router.post("/conversations/{conversation_id}/messages", response_model=AgentMessage, status_code=status.HTTP_201_CREATED)
def reply(conversation_id: ConversationId, body: AgentReply, ctx: Ctx) -> AgentMessage:
    """Write to the shopper (pushed on socket.io and SSE, returned by the REST channel's next request). A
    conversation the assistant still has is taken over: the assistant stops answering it."""
    return ctx.takeover.reply(conversation_id, body.agent, body.text)


@router.post("/conversations/{conversation_id}/handback", response_model=AgentView)
def hand_back(conversation_id: ConversationId, body: HandBack, ctx: Ctx) -> AgentView:
    """Give the conversation back to the assistant (with a last message, if given)."""
    ctx.takeover.hand_back(conversation_id, body.agent, body.text)
    return ctx.takeover.view(conversation_id)


@page_router.get("/agent", response_class=HTMLResponse)
def agent_page() -> HTMLResponse:
    """The agent page: it asks for the agent key and calls the routes above."""
    return HTMLResponse(AGENT_PAGE.read_text(encoding="utf-8"), headers={"Cache-Control": "no-store"})
