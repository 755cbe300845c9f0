"""HTTP metrics in the process-wide registry (rendered by ``GET /metrics``); turn metrics: ``assistant.turn_metrics``."""

from __future__ import annotations

import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from assistant.metrics import METRICS

HTTP_REQUESTS = METRICS.counter("shopassist_http_requests_total", "HTTP requests by method, route and status.")
HTTP_SECONDS = METRICS.histogram("shopassist_http_request_seconds", "HTTP request latency by route (time to the response headers).")


class HttpMetricsMiddleware:
    """Counts requests and times them to the response headers, labelled by route template (bounded cardinality)."""

    def __init__(self, app: ASGIApp, skip_prefixes: tuple[str, ...] = ()) -> None:
        self.app = app
        self.skip = skip_prefixes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(self.skip):
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status_code = 500

        async def timed_send(message: Message) -> None:
            nonlocal status_code
            if message["type"] == "http.response.start":
                status_code = message["status"]
                HTTP_SECONDS.observe(time.perf_counter() - started, route=_route(scope))
            await send(message)

        try:
            await self.app(scope, receive, timed_send)
        finally:
            HTTP_REQUESTS.inc(method=scope["method"], route=_route(scope), status=str(status_code))


def _route(scope: Scope) -> str:
    route = scope.get("route")
    path = getattr(route, "path", None)
    return path if isinstance(path, str) else "other"
