"""The SLA check, every 30 seconds (once across workers): clocks whose warning time came get
``warned_at`` and an ``sla.warning`` event; clocks past due get ``breached_at``, an
``sla.breached`` event, a notification to the assignee (else the team's leads and the
admins), and every ``sla.hooks.ON_BREACH`` function.

Set-based: each batch is one ``UPDATE ... RETURNING`` over the running-clock index and one
bulk INSERT of the events, so 100k open tickets cost a couple of index range scans when little
is due (bench/sla_check.py). Safe to run twice: a row is warned and breached once."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy import Table, insert, select, update
from sqlalchemy.orm import Session

from ledgerdesk.channels.csat import reviewer_ids
from ledgerdesk.channels.models import Notification
from ledgerdesk.channels.notifications import EMAIL_TOPIC, KINDS
from ledgerdesk.core.clock import utcnow
from ledgerdesk.jobs.models import OutboxEntry
from ledgerdesk.jobs.outbox import enqueue, note_due
from ledgerdesk.jobs.schedule import periodic
from ledgerdesk.sla import hooks
from ledgerdesk.sla.models import SlaTarget
from ledgerdesk.tickets.models import ActorKind, Ticket

log = logging.getLogger("ledgerdesk.sla")
TOPIC = "sla.check"
BATCH = 2000
KIND = "sla_breached"
assert KIND in KINDS


@periodic(TOPIC, every_seconds=30)
def check_job(session: Session, payload: dict[str, Any]) -> None:
    run_check(session)


def _claim(session: Session, column: str, moment: str, now: datetime) -> list[Any]:
    """Mark up to BATCH clocks whose ``moment`` column passed; their rows."""
    table = cast(Table, SlaTarget.__table__)
    due = (
        select(table.c.id)
        .where(
            table.c.completed_at.is_(None),
            table.c[column].is_(None),
            table.c[moment].is_not(None),
            table.c[moment] <= now,
            # a clock past due is breached, not warned (``due_at`` is NULL while paused)
            table.c.due_at > now if column == "warned_at" else table.c.due_at.is_not(None),
        )
        .limit(BATCH)
        .scalar_subquery()
    )
    statement = (
        update(table)
        .where(table.c.id.in_(due))
        .values({column: now})
        .returning(table.c.id, table.c.ticket_id, table.c.target, table.c.due_at, table.c.policy_id)
    )
    return list(session.execute(statement))


# The events table as the check writes it: ``after`` holds only what the desk builds (a
# target name, a time, an id), so it skips the guard's scan that ``Event.after`` runs on
# every value (a third of the time of a 10,000-breach catch-up).
_EVENTS = sa.table(
    "events",
    sa.column("ticket_id"),
    sa.column("actor_kind"),
    sa.column("actor_id"),
    sa.column("action"),
    sa.column("before", sa.JSON),
    sa.column("after", sa.JSON),
    sa.column("created_at"),
)


def _events(session: Session, action: str, rows: list[Any], now: datetime) -> None:
    session.execute(
        sa.insert(_EVENTS),
        [
            {
                "ticket_id": row.ticket_id,
                "actor_kind": ActorKind.system.value,
                "actor_id": None,
                "action": action,
                "before": None,
                "after": {
                    "target": row.target,
                    "due_at": row.due_at.isoformat() if row.due_at else None,
                    "policy_id": row.policy_id,
                },
                "created_at": now,
            }
            for row in rows
        ],
    )


def _tell(session: Session, rows: list[Any], now: datetime) -> None:
    """Notify (in bulk: one query for those already told, one INSERT), then run the breach
    hooks, per breached clock."""
    ids = sorted({row.ticket_id for row in rows})
    found = session.execute(
        select(Ticket.id, Ticket.assignee_id, Ticket.team_id).where(Ticket.id.in_(ids))
    )
    owners = {tid: (assignee, team) for tid, assignee, team in found}
    leads: dict[int | None, list[int]] = {}
    wanted: list[tuple[int, str, int]] = []
    for row in rows:
        if row.ticket_id not in owners:
            continue
        assignee, team = owners[row.ticket_id]
        if assignee is None and team not in leads:
            leads[team] = reviewer_ids(session, team)
        for agent_id in [assignee] if assignee is not None else leads[team]:
            wanted.append((agent_id, f"sla:{row.id}", row.ticket_id))
    _notify_all(session, wanted, now)
    if hooks.ON_BREACH:
        tickets = {t.id: t for t in session.scalars(select(Ticket).where(Ticket.id.in_(ids)))}
        for row in rows:
            ticket = tickets.get(row.ticket_id)
            if ticket is not None:
                for hook in list(hooks.ON_BREACH):
                    hook(session, ticket, row.target)


def _notify_all(session: Session, wanted: list[tuple[int, str, int]], now: datetime) -> None:
    """``channels.notifications.notify`` for many at once: each (agent, key) once, e-mailed
    by its job."""
    if not wanted:
        return
    keys = sorted({key for _, key, _ in wanted})
    rows = session.execute(
        select(Notification.agent_id, Notification.dedupe_key).where(
            Notification.kind == KIND, Notification.dedupe_key.in_(keys)
        )
    )
    told = {(int(agent_id), str(key)) for agent_id, key in rows}
    fresh = {(a, k): t for a, k, t in wanted if (a, k) not in told}
    if not fresh:
        return
    made = session.execute(
        insert(Notification).returning(Notification.id),
        [
            {"agent_id": a, "kind": KIND, "dedupe_key": k, "ticket_id": t, "created_at": now}
            for (a, k), t in fresh.items()
        ],
    )
    ids = list(made.scalars())
    # the first through ``enqueue`` (so the worker wakes after the commit), the rest at once
    enqueue(session, EMAIL_TOPIC, {"notification_id": ids[0]})
    if len(ids) > 1:
        queued = session.execute(
            insert(OutboxEntry).returning(OutboxEntry.id),
            [
                {
                    "topic": EMAIL_TOPIC,
                    "payload": {"notification_id": n},
                    "created_at": now,
                    "available_at": now,
                    "attempts": 0,
                }
                for n in ids[1:]
            ],
        )
        for entry_id in queued.scalars():  # a broker hears of them after the commit too
            note_due(session, entry_id)


def run_check(session: Session) -> tuple[int, int]:
    """One pass in the caller's transaction; (warnings, breaches) recorded."""
    now = utcnow()
    warned = breached = 0
    while True:
        rows = _claim(session, "warned_at", "warn_at", now)
        if not rows:
            break
        _events(session, "sla.warning", rows, now)
        warned += len(rows)
    while True:
        rows = _claim(session, "breached_at", "due_at", now)
        if not rows:
            break
        _events(session, "sla.breached", rows, now)
        _tell(session, rows, now)
        breached += len(rows)
    if warned or breached:
        log.info("sla check: %s warnings, %s breaches", warned, breached)
    return warned, breached
