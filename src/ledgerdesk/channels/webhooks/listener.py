"""New ticket events become webhook jobs without touching the request's path.

After every flush, the ids of the new ``Event`` rows whose type an endpoint could want are
collected; if any active endpoint exists, one ``webhooks.events`` job is queued in the same
transaction (so a rolled-back change sends nothing and a committed one is never missed). The
"is there any active endpoint?" answer is cached per process and database for a few seconds,
so a desk without webhooks pays one tiny query every few seconds, not one per flush; the
endpoint services clear it when they change an endpoint, in every process once the change
commits (``core.invalidation`` over Redis; ``CACHE_SECONDS`` bounds it if a message is lost).
Events recorded as history (``channels.outgoing.recording_history``: the demo desk, imports)
are not sent."""

from __future__ import annotations

import threading
import time
from typing import Any

from sqlalchemy import Connection, event, exists, select
from sqlalchemy.orm import Session

from ledgerdesk.channels.models import WebhookEndpoint
from ledgerdesk.channels.outgoing import is_history
from ledgerdesk.channels.webhooks.events import EVENT_TYPES
from ledgerdesk.core import invalidation
from ledgerdesk.jobs.outbox import enqueue
from ledgerdesk.tickets.models import Event

EVENTS_TOPIC = "webhooks.events"
CACHE_SECONDS = 5.0
_PENDING = "ledgerdesk_webhook_events"
_CHANGED = "ledgerdesk_webhooks_changed"

_lock = threading.Lock()
_cache: dict[str, tuple[float, bool]] = {}  # database URL -> (checked at, any active endpoint)
_generation = invalidation.Generation()
CACHE_NAME = "webhooks.endpoints"


def _key(session: Session) -> str:
    bind = session.get_bind()
    engine = bind.engine if isinstance(bind, Connection) else bind
    return str(engine.url)


def invalidate(session: Session | None = None) -> None:
    """Forget the cached answer (all databases); with ``session``, forget it again when that
    session's transaction ends, since what it changed becomes visible (or vanishes) then (a
    commit tells every process, through ``core.invalidation``)."""
    _clear()
    if session is not None:
        session.info[_CHANGED] = True


def any_active_endpoint(session: Session) -> bool:
    """Whether an active endpoint exists, from the cache when it is fresh. Uses the session's
    connection directly, so it never triggers an autoflush (it runs inside one)."""
    key, now = _key(session), time.monotonic()
    with _lock:
        cached = _cache.get(key)
    if cached is not None and now - cached[0] < CACHE_SECONDS:
        return cached[1]
    invalidation.follow()
    seen = _generation.now()
    query = select(exists().where(WebhookEndpoint.active.is_(True)))
    found = bool(session.connection().scalar(query))
    if not session.info.get(_CHANGED):  # an uncommitted change is not everyone's truth
        with _lock:
            if _generation.stores_ok(seen):  # not cleared while we asked
                _cache[key] = (now, found)
    return found


def _clear(_key: str = "") -> None:
    with _lock:
        _generation.bump()
        _cache.clear()


invalidation.register(CACHE_NAME, _clear)


@event.listens_for(Session, "after_flush")
def _collect(session: Session, _context: Any) -> None:
    if is_history(session):
        return
    ids = [obj.id for obj in session.new if isinstance(obj, Event) and obj.action in EVENT_TYPES]
    if ids:
        session.info.setdefault(_PENDING, []).extend(ids)


@event.listens_for(Session, "after_flush_postexec")
def _queue(session: Session, _context: Any) -> None:
    ids = session.info.pop(_PENDING, None)
    if ids and any_active_endpoint(session):
        enqueue(session, EVENTS_TOPIC, {"event_ids": sorted(ids)})


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    if session.info.pop(_CHANGED, False):
        invalidation.announce(CACHE_NAME)  # here and in every other process


@event.listens_for(Session, "after_rollback")
def _after_rollback(session: Session) -> None:
    session.info.pop(_PENDING, None)
    if session.info.pop(_CHANGED, False):
        invalidate()
