"""What every route needs: the assistant, the settings, the key check and the channel gateway."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import Request

from api.agent_feed import AgentFeed
from api.security import KeyCheck
from assistant.channel import ConversationGateway
from assistant.service import ShopAssistant
from assistant.takeover import Takeover
from core.settings import ServerSettings


@dataclass
class ApiContext:
    assistant: ShopAssistant
    settings: ServerSettings
    keys: KeyCheck
    gateway: ConversationGateway
    takeover: Takeover
    feed: AgentFeed

    @classmethod
    def build(cls, assistant: ShopAssistant, settings: ServerSettings) -> ApiContext:
        return cls(assistant, settings, KeyCheck(settings), ConversationGateway(assistant, settings), Takeover(assistant),
                   AgentFeed(assistant.states, settings.agent_poll_s))


def get_context(request: Request) -> ApiContext:
    return request.app.state.shopassist


def require_key(request: Request) -> None:
    """Router dependency: a valid API key when keys are configured."""
    get_context(request).keys.require(request)


def require_agent(request: Request) -> None:
    """Router dependency: an agent key (the agent API is off without any)."""
    get_context(request).keys.require_agent(request)


def require_admin(request: Request) -> None:
    """Router dependency: an admin key (the dashboard is off without any)."""
    get_context(request).keys.require_admin(request)
