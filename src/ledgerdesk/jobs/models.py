"""The transactional outbox: work recorded in the same transaction as the change that needs it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ledgerdesk.core.clock import utcnow
from ledgerdesk.core.db import Base


class OutboxEntry(Base):
    """One job to run after commit. Rows are deleted once their handler succeeded; a job whose
    attempts ran out stays, with ``dead_at`` set, until an admin retries or drops it."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_due", "available_at", "id"),)

    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    )
    topic: Mapped[str] = mapped_column(String(64))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    available_at: Mapped[datetime] = mapped_column(default=utcnow)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    # The request that queued the job (core.context), bound again while it runs: log lines of
    # a request and of the work it caused share one id.
    request_id: Mapped[str | None] = mapped_column(String(64), default=None)
    # Dead letter: set when the last attempt failed. A dead job never runs again unless an
    # admin retries it (console "Background jobs" or /api/v1/admin/jobs).
    dead_at: Mapped[datetime | None] = mapped_column(default=None)
    # When a worker's relay last handed this waiting job to the broker again (its first
    # message was lost, or never sent): the relay re-sends a job at most once per interval.
    relayed_at: Mapped[datetime | None] = mapped_column(default=None)


class JobSchedule(Base):
    """When a periodic job (``jobs.schedule.periodic``) is next due. Workers claim a run with a
    conditional UPDATE of ``next_run_at``, so one run happens per period however many run."""

    __tablename__ = "job_schedules"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    next_run_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_run_at: Mapped[datetime | None] = mapped_column(default=None)
