"""The demo desk's service levels (``data/demo/sla.yaml``): calendars with holidays, the
teams that follow them, and the policies. ``load`` runs before the demo's tickets are played,
so their clocks run as the history is written; ``record_past_breaches`` runs after, and
records each warning and breach the SLA check would have recorded, at its own moment."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

import ledgerdesk.sla.clocks  # noqa: F401  (the clocks run while the history is written)
from ledgerdesk.accounts.models import Team
from ledgerdesk.accounts.services import SYSTEM
from ledgerdesk.core.clock import frozen_at
from ledgerdesk.core.paths import shipped_data_dir
from ledgerdesk.sla import services as sla
from ledgerdesk.sla.models import SlaTarget
from ledgerdesk.sla.schemas import CalendarIn, HolidayIn, PolicyIn
from ledgerdesk.tickets.events import record
from ledgerdesk.tickets.models import Ticket

SLA_FILE = "sla.yaml"


class DemoSlaError(ValueError):
    """``sla.yaml`` is malformed; the message names the file and the entry."""


def read(path: Path | None = None) -> dict[str, Any]:
    path = path or shipped_data_dir() / "demo" / SLA_FILE
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict) or not {"calendars", "policies"} <= set(data):
        raise DemoSlaError(f"{path.name}: needs 'calendars' and 'policies'")
    return data


def load(session: Session, teams: dict[str, Team], keys: dict[str, str], at: datetime) -> int:
    """Create the calendars and policies (``teams`` by name, ``keys``: desk.yaml key to team
    name); returns how many policies."""
    data = read()
    actor = SYSTEM
    with frozen_at(at):
        for entry in data["calendars"]:
            try:
                calendar = sla.do_create_calendar(
                    session,
                    actor,
                    CalendarIn(
                        name=entry["name"],
                        timezone=entry.get("timezone", "UTC"),
                        hours=entry.get("hours", ""),
                        is_default=bool(entry.get("default")),
                    ),
                )
                for holiday in entry.get("holidays", []):
                    day = holiday["day"]
                    sla.do_add_holiday(
                        session,
                        actor,
                        calendar,
                        HolidayIn(
                            day=day if isinstance(day, date) else date.fromisoformat(day),
                            name=holiday.get("name", ""),
                        ),
                    )
                for key in entry.get("teams", []):
                    team = teams[keys[key]]
                    sla.do_set_team_calendar(session, actor, team.id, calendar.id)
            except (KeyError, ValueError) as exc:
                raise DemoSlaError(f"{SLA_FILE}: calendar {entry.get('name')!r}: {exc}") from None
        for entry in data["policies"]:
            try:
                sla.do_create_policy(session, actor, PolicyIn.model_validate(entry))
            except ValueError as exc:
                raise DemoSlaError(f"{SLA_FILE}: policy {entry.get('name')!r}: {exc}") from None
    return len(data["policies"])


def record_past_breaches(session: Session, now: datetime) -> int:
    """Every warning and breach of the demo's history, recorded at the moment it fell due
    (a clock completed after its due time was breached then; a running one past due too)."""
    session.flush()
    clocks = session.scalars(
        select(SlaTarget).where(SlaTarget.due_at.is_not(None)).order_by(SlaTarget.due_at)
    ).all()
    breaches = 0
    for clock in clocks:
        assert clock.due_at is not None
        end = min(clock.completed_at or now, now)
        ticket = session.get(Ticket, clock.ticket_id)
        after = {
            "target": clock.target,
            "due_at": clock.due_at.isoformat(),
            "policy_id": clock.policy_id,
        }
        if clock.warn_at is not None and clock.warn_at <= end and clock.warn_at < clock.due_at:
            clock.warned_at = clock.warn_at
            with frozen_at(clock.warn_at):
                record(session, ticket, SYSTEM, "sla.warning", None, after)
        if clock.due_at <= end:
            clock.breached_at = clock.due_at
            with frozen_at(clock.due_at):
                record(session, ticket, SYSTEM, "sla.breached", None, after)
            breaches += 1
    return breaches
