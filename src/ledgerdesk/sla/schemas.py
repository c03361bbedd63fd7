"""What the SLA API and console accept and answer."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from ledgerdesk.core.types import Id, UtcDateTime
from ledgerdesk.tickets.models import Channel, Priority

Minutes = int | None
MAX_MINUTES = 60 * 24 * 365


class CalendarIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=100)
    timezone: str = Field(default="UTC", min_length=1, max_length=64)
    hours: str = Field(default="", max_length=400)
    is_default: bool = False


class HolidayIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    day: date
    name: str = Field(default="", max_length=100)


class HolidayPublic(BaseModel):
    id: int
    day: date
    name: str


class CalendarPublic(BaseModel):
    id: int
    name: str
    timezone: str
    hours: str
    is_default: bool
    holidays: list[HolidayPublic]
    team_ids: list[int]


class TeamCalendarIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    calendar_id: Id | None


class PolicyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=100)
    enabled: bool = True
    priorities: list[Priority] = Field(default_factory=list, max_length=10)
    intents: list[str] = Field(default_factory=list, max_length=100)
    channels: list[Channel] = Field(default_factory=list, max_length=20)
    team_ids: list[Id] = Field(default_factory=list, max_length=100)
    vip: bool | None = None
    first_reply: int | None = Field(default=None, ge=1, le=MAX_MINUTES)
    next_reply: int | None = Field(default=None, ge=1, le=MAX_MINUTES)
    periodic_update: int | None = Field(default=None, ge=1, le=MAX_MINUTES)
    resolution: int | None = Field(default=None, ge=1, le=MAX_MINUTES)
    hours: Literal["business", "calendar"] = "business"


class PolicyPublic(PolicyIn):
    id: int
    position: int


class PolicyMove(BaseModel):
    model_config = ConfigDict(extra="forbid")
    direction: Literal["up", "down"]


class ClockPublic(BaseModel):
    id: int
    target: str
    policy_id: int | None
    started_at: UtcDateTime
    due_at: UtcDateTime | None
    paused_at: UtcDateTime | None
    warned_at: UtcDateTime | None
    breached_at: UtcDateTime | None
    completed_at: UtcDateTime | None


class CalendarList(BaseModel):
    items: list[CalendarPublic]


class PolicyList(BaseModel):
    items: list[PolicyPublic]


class ClockList(BaseModel):
    items: list[ClockPublic]
