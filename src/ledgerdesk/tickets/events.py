"""The ticket's history, written: every ticket change records one ``Event`` in the caller's
transaction (``tickets.timeline`` reads them back in words); and the message counter
(``next_seq``) that numbers a ticket's messages."""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import Table, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

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


def next_seq(session: Session, ticket: Ticket) -> int:
    """Take the next message number of ``ticket`` (flushed already).

    One ``UPDATE ... RETURNING``: on PostgreSQL it holds the ticket row's lock until commit, so
    two transactions adding messages to one ticket run one after the other and the numbers are
    in commit order with no gaps; SQLite has one writer at a time anyway. The new value is set
    as already committed so the ORM does not write it a second time."""
    return take_seqs(session, ticket, 1)


def take_seqs(session: Session, ticket: Ticket, count: int) -> int:
    """Reserve ``count`` numbers at once (a merge moving messages); returns the first."""
    table = cast(Table, Ticket.__table__)
    last = session.execute(
        update(table)
        .where(table.c.id == ticket.id)
        .values(last_seq=table.c.last_seq + count)
        .returning(table.c.last_seq)
    ).scalar_one()
    set_committed_value(ticket, "last_seq", last)
    return int(last) - count + 1
