"""Generators chosen by name from settings (``generator = "template" | "openai" | "local"``).

Every model backend is wrapped in ``GuardedGenerator``: deadlines, grounding checks and the template fallback.
"""

from __future__ import annotations

from collections.abc import Callable

from assistant.generators.base import Generator
from assistant.generators.chat import ChatModel
from assistant.generators.guarded import GuardedGenerator
from assistant.generators.template import TemplateGenerator
from core.errors import UserError
from core.settings import Settings


def _openai(settings: Settings) -> ChatModel:
    from assistant.generators.openai_backend import OpenAIChatModel

    return OpenAIChatModel(settings)


def _local(settings: Settings) -> ChatModel:
    from assistant.generators.local import LocalChatModel

    return LocalChatModel(settings)


#: Model backends by name; each is imported only when chosen (the local one loads torch and a model).
CHAT_MODELS: dict[str, Callable[[Settings], ChatModel]] = {"openai": _openai, "local": _local}


def build_chat_model(settings: Settings, name: str | None = None) -> ChatModel:
    name = name or settings.generator
    if name not in CHAT_MODELS:
        raise UserError(f"Unknown model backend {name!r}: choose one of {', '.join(CHAT_MODELS)}.")
    return CHAT_MODELS[name](settings)


def build_generator(settings: Settings) -> Generator:
    """The reply generator named by ``settings.generator``."""
    template = TemplateGenerator(currency=settings.currency)
    if settings.generator == "template":
        return template
    return GuardedGenerator(build_chat_model(settings), settings, fallback=template)
