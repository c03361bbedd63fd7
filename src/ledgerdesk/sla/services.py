"""SLA services: the admin's calendars, holidays, team calendars and policies (``do_*``), the
clocks of a ticket, and the due badges the inbox and the ticket page show."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session, object_session

from ledgerdesk.accounts.models import Role, Team
from ledgerdesk.accounts.services import Actor, require_role
from ledgerdesk.core.business_hours import BusinessHours
from ledgerdesk.core.clock import utcnow
from ledgerdesk.core.errors import Conflict, InvalidInput, NotFound
from ledgerdesk.core.i18n import gettext
from ledgerdesk.sla import policies
from ledgerdesk.sla.models import BusinessCalendar, Holiday, SlaPolicy, SlaTarget, TeamCalendar
from ledgerdesk.sla.schemas import CalendarIn, HolidayIn, PolicyIn
from ledgerdesk.web.labels import N_

TARGET_LABELS = {
    "first_reply": N_("First reply"),
    "next_reply": N_("Next reply"),
    "periodic_update": N_("Periodic update"),
    "resolution": N_("Resolution"),
}

# --- calendars ------------------------------------------------------------------------------


def _admin(actor: Actor) -> None:
    require_role(actor, Role.admin)


def list_calendars(session: Session) -> list[BusinessCalendar]:
    return list(session.scalars(select(BusinessCalendar).order_by(BusinessCalendar.name)))


def access_calendar(session: Session, actor: Actor, calendar_id: int) -> BusinessCalendar:
    _admin(actor)
    calendar = session.get(BusinessCalendar, calendar_id)
    if calendar is None:
        raise NotFound(f"Calendar {calendar_id} not found")
    return calendar


def check_calendar(session: Session, data: CalendarIn, calendar_id: int | None = None) -> None:
    try:
        BusinessHours.parse(data.hours, data.timezone)
    except ValueError as exc:
        field = "timezone" if "time zone" in str(exc) else "hours"
        raise InvalidInput(str(exc), field=field) from None
    same = session.scalar(
        select(BusinessCalendar.id).where(
            BusinessCalendar.name == data.name.strip(), BusinessCalendar.id != (calendar_id or 0)
        )
    )
    if same is not None:
        raise Conflict(f"A calendar named '{data.name.strip()}' exists already")


def _set_default(session: Session, calendar: BusinessCalendar) -> None:
    for other in list_calendars(session):
        other.is_default = other.id == calendar.id


def do_create_calendar(session: Session, actor: Actor, data: CalendarIn) -> BusinessCalendar:
    _admin(actor)
    check_calendar(session, data)
    first = session.scalar(select(func.count()).select_from(BusinessCalendar)) == 0
    calendar = BusinessCalendar(
        name=data.name.strip(),
        timezone=data.timezone,
        hours=data.hours.strip(),
        is_default=data.is_default or first,
        updated_at=utcnow(),
    )
    session.add(calendar)
    session.flush()
    if calendar.is_default:
        _set_default(session, calendar)
    policies.invalidate(session)
    return calendar


def do_update_calendar(
    session: Session, actor: Actor, calendar: BusinessCalendar, data: CalendarIn
) -> BusinessCalendar:
    _admin(actor)
    check_calendar(session, data, calendar.id)
    calendar.name = data.name.strip()
    calendar.timezone = data.timezone
    calendar.hours = data.hours.strip()
    calendar.updated_at = utcnow()
    if data.is_default:
        _set_default(session, calendar)
    policies.invalidate(session)
    return calendar


def do_delete_calendar(session: Session, actor: Actor, calendar: BusinessCalendar) -> None:
    _admin(actor)
    if calendar.is_default and len(list_calendars(session)) > 1:
        raise Conflict("Make another calendar the default before deleting this one")
    session.delete(calendar)
    policies.invalidate(session)


def do_add_holiday(
    session: Session, actor: Actor, calendar: BusinessCalendar, data: HolidayIn
) -> Holiday:
    _admin(actor)
    if any(h.day == data.day for h in calendar.holidays):
        raise Conflict(f"{data.day.isoformat()} is a holiday of this calendar already")
    holiday = Holiday(calendar_id=calendar.id, day=data.day, name=data.name.strip())
    calendar.holidays.append(holiday)
    session.flush()
    policies.invalidate(session)
    return holiday


def do_remove_holiday(
    session: Session, actor: Actor, calendar: BusinessCalendar, holiday_id: int
) -> None:
    _admin(actor)
    holiday = next((h for h in calendar.holidays if h.id == holiday_id), None)
    if holiday is None:
        raise NotFound(f"Holiday {holiday_id} not found in this calendar")
    calendar.holidays.remove(holiday)
    policies.invalidate(session)


def team_calendars(session: Session) -> dict[int, int]:
    rows = session.execute(select(TeamCalendar.team_id, TeamCalendar.calendar_id))
    return {int(team): int(calendar) for team, calendar in rows}


def do_set_team_calendar(
    session: Session, actor: Actor, team_id: int, calendar_id: int | None
) -> None:
    """The team's business hours follow ``calendar_id`` (None: the default calendar)."""
    _admin(actor)
    if session.get(Team, team_id) is None:
        raise NotFound(f"Team {team_id} not found")
    if calendar_id is not None and session.get(BusinessCalendar, calendar_id) is None:
        raise InvalidInput(f"Calendar {calendar_id} does not exist", field="calendar_id")
    session.execute(delete(TeamCalendar).where(TeamCalendar.team_id == team_id))
    if calendar_id is not None:
        session.add(TeamCalendar(team_id=team_id, calendar_id=calendar_id))
    session.flush()
    policies.invalidate(session)


# --- policies -------------------------------------------------------------------------------


def list_policies(session: Session) -> list[SlaPolicy]:
    return list(session.scalars(select(SlaPolicy).order_by(SlaPolicy.position, SlaPolicy.id)))


def access_policy(session: Session, actor: Actor, policy_id: int) -> SlaPolicy:
    _admin(actor)
    policy = session.get(SlaPolicy, policy_id)
    if policy is None:
        raise NotFound(f"SLA policy {policy_id} not found")
    return policy


def check_policy(session: Session, data: PolicyIn) -> None:
    """Known intents and teams. A policy without targets is allowed: placed first, it exempts
    the tickets it matches from every SLA."""
    from ledgerdesk.routing.services import known_intents

    unknown = sorted(set(data.intents) - set(known_intents()))
    if unknown:
        raise InvalidInput(f"Unknown intent '{unknown[0][:64]}'", field="intents")
    if data.team_ids:
        found = set(session.scalars(select(Team.id).where(Team.id.in_(data.team_ids))))
        missing = sorted(set(data.team_ids) - found)
        if missing:
            raise InvalidInput(f"Team {missing[0]} does not exist", field="team_ids")


def _fill(policy: SlaPolicy, data: PolicyIn) -> None:
    policy.name = data.name.strip()
    policy.enabled = data.enabled
    policy.priorities = [p.value for p in data.priorities]
    policy.intents = list(data.intents)
    policy.channels = [c.value for c in data.channels]
    policy.team_ids = list(data.team_ids)
    policy.vip = data.vip
    policy.first_reply = data.first_reply
    policy.next_reply = data.next_reply
    policy.periodic_update = data.periodic_update
    policy.resolution = data.resolution
    policy.hours = data.hours
    policy.updated_at = utcnow()


def do_create_policy(session: Session, actor: Actor, data: PolicyIn) -> SlaPolicy:
    """A new policy, last in the order."""
    _admin(actor)
    check_policy(session, data)
    last = session.scalar(select(func.max(SlaPolicy.position))) or 0
    policy = SlaPolicy(position=last + 1)
    _fill(policy, data)
    session.add(policy)
    session.flush()
    policies.invalidate(session)
    return policy


def do_update_policy(session: Session, actor: Actor, policy: SlaPolicy, data: PolicyIn) -> None:
    """Change a policy; running clocks follow it at the ticket's next change."""
    _admin(actor)
    check_policy(session, data)
    _fill(policy, data)
    policies.invalidate(session)


def do_move_policy(session: Session, actor: Actor, policy: SlaPolicy, direction: str) -> None:
    _admin(actor)
    rows = list_policies(session)
    index = rows.index(policy)
    other = index - 1 if direction == "up" else index + 1
    if 0 <= other < len(rows):
        rows[index], rows[other] = rows[other], rows[index]
    for position, row in enumerate(rows, start=1):
        row.position = position
    policies.invalidate(session)


def do_delete_policy(session: Session, actor: Actor, policy: SlaPolicy) -> None:
    _admin(actor)
    session.delete(policy)
    policies.invalidate(session)


# --- clocks and badges ----------------------------------------------------------------------


def clocks_of(session: Session, ticket_id: int) -> list[SlaTarget]:
    return list(
        session.scalars(
            select(SlaTarget).where(SlaTarget.ticket_id == ticket_id).order_by(SlaTarget.id)
        )
    )


@dataclass(frozen=True)
class DueBadge:
    """The nearest running target of a ticket, as the ``sla/_due.html`` partial shows it."""

    target: str
    due_at: datetime | None
    state: str  # ok, warned, breached, paused

    @property
    def label(self) -> str:
        return gettext(TARGET_LABELS.get(self.target, self.target))

    @property
    def iso(self) -> str:
        return self.due_at.isoformat() + "Z" if self.due_at else ""


def _badge(clock: SlaTarget, now: datetime) -> DueBadge:
    if clock.paused_at is not None or clock.due_at is None:
        return DueBadge(clock.target, None, "paused")
    if clock.breached_at is not None or clock.due_at <= now:
        return DueBadge(clock.target, clock.due_at, "breached")
    if clock.warned_at is not None or (clock.warn_at is not None and clock.warn_at <= now):
        return DueBadge(clock.target, clock.due_at, "warned")
    return DueBadge(clock.target, clock.due_at, "ok")


def due_badges(session: Session, ticket_ids: Iterable[int]) -> dict[int, DueBadge]:
    """Each ticket's nearest running clock (a running one before a paused one), in one
    query for the whole page."""
    ids = sorted(set(ticket_ids))
    if not ids:
        return {}
    now = utcnow()
    rows = session.scalars(
        select(SlaTarget).where(SlaTarget.ticket_id.in_(ids), SlaTarget.completed_at.is_(None))
    )
    best: dict[int, SlaTarget] = {}
    for clock in rows:
        current = best.get(clock.ticket_id)
        if current is None or _sooner(clock, current):
            best[clock.ticket_id] = clock
    return {ticket_id: _badge(clock, now) for ticket_id, clock in best.items()}


def _sooner(clock: SlaTarget, than: SlaTarget) -> bool:
    if clock.due_at is None:
        return False
    return than.due_at is None or clock.due_at < than.due_at


def badges_for_page(tickets: Iterable[Any]) -> dict[int, DueBadge]:
    """``due_badges`` for a template's list of tickets (``sla_due_badges(tickets)``)."""
    rows = list(tickets)
    session = object_session(rows[0]) if rows else None
    if session is None:
        return {}
    return due_badges(session, [t.id for t in rows])


@dataclass(frozen=True)
class ClockView:
    target: str
    due_at: datetime | None
    paused_at: datetime | None
    breached_at: datetime | None
    completed_at: datetime | None

    @property
    def label(self) -> str:
        return gettext(TARGET_LABELS.get(self.target, self.target))


def clock_views(ticket: Any) -> list[ClockView]:
    """The ticket's clocks for its page (``sla_clocks_of(ticket)``), oldest first."""
    session = object_session(ticket)
    if session is None:
        return []
    return [
        ClockView(c.target, c.due_at, c.paused_at, c.breached_at, c.completed_at)
        for c in clocks_of(session, ticket.id)
    ]
