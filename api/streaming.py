"""Server-Sent Events for a streamed reply: ``token`` events with text chunks, then one ``done`` event with the turn."""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator, Iterator

from starlette.concurrency import run_in_threadpool

from api.schemas import MessageReply
from core.errors import ShopAssistError
from assistant.service import TurnResult

log = logging.getLogger(__name__)

SSE_HEADERS = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
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
