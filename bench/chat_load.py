"""Websocket clients for the live chat benchmark (bench/chat_delivery.py), on one asyncio loop.

* ``Fleet``: customer widget connections, one per conversation, each ``hello`` → ``welcome``
  → ``subscribe`` (from its last seq) → ``subscribed``, then reading every frame. A
  ``message`` item whose client id the agents sent in the current round is timed on arrival;
  like the widget, the client answers each item with ``received`` (a stored mark) unless
  marks are off, and keeps the connection alive with a ``ping`` every heartbeat.
* ``Agents``: agent console connections (session cookie) that send ``send`` frames at a fixed
  total rate, open loop: send *i* is due at ``t0 + i / rate`` whatever happened before, so a
  server that falls behind shows it in the latency. Acks are timed too.
* ``LoopLag``: how late a 10 ms sleep wakes up on this loop, i.e. how much the client itself
  delays the timestamps it takes (the client must not be the bottleneck).

Every timestamp is ``time.perf_counter()`` (CLOCK_MONOTONIC) in this one process.
Only loopback servers are accepted.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import math
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed
from websockets.typing import Origin

OPEN_TIMEOUT = 30.0
FRAME_LIMIT = 1 << 20


def percentile(values: Sequence[float], pct: float) -> float:
    """Nearest-rank percentile (0 for no values)."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(1, math.ceil(pct / 100 * len(ordered)))
    return ordered[min(rank, len(ordered)) - 1]


def check_loopback(url: str) -> None:
    host = url.split("://", 1)[-1].split("/", 1)[0].rsplit(":", 1)[0]
    if host not in ("127.0.0.1", "localhost", "[::1]"):
        raise SystemExit(f"refusing to load {url}: the chat bench only targets loopback")


@dataclass
class Round:
    """What one measured round sent and saw, keyed by client id."""

    sent: dict[str, float] = field(default_factory=dict)
    acked: dict[str, float] = field(default_factory=dict)
    received: dict[str, float] = field(default_factory=dict)
    duplicates: int = 0
    duplicate_acks: int = 0
    reordered: int = 0  # an item of this round arriving after a later seq had been shown
    errors: Counter[str] = field(default_factory=Counter)
    send_lateness: list[float] = field(default_factory=list)

    def delivery_ms(self) -> list[float]:
        return [(t - self.sent[c]) * 1000 for c, t in self.received.items() if c in self.sent]

    def ack_ms(self) -> list[float]:
        return [(t - self.sent[c]) * 1000 for c, t in self.acked.items() if c in self.sent]

    def slow_sends(self, threshold_ms: float, limit: int = 40) -> list[float]:
        """When (seconds into the round) the messages slower than ``threshold_ms`` were
        sent: clustered times point at periodic work in the server."""
        if not self.sent:
            return []
        start = min(self.sent.values())
        slow = [
            round(self.sent[c] - start, 1)
            for c, t in self.received.items()
            if c in self.sent and (t - self.sent[c]) * 1000 > threshold_ms
        ]
        return sorted(slow)[:limit]

    def fanout_ms(self) -> list[float]:
        """Ack (the commit, as the agent saw it) to the widget's receipt: the bus and the
        push, without the database write. Negative when the item overtook the ack."""
        return [(t - self.acked[c]) * 1000 for c, t in self.received.items() if c in self.acked]

    def complete(self) -> bool:
        return len(self.received) >= len(self.sent) and len(self.acked) >= len(self.sent)


@dataclass
class Customer:
    conversation: int
    token: str
    last_seq: int = 0


class Fleet:
    """Open customer connections; ``round`` is the one whose messages are timed."""

    def __init__(self, ws_url: str, origin: str, *, marks: bool) -> None:
        check_loopback(ws_url)
        self.ws_url, self.origin = ws_url, origin
        self.marks = marks
        self.round = Round()
        self.heartbeat = 25.0
        self.conns: dict[int, tuple[Customer, ClientConnection]] = {}
        self.tasks: list[asyncio.Task[None]] = []
        self.closed_early: Counter[str] = (
            Counter()
        )  # "code reason" of closes the bench did not ask for
        self.reconnects = 0
        self.stray_items = 0
        self.closing = False

    async def open(self, customers: Sequence[Customer], concurrency: int = 50) -> float:
        """Connect and subscribe every customer (``concurrency`` at a time); seconds taken."""
        gate = asyncio.Semaphore(concurrency)
        started = time.perf_counter()

        async def one(customer: Customer) -> None:
            async with gate:
                ws = await self._subscribe(customer)
            self.conns[customer.conversation] = (customer, ws)
            self.tasks.append(asyncio.create_task(self._read(customer, ws)))

        await asyncio.gather(*(one(c) for c in customers))
        self.tasks.append(asyncio.create_task(self._ping_all()))
        return time.perf_counter() - started

    async def _subscribe(self, customer: Customer) -> ClientConnection:
        ws = await connect(
            self.ws_url,
            origin=Origin(self.origin),
            open_timeout=OPEN_TIMEOUT,
            ping_interval=None,  # the protocol's own ping frames keep it alive, as the widget does
            max_size=FRAME_LIMIT,
            compression=None,  # `ledgerdesk serve` turns permessage-deflate off
        )
        await ws.send(json.dumps({"type": "hello", "token": customer.token, "lang": "en"}))
        welcome = await _expect(ws, "welcome")
        self.heartbeat = float(welcome.get("heartbeat") or 25)
        await ws.send(
            json.dumps(
                {
                    "type": "subscribe",
                    "conversation": customer.conversation,
                    "last_seq": customer.last_seq,
                }
            )
        )
        await _expect(ws, "subscribed")
        return ws

    async def _read(self, customer: Customer, ws: ClientConnection) -> None:
        """Read until the bench closes; a connection the server closed is reopened from the
        last seq, as the widget does (the replay brings what was missed)."""
        while True:
            try:
                async for raw in ws:
                    now = time.perf_counter()
                    frame = json.loads(raw)
                    kind = frame.get("type")
                    if kind == "message":
                        await self._item(customer, ws, frame, now)
                    elif kind == "error":
                        self.round.errors[f"customer:{frame.get('code')}"] += 1
            except ConnectionClosed as exc:
                if self.closing:
                    return
                close = exc.rcvd or exc.sent
                self.closed_early[f"{close.code} {close.reason}" if close else "1006"] += 1
            if self.closing:
                return
            ws = await self._reopen(customer)
            self.conns[customer.conversation] = (customer, ws)

    async def _reopen(self, customer: Customer) -> ClientConnection:
        delay = 0.5
        while True:
            await asyncio.sleep(delay)
            try:
                ws = await self._subscribe(customer)
            except (OSError, ConnectionClosed, TimeoutError):
                delay = min(delay * 2, 10.0)
                continue
            self.reconnects += 1
            return ws

    async def _item(
        self, customer: Customer, ws: ClientConnection, item: dict[str, Any], now: float
    ) -> None:
        seq = int(item.get("seq") or 0)
        client_id = item.get("client_id")
        rnd = self.round
        if seq <= customer.last_seq:  # already shown: the protocol's only de-duplication rule
            if client_id in rnd.sent and client_id not in rnd.received:
                rnd.reordered += 1  # never shown, yet behind what was: out of order
            return
        customer.last_seq = seq
        if client_id in rnd.sent:
            if client_id in rnd.received:
                rnd.duplicates += 1
            else:
                rnd.received[client_id] = now
        else:
            self.stray_items += 1
        if self.marks:
            frame = {"type": "received", "conversation": customer.conversation, "seq": seq}
            await ws.send(json.dumps(frame))

    async def _ping_all(self) -> None:
        """One ping per connection per heartbeat, spread evenly over the heartbeat."""
        ping = json.dumps({"type": "ping"})
        while True:
            conns = list(self.conns.values())
            step = self.heartbeat * 0.8 / max(len(conns), 1)
            for _, ws in conns:
                with contextlib.suppress(ConnectionClosed):
                    await ws.send(ping)
                await asyncio.sleep(step)

    async def close(self) -> None:
        self.closing = True
        for task in self.tasks:
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)
        await asyncio.gather(*(ws.close() for _, ws in self.conns.values()), return_exceptions=True)
        self.conns.clear()
        self.tasks.clear()


class Agents:
    """Agent console connections sending replies at a fixed total rate. Like the console, a
    connection the server closed is reopened and its unacknowledged messages are sent again
    (same client ids: the server stores each once)."""

    def __init__(self, ws_url: str, origin: str, cookies: Sequence[str]) -> None:
        check_loopback(ws_url)
        self.ws_url, self.origin, self.cookies = ws_url, origin, list(cookies)
        self.round = Round()
        self.conns: list[ClientConnection] = []
        self.tasks: list[asyncio.Task[None]] = []
        self.unacked: dict[str, tuple[int, str]] = {}  # client id -> (connection, frame)
        self.closed_early: Counter[str] = Counter()
        self.reconnects = 0
        self.closing = False

    async def _connect(self, cookie: str) -> ClientConnection:
        ws = await connect(
            self.ws_url,
            origin=Origin(self.origin),
            additional_headers={"Cookie": cookie},
            open_timeout=OPEN_TIMEOUT,
            ping_interval=None,
            max_size=FRAME_LIMIT,
        )
        await ws.send(json.dumps({"type": "hello", "token": None, "lang": "en"}))
        welcome = await _expect(ws, "welcome")
        if welcome.get("role") != "agent":
            raise SystemExit(f"agent connection welcomed as {welcome.get('role')!r}")
        return ws

    async def open(self) -> None:
        for index, cookie in enumerate(self.cookies):
            self.conns.append(await self._connect(cookie))
            self.tasks.append(asyncio.create_task(self._read(index)))
        self.tasks.append(asyncio.create_task(self._ping_all()))

    async def _read(self, index: int) -> None:
        while True:
            try:
                async for raw in self.conns[index]:
                    self._frame(json.loads(raw), time.perf_counter())
            except ConnectionClosed as exc:
                if self.closing:
                    return
                close = exc.rcvd or exc.sent
                self.closed_early[f"{close.code} {close.reason}" if close else "1006"] += 1
            if self.closing:
                return
            await asyncio.sleep(0.5)
            self.conns[index] = await self._connect(self.cookies[index])
            self.reconnects += 1
            for frame_index, text in list(self.unacked.values()):
                if frame_index == index:
                    await self.conns[index].send(text)

    def _frame(self, frame: dict[str, Any], now: float) -> None:
        kind = frame.get("type")
        rnd = self.round
        if kind == "ack":
            client_id = frame.get("client_id")
            self.unacked.pop(str(client_id), None)
            if client_id in rnd.acked:
                rnd.duplicate_acks += 1
            elif client_id in rnd.sent:
                rnd.acked[client_id] = now
        elif kind == "error":
            rnd.errors[f"agent:{frame.get('code')}"] += 1

    async def _ping_all(self) -> None:
        ping = json.dumps({"type": "ping"})
        while True:
            await asyncio.sleep(20)
            for ws in self.conns:
                with contextlib.suppress(ConnectionClosed):
                    await ws.send(ping)

    async def send_at_rate(
        self, rnd: Round, conversations: Sequence[int], *, rate: float, total: int, tag: str
    ) -> None:
        """``total`` public replies, round robin over conversations and agents, open loop."""
        self.round = rnd
        started = time.perf_counter()
        for i in range(total):
            due = started + i / rate
            delay = due - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            rnd.send_lateness.append(time.perf_counter() - due)
            client_id = f"{tag}-{i:06d}"
            text = json.dumps(
                {
                    "type": "send",
                    "client_id": client_id,
                    "conversation": conversations[i % len(conversations)],
                    "body": f"Reply {i} from the bench: your withdrawal is being processed.",
                    "kind": "public",
                }
            )
            index = i % len(self.conns)
            self.unacked[client_id] = (index, text)
            rnd.sent[client_id] = time.perf_counter()
            with contextlib.suppress(ConnectionClosed):  # the reader reconnects and resends
                await self.conns[index].send(text)

    async def close(self) -> None:
        self.closing = True
        for task in self.tasks:
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)
        await asyncio.gather(*(ws.close() for ws in self.conns), return_exceptions=True)


class LoopLag:
    """How late this loop wakes from a 10 ms sleep: the client's own share of any latency."""

    def __init__(self) -> None:
        self.samples: list[float] = []
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self.samples.clear()
        self._task = asyncio.create_task(self._run())

    async def _run(self) -> None:
        while True:
            before = time.perf_counter()
            await asyncio.sleep(0.01)
            self.samples.append((time.perf_counter() - before - 0.01) * 1000)

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)


async def _expect(ws: ClientConnection, kind: str) -> dict[str, Any]:
    """The next frame that is not a live item; it must be of type ``kind``."""
    while True:
        raw = await asyncio.wait_for(ws.recv(), OPEN_TIMEOUT)
        frame: dict[str, Any] = json.loads(raw)
        if frame.get("type") == kind:
            return frame
        if frame.get("type") in ("error",) or "code" in frame:
            raise SystemExit(f"expected {kind}, got {frame}")


class LoopProbe:
    """One more customer connection that pings every ``every`` seconds and times the pong:
    the server's own event-loop delay seen from outside (a stall of its loop, e.g. a garbage
    collection or the GIL held by worker threads, delays every pong; a wait for a database
    thread does not)."""

    def __init__(self, fleet: Fleet, customer: Customer, every: float = 0.02) -> None:
        self.fleet, self.customer, self.every = fleet, customer, every
        self.samples: list[tuple[float, float]] = []  # (sent at, round trip ms)
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        self._ws = await self.fleet._subscribe(self.customer)
        self._task = asyncio.create_task(self._run(self._ws))

    async def _run(self, ws: ClientConnection) -> None:
        ping = json.dumps({"type": "ping"})
        with contextlib.suppress(ConnectionClosed):
            while True:
                sent = time.perf_counter()
                await ws.send(ping)
                async for raw in ws:
                    if json.loads(raw).get("type") == "pong":
                        break
                self.samples.append((sent, (time.perf_counter() - sent) * 1000))
                await asyncio.sleep(self.every)

    def window(self, start: float, end: float) -> list[tuple[float, float]]:
        return [(t - start, ms) for t, ms in self.samples if start <= t <= end]

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            await self._ws.close()
