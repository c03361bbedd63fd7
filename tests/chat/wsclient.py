"""A client of the chat websocket protocol (docs/chat-protocol.md) for tests and the bench.

It does what the widget and the console do: every message gets a client id and stays in
``pending`` until acknowledged; after any reconnect it says hello again, resubscribes from
the last seq it processed and resends everything unacked, in order. It also checks the
server's promises as it goes: an item whose seq is not above the conversation's cursor is a
duplicate or out of order and is counted in ``violations`` (the tests assert there are none).

``kill()`` drops the TCP connection without a close frame (as a phone losing its network);
the client's run loop reconnects by itself.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
import uuid
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidStatus


@dataclass
class Received:
    """What one conversation delivered to this client, in arrival order."""

    items: list[dict[str, Any]] = field(default_factory=list)
    cursor: int = 0  # highest seq processed (the ``last_seq`` of a resubscribe)


class ChatClient:
    """One participant (a widget visitor with ``token`` or an agent with ``cookie``)."""

    def __init__(
        self,
        url: str,
        *,
        token: str | None = None,
        cookie: str | None = None,
        origin: str | None = None,
        lang: str = "en",
        window: int = 10,
        name: str = "client",
    ) -> None:
        self.url = url
        self.token = token
        self.cookie = cookie
        self.origin = origin
        self.lang = lang
        self.window = window  # unacked sends in flight at most
        self.name = name
        self.pending: OrderedDict[str, dict[str, Any]] = OrderedDict()
        self.acks: dict[str, dict[str, Any]] = {}
        self.errors: list[dict[str, Any]] = []
        self.events: list[dict[str, Any]] = []
        self.conversations: dict[int, Received] = {}
        self.violations: list[str] = []
        self.connects = 0
        self.closes: list[int | None] = []
        self._ws: ClientConnection | None = None
        self._ready = asyncio.Event()  # connected, welcomed, resubscribed, resent
        self._changed = asyncio.Event()
        self._in_flight: set[str] = set()
        self._stop = False
        self._runner: asyncio.Task[None] | None = None

    # --- life cycle ------------------------------------------------------------------

    async def start(self) -> None:
        self._runner = asyncio.create_task(self._run(), name=f"{self.name}-run")
        await self.wait(lambda: self._ready.is_set(), timeout=30)

    async def stop(self) -> None:
        self._stop = True
        if self._ws is not None:
            await self._ws.close()
        if self._runner is not None:
            self._runner.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._runner

    def kill(self) -> None:
        """Drop the connection abruptly: no close frame, whatever is in flight is lost."""
        ws = self._ws
        if ws is not None:
            ws.transport.abort()

    async def open(self) -> ClientConnection:
        headers = {"Cookie": self.cookie} if self.cookie else None
        return await connect(
            self.url,
            origin=self.origin,  # type: ignore[arg-type]
            additional_headers=headers,
            proxy=None,
            open_timeout=5,
            max_size=2 * 1024 * 1024,
        )

    async def _run(self) -> None:
        delay = 0.05
        while not self._stop:
            try:
                ws = await self.open()
            except (OSError, InvalidHandshake, InvalidStatus, TimeoutError):
                await asyncio.sleep(delay)  # the server is restarting
                delay = min(delay * 2, 0.5)
                continue
            delay = 0.05
            self._ws = ws
            self.connects += 1
            try:
                await self._session(ws)
            except (ConnectionClosed, OSError):
                pass
            finally:
                self._ready.clear()
                self._in_flight.clear()
                self.closes.append(ws.close_code)
                self._ws = None
                self._notify()

    async def _session(self, ws: ClientConnection) -> None:
        await ws.send(json.dumps({"type": "hello", "token": self.token, "lang": self.lang}))
        welcome = json.loads(await ws.recv())
        if welcome.get("type") != "welcome":
            raise AssertionError(f"{self.name}: expected welcome, got {welcome}")
        for conversation, received in self.conversations.items():
            await self._send_frame(
                {"type": "subscribe", "conversation": conversation, "last_seq": received.cursor}
            )
        self._ready.set()
        self._pump()
        async for raw in ws:
            self._handle(json.loads(raw))
            self._pump()

    # --- sending ---------------------------------------------------------------------

    def send(
        self, conversation: int | None, body: str, *, kind: str = "public", client_id: str = ""
    ) -> str:
        """Queue a message; it is sent (and resent after reconnects) until acknowledged."""
        client_id = client_id or uuid.uuid4().hex
        self.pending[client_id] = {
            "type": "send",
            "client_id": client_id,
            "conversation": conversation,
            "body": body,
            "kind": kind,
        }
        self._pump()
        return client_id

    def _pump(self) -> None:
        """Send the oldest unacked messages not yet on this connection, within the window."""
        ws = self._ws
        if ws is None or not self._ready.is_set():
            return
        for client_id, frame in self.pending.items():
            if len(self._in_flight) >= self.window:
                break
            if client_id not in self._in_flight:
                self._in_flight.add(client_id)
                asyncio.get_running_loop().create_task(self._send_frame(frame))

    async def _send_frame(self, frame: dict[str, Any]) -> None:
        ws = self._ws
        if ws is None:
            return
        with contextlib.suppress(ConnectionClosed, OSError):
            await ws.send(json.dumps(frame))

    async def subscribe(self, conversation: int) -> None:
        received = self.conversations.setdefault(conversation, Received())
        await self._send_frame(
            {"type": "subscribe", "conversation": conversation, "last_seq": received.cursor}
        )

    async def frame(self, frame: dict[str, Any]) -> None:
        """Send any frame as is (typing, marks, ping)."""
        await self._send_frame(frame)

    # --- receiving -------------------------------------------------------------------

    def _handle(self, frame: dict[str, Any]) -> None:
        kind = frame.get("type")
        if kind == "ack":
            self.acks[frame["client_id"]] = frame
            self.pending.pop(frame["client_id"], None)
            self._in_flight.discard(frame["client_id"])
        elif kind == "message":
            self._item(frame)
        elif kind == "error":
            self.errors.append(frame)
            client_id = frame.get("client_id")
            if client_id and frame.get("code") != "rate_limited":
                self.pending.pop(client_id, None)  # refused for good: do not resend
            if client_id:
                self._in_flight.discard(client_id)
        else:
            self.events.append(frame)
        self._notify()

    def _item(self, item: dict[str, Any]) -> None:
        received = self.conversations.setdefault(item["conversation"], Received())
        if item["seq"] <= received.cursor:
            self.violations.append(
                f"{self.name}: seq {item['seq']} after {received.cursor} "
                f"(conversation {item['conversation']})"
            )
            return
        received.cursor = item["seq"]
        received.items.append(item)

    def _notify(self) -> None:
        self._changed.set()

    async def wait(self, condition: Any, timeout: float = 30.0) -> None:
        """Until ``condition()`` holds (checked after every frame and connection change)."""
        deadline = time.monotonic() + timeout
        while not condition():
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(f"{self.name}: condition not met in {timeout} s")
            self._changed.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._changed.wait(), min(remaining, 0.5))

    def items(self, conversation: int) -> list[dict[str, Any]]:
        return self.conversations.get(conversation, Received()).items

    def events_of(self, kind: str) -> list[dict[str, Any]]:
        return [e for e in self.events if e.get("type") == kind]
