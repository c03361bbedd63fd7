"""Macros: canned replies in English and Chinese with placeholders, and actions applied with
them (status, tags, team). Every change goes through ``macros.services``."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from ledgerdesk.ai.guard.storage import GuardedJSON, GuardedLongText, GuardedString
from ledgerdesk.core.clock import utcnow
from ledgerdesk.core.db import Base


class Macro(Base):
    """A canned reply. ``owner_id`` None: shared with every agent (made by a lead or admin);
    else the owner's personal macro. ``status``/``tags``/``team_id`` are the actions (each
    optional) applied to the ticket when the macro is applied."""

    __tablename__ = "macros"
    __table_args__ = (Index("ix_macros_owner_name", "owner_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(GuardedString(120))
    body_en: Mapped[str] = mapped_column(GuardedLongText, default="")
    body_zh: Mapped[str] = mapped_column(GuardedLongText, default="")
    owner_id: Mapped[int | None] = mapped_column(
        ForeignKey("agents.id", ondelete="CASCADE"), default=None
    )
    status: Mapped[str | None] = mapped_column(String(16), default=None)
    tags: Mapped[list[str]] = mapped_column(GuardedJSON, default=list)
    team_id: Mapped[int | None] = mapped_column(
        ForeignKey("teams.id", ondelete="SET NULL"), default=None
    )
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("agents.id", ondelete="SET NULL"), default=None
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
