"""Chat tables: who is on the widget side (``ChatVisitor``) and what a ticket needs to be a
live conversation (``ChatConversation``: who opened it, delivered and read marks)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ledgerdesk.ai.guard.storage import GuardedString
from ledgerdesk.core.clock import utcnow
from ledgerdesk.core.db import Base


class ChatVisitor(Base):
    """One widget sign-in (signed token or e-mail). The widget keeps a random visitor token;
    only its SHA-256 is stored. ``verified``: the visitor proved the customer's identity (a
    signed token, or an e-mailed code) and so sees all of that customer's chats."""

    __tablename__ = "chat_visitors"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"))
    identity: Mapped[str] = mapped_column(String(16))  # "signed" | "email"
    verified: Mapped[bool] = mapped_column(Boolean, default=False)
    # The e-mailed verification code this visitor asked for last (accounts.PortalCode id).
    pending_code_id: Mapped[int | None] = mapped_column(Integer, default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None] = mapped_column(default=None)


class ChatConversation(Base):
    """The chat side of a ticket with channel ``chat``. Marks are message seqs: how far each
    side has received and read. ``visitor_id`` is None for a ticket from the offline form."""

    __tablename__ = "chat_conversations"
    __table_args__ = (UniqueConstraint("visitor_id", "opening_client_id"),)

    ticket_id: Mapped[int] = mapped_column(
        ForeignKey("tickets.id", ondelete="CASCADE"), primary_key=True
    )
    visitor_id: Mapped[int | None] = mapped_column(
        ForeignKey("chat_visitors.id", ondelete="SET NULL"), default=None
    )
    opening_client_id: Mapped[str | None] = mapped_column(String(64), default=None)
    customer_delivered_seq: Mapped[int] = mapped_column(Integer, default=0)
    customer_read_seq: Mapped[int] = mapped_column(Integer, default=0)
    agent_delivered_seq: Mapped[int] = mapped_column(Integer, default=0)
    agent_read_seq: Mapped[int] = mapped_column(Integer, default=0)
    page_url: Mapped[str] = mapped_column(GuardedString(500), default="")
    offline: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


__all__ = ["ChatConversation", "ChatVisitor"]
