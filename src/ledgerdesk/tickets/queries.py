"""Reading tickets: filters, pages, view counts, conversations and history.
Everything here is read-only and scoped by ``services.visible_to``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, and_, exists, false, func, select
from sqlalchemy.orm import Session

from ledgerdesk.accounts.models import Customer
from ledgerdesk.accounts.services import Actor
from ledgerdesk.core.errors import InvalidInput, NotFound
from ledgerdesk.core.text import clean
from ledgerdesk.core.types import parse_id
from ledgerdesk.search import fulltext
from ledgerdesk.tickets.models import (
    OPEN_STATUSES,
    Attachment,
    Channel,
    Event,
    GuardFinding,
    Message,
    MessageKind,
    Priority,
    Status,
    Tag,
    Ticket,
    TicketTag,
)
from ledgerdesk.tickets.services import access_ticket, visible_to


@dataclass
class TicketFilter:
    status: list[Status] | None = None
    open_only: bool = False
    assignee_id: int | None = None
    unassigned: bool = False
    team_id: int | None = None
    priority: Priority | None = None
    intent: str | None = None
    tag: str | None = None
    requester_id: int | None = None
    text: str | None = None


def _filtered(actor: Actor, f: TicketFilter, dialect: str) -> Select[Any]:
    query = select(Ticket).where(visible_to(actor))
    if f.status:
        query = query.where(Ticket.status.in_(f.status))
    elif f.open_only:
        query = query.where(Ticket.status.in_(OPEN_STATUSES))
    if f.unassigned:
        query = query.where(Ticket.assignee_id.is_(None))
    elif f.assignee_id is not None:
        query = query.where(Ticket.assignee_id == f.assignee_id)
    if f.team_id is not None:
        query = query.where(Ticket.team_id == f.team_id)
    if f.priority is not None:
        query = query.where(Ticket.priority == f.priority)
    if f.intent:
        query = query.where(Ticket.intent == f.intent)
    if f.requester_id is not None:
        query = query.where(Ticket.requester_id == f.requester_id)
    if f.tag:
        query = query.where(
            exists().where(
                TicketTag.ticket_id == Ticket.id,
                TicketTag.tag_id == Tag.id,
                Tag.name == f.tag.lower(),
            )
        )
    if f.text:
        query = query.where(_text_clause(f.text, dialect))
    return query


def _text_clause(text: str, dialect: str) -> Any:
    """Ticket #number, a requester e-mail (anything with an @), or every analysed term.

    Kept apart on purpose: OR-ing the e-mail subquery with the full-text match would stop
    PostgreSQL from answering from the GIN index alone."""
    text = clean(text).strip()[:200]
    if text.lstrip("#").isascii() and text.lstrip("#").isdecimal():
        # A number that cannot be an id finds nothing (rather than overflowing the driver).
        return Ticket.id == (parse_id(text.lstrip("#")) or 0)
    if "@" in text:
        pattern = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        return exists().where(
            Customer.id == Ticket.requester_id, Customer.email.ilike(pattern, escape="\\")
        )
    terms = fulltext.match(Ticket.search_text, text, dialect)
    return false() if terms is None else terms


def list_tickets(
    session: Session, actor: Actor, f: TicketFilter, *, page: int = 1, per_page: int = 25
) -> tuple[list[Ticket], int]:
    """One page of visible tickets, most recently updated first, and the total count."""
    if page < 1 or per_page < 1:
        raise InvalidInput("page and per_page start at 1")
    query = _filtered(actor, f, session.get_bind().dialect.name)
    total = session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    rows = session.scalars(
        query.order_by(Ticket.updated_at.desc(), Ticket.id.desc())
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).unique()
    return list(rows), int(total or 0)


def view_counts(session: Session, actor: Actor) -> dict[str, int]:
    """Open-ticket counts for the console's views, in one query."""
    base = and_(visible_to(actor), Ticket.status.in_(OPEN_STATUSES))
    row = session.execute(
        select(
            func.count().filter(Ticket.assignee_id == actor.id),
            func.count().filter(Ticket.assignee_id.is_(None)),
            func.count(),
            func.count().filter(Ticket.channel == Channel.chat),
        ).where(base)
    ).one()
    counts = {
        "mine": int(row[0]),
        "unassigned": int(row[1]),
        "open": int(row[2]),
        "chat": int(row[3]),  # open live chats (the chat queue's badge)
    }
    for team_id, count in session.execute(
        select(Ticket.team_id, func.count())
        .where(base, Ticket.team_id.is_not(None))
        .group_by(Ticket.team_id)
    ):
        counts[f"team:{team_id}"] = int(count)
    return counts


def ticket_messages(session: Session, actor: Actor, ticket: Ticket) -> list[Message]:
    """The conversation in order; customers never see internal notes."""
    query = select(Message).where(Message.ticket_id == ticket.id)
    if not actor.is_agent and actor.kind != "system":
        query = query.where(Message.kind == MessageKind.public)
    return list(session.scalars(query.order_by(Message.created_at, Message.id)).unique())


def guard_findings(session: Session, actor: Actor, ticket: Ticket) -> list[GuardFinding]:
    """What the guard found on this ticket (kinds and places, never secrets); agents only."""
    if not actor.is_agent and actor.kind != "system":
        return []
    return list(
        session.scalars(
            select(GuardFinding)
            .where(GuardFinding.ticket_id == ticket.id)
            .order_by(GuardFinding.id)
        )
    )


def ticket_events(session: Session, ticket: Ticket) -> list[Event]:
    return list(
        session.scalars(select(Event).where(Event.ticket_id == ticket.id).order_by(Event.id))
    )


def access_attachment(session: Session, actor: Actor, attachment_id: int) -> Attachment:
    """The attachment if its ticket (and, for customers, its message) is visible."""
    row = session.execute(
        select(Attachment, Message)
        .join(Message, Message.id == Attachment.message_id)
        .where(Attachment.id == attachment_id)
    ).first()
    if row is None:
        raise NotFound(f"Attachment {attachment_id} not found")
    attachment, message = row
    access_ticket(session, actor, message.ticket_id)
    if actor.is_customer and message.kind != MessageKind.public:
        raise NotFound(f"Attachment {attachment_id} not found")
    return attachment


def count_tickets(session: Session) -> int:
    return int(session.scalar(select(func.count(Ticket.id))) or 0)


def first_customer_message(session: Session, ticket: Ticket) -> str:
    """The body of the ticket's first public message (the customer's question)."""
    body = session.scalar(
        select(Message.body)
        .where(Message.ticket_id == ticket.id, Message.kind == MessageKind.public)
        .order_by(Message.id)
        .limit(1)
    )
    return body or ""
