"""Where an escalated ticket came from: one row per escalation, so "Back to L1" knows the
team to return to and an automatic escalation happens once per ticket per tier."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from ledgerdesk.ai.guard.storage import GuardedString
from ledgerdesk.core.clock import utcnow
from ledgerdesk.core.db import Base

MAX_REASON = 500


class TicketEscalation(Base):
    """One move of a ticket up one tier. ``returned_at`` is set when it is de-escalated back
    to ``from_team_id``. ``trigger``: manual, breach (an SLA target) or rule (routing)."""

    __tablename__ = "ticket_escalations"
    __table_args__ = (Index("ix_ticket_escalations_ticket", "ticket_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"))
    from_team_id: Mapped[int | None] = mapped_column(
        ForeignKey("teams.id", ondelete="SET NULL"), default=None
    )
    to_team_id: Mapped[int | None] = mapped_column(
        ForeignKey("teams.id", ondelete="SET NULL"), default=None
    )
    from_tier: Mapped[str | None] = mapped_column(String(16), default=None)
    to_tier: Mapped[str] = mapped_column(String(16))
    trigger: Mapped[str] = mapped_column(String(16), default="manual")
    automatic: Mapped[bool] = mapped_column(Boolean, default=False)
    reason: Mapped[str] = mapped_column(GuardedString(MAX_REASON), default="")
    actor_id: Mapped[int | None] = mapped_column(Integer, default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    returned_at: Mapped[datetime | None] = mapped_column(default=None)
