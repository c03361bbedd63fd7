"""SLA tables. ``SlaTarget`` is the one the reports read: one row per clock a ticket ran."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ledgerdesk.ai.guard.storage import GuardedString
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
        Index("ix_sla_targets_warn", "completed_at", "warn_at"),
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
    # Added by the SLA policies (0015): open time already spent paused (so a recomputed due
    # time still counts it) and the moment the warning is due (``due_at`` minus the window).
    paused_seconds: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    warn_at: Mapped[datetime | None] = mapped_column(default=None)


class BusinessCalendar(Base):
    """Opening hours in a time zone (grammar of ``core.business_hours``) and its holidays.
    The default calendar counts business time for teams without one of their own."""

    __tablename__ = "sla_calendars"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(GuardedString(100), unique=True)
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    hours: Mapped[str] = mapped_column(String(400), default="")
    is_default: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    holidays: Mapped[list[Holiday]] = relationship(
        lazy="selectin", order_by="Holiday.day", cascade="all, delete-orphan"
    )


class Holiday(Base):
    """A closed day of one calendar (in the calendar's time zone)."""

    __tablename__ = "sla_holidays"
    __table_args__ = (UniqueConstraint("calendar_id", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    calendar_id: Mapped[int] = mapped_column(ForeignKey("sla_calendars.id", ondelete="CASCADE"))
    day: Mapped[date] = mapped_column(Date)
    name: Mapped[str] = mapped_column(GuardedString(100), default="")


class TeamCalendar(Base):
    """Which calendar a team's business hours follow (a team without a row: the default)."""

    __tablename__ = "sla_team_calendars"

    team_id: Mapped[int] = mapped_column(
        ForeignKey("teams.id", ondelete="CASCADE"), primary_key=True
    )
    calendar_id: Mapped[int] = mapped_column(ForeignKey("sla_calendars.id", ondelete="CASCADE"))


class SlaPolicy(Base):
    """Conditions (empty lists / None: any) and targets in minutes (None: no such clock).
    The first enabled policy by ``position`` whose conditions all hold applies."""

    __tablename__ = "sla_policies"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(GuardedString(100))
    position: Mapped[int] = mapped_column(Integer, default=0)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    priorities: Mapped[list[str]] = mapped_column(JSON, default=list)
    intents: Mapped[list[str]] = mapped_column(JSON, default=list)
    channels: Mapped[list[str]] = mapped_column(JSON, default=list)
    team_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    vip: Mapped[bool | None] = mapped_column(Boolean, default=None)
    first_reply: Mapped[int | None] = mapped_column(Integer, default=None)
    next_reply: Mapped[int | None] = mapped_column(Integer, default=None)
    periodic_update: Mapped[int | None] = mapped_column(Integer, default=None)
    resolution: Mapped[int | None] = mapped_column(Integer, default=None)
    hours: Mapped[str] = mapped_column(String(16), default="business")
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    def minutes(self, target: str) -> int | None:
        value = getattr(self, target)
        return int(value) if value is not None else None
