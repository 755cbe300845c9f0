"""Any OpenAI-compatible chat-completions server (vLLM, llama.cpp's server, hosted APIs) through the ``openai`` client.

The endpoint is configuration: ``llm_base_url`` (default ``$OPENAI_BASE_URL``), ``llm_model``, ``llm_api_key``
(default ``$OPENAI_API_KEY``). vLLM-only request options go through ``extra_body``, for example structured outputs
``{"structured_outputs": {"choice": [...]}}`` in ``choose``.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, cast

import openai

from assistant.generators.chat import ChatMessage, LLMError
from assistant.generators.prompting import intent_choice_messages
from core.settings import Settings

log = logging.getLogger(__name__)

DEFAULT_BASE_URL = "http://127.0.0.1:8001/v1"


def resolve_base_url(settings: Settings) -> str:
    return settings.llm_base_url or os.environ.get("OPENAI_BASE_URL") or DEFAULT_BASE_URL


def resolve_api_key(settings: Settings) -> str:
    if settings.llm_api_key is not None:
        return settings.llm_api_key.get_secret_value()
    return os.environ.get("OPENAI_API_KEY") or "EMPTY"  # local servers started without --api-key accept any key


class OpenAIChatModel:
    """Chat completions from an OpenAI-compatible server. Errors become ``LLMError`` with a short reason."""

    name = "openai"

    def __init__(self, settings: Settings, client: openai.OpenAI | None = None) -> None:
        self.settings = settings
        self.base_url = resolve_base_url(settings)
        self.model = settings.llm_model
        self.client = client or openai.OpenAI(
            base_url=self.base_url, api_key=resolve_api_key(settings), max_retries=0,
            timeout=openai.Timeout(settings.llm_timeout_s, connect=settings.llm_connect_timeout_s),
        )

    def stream_chat(self, messages: list[ChatMessage], *, max_tokens: int | None = None, temperature: float | None = None,
                    extra_body: dict[str, Any] | None = None) -> CompletionStream:
        """The reply's text pieces; the request is sent on the first read, and ``close()`` (from any thread) ends it."""
        return CompletionStream(lambda: self.client.chat.completions.create(
            model=self.model, messages=cast(Any, messages), stream=True,
            max_tokens=max_tokens or self.settings.llm_max_tokens,
            temperature=self.settings.llm_temperature if temperature is None else temperature, extra_body=extra_body,
        ))

    def complete(self, messages: list[ChatMessage], *, max_tokens: int | None = None, temperature: float | None = None,
                 extra_body: dict[str, Any] | None = None) -> str:
        """The whole reply in one response (no streaming)."""
        with llm_errors():
            response = self.client.chat.completions.create(
                model=self.model, messages=cast(Any, messages),
                max_tokens=max_tokens or self.settings.llm_max_tokens,
                temperature=self.settings.llm_temperature if temperature is None else temperature, extra_body=extra_body,
            )
        return (response.choices[0].message.content or "") if response.choices else ""

    def choose(self, prompt: str | list[ChatMessage], choices: list[str]) -> str | None:
        """Exactly one of ``choices``: vLLM constrains decoding to them (structured outputs); other servers ignore the
        option, so a free-text answer is matched to a choice. None when the answer names no choice."""
        if not choices:
            raise ValueError("choose() needs at least one choice")
        messages = [{"role": "user", "content": prompt}] if isinstance(prompt, str) else prompt
        answer = self.complete(messages, max_tokens=max(len(c) for c in choices) // 2 + 8, temperature=0.0,
                               extra_body={"structured_outputs": {"choice": choices}}).strip()
        if answer in choices:
            return answer
        lowered = answer.lower()
        return next((c for c in sorted(choices, key=len, reverse=True) if c.lower() in lowered), None)

    def classify_intent(self, user_text: str, intents: list[str]) -> str | None:
        """The intent the model picks for a shopper message (a second opinion when the classifier is unsure)."""
        return self.choose(intent_choice_messages(user_text, intents), intents)

    def available_models(self) -> list[str]:
        with llm_errors():
            ids = [m.id for m in self.client.models.list()]
        return ids


class CompletionStream:
    """The text pieces of one streamed chat completion. ``close()`` may be called from another thread while a read
    blocks (a guard whose deadline passed): it closes the HTTP response, so the server aborts the request instead of
    spending its CPU on a reply nobody reads (vLLM queues the next turn's request behind it otherwise)."""

    def __init__(self, open_stream: Callable[[], Any]) -> None:
        self._open = open_stream
        self._response: Any = None
        self._closed = False
        self._pieces: Iterator[str] | None = None

    def __iter__(self) -> CompletionStream:
        return self

    def __next__(self) -> str:
        if self._pieces is None:
            self._pieces = self._read()
        return next(self._pieces)

    def _read(self) -> Iterator[str]:
        with llm_errors():
            self._response = self._open()
            if self._closed:
                self._response.close()
                return
            with self._response:
                for chunk in self._response:
                    if chunk.choices and (text := chunk.choices[0].delta.content):
                        yield text

    def close(self) -> None:
        self._closed = True
        if self._response is not None:
            try:
                self._response.close()
            except Exception:  # closing a response another thread is reading may raise there or here; either ends it
                log.debug("llm.close_failed", exc_info=True)


@contextmanager
def llm_errors() -> Iterator[None]:
    """Client errors as ``LLMError`` with a short reason (unreachable, timeout, http_NNN, error)."""
    try:
        yield
    except openai.APITimeoutError as exc:
        raise LLMError("timeout", f"The LLM server did not answer in time: {exc}") from exc
    except openai.APIConnectionError as exc:
        raise LLMError("unreachable", f"Cannot reach the LLM server: {exc}") from exc
    except openai.APIStatusError as exc:
        body = exc.response.text[:500] if exc.response is not None else ""
        raise LLMError(f"http_{exc.status_code}", f"The LLM server answered {exc.status_code}: {body}") from exc
    except openai.OpenAIError as exc:
        raise LLMError("error", f"LLM client error: {exc}") from exc
