"""What every route needs: the assistant, the settings, the key check and the channel gateway."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import Request

from api.security import KeyCheck
from assistant.channel import ConversationGateway
from assistant.service import ShopAssistant
from core.settings import ServerSettings


@dataclass
class ApiContext:
    assistant: ShopAssistant
    settings: ServerSettings
    keys: KeyCheck
    gateway: ConversationGateway

    @classmethod
    def build(cls, assistant: ShopAssistant, settings: ServerSettings) -> ApiContext:
        return cls(assistant, settings, KeyCheck(settings), ConversationGateway(assistant, settings))


def get_context(request: Request) -> ApiContext:
    return request.app.state.shopassist


def require_key(request: Request) -> None:
    """Router dependency: a valid API key when keys are configured."""
    get_context(request).keys.require(request)
