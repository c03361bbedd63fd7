"""The record of every deposit and withdrawal check: what was asked, what the chain and the
exchange said, and the ticket it opened. Agents see these beside the conversation, so the
customer is never asked again for what a check already gathered."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from ledgerdesk.ai.guard.storage import GuardedJSON, GuardedString
from ledgerdesk.core.clock import utcnow
from ledgerdesk.core.db import Base


class ChainCheck(Base):
    __tablename__ = "chain_checks"
    __table_args__ = (
        Index("ix_chain_checks_ticket", "ticket_id", "id"),
        Index("ix_chain_checks_customer", "customer_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))  # deposit | withdrawal
    verdict: Mapped[str] = mapped_column(String(32))
    network: Mapped[str | None] = mapped_column(String(64), default=None)
    asset: Mapped[str | None] = mapped_column(String(32), default=None)
    # A validated transaction hash, or the exchange's withdrawal id (checked, ≤ 128 chars).
    reference: Mapped[str | None] = mapped_column(GuardedString(128), default=None)
    facts: Mapped[dict[str, Any]] = mapped_column(GuardedJSON, default=dict)
    customer_id: Mapped[int | None] = mapped_column(
        ForeignKey("customers.id", ondelete="SET NULL"), default=None
    )
    ticket_id: Mapped[int | None] = mapped_column(
        ForeignKey("tickets.id", ondelete="SET NULL"), default=None
    )
    # who asked: customer (self-service), agent (ticket panel), or anonymous (help center)
    requested_by: Mapped[str] = mapped_column(String(16), default="customer")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
