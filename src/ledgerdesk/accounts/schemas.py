"""API shapes for agents, teams and tokens."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from ledgerdesk.accounts.models import Role, Tier
from ledgerdesk.core.types import Email, Id, UtcDateTime


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class AgentCreate(_In):
    email: Email
    name: str = Field(min_length=1, max_length=200)
    password: str = Field(min_length=10, max_length=200)
    role: Role = Role.agent
    locale: str = Field(default="en", pattern=r"^(en|zh-CN)$")


class AgentPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    email: str
    name: str
    role: Role
    locale: str
    active: bool
    team_ids: list[int]


class TeamCreate(_In):
    name: str = Field(min_length=1, max_length=120)
    tier: Tier = Tier.l1


class TeamPublic(BaseModel):
    id: int
    name: str
    tier: Tier
    member_ids: list[int]


class MemberAdd(_In):
    agent_id: Id


class TokenCreate(_In):
    name: str = Field(min_length=1, max_length=120)
    expires_in_days: int | None = Field(default=None, ge=1, le=3650, strict=True)
    expires_at: datetime | None = None
    # Admins may make a token for another agent; everyone else only for themselves.
    agent_id: Id | None = None


class TokenCreated(BaseModel):
    token: str
    id: int
    agent_id: int
    name: str
    created_at: UtcDateTime
    expires_at: UtcDateTime | None


class TokenPublic(BaseModel):
    id: int
    agent_id: int
    name: str
    created_at: UtcDateTime
    last_used_at: UtcDateTime | None
    expires_at: UtcDateTime | None
    revoked_at: UtcDateTime | None
    status: str


class AgentReset(_In):
    # Empty: a password is generated and returned once.
    password: str | None = Field(default=None, min_length=10, max_length=200)


class AgentResetResult(BaseModel):
    agent: AgentPublic
    generated_password: str | None


class SecurityEventPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    kind: str
    actor_kind: str
    actor_id: int | None
    target_kind: str | None
    target_id: int | None
    detail: str
    client_address: str
    created_at: UtcDateTime


class Me(BaseModel):
    kind: str
    id: int | None
    role: Role | None
    team_ids: list[int]
