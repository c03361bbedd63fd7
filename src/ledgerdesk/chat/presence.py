"""Who is looking at a conversation right now, and which agents are online.

Ephemeral and never stored in the database. Each live agent connection has an entry per
ticket it shows (its agent's id and name, and until when it is typing) and one entry saying
the agent is online. With Redis configured the entries live there, so every process sees the
viewers of every other process: a hash per ticket and a sorted set of online agents, all
under the desk's prefix. A connection refreshes its entries while it lives; an entry not
refreshed for ``TTL`` seconds (its process died) is ignored and cleaned up. Without Redis a
dict in this process does the same.
"""

from __future__ import annotations

import json
import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import redis
import redis.asyncio as aioredis

from ledgerdesk.chat.bus import redis_prefix
from ledgerdesk.core.settings import Settings

TTL = 60.0  # seconds an entry lives without a refresh
REFRESH_EVERY = 20.0  # live connections refresh their entries this often
TYPING_SECONDS = 8.0  # "typing" lasts this long unless repeated (clients repeat every few s)


@dataclass(frozen=True)
class Viewer:
    """One agent connection on one ticket."""

    agent_id: int
    name: str
    typing_until: float = 0.0
    until: float = 0.0

    def as_dict(self, now: float) -> dict[str, object]:
        return {"id": self.agent_id, "name": self.name, "typing": self.typing_until > now}


def viewers_payload(viewers: Iterable[Viewer], now: float | None = None) -> list[dict[str, object]]:
    """The ``viewers`` of a presence event: one per agent (typing if any of their
    connections types), ordered by name."""
    now = time.time() if now is None else now
    merged: dict[int, dict[str, object]] = {}
    for viewer in viewers:
        entry = viewer.as_dict(now)
        seen = merged.get(viewer.agent_id)
        if seen is None:
            merged[viewer.agent_id] = entry
        elif entry["typing"]:
            seen["typing"] = True
    return sorted(merged.values(), key=lambda v: (str(v["name"]), int(str(v["id"]))))


class Presence(ABC):
    """Viewers per ticket and online agents, keyed by connection id."""

    @abstractmethod
    async def join(self, ticket_id: int, conn_id: str, agent_id: int, name: str) -> None: ...

    @abstractmethod
    async def leave(self, ticket_id: int, conn_id: str) -> None: ...

    @abstractmethod
    async def typing(self, ticket_id: int, conn_id: str, state: bool) -> bool:
        """Set the connection's typing state; whether the shown state changed."""

    @abstractmethod
    async def viewers(self, ticket_id: int) -> list[Viewer]: ...

    @abstractmethod
    async def online(self, conn_id: str, agent_id: int) -> None:
        """The agent has a live console connection (``offline`` ends it)."""

    @abstractmethod
    async def offline(self, conn_id: str) -> None: ...

    @abstractmethod
    async def refresh(self, entries: list[tuple[str, int, list[int]]]) -> None:
        """Keep alive each (connection id, agent id, ticket ids) of this process."""

    async def close(self) -> None:
        return None


class LocalPresence(Presence):
    """In this process only (the embedded desk). Thread-safe: ``agents_online`` is read from
    request threads."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._tickets: dict[int, dict[str, Viewer]] = {}
        self._agents: dict[str, int] = {}

    async def join(self, ticket_id: int, conn_id: str, agent_id: int, name: str) -> None:
        with self._lock:
            self._tickets.setdefault(ticket_id, {})[conn_id] = Viewer(agent_id, name)

    async def leave(self, ticket_id: int, conn_id: str) -> None:
        with self._lock:
            viewers = self._tickets.get(ticket_id, {})
            viewers.pop(conn_id, None)
            if not viewers:
                self._tickets.pop(ticket_id, None)

    async def typing(self, ticket_id: int, conn_id: str, state: bool) -> bool:
        now = time.time()
        with self._lock:
            viewer = self._tickets.get(ticket_id, {}).get(conn_id)
            if viewer is None:
                return False
            until = now + TYPING_SECONDS if state else 0.0
            self._tickets[ticket_id][conn_id] = Viewer(viewer.agent_id, viewer.name, until)
            return (viewer.typing_until > now) != state

    async def viewers(self, ticket_id: int) -> list[Viewer]:
        with self._lock:
            return list(self._tickets.get(ticket_id, {}).values())

    async def online(self, conn_id: str, agent_id: int) -> None:
        with self._lock:
            self._agents[conn_id] = agent_id

    async def offline(self, conn_id: str) -> None:
        with self._lock:
            self._agents.pop(conn_id, None)

    async def refresh(self, entries: list[tuple[str, int, list[int]]]) -> None:
        return None  # entries here end with their connection or with the process

    def agents_online(self) -> int:
        with self._lock:
            return len(set(self._agents.values()))


class RedisPresence(Presence):
    """Shared by every process through Redis (see the module docstring for the layout)."""

    def __init__(self, url: str) -> None:
        self.prefix = redis_prefix(url)
        self.client = aioredis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=5)

    def _ticket_key(self, ticket_id: int) -> str:
        return f"{self.prefix}presence:t:{ticket_id}"

    @property
    def _agents_key(self) -> str:
        return f"{self.prefix}presence:agents"

    async def join(self, ticket_id: int, conn_id: str, agent_id: int, name: str) -> None:
        await self._write(ticket_id, conn_id, Viewer(agent_id, name, 0.0, time.time() + TTL))

    async def _write(self, ticket_id: int, conn_id: str, viewer: Viewer) -> None:
        key = self._ticket_key(ticket_id)
        value = json.dumps([viewer.agent_id, viewer.name, viewer.typing_until, viewer.until])
        async with self.client.pipeline(transaction=True) as pipe:
            pipe.hset(key, conn_id, value)
            pipe.expire(key, int(TTL))
            await pipe.execute()

    async def leave(self, ticket_id: int, conn_id: str) -> None:
        await self.client.hdel(self._ticket_key(ticket_id), conn_id)

    async def typing(self, ticket_id: int, conn_id: str, state: bool) -> bool:
        now = time.time()
        raw = await self.client.hget(self._ticket_key(ticket_id), conn_id)
        if raw is None:
            return False
        viewer = _decode(raw)
        until = now + TYPING_SECONDS if state else 0.0
        updated = Viewer(viewer.agent_id, viewer.name, until, now + TTL)
        await self._write(ticket_id, conn_id, updated)
        return (viewer.typing_until > now) != state

    async def viewers(self, ticket_id: int) -> list[Viewer]:
        key = self._ticket_key(ticket_id)
        now = time.time()
        entries = await self.client.hgetall(key)
        live: list[tuple[Any, Viewer]] = []
        dead: list[tuple[Any, Viewer]] = []
        for conn_id, raw in entries.items():
            viewer = _decode(raw)
            (live if viewer.until > now else dead).append((conn_id, viewer))
        if dead:  # left behind by a process that died
            await self.client.hdel(key, *(conn_id for conn_id, _ in dead))
        return [viewer for _, viewer in live]

    async def online(self, conn_id: str, agent_id: int) -> None:
        await self.client.zadd(self._agents_key, {f"{agent_id}:{conn_id}": time.time() + TTL})

    async def offline(self, conn_id: str) -> None:
        key = self._agents_key
        members: list[Any] = await self.client.zrange(key, 0, -1)
        gone = [m for m in members if _text(m).split(":", 1)[-1] == conn_id]
        if gone:
            await self.client.zrem(key, *gone)

    async def refresh(self, entries: list[tuple[str, int, list[int]]]) -> None:
        if not entries:
            return
        now = time.time()
        async with self.client.pipeline(transaction=False) as pipe:
            for conn_id, agent_id, _tickets in entries:
                pipe.zadd(self._agents_key, {f"{agent_id}:{conn_id}": now + TTL})
                for ticket_id in _tickets:
                    pipe.hget(self._ticket_key(ticket_id), conn_id)
            results = await pipe.execute()
        # Rewrite each viewer entry with a new deadline, keeping its typing state.
        index = 0
        async with self.client.pipeline(transaction=False) as pipe:
            for conn_id, _agent_id, tickets in entries:
                index += 1  # the zadd's result
                for ticket_id in tickets:
                    raw = results[index]
                    index += 1
                    if raw is None:
                        continue
                    viewer = _decode(raw)
                    key = self._ticket_key(ticket_id)
                    value = [viewer.agent_id, viewer.name, viewer.typing_until, now + TTL]
                    pipe.hset(key, conn_id, json.dumps(value))
                    pipe.expire(key, int(TTL))
            pipe.zremrangebyscore(self._agents_key, "-inf", now)
            await pipe.execute()

    async def close(self) -> None:
        await self.client.aclose()


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else value


def _decode(raw: str | bytes) -> Viewer:
    agent_id, name, typing_until, until = json.loads(raw)
    return Viewer(int(agent_id), str(name), float(typing_until), float(until))


_local = LocalPresence()


def make_presence(settings: Settings) -> Presence:
    """The presence store of this process for ``settings``."""
    return RedisPresence(settings.redis_url) if settings.redis_url else _local


def agents_online(settings: Settings) -> int:
    """How many agents have a live console connection (in any process, with Redis)."""
    if not settings.redis_url:
        return _local.agents_online()
    client = redis.Redis.from_url(settings.redis_url, socket_connect_timeout=2, socket_timeout=2)
    try:
        members = client.zrangebyscore(
            f"{redis_prefix(settings.redis_url)}presence:agents", time.time(), "+inf"
        )
    except redis.RedisError:
        return 0
    finally:
        client.close()
    return len({_text(m).split(":", 1)[0] for m in members})
