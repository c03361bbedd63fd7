"""The reported-address watchlist: chain addresses, domains and links that confirmed scam
reports named. Every change goes through ``cases.watchlist``; entries are deactivated, never
deleted, so a warning shown yesterday can still be explained today."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ledgerdesk.ai.guard.storage import GuardedString
from ledgerdesk.core.clock import utcnow
from ledgerdesk.core.db import Base, db_enum


class WatchKind(enum.StrEnum):
    address = "chain_address"  # network + address, checked per family ("address" is read too)
    domain = "domain"  # a host name: the domain and every name under it
    url = "url"  # one link (host + path): other pages of the same host are not matched


class WatchlistEntry(Base):
    """One reported value. ``value`` is the normalised form shown to people (an EVM address in
    its EIP-55 form, a host in lowercase Unicode); ``match_key`` is what messages and checks
    are compared with (addresses of case-insensitive encodings and links in lowercase,
    ``www.`` and the scheme dropped). One entry per ``(kind, match_key)``: the same value
    reported twice is one entry."""

    __tablename__ = "watchlist_entries"
    __table_args__ = (
        UniqueConstraint("kind", "match_key", name="uq_watchlist_entries_kind_key"),
        Index("ix_watchlist_entries_key_active", "match_key", "active"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[WatchKind] = mapped_column(db_enum(WatchKind))
    network: Mapped[str | None] = mapped_column(String(32), default=None)
    value: Mapped[str] = mapped_column(GuardedString(600))
    match_key: Mapped[str] = mapped_column(String(600))
    note: Mapped[str] = mapped_column(GuardedString(500), default="")
    source: Mapped[str] = mapped_column(GuardedString(120), default="")
    case_id: Mapped[int | None] = mapped_column(
        ForeignKey("cases.id", ondelete="SET NULL"), default=None
    )
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    added_at: Mapped[datetime] = mapped_column(default=utcnow)
    added_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("agents.id", ondelete="SET NULL"), default=None
    )
    deactivated_at: Mapped[datetime | None] = mapped_column(default=None)
    deactivated_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("agents.id", ondelete="SET NULL"), default=None
    )
