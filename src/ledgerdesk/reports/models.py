"""Report tables: derived data only, rebuilt from ``events`` by ``reports.facts``."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from ledgerdesk.core.clock import utcnow
from ledgerdesk.core.db import Base


class TicketFacts(Base):
    """One row per ticket: the timings and counts the reports aggregate (docs/metrics.md).
    Written only by ``reports.facts``; dropping every row and rebuilding gives the same."""

    __tablename__ = "report_ticket_facts"
    __table_args__ = (
        Index("ix_report_facts_created", "created_at"),
        Index("ix_report_facts_first_reply", "first_reply_at"),
        Index("ix_report_facts_solved", "solved_at"),
        Index("ix_report_facts_first_solved", "first_solved_at"),
        Index("ix_report_facts_status", "status"),
    )

    ticket_id: Mapped[int] = mapped_column(
        ForeignKey("tickets.id", ondelete="CASCADE"), primary_key=True
    )
    created_at: Mapped[datetime] = mapped_column()
    team_id: Mapped[int | None] = mapped_column(Integer, default=None)
    channel: Mapped[str] = mapped_column(String(16))
    language: Mapped[str] = mapped_column(String(16))
    intent: Mapped[str | None] = mapped_column(String(64), default=None)
    status: Mapped[str] = mapped_column(String(16))
    first_reply_at: Mapped[datetime | None] = mapped_column(default=None)
    first_reply_agent_id: Mapped[int | None] = mapped_column(Integer, default=None)
    first_reply_seconds: Mapped[int | None] = mapped_column(Integer, default=None)
    first_solved_at: Mapped[datetime | None] = mapped_column(default=None)
    solved_at: Mapped[datetime | None] = mapped_column(default=None)
    solved_by_agent_id: Mapped[int | None] = mapped_column(Integer, default=None)
    resolution_seconds: Mapped[int | None] = mapped_column(Integer, default=None)
    agent_replies: Mapped[int] = mapped_column(Integer, default=0)
    reopens: Mapped[int] = mapped_column(Integer, default=0)
    one_touch: Mapped[bool] = mapped_column(Boolean, default=False)
    last_event_id: Mapped[int] = mapped_column(Integer, default=0)
    computed_at: Mapped[datetime] = mapped_column(default=utcnow)


class Watermark(Base):
    """The highest event id a derived table has read (``name``: the table's job)."""

    __tablename__ = "report_watermarks"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    last_event_id: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
