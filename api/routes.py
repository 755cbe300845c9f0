"""The native JSON API: conversations, messages (plain and streamed), feedback, state."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Header, HTTPException, Path, Query, Request, status
from fastapi.responses import StreamingResponse
from starlette.concurrency import run_in_threadpool

from api.context import ApiContext, get_context, require_key
from api.schemas import (
    CONVERSATION_PATTERN, SENDER_PATTERN, CartView, ConversationCreated, ConversationView, CreateConversation, ErrorBody,
    FeedbackAck, MessageReply, PostFeedback, PostMessage, TurnView,
)
from api.streaming import SSE_HEADERS, agent_message_events, first_item, sse_events
from dialogue.state import AgentMessage, ConversationState
from dialogue.state_store import MESSAGE_ID_MAX

ERRORS = {
    401: {"model": ErrorBody, "description": "API key missing or wrong (when keys are configured)."},
    404: {"model": ErrorBody, "description": "No such conversation for this sender."},
    413: {"model": ErrorBody, "description": "Request body too large."},
    422: {"description": "Invalid input (empty or too long a message, unknown product, bad ids)."},
    429: {"model": ErrorBody, "description": "Too many requests from this sender."},
}

router = APIRouter(prefix="/api", tags=["conversations"], dependencies=[Depends(require_key)], responses=ERRORS)
Ctx = Annotated[ApiContext, Depends(get_context)]
ConversationId = Annotated[str, Path(pattern=CONVERSATION_PATTERN, description="From POST /api/conversations.")]
IdempotencyKey = Annotated[str | None, Header(alias="Idempotency-Key", min_length=1, max_length=MESSAGE_ID_MAX, description=(
    "The client's id of this message: a resend with the same key (after a timeout) gets the stored reply "
    "(`replayed`: true) instead of a second turn; another message under a used key is refused (422)."))]


# The routes of this API are coroutines that hand their work to the thread pool themselves: FastAPI runs a plain
# `def` endpoint there too, but then validates the returned model in a second hand-off.
@router.post("/conversations", status_code=status.HTTP_201_CREATED, response_model=ConversationCreated)
async def create_conversation(body: CreateConversation, ctx: Ctx) -> ConversationCreated:
    """Start a conversation for a sender."""
    ctx.gateway.admit(body.sender)
    conversation_id = await run_in_threadpool(ctx.gateway.start, body.sender, body.conversation_id)
    return ConversationCreated(conversation_id=conversation_id, sender=body.sender)


@router.post("/conversations/{conversation_id}/messages", response_model=MessageReply)
async def post_message(conversation_id: ConversationId, body: PostMessage, ctx: Ctx,
                       idempotency_key: IdempotencyKey = None) -> MessageReply:
    """One turn: the reply text, action, intent, product cards with reasons, quick replies, comparison and cart."""
    result = await run_in_threadpool(ctx.gateway.turn, "api", body.sender, body.text, conversation_id, body.language,
                                     idempotency_key)
    return MessageReply.from_turn(result)


@router.post(
    "/conversations/{conversation_id}/messages/stream",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/event-stream": {}}, "description": "`token` events ({text}), then one `done` event (a MessageReply)."}},
)
async def stream_message(conversation_id: ConversationId, body: PostMessage, ctx: Ctx,
                         idempotency_key: IdempotencyKey = None) -> StreamingResponse:
    """The same turn as POST …/messages, with the reply's text streamed as Server-Sent Events."""
    stream = ctx.gateway.stream_turn("api", body.sender, body.text, conversation_id, body.language, idempotency_key)
    first = await first_item(stream)  # the rate limit and input errors surface here, as plain HTTP errors
    return StreamingResponse(sse_events(first, stream), media_type="text/event-stream", headers=SSE_HEADERS)


@router.post("/conversations/{conversation_id}/feedback", response_model=FeedbackAck)
async def post_feedback(conversation_id: ConversationId, body: PostFeedback, ctx: Ctx) -> FeedbackAck:
    """Like or dislike a product card: later results move towards liked products and away from disliked ones."""
    state = await run_in_threadpool(ctx.gateway.feedback, "api", conversation_id, body.sender, body.product_id, body.liked)
    return FeedbackAck(conversation_id=conversation_id, product_id=body.product_id, liked=body.liked,
                       liked_products=state.liked(), disliked_products=state.disliked())


@router.get(
    "/conversations/{conversation_id}/agent-messages",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/event-stream": {}}, "description": (
        "`agent_message` events ({index, agent, text, at, from: \"person\"}, SSE id = index), as a person writes them.")}},
)
async def agent_messages(
    conversation_id: ConversationId,
    ctx: Ctx,
    sender: Annotated[str, Query(pattern=SENDER_PATTERN, description="The conversation's sender.")],
    after: Annotated[int | None, Query(ge=-1, description="Also send the stored messages numbered above this (-1: all).")] = None,
    last_event_id: Annotated[int | None, Header(alias="Last-Event-ID", ge=-1, description="Set by browsers on reconnect: as `after`.")] = None,
) -> StreamingResponse:
    """While a person has the conversation (hand-off), what they write to the shopper, as Server-Sent Events."""
    await run_in_threadpool(ctx.assistant.state, conversation_id, sender)  # 404 for another sender's conversation
    since = last_event_id if last_event_id is not None else after

    def missed() -> list[AgentMessage]:
        return [] if since is None else ctx.assistant.state(conversation_id, sender).agent_messages[since + 1:]

    return StreamingResponse(agent_message_events(ctx.feed, conversation_id, missed), media_type="text/event-stream",
                             headers=SSE_HEADERS)


@router.get("/conversations/{conversation_id}", response_model=ConversationView)
async def get_conversation(
    conversation_id: ConversationId,
    request: Request,
    ctx: Ctx,
    sender: Annotated[str | None, Query(pattern=SENDER_PATTERN, description="The conversation's sender (agent keys may leave it out).")] = None,
) -> ConversationView:
    """A conversation's state: turns, cart, feedback, hand-off flag and what a person wrote to the shopper."""
    if sender is None and not ctx.keys.is_agent(request):
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, detail="The sender query parameter is required.")
    return conversation_view(await run_in_threadpool(ctx.assistant.state, conversation_id, sender))


def conversation_view(state: ConversationState) -> ConversationView:
    return ConversationView(
        conversation_id=state.conversation_id, sender=state.sender, created_at=state.created_at, updated_at=state.updated_at,
        turn_count=state.turn_count, handoff=state.handoff, goal=state.goal.model_dump(mode="json") if state.goal else None,
        turns=[TurnView(index=t.index, text=t.text, reply=t.reply, intent=t.intent, action=t.action, product_ids=t.product_ids,
                        language=t.language, at=t.at)
               for t in state.turns],
        cart=[CartView(product_id=c.product_id, title=c.title, unit_price=c.unit_price, quantity=c.quantity, variant=c.variant) for c in state.cart],
        cart_total=state.cart_total, liked=state.liked(), disliked=state.disliked(), last_shown=state.last_shown,
        pending=state.pending, order_id=state.order_id, agent_messages=state.agent_messages,
    )
