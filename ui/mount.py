"""The widget, mounted without delaying the server: Gradio takes about 3 s to import and build, so the API answers
(``/healthz`` included) while the widget is built in a worker thread after start-up.

Until the widget is ready a request under its path waits for it (up to ``wait_s``), so a browser opened at start-up
gets the page a moment later instead of an error. This module imports nothing of Gradio itself: ``ui.app`` is
imported in the building thread.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any

from fastapi import FastAPI
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

if TYPE_CHECKING:
    from assistant.channel import ConversationGateway

log = logging.getLogger(__name__)


class DeferredWidget:
    """An ASGI app at the widget's path: forwards to the Gradio app once it is built, which
    :meth:`lifespan` starts when the server does (or the first request under the path, where no lifespan runs)."""

    def __init__(self, app: FastAPI, gateway: ConversationGateway, path: str, wait_s: float = 60.0) -> None:
        self._parent = app
        self._gateway = gateway
        self._path = path
        self._wait_s = wait_s
        self._gradio: ASGIApp | None = None
        self._error: str | None = None
        self._ready = asyncio.Event()
        self._stop = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    @property
    def state(self) -> str:
        """``starting``, ``ready`` or ``failed``."""
        return "failed" if self._error else "ready" if self._gradio is not None else "starting"

    def _build(self) -> FastAPI:
        """Gradio's app for the widget, mounted on a holder app whose lifespan runs the widget's start-up events."""
        from ui.app import mount_widget

        holder = FastAPI()
        # Gradio's CORS middleware steps aside when its parent configures CORS: let it see the server's middleware.
        holder.user_middleware = self._parent.user_middleware
        return mount_widget(holder, self._gateway, path=self._path)

    async def _run(self) -> None:
        try:
            holder = await asyncio.to_thread(self._build)
            async with holder.router.lifespan_context(holder):
                self._gradio = holder.routes[-1].app  # type: ignore[attr-defined]  # the Mount that mount_widget added
                self._ready.set()
                log.info("ui.ready path=%s", self._path)
                await self._stop.wait()
        except Exception as exc:  # noqa: BLE001 - the API keeps serving without its widget, and says why
            self._error = f"{type(exc).__name__}: {exc}"
            log.error("ui.failed path=%s reason=%s", self._path, self._error, exc_info=exc)
        finally:
            self._ready.set()

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._run(), name="widget-build")

    @asynccontextmanager
    async def lifespan(self) -> AsyncIterator[None]:
        self.start()
        try:
            yield
        finally:
            self._stop.set()
            if self._task is not None:
                await self._task

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self._gradio is None:
            self.start()
            try:
                await asyncio.wait_for(self._ready.wait(), self._wait_s)
            except TimeoutError:
                pass
        if self._gradio is None:
            await self._unavailable(scope, receive, send)
            return
        await self._gradio(scope, receive, send)

    async def _unavailable(self, scope: Scope, receive: Receive, send: Send) -> None:
        detail = f"The chat widget failed to start ({self._error})." if self._error else "The chat widget is still starting."
        if scope["type"] == "http":
            await JSONResponse({"detail": detail}, status_code=503, headers={"Retry-After": "2"})(scope, receive, send)
        elif scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 1013, "reason": detail[:120]})


def mount_deferred_widget(app: FastAPI, gateway: ConversationGateway, path: str) -> DeferredWidget:
    """Mount the widget at ``path`` of ``app``, built in the background once the server starts."""
    widget = DeferredWidget(app, gateway, path)
    app.mount(path, widget)  # type: ignore[arg-type]
    serving: Any = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(running: FastAPI) -> AsyncIterator[Any]:
        async with serving(running) as state, widget.lifespan():
            yield state

    app.router.lifespan_context = lifespan
    return widget
