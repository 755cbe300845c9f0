"""A scripted OpenAI-compatible server on loopback, for testing deadlines and fallbacks without a model.

It speaks just enough of ``/v1/chat/completions`` (streaming and not) and ``/v1/models``. Replies come from a list
(one per request, the last repeated); delays and error statuses are settable per test.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Script:
    replies: list[str] = field(default_factory=lambda: ["Hello there!"])
    first_token_delay_s: float = 0.0
    token_delay_s: float = 0.0
    status: int = 200
    requests: list[dict[str, Any]] = field(default_factory=list)
    aborted: int = 0  # streams the client closed before the reply was complete

    def next_reply(self) -> str:
        index = min(len(self.requests) - 1, len(self.replies) - 1)
        return self.replies[index]


def _chunk(content: str | None, finish: str | None = None) -> bytes:
    delta = {} if content is None else {"content": content}
    body = {"id": "chatcmpl-fake", "object": "chat.completion.chunk", "created": 0, "model": "fake",
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}
    return f"data: {json.dumps(body)}\n\n".encode()


def _handler(script: Script) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: Any) -> None:  # quiet
            return None

        def do_GET(self) -> None:  # noqa: N802
            self._json(200, {"object": "list", "data": [{"id": "fake", "object": "model"}]})

        def do_POST(self) -> None:  # noqa: N802
            request = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
            script.requests.append(request)
            if script.status != 200:
                self._json(script.status, {"error": {"message": "scripted failure"}})
                return
            time.sleep(script.first_token_delay_s)
            reply = script.next_reply()
            if not request.get("stream"):
                self._json(200, {"id": "chatcmpl-fake", "object": "chat.completion", "created": 0, "model": "fake",
                                 "choices": [{"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": reply}}]})
                return
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Connection", "close")
            self.end_headers()
            try:
                self.wfile.write(_chunk(None))
                for index, word in enumerate(reply.split(" ")):
                    if index:
                        time.sleep(script.token_delay_s)
                    self.wfile.write(_chunk(word if index == 0 else " " + word))
                    self.wfile.flush()
                self.wfile.write(_chunk(None, "stop") + b"data: [DONE]\n\n")
                self.wfile.flush()
            except (BrokenPipeError, ConnectionResetError):
                script.aborted += 1
            self.close_connection = True

        def _json(self, status: int, body: dict[str, Any]) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    return Handler


@contextmanager
def fake_llm_server(script: Script) -> Iterator[str]:
    """Serve ``script`` on a free loopback port; yields the base URL (``http://127.0.0.1:PORT/v1``)."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(script))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/v1"
    finally:
        server.shutdown()
        server.server_close()
