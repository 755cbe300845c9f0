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
    name: str

    def generate(self, plan: ReplyPlan, history: list[HistoryTurn]) -> str: ...

    def stream(self, plan: ReplyPlan, history: list[HistoryTurn]) -> Iterator[str]: ...
