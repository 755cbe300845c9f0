"""Agent messages as they are stored, by any worker, handed to this process's listeners (socket.io sessions, SSE
streams): an agent's reply posted to one worker reaches a shopper connected to another.

One task per process polls the conversation store every ``agent_poll_s`` for agent-message events numbered above
the last one seen. On PostgreSQL concurrent transactions may commit their event numbers out of order, so each poll
looks back ``LOOKBACK`` numbers and skips the events already handed out.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

import anyio.to_thread

from core.errors import BackendUnavailableError
from dialogue.state_store import StateStore, StoredAgentMessage

log = logging.getLogger(__name__)

Listener = Callable[[StoredAgentMessage], Awaitable[None]]
#: How far behind the newest seen event a poll looks again (events committed late on PostgreSQL).
LOOKBACK = 1000


class AgentFeed:
    def __init__(self, store: StateStore, interval_s: float) -> None:
        self.store = store
        self.interval_s = interval_s
        self.listeners: set[Listener] = set()
        self._task: asyncio.Task[None] | None = None
        self._cursor: int | None = None
        self._start = 0  # events up to this number were stored before the feed started: never handed out
        self._seen: set[int] = set()

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        """Call ``listener`` with each agent message stored from now on; returns the unsubscribe function. Starts the
        polling task in the running event loop when it is not running there."""
        self.listeners.add(listener)
        loop = asyncio.get_running_loop()
        if self._task is None or self._task.done() or self._task.get_loop() is not loop:
            self._task = loop.create_task(self._run(), name="agent-feed")
        return lambda: self.listeners.discard(listener)

    async def _run(self) -> None:
        if self._cursor is None:
            self._cursor = self._start = await anyio.to_thread.run_sync(self.store.last_event_id)
        while True:
            try:
                await self.poll()
            except BackendUnavailableError as exc:  # the database restarting: try again at the next tick
                log.warning("agent_feed.unavailable %s", exc)
            except Exception:  # noqa: BLE001 - the feed must outlive any one bad poll
                log.exception("agent_feed.poll_failed")
            await asyncio.sleep(self.interval_s)

    async def poll(self) -> None:
        assert self._cursor is not None
        floor = max(self._cursor - LOOKBACK, self._start, 0)
        messages = await anyio.to_thread.run_sync(self.store.agent_messages_after, floor, frozenset(self._seen))
        for message in messages:
            self._seen.add(message.event_id)
            for listener in list(self.listeners):
                try:
                    await listener(message)
                except Exception:  # noqa: BLE001 - one broken listener must not starve the others
                    log.exception("agent_feed.listener_failed conversation=%s", message.conversation_id)
        if messages:
            self._cursor = max(self._cursor, messages[-1].event_id)
        self._seen = {event_id for event_id in self._seen if event_id > self._cursor - LOOKBACK}
