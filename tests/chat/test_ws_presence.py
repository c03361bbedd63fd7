"""Presence: viewers per ticket (with typing) and online agents, in process and shared
through Redis by two processes' stores; entries of a dead process expire."""

from __future__ import annotations

import asyncio
import json
import time
import uuid

import pytest

from ledgerdesk.chat import presence as presence_module
from ledgerdesk.chat.presence import (
    LocalPresence,
    Presence,
    RedisPresence,
    Viewer,
    agents_online,
    viewers_payload,
)
from ledgerdesk.core.settings import Settings
from tests.chat.test_bus import redis_url


def _ticket() -> int:
    return 10**8 + uuid.uuid4().int % 10**8


async def _viewers_and_typing(first: Presence, second: Presence) -> None:
    ticket = _ticket()
    await first.join(ticket, "c1", 1, "Ana")
    await second.join(ticket, "c2", 2, "Bo")
    await second.join(ticket, "c3", 2, "Bo")  # the same agent in a second tab
    shown = viewers_payload(await first.viewers(ticket))
    assert shown == [
        {"id": 1, "name": "Ana", "typing": False},
        {"id": 2, "name": "Bo", "typing": False},
    ]
    assert await second.typing(ticket, "c3", True)  # shown state changed
    assert not await second.typing(ticket, "c3", True)  # still typing: nothing new to show
    shown = viewers_payload(await first.viewers(ticket))
    assert shown[1] == {"id": 2, "name": "Bo", "typing": True}
    assert await second.typing(ticket, "c3", False)
    await second.leave(ticket, "c2")
    await second.leave(ticket, "c3")
    assert viewers_payload(await first.viewers(ticket)) == [
        {"id": 1, "name": "Ana", "typing": False}
    ]
    await first.leave(ticket, "c1")
    assert await second.viewers(ticket) == []
    assert not await first.typing(ticket, "c1", True)  # not a viewer: nothing to show


def test_typing_expires_without_a_repeat() -> None:
    now = time.time()
    viewer = Viewer(1, "Ana", typing_until=now - 0.1)
    assert viewers_payload([viewer], now) == [{"id": 1, "name": "Ana", "typing": False}]


def test_local_presence() -> None:
    store = LocalPresence()
    asyncio.run(_viewers_and_typing(store, store))


def test_local_agents_online_counts_agents_not_connections(monkeypatch: pytest.MonkeyPatch) -> None:
    store = LocalPresence()
    monkeypatch.setattr(presence_module, "_local", store)

    async def scenario() -> None:
        await store.online("c1", 5)
        await store.online("c2", 5)
        await store.online("c3", 6)
        assert agents_online(Settings(redis_url="")) == 2
        await store.offline("c3")
        assert agents_online(Settings(redis_url="")) == 1

    asyncio.run(scenario())


@pytest.mark.redis
def test_redis_presence_is_shared_by_two_processes() -> None:
    url = redis_url()

    async def scenario() -> None:
        first, second = RedisPresence(url), RedisPresence(url)
        try:
            await _viewers_and_typing(first, second)
        finally:
            await first.close()
            await second.close()

    asyncio.run(scenario())


@pytest.mark.redis
def test_redis_presence_forgets_a_dead_process_and_counts_online_agents() -> None:
    url = redis_url()
    settings = Settings(redis_url=url)

    async def scenario() -> None:
        store = RedisPresence(url)
        try:
            ticket = _ticket()
            agent = 10**6 + uuid.uuid4().int % 10**6
            before = agents_online(settings)
            await store.online("live", agent)
            await store.online("dead", agent + 1)
            assert agents_online(settings) == before + 2
            await store.join(ticket, "live", agent, "Ana")
            await store.join(ticket, "dead", agent + 1, "Bo")
            # The "dead" connection's process stopped refreshing: its deadlines pass.
            key = store._ticket_key(ticket)
            await store.client.hset(key, "dead", json.dumps([agent + 1, "Bo", 0, 1.0]))
            await store.client.zadd(store._agents_key, {f"{agent + 1}:dead": 1.0})
            await store.refresh([("live", agent, [ticket])])
            assert [v.name for v in await store.viewers(ticket)] == ["Ana"]
            assert await store.client.hexists(key, "dead") == 0  # cleaned up
            assert agents_online(settings) == before + 1
            await store.leave(ticket, "live")
            await store.offline("live")
            assert agents_online(settings) == before
        finally:
            await store.close()

    asyncio.run(scenario())
