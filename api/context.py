"""What every route needs: the assistant, the settings, the key check and the rate limiter."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import Request

from api.security import KeyCheck, RateLimiter
from assistant.service import ShopAssistant
from core.settings import Settings


@dataclass
class ApiContext:
    assistant: ShopAssistant
    settings: Settings
    keys: KeyCheck
    limiter: RateLimiter

    @classmethod
    def build(cls, assistant: ShopAssistant, settings: Settings) -> ApiContext:
        return cls(assistant, settings, KeyCheck(settings), RateLimiter(settings.rate_limit_per_minute))

    def open_conversation(self, sender: str) -> str:
        """The sender's latest conversation, created on its first message (one open conversation per sender).

        The store's lock (a PostgreSQL advisory lock, or a file lock beside SQLite) makes that hold across worker
        processes and hosts too, when a sender's first messages arrive at two workers at once."""
        with self.assistant.states.lock(f"sender:{sender}"):
            existing = self.assistant.states.conversations_of(sender)
            return existing[-1] if existing else self.assistant.start(sender)


def get_context(request: Request) -> ApiContext:
    return request.app.state.shopassist


def require_key(request: Request) -> None:
    """Router dependency: a valid API key when keys are configured."""
    get_context(request).keys.require(request)
