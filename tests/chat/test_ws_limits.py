"""The chat abuse limits on their own: the per-connection token bucket, the frame size, and
connections per address counted in one process and across processes through Redis."""

from __future__ import annotations

import asyncio
import json
import uuid
from types import SimpleNamespace
from typing import Any

import pytest
from fastapi.testclient import TestClient
from starlette.websockets import WebSocketState

from ledgerdesk.chat import ws as ws_module
from ledgerdesk.chat.limits import (
    MAX_FRAME_BYTES,
    ConnectionSlots,
    LocalSlots,
    RedisSlots,
    TokenBucket,
    frame_too_large,
)
from ledgerdesk.chat.ws import close_reason
from ledgerdesk.core.settings import Settings
from tests.chat.test_bus import redis_url
from tests.chat.test_ws import (
    ORIGIN,
    closed_with,
    hello,
    open_chat,
    send_frame,
    until,
    visitor_token,
)

pytestmark = pytest.mark.timeout(60)


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


# --- on the websocket ----------------------------------------------------------------------


def test_a_frame_over_64_kib_closes_with_4413(client: TestClient, app: Any) -> None:
    with client.websocket_connect("/chat/ws", headers=ORIGIN) as ws:
        hello(ws, visitor_token(app))
        ws.send_text(json.dumps({"type": "ping", "pad": "x" * MAX_FRAME_BYTES}))
        assert closed_with(ws) == 4413


def test_a_message_over_the_character_limit_is_refused_in_the_hello_language(
    client: TestClient, app: Any
) -> None:
    limit = app.state.settings.chat_max_message_chars
    with client.websocket_connect("/chat/ws", headers=ORIGIN) as ws:
        hello(ws, visitor_token(app), lang="zh-CN")
        ws.send_json(send_frame("long-message-1", None, "币" * (limit + 1)))
        error = until(ws, "error")
        assert (error["code"], error["client_id"]) == ("too_large", "long-message-1")
        assert error["message"] == f"消息最多 {limit} 个字符"


def test_close_reasons_fit_a_close_frame() -> None:
    assert close_reason("Too many frames; slow down") == "Too many frames; slow down"
    cut = close_reason("会话" * 100)
    assert len(cut.encode()) <= 123 and cut.endswith("…") and cut.startswith("会话会话")


def test_bad_frames_close_with_4400(client: TestClient, app: Any) -> None:
    for bad in ("not json", "[1, 2]", '{"no": "type"}', '{"type": "launch-missiles"}'):
        with client.websocket_connect("/chat/ws", headers=ORIGIN) as ws:
            hello(ws, visitor_token(app))
            ws.send_text(bad)
            assert closed_with(ws) == 4400, bad
    with client.websocket_connect("/chat/ws", headers=ORIGIN) as ws:
        hello(ws, visitor_token(app))
        ws.send_bytes(b"\x00\x01")
        assert closed_with(ws) == 4400


def test_sending_faster_than_the_rate_is_refused_in_order(client: TestClient, app: Any) -> None:
    """20 messages per 10 s: the 21st is refused with retry_after, and so is everything after
    it until the pause is over (a resend never overtakes a refused message)."""
    with client.websocket_connect("/chat/ws", headers=ORIGIN) as ws:
        hello(ws, visitor_token(app))
        conversation = open_chat(ws)["conversation"]
        for n in range(21):
            ws.send_json(send_frame(f"burst-{n:05d}", conversation, f"n{n}"))
        # The opener took the first of the 20 tokens: burst-00019 is the 21st message.
        error = until(ws, "error")
        assert (error["code"], error["client_id"]) == ("rate_limited", "burst-00019")
        assert error["retry_after"] >= 1
        acks = [until(ws, "ack") for _ in range(19)]
        assert [a["client_id"] for a in acks] == [f"burst-{n:05d}" for n in range(19)]
        # Half a second later a token is back, but burst-00020 must not overtake 00019.
        assert until(ws, "error")["client_id"] == "burst-00020"


def test_a_flood_of_frames_closes_with_4429(client: TestClient, app: Any) -> None:
    with client.websocket_connect("/chat/ws", headers=ORIGIN) as ws:
        hello(ws, visitor_token(app))
        for _ in range(200):  # pings: five times the message rate's burst is allowed
            ws.send_json({"type": "ping"})
        assert closed_with(ws) == 4429


def test_connections_per_address_are_limited(app: Any) -> None:
    slots = app.state.chat.slots
    saved, slots.limit = slots.limit, 2
    try:
        with TestClient(app, client=("203.0.113.77", 5000)) as peer:
            with (
                peer.websocket_connect("/chat/ws", headers=ORIGIN) as first,
                peer.websocket_connect("/chat/ws", headers=ORIGIN) as second,
            ):
                for ws in (first, second):
                    assert hello(ws, visitor_token(app))["type"] == "welcome"
                with peer.websocket_connect("/chat/ws", headers=ORIGIN) as third:
                    assert closed_with(third) == 4429
            # Both closed: their slots are free again.
            with peer.websocket_connect("/chat/ws", headers=ORIGIN) as again:
                assert hello(again, visitor_token(app))["type"] == "welcome"
    finally:
        slots.limit = saved


def test_a_silent_connection_is_closed_with_4408(client: TestClient, app: Any) -> None:
    hub = app.state.chat
    saved, hub.idle_timeout = hub.idle_timeout, 0.5
    try:
        with client.websocket_connect("/chat/ws", headers=ORIGIN) as ws:
            hello(ws, visitor_token(app))
            ws.send_json({"type": "ping"})
            assert until(ws, "pong")
            assert closed_with(ws) == 4408  # then nothing for half a second
        with client.websocket_connect("/chat/ws", headers=ORIGIN) as ws:
            assert closed_with(ws) == 4408  # not even a hello
    finally:
        hub.idle_timeout = saved


class _SilentSocket:
    """A client that never reads: what the server sees is only how it is closed."""

    application_state = WebSocketState.CONNECTED

    def __init__(self) -> None:
        self.closed: list[int] = []

    async def close(self, code: int, reason: str = "") -> None:
        self.closed.append(code)
        self.application_state = WebSocketState.DISCONNECTED


def test_a_connection_too_far_behind_is_dropped_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """Events for a client that does not read pile up only to a limit; then the connection
    closes with 1013 (the client resumes from its last seq when it reconnects)."""
    monkeypatch.setattr(ws_module, "INBOX_LIMIT", 5)
    hub = SimpleNamespace(settings=Settings())
    socket = _SilentSocket()

    async def scenario() -> None:
        connection = ws_module.Connection(hub, socket, "192.0.2.1")  # type: ignore[arg-type]
        for seq in range(1, 20):
            connection._on_bus("t:1", {"type": "message", "conversation": 1, "seq": seq})
        await asyncio.sleep(0.05)
        assert connection.inbox.qsize() == 5
        assert socket.closed == [1013]

    asyncio.run(scenario())
