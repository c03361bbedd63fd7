"""Periodic jobs (SLA checks, surge detection...), run once per period across every worker.

A module registers ``@periodic("sla.check", every_seconds=30)`` on a handler; each worker's
loop calls ``tick``, which claims the due periods with a conditional UPDATE of the schedule row
(only one process's UPDATE matches) and enqueues the job through the outbox in the same
transaction. So a periodic job has the outbox's retries, and a job still waiting in the outbox
(a slow or failing run) is not queued a second time.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from sqlalchemy import exists, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session, sessionmaker

from ledgerdesk.core.clock import utcnow
from ledgerdesk.jobs.models import JobSchedule, OutboxEntry
from ledgerdesk.jobs.outbox import HANDLERS, Handler, enqueue

log = logging.getLogger("ledgerdesk.jobs")

PERIODIC: dict[str, float] = {}  # topic -> seconds between runs


def periodic(topic: str, every_seconds: float) -> Callable[[Handler], Handler]:
    """Register ``fn`` as the handler of ``topic`` and run it every ``every_seconds``."""
    if every_seconds < 1:
        raise ValueError("a periodic job runs at most once a second")

    def register(fn: Handler) -> Handler:
        HANDLERS[topic] = fn
        PERIODIC[topic] = float(every_seconds)
        return fn

    return register


def _ensure_rows(session: Session, topics: list[str]) -> None:
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    now = utcnow()
    for topic in topics:
        session.execute(
            insert(JobSchedule)
            .values(name=topic, next_run_at=now)
            .on_conflict_do_nothing(index_elements=["name"])
        )


def tick(factory: sessionmaker[Session]) -> list[str]:
    """Queue every periodic job whose period has come (once across all processes); returns
    the topics this call queued. A tick with nothing due only reads: on SQLite a needless
    write transaction every half second would take the one write lock from requests."""
    if not PERIODIC:
        return []
    queued: list[str] = []
    with factory() as session:
        now = utcnow()
        known = dict(session.execute(select(JobSchedule.name, JobSchedule.next_run_at)).all())
        missing = sorted(set(PERIODIC) - set(known))
        due = [t for t in sorted(PERIODIC) if t in missing or _is_due(known.get(t), now)]
        if not due:
            return []
        if missing:
            _ensure_rows(session, missing)
        for topic in due:
            waiting = session.scalar(select(exists().where(OutboxEntry.topic == topic)))
            if waiting:
                continue
            claimed = session.execute(
                update(JobSchedule)
                .where(JobSchedule.name == topic, JobSchedule.next_run_at <= now)
                .values(next_run_at=now + timedelta(seconds=PERIODIC[topic]), last_run_at=now)
            )
            if claimed.rowcount == 1:  # type: ignore[attr-defined]
                enqueue(session, topic, {"scheduled_at": now.isoformat()})
                queued.append(topic)
        session.commit()
    return queued


def _is_due(next_run_at: datetime | None, now: datetime) -> bool:
    if next_run_at is None:
        return True
    if next_run_at.tzinfo is not None:  # stored naive UTC; a driver may hand back an aware one
        next_run_at = next_run_at.astimezone(UTC).replace(tzinfo=None)
    return next_run_at <= now
