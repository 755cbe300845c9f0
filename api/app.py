"""The ASGI app of ``shopassist serve``: native JSON API, Rasa's REST and socket.io channels, the agent API and page
(human takeover), the merchant dashboard, metrics, health and the Gradio widget."""

from __future__ import annotations

import logging
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio.to_thread
from fastapi import Depends, FastAPI, Request, status
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse, PlainTextResponse, RedirectResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from api import admin_routes, agent_routes, rest_channel, routes
from api.context import ApiContext, require_key
from api.errors import MAPPED_ERRORS, error_status
from api.observability import HttpMetricsMiddleware
from api.schemas import ErrorBody, Health
from api.socketio_channel import SOCKET_PATH, socketio_app
from api.security import BodyLimitMiddleware, InternalErrorMiddleware
from api.warm_up import WarmUp
from assistant.metrics import METRICS
from assistant.service import ShopAssistant
from core.settings import ServerSettings, Settings
from retrieval.models import SearchConstraints

log = logging.getLogger(__name__)

UI_PATH = "/ui"
SOCKET_PREFIX = f"/{SOCKET_PATH}"


def create_app(assistant: ShopAssistant, settings: ServerSettings | None = None, *, ui: bool | None = None) -> FastAPI:
    """The whole server around one assistant (tests pass their own; ``shopassist serve`` builds one from settings)."""
    settings = settings or assistant.settings
    mount_ui = settings.ui_enabled if ui is None else ui

    warm_up = WarmUp(assistant) if settings.serve_warm_up else None

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        anyio.to_thread.current_default_thread_limiter().total_tokens = settings.serve_threads
        if warm_up is not None:
            warm_up.start()
        try:
            yield
        finally:
            if warm_up is not None:
                await anyio.to_thread.run_sync(warm_up.wait)

    app = FastAPI(
        title="ShopAssist API",
        version="0.1.0",
        description="A conversational shopping assistant: a native JSON API, Rasa's REST channel and a chat widget at /ui.",
        lifespan=lifespan,
    )
    app.state.shopassist = ApiContext.build(assistant, settings)
    app.state.warm_up = warm_up
    app.include_router(routes.router)
    app.include_router(rest_channel.router)
    app.include_router(agent_routes.router)
    app.include_router(agent_routes.page_router)
    app.include_router(admin_routes.router)
    app.include_router(admin_routes.page_router)
    app.mount(SOCKET_PREFIX, socketio_app(app.state.shopassist))
    _add_operations(app, ui=mount_ui)
    _add_error_handlers(app)
    app.add_middleware(InternalErrorMiddleware)  # innermost of these: errors of the routes
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.max_body_bytes, exempt_prefixes=(UI_PATH,))
    app.add_middleware(HttpMetricsMiddleware, skip_prefixes=(UI_PATH, SOCKET_PREFIX))
    if settings.cors_origin_list:  # outermost: errors and 413s carry CORS headers too
        origins = settings.cors_origin_list
        app.add_middleware(
            CORSMiddleware, allow_origins=origins, allow_credentials="*" not in origins,
            allow_methods=["GET", "POST", "OPTIONS"], allow_headers=["Content-Type", "X-API-Key", "Authorization"],
        )
    if mount_ui:  # built after start-up: Gradio's import alone would hold /healthz back about 3 s
        from ui.mount import mount_deferred_widget

        app.state.widget = mount_deferred_widget(app, app.state.shopassist.gateway, UI_PATH)
    return app


def _add_operations(app: FastAPI, *, ui: bool) -> None:
    ctx: ApiContext = app.state.shopassist

    @app.get("/", include_in_schema=False)
    def root() -> RedirectResponse:
        return RedirectResponse(f"{UI_PATH}/" if ui else "/docs")

    @app.get("/healthz", response_model=Health, tags=["operations"], responses={503: {"model": ErrorBody}})
    def healthz() -> Health:
        """Ready when the catalog is loaded and the conversation database answers."""
        ctx.assistant.states.ping()
        widget = getattr(app.state, "widget", None)
        warm_up = app.state.warm_up
        return Health(status="ok", products=ctx.assistant.products.count(SearchConstraints()), database="ok",
                      generator=getattr(ctx.assistant.generator, "name", type(ctx.assistant.generator).__name__),
                      widget=widget.state if widget is not None else None, warm_up=warm_up.state if warm_up is not None else None,
                      worker=os.getpid())

    @app.get("/metrics", response_class=PlainTextResponse, tags=["operations"], dependencies=[Depends(require_key)],
             responses={200: {"content": {"text/plain": {}}, "description": "Prometheus text format 0.0.4."}})
    def metrics() -> PlainTextResponse:
        """Turns, per-stage latency histograms, fallbacks, hand-offs, grounding violations, HTTP requests."""
        return PlainTextResponse(METRICS.render(), media_type="text/plain; version=0.0.4; charset=utf-8")


def _error(status_code: int, detail: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"detail": detail}, status_code=status_code, headers=headers)


def _add_error_handlers(app: FastAPI) -> None:
    """Map ShopAssist's errors to statuses (``api.errors``, shared with the socket.io channel); never send a stack
    trace (Starlette picks the most specific handler)."""

    async def mapped(_: Request, exc: Exception) -> JSONResponse:
        return _error(*error_status(exc))

    for kind in MAPPED_ERRORS:
        app.add_exception_handler(kind, mapped)

    @app.exception_handler(RequestValidationError)
    async def invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [{"loc": list(e.get("loc", ())), "msg": e.get("msg", ""), "type": e.get("type", "")} for e in exc.errors()]
        return JSONResponse({"detail": errors}, status_code=status.HTTP_422_UNPROCESSABLE_CONTENT)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        return _error(exc.status_code, str(exc.detail), getattr(exc, "headers", None))

    @app.exception_handler(Exception)
    async def internal(request: Request, exc: Exception) -> JSONResponse:
        log.error("request.failed %s %s", request.method, request.url.path, exc_info=exc)
        return _error(status.HTTP_500_INTERNAL_SERVER_ERROR, "Internal server error.")


def app_from_settings(settings: Settings | None = None) -> FastAPI:
    """Build the assistant from settings and serve it (``uvicorn --factory api.app:app_from_settings``)."""
    from assistant.wiring import build_assistant
    from core.settings import get_settings

    settings = settings or get_settings()
    return create_app(build_assistant(settings), settings)
