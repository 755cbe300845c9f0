"""API keys, request-body limits and the last-resort 500 (per-sender rate limits: ``assistant.rate_limit``)."""

from __future__ import annotations

import hmac
import json
import logging

from fastapi import HTTPException, Request, status
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from core.settings import ServerSettings

log = logging.getLogger(__name__)

API_KEY_HEADER = "X-API-Key"


def presented_key(request: Request) -> str | None:
    """The key in ``X-API-Key`` or ``Authorization: Bearer …``."""
    return key_in_headers(request.headers.get(API_KEY_HEADER), request.headers.get("Authorization"))


def key_in_headers(api_key: str | None, authorization: str | None) -> str | None:
    """The key of an ``X-API-Key`` header's value, else of an ``Authorization: Bearer …`` one (any channel's headers)."""
    if api_key:
        return api_key
    scheme, _, token = (authorization or "").partition(" ")
    return (token.strip() or None) if scheme.lower() == "bearer" else None


def _matches(key: str | None, keys: frozenset[str]) -> bool:
    return key is not None and any(hmac.compare_digest(key.encode(), k.encode()) for k in keys)


class KeyCheck:
    """Who is calling: nobody needs a shopper's key when none is configured; agent keys may read any conversation.

    The agent API and the merchant dashboard always need their own keys (agent or admin): without any configured
    they are off (403), since they read every shopper's conversations."""

    def __init__(self, settings: ServerSettings) -> None:
        self.keys = settings.api_key_set
        self.agent_keys = settings.agent_key_set
        self.admin_keys = settings.admin_key_set

    @property
    def enabled(self) -> bool:
        return bool(self.keys or self.agent_keys)

    def require(self, request: Request) -> None:
        if not self.enabled:
            return
        if not self.accepts(presented_key(request)):
            raise HTTPException(
                status.HTTP_401_UNAUTHORIZED, detail=f"A valid API key is required in the {API_KEY_HEADER} header.",
                headers={"WWW-Authenticate": "Bearer"},
            )

    def accepts(self, key: str | None) -> bool:
        """A shopper's or an agent's key (any key when none is configured)."""
        return not self.enabled or _matches(key, self.keys) or _matches(key, self.agent_keys)

    def is_agent(self, request: Request) -> bool:
        return _matches(presented_key(request), self.agent_keys)

    def require_agent(self, request: Request) -> None:
        _require_role(request, self.agent_keys, "agent", "SHOPASSIST_AGENT_API_KEYS")

    def require_admin(self, request: Request) -> None:
        _require_role(request, self.admin_keys, "admin", "SHOPASSIST_ADMIN_API_KEYS")


def _require_role(request: Request, keys: frozenset[str], role: str, setting: str) -> None:
    if not keys:
        raise HTTPException(status.HTTP_403_FORBIDDEN, detail=f"No {role} keys are configured ({setting}): this part is off.")
    if not _matches(presented_key(request), keys):
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, detail=f"An {role} key is required in the {API_KEY_HEADER} header.",
                            headers={"WWW-Authenticate": "Bearer"})


class BodyLimitMiddleware:
    """Refuse request bodies over ``max_bytes`` with 413 (declared length or counted while streaming).

    Paths under ``exempt_prefixes`` (the Gradio widget, which has limits of its own) are not checked.
    """

    def __init__(self, app: ASGIApp, max_bytes: int, exempt_prefixes: tuple[str, ...] = ()) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.exempt = exempt_prefixes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(self.exempt):
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.max_bytes):
            await self._refuse(send)
            return
        received = 0
        too_large = refused = False

        async def counting_receive() -> Message:
            nonlocal received, too_large
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    too_large = True
                    raise _TooLarge  # frameworks may turn this into a 400: the send wrapper answers 413 instead
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal refused
            if too_large:
                if not refused:
                    refused = True
                    await self._refuse(send)
                return
            await send(message)

        try:
            await self.app(scope, counting_receive, guarded_send)
        except _TooLarge:
            pass
        except Exception:
            if not too_large:
                raise
        if too_large and not refused:
            await self._refuse(send)

    async def _refuse(self, send: Send) -> None:
        body = json.dumps({"detail": f"The request body is too large: the limit is {self.max_bytes} bytes."}).encode()
        await send({"type": "http.response.start", "status": 413,
                    "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})


class _TooLarge(Exception):
    pass


class InternalErrorMiddleware:
    """Answer an unexpected exception with a bare JSON 500 and log it; never re-raise.

    Starlette's own catch-all re-raises after answering, which makes the server drop the keep-alive connection under
    the client's next request. Nothing of the exception reaches the response.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception:  # noqa: BLE001 - the boundary of the app: log, answer 500 without details
            log.exception("request.failed %s %s", scope.get("method"), scope.get("path"))
            if started:
                return
            body = b'{"detail":"Internal server error."}'
            await send({"type": "http.response.start", "status": 500,
                        "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]})
            await send({"type": "http.response.body", "body": body})
