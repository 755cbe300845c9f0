"""Per-stage timings of one turn, recorded wherever the work happens without passing a timer around.

    with recording() as stages:          # the service, around a turn
        ...
        with stage("retrieval.embed"):   # any component, at any depth
            vector = embed(text)
    stages  # {"retrieval.embed": 1.3, ...} in milliseconds, summed when a stage runs more than once

Outside ``recording()`` a ``stage`` costs one context-variable lookup. The turn's stages are returned in
``TurnResult.timings_ms`` and aggregated by ``shopassist bench turn``.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

_current: ContextVar[dict[str, float] | None] = ContextVar("shopassist_stage_timings", default=None)


@contextmanager
def recording(into: dict[str, float] | None = None) -> Iterator[dict[str, float]]:
    """Record the stages run inside the block into ``into`` (or a new dict). Never yield from a generator inside
    it: the next step may run in another context (a thread pool's copy), where the recording is not visible."""
    timings = into if into is not None else {}
    token = _current.set(timings)
    try:
        yield timings
    finally:
        _current.reset(token)


@contextmanager
def stage(name: str) -> Iterator[None]:
    timings = _current.get()
    if timings is None:
        yield
        return
    started = time.perf_counter()
    try:
        yield
    finally:
        timings[name] = round(timings.get(name, 0.0) + (time.perf_counter() - started) * 1000, 3)
