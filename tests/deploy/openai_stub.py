"""A small OpenAI-compatible chat server standing in for vLLM in the deployment tests (a real HTTP server on loopback).

It streams back the DRAFT REPLY of the prompt behind a marker, so a reply the model wrote is told apart from the
template fallback. ``stall`` makes it accept requests and never send a token (a hung GPU server).
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator

from fastapi import FastAPI, Request
from fastapi.responses import StreamingResponse

from api.server import BackgroundServer
from assistant.generators.prompting import REWRITE_INSTRUCTION

#: The stub's replies start with this (grounding-neutral: no name, number or price).
MARKER = "Sure thing! "
MODEL = "stub-llm"


def draft_of(messages: list[dict[str, str]]) -> str:
    """The template reply the assistant put in its last prompt message."""
    content = messages[-1]["content"]
    start = content.index("DRAFT REPLY:\n") + len("DRAFT REPLY:\n")
    end = content.rindex(REWRITE_INSTRUCTION)
    return content[start:end].strip()


def _chunk(content: str | None, finish: str | None = None) -> str:
    delta = {} if content is None else {"content": content}
    body = {"id": "chatcmpl-stub", "object": "chat.completion.chunk", "created": int(time.time()), "model": MODEL,
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}
    return f"data: {json.dumps(body)}\n\n"


class OpenAIStub:
    """``start()``/``stop()`` it like a server process; ``requests`` counts chat requests received."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.stall = False
        self.requests = 0
        self._server: BackgroundServer | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def app(self) -> FastAPI:
        app = FastAPI()

        @app.get("/v1/models")
        def models() -> dict[str, object]:
            return {"object": "list", "data": [{"id": MODEL, "object": "model"}]}

        @app.post("/v1/chat/completions")
        async def chat(request: Request) -> StreamingResponse:
            body = await request.json()
            self.requests += 1
            reply = MARKER + draft_of(body["messages"])

            async def events() -> AsyncIterator[str]:
                while self.stall:
                    await asyncio.sleep(0.1)
                yield _chunk(None)
                for index, word in enumerate(reply.split(" ")):
                    yield _chunk(word if index == 0 else " " + word)
                yield _chunk(None, "stop")
                yield "data: [DONE]\n\n"

            return StreamingResponse(events(), media_type="text/event-stream")

        return app

    def start(self) -> OpenAIStub:
        self._server = BackgroundServer(self.app(), port=self.port).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self.stall = False  # let stalled streams end so the server can shut down
            self._server.stop()
            self._server = None
