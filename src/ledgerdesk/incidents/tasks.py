"""Incident jobs, and the listener that sends triaged tickets to automatic linking.

After every flush, the tickets with a new ``ticket.triaged``, ``ticket.intent_changed`` or
``triage.intent_corrected`` event are collected; if an open incident exists, one
``incidents.match`` job is queued in the same transaction. Every job is safe to run twice:
links are unique per (incident, ticket) and each message has its ``incident_deliveries`` row."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event, exists, select
from sqlalchemy.orm import Session

from ledgerdesk.accounts.services import SYSTEM
from ledgerdesk.channels.outgoing import is_history
from ledgerdesk.incidents import delivery, linking
from ledgerdesk.incidents.models import OPEN_INCIDENT, Incident, IncidentUpdate
from ledgerdesk.incidents.services import BROADCAST_TOPIC, LINK_TOPIC, RESOLVED_TOPIC
from ledgerdesk.jobs.outbox import enqueue, handler
from ledgerdesk.tickets.models import Event, Ticket

MATCH_TOPIC = "incidents.match"
WATCHED = frozenset({"ticket.triaged", "ticket.intent_changed", "triage.intent_corrected"})
_PENDING = "ledgerdesk_incident_tickets"


@event.listens_for(Session, "after_flush")
def _collect(session: Session, _context: Any) -> None:
    if is_history(session):
        return
    ids = [
        obj.ticket_id
        for obj in session.new
        if isinstance(obj, Event) and obj.action in WATCHED and obj.ticket_id is not None
    ]
    if ids:
        session.info.setdefault(_PENDING, set()).update(ids)


@event.listens_for(Session, "after_flush_postexec")
def _queue(session: Session, _context: Any) -> None:
    ids = session.info.pop(_PENDING, None)
    if not ids:
        return
    query = select(exists().where(Incident.status.in_(OPEN_INCIDENT)))
    if session.connection().scalar(query):  # the connection: no autoflush inside a flush
        enqueue(session, MATCH_TOPIC, {"ticket_ids": sorted(ids)})


@handler(MATCH_TOPIC)
def match_tickets(session: Session, payload: dict[str, Any]) -> None:
    for ticket_id in payload.get("ticket_ids", []):
        ticket = session.get(Ticket, int(ticket_id))
        if ticket is not None:
            linking.link_ticket(session, SYSTEM, ticket)


@handler(LINK_TOPIC)
def link_incident(session: Session, payload: dict[str, Any]) -> None:
    incident = session.get(Incident, int(payload["incident_id"]))
    if incident is not None:
        linking.link_matching(session, SYSTEM, incident)


@handler(linking.DELIVER_TOPIC)
def deliver_one(session: Session, payload: dict[str, Any]) -> None:
    delivery.deliver(
        session,
        int(payload["incident_id"]),
        str(payload["key"]),
        int(payload["ticket_id"]),
        solve=bool(payload.get("solve")),
    )


def _fan_out(session: Session, incident_id: int, key: str, solve: bool = False) -> None:
    """One delivery job per linked ticket (each posts its message once)."""
    for ticket_id in linking.linked_ticket_ids(session, incident_id):
        payload = {"incident_id": incident_id, "key": key, "ticket_id": ticket_id}
        if solve:
            payload["solve"] = True
        enqueue(session, linking.DELIVER_TOPIC, payload)


@handler(BROADCAST_TOPIC)
def broadcast_update(session: Session, payload: dict[str, Any]) -> None:
    update = session.get(IncidentUpdate, int(payload["update_id"]))
    if update is not None and update.sent:
        _fan_out(session, update.incident_id, delivery.update_key(update.id))


@handler(RESOLVED_TOPIC)
def notify_resolved(session: Session, payload: dict[str, Any]) -> None:
    incident_id = int(payload["incident_id"])
    _fan_out(session, incident_id, delivery.RESOLVED_KEY, bool(payload.get("solve")))
