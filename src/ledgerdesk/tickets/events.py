"""The ticket's history, written: every ticket change records one ``Event`` in the caller's
transaction (``tickets.timeline`` reads them back in words)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from ledgerdesk.accounts.services import Actor
from ledgerdesk.core.clock import utcnow
from ledgerdesk.tickets.models import ActorKind, Event, Ticket


def record(
    session: Session,
    ticket: Ticket | None,
    actor: Actor,
    action: str,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> Event:
    """Add one event (``ticket`` is None for a change outside any ticket); not flushed."""
    event = Event(
        ticket_id=ticket.id if ticket else None,
        actor_kind=ActorKind(actor.kind),
        actor_id=actor.id,
        action=action,
        before=before,
        after=after,
        created_at=utcnow(),
    )
    session.add(event)
    return event


def touch(ticket: Ticket) -> None:
    """Mark the ticket as changed now (its ``updated_at``)."""
    ticket.updated_at = utcnow()
