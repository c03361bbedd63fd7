"""The chat event bus: a fast hint that something happened on a conversation.

Events are small JSON objects published on a topic (``t:<ticket id>`` for one conversation,
``desk`` for the console's queue). A websocket connection subscribes to the topics it shows.
The bus promises nothing: a publish can be lost (a process dies between its commit and the
publish, Redis restarts), so a connection treats a message event only as "the conversation
moved on" and reads anything it did not see straight from the database (see ``chat.ws``).

Two implementations behind one interface:

- ``InProcessBus`` when ``LEDGERDESK_REDIS_URL`` is empty (the embedded desk, one process);
- ``RedisBus`` otherwise: Redis pub/sub, one subscriber connection per process however many
  websockets it serves, so a customer on process A and an agent on process B see each other.

Both encode an event as JSON when it is published and decode it once per receiving process,
so subscribers see the same values whichever bus runs (and must not change the dict: every
subscriber of a process gets the same one).
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading
from abc import ABC, abstractmethod
from collections.abc import Callable
from typing import Any, cast

import redis
import redis.asyncio as aioredis
from redis.exceptions import RedisError

from ledgerdesk.core.settings import Settings

log = logging.getLogger("ledgerdesk.chat")

Event = dict[str, Any]
# Called on the event loop, once per event; must return quickly and never block.
Callback = Callable[[str, Event], None]
# Every key and channel of a desk starts with this and the Redis database number: pub/sub
# channels are shared by every database of a Redis server, and two desks on one server (or
# two test runs) must not hear each other.
PREFIX = "ledgerdesk:chat:"
RESYNC = {"type": "resync"}  # delivered to every topic after the bus may have missed events


def redis_prefix(url: str) -> str:
    """The key and channel prefix of the desk whose Redis is ``url``."""
    parse_url = cast(Callable[[str], dict[str, Any]], redis.connection.parse_url)
    return f"{PREFIX}{parse_url(url).get('db', 0)}:"


class Bus(ABC):
    """Topics to callbacks in this process; ``publish`` may be called from any thread."""

    def __init__(self) -> None:
        self._callbacks: dict[str, list[Callback]] = {}
        self._loop: asyncio.AbstractEventLoop | None = None

    @abstractmethod
    def publish(self, topic: str, event: Event) -> None:
        """Send ``event`` to every subscriber of ``topic`` in every process; never raises
        (a lost event is caught up from the database) and never waits for subscribers."""

    async def start(self) -> None:
        """Start delivering to this process's subscribers (on the running loop)."""
        self._loop = asyncio.get_running_loop()

    async def stop(self) -> None:
        self._loop = None

    async def subscribe(self, topic: str, callback: Callback) -> None:
        """Call ``callback(topic, event)`` for each event on ``topic`` from now on."""
        self._callbacks.setdefault(topic, []).append(callback)

    async def unsubscribe(self, topic: str, callback: Callback) -> None:
        callbacks = self._callbacks.get(topic)
        if callbacks and callback in callbacks:
            callbacks.remove(callback)
            if not callbacks:
                del self._callbacks[topic]

    def topics(self) -> list[str]:
        """The topics somebody in this process listens to."""
        return list(self._callbacks)

    def _deliver(self, topic: str, payload: str | bytes) -> None:
        callbacks = self._callbacks.get(topic)
        if not callbacks:
            return
        event = json.loads(payload)
        for callback in list(callbacks):
            try:
                callback(topic, event)
            except Exception:  # one broken subscriber must not starve the others
                log.exception("chat bus subscriber failed on %s", topic)

    def _deliver_everywhere(self, event: Event) -> None:
        payload = json.dumps(event)
        for topic in self.topics():
            self._deliver(topic, payload)

    def _on_loop_thread(self) -> bool:
        try:
            return asyncio.get_running_loop() is self._loop
        except RuntimeError:
            return False


class InProcessBus(Bus):
    """Delivers on this process's event loop; events published before ``start`` or from
    another process are not seen (the database re-check covers an external worker)."""

    def publish(self, topic: str, event: Event) -> None:
        loop = self._loop
        if loop is None or topic not in self._callbacks:
            return
        payload = json.dumps(event)
        try:
            if self._on_loop_thread():
                loop.call_soon(self._deliver, topic, payload)
            else:
                loop.call_soon_threadsafe(self._deliver, topic, payload)
        except RuntimeError:  # the loop closed under us: the app is stopping
            pass


class RedisBus(Bus):
    """Redis pub/sub: one subscriber connection per process, topics subscribed on first use
    and unsubscribed when their last local subscriber leaves."""

    def __init__(self, url: str) -> None:
        super().__init__()
        self.url = url
        self.prefix = redis_prefix(url)
        self._sync: redis.Redis | None = None
        self._sync_lock = threading.Lock()
        self._client: aioredis.Redis | None = None
        self._pubsub: Any = None
        self._reader: asyncio.Task[None] | None = None
        # SUBSCRIBE/UNSUBSCRIBE leave in the order decided (made in ``start``: a lock belongs
        # to the loop it is first used on).
        self._commands: asyncio.Lock | None = None
        self._pending: set[asyncio.Task[Any]] = set()

    def channel(self, topic: str) -> str:
        return f"{self.prefix}{topic}"

    def publish(self, topic: str, event: Event) -> None:
        payload = json.dumps(event)
        if self._client is not None and self._on_loop_thread():
            # Never block the event loop on Redis: send from a task.
            task = asyncio.get_running_loop().create_task(self._apublish(topic, payload))
            self._pending.add(task)
            task.add_done_callback(self._pending.discard)
            return
        try:
            self._sync_client().publish(self.channel(topic), payload)
        except RedisError as exc:
            log.warning(
                "chat event on %s not published (%s); clients catch up from the database",
                topic,
                exc,
            )

    async def _apublish(self, topic: str, payload: str) -> None:
        assert self._client is not None
        try:
            await self._client.publish(self.channel(topic), payload)
        except RedisError as exc:
            log.warning("chat event on %s not published (%s)", topic, exc)

    def _sync_client(self) -> redis.Redis:
        # Threads that commit (request handlers, the outbox worker) publish here; the client's
        # connection pool is thread-safe. Short timeouts: a request must not hang on Redis.
        with self._sync_lock:
            if self._sync is None:
                self._sync = redis.Redis.from_url(
                    self.url, socket_timeout=2, socket_connect_timeout=2
                )
            return self._sync

    async def start(self) -> None:
        await super().start()
        self._commands = asyncio.Lock()
        self._client = aioredis.Redis.from_url(self.url, socket_connect_timeout=2)
        self._pubsub = self._client.pubsub(ignore_subscribe_messages=True)
        # A channel of our own from the start, so the reader always has a connection to read.
        await self._pubsub.subscribe(self.channel("_process"))
        self._reader = asyncio.create_task(self._read(), name="chat-bus-reader")

    async def stop(self) -> None:
        if self._reader is not None:
            self._reader.cancel()
            await asyncio.gather(self._reader, return_exceptions=True)
            self._reader = None
        for task in list(self._pending):
            await asyncio.gather(task, return_exceptions=True)
        if self._pubsub is not None:
            await self._pubsub.aclose()
            self._pubsub = None
        if self._client is not None:
            await self._client.aclose()
            self._client = None
        if self._sync is not None:
            self._sync.close()
            self._sync = None
        self._commands = None
        await super().stop()

    async def subscribe(self, topic: str, callback: Callback) -> None:
        if self._commands is None:  # not started: nothing can arrive anyway
            await super().subscribe(topic, callback)
            return
        async with self._commands:
            first = topic not in self._callbacks
            await super().subscribe(topic, callback)
            if first and self._pubsub is not None:
                try:
                    await self._pubsub.subscribe(self.channel(topic))
                except RedisError as exc:  # subscribed again when Redis is back (_read)
                    log.warning("chat bus subscribe of %s failed: %s", topic, exc)

    async def unsubscribe(self, topic: str, callback: Callback) -> None:
        if self._commands is None:
            await super().unsubscribe(topic, callback)
            return
        async with self._commands:
            await super().unsubscribe(topic, callback)
            if topic not in self._callbacks and self._pubsub is not None:
                try:
                    await self._pubsub.unsubscribe(self.channel(topic))
                except RedisError as exc:  # reconnecting: it resubscribes what is left
                    log.warning("chat bus unsubscribe of %s failed: %s", topic, exc)

    async def _resubscribe(self) -> None:
        channels = [self.channel(topic) for topic in self.topics()]
        if channels and self._pubsub is not None:
            try:
                await self._pubsub.subscribe(*channels)
            except RedisError as exc:
                log.warning("chat bus could not subscribe again: %s", exc)

    async def _read(self) -> None:
        failing = False
        while True:
            try:
                message = await self._pubsub.get_message(
                    ignore_subscribe_messages=True, timeout=1.0
                )
            except asyncio.CancelledError:
                raise
            except (RedisError, OSError) as exc:
                if not failing:
                    log.warning("chat bus lost Redis (%s); retrying", exc)
                failing = True
                await asyncio.sleep(1.0)
                continue
            if failing:
                # Back: listen to every local topic again (one may have been added while Redis
                # was away); events published meanwhile are gone, so every connection re-reads
                # its conversations from the database.
                failing = False
                log.info("chat bus reconnected to Redis")
                await self._resubscribe()
                self._deliver_everywhere(RESYNC)
            if message is None or message.get("type") != "message":
                continue
            channel = message["channel"]
            if isinstance(channel, bytes):
                channel = channel.decode()
            if channel.startswith(self.prefix):
                self._deliver(channel[len(self.prefix) :], message["data"])


_buses: dict[str, Bus] = {}
_buses_lock = threading.Lock()


def make_bus(settings: Settings) -> Bus:
    """A new bus for ``settings`` (an app owns one and starts it in its lifespan)."""
    return RedisBus(settings.redis_url) if settings.redis_url else InProcessBus()


def get_bus(settings: Settings) -> Bus:
    """The process's bus for ``settings`` (one per Redis URL; in-process when empty)."""
    with _buses_lock:
        bus = _buses.get(settings.redis_url)
        if bus is None:
            bus = _buses[settings.redis_url] = make_bus(settings)
        return bus
