"""The one interface every language-model backend implements: stream a chat completion as text pieces."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Protocol

from core.errors import BackendUnavailableError

#: An OpenAI-style chat message: {"role": "system" | "user" | "assistant", "content": "..."}.
ChatMessage = dict[str, str]


class LLMError(BackendUnavailableError):
    """A model backend failed; ``reason`` is a short label for logs and metrics (unreachable, timeout, http_500, ...)."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


class ChatModel(Protocol):
    name: str

    def stream_chat(self, messages: list[ChatMessage], *, max_tokens: int | None = None, temperature: float | None = None) -> Iterator[str]:
        """Text pieces of the reply as they are produced (empty pieces are skipped). Raises ``LLMError``."""
        ...
