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


# The dependencies are coroutines although they never wait: FastAPI runs a plain function dependency on the thread
# pool, which would add two thread hand-offs to every request (and hold two of its serve_threads tokens meanwhile).
async def get_context(request: Request) -> ApiContext:
    return _context(request)


async def require_key(request: Request) -> None:
    """Router dependency: a valid API key when keys are configured."""
    _context(request).keys.require(request)


async def require_agent(request: Request) -> None:
    """Router dependency: an agent key (the agent API is off without any)."""
    _context(request).keys.require_agent(request)


async def require_admin(request: Request) -> None:
    """Router dependency: an admin key (the dashboard is off without any)."""
    _context(request).keys.require_admin(request)


def _context(request: Request) -> ApiContext:
    return request.app.state.shopassist
