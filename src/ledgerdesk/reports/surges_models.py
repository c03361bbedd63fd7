"""The table of surge alerts (``reports.surges`` raises and closes them)."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, Float, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from ledgerdesk.core.clock import utcnow
from ledgerdesk.core.db import Base, db_enum


class AlertStatus(enum.StrEnum):
    open = "open"
    acknowledged = "acknowledged"
    closed = "closed"


class SurgeAlert(Base):
    """One surge: tickets of one ``key`` ("deposit_missing" or "deposit_missing@tron") far
    above their usual rate in the hour ``window_start``..``window_end``.

    A key has at most one alert that is not closed: while it is open or acknowledged the job
    only moves ``last_seen_at`` and raises no second one. ``incident_id`` is the incident a
    lead opened from it (no foreign key: the incidents pillar may be absent)."""

    __tablename__ = "surge_alerts"
    __table_args__ = (
        Index("ix_surge_alerts_key_status", "key", "status"),
        Index("ix_surge_alerts_created", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(100))
    intent: Mapped[str] = mapped_column(String(64))
    network: Mapped[str | None] = mapped_column(String(32), default=None)
    window_start: Mapped[datetime]
    window_end: Mapped[datetime]
    observed: Mapped[int] = mapped_column(Integer)
    expected: Mapped[float] = mapped_column(Float)
    score: Mapped[float] = mapped_column(Float)
    example_ticket_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    status: Mapped[AlertStatus] = mapped_column(db_enum(AlertStatus), default=AlertStatus.open)
    incident_id: Mapped[int | None] = mapped_column(Integer, default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    acknowledged_at: Mapped[datetime | None] = mapped_column(default=None)
    acknowledged_by: Mapped[int | None] = mapped_column(Integer, default=None)
    closed_at: Mapped[datetime | None] = mapped_column(default=None)
    closed_by: Mapped[int | None] = mapped_column(Integer, default=None)
