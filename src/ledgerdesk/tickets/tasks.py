"""Background jobs of the tickets pillar."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ledgerdesk.jobs.outbox import enqueue, handler
from ledgerdesk.search.fulltext import terms_text
from ledgerdesk.tickets.models import Message, Ticket

BACKFILL_BATCH = 500


@handler("search.tickets_backfill")
def backfill_search_text(session: Session, payload: dict[str, Any]) -> None:
    """Analyse one batch of tickets after ``after_id``; queue the next batch if any is left.

    Safe to run twice: it recomputes the terms from the messages, it does not append."""
    last = _analyse_batch(session, int(payload.get("after_id", 0)))
    if last is not None:
        enqueue(session, "search.tickets_backfill", {"after_id": last})


def _analyse_batch(session: Session, after: int) -> int | None:
    """Recompute the terms of the next batch of tickets; the last id, or None when done."""
    tickets = list(
        session.scalars(
            select(Ticket).where(Ticket.id > after).order_by(Ticket.id).limit(BACKFILL_BATCH)
        )
    )
    if not tickets:
        return None
    bodies: dict[int, list[str]] = {t.id: [] for t in tickets}
    rows = session.execute(
        select(Message.ticket_id, Message.body)
        .where(Message.ticket_id.in_(bodies))
        .order_by(Message.id)
    )
    for ticket_id, body in rows:
        bodies[ticket_id].append(body)
    for ticket in tickets:
        ticket.search_text = terms_text(ticket.subject, *bodies[ticket.id])
    return tickets[-1].id


def backfill_all(session: Session, progress: Callable[[int, int], None] | None = None) -> int:
    """Recompute every ticket's search terms now, batch by batch (``kb reindex``)."""
    total = session.scalar(select(func.count()).select_from(Ticket)) or 0
    after, done = 0, 0
    while True:
        last = _analyse_batch(session, after)
        if last is None:
            return done
        done += min(BACKFILL_BATCH, total - done)
        after = last
        session.flush()
        if progress:
            progress(done, total)
