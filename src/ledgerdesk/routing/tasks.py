"""Background jobs of the routing pillar."""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from ledgerdesk.ai.triage import get_triager
from ledgerdesk.core.clock import utcnow
from ledgerdesk.core.settings import get_settings
from ledgerdesk.jobs.models import OutboxEntry
from ledgerdesk.jobs.outbox import MAX_ATTEMPTS, handler
from ledgerdesk.routing.models import TriagePrediction
from ledgerdesk.routing.services import MAX_TEXT, triage_message
from ledgerdesk.tickets.models import ActorKind, Message, MessageKind, Ticket

log = logging.getLogger(__name__)

TOPIC = "triage.message"
BATCH = 32  # messages one job triages: its own and those queued behind it


@handler(TOPIC)
def triage_job(session: Session, payload: dict[str, Any]) -> None:
    """Triage a customer message (queued by the ticket services when it is stored), and with
    it the messages whose triage jobs wait behind it, embedded together in one model call.

    The waiting jobs are claimed like a worker claims a job (locked, skipping rows another
    worker holds) and their rows deleted here, so no other worker embeds them again; a job
    whose row is gone is a no-op for the queue. Each message is triaged by ``triage_message``
    in its own savepoint, in message order, exactly as its own job would: the encoder gives
    a text the same vector in a batch as alone (tests/triage/test_batching.py). One that
    fails keeps its row, and its own job runs it again later."""
    message_id = int(payload["message_id"])
    # On SQLite the job holds the one write lock from its start: a batch (seconds of model
    # time) would keep every request and the mail poller waiting, so each message goes alone.
    alone = session.get_bind().dialect.name == "sqlite"
    claimed = claim_waiting(session, 0 if alone else BATCH - 1)
    ids = sorted({message_id, *claimed.values()})
    texts = triage_texts(session, ids)
    if len(texts) > 1:
        get_triager(get_settings()).warm([texts[i] for i in ids if i in texts])
    for mid in ids:
        rows = [row for row, claimed_id in claimed.items() if claimed_id == mid]
        if mid == message_id:  # this job's own message: a failure fails the job
            triage_message(session, mid)
            session.execute(delete(OutboxEntry).where(OutboxEntry.id.in_(rows)))
            continue
        try:
            with session.begin_nested():
                triage_message(session, mid)
                session.execute(delete(OutboxEntry).where(OutboxEntry.id.in_(rows)))
        except Exception:
            log.warning("triage of message %s failed in a batch; its job will retry", mid)


def claim_waiting(session: Session, limit: int) -> dict[int, int]:
    """Lock up to ``limit`` other due triage jobs (outbox id → message id), oldest first,
    skipping rows another worker holds."""
    if limit <= 0:
        return {}
    query = (
        select(OutboxEntry.id, OutboxEntry.payload)
        .where(
            OutboxEntry.topic == TOPIC,
            OutboxEntry.available_at <= utcnow(),
            OutboxEntry.attempts < MAX_ATTEMPTS,
        )
        .order_by(OutboxEntry.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    dead = OutboxEntry.__table__.c.get("dead_at")  # dead-letter state, where the queue has it
    if dead is not None:
        query = query.where(dead.is_(None))
    claimed: dict[int, int] = {}
    for entry_id, payload in session.execute(query):
        value = payload.get("message_id") if isinstance(payload, dict) else None
        if isinstance(value, int):
            claimed[entry_id] = value
    return claimed


def triage_texts(session: Session, message_ids: list[int]) -> dict[int, str]:
    """The text triage reads for each untriaged customer message in ``message_ids``: the
    opening message with its ticket's subject, a reply alone (as ``triage_message`` does)."""
    if not message_ids:
        return {}
    rows = session.execute(
        select(Message.id, Message.ticket_id, Message.body, Ticket.subject)
        .join(Ticket, Ticket.id == Message.ticket_id)
        .where(
            Message.id.in_(message_ids),
            Message.author_kind == ActorKind.customer,
            Message.kind == MessageKind.public,
            ~select(TriagePrediction.id).where(TriagePrediction.message_id == Message.id).exists(),
        )
    ).all()
    tickets = {row.ticket_id for row in rows}
    first: dict[int, int] = {
        ticket_id: first_id
        for ticket_id, first_id in session.execute(
            select(Message.ticket_id, func.min(Message.id))
            .where(Message.ticket_id.in_(tickets))
            .group_by(Message.ticket_id)
        )
    }
    texts: dict[int, str] = {}
    for row in rows:
        text = f"{row.subject}\n{row.body}" if first.get(row.ticket_id) == row.id else row.body
        texts[row.id] = text[:MAX_TEXT]
    return texts
