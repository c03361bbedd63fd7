"""The record of every attempt to anchor a signed tree head on chain (``trust.anchoring``).

A row is written when the transaction is sent (``sent``) and becomes ``confirmed`` (with its
block) or ``failed`` once the chain has answered; a refused send is ``failed`` at once with the
reason. Third parties do not need this table (the contract is the proof); it tells the
operator and the transcript helper which heads are anchored where."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from ledgerdesk.ai.guard.storage import GuardedString
from ledgerdesk.core.clock import utcnow
from ledgerdesk.core.db import Base

SENT, CONFIRMED, FAILED = "sent", "confirmed", "failed"


class Anchor(Base):
    __tablename__ = "log_anchors"
    __table_args__ = (Index("ix_log_anchors_status_size", "status", "tree_size"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    tree_size: Mapped[int] = mapped_column(BigInteger)
    root_hash: Mapped[str] = mapped_column(String(64))  # hex, as in log_heads
    chain_id: Mapped[int] = mapped_column(BigInteger)
    network: Mapped[str] = mapped_column(String(64))  # registry id, or the node's host
    contract: Mapped[str] = mapped_column(String(42))
    tx_hash: Mapped[str | None] = mapped_column(String(66), default=None)
    block_number: Mapped[int | None] = mapped_column(BigInteger, default=None)
    status: Mapped[str] = mapped_column(String(16), default=SENT)
    error: Mapped[str | None] = mapped_column(GuardedString(500), default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
