"""Per-sender rate limits, shared by every channel (the native API, Rasa's REST channel and the widget)."""

from __future__ import annotations

import threading
import time
from collections import deque

from core.errors import UserError


class RateLimitedError(UserError):
    """A sender sent more messages than the limit allows; ``retry_after`` says when the next one is admitted.

    Channels render it their own way: the API answers 429 with ``Retry-After``, the widget shows the message.
    """

    def __init__(self, per_minute: int, retry_after: int) -> None:
        super().__init__(f"Too many messages from this sender: the limit is {per_minute} a minute. Retry in {retry_after} s.")
        self.per_minute = per_minute
        self.retry_after = retry_after


class RateLimiter:
    """A sliding one-minute window of request times per sender (thread-safe, in-process)."""

    def __init__(self, per_minute: int, window_s: float = 60.0) -> None:
        self.per_minute = per_minute
        self.window_s = window_s
        self._hits: dict[str, deque[float]] = {}
        self._lock = threading.Lock()
        self._calls = 0

    def check(self, sender: str) -> None:
        """Count one request of ``sender``; raise :class:`RateLimitedError` when it is over the limit."""
        if self.per_minute <= 0:
            return
        now = time.monotonic()
        with self._lock:
            hits = self._hits.setdefault(sender, deque())
            while hits and hits[0] <= now - self.window_s:
                hits.popleft()
            if len(hits) >= self.per_minute:
                raise RateLimitedError(self.per_minute, retry_after=max(1, int(hits[0] + self.window_s - now) + 1))
            hits.append(now)
            self._calls += 1
            if self._calls % 1000 == 0:
                self._prune(now)

    def _prune(self, now: float) -> None:
        for sender in [s for s, h in self._hits.items() if not h or h[-1] <= now - self.window_s]:
            del self._hits[sender]
