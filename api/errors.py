"""How ShopAssist's errors reach a client, the same on every channel: a status, a detail safe to show, and headers.
The HTTP app's exception handlers and the socket.io channel's ``error`` events both use :func:`error_status`."""

from __future__ import annotations

import logging

from sqlalchemy.exc import InterfaceError, OperationalError

from assistant.rate_limit import RateLimitedError
from assistant.takeover import NotHandedOffError
from core.errors import BackendUnavailableError, NotReadyError, UserError
from dialogue.state_store import ConcurrentUpdateError, UnknownConversationError

log = logging.getLogger(__name__)

UNAVAILABLE = "A backend service is unavailable; retry shortly."
#: The exception types with a status of their own (the HTTP app registers a handler for each).
MAPPED_ERRORS: tuple[type[Exception], ...] = (
    UnknownConversationError, NotHandedOffError, NotReadyError, BackendUnavailableError, OperationalError, InterfaceError,
    ConcurrentUpdateError, RateLimitedError, UserError,
)


def error_status(exc: Exception) -> tuple[int, str, dict[str, str] | None]:
    """(status, detail, headers) for ``exc``; anything unexpected is a bare 500, logged with its stack trace."""
    match exc:
        case UnknownConversationError():
            return 404, str(exc), None
        case NotHandedOffError():
            return 409, str(exc), None
        case NotReadyError():
            return 503, str(exc), None
        case BackendUnavailableError():
            log.warning("backend.unavailable %s", exc)
            return 503, UNAVAILABLE, {"Retry-After": "5"}
        case OperationalError() | InterfaceError():  # a database failure no store wrapped (e.g. the server restarting)
            log.warning("database.unavailable %s", type(exc.orig).__name__ if exc.orig is not None else type(exc).__name__)
            return 503, UNAVAILABLE, {"Retry-After": "5"}
        case ConcurrentUpdateError():
            return 409, "The conversation changed meanwhile; send the message again.", None
        case RateLimitedError():
            return 429, str(exc), {"Retry-After": str(exc.retry_after)}
        case UserError():
            return 422, str(exc), None
    log.error("request.failed", exc_info=exc)
    return 500, "Internal server error.", None
