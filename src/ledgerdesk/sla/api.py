"""JSON routes for SLAs under /api/v1/sla (admin token): calendars, holidays, a team's
calendar, policies and their order; and a ticket's clocks (agents who can see it)."""

from __future__ import annotations

from fastapi import APIRouter, Response

from ledgerdesk.accounts.models import Role
from ledgerdesk.accounts.services import Actor, require_role
from ledgerdesk.core.types import PathId
from ledgerdesk.sla import presenters
from ledgerdesk.sla import services as svc
from ledgerdesk.sla.schemas import (
    CalendarIn,
    CalendarList,
    CalendarPublic,
    ClockList,
    HolidayIn,
    HolidayPublic,
    PolicyIn,
    PolicyList,
    PolicyMove,
    PolicyPublic,
    TeamCalendarIn,
)
from ledgerdesk.tickets.services import access_ticket
from ledgerdesk.web.deps import CurrentAgent, Db

router = APIRouter(prefix="/api/v1", tags=["SLA"])


def _admin(actor: Actor) -> None:
    require_role(actor, Role.admin)


def _calendar(db: Db, actor: Actor, calendar_id: int) -> CalendarPublic:
    calendar = svc.access_calendar(db, actor, calendar_id)
    teams = [t for t, c in svc.team_calendars(db).items() if c == calendar.id]
    return presenters.calendar_public(calendar, sorted(teams))


@router.get("/sla/calendars")
def list_calendars(db: Db, actor: CurrentAgent) -> CalendarList:
    """Every business calendar with its holidays and the teams that follow it (admins)."""
    _admin(actor)
    teams = svc.team_calendars(db)
    return CalendarList(
        items=[
            presenters.calendar_public(c, sorted(t for t, cid in teams.items() if cid == c.id))
            for c in svc.list_calendars(db)
        ]
    )


@router.post("/sla/calendars", status_code=201)
def create_calendar(data: CalendarIn, db: Db, actor: CurrentAgent) -> CalendarPublic:
    """A calendar: IANA time zone and weekly hours (``mon-fri 09:00-18:00``; empty: 24/7)."""
    calendar = svc.do_create_calendar(db, actor, data)
    db.commit()
    return _calendar(db, actor, calendar.id)


@router.get("/sla/calendars/{calendar_id}")
def get_calendar(calendar_id: PathId, db: Db, actor: CurrentAgent) -> CalendarPublic:
    return _calendar(db, actor, calendar_id)


@router.put("/sla/calendars/{calendar_id}")
def update_calendar(
    calendar_id: PathId, data: CalendarIn, db: Db, actor: CurrentAgent
) -> CalendarPublic:
    calendar = svc.access_calendar(db, actor, calendar_id)
    svc.do_update_calendar(db, actor, calendar, data)
    db.commit()
    return _calendar(db, actor, calendar_id)


@router.delete("/sla/calendars/{calendar_id}", status_code=204)
def delete_calendar(calendar_id: PathId, db: Db, actor: CurrentAgent) -> Response:
    calendar = svc.access_calendar(db, actor, calendar_id)
    svc.do_delete_calendar(db, actor, calendar)
    db.commit()
    return Response(status_code=204)


@router.post("/sla/calendars/{calendar_id}/holidays", status_code=201)
def add_holiday(calendar_id: PathId, data: HolidayIn, db: Db, actor: CurrentAgent) -> HolidayPublic:
    """A closed day (in the calendar's time zone)."""
    calendar = svc.access_calendar(db, actor, calendar_id)
    holiday = svc.do_add_holiday(db, actor, calendar, data)
    db.commit()
    return HolidayPublic(id=holiday.id, day=holiday.day, name=holiday.name)


@router.delete("/sla/calendars/{calendar_id}/holidays/{holiday_id}", status_code=204)
def remove_holiday(
    calendar_id: PathId, holiday_id: PathId, db: Db, actor: CurrentAgent
) -> Response:
    calendar = svc.access_calendar(db, actor, calendar_id)
    svc.do_remove_holiday(db, actor, calendar, holiday_id)
    db.commit()
    return Response(status_code=204)


@router.put("/sla/teams/{team_id}/calendar", status_code=204)
def set_team_calendar(
    team_id: PathId, data: TeamCalendarIn, db: Db, actor: CurrentAgent
) -> Response:
    """The team's business hours follow this calendar (``null``: the default one)."""
    svc.do_set_team_calendar(db, actor, team_id, data.calendar_id)
    db.commit()
    return Response(status_code=204)


@router.get("/sla/policies")
def list_policies(db: Db, actor: CurrentAgent) -> PolicyList:
    """The policies in the order they are tried; the first that matches applies (admins)."""
    _admin(actor)
    return PolicyList(items=[presenters.policy_public(p) for p in svc.list_policies(db)])


@router.post("/sla/policies", status_code=201)
def create_policy(data: PolicyIn, db: Db, actor: CurrentAgent) -> PolicyPublic:
    policy = svc.do_create_policy(db, actor, data)
    db.commit()
    return presenters.policy_public(policy)


@router.get("/sla/policies/{policy_id}")
def get_policy(policy_id: PathId, db: Db, actor: CurrentAgent) -> PolicyPublic:
    return presenters.policy_public(svc.access_policy(db, actor, policy_id))


@router.put("/sla/policies/{policy_id}")
def update_policy(policy_id: PathId, data: PolicyIn, db: Db, actor: CurrentAgent) -> PolicyPublic:
    policy = svc.access_policy(db, actor, policy_id)
    svc.do_update_policy(db, actor, policy, data)
    db.commit()
    return presenters.policy_public(policy)


@router.post("/sla/policies/{policy_id}/move")
def move_policy(policy_id: PathId, data: PolicyMove, db: Db, actor: CurrentAgent) -> PolicyList:
    policy = svc.access_policy(db, actor, policy_id)
    svc.do_move_policy(db, actor, policy, data.direction)
    db.commit()
    return PolicyList(items=[presenters.policy_public(p) for p in svc.list_policies(db)])


@router.delete("/sla/policies/{policy_id}", status_code=204)
def delete_policy(policy_id: PathId, db: Db, actor: CurrentAgent) -> Response:
    policy = svc.access_policy(db, actor, policy_id)
    svc.do_delete_policy(db, actor, policy)
    db.commit()
    return Response(status_code=204)


@router.get("/tickets/{ticket_id}/sla")
def ticket_clocks(ticket_id: PathId, db: Db, actor: CurrentAgent) -> ClockList:
    """Every SLA clock the ticket ran, oldest first."""
    ticket = access_ticket(db, actor, ticket_id)
    return ClockList(items=[presenters.clock_public(c) for c in svc.clocks_of(db, ticket.id)])
