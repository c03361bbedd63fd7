"""The chat abuse limits on their own: the per-connection token bucket, the frame size, and
connections per address counted in one process and across processes through Redis."""

from __future__ import annotations

import asyncio
import uuid

import pytest

from ledgerdesk.chat.limits import (
    MAX_FRAME_BYTES,
    ConnectionSlots,
    LocalSlots,
    RedisSlots,
    TokenBucket,
    frame_too_large,
)
from tests.chat.test_bus import redis_url


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_token_bucket_allows_the_burst_then_one_per_interval() -> None:
    clock = FakeClock()
    bucket = TokenBucket("20/10seconds", clock=clock)
    assert [bucket.take() for _ in range(20)] == [0.0] * 20
    wait = bucket.take()
    assert wait == pytest.approx(0.5)  # 20 per 10 s: one more every half second
    clock.now += 0.25
    assert bucket.take() == pytest.approx(0.25)
    clock.now += 0.25
    assert bucket.take() == 0.0
    assert bucket.take() > 0
    clock.now += 3600  # refills to the burst, never beyond
    assert sum(1 for _ in range(40) if bucket.take() == 0.0) == 20


def test_token_bucket_factor_scales_burst_and_rate() -> None:
    clock = FakeClock()
    bucket = TokenBucket("2/second", factor=5, clock=clock)
    assert sum(1 for _ in range(20) if bucket.take() == 0.0) == 10
    clock.now += 0.1
    assert bucket.take() == 0.0


def test_frame_size_counts_encoded_bytes() -> None:
    assert not frame_too_large("a" * MAX_FRAME_BYTES)
    assert frame_too_large("a" * (MAX_FRAME_BYTES + 1))
    # Three bytes per character in UTF-8: a third of the limit in characters is the edge.
    edge = MAX_FRAME_BYTES // 3
    assert not frame_too_large("币" * edge)
    assert frame_too_large("币" * (edge + 1))


async def _limit_per_address(first: ConnectionSlots, second: ConnectionSlots) -> None:
    address = f"203.0.113.{uuid.uuid4().int % 250}-{uuid.uuid4().hex[:6]}"
    other = address + "-other"
    assert await first.acquire(address, "a1")
    assert await second.acquire(address, "b1")
    assert await first.acquire(address, "a2")
    assert not await second.acquire(address, "b2")  # three held, the limit
    assert await second.acquire(other, "b3")  # another address is not affected
    await first.release(address, "a1")
    assert await second.acquire(address, "b2")
    assert not await first.acquire(address, "a3")
    await first.refresh([(address, "a2")])
    for conn_id in ("a2", "b1", "b2"):
        await first.release(address, conn_id)
    await second.release(other, "b3")


def test_local_slots_limit_connections_per_address() -> None:
    slots = LocalSlots(3)
    asyncio.run(_limit_per_address(slots, slots))


@pytest.mark.redis
def test_redis_slots_are_shared_by_two_processes() -> None:
    url = redis_url()

    async def scenario() -> None:
        first, second = RedisSlots(url, 3), RedisSlots(url, 3)
        try:
            await _limit_per_address(first, second)
        finally:
            await first.close()
            await second.close()

    asyncio.run(scenario())


@pytest.mark.redis
def test_redis_slots_of_a_dead_process_expire() -> None:
    """A process killed with its connections open never releases their slots; they expire
    (the score is the deadline), so the address is not locked out for good."""
    url = redis_url()

    async def scenario() -> None:
        slots = RedisSlots(url, 1)
        try:
            address = f"198.51.100.{uuid.uuid4().hex[:8]}"
            assert await slots.acquire(address, "dead")
            key = slots._key(address)
            await slots.client.zadd(key, {"dead": 1.0})  # its deadline passed long ago
            assert await slots.acquire(address, "alive")
            await slots.release(address, "alive")
        finally:
            await slots.close()

    asyncio.run(scenario())
