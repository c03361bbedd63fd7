"""Which tickets an incident explains: linking by hand, and automatically by intent and
network (the open matching tickets when an incident opens or changes what it matches, and each
ticket triage has just described). A newly linked ticket gets one automatic answer pointing to
the status page (``incidents.delivery``), queued as a job."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import and_, exists, or_, select
from sqlalchemy.orm import Session

from ledgerdesk.accounts.services import Actor
from ledgerdesk.channels.outgoing import is_history
from ledgerdesk.core.clock import utcnow
from ledgerdesk.core.errors import InvalidTransition
from ledgerdesk.incidents.models import OPEN_INCIDENT, Incident, IncidentTicket, LinkedBy
from ledgerdesk.jobs.outbox import enqueue
from ledgerdesk.tickets.events import record
from ledgerdesk.tickets.models import OPEN_STATUSES, Ticket
from ledgerdesk.tickets.services import access_ticket

# Automatic linking takes open tickets created up to this long before the incident started:
# an incident is usually opened some time after the first customers wrote.
LOOKBACK = timedelta(hours=24)
DELIVER_TOPIC = "incidents.deliver"
AUTO_KEY = "auto"


def linked_ticket_ids(session: Session, incident_id: int) -> list[int]:
    """The tickets linked now (not unlinked), oldest link first."""
    query = (
        select(IncidentTicket.ticket_id)
        .where(IncidentTicket.incident_id == incident_id, IncidentTicket.unlinked_at.is_(None))
        .order_by(IncidentTicket.id)
    )
    return list(session.scalars(query))


def links(session: Session, incident_id: int) -> list[tuple[IncidentTicket, Ticket]]:
    query = (
        select(IncidentTicket, Ticket)
        .join(Ticket, Ticket.id == IncidentTicket.ticket_id)
        .where(IncidentTicket.incident_id == incident_id, IncidentTicket.unlinked_at.is_(None))
        .order_by(IncidentTicket.id.desc())
    )
    return [(link, ticket) for link, ticket in session.execute(query)]


def incidents_of_ticket(session: Session, ticket_id: int) -> list[Incident]:
    query = (
        select(Incident)
        .join(IncidentTicket, IncidentTicket.incident_id == Incident.id)
        .where(IncidentTicket.ticket_id == ticket_id, IncidentTicket.unlinked_at.is_(None))
        .order_by(Incident.id.desc())
    )
    return list(session.scalars(query))


def _find(session: Session, incident_id: int, ticket_id: int) -> IncidentTicket | None:
    return session.scalar(
        select(IncidentTicket).where(
            IncidentTicket.incident_id == incident_id, IncidentTicket.ticket_id == ticket_id
        )
    )


def _link(
    session: Session, actor: Actor, incident: Incident, ticket: Ticket, by: LinkedBy
) -> IncidentTicket:
    now = utcnow()
    row = _find(session, incident.id, ticket.id)
    if row is None:
        row = IncidentTicket(incident_id=incident.id, ticket_id=ticket.id, linked_by=by)
        session.add(row)
    row.linked_by, row.linked_at, row.unlinked_at = by, now, None
    row.agent_id = actor.id if actor.is_agent else None
    after = {"incident_id": incident.id, "automatic": by == LinkedBy.auto}
    record(session, ticket, actor, "incident.linked", None, after)
    session.flush()
    if incident.is_open and not is_history(session):  # sent once (incidents.delivery)
        payload = {"incident_id": incident.id, "key": AUTO_KEY, "ticket_id": ticket.id}
        enqueue(session, DELIVER_TOPIC, payload)
    return row


def do_link(session: Session, actor: Actor, incident: Incident, ticket_id: int) -> IncidentTicket:
    """Link a ticket by hand (any agent who can see the ticket)."""
    ticket = access_ticket(session, actor, ticket_id)
    row = _find(session, incident.id, ticket.id)
    if row is not None and row.unlinked_at is None:
        raise InvalidTransition(f"Ticket #{ticket.id} is already linked to this incident")
    return _link(session, actor, incident, ticket, LinkedBy.agent)


def do_unlink(session: Session, actor: Actor, incident: Incident, ticket_id: int) -> None:
    """Take a ticket out; automatic linking will not bring it back."""
    ticket = access_ticket(session, actor, ticket_id)
    row = _find(session, incident.id, ticket.id)
    if row is None or row.unlinked_at is not None:
        raise InvalidTransition(f"Ticket #{ticket.id} is not linked to this incident")
    row.unlinked_at = utcnow()
    record(session, ticket, actor, "incident.unlinked", None, {"incident_id": incident.id})


def _matches_ticket(incident: Incident) -> list[object]:
    """Conditions on ``Ticket`` for the tickets ``incident`` explains."""
    conditions: list[object] = [
        Ticket.status.in_(OPEN_STATUSES),
        Ticket.merged_into_id.is_(None),
        Ticket.created_at >= incident.started_at - LOOKBACK,
        ~exists().where(
            IncidentTicket.incident_id == incident.id, IncidentTicket.ticket_id == Ticket.id
        ),
    ]
    if incident.intent is not None:
        conditions.append(Ticket.intent == incident.intent)
    if incident.network is not None:
        conditions.append(Ticket.network == incident.network)
    return conditions


def matching_tickets(session: Session, incident: Incident) -> list[Ticket]:
    """The open tickets ``incident`` explains that are not linked yet (none for an incident
    that names neither intent nor network, or is resolved)."""
    if not incident.is_open or (incident.intent is None and incident.network is None):
        return []
    query = select(Ticket).where(*_matches_ticket(incident)).order_by(Ticket.id)  # type: ignore[arg-type]
    return list(session.scalars(query))


def link_one(session: Session, actor: Actor, incident: Incident, ticket: Ticket) -> None:
    """Link a matching ticket automatically (the demo loader links at each ticket's moment)."""
    _link(session, actor, incident, ticket, LinkedBy.auto)


def link_matching(session: Session, actor: Actor, incident: Incident) -> int:
    """Link every open matching ticket not linked yet; returns how many."""
    found = matching_tickets(session, incident)
    for ticket in found:
        _link(session, actor, incident, ticket, LinkedBy.auto)
    return len(found)


def link_ticket(session: Session, actor: Actor, ticket: Ticket) -> list[Incident]:
    """Link ``ticket`` to every open incident it matches (after triage described it)."""
    if ticket.status not in OPEN_STATUSES or ticket.merged_into_id is not None:
        return []
    if ticket.intent is None and ticket.network is None:
        return []
    query = select(Incident).where(
        Incident.status.in_(OPEN_INCIDENT),
        or_(Incident.intent.is_not(None), Incident.network.is_not(None)),
        or_(Incident.intent.is_(None), Incident.intent == ticket.intent),
        or_(Incident.network.is_(None), Incident.network == ticket.network),
        Incident.started_at <= ticket.created_at + LOOKBACK,
        ~exists().where(
            and_(IncidentTicket.incident_id == Incident.id, IncidentTicket.ticket_id == ticket.id)
        ),
    )
    found = list(session.scalars(query.order_by(Incident.id)))
    for incident in found:
        _link(session, actor, incident, ticket, LinkedBy.auto)
    return found
