"""A short-lived in-process cache of computed figures.

The facts change only when the ``reports.refresh`` job moves the watermark, so the key holds
the watermark: a job run makes every cached figure stale at once. The few figures read from
other tables (SLA clocks, surveys, deflection, the assistant, the backlog's ages) may be up to
``TTL_SECONDS`` old, as the facts themselves may be (docs/metrics.md). ``TTL_SECONDS = 0``
turns it off (the benchmark measures both)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from ledgerdesk.reports import metrics
from ledgerdesk.reports.facts import NAME
from ledgerdesk.reports.filters import Filters
from ledgerdesk.reports.models import Watermark

T = TypeVar("T")
TTL_SECONDS = 60.0
MAX_ENTRIES = 256
_entries: dict[tuple[Any, ...], tuple[float, Any]] = {}
_lock = threading.Lock()


def cached(session: Session, kind: str, filters: Filters, compute: Callable[[], T]) -> T:
    """``compute()``, or its result of less than ``TTL_SECONDS`` ago for the same database,
    filters and watermark."""
    if TTL_SECONDS <= 0:
        return compute()
    mark = session.scalar(select(Watermark.last_event_id).where(Watermark.name == NAME))
    key = (kind, str(session.get_bind().engine.url), filters, mark)
    now = time.monotonic()
    with _lock:
        hit = _entries.get(key)
    if hit is not None and hit[0] > now:
        return hit[1]  # type: ignore[no-any-return]
    value = compute()
    with _lock:
        if len(_entries) >= MAX_ENTRIES:
            _entries.clear()
        _entries[key] = (now + TTL_SECONDS, value)
    return value


def clear() -> None:
    with _lock:
        _entries.clear()


def summary(session: Session, filters: Filters) -> metrics.Summary:
    """``metrics.summary`` through the cache."""
    return cached(session, "summary", filters, lambda: metrics.summary(session, filters))


def agents(session: Session, filters: Filters) -> list[metrics.AgentRow]:
    """``metrics.agents`` through the cache."""
    return cached(session, "agents", filters, lambda: metrics.agents(session, filters))
