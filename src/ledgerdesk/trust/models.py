"""Trust tables: the official-channel registry and the log of verification checks. Every
change to these rows goes through ``trust.services``."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ledgerdesk.ai.guard.storage import GuardedString
from ledgerdesk.core.clock import utcnow
from ledgerdesk.core.db import Base, db_enum


class ChannelKind(enum.StrEnum):
    domain = "domain"
    email = "email"
    telegram = "telegram"
    discord = "discord"
    x = "x"
    phone = "phone"


HANDLE_KINDS: tuple[ChannelKind, ...] = (ChannelKind.telegram, ChannelKind.x, ChannelKind.discord)


class QueryKind(enum.StrEnum):
    """What a checked text was recognised as."""

    url = "url"
    domain = "domain"
    email = "email"
    telegram = "telegram"
    discord = "discord"
    x = "x"
    handle = "handle"  # ``@name`` without a network: compared with every handle kind
    phone = "phone"
    address = "chain_address"  # checked against the watchlist (cases.watchlist)
    unknown = "unknown"


class CheckResult(enum.StrEnum):
    official = "official"
    not_official = "not_official"
    invalid = "invalid"


class CheckSource(enum.StrEnum):
    web = "web"
    api = "api"


class OfficialChannel(Base):
    """One way the exchange really talks to its customers. ``value`` is normalised: a domain
    in lowercase Unicode, an e-mail address in lowercase, a handle in lowercase without ``@``
    or a ``t.me/`` prefix, a phone number in E.164."""

    __tablename__ = "trust_channels"
    __table_args__ = (UniqueConstraint("kind", "value", name="uq_trust_channels_kind_value"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[ChannelKind] = mapped_column(db_enum(ChannelKind))
    value: Mapped[str] = mapped_column(GuardedString(320))
    label: Mapped[str] = mapped_column(GuardedString(120))
    note: Mapped[str] = mapped_column(GuardedString(500), default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("agents.id", ondelete="SET NULL"), default=None
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    deactivated_at: Mapped[datetime | None] = mapped_column(default=None)


class VerificationCheck(Base):
    """One answer of the verification page or API, kept so a reported fake can be acted on.
    No IP address or other data about who asked is stored."""

    __tablename__ = "trust_checks"
    __table_args__ = (Index("ix_trust_checks_result_created", "result", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    query: Mapped[str] = mapped_column(GuardedString(500))
    kind: Mapped[QueryKind] = mapped_column(db_enum(QueryKind))
    result: Mapped[CheckResult] = mapped_column(db_enum(CheckResult))
    reasons: Mapped[list[str]] = mapped_column(JSON, default=list)
    channel_id: Mapped[int | None] = mapped_column(
        ForeignKey("trust_channels.id", ondelete="SET NULL"), default=None
    )
    lookalike_of: Mapped[str | None] = mapped_column(String(320), default=None)
    source: Mapped[CheckSource] = mapped_column(db_enum(CheckSource))
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
