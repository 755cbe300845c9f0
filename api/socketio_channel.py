"""Rasa's socket.io channel, so that widgets built for Rasa (``rasa-webchat``) talk to ShopAssist unchanged.

Rasa's protocol on its default path (``/socket.io``): the client sends ``session_request`` (``{"session_id": …}``, or
nothing for a new id) and gets ``session_confirm`` with the session id; each ``user_uttered``
(``{"message": …, "session_id": …, "customData": {…}}``) is a turn in the session's conversation (the session id is
the sender: one conversation per session id, as the REST channel keeps one per sender), answered by ``bot_uttered``
messages in Rasa's shapes: the reply's paragraphs as ``{"text": …}``, the product cards as a ``generic`` template
``attachment`` (a carousel in rasa-webchat) that also carries the full cards under ``custom``, a comparison as
``{"custom": {"comparison": …}}``, and the quick replies as ``quick_replies`` on the last message (see
:func:`bot_messages`).

The other channels' rules hold: the API key (``auth: {"token": …}``, the ``X-API-Key`` / ``Authorization`` header or
an ``api_key`` query parameter, for browsers that cannot set headers on a WebSocket) is checked on connect, and
every message goes through the :class:`ConversationGateway` (the sender's rate limit, metrics under ``socketio``).
``customData.language`` overrides language detection and ``customData.message_id`` makes a resend idempotent. An
error is an ``error`` event (``{"status": …, "detail": …}``), which widgets ignore. A client that asks for an
acknowledgement of ``user_uttered`` (socket.io's ack; rasa-webchat does not) gets it once the turn's messages are
sent: ``{"status": 200, "conversation_id": …, "turn_index": …, "replayed": …, "waiting_for_person": …}``, or the
error's status and detail.

While a person has the conversation (hand-off) the assistant sends nothing; what the person writes is pushed to the
session as ``bot_uttered`` ``{"text": …, "metadata": {"from": "person", "agent": …}}`` as soon as any worker stores it
(``api.agent_feed``).
"""

from __future__ import annotations

import logging
import re
import uuid
from typing import Any
from urllib.parse import parse_qs

import anyio.to_thread
import socketio

from api.context import ApiContext
from api.errors import error_status
from api.schemas import SENDER_PATTERN
from api.security import key_in_headers
from assistant.service import TurnResult
from core.money import money
from dialogue.plan import ProductCard
from dialogue.state_store import StoredAgentMessage

log = logging.getLogger(__name__)

#: Rasa's defaults (``socketio_path``, ``user_message_evt``, ``bot_message_evt``).
SOCKET_PATH = "socket.io"
USER_EVENT = "user_uttered"
BOT_EVENT = "bot_uttered"
SESSION_ID = re.compile(SENDER_PATTERN)


def socketio_app(ctx: ApiContext) -> socketio.ASGIApp:
    """The channel as an ASGI app, to mount at ``/socket.io`` of the server."""
    # CORS of the polling transport is the app's middleware's (the same origins as every route): [] turns socket.io's off
    server = socketio.AsyncServer(async_mode="asgi", cors_allowed_origins=[], logger=False, engineio_logger=False)
    SocketChannel(server, ctx)
    return socketio.ASGIApp(server, socketio_path=SOCKET_PATH)


class SocketChannel:
    """The event handlers of one server (one per app)."""

    def __init__(self, server: socketio.AsyncServer, ctx: ApiContext) -> None:
        self.server, self.ctx = server, ctx
        self._listening = False
        server.on("connect", self.connect)
        server.on("session_request", self.session_request)
        server.on(USER_EVENT, self.user_uttered)

    async def connect(self, sid: str, environ: dict[str, Any], auth: Any = None) -> None:
        if not self.ctx.keys.accepts(_presented_key(environ, auth)):
            raise socketio.exceptions.ConnectionRefusedError("A valid API key is required (auth token, X-API-Key or api_key).")

    async def session_request(self, sid: str, data: Any = None) -> None:
        """Rasa: confirm the session id the client keeps (a new one when it has none)."""
        wanted = data.get("session_id") if isinstance(data, dict) else None
        session_id = wanted if isinstance(wanted, str) and SESSION_ID.match(wanted) else uuid.uuid4().hex
        await self.server.save_session(sid, {"session_id": session_id})
        await self.server.enter_room(sid, session_id)
        if not self._listening:  # the feed's task runs in the server's event loop: subscribe from inside it
            self.ctx.feed.subscribe(self.push_agent_message)
            self._listening = True
        await self.server.emit("session_confirm", session_id, to=sid)

    async def push_agent_message(self, message: StoredAgentMessage) -> None:
        """A person's message to the sessions of its conversation's sender in this process (none: nothing sent)."""
        await self.server.emit(BOT_EVENT, {"text": message.text, "metadata": {"from": "person", "agent": message.agent}},
                               room=message.sender)

    async def user_uttered(self, sid: str, data: Any = None) -> dict[str, Any]:
        """One turn; returns the acknowledgement (see the module docstring)."""
        if not isinstance(data, dict) or not isinstance(data.get("message"), str):
            return await self._error(sid, 422, "user_uttered needs {\"message\": \"…\", \"session_id\": \"…\"}.")
        session = await self.server.get_session(sid)
        session_id = data.get("session_id") or session.get("session_id")
        if not isinstance(session_id, str) or not SESSION_ID.match(session_id):
            return await self._error(sid, 422, "Send session_request first, or a session_id with user_uttered.")
        custom = data.get("customData") if isinstance(data.get("customData"), dict) else {}
        language = custom.get("language") if isinstance(custom.get("language"), str) else None
        message_id = custom.get("message_id") if isinstance(custom.get("message_id"), str) else None
        try:
            result = await anyio.to_thread.run_sync(
                lambda: self.ctx.gateway.turn("socketio", session_id, data["message"], language=language, message_id=message_id))
        except Exception as exc:  # noqa: BLE001 - the socket stays up; an unexpected error's details stay in the log
            return await self._error(sid, *error_status(exc)[:2])
        for message in bot_messages(result):
            await self.server.emit(BOT_EVENT, message, room=session_id)
        return {"status": 200, "conversation_id": result.conversation_id, "turn_index": result.turn_index,
                "replayed": result.replayed, "waiting_for_person": result.waiting_for_person}

    async def _error(self, sid: str, status: int, detail: str) -> dict[str, Any]:
        error = {"status": status, "detail": detail}
        await self.server.emit("error", error, to=sid)
        return error


def bot_messages(result: TurnResult) -> list[dict[str, Any]]:
    """One turn's ``bot_uttered`` messages, as Rasa's SocketIOOutput shapes them: the reply's paragraphs, the cards,
    the comparison. Widgets show quick replies only under the latest message, so when there are some, the reply's
    last paragraph comes after the cards and carries them."""
    plan = result.plan
    if result.waiting_for_person:  # a person answers
        return []
    # widgets render markdown: a line of its own (a listed product) keeps its line break
    paragraphs = [part.replace("\n", "  \n") for part in result.text.strip().split("\n\n") if part.strip()] or [result.text]
    extras: list[dict[str, Any]] = []
    if plan.products:
        cards = [card.model_dump(mode="json") for card in plan.products]
        elements = [{"title": card.title, "subtitle": _subtitle(card), "buttons": []} | ({"image_url": card.image_url} if card.image_url else {})
                    for card in plan.products]
        extras.append({"attachment": {"type": "template", "payload": {"template_type": "generic", "elements": elements}},
                       "custom": {"products": cards}})
    if plan.comparison is not None:
        extras.append({"custom": {"comparison": plan.comparison.model_dump(mode="json")}})
    if not plan.quick_replies:
        return [{"text": part} for part in paragraphs] + extras
    quick_replies = [{"content_type": "text", "title": reply, "payload": reply} for reply in plan.quick_replies]
    return [{"text": part} for part in paragraphs[:-1]] + extras + [{"text": paragraphs[-1], "quick_replies": quick_replies}]


def _subtitle(card: ProductCard) -> str:
    """Price, rating and why, on one line under the card's title."""
    parts = [money(card.price, card.currency)]
    if card.rating is not None:
        parts.append(f"{card.rating}★")
    parts += card.reasons[:2]
    return " · ".join(parts)


def _presented_key(environ: dict[str, Any], auth: Any) -> str | None:
    """The key in ``auth`` (``token``, ``api_key``), the X-API-Key / Bearer header, or the ``api_key`` query parameter."""
    if isinstance(auth, dict):
        for name in ("token", "api_key"):
            if isinstance(auth.get(name), str) and auth[name]:
                return auth[name]
    if key := key_in_headers(environ.get("HTTP_X_API_KEY"), environ.get("HTTP_AUTHORIZATION")):
        return key
    values = parse_qs(str(environ.get("QUERY_STRING", ""))).get("api_key")
    return values[0] if values else None
