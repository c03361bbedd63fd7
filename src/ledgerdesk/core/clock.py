"""The one place that tells time, so tests, demo data and jobs agree on it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime

_frozen: ContextVar[datetime | None] = ContextVar("ledgerdesk_frozen_time", default=None)


def utcnow() -> datetime:
    """Now, in UTC, without tzinfo (stored naive-UTC on both SQLite and PostgreSQL)."""
    frozen = _frozen.get()
    if frozen is not None:
        return frozen
    return datetime.now(UTC).replace(tzinfo=None)


@contextmanager
def frozen_at(moment: datetime) -> Iterator[None]:
    """Make ``utcnow()`` answer ``moment`` inside the block (demo data, tests)."""
    token = _frozen.set(moment.replace(tzinfo=None))
    try:
        yield
    finally:
        _frozen.reset(token)
