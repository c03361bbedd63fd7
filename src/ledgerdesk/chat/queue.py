"""The chat queue: what the widget says while a customer waits (open or not, position,
expected wait) and the console's list of live chats, waiting ones first.

A chat *waits* for its first answer while it is open, live (not from the offline form) and no
agent has replied publicly (``first_reply_at`` is empty). In the console a chat is *waiting*
when its last customer message has no agent's public reply after it.
"""

from __future__ import annotations

import statistics
from datetime import datetime
from typing import Any

from sqlalchemy import and_, case, false, func, or_, select
from sqlalchemy.orm import Session, aliased

from ledgerdesk.accounts.services import Actor
from ledgerdesk.chat.hours import hours_from
from ledgerdesk.chat.items import iso_utc
from ledgerdesk.chat.models import ChatConversation
from ledgerdesk.core.clock import utcnow
from ledgerdesk.core.settings import get_settings
from ledgerdesk.tickets.models import (
    OPEN_STATUSES,
    ActorKind,
    Channel,
    Message,
    MessageKind,
    Ticket,
)
from ledgerdesk.tickets.services import visible_to

HISTORY = 50  # answered chats the expected wait is taken from


def _live_chat() -> Any:
    """Open chat tickets that are live conversations (not offline-form tickets)."""
    return and_(
        Ticket.channel == Channel.chat,
        Ticket.status.in_(OPEN_STATUSES),
        or_(ChatConversation.offline.is_(None), ChatConversation.offline == false()),
    )


def _position(session: Session, ticket_id: int) -> int | None:
    """1-based place among chats waiting for a first answer, oldest first; None when this
    chat is not waiting."""
    ticket = session.get(Ticket, ticket_id)
    conversation = session.get(ChatConversation, ticket_id)
    if (
        ticket is None
        or ticket.channel != Channel.chat
        or ticket.status not in OPEN_STATUSES
        or ticket.first_reply_at is not None
        or (conversation is not None and conversation.offline)
    ):
        return None
    ahead = session.scalar(
        select(func.count(Ticket.id))
        .select_from(Ticket)
        .outerjoin(ChatConversation, ChatConversation.ticket_id == Ticket.id)
        .where(
            _live_chat(),
            Ticket.first_reply_at.is_(None),
            or_(
                Ticket.created_at < ticket.created_at,
                and_(Ticket.created_at == ticket.created_at, Ticket.id < ticket.id),
            ),
        )
    )
    return int(ahead or 0) + 1


def median_first_reply_seconds(session: Session) -> float | None:
    """The median time to the first agent reply over the last answered live chats."""
    rows = session.execute(
        select(Ticket.created_at, Ticket.first_reply_at)
        .outerjoin(ChatConversation, ChatConversation.ticket_id == Ticket.id)
        .where(
            Ticket.channel == Channel.chat,
            Ticket.first_reply_at.is_not(None),
            or_(ChatConversation.offline.is_(None), ChatConversation.offline == false()),
        )
        .order_by(Ticket.first_reply_at.desc())
        .limit(HISTORY)
    ).all()
    waits = [
        max(0.0, (replied - created).total_seconds())
        for created, replied in rows
        if replied is not None
    ]
    return statistics.median(waits) if waits else None


def queue_status(
    session: Session,
    ticket_id: int | None,
    *,
    now: datetime | None = None,
    agents_online: int | None = None,
) -> dict[str, Any]:
    """What the widget shows: open now (business hours) and when it opens next; for a chat
    still waiting for its first answer, its position and the expected wait (the median
    first-reply time of recent chats, once for every full round of the agents now online
    ahead of it; None without history). ``agents_online`` comes from the caller (it knows
    the live console sockets); none online counts as one, the chat is still answered."""
    settings = get_settings()
    hours = hours_from(settings.chat_hours, settings.chat_timezone, settings.chat_holidays)
    moment = now or utcnow()
    is_open = hours.is_open(moment)
    next_open = None if is_open else hours.next_open(moment)
    position = _position(session, ticket_id) if ticket_id is not None else None
    wait = None
    if position is not None:
        median = median_first_reply_seconds(session)
        serving = max(1, agents_online or 0)
        rounds = -(-position // serving)  # ceil: the chats ahead are shared out
        wait = round(median * rounds) if median is not None else None
    return {
        "open": is_open,
        "agents_online": agents_online,
        "position": position,
        "expected_wait_seconds": wait,
        "next_open": iso_utc(next_open) if next_open is not None else None,
    }


def _waiting_since() -> Any:
    """Per ticket: when the first customer message with no agent's public reply after it was
    written (NULL when the customer has had an answer to everything)."""
    answered = (
        select(func.coalesce(func.max(Message.seq), 0))
        .where(
            Message.ticket_id == Ticket.id,
            Message.author_kind == ActorKind.agent,
            Message.kind == MessageKind.public,
        )
        .correlate(Ticket)
        .scalar_subquery()
    )
    asked = aliased(Message)
    return (
        select(func.min(asked.created_at))
        .where(
            asked.ticket_id == Ticket.id,
            asked.author_kind == ActorKind.customer,
            asked.seq > answered,
        )
        .correlate(Ticket)
        .scalar_subquery()
    )


def chat_queue(session: Session, actor: Actor, limit: int = 100) -> list[dict[str, Any]]:
    """Open live chats ``actor`` may see: those waiting for an answer first (longest waiting
    first), then the rest by last change."""
    since = _waiting_since().label("waiting_since")
    rows = session.execute(
        select(Ticket, since)
        .outerjoin(ChatConversation, ChatConversation.ticket_id == Ticket.id)
        .where(_live_chat(), visible_to(actor))
        .order_by(
            case((since.is_(None), 1), else_=0),
            since.asc(),
            Ticket.updated_at.desc(),
            Ticket.id.desc(),
        )
        .limit(max(1, min(limit, 500)))
    ).all()
    return [
        {
            "ticket_id": ticket.id,
            "subject": ticket.subject,
            "customer": ticket.requester.name or ticket.requester.email,
            "waiting_since": iso_utc(waiting) if waiting is not None else None,
            "assignee": ticket.assignee.name if ticket.assignee is not None else None,
            "status": ticket.status.value,
            "language": ticket.language,
            "last_seq": ticket.last_seq,
        }
        for ticket, waiting in rows
    ]
