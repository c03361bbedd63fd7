"""Background jobs of the routing pillar."""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ledgerdesk.ai.triage import get_triager
from ledgerdesk.core.clock import utcnow
from ledgerdesk.core.settings import get_settings
from ledgerdesk.jobs.models import OutboxEntry
from ledgerdesk.jobs.outbox import handler
from ledgerdesk.routing.models import TriagePrediction
from ledgerdesk.routing.services import MAX_TEXT, triage_message
from ledgerdesk.tickets.models import ActorKind, Message, MessageKind, Ticket

TOPIC = "triage.message"
WARM_BATCH = 32  # messages embedded together by one job: its own and those queued behind it

_seen_lock = threading.Lock()
_seen: OrderedDict[int, None] = OrderedDict()  # message ids this process has warmed already
_SEEN_SIZE = 8192


@handler(TOPIC)
def triage_job(session: Session, payload: dict[str, Any]) -> None:
    """Triage one customer message (queued by the ticket services when it is stored).

    The job first embeds its message together with the others waiting in the queue, in one
    model call (``warm_waiting``); each message is then triaged by its own job exactly as
    alone, finding its vector already computed."""
    message_id = int(payload["message_id"])
    warm_waiting(session, message_id)
    triage_message(session, message_id)


def waiting_message_ids(session: Session, limit: int) -> list[int]:
    """The messages of the oldest due triage jobs (at most ``limit`` jobs)."""
    payloads = session.scalars(
        select(OutboxEntry.payload)
        .where(OutboxEntry.topic == TOPIC, OutboxEntry.available_at <= utcnow())
        .order_by(OutboxEntry.id)
        .limit(limit)
    )
    ids: list[int] = []
    for payload in payloads:
        value = payload.get("message_id") if isinstance(payload, dict) else None
        if isinstance(value, int) and value not in ids:
            ids.append(value)
    return ids


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


def warm_waiting(session: Session, message_id: int, limit: int = WARM_BATCH) -> int:
    """Embed ``message_id`` and the messages queued behind it that this process has not
    embedded yet, in one model call; returns how many texts needed the model. The vectors
    wait in the triager's cache for each message's own job (in any thread of this process)."""
    waiting = waiting_message_ids(session, limit)
    with _seen_lock:
        fresh = [m for m in dict.fromkeys([message_id, *waiting]) if m not in _seen]
        for m in fresh:
            _seen[m] = None
        while len(_seen) > _SEEN_SIZE:
            _seen.popitem(last=False)
    if not fresh:
        return 0
    texts = triage_texts(session, fresh)
    return get_triager(get_settings()).warm(list(texts.values()))
