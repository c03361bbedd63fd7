"""The chat websocket ``/chat/ws``: the widget and the console on one protocol
(docs/chat-protocol.md).

Delivery. A connection keeps, per conversation it follows, a cursor: the highest seq it has
processed. A message event with seq == cursor + 1 is sent at once (a customer's connection
skips notes but still moves its cursor); an older one is a duplicate and dropped; a jump
means events were missed, so the gap is read from the database. The hub also re-checks the
database every 10 s. One task per connection sends everything that reaches the client, so
items always leave in seq order, exactly once per connection.

Sending. ``send`` frames are handled one at a time, in the order received, by a second task:
the service runs in a thread, commits, and only then is the ack sent. A resend of a stored
message (same client id) is acknowledged with the stored seq and ``duplicate: true``.

Security. The Origin header must name this host (a page elsewhere cannot ride an agent's
console cookie); agents are authenticated by the console session cookie exactly as pages
are, customers by their visitor token in the ``hello`` frame. Abuse limits (``chat.limits``):
frame size, message and frame rates, connections per address, idle timeout.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import math
import secrets
import time
from collections.abc import Awaitable, Coroutine
from typing import Any
from urllib.parse import urlsplit

from fastapi import APIRouter, WebSocket
from sqlalchemy.exc import SQLAlchemyError
from starlette.websockets import WebSocketDisconnect, WebSocketState

from ledgerdesk.chat import wsdb
from ledgerdesk.chat.frames import (
    CLOSE_AUTH,
    CLOSE_IDLE,
    CLOSE_ORIGIN,
    CLOSE_PROTOCOL,
    CLOSE_RATE,
    CLOSE_TOO_LARGE,
    HEARTBEAT_SECONDS,
    ProtocolError,
    error_frame,
    parse_frame,
    parse_send,
    read_conversation,
    read_seq,
)
from ledgerdesk.chat.hub import Hub
from ledgerdesk.chat.limits import FRAME_RATE_FACTOR, TokenBucket
from ledgerdesk.chat.presence import viewers_payload
from ledgerdesk.chat.publish import DESK_TOPIC, ticket_topic
from ledgerdesk.core import i18n
from ledgerdesk.core.errors import DomainError, NotAuthenticated, NotFound, RateLimited
from ledgerdesk.core.i18n import gettext as _
from ledgerdesk.core.metrics import CHAT_CONNECTIONS
from ledgerdesk.web.clientip import client_address

log = logging.getLogger("ledgerdesk.chat")
router = APIRouter()

HELLO_SECONDS = 10.0
SEND_TIMEOUT = 10.0  # a client that reads nothing for this long is dropped
INBOX_LIMIT = 2000  # events waiting for one connection before it is dropped (1013)
MAX_SUBSCRIPTIONS = 100
# How a vanished client shows: Starlette's disconnect, uvicorn's ClientDisconnected (an
# OSError), a send that timed out, a send on a socket Starlette already saw close.
_GONE = (WebSocketDisconnect, OSError, TimeoutError, RuntimeError)
DESK_MIN_INTERVAL = 1.0


def same_origin(websocket: WebSocket, public_url: str) -> bool:
    """A browser always sends Origin on a websocket handshake; it must be this desk (the
    Host it connected to, or the configured public URL). No Origin: not a browser."""
    origin = websocket.headers.get("origin")
    if origin is None:
        return True
    netloc = urlsplit(origin).netloc.lower()
    if not netloc:
        return False
    host = websocket.headers.get("host", "").lower()
    return netloc == host or (bool(public_url) and netloc == urlsplit(public_url).netloc.lower())


def close_reason(text: str) -> str:
    """``text`` cut to fit a close frame (123 bytes of UTF-8), on a character boundary."""
    encoded = text.encode("utf-8")
    if len(encoded) <= 123:
        return text
    return encoded[:120].decode("utf-8", "ignore") + "…"


@router.websocket("/chat/ws")
async def chat_socket(websocket: WebSocket) -> None:
    hub: Hub = websocket.app.state.chat
    await websocket.accept()
    if not same_origin(websocket, hub.settings.public_url):
        await websocket.close(CLOSE_ORIGIN)
        return
    connection = Connection(hub, websocket, client_address(websocket))
    if not await _take_slot(hub, connection):
        await websocket.close(CLOSE_RATE, close_reason(_("Too many connections from your address")))
        return
    CHAT_CONNECTIONS.inc()
    try:
        await connection.serve()
    finally:
        CHAT_CONNECTIONS.dec()
        await quietly(hub.slots.release(connection.address, connection.id))


async def _take_slot(hub: Hub, connection: Connection) -> bool:
    try:
        return await hub.slots.acquire(connection.address, connection.id)
    except Exception as exc:  # Redis away: serve rather than lock every customer out
        log.warning("chat connection slots unavailable (%r); not counting", exc)
        return True


async def quietly(work: Awaitable[Any]) -> None:
    """Presence and slot bookkeeping: best effort (Redis may be away; entries expire)."""
    try:
        await work
    except Exception as exc:
        log.warning("chat presence/slots update failed: %r", exc)


class Connection:
    """One websocket, from ``hello`` to close."""

    def __init__(self, hub: Hub, websocket: WebSocket, address: str) -> None:
        self.hub = hub
        self.ws = websocket
        self.address = address
        self.id = secrets.token_hex(8)
        self.who: wsdb.Who = wsdb.Who(role="", id=0, name="")
        self.locale = i18n.get_locale()
        self.subs: dict[int, int] = {}  # conversation -> cursor (highest seq processed)
        self.desk = False
        self._desk_pending = False
        self._desk_next = 0.0
        self.inbox: asyncio.Queue[tuple[Any, ...]] = asyncio.Queue()
        self.actions: asyncio.Queue[tuple[Any, ...]] = asyncio.Queue()
        rate = hub.settings.chat_message_rate
        self.messages = TokenBucket(rate)
        self.frames = TokenBucket(rate, factor=FRAME_RATE_FACTOR)
        self._sends_blocked_until = 0.0
        self._send_lock = asyncio.Lock()
        self._tasks: set[asyncio.Task[Any]] = set()
        self._done = asyncio.Event()
        self._dropping = False
        self.auth_checked_at = time.monotonic()

    @property
    def is_agent(self) -> bool:
        return self.who.is_agent

    def cursors(self) -> dict[int, int]:
        return dict(self.subs)

    # --- life cycle ------------------------------------------------------------------

    async def serve(self) -> None:
        try:
            await self._guard(self._serve())
        finally:
            await self._cleanup()

    async def _serve(self) -> None:
        if not await self._hello():
            return
        self.hub.connections.add(self)
        if self.is_agent:
            await quietly(self.hub.presence.online(self.id, self.who.id))
        await self.send({"type": "welcome", "role": self.who.role, "heartbeat": HEARTBEAT_SECONDS})
        for work in (self._receive(), self._deliver(), self._work()):
            self.spawn(work)
        await self._done.wait()

    def spawn(self, work: Coroutine[Any, Any, None]) -> None:
        """Run ``work`` for this connection; when it fails, the connection ends."""
        task = asyncio.create_task(self._guard(work))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _guard(self, work: Coroutine[Any, Any, None]) -> None:
        try:
            await work
        except _GONE:
            self._done.set()  # the client went away or stopped reading
        except SQLAlchemyError:
            log.exception("chat connection %s: database error", self.id)
            await self.end(1011)  # the client reconnects and resends what is unacked
        except Exception:
            log.exception("chat connection %s failed", self.id)
            await self.end(1011)

    async def end(self, code: int, reason: str = "") -> None:
        """Close the websocket (if still open) and stop serving it. The close frame leaves
        before the connection's tasks are cancelled (a cancelled close is never sent)."""
        if self.ws.application_state == WebSocketState.CONNECTED:
            with contextlib.suppress(Exception):  # already gone: nothing to tell
                await self.ws.close(code, close_reason(reason))
        self._done.set()

    async def _cleanup(self) -> None:
        current = asyncio.current_task()
        for task in list(self._tasks):
            if task is not current:
                task.cancel()
        self.hub.connections.discard(self)
        try:
            for conversation in list(self.subs):
                await self._unsubscribe(conversation)
            if self.desk:
                await self.hub.bus.unsubscribe(DESK_TOPIC, self._on_bus)
            if self.is_agent:
                await self.hub.presence.offline(self.id)
        except Exception as exc:  # Redis away: presence entries expire by themselves
            log.warning("chat connection %s: cleanup incomplete (%r)", self.id, exc)
        await self.end(1000)

    async def check_sign_in(self) -> None:
        fresh, lost = await self.hub.run(wsdb.recheck, self.who, sorted(self.subs))
        await self.apply_recheck(fresh, lost)

    async def apply_recheck(self, fresh: wsdb.Who | None, lost: list[int]) -> None:
        """What a sign-in re-check found (``wsdb.recheck``): signed out, or which followed
        chats this agent may no longer see."""
        if fresh is None:
            await self.end(CLOSE_AUTH, _("You were signed out"))
            return
        self.who = fresh  # an agent's role and teams as they are now
        for conversation in lost:
            self.inbox.put_nowait(("lost", conversation))

    # --- receiving -------------------------------------------------------------------

    async def _read(self, timeout: float) -> dict[str, Any] | None:
        """The next frame, parsed and within limits; None when the connection ended."""
        try:
            message = await asyncio.wait_for(self.ws.receive(), timeout)
        except TimeoutError:
            await self.end(CLOSE_IDLE, _("Closed after a long silence"))
            return None
        if message["type"] == "websocket.disconnect":
            self._done.set()
            return None
        if self.frames.take() > 0:
            await self.end(CLOSE_RATE, _("Too many frames; slow down"))
            return None
        try:
            return parse_frame(message)
        except ProtocolError as exc:
            await self.end(exc.code, exc.reason)
            return None

    async def _hello(self) -> bool:
        frame = await self._read(min(HELLO_SECONDS, self.hub.idle_timeout))
        if frame is None:
            return False
        if frame["type"] != "hello":
            await self.end(CLOSE_AUTH, _("Say hello first"))
            return False
        token, lang_asked = frame.get("token"), frame.get("lang")
        lang = i18n.normalise_locale(lang_asked if isinstance(lang_asked, str) else None)
        if lang is not None:
            i18n.set_locale(lang)  # tasks spawned from here on inherit it
        self.locale = i18n.get_locale()
        session_id = (self.ws.scope.get("session") or {}).get("sid")
        try:
            self.who = await self.hub.run(
                wsdb.authenticate,
                token if isinstance(token, str) else None,
                session_id if isinstance(session_id, str) else None,
                self.hub.settings.require_agent_2fa,
            )
        except DomainError as exc:
            await self.end(CLOSE_AUTH, exc.message)
            return False
        return True

    async def _receive(self) -> None:
        while not self._done.is_set():
            frame = await self._read(self.hub.idle_timeout)
            if frame is None:
                return
            try:
                await self._dispatch(frame)
            except ProtocolError as exc:
                await self.end(exc.code, exc.reason)
                return

    async def _dispatch(self, frame: dict[str, Any]) -> None:
        kind = frame["type"]
        if kind == "ping":
            await self.send({"type": "pong"})
        elif kind == "send":
            await self._accept_send(frame)
        elif kind == "subscribe":
            self._accept_subscribe(frame)
        elif kind == "unsubscribe":
            self.inbox.put_nowait(("unsubscribe", read_conversation(frame)))
        elif kind == "typing":
            await self._typing(read_conversation(frame), frame.get("state") is True)
        elif kind in ("received", "read"):
            conversation = read_conversation(frame)
            if conversation in self.subs:
                what = "delivered" if kind == "received" else "read"
                self.actions.put_nowait(("mark", conversation, what, read_seq(frame)))
        else:
            raise ProtocolError(CLOSE_PROTOCOL, _("Unknown frame type"))

    async def _accept_send(self, frame: dict[str, Any]) -> None:
        client_id = frame.get("client_id") if isinstance(frame.get("client_id"), str) else None
        try:
            parsed = parse_send(frame, self.hub.settings.chat_max_message_chars)
        except DomainError as exc:
            await self.send(error_frame(exc, client_id=client_id))
            return
        now = time.monotonic()
        # After one refusal every send waits out the pause, so the client's resends keep their
        # order (a later message never overtakes a refused one).
        wait = self._sends_blocked_until - now if now < self._sends_blocked_until else 0.0
        wait = wait or self.messages.take()
        if wait > 0:
            retry_after = math.ceil(wait)  # what the client is told is what it gets
            self._sends_blocked_until = max(self._sends_blocked_until, now + retry_after)
            refusal = RateLimited(_("Too many messages; wait a moment"), retry_after=retry_after)
            await self.send(error_frame(refusal, client_id=parsed.client_id))
            return
        self.actions.put_nowait(("send", parsed))

    def _accept_subscribe(self, frame: dict[str, Any]) -> None:
        if frame.get("desk") is True:
            if not self.is_agent:
                raise ProtocolError(CLOSE_PROTOCOL, _("Only agents follow the queue"))
            self.inbox.put_nowait(("desk",))
            return
        conversation = read_conversation(frame)
        after = read_seq(frame, "last_seq", default=0)
        self.inbox.put_nowait(("subscribe", conversation, after))

    async def _typing(self, conversation: int, state: bool) -> None:
        if conversation not in self.subs:
            return
        self.hub.publish(
            conversation,
            {
                "type": "typing",
                "conversation": conversation,
                "who": self.who.as_author(),
                "state": state,
                "from": self.id,
            },
        )
        if self.is_agent:
            try:
                shown = await self.hub.presence.typing(conversation, self.id, state)
            except Exception as exc:  # Redis away: the typing event went out anyway
                log.warning("chat presence unavailable: %r", exc)
                shown = False
            if shown:
                self._presence_changed(conversation)

    def _presence_changed(self, conversation: int) -> None:
        self.hub.publish(conversation, {"type": "presence_changed", "conversation": conversation})

    # --- sending to the client --------------------------------------------------------

    async def send(self, frame: dict[str, Any]) -> None:
        text = json.dumps(frame, ensure_ascii=False, separators=(",", ":"))
        async with self._send_lock:
            await asyncio.wait_for(self.ws.send_text(text), SEND_TIMEOUT)

    def _on_bus(self, topic: str, event: dict[str, Any]) -> None:
        if topic == DESK_TOPIC:
            self.desk_hint()
            return
        if self.inbox.qsize() >= INBOX_LIMIT:  # not reading: drop it, it resumes on reconnect
            if not self._dropping:
                self._dropping = True
                self.spawn(self.end(1013, "Too far behind"))
            return
        self.inbox.put_nowait(("event", event))

    def recheck(self, conversation: int) -> None:
        self.inbox.put_nowait(("recheck", conversation))

    def desk_hint(self) -> None:
        """Refresh the queue soon: at most once a second, however many hints arrive."""
        if not self.desk or self._desk_pending:
            return
        self._desk_pending = True
        delay = self._desk_next - time.monotonic()
        if delay > 0:
            asyncio.get_running_loop().call_later(delay, self.inbox.put_nowait, ("queue",))
        else:
            self.inbox.put_nowait(("queue",))

    async def _deliver(self) -> None:
        while True:
            work = await self.inbox.get()
            kind = work[0]
            if kind == "event":
                await self._event(work[1])
            elif kind == "subscribe":
                await self._subscribe(work[1], work[2])
            elif kind == "recheck":
                await self._catch_up(work[1])
            elif kind == "unsubscribe":
                await self._unsubscribe(work[1])
            elif kind == "lost":  # no longer allowed to see it
                await self._unsubscribe(work[1])
                gone = NotFound(_("Conversation %(id)s not found") % {"id": work[1]})
                await self.send(error_frame(gone, conversation=work[1]))
            elif kind == "desk":
                await self._follow_desk()
            elif kind == "queue":
                await self._send_queue()

    async def _event(self, event: dict[str, Any]) -> None:
        kind = event.get("type")
        if kind == "resync":
            for followed in list(self.subs):
                await self._catch_up(followed)
            self.desk_hint()
            return
        conversation = event.get("conversation")
        if not isinstance(conversation, int) or conversation not in self.subs:
            return
        if kind == "message":
            await self._message(conversation, event)
        elif kind == "typing":
            who = event.get("who") or {}
            if event.get("from") == self.id or (not self.is_agent and who.get("kind") != "agent"):
                return
            await self.send({k: v for k, v in event.items() if k != "from"})
        elif kind == "presence_changed" and self.is_agent:
            await self._send_presence(conversation)
        elif kind in ("marks", "status"):
            await self.send(event)

    async def _send_presence(self, conversation: int) -> None:
        try:
            viewers = await self.hub.presence.viewers(conversation)
        except Exception as exc:  # Redis away: no collision warning this time
            log.warning("chat presence unavailable: %r", exc)
            return
        frame = {"type": "presence", "conversation": conversation}
        await self.send({**frame, "viewers": viewers_payload(viewers)})

    async def _message(self, conversation: int, item: dict[str, Any]) -> None:
        seq = item.get("seq")
        cursor = self.subs[conversation]
        if not isinstance(seq, int) or seq <= cursor:
            return  # seen already (a replay overtook the live event)
        if seq > cursor + 1:
            await self._catch_up(conversation)  # missed something: the database has it
            return
        self.subs[conversation] = seq
        if self.is_agent or item.get("kind") != "note":
            await self.send(item)

    async def _catch_up(self, conversation: int) -> None:
        cursor = self.subs.get(conversation)
        if cursor is None:
            return
        items, new_cursor = await self.hub.run(wsdb.catch_up, self.who, conversation, cursor)
        for item in items:
            if item["seq"] > cursor:
                await self.send(item)
        self.subs[conversation] = max(cursor, new_cursor)

    async def _subscribe(self, conversation: int, after: int) -> None:
        fresh = conversation not in self.subs
        if fresh and len(self.subs) >= MAX_SUBSCRIPTIONS:
            message = _("Too many conversations open on one connection")
            await self.send(
                {
                    "type": "error",
                    "conversation": conversation,
                    "code": "invalid_input",
                    "message": message,
                }
            )
            return
        topic = ticket_topic(conversation)
        if fresh:  # listen first, then read: nothing falls between the two
            await self.hub.bus.subscribe(topic, self._on_bus)
        try:
            state, items, cursor = await self.hub.run(
                wsdb.open_subscription, self.who, conversation, after
            )
        except DomainError as exc:
            if fresh:
                await self.hub.bus.unsubscribe(topic, self._on_bus)
            await self.send(error_frame(exc, conversation=conversation))
            return
        self.subs[conversation] = cursor
        await self.send({"type": "subscribed", "conversation": conversation, "state": state})
        for item in items:
            await self.send(item)
        if self.is_agent:
            await quietly(self.hub.presence.join(conversation, self.id, self.who.id, self.who.name))
            self._presence_changed(conversation)

    async def _unsubscribe(self, conversation: int) -> None:
        if self.subs.pop(conversation, None) is None:
            return
        await self.hub.bus.unsubscribe(ticket_topic(conversation), self._on_bus)
        if self.is_agent:
            await quietly(self.hub.presence.leave(conversation, self.id))
            self._presence_changed(conversation)

    async def _follow_desk(self) -> None:
        if not self.desk:
            self.desk = True
            await self.hub.bus.subscribe(DESK_TOPIC, self._on_bus)
        await self._send_queue()

    async def _send_queue(self) -> None:
        self._desk_pending = False
        self._desk_next = time.monotonic() + DESK_MIN_INTERVAL
        queue = await self.hub.run(wsdb.desk_queue, self.who)
        await self.send({"type": "queue", "queue": queue})

    # --- client actions, in order -----------------------------------------------------

    async def _work(self) -> None:
        while True:
            action = await self.actions.get()
            if action[0] == "send":
                await self._send_message(action[1])
            else:
                _, conversation, what, seq = action
                marks = await self.hub.run(wsdb.mark, self.who, conversation, what, seq)
                if marks is not None:
                    event = {"type": "marks", "conversation": conversation, "marks": marks}
                    self.hub.publish(conversation, event)

    async def _send_message(self, frame: wsdb.SendFrame) -> None:
        try:
            ack = await self.hub.run(wsdb.send, self.who, frame, self.locale)
        except NotAuthenticated:
            await self.end(CLOSE_AUTH, _("You were signed out"))
            return
        except DomainError as exc:
            await self.send(error_frame(exc, client_id=frame.client_id))
            return
        await self.send(ack.as_dict())


__all__ = ["CLOSE_TOO_LARGE", "Connection", "router", "same_origin"]
