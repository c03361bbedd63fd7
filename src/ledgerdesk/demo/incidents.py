"""The demo desk's incidents, from ``data/demo/incidents.yaml``: one open (with its matching
open tickets linked and answered once, as the jobs would have done) and one resolved recently
(on the status page with its timeline). Everything runs with the clock frozen at the moment it
happened, inside the demo's ``recording_history`` (nothing is e-mailed, no job is queued)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ledgerdesk.accounts.models import Agent, Role
from ledgerdesk.accounts.services import SYSTEM, Actor, agent_actor
from ledgerdesk.core.clock import frozen_at
from ledgerdesk.core.errors import DomainError
from ledgerdesk.core.paths import shipped_data_dir
from ledgerdesk.demo.yamlcheck import StrictLoader, kind_of
from ledgerdesk.incidents import delivery, linking
from ledgerdesk.incidents import services as svc
from ledgerdesk.incidents.models import Incident, IncidentStatus
from ledgerdesk.tickets.models import Message

FILE = "incidents.yaml"


class IncidentsFileError(ValueError):
    """The demo's incidents file is not what it should be (the message names file and key)."""


@dataclass
class _Planned:
    data: svc.IncidentIn
    started: float
    updates: list[dict[str, Any]]
    resolved: float | None
    resolved_en: str
    resolved_zh: str


def read_incidents(path: Path | None = None) -> list[_Planned]:
    path = path or shipped_data_dir() / "demo" / FILE
    if not path.is_file():
        return []
    try:
        loaded = yaml.load(path.read_text(encoding="utf-8"), Loader=StrictLoader)  # noqa: S506
    except yaml.YAMLError as exc:
        raise IncidentsFileError(f"{path.name}: {exc}") from None
    rows = loaded.get("incidents") if isinstance(loaded, dict) else None
    if not isinstance(rows, list):
        raise IncidentsFileError(f"{path.name}: 'incidents' must be a list, not {kind_of(rows)}")
    return [_planned(path.name, n, row) for n, row in enumerate(rows, 1)]


def _planned(name: str, number: int, row: Any) -> _Planned:
    where = f"{name}: incident {number}"
    if not isinstance(row, dict):
        raise IncidentsFileError(f"{where} must be a mapping, not {kind_of(row)}")
    try:
        data = svc.check_incident(
            svc.IncidentIn(
                title_en=str(row["title_en"]),
                title_zh=str(row["title_zh"]),
                body_en=str(row.get("body_en", "")),
                body_zh=str(row.get("body_zh", "")),
                intent=row.get("intent"),
                network=row.get("network"),
            )
        )
        updates = list(row.get("updates") or [])
        for update in updates:
            if update.get("status"):
                svc.check_status(str(update["status"]))
        return _Planned(
            data=data,
            started=float(row["started_hours_ago"]),
            updates=updates,
            resolved=float(row["resolved_hours_ago"]) if "resolved_hours_ago" in row else None,
            resolved_en=str(row.get("resolved_en", "")),
            resolved_zh=str(row.get("resolved_zh", "")),
        )
    except KeyError as exc:
        raise IncidentsFileError(f"{where}: {exc.args[0]!r} is missing") from None
    except DomainError as exc:
        raise IncidentsFileError(f"{where}: {exc.message}") from None
    except (TypeError, ValueError, AttributeError) as exc:
        raise IncidentsFileError(f"{where}: {exc}") from None


def load_incidents(session: Session, now: datetime) -> int:
    """Create the demo incidents (the caller is inside ``recording_history``); returns how
    many tickets were linked."""
    lead_row = session.scalar(select(Agent).where(Agent.role == Role.lead).order_by(Agent.id))
    lead: Actor = agent_actor(lead_row) if lead_row is not None else SYSTEM
    linked = 0
    for plan in read_incidents():
        linked += _play(session, lead, plan, now)
    return linked


def _at(now: datetime, hours: float) -> datetime:
    return now - timedelta(hours=hours)


def _play(session: Session, lead: Actor, plan: _Planned, now: datetime) -> int:
    with frozen_at(_at(now, plan.started)):
        incident = svc.do_create_incident(session, lead, plan.data)
    linked = _link_open_tickets(session, incident, now) if plan.resolved is None else []
    for update in plan.updates:
        with frozen_at(_at(now, float(update["hours_ago"]))):
            row = svc.do_post_update(
                session,
                lead,
                incident,
                str(update["body_en"]),
                str(update["body_zh"]),
                status=IncidentStatus(str(update["status"])),
                send=bool(update.get("send")),
            )
        if row.sent:
            for ticket_id in linked:
                _deliver_after_last(session, incident, delivery.update_key(row.id), ticket_id, now)
    if plan.resolved is not None:
        with frozen_at(_at(now, plan.resolved)):
            svc.do_resolve(session, lead, incident, plan.resolved_en, plan.resolved_zh)
    return len(linked)


def _link_open_tickets(session: Session, incident: Incident, now: datetime) -> list[int]:
    """What the linking job did when the incident opened (and at each later triage)."""
    ticket_ids = []
    for ticket in linking.matching_tickets(session, incident):
        # Linked when the incident opened, or when triage described a later ticket.
        with frozen_at(max(ticket.created_at, incident.started_at)):
            linking.link_one(session, SYSTEM, incident, ticket)
        _deliver_after_last(session, incident, linking.AUTO_KEY, ticket.id, now)
        ticket_ids.append(ticket.id)
    return ticket_ids


def _deliver_after_last(
    session: Session, incident: Incident, key: str, ticket_id: int, now: datetime
) -> None:
    """Post the message a minute after the ticket's last one (and not before the incident or
    the update it carries), so every ticket's history stays in order."""
    last = session.scalar(
        select(func.max(Message.created_at)).where(Message.ticket_id == ticket_id)
    )
    moment = max(last or incident.started_at, incident.updated_at) + timedelta(minutes=1)
    with frozen_at(min(moment, now)):
        delivery.deliver(session, incident.id, key, ticket_id)
