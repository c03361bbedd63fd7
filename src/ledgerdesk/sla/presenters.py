"""Rows to API shapes."""

from __future__ import annotations

from ledgerdesk.sla.models import BusinessCalendar, SlaPolicy, SlaTarget
from ledgerdesk.sla.schemas import CalendarPublic, ClockPublic, HolidayPublic, PolicyPublic


def calendar_public(calendar: BusinessCalendar, team_ids: list[int]) -> CalendarPublic:
    return CalendarPublic(
        id=calendar.id,
        name=calendar.name,
        timezone=calendar.timezone,
        hours=calendar.hours,
        is_default=calendar.is_default,
        holidays=[HolidayPublic(id=h.id, day=h.day, name=h.name) for h in calendar.holidays],
        team_ids=team_ids,
    )


def policy_public(policy: SlaPolicy) -> PolicyPublic:
    return PolicyPublic.model_validate(
        {
            "id": policy.id,
            "position": policy.position,
            "name": policy.name,
            "enabled": policy.enabled,
            "priorities": policy.priorities or [],
            "intents": policy.intents or [],
            "channels": policy.channels or [],
            "team_ids": policy.team_ids or [],
            "vip": policy.vip,
            "first_reply": policy.first_reply,
            "next_reply": policy.next_reply,
            "periodic_update": policy.periodic_update,
            "resolution": policy.resolution,
            "hours": policy.hours,
        }
    )


def clock_public(clock: SlaTarget) -> ClockPublic:
    return ClockPublic(
        id=clock.id,
        target=clock.target,
        policy_id=clock.policy_id,
        started_at=clock.started_at,
        due_at=clock.due_at,
        paused_at=clock.paused_at,
        warned_at=clock.warned_at,
        breached_at=clock.breached_at,
        completed_at=clock.completed_at,
    )
