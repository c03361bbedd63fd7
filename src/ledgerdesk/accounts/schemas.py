"""API shapes for agents, teams and tokens."""

from __future__ import annotations

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


class TokenCreated(BaseModel):
    token: str
    name: str
    created_at: UtcDateTime


class Me(BaseModel):
    kind: str
    id: int | None
    role: Role | None
    team_ids: list[int]
