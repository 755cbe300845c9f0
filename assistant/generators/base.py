"""The generator interface every backend implements."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Protocol

from pydantic import BaseModel

from dialogue.plan import ReplyPlan


class HistoryTurn(BaseModel):
    role: str
    text: str


class Generator(Protocol):
    """Phrases a plan. ``deadline``: the ``time.perf_counter()`` by which the reply must be complete (the turn's)."""

    name: str

    def generate(self, plan: ReplyPlan, history: list[HistoryTurn], deadline: float | None = None) -> str: ...

    def stream(self, plan: ReplyPlan, history: list[HistoryTurn], deadline: float | None = None) -> Iterator[str]: ...
