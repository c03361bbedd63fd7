"""One complaint's commitment on the commitment contract (``cases.commitments``): what was
registered (hashes, deadline, payout, compensation) and each on-chain step's transaction.

``state`` follows the chain: ``pending`` (register not yet mined), ``registered``, ``resolved``
(in time), ``breached`` (someone called ``markBreached``; ``paid`` wei went to the payout), or
``failed`` (the chain refused the registration; ``error`` says why)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from ledgerdesk.ai.guard.storage import GuardedString
from ledgerdesk.core.clock import utcnow
from ledgerdesk.core.db import Base

STATES = ("pending", "registered", "resolved", "breached", "failed")


class CaseCommitment(Base):
    __tablename__ = "case_commitments"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), unique=True)
    contract: Mapped[str] = mapped_column(String(42))
    chain_id: Mapped[int | None] = mapped_column(BigInteger, default=None)  # known once sent
    case_hash: Mapped[str] = mapped_column(String(64))
    ack_hash: Mapped[str] = mapped_column(String(64))
    deadline: Mapped[int] = mapped_column(BigInteger)  # unix seconds, compared with block time
    payout: Mapped[str | None] = mapped_column(String(42), default=None)
    compensation: Mapped[str] = mapped_column(String(80), default="0")  # wei, decimal digits
    state: Mapped[str] = mapped_column(String(16), default="pending")
    register_tx: Mapped[str | None] = mapped_column(String(66), default=None)
    register_block: Mapped[int | None] = mapped_column(BigInteger, default=None)
    resolution_hash: Mapped[str | None] = mapped_column(String(64), default=None)
    resolve_tx: Mapped[str | None] = mapped_column(String(66), default=None)
    resolve_block: Mapped[int | None] = mapped_column(BigInteger, default=None)
    breach_tx: Mapped[str | None] = mapped_column(String(66), default=None)
    paid: Mapped[str | None] = mapped_column(String(80), default=None)  # wei
    error: Mapped[str | None] = mapped_column(GuardedString(500), default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
