"""Serving metrics in the process-wide registry (rendered by ``GET /metrics``)."""

from __future__ import annotations

import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from assistant.metrics import METRICS
from assistant.service import TurnResult

TURNS = METRICS.counter("shopassist_turns_total", "Turns handled, by channel and action.")
FALLBACKS = METRICS.counter("shopassist_fallbacks_total", "Turns answered with the fallback action (not understood), by channel.")
HANDOFFS = METRICS.counter("shopassist_handoffs_total", "Turns that handed the conversation to a human agent, by channel.")
STAGE_SECONDS = METRICS.histogram("shopassist_turn_stage_seconds", "Seconds per turn stage (nlu, dialogue, generate, total).")
FEEDBACK = METRICS.counter("shopassist_feedback_total", "Likes and dislikes on product cards, by channel and kind.")
HTTP_REQUESTS = METRICS.counter("shopassist_http_requests_total", "HTTP requests by method, route and status.")
HTTP_SECONDS = METRICS.histogram("shopassist_http_request_seconds", "HTTP request latency by route (time to the response headers).")
# Registered here too so that /metrics always lists them (the guarded LLM generator counts into them).
METRICS.counter("shopassist_llm_fallbacks_total", "Model replies replaced by the template reply, by reason.")
METRICS.counter("shopassist_llm_grounding_violations_total", "Statements in model replies not backed by the plan, by kind.")


def record_turn(result: TurnResult, channel: str) -> None:
    plan = result.plan
    TURNS.inc(channel=channel, action=plan.action)
    if plan.action == "fallback":
        FALLBACKS.inc(channel=channel)
    if plan.handoff:
        HANDOFFS.inc(channel=channel)
    for stage, ms in result.timings_ms.items():
        STAGE_SECONDS.observe(ms / 1000.0, stage=stage)


def record_feedback(channel: str, liked: bool) -> None:
    FEEDBACK.inc(channel=channel, kind="like" if liked else "dislike")


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
