"""Cross-process cache invalidation: a commit that changes what a process-local cache holds
tells every process of the desk to drop it.

A few small caches keep mutable configuration in each process's memory so the hot path pays
nothing for it (SLA policies, "is any webhook endpoint active?", the official domains, the
exchange's answers about one customer). Each registers a ``clear`` function under a name. The
code that changed the data calls ``announce(name)`` *after* its transaction committed: this
process clears at once and, with ``LEDGERDESK_REDIS_URL`` set, a Redis pub/sub message makes
every other process clear within milliseconds. Without Redis (the embedded desk is one process)
only the local clear runs. If the subscription drops, every registered cache is cleared when it
comes back (messages may have been missed), and each cache's own short expiry bounds what a
lost message can cost (docs/scaling.md).

A cache must not store a value it loaded *before* a clear that arrived while it was loading:
``Generation`` counts clears, and ``stores_ok`` tells the loader whether to keep its value.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable
from typing import Any, cast

import redis
from redis.exceptions import RedisError
from sqlalchemy import event
from sqlalchemy.orm import Session

__all__ = [
    "Generation",
    "announce",
    "announce_after_commit",
    "follow",
    "listen",
    "register",
    "registered",
    "stop_listening",
]

log = logging.getLogger(__name__)
CHANNEL = "ledgerdesk:invalidate:"  # + the Redis database number (as chat.bus does)
RECONNECT_SECONDS = 1.0

Clear = Callable[[str], None]  # the key ("" = everything under the name)

_lock = threading.Lock()
_clears: dict[str, Clear] = {}
_listener: _Listener | None = None


class Generation:
    """A counter bumped by every clear of one cache; a loader compares it before storing."""

    def __init__(self) -> None:
        self._value = 0
        self._lock = threading.Lock()

    def bump(self) -> None:
        with self._lock:
            self._value += 1

    def now(self) -> int:
        with self._lock:
            return self._value

    def stores_ok(self, seen: int) -> bool:
        """Whether nothing was cleared since ``seen = now()`` was read."""
        return self.now() == seen


def register(name: str, clear: Clear) -> None:
    """``clear(key)`` runs in this process whenever any process announces ``name``."""
    with _lock:
        _clears[name] = clear


def registered() -> list[str]:
    with _lock:
        return sorted(_clears)


def _clear_locally(name: str, key: str) -> None:
    with _lock:
        clear = _clears.get(name)
    if clear is not None:
        clear(key)


def _clear_all() -> None:
    with _lock:
        clears = list(_clears.values())
    for clear in clears:
        clear("")


def _channel(url: str) -> str:
    parse_url = cast(Callable[[str], dict[str, Any]], redis.connection.parse_url)
    return f"{CHANNEL}{parse_url(url).get('db', 0)}"


_publishers: dict[str, redis.Redis] = {}


def _publisher(url: str) -> redis.Redis:
    with _lock:
        client = _publishers.get(url)
        if client is None:
            client = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
            _publishers[url] = client
        return client


def announce(name: str, key: str = "", *, redis_url: str | None = None) -> None:
    """Clear ``name`` (only ``key`` of it, if given) here and, with Redis, in every process.
    Call it after the commit that changed the data (before, another process could reload the
    old value and keep it)."""
    _clear_locally(name, key)
    url = _redis_url() if redis_url is None else redis_url
    if not url:
        return
    listen(url)  # this process hears the others' announcements from now on
    try:
        _publisher(url).publish(_channel(url), f"{os.getpid()} {name} {key}")
    except RedisError as exc:  # the caches' short expiry still bounds the staleness
        log.warning("cache invalidation %s not published (%s)", name, exc)


def _redis_url() -> str:
    from ledgerdesk.core.settings import get_settings

    return get_settings().redis_url


_PENDING = "ledgerdesk.invalidate.pending"


def announce_after_commit(session: Session, name: str, key: str = "") -> None:
    """Clear ``name`` here now and announce it to every process once ``session`` commits
    (a rollback clears it here again: the session may have cached its own uncommitted view)."""
    _clear_locally(name, key)
    session.info.setdefault(_PENDING, set()).add((name, key))


@event.listens_for(Session, "after_commit")
def _committed(session: Session) -> None:
    for name, key in sorted(session.info.pop(_PENDING, ())):
        announce(name, key)


@event.listens_for(Session, "after_rollback")
def _rolled_back(session: Session) -> None:
    for name, key in sorted(session.info.pop(_PENDING, ())):
        _clear_locally(name, key)


class _Listener:
    """One daemon thread per process reading the invalidation channel."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.pid = os.getpid()
        self.ready = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="cache-invalidation", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        first = True
        while not self._stop.is_set():
            client = redis.Redis.from_url(self.url, socket_connect_timeout=2)
            try:
                pubsub = client.pubsub(ignore_subscribe_messages=True)
                pubsub.subscribe(_channel(self.url))
                if not first:  # announcements may have been missed while we were away
                    _clear_all()
                first = False
                self.ready.set()
                while not self._stop.is_set():
                    message = pubsub.get_message(timeout=1.0)
                    if message is not None and message.get("type") == "message":
                        self._handle(message["data"])
                pubsub.close()
            except RedisError as exc:
                log.warning("cache invalidation channel lost (%s); reconnecting", exc)
                time.sleep(RECONNECT_SECONDS)
            finally:
                client.close()

    @staticmethod
    def _handle(data: bytes | str) -> None:
        text = data.decode() if isinstance(data, bytes) else data
        parts = text.split(" ", 2)
        if len(parts) == 3 and parts[0] != str(os.getpid()):  # our own cleared at once
            _clear_locally(parts[1], parts[2])

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)


def listen(url: str, wait: float = 0.0) -> None:
    """Start this process's listener for ``url`` (once; again after a fork); with ``wait``,
    block up to that many seconds until it is subscribed."""
    global _listener
    replaced = None
    with _lock:
        current = _listener
        if current is None or current.pid != os.getpid() or current.url != url:
            if current is not None and current.pid == os.getpid():
                replaced = current  # the settings changed (tests): one listener per process
            current = _listener = _Listener(url)
    if replaced is not None:
        replaced.stop()
    if wait:
        current.ready.wait(wait)


def follow() -> None:
    """Before a cache loads: make sure this process hears announcements (with Redis set),
    waiting for the subscription the first time so no announcement slips by unheard."""
    url = _redis_url()
    if url:
        listen(url, wait=2.0)


def stop_listening() -> None:
    global _listener
    with _lock:
        current, _listener = _listener, None
    if current is not None and current.pid == os.getpid():
        current.stop()
