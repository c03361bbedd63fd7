"""What the assistant said, kept per reply: what it was built from (sources, backend, model
version, confidence, the faithfulness check) and how it ended (the customer's "did this solve
it?" answer, or a handover and why). Reports and the console read these rows."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Float, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from ledgerdesk.ai.guard.storage import GuardedJSON, GuardedString
from ledgerdesk.core.clock import utcnow
from ledgerdesk.core.db import Base


class AssistantReply(Base):
    """One assistant reply. ``ticket_id``/``message_id`` are set when it was posted on a ticket
    (chat, portal); a help-center answer has neither. No customer text is kept here: the
    question is the ticket's message (guarded when stored) or was never stored at all."""

    __tablename__ = "assistant_replies"
    __table_args__ = (
        Index("ix_assistant_replies_ticket", "ticket_id", "id"),
        Index("ix_assistant_replies_created", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int | None] = mapped_column(
        ForeignKey("tickets.id", ondelete="CASCADE"), default=None
    )
    message_id: Mapped[int | None] = mapped_column(
        ForeignKey("messages.id", ondelete="SET NULL"), default=None
    )  # the assistant's own message
    question_message_id: Mapped[int | None] = mapped_column(
        ForeignKey("messages.id", ondelete="SET NULL"), default=None
    )  # the customer's message it answered
    customer_id: Mapped[int | None] = mapped_column(
        ForeignKey("customers.id", ondelete="SET NULL"), default=None
    )
    channel: Mapped[str] = mapped_column(String(16))  # chat | portal | help | console
    action: Mapped[str] = mapped_column(String(16))  # answer | handover
    reason: Mapped[str | None] = mapped_column(String(32), default=None)
    language: Mapped[str] = mapped_column(String(8))
    intent: Mapped[str | None] = mapped_column(String(64), default=None)
    citations: Mapped[list[str]] = mapped_column(JSON, default=list)
    sources: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)  # kind/ref/lang
    backend: Mapped[str] = mapped_column(String(32))
    model: Mapped[str] = mapped_column(GuardedString(120), default="")  # an endpoint names it
    confidence: Mapped[float] = mapped_column(Float, default=0.0)
    # The faithfulness check: claims of a reworded reply (an endpoint wrote them) are kept.
    check: Mapped[dict[str, Any]] = mapped_column(GuardedJSON, default=dict)
    # Facts of a chain check or the exchange: hashes and addresses a customer pasted.
    tool: Mapped[dict[str, Any] | None] = mapped_column(GuardedJSON, default=None)
    asked_feedback: Mapped[bool] = mapped_column(default=False)
    lock_offered: Mapped[bool] = mapped_column(default=False)
    feedback: Mapped[str | None] = mapped_column(String(8), default=None)  # yes | no
    feedback_at: Mapped[datetime | None] = mapped_column(default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


__all__ = ["AssistantReply"]
