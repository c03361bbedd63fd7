"""Abuse limits of the chat websocket: frame size, a per-connection message rate, and how
many connections one address may hold (counted across processes through Redis).

The idle timeout is the websocket loop's own (``chat.ws``): no frame at all for
``chat_idle_timeout_seconds`` closes the connection with 4408.
"""

from __future__ import annotations

import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Callable

import redis.asyncio as aioredis
from limits import parse

from ledgerdesk.chat.bus import redis_prefix
from ledgerdesk.core.settings import Settings

MAX_FRAME_BYTES = 64 * 1024
# Frames of any kind (typing, marks, pings, subscriptions) may come this many times faster
# than messages before the connection is closed with 4429.
FRAME_RATE_FACTOR = 5
SLOT_TTL = 60  # seconds a connection's slot lives without a refresh (its process died)


class TokenBucket:
    """``rule`` in the limits syntax (``"20/10seconds"``): a burst of 20, then one more every
    half second. ``take`` spends a token or says how long until the next one."""

    def __init__(
        self, rule: str, *, factor: int = 1, clock: Callable[[], float] = time.monotonic
    ) -> None:
        item = parse(rule)
        self.capacity = float(item.amount * factor)
        self.per_second = self.capacity / item.get_expiry()
        self.clock = clock
        self.tokens = self.capacity
        self.stamp = clock()

    def take(self) -> float:
        """0 when a token was spent; else the seconds until one is available (none spent)."""
        now = self.clock()
        self.tokens = min(self.capacity, self.tokens + (now - self.stamp) * self.per_second)
        self.stamp = now
        if self.tokens >= 1.0:
            self.tokens -= 1.0
            return 0.0
        return (1.0 - self.tokens) / self.per_second


def frame_too_large(text: str) -> bool:
    """Whether a text frame is over ``MAX_FRAME_BYTES`` once encoded (UTF-8)."""
    if len(text) * 4 <= MAX_FRAME_BYTES:  # no encoding needed to know it fits
        return False
    return len(text.encode("utf-8", "surrogatepass")) > MAX_FRAME_BYTES


class ConnectionSlots(ABC):
    """Connections per client address: ``acquire`` takes a slot for a connection or refuses
    when the address holds ``limit`` already; ``release`` frees it."""

    def __init__(self, limit: int) -> None:
        self.limit = limit

    @abstractmethod
    async def acquire(self, address: str, conn_id: str) -> bool: ...

    @abstractmethod
    async def release(self, address: str, conn_id: str) -> None: ...

    @abstractmethod
    async def refresh(self, held: list[tuple[str, str]]) -> None:
        """Keep alive each (address, connection id) held by this process."""

    async def close(self) -> None:
        return None


class LocalSlots(ConnectionSlots):
    def __init__(self, limit: int) -> None:
        super().__init__(limit)
        self._held: dict[str, set[str]] = {}
        self._lock = threading.Lock()

    async def acquire(self, address: str, conn_id: str) -> bool:
        with self._lock:
            held = self._held.setdefault(address, set())
            if len(held) >= self.limit:
                return False
            held.add(conn_id)
            return True

    async def release(self, address: str, conn_id: str) -> None:
        with self._lock:
            held = self._held.get(address)
            if held is not None:
                held.discard(conn_id)
                if not held:
                    del self._held[address]

    async def refresh(self, held: list[tuple[str, str]]) -> None:
        return None


# Drop the address's expired slots, add this one, count: atomic, so two processes accepting
# at once cannot both take the last slot.
_ACQUIRE = """
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[3]) then return 0 end
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[4])
redis.call('EXPIRE', KEYS[1], ARGV[5])
return 1
"""


class RedisSlots(ConnectionSlots):
    """A sorted set per address: member = connection id, score = when the slot expires."""

    def __init__(self, url: str, limit: int) -> None:
        super().__init__(limit)
        self.prefix = redis_prefix(url)
        self.client = aioredis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=5)
        self._acquire = self.client.register_script(_ACQUIRE)

    def _key(self, address: str) -> str:
        return f"{self.prefix}ip:{address}"

    async def acquire(self, address: str, conn_id: str) -> bool:
        now = time.time()
        args: list[float | int | str] = [now, now + SLOT_TTL, self.limit, conn_id, SLOT_TTL * 2]
        return bool(await self._acquire(keys=[self._key(address)], args=args))

    async def release(self, address: str, conn_id: str) -> None:
        await self.client.zrem(self._key(address), conn_id)

    async def refresh(self, held: list[tuple[str, str]]) -> None:
        if not held:
            return
        until = time.time() + SLOT_TTL
        async with self.client.pipeline(transaction=False) as pipe:
            for address, conn_id in held:
                pipe.zadd(self._key(address), {conn_id: until}, xx=True)
                pipe.expire(self._key(address), SLOT_TTL * 2)
            await pipe.execute()

    async def close(self) -> None:
        await self.client.aclose()


def make_slots(settings: Settings) -> ConnectionSlots:
    limit = settings.chat_max_connections_per_ip
    return RedisSlots(settings.redis_url, limit) if settings.redis_url else LocalSlots(limit)
