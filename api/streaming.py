"""Server-Sent Events: a streamed reply (``token`` events with text chunks, then one ``done`` event with the turn) and
a conversation's messages from a person (``agent_message`` events)."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator, Callable, Iterator

from starlette.concurrency import run_in_threadpool

from api.agent_feed import AgentFeed
from api.schemas import MessageReply
from assistant.service import TurnResult
from core.errors import ShopAssistError
from dialogue.state import AgentMessage
from dialogue.state_store import StoredAgentMessage

log = logging.getLogger(__name__)

SSE_HEADERS = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
#: A comment line this often keeps proxies from closing an idle agent-message stream.
KEEPALIVE_S = 15.0
_END = object()


def sse(event: str, data: object) -> str:
    return f"event: {event}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"


async def first_item(stream: Iterator[str | TurnResult]) -> str | TurnResult:
    """Run the stream up to its first item in a worker thread, so that input errors become plain HTTP errors."""
    item = await run_in_threadpool(next, stream, _END)
    if item is _END:
        raise RuntimeError("The reply stream ended without a turn")
    return item  # type: ignore[return-value]


async def sse_events(first: str | TurnResult, stream: Iterator[str | TurnResult]) -> AsyncIterator[str]:
    """Format the stream as SSE; the sync generator is advanced in worker threads and always closed."""
    try:
        item: object = first
        while item is not _END:
            if isinstance(item, TurnResult):
                yield sse("done", MessageReply.from_turn(item).model_dump(mode="json"))
            else:
                yield sse("token", {"text": item})
            item = await run_in_threadpool(next, stream, _END)
    except ShopAssistError as exc:
        yield sse("error", {"detail": str(exc)})
    except Exception:  # noqa: BLE001 - headers are sent: report without a stack trace, log it
        log.exception("stream.failed")
        yield sse("error", {"detail": "Internal error while streaming the reply."})
    finally:
        close = getattr(stream, "close", None)
        if close is not None:
            close()


async def agent_message_events(feed: AgentFeed, conversation_id: str, missed: Callable[[], list[AgentMessage]],
                               keepalive_s: float = KEEPALIVE_S) -> AsyncIterator[str]:
    """``agent_message`` events ({index, agent, text, at}, SSE id = index) of one conversation: first those ``missed``
    returns (read after subscribing, so none falls in between), then each as the feed hands it out."""
    queue: asyncio.Queue[StoredAgentMessage] = asyncio.Queue()

    async def listener(message: StoredAgentMessage) -> None:
        if message.conversation_id == conversation_id:
            queue.put_nowait(message)

    unsubscribe = feed.subscribe(listener)
    try:
        sent = -1
        for message in await run_in_threadpool(missed):
            yield _agent_event(message.index, message.agent, message.text, message.at.isoformat())
            sent = message.index
        while True:
            try:
                stored = await asyncio.wait_for(queue.get(), keepalive_s)
            except TimeoutError:
                yield ": keepalive\n\n"
                continue
            if stored.index > sent:
                yield _agent_event(stored.index, stored.agent, stored.text, stored.at.isoformat())
                sent = stored.index
    finally:
        unsubscribe()


def _agent_event(index: int, agent: str, text: str, at: str) -> str:
    return f"id: {index}\n" + sse("agent_message", {"index": index, "agent": agent, "text": text, "at": at, "from": "person"})
