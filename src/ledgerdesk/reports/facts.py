"""The per-ticket facts table (``report_ticket_facts``), computed from each ticket's events.

``refresh`` is incremental (the events after the watermark, re-reading ``OVERLAP`` ids before
it because transactions may commit out of id order); ``rebuild`` starts from nothing. Both
recompute whole tickets, so running either twice gives the same rows (docs/metrics.md)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import Session

from ledgerdesk.core.clock import utcnow
from ledgerdesk.reports.models import TicketFacts, Watermark
from ledgerdesk.tickets.models import ActorKind, Event, Ticket

NAME = "ticket_facts"
OVERLAP = 1000  # event ids re-read before the watermark (late commits)
BATCH = 1000  # tickets recomputed per statement
RELEVANT = ("ticket.created", "ticket.status_changed", "message.public")
SOLVED = "solved"
DONE = ("solved", "closed")

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class _Row:
    ticket_id: int
    action: str
    actor_kind: str
    actor_id: int | None
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    at: datetime


def _status(side: dict[str, Any] | None) -> str | None:
    value = (side or {}).get("status")
    return value if isinstance(value, str) else None


def facts_of(ticket: Any, events: Sequence[_Row], last_event_id: int) -> dict[str, Any]:
    """One ticket's facts from its relevant events in time order (``ticket``: its row)."""
    first_reply_at: datetime | None = None
    first_reply_agent: int | None = None
    first_solved_at: datetime | None = None
    solved_at: datetime | None = None
    solved_by: int | None = None
    replies = 0
    replies_at_first_solve: int | None = None
    reopens = 0
    for e in events:
        by_agent = e.actor_kind == ActorKind.agent.value
        if e.action == "message.public" and by_agent:
            replies += 1
            if first_reply_at is None:
                first_reply_at, first_reply_agent = e.at, e.actor_id
        elif e.action == "ticket.status_changed":
            before, after = _status(e.before), _status(e.after)
            if after == SOLVED:
                if first_solved_at is None:
                    first_solved_at, replies_at_first_solve = e.at, replies
                solved_at, solved_by = e.at, e.actor_id if by_agent else None
            elif before in DONE and after is not None and after not in DONE:
                reopens += 1
                solved_at = solved_by = None
    status = str(getattr(ticket.status, "value", ticket.status))
    if status not in DONE:
        solved_at = solved_by = None
    created: datetime = ticket.created_at
    return {
        "ticket_id": ticket.id,
        "created_at": created,
        "team_id": ticket.team_id,
        "channel": str(getattr(ticket.channel, "value", ticket.channel)),
        "language": ticket.language,
        "intent": ticket.intent,
        "status": status,
        "first_reply_at": first_reply_at,
        "first_reply_agent_id": first_reply_agent,
        "first_reply_seconds": _seconds(created, first_reply_at),
        "first_solved_at": first_solved_at,
        "solved_at": solved_at,
        "solved_by_agent_id": solved_by,
        "resolution_seconds": _seconds(created, solved_at),
        "agent_replies": replies,
        "reopens": reopens,
        "one_touch": solved_at is not None and reopens == 0 and replies_at_first_solve == 1,
        "last_event_id": last_event_id,
        "computed_at": utcnow(),
    }


def _seconds(start: datetime, end: datetime | None) -> int | None:
    return None if end is None else max(0, int((end - start).total_seconds()))


def recompute(session: Session, ticket_ids: Iterable[int]) -> int:
    """Replace the facts of ``ticket_ids`` (tickets that no longer exist are skipped)."""
    ids = sorted(set(ticket_ids))
    done = 0
    for i in range(0, len(ids), BATCH):
        done += _recompute_batch(session, ids[i : i + BATCH])
    return done


def _recompute_batch(session: Session, ids: list[int]) -> int:
    tickets = session.execute(
        select(
            Ticket.id,
            Ticket.created_at,
            Ticket.team_id,
            Ticket.channel,
            Ticket.language,
            Ticket.intent,
            Ticket.status,
        ).where(Ticket.id.in_(ids))
    ).all()
    events: dict[int, list[_Row]] = defaultdict(list)
    query = (
        select(
            Event.ticket_id,
            Event.action,
            Event.actor_kind,
            Event.actor_id,
            Event.before,
            Event.after,
            Event.created_at,
        )
        .where(Event.ticket_id.in_(ids), Event.action.in_(RELEVANT))
        .order_by(Event.ticket_id, Event.created_at, Event.id)
    )
    for tid, action, kind, actor_id, before, after, at in session.execute(query):
        kind_value = str(getattr(kind, "value", kind))
        events[tid].append(_Row(tid, action, kind_value, actor_id, before, after, at))
    last: dict[int | None, int] = dict(
        session.execute(
            select(Event.ticket_id, func.max(Event.id))
            .where(Event.ticket_id.in_(ids))
            .group_by(Event.ticket_id)
        ).all()
    )
    rows = [facts_of(t, events.get(t.id, []), int(last.get(t.id) or 0)) for t in tickets]
    session.execute(delete(TicketFacts).where(TicketFacts.ticket_id.in_(ids)))
    if rows:
        session.execute(insert(TicketFacts), rows)
    return len(rows)


def _watermark(session: Session) -> Watermark:
    mark = session.get(Watermark, NAME)
    if mark is None:
        mark = Watermark(name=NAME, last_event_id=0, updated_at=utcnow())
        session.add(mark)
        session.flush()
    return mark


def refresh(session: Session, progress: Progress | None = None) -> int:
    """Recompute the tickets named by events after the watermark; returns how many."""
    mark = _watermark(session)
    top = session.scalar(select(func.max(Event.id))) or 0
    if top <= mark.last_event_id:
        return 0  # nothing new (a late commit is read with the next new event's overlap)
    since = max(0, mark.last_event_id - OVERLAP)
    found = list(
        session.scalars(
            select(Event.ticket_id)
            .where(Event.id > since, Event.id <= top, Event.ticket_id.is_not(None))
            .distinct()
        )
    )
    ids = sorted(i for i in found if i is not None)
    done = 0
    for i in range(0, len(ids), BATCH):
        done += _recompute_batch(session, ids[i : i + BATCH])
        if progress is not None:
            progress(min(i + BATCH, len(ids)), len(ids))
    mark.last_event_id = top
    mark.updated_at = utcnow()
    return done


def rebuild(session: Session, progress: Progress | None = None) -> int:
    """Drop every fact and compute all tickets again from their events."""
    session.execute(delete(TicketFacts))
    mark = _watermark(session)
    mark.last_event_id = 0
    session.flush()
    return refresh(session, progress)
