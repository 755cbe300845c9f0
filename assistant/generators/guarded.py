"""Wraps a model backend so the shopper always gets a correct answer in time.

- Deadlines: no first token within ``llm_first_token_deadline_s``, or no whole reply within ``llm_timeout_s``, or a
  server that is unreachable or errors → the template reply (``llm.fallback``, counted by reason).
- Grounding: a reply that states anything the plan does not (``grounding.py``) is regenerated once, then replaced
  by the template reply (``llm.grounding_violation``, counted by kind).
- Streaming: model text is released sentence by sentence, each checked first. If the model fails before anything
  was released, the template reply is streamed instead; if it fails later, the stream ends with the template reply
  on a new line, so every fact the shopper sees was checked.
"""

from __future__ import annotations

import logging
import queue
import re
import threading
import time
from collections.abc import Iterator
from typing import Literal

from pydantic import BaseModel, Field

from assistant.generators.base import HistoryTurn
from assistant.generators.chat import ChatMessage, ChatModel, LLMError
from assistant.generators.grounding import Grounder, Violation, leaks_system_prompt
from assistant.generators.prompting import build_messages, correction_message
from assistant.generators.template import TemplateGenerator
from assistant.metrics import METRICS
from core.settings import Settings
from dialogue.plan import ReplyPlan

log = logging.getLogger(__name__)

REPLIES = METRICS.counter("shopassist_llm_replies_total", "Replies by generator backend and source (model, regenerated, template).")
FALLBACKS = METRICS.counter("shopassist_llm_fallbacks_total", "Model replies replaced by the template reply, by reason.")
VIOLATIONS = METRICS.counter("shopassist_llm_grounding_violations_total", "Statements in model replies not backed by the plan, by kind.")
FIRST_TOKEN = METRICS.histogram("shopassist_llm_first_token_seconds", "Seconds from request to the model's first token.")
REPLY_SECONDS = METRICS.histogram("shopassist_llm_reply_seconds", "Seconds to a whole guarded reply (any source).")

_SENTENCE_END = re.compile(r"[.!?](?=\s)|\n")


class GenerationResult(BaseModel):
    text: str
    source: Literal["model", "regenerated", "template"]
    reason: str | None = Field(default=None, description="Why the template reply was used.")
    violations: list[Violation] = Field(default_factory=list)
    first_token_s: float | None = None
    seconds: float = 0.0
    pieces: int = Field(default=0, description="Text pieces (about one token each) the model streamed.")
    model_text: str | None = Field(default=None, description="The model's last draft, even when rejected.")


class _Fallback(Exception):
    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(reason)
        self.reason, self.detail = reason, detail


class _Timing:
    def __init__(self) -> None:
        self.first_token_s: float | None = None
        self.pieces = 0


class GuardedGenerator:
    """A ``Generator`` that phrases replies with ``model`` under deadlines, grounding checks and a template fallback."""

    def __init__(self, model: ChatModel, settings: Settings, fallback: TemplateGenerator | None = None) -> None:
        self.model = model
        self.settings = settings
        self.fallback = fallback or TemplateGenerator()
        self.name = f"guarded-{model.name}"

    # Generator protocol --------------------------------------------------------------------------
    def generate(self, plan: ReplyPlan, history: list[HistoryTurn] | None = None) -> str:
        return self.run(plan, history or []).text

    def stream(self, plan: ReplyPlan, history: list[HistoryTurn] | None = None) -> Iterator[str]:
        history = history or []
        started = time.perf_counter()
        template = self.fallback.generate(plan, history)
        grounder = Grounder(plan, template)
        messages = build_messages(plan, history, template, self.settings.llm_history_tokens)
        released: list[str] = []
        for attempt in (0, 1):
            timing = _Timing()
            try:
                for sentence in self._sentences(messages, timing):
                    violations = grounder.check(sentence) + ([Violation(kind="prompt_leak", text=sentence[:80])]
                                                             if leaks_system_prompt("".join(released) + sentence) else [])
                    if violations:
                        self._violations(violations, sentence)
                        raise _Fallback("grounding")
                    released.append(sentence)
                    yield sentence
            except _Fallback as stop:
                if stop.reason != "grounding":
                    self._fell_back(stop, started)
                    yield from self._template_tail(plan, history, template, released)
                    return
                if released or attempt == 1:
                    self._fell_back(stop, started)
                    yield from self._template_tail(plan, history, template, released)
                    return
                messages = [*messages, correction_message([])]
                continue
            if not released:
                self._fell_back(_Fallback("empty"), started)
                yield from self.fallback.stream(plan, history)
                return
            missing = grounder.omissions("".join(released))
            if missing:
                self._violations(missing, "".join(released))
                self._fell_back(_Fallback("grounding", "facts left out"), started)
                yield "\n" + template
                return
            self._succeeded("model" if attempt == 0 else "regenerated", started)
            return

    # the whole reply at once ---------------------------------------------------------------------
    def run(self, plan: ReplyPlan, history: list[HistoryTurn]) -> GenerationResult:
        """One reply with everything known about how it was made (for tests, benchmarks and logs)."""
        started = time.perf_counter()
        template = self.fallback.generate(plan, history)
        grounder = Grounder(plan, template)
        messages = build_messages(plan, history, template, self.settings.llm_history_tokens)
        violations: list[Violation] = []
        timing, text = _Timing(), None
        for attempt in (0, 1):
            timing = _Timing()
            try:
                text = "".join(self._pieces(messages, timing)).strip()
            except _Fallback as stop:
                return self._template_result(template, stop, started, timing, text, violations)
            if not text:
                return self._template_result(template, _Fallback("empty"), started, timing, text, violations)
            violations = grounder.check(text) + grounder.omissions(text)
            if not violations:
                source: Literal["model", "regenerated"] = "model" if attempt == 0 else "regenerated"
                self._succeeded(source, started)
                return GenerationResult(text=text, source=source, first_token_s=timing.first_token_s, seconds=time.perf_counter() - started,
                                        pieces=timing.pieces, model_text=text)
            self._violations(violations, text)
            messages = [*messages, {"role": "assistant", "content": text}, correction_message([v.kind for v in violations])]
        return self._template_result(template, _Fallback("grounding"), started, timing, text, violations)

    # internals -----------------------------------------------------------------------------------
    def _pieces(self, messages: list[ChatMessage], timing: _Timing) -> Iterator[str]:
        """The model's text pieces, read on a worker thread so that deadlines hold even while a read blocks."""
        pieces: queue.Queue[tuple[str, object]] = queue.Queue()
        cancel = threading.Event()

        def pump() -> None:
            stream: Iterator[str] | None = None
            try:
                stream = self.model.stream_chat(messages, max_tokens=self.settings.llm_max_tokens, temperature=self.settings.llm_temperature)
                for piece in stream:
                    if cancel.is_set():
                        break
                    pieces.put(("piece", piece))
                pieces.put(("end", None))
            except Exception as exc:  # handed to the caller's thread, which logs it
                pieces.put(("error", exc))
            finally:
                close = getattr(stream, "close", None)
                if close is not None:
                    close()

        started = time.perf_counter()
        threading.Thread(target=pump, name=f"llm-{self.model.name}", daemon=True).start()
        first_deadline = started + self.settings.llm_first_token_deadline_s
        last_deadline = started + self.settings.llm_timeout_s
        try:
            while True:
                deadline = first_deadline if timing.first_token_s is None else last_deadline
                try:
                    kind, value = pieces.get(timeout=max(deadline - time.perf_counter(), 0.0))
                except queue.Empty:
                    late = "first_token_timeout" if timing.first_token_s is None else "timeout"
                    raise _Fallback(late, f"after {time.perf_counter() - started:.3f} s") from None
                if kind == "end":
                    return
                if isinstance(value, BaseException):
                    reason = value.reason if isinstance(value, LLMError) else "error"
                    raise _Fallback(reason, str(value)) from value
                if timing.first_token_s is None:
                    timing.first_token_s = time.perf_counter() - started
                    FIRST_TOKEN.observe(timing.first_token_s, backend=self.model.name)
                timing.pieces += 1
                yield str(value)
        finally:
            cancel.set()

    def _sentences(self, messages: list[ChatMessage], timing: _Timing) -> Iterator[str]:
        buffer = ""
        for piece in self._pieces(messages, timing):
            buffer += piece
            while match := _SENTENCE_END.search(buffer):
                sentence, buffer = buffer[: match.end()], buffer[match.end() :]
                if sentence.strip():
                    yield sentence
        if buffer.strip():
            yield buffer

    def _template_tail(self, plan: ReplyPlan, history: list[HistoryTurn], template: str, released: list[str]) -> Iterator[str]:
        if released:
            yield "\n" + template
        else:
            yield from self.fallback.stream(plan, history)

    def _template_result(self, template: str, stop: _Fallback, started: float, timing: _Timing, text: str | None,
                         violations: list[Violation]) -> GenerationResult:
        self._fell_back(stop, started)
        return GenerationResult(text=template, source="template", reason=stop.reason, violations=violations, first_token_s=timing.first_token_s,
                                seconds=time.perf_counter() - started, pieces=timing.pieces, model_text=text)

    def _violations(self, violations: list[Violation], text: str) -> None:
        for violation in violations:
            VIOLATIONS.inc(backend=self.model.name, kind=violation.kind)
        log.warning("llm.grounding_violation backend=%s kinds=%s items=%r reply=%r", self.model.name,
                    ",".join(sorted({v.kind for v in violations})), [v.text for v in violations][:5], text[:200])

    def _fell_back(self, stop: _Fallback, started: float) -> None:
        FALLBACKS.inc(backend=self.model.name, reason=stop.reason)
        REPLIES.inc(backend=self.model.name, source="template")
        REPLY_SECONDS.observe(time.perf_counter() - started, backend=self.model.name)
        log.warning("llm.fallback backend=%s reason=%s %s", self.model.name, stop.reason, stop.detail)

    def _succeeded(self, source: str, started: float) -> None:
        REPLIES.inc(backend=self.model.name, source=source)
        REPLY_SECONDS.observe(time.perf_counter() - started, backend=self.model.name)
