"""The chat side of one server process: its bus, presence store and connection slots, the
live websocket connections, and one ticker that does their periodic work in bulk.

Every ``RECHECK_SECONDS`` the ticker reads ``tickets.last_seq`` of every conversation a
connection of this process follows, in one query, and tells each connection that is behind
to catch up from the database: the safety net for a lost publish (the bus is only a hint).
It also keeps presence entries and connection slots alive, refreshes the console's queue,
and re-checks each connection's sign-in about once a minute (a signed-out console session or
a revoked visitor token ends its live connections too).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, Any, TypeVar

import anyio.to_thread
from sqlalchemy.orm import Session, sessionmaker

from ledgerdesk.chat import wsdb
from ledgerdesk.chat.bus import Bus, Event, make_bus
from ledgerdesk.chat.limits import ConnectionSlots, make_slots
from ledgerdesk.chat.presence import REFRESH_EVERY, Presence, make_presence
from ledgerdesk.chat.publish import install, ticket_topic
from ledgerdesk.core.settings import Settings

if TYPE_CHECKING:
    from ledgerdesk.chat.ws import Connection

log = logging.getLogger("ledgerdesk.chat")
T = TypeVar("T")

RECHECK_SECONDS = 10.0
AUTH_CHECK_SECONDS = 60.0
DESK_REFRESH_SECONDS = 30.0


class Hub:
    """Made by ``create_app``; ``start``/``stop`` run in the app's lifespan."""

    def __init__(self, settings: Settings, factory: sessionmaker[Session]) -> None:
        self.settings = settings
        self.factory = factory
        self.bus: Bus = make_bus(settings)
        self.presence: Presence = make_presence(settings)
        self.slots: ConnectionSlots = make_slots(settings)
        self.connections: set[Connection] = set()
        self.idle_timeout = float(settings.chat_idle_timeout_seconds)
        self.recheck_seconds = RECHECK_SECONDS
        self._ticker: asyncio.Task[None] | None = None
        self._sign_in_batch: asyncio.Task[None] | None = None
        install(factory, self.bus)

    async def run(self, fn: Callable[..., T], *args: Any) -> T:
        """``fn(factory, *args)`` in a worker thread (the database is synchronous)."""
        return await anyio.to_thread.run_sync(partial(fn, self.factory, *args))

    def publish(self, conversation: int, event: Event) -> None:
        self.bus.publish(ticket_topic(conversation), event)

    async def start(self) -> None:
        await self.bus.start()
        self._ticker = asyncio.create_task(self._tick_forever(), name="chat-ticker")

    async def stop(self) -> None:
        for task in (self._ticker, self._sign_in_batch):
            if task is not None:
                task.cancel()
                await asyncio.gather(task, return_exceptions=True)
        self._ticker = self._sign_in_batch = None
        for connection in list(self.connections):
            await connection.end(1012)  # service restart: clients reconnect and resume
        await self.bus.stop()
        await self.presence.close()
        await self.slots.close()

    async def _tick_forever(self) -> None:
        last_refresh = last_desk = time.monotonic()
        while True:
            await asyncio.sleep(self.recheck_seconds)
            try:
                await self.recheck()
                now = time.monotonic()
                if now - last_refresh >= REFRESH_EVERY:
                    last_refresh = now
                    await self._refresh_entries()
                if now - last_desk >= DESK_REFRESH_SECONDS:
                    last_desk = now
                    for connection in list(self.connections):
                        connection.desk_hint()
                self._check_sign_ins(now)
            except asyncio.CancelledError:
                raise
            except Exception:  # the database or Redis may be briefly away: next tick
                log.exception("chat ticker pass failed")

    async def recheck(self) -> None:
        """Tell every connection that is behind a conversation's ``last_seq`` to catch up."""
        followed = {c: c.cursors() for c in list(self.connections)}
        ticket_ids = {t for cursors in followed.values() for t in cursors}
        if not ticket_ids:
            return
        last = await self.run(wsdb.last_seqs, sorted(ticket_ids))
        for connection, cursors in followed.items():
            for ticket_id, cursor in cursors.items():
                if last.get(ticket_id, 0) > cursor:
                    connection.recheck(ticket_id)

    async def _refresh_entries(self) -> None:
        connections = list(self.connections)
        await self.slots.refresh([(c.address, c.id) for c in connections])
        await self.presence.refresh(
            [(c.id, c.who.id, sorted(c.cursors())) for c in connections if c.is_agent]
        )

    def _check_sign_ins(self, now: float) -> None:
        """Re-check the sign-ins that are due, all in one worker thread, one after another:
        a thousand connections opened together come due together, and a thread each would
        take every worker thread from the sends waiting for theirs."""
        if self._sign_in_batch is not None and not self._sign_in_batch.done():
            return  # the last batch is still going; the rest wait for the next tick
        due = [c for c in self.connections if c.auth_checked_at + AUTH_CHECK_SECONDS <= now]
        if not due:
            return
        for connection in due:
            connection.auth_checked_at = now
        self._sign_in_batch = asyncio.create_task(self._recheck_sign_ins(due))

    async def _recheck_sign_ins(self, due: list[Connection]) -> None:
        try:
            results = await self.run(wsdb.recheck_all, [(c.who, sorted(c.subs)) for c in due])
        except Exception:  # the database may be briefly away: these are re-checked next time
            log.exception("chat sign-in re-check failed")
            for connection in due:
                connection.auth_checked_at = 0.0
            return
        for connection, (fresh, lost) in zip(due, results, strict=True):
            if connection in self.connections:
                await connection.apply_recheck(fresh, lost)
