"""Incident tables. Every change goes through a ``do_*`` function of ``incidents.services``."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Boolean, Enum, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ledgerdesk.ai.guard.storage import GuardedLongText, GuardedString
from ledgerdesk.core.clock import utcnow
from ledgerdesk.core.db import Base, db_enum


class IncidentStatus(enum.StrEnum):
    investigating = "investigating"
    identified = "identified"
    monitoring = "monitoring"
    resolved = "resolved"


OPEN_INCIDENT = (IncidentStatus.investigating, IncidentStatus.identified, IncidentStatus.monitoring)


class LinkedBy(enum.StrEnum):
    auto = "auto"
    agent = "agent"


def _enum(cls: type[enum.Enum]) -> Enum:
    return db_enum(cls)


class Incident(Base):
    """A known problem ("TRON deposits delayed"). The titles and bodies are public: they are
    shown on the status page and sent to customers, so they never hold customer data.

    ``intent`` and ``network`` say which tickets it explains: a ticket matches when every one
    that is set is equal. With neither set (an announcement such as planned maintenance),
    nothing is linked automatically; agents link tickets by hand. ``surge_id`` is the surge
    alert it was opened from, if any."""

    __tablename__ = "incidents"
    __table_args__ = (Index("ix_incidents_status_started", "status", "started_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    title_en: Mapped[str] = mapped_column(GuardedString(200))
    title_zh: Mapped[str] = mapped_column(GuardedString(200))
    body_en: Mapped[str] = mapped_column(GuardedLongText, default="")
    body_zh: Mapped[str] = mapped_column(GuardedLongText, default="")
    status: Mapped[IncidentStatus] = mapped_column(
        _enum(IncidentStatus), default=IncidentStatus.investigating
    )
    intent: Mapped[str | None] = mapped_column(String(64), default=None)
    network: Mapped[str | None] = mapped_column(String(32), default=None)
    surge_id: Mapped[int | None] = mapped_column(Integer, default=None)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("agents.id"), default=None)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(default=None)

    updates: Mapped[list[IncidentUpdate]] = relationship(
        lazy="selectin", order_by="IncidentUpdate.id.desc()", cascade="all, delete-orphan"
    )

    @property
    def is_open(self) -> bool:
        return self.status != IncidentStatus.resolved


class IncidentUpdate(Base):
    """One public update on the incident's timeline, in both languages. ``sent`` says whether
    it was also posted to every linked ticket (a mass reply)."""

    __tablename__ = "incident_updates"
    __table_args__ = (Index("ix_incident_updates_incident", "incident_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id", ondelete="CASCADE"))
    status: Mapped[IncidentStatus] = mapped_column(_enum(IncidentStatus))
    body_en: Mapped[str] = mapped_column(GuardedLongText)
    body_zh: Mapped[str] = mapped_column(GuardedLongText)
    sent: Mapped[bool] = mapped_column(Boolean, default=False)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("agents.id"), default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class IncidentTicket(Base):
    """A ticket the incident explains. Unlinking keeps the row (``unlinked_at``) so automatic
    linking never brings back a ticket an agent took out."""

    __tablename__ = "incident_tickets"
    __table_args__ = (
        Index("ux_incident_tickets", "incident_id", "ticket_id", unique=True),
        Index("ix_incident_tickets_ticket", "ticket_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id", ondelete="CASCADE"))
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"))
    linked_by: Mapped[LinkedBy] = mapped_column(_enum(LinkedBy))
    agent_id: Mapped[int | None] = mapped_column(ForeignKey("agents.id"), default=None)
    linked_at: Mapped[datetime] = mapped_column(default=utcnow)
    unlinked_at: Mapped[datetime | None] = mapped_column(default=None)


class IncidentDelivery(Base):
    """One message the incident sent to one ticket; the unique key makes each one happen at
    most once. ``key``: ``auto`` (the answer on linking), ``update:<id>`` (a mass reply) or
    ``resolved`` (the resolution notice)."""

    __tablename__ = "incident_deliveries"
    __table_args__ = (
        Index("ux_incident_deliveries", "incident_id", "key", "ticket_id", unique=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(32))
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"))
    message_id: Mapped[int | None] = mapped_column(
        ForeignKey("messages.id", ondelete="SET NULL"), default=None
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
