"""Tables for the people on both sides of the desk."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import BigInteger, Boolean, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ledgerdesk.ai.guard.storage import GuardedString
from ledgerdesk.core.clock import utcnow
from ledgerdesk.core.db import Base, db_enum


class Role(enum.StrEnum):
    agent = "agent"
    lead = "lead"
    admin = "admin"


class Tier(enum.StrEnum):
    l1 = "L1"
    l2 = "L2"
    specialist = "specialist"


class Customer(Base):
    """A user of the exchange; ``external_id`` is the exchange's own user id."""

    __tablename__ = "customers"

    id: Mapped[int] = mapped_column(primary_key=True)
    external_id: Mapped[str] = mapped_column(GuardedString(128), unique=True)
    name: Mapped[str] = mapped_column(GuardedString(200), default="")
    email: Mapped[str] = mapped_column(String(320), unique=True)
    locale: Mapped[str] = mapped_column(String(16), default="en")
    vip: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Shown at the top of every e-mail we send this customer, so a mail without it is not
    # ours. Kept readable (it must be printed), never logged; set only through
    # ``do_set_anti_phishing_code``, which validates it and notifies the customer.
    anti_phishing_code: Mapped[str | None] = mapped_column(String(32), default=None)
    # When the code was last set, changed or removed.
    anti_phishing_code_set_at: Mapped[datetime | None] = mapped_column(default=None)


class Agent(Base):
    __tablename__ = "agents"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    name: Mapped[str] = mapped_column(GuardedString(200))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[Role] = mapped_column(db_enum(Role), default=Role.agent)
    locale: Mapped[str] = mapped_column(String(16), default="en")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Two-factor sign-in (accounts/totp.py): the TOTP secret, encrypted with a key derived from
    # LEDGERDESK_SECRET_KEY; set but not enabled while the agent is enrolling.
    totp_secret: Mapped[str | None] = mapped_column(String(255), default=None)
    totp_enabled_at: Mapped[datetime | None] = mapped_column(default=None)
    # The 30-second step of the last accepted code, so one code cannot be used twice.
    totp_last_step: Mapped[int | None] = mapped_column(BigInteger, default=None)
    password_changed_at: Mapped[datetime | None] = mapped_column(default=None)

    # Loaded when asked for: a list of agents must not drag in every team's members.
    teams: Mapped[list[Team]] = relationship(secondary="team_members", back_populates="members")


class Team(Base):
    __tablename__ = "teams"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(GuardedString(120), unique=True)
    tier: Mapped[Tier] = mapped_column(db_enum(Tier), default=Tier.l1)
    # Where an escalation from this team goes (sla/escalation.py); None: the first team of
    # the next tier (L1 -> L2 -> specialist). No database foreign key: adding one to an existing
    # SQLite ``teams`` would copy the table and cascade its memberships away; teams are never
    # deleted and the service checks the id.
    escalation_team_id: Mapped[int | None] = mapped_column(Integer, default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    members: Mapped[list[Agent]] = relationship(secondary="team_members", back_populates="teams")


class TeamMember(Base):
    __tablename__ = "team_members"

    team_id: Mapped[int] = mapped_column(
        ForeignKey("teams.id", ondelete="CASCADE"), primary_key=True
    )
    agent_id: Mapped[int] = mapped_column(
        ForeignKey("agents.id", ondelete="CASCADE"), primary_key=True
    )


class ApiToken(Base):
    """A bearer token for integrations; only its SHA-256 is stored."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    agent_id: Mapped[int] = mapped_column(ForeignKey("agents.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(GuardedString(120))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(default=None)
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)
    revoked_at: Mapped[datetime | None] = mapped_column(default=None)
    # None: valid until revoked.
    expires_at: Mapped[datetime | None] = mapped_column(default=None)


class PortalCode(Base):
    """A one-time sign-in code for the customer portal; only its hash is stored."""

    __tablename__ = "portal_codes"
    __table_args__ = (Index("ix_portal_codes_email_created", "email", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320))
    code_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    used_at: Mapped[datetime | None] = mapped_column(default=None)


class AuthSession(Base):
    """A signed-in browser (console agent or portal customer). The signed cookie carries a
    random id; only its SHA-256 is stored, so a database leak signs nobody in."""

    __tablename__ = "auth_sessions"
    __table_args__ = (Index("ix_auth_sessions_agent", "agent_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    id_hash: Mapped[str] = mapped_column(String(64), unique=True)
    agent_id: Mapped[int | None] = mapped_column(
        ForeignKey("agents.id", ondelete="CASCADE"), default=None
    )
    customer_id: Mapped[int | None] = mapped_column(
        ForeignKey("customers.id", ondelete="CASCADE"), default=None
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None] = mapped_column(default=None)
    user_agent: Mapped[str] = mapped_column(GuardedString(200), default="")


class RecoveryCode(Base):
    """A one-time code that replaces the authenticator app once; only its SHA-256 is stored."""

    __tablename__ = "agent_recovery_codes"
    __table_args__ = (Index("ix_agent_recovery_codes_agent", "agent_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agent_id: Mapped[int] = mapped_column(ForeignKey("agents.id", ondelete="CASCADE"))
    code_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    used_at: Mapped[datetime | None] = mapped_column(default=None)


class SecurityEvent(Base):
    """One line of the security log: who did what to whom, when and from where. Never a
    password, code or token."""

    __tablename__ = "security_events"
    __table_args__ = (Index("ix_security_events_created", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    actor_kind: Mapped[str] = mapped_column(String(16))
    actor_id: Mapped[int | None] = mapped_column(Integer, default=None)
    target_kind: Mapped[str | None] = mapped_column(String(16), default=None)
    target_id: Mapped[int | None] = mapped_column(Integer, default=None)
    detail: Mapped[str] = mapped_column(GuardedString(200), default="")
    client_address: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


__all__ = [
    "Agent",
    "ApiToken",
    "AuthSession",
    "Customer",
    "PortalCode",
    "RecoveryCode",
    "Role",
    "SecurityEvent",
    "Team",
    "TeamMember",
    "Tier",
]
