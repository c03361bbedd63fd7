"""The chat bus, in process and through Redis: delivery to subscribers of a topic only, from
the loop and from other threads, across two buses (two processes' worth), unsubscribing."""

from __future__ import annotations

import asyncio
import threading
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
import redis

from ledgerdesk.chat.bus import RESYNC, Bus, Event, InProcessBus, RedisBus, redis_prefix
from tests.conftest import unavailable

CHAT_REDIS_URL = "redis://127.0.0.1:6379/13"


def redis_url() -> str:
    try:
        redis.Redis.from_url(CHAT_REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError as exc:
        unavailable("Redis", f"{CHAT_REDIS_URL}: {exc.__class__.__name__}")
    return CHAT_REDIS_URL


class Inbox:
    """Collects (topic, event) pairs and wakes a waiter when ``n`` arrived."""

    def __init__(self) -> None:
        self.items: list[tuple[str, Event]] = []
        self._changed = asyncio.Event()

    def __call__(self, topic: str, event: Event) -> None:
        self.items.append((topic, event))
        self._changed.set()

    async def wait_for(self, n: int, timeout: float = 5.0) -> list[tuple[str, Event]]:
        async def enough() -> None:
            while len(self.items) < n:
                self._changed.clear()
                await self._changed.wait()

        await asyncio.wait_for(enough(), timeout)
        return self.items


def run(scenario: Callable[[], Awaitable[None]]) -> None:
    asyncio.run(asyncio.wait_for(scenario(), 20))


def _topic() -> str:
    return f"t:{uuid.uuid4().int % 10**9}"


async def _delivers_to_topic_subscribers(make: Callable[[], Bus]) -> None:
    bus = make()
    await bus.start()
    try:
        topic, other = _topic(), _topic()
        mine, theirs = Inbox(), Inbox()
        await bus.subscribe(topic, mine)
        await bus.subscribe(other, theirs)
        bus.publish(topic, {"type": "message", "seq": 1, "body": "充值没到账"})
        # From a thread, as a request handler or the outbox worker publishes after commit.
        thread = threading.Thread(target=bus.publish, args=(topic, {"type": "message", "seq": 2}))
        thread.start()
        thread.join()
        got = await mine.wait_for(2)
        assert sorted(e["seq"] for _, e in got) == [1, 2]
        assert {t for t, _ in got} == {topic}
        assert got[0][1].get("body", "充值没到账") == "充值没到账"
        await asyncio.sleep(0.2)
        assert theirs.items == []
        await bus.unsubscribe(topic, mine)
        bus.publish(topic, {"type": "message", "seq": 3})
        bus.publish(other, {"type": "queue"})
        await theirs.wait_for(1)
        assert len(mine.items) == 2
    finally:
        await bus.stop()


def test_in_process_bus_delivers_to_subscribers_of_the_topic() -> None:
    run(lambda: _delivers_to_topic_subscribers(InProcessBus))


def test_in_process_bus_before_start_drops_quietly() -> None:
    bus = InProcessBus()
    bus.publish("t:1", {"type": "message", "seq": 1})  # no loop, no subscriber: nothing


@pytest.mark.redis
def test_redis_bus_delivers_to_subscribers_of_the_topic() -> None:
    url = redis_url()
    run(lambda: _delivers_to_topic_subscribers(lambda: RedisBus(url)))


@pytest.mark.redis
def test_redis_bus_connects_two_processes_worth_of_buses() -> None:
    """Two buses (as in two processes) on one Redis: a publish on either reaches both, in the
    order published from one thread; a publish from a bus never started (the external worker)
    reaches them too."""
    url = redis_url()

    async def scenario() -> None:
        first, second, worker = RedisBus(url), RedisBus(url), RedisBus(url)
        await first.start()
        await second.start()
        try:
            topic = _topic()
            on_first, on_second = Inbox(), Inbox()
            await first.subscribe(topic, on_first)
            await second.subscribe(topic, on_second)

            def publish_many() -> None:
                for seq in range(1, 51):
                    first.publish(topic, {"type": "message", "seq": seq})
                worker.publish(topic, {"type": "queue"})

            await asyncio.to_thread(publish_many)
            for inbox in (on_first, on_second):
                got = await inbox.wait_for(51)
                assert [e["seq"] for _, e in got[:50]] == list(range(1, 51))
                assert got[50][1] == {"type": "queue"}
        finally:
            await first.stop()
            await second.stop()
            await worker.stop()

    run(scenario)


@pytest.mark.redis
def test_redis_bus_stays_inside_its_database() -> None:
    """Pub/sub channels are shared by every database of a Redis server: the desk on database
    13 must not hear the desk on database 12."""
    url = redis_url()
    neighbour_url = url.rsplit("/", 1)[0] + "/12"
    assert redis_prefix(url) != redis_prefix(neighbour_url)

    async def scenario() -> None:
        ours, neighbour = RedisBus(url), RedisBus(neighbour_url)
        await ours.start()
        try:
            topic = _topic()
            inbox = Inbox()
            await ours.subscribe(topic, inbox)
            await asyncio.to_thread(neighbour.publish, topic, {"type": "message", "seq": 1})
            await asyncio.to_thread(ours.publish, topic, {"type": "message", "seq": 2})
            got = await inbox.wait_for(1)
            await asyncio.sleep(0.2)
            assert [e["seq"] for _, e in got] == [2]
        finally:
            await ours.stop()
            await neighbour.stop()

    run(scenario)


@pytest.mark.redis
def test_redis_bus_tells_subscribers_to_resync_after_losing_redis() -> None:
    """Events published while the subscriber connection was down are gone; after it comes
    back every local topic gets a resync event, so connections re-read the database."""
    url = redis_url()

    async def scenario() -> None:
        bus = RedisBus(url)
        await bus.start()
        try:
            topic = _topic()
            inbox = Inbox()
            await bus.subscribe(topic, inbox)
            # Kill our subscriber connection (only ours: others may use this Redis) from the
            # server side, as a Redis restart would.
            pubsub: Any = bus._pubsub
            host, port = pubsub.connection._writer.get_extra_info("sockname")[:2]
            admin = redis.Redis.from_url(url)
            try:
                assert admin.client_kill_filter(addr=f"{host}:{port}") == 1
            finally:
                admin.close()
            got = await inbox.wait_for(1, timeout=10)
            assert got[0][1] == RESYNC
            # And it hears new events again.
            await asyncio.to_thread(bus.publish, topic, {"type": "message", "seq": 7})
            got = await inbox.wait_for(2, timeout=10)
            assert got[1][1]["seq"] == 7
        finally:
            await bus.stop()

    run(scenario)
