"""SLA tables. ``SlaTarget`` is the one the reports read: one row per clock a ticket ran."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from ledgerdesk.core.clock import utcnow
from ledgerdesk.core.db import Base

TARGETS = ("first_reply", "next_reply", "periodic_update", "resolution")


class SlaTarget(Base):
    """One run of one SLA clock on one ticket.

    ``first_reply`` and ``resolution`` run once per ticket (a reopen starts a new resolution
    row); ``next_reply`` starts at each customer message that waits for an answer;
    ``periodic_update`` at each public update while the ticket stays open. The row is *met*
    when ``completed_at`` is set and ``breached_at`` is not, *breached* when ``breached_at`` is
    set, and still running otherwise. ``due_at`` is None while the clock is paused
    (``paused_at``: the ticket is pending on the customer)."""

    __tablename__ = "sla_targets"
    __table_args__ = (
        Index("ix_sla_targets_ticket", "ticket_id", "target", "id"),
        Index("ix_sla_targets_running", "completed_at", "due_at"),
        Index("ix_sla_targets_started", "started_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"))
    policy_id: Mapped[int | None] = mapped_column(Integer, default=None)
    target: Mapped[str] = mapped_column(String(24))
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    due_at: Mapped[datetime | None] = mapped_column(default=None)
    paused_at: Mapped[datetime | None] = mapped_column(default=None)
    warned_at: Mapped[datetime | None] = mapped_column(default=None)
    breached_at: Mapped[datetime | None] = mapped_column(default=None)
    completed_at: Mapped[datetime | None] = mapped_column(default=None)
