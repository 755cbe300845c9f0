"""Wraps a model backend so the shopper gets a checked answer within the turn's deadline.

- **What the model may phrase**: only the actions in ``llm_actions``; the others keep the template reply
  (extractive: product lists, comparisons, answers, policies by default).
- **Every sentence is checked before it is shown** (``claims.ClaimChecker``: facts, content-word support,
  evaluative claims, repetition, greetings, unasked questions, instruction echoes). A rejected sentence is never
  shown; a repeating model or one that writes past ``llm_max_reply_ratio`` times the template is stopped.
- **Deadline**: the turn's deadline (``turn_deadline_s`` from the turn's start, passed in by the assistant), the
  first-token deadline and ``llm_timeout_s``. At the deadline, or when the model ends, fails or is stopped, the
  reply is finished with what the template reply says that the shown sentences did not (``TemplateRemainder``), so
  every fact of the plan reaches the shopper and the turn answers in time, streaming or not.
- Every reply is described by a ``GenerationResult`` (sentences kept and rejected, by reason) given to
  ``observers`` (the grounding audit, logs) and counted in the metrics.
"""

from __future__ import annotations

import logging
import queue
import re
import threading
import time
import types
from collections.abc import Callable, Iterator
from typing import Literal

from pydantic import BaseModel, Field

from assistant.generators.base import HistoryTurn
from assistant.generators.chat import ChatMessage, ChatModel, LLMError
from assistant.generators.claims import LIST_MARKER, ClaimChecker, TemplateRemainder
from assistant.generators.prompting import build_messages
from assistant.generators.template import TemplateGenerator
from assistant.metrics import METRICS
from core.errors import UserError
from core.settings import Settings
from dialogue.actions import ACTIONS
from dialogue.plan import ReplyPlan

log = logging.getLogger(__name__)

REPLIES = METRICS.counter("shopassist_llm_replies_total", "Replies by generator backend and source (model, mixed, template).")
FALLBACKS = METRICS.counter("shopassist_llm_fallbacks_total", "Replies finished or replaced by template text, by reason.")
VIOLATIONS = METRICS.counter("shopassist_llm_grounding_violations_total", "Model sentences rejected by the guard, by reason.")
FIRST_TOKEN = METRICS.histogram("shopassist_llm_first_token_seconds", "Seconds from request to the model's first token.")
REPLY_SECONDS = METRICS.histogram("shopassist_llm_reply_seconds", "Seconds to a whole guarded reply (any source).")

_SENTENCE_END = re.compile(r"[.!?](?=\s)|[。！？]|\n")  # Chinese sentences end at 。！？ with no space after
_COMPLETE = re.compile(r"[.!?:;)\"'”’★*。！？：；）」』]$|\d$")
#: Seconds kept back from the turn's deadline for storing the turn.
DEADLINE_MARGIN_S = 0.05


class SentenceVerdict(BaseModel):
    text: str
    kept: bool
    reasons: list[str] = Field(default_factory=list, description="Why it was not shown (empty when kept).")


class GenerationResult(BaseModel):
    text: str = Field(description="What the shopper saw.")
    action: str
    attempted: bool = Field(description="The model was asked (False when the action is not in llm_actions).")
    source: Literal["model", "mixed", "template"] = Field(description="model: all model sentences; mixed: model sentences and the template's remainder; template: no model sentence shown.")
    reason: str | None = Field(default=None, description="Why template text was used: action_extractive, deadline, first_token_timeout, timeout, unreachable, error, rejected, empty.")
    sentences: list[SentenceVerdict] = Field(default_factory=list, description="Every sentence the model wrote, in order.")
    kept_text: str = ""
    remainder: str = Field(default="", description="Template text appended after the model's sentences.")
    first_token_s: float | None = None
    seconds: float = 0.0
    pieces: int = Field(default=0, description="Text pieces (about one token each) the model streamed.")
    model_text: str | None = Field(default=None, description="Everything the model wrote, shown or not.")


class _Stop(Exception):
    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(reason)
        self.reason, self.detail = reason, detail


class _Timing:
    def __init__(self) -> None:
        self.first_token_s: float | None = None
        self.pieces = 0
        self.text = ""


def resolve_actions(names: frozenset[str]) -> frozenset[str]:
    """``llm_actions`` checked against the action vocabulary ("all": every action)."""
    if "all" in names:
        return frozenset(ACTIONS)
    unknown = sorted(names - set(ACTIONS))
    if unknown:
        raise UserError(f"Unknown action(s) in llm_actions: {', '.join(unknown)}; choose from {', '.join(ACTIONS)} or all.")
    return names


class GuardedGenerator:
    """A ``Generator`` that phrases replies with ``model`` under deadlines, per-sentence checks and template text."""

    def __init__(self, model: ChatModel, settings: Settings, fallback: TemplateGenerator | None = None) -> None:
        self.model = model
        self.settings = settings
        self.fallback = fallback or TemplateGenerator()
        self.actions = resolve_actions(settings.llm_actions)
        self.name = f"guarded-{model.name}"
        self.observers: list[Callable[[GenerationResult], None]] = []

    # Generator protocol --------------------------------------------------------------------------
    def generate(self, plan: ReplyPlan, history: list[HistoryTurn] | None = None, deadline: float | None = None) -> str:
        return self.run(plan, history or [], deadline).text

    def stream(self, plan: ReplyPlan, history: list[HistoryTurn] | None = None, deadline: float | None = None) -> Iterator[str]:
        yield from self._compose(plan, history or [], deadline, [])

    def run(self, plan: ReplyPlan, history: list[HistoryTurn], deadline: float | None = None) -> GenerationResult:
        """One whole reply with everything known about how it was made (tests, benchmarks, the audit)."""
        results: list[GenerationResult] = []
        for _ in self._compose(plan, history, deadline, results):
            pass
        return results[0]

    # composing a reply ---------------------------------------------------------------------------
    def _compose(self, plan: ReplyPlan, history: list[HistoryTurn], deadline: float | None, out: list[GenerationResult]) -> Iterator[str]:
        started = time.perf_counter()
        template = self.fallback.generate(plan, history)
        result = GenerationResult(text="", action=plan.action, attempted=plan.action in self.actions, source="template")
        shown: list[str] = []
        try:
            if not result.attempted:
                result.reason = "action_extractive"
                yield template
                result.text = template
                return
            timing = _Timing()
            text = ""
            try:
                for piece in self._checked(plan, history, template, started, deadline, timing, result):
                    text += piece
                    shown.append(piece.strip())
                    yield piece
            except _Stop as stop:
                result.reason = stop.reason
                log.warning("llm.stopped backend=%s reason=%s %s", self.model.name, stop.reason, stop.detail)
            result.first_token_s, result.pieces, result.model_text = timing.first_token_s, timing.pieces, timing.text or None
            result.kept_text = text.strip()
            remainder = TemplateRemainder(template).unsaid(result.kept_text)
            if remainder:
                tail = ("\n" if text else "") + remainder
                text += tail
                yield tail
            result.remainder = remainder
            result.text = text.strip()
            result.source = "template" if not shown else ("mixed" if remainder else "model")
            if result.source == "template" and result.reason is None:
                result.reason = "rejected" if result.sentences else "empty"
        finally:
            result.seconds = round(time.perf_counter() - started, 4)
            self._record(result)
            out.append(result)

    def _checked(self, plan: ReplyPlan, history: list[HistoryTurn], template: str, started: float, deadline: float | None,
                 timing: _Timing, result: GenerationResult) -> Iterator[str]:
        """The model's sentences that pass every check, each with the whitespace that led it ("\n" or " ")."""
        s = self.settings
        checker = ClaimChecker(plan, template, first_turn=not history, support=s.llm_claim_support)
        limit = s.llm_max_reply_ratio * len(template) + 80
        messages = build_messages(plan, history, template, s.llm_history_tokens)
        end = min(started + s.llm_timeout_s, (deadline - DEADLINE_MARGIN_S) if deadline is not None else float("inf"))
        kept: list[str] = []
        length = 0
        for sentence, newline, complete in self._sentences(messages, timing, started, end):
            if time.perf_counter() >= end:  # the checks take time too: none starts past the deadline
                raise _Stop("deadline", f"after {time.perf_counter() - started:.3f} s")
            if length + len(sentence) > limit:  # too long to show: stopped before the checks, whose cost grows with it
                result.sentences.append(SentenceVerdict(text=sentence, kept=False, reasons=["too_long"]))
                raise _Stop("degenerate", "too_long")
            reasons = [] if complete else ["cut_off"]
            reasons += [p.kind for p in checker.problems(sentence, [v.text for v in result.sentences])]
            result.sentences.append(SentenceVerdict(text=sentence, kept=not reasons, reasons=sorted(set(reasons))))
            if reasons:
                if {"repetition", "prompt_leak"} & set(reasons):
                    raise _Stop("degenerate", ",".join(sorted(set(reasons))))
                continue
            separator = ("\n" if newline else "" if plan.language == "zh" else " ") if kept else ""
            kept.append(sentence)
            length += len(sentence) + 1
            yield separator + sentence

    def _sentences(self, messages: list[ChatMessage], timing: _Timing, started: float, end: float) -> Iterator[tuple[str, bool, bool]]:
        """(sentence, begins a new line, complete) as the model writes them; the last one is complete when it ends like
        a sentence or a list line (otherwise the model was cut off)."""
        buffer, newline = "", False
        for piece in self._pieces(messages, timing, started, end):
            buffer += piece
            scan = 0
            while match := _SENTENCE_END.search(buffer, scan):
                if LIST_MARKER.fullmatch(buffer[: match.end()].strip()):  # "1." of a list line: not a sentence yet
                    scan = match.end()
                    continue
                raw, buffer, scan = buffer[: match.end()], buffer[match.end() :], 0
                lead = raw[: len(raw) - len(raw.lstrip())]
                if raw.strip():
                    yield raw.strip(), newline or "\n" in lead, True
                    newline = raw.endswith("\n")
                else:
                    newline = newline or "\n" in raw
        if buffer.strip():
            lead = buffer[: len(buffer) - len(buffer.lstrip())]
            yield buffer.strip(), newline or "\n" in lead, bool(_COMPLETE.search(buffer.strip()))

    def _pieces(self, messages: list[ChatMessage], timing: _Timing, started: float, end: float) -> Iterator[str]:
        """The model's text pieces, read on a worker thread so that deadlines hold even while a read blocks; the
        request is closed (vLLM aborts it) when the reader stops."""
        pieces: queue.Queue[tuple[str, object]] = queue.Queue()
        cancel = threading.Event()
        opened: list[Iterator[str]] = []

        def pump() -> None:
            stream: Iterator[str] | None = None
            try:
                stream = self.model.stream_chat(messages, max_tokens=self.settings.llm_max_tokens, temperature=self.settings.llm_temperature)
                opened.append(stream)
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

        threading.Thread(target=pump, name=f"llm-{self.model.name}", daemon=True).start()
        first_deadline = min(started + self.settings.llm_first_token_deadline_s, end)
        try:
            while True:
                deadline = first_deadline if timing.first_token_s is None else end
                try:
                    kind, value = pieces.get(timeout=max(deadline - time.perf_counter(), 0.0))
                except queue.Empty:
                    late = "first_token_timeout" if timing.first_token_s is None and deadline < end else "deadline"
                    raise _Stop(late, f"after {time.perf_counter() - started:.3f} s") from None
                if kind == "end":
                    return
                if isinstance(value, BaseException):
                    raise _Stop(value.reason if isinstance(value, LLMError) else "error", str(value)) from value
                if timing.first_token_s is None:
                    timing.first_token_s = time.perf_counter() - started
                    FIRST_TOKEN.observe(timing.first_token_s, backend=self.model.name)
                timing.pieces += 1
                timing.text += str(value)
                yield str(value)
        finally:
            cancel.set()
            for stream in opened:  # a backend that can abort a blocked read (the HTTP one) stops the request now
                close = getattr(stream, "close", None)
                if close is not None and not isinstance(stream, types.GeneratorType):  # a generator cannot close while running
                    close()

    def _record(self, result: GenerationResult) -> None:
        backend = self.model.name
        REPLIES.inc(backend=backend, source=result.source)
        REPLY_SECONDS.observe(result.seconds, backend=backend)
        if result.reason is not None and result.reason != "action_extractive":
            FALLBACKS.inc(backend=backend, reason=result.reason)
        rejected = [v for v in result.sentences if not v.kept]
        for verdict in rejected:
            for reason in verdict.reasons:
                VIOLATIONS.inc(backend=backend, kind=reason)
        if rejected:
            log.warning("llm.rejected backend=%s action=%s sentences=%r", backend, result.action,
                        [(v.text[:80], v.reasons) for v in rejected][:5])
        for observer in self.observers:
            try:
                observer(result)
            except Exception:  # an observer's failure never fails a turn
                log.exception("llm.observer_failed observer=%r", observer)
