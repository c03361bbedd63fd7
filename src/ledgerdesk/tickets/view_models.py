"""The saved inbox views' table (``tickets.saved_views`` holds the logic)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Index, Integer
from sqlalchemy.orm import Mapped, mapped_column

from ledgerdesk.ai.guard.storage import GuardedJSON, GuardedString
from ledgerdesk.core.clock import utcnow
from ledgerdesk.core.db import Base

MAX_NAME = 80


class SavedView(Base):
    __tablename__ = "saved_views"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(GuardedString(MAX_NAME))
    # The agent who made it; a shared view is listed for everyone.
    owner_id: Mapped[int] = mapped_column(Integer, ForeignKey("agents.id", ondelete="CASCADE"))
    shared: Mapped[bool] = mapped_column(Boolean, default=False)
    # ``InboxQuery.filters()``: status, assignee, team, priority, channel, language, tag, q, sort
    filters: Mapped[dict[str, Any]] = mapped_column(GuardedJSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (Index("ix_saved_views_owner", "owner_id"),)
