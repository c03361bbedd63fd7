"""Reading tickets: filters, pages, view counts, conversations and history.
Everything here is read-only and scoped by ``services.visible_to``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, and_, case, exists, false, func, or_, select
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
    channel: Channel | None = None
    language: str | None = None  # "zh" matches zh, zh-CN, zh-TW...


def _filtered(
    actor: Actor, f: TicketFilter, dialect: str, customer_ids: list[int] | None = None
) -> Select[Any]:
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
    if f.channel is not None:
        query = query.where(Ticket.channel == f.channel)
    if f.language:
        query = query.where(
            or_(Ticket.language == f.language, Ticket.language.startswith(f.language + "-"))
        )
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
        query = query.where(_text_clause(f.text, dialect, customer_ids or []))
    return query


def _like(text: str) -> str:
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


MAX_CUSTOMER_MATCHES = 50


def matching_customers(session: Session, text: str, limit: int = 10) -> list[Customer]:
    """Customers the console search names: by exchange id (the whole id, or its start when
    at least 4 characters) or by a part of the name (at least 2 characters). E-mail
    addresses are matched by the ticket search itself."""
    text = clean(text).strip()[:200]
    if not text or "@" in text:
        return []
    clauses = [Customer.external_id == text]
    if len(text) >= 4:
        clauses.append(Customer.external_id.startswith(text, autoescape=True))
    if len(text) >= 2:
        clauses.append(Customer.name.ilike(_like(text), escape="\\"))
    return list(
        session.scalars(
            select(Customer).where(or_(*clauses)).order_by(Customer.name, Customer.id).limit(limit)
        )
    )


def _text_clause(text: str, dialect: str, customer_ids: list[int]) -> Any:
    """Ticket #number, a requester e-mail (anything with an @), or every analysed term; the
    tickets of the customers the words name (``customer_ids``, found first) too.

    Kept apart on purpose: OR-ing the e-mail subquery with the full-text match would stop
    PostgreSQL from answering from the GIN index alone (a literal list of requester ids
    keeps both sides on an index)."""
    text = clean(text).strip()[:200]
    by_customer = Ticket.requester_id.in_(customer_ids) if customer_ids else None
    if text.lstrip("#").isascii() and text.lstrip("#").isdecimal():
        # A number that cannot be an id finds nothing (rather than overflowing the driver).
        by_number = Ticket.id == (parse_id(text.lstrip("#")) or 0)
        return by_number if by_customer is None else or_(by_number, by_customer)
    if "@" in text:
        pattern = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        return exists().where(
            Customer.id == Ticket.requester_id, Customer.email.ilike(pattern, escape="\\")
        )
    terms = fulltext.match(Ticket.search_text, text, dialect)
    if by_customer is not None:
        return by_customer if terms is None else or_(terms, by_customer)
    return false() if terms is None else terms


_RANKS = {
    "priority": case({p: n for n, p in enumerate(Priority)}, value=Ticket.priority, else_=0),
    "status": case({s: n for n, s in enumerate(Status)}, value=Ticket.status, else_=0),
}


def _order(sort: str) -> list[Any]:
    """ORDER BY for a sort key (``updated``, ``-priority``...): the column, then the number
    the same way, so equal values keep one order from page to page."""
    descending = sort.startswith("-")
    column = {
        "updated": Ticket.updated_at,
        "created": Ticket.created_at,
        "number": Ticket.id,
        "subject": Ticket.subject,
        **_RANKS,
    }.get(sort.lstrip("-"), Ticket.updated_at)
    if column is Ticket.id:
        return [Ticket.id.desc() if descending else Ticket.id.asc()]
    if descending:
        return [column.desc(), Ticket.id.desc()]
    return [column.asc(), Ticket.id.asc()]


def _customer_ids(session: Session, f: TicketFilter) -> list[int]:
    if not f.text:
        return []
    return [c.id for c in matching_customers(session, f.text, limit=MAX_CUSTOMER_MATCHES)]


def list_tickets(
    session: Session,
    actor: Actor,
    f: TicketFilter,
    *,
    page: int = 1,
    per_page: int = 25,
    sort: str = "-updated",
) -> tuple[list[Ticket], int]:
    """One page of visible tickets in ``sort`` order (most recently updated first unless
    told), and the total count."""
    if page < 1 or per_page < 1:
        raise InvalidInput("page and per_page start at 1")
    query = _filtered(actor, f, session.get_bind().dialect.name, _customer_ids(session, f))
    total = session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    rows = session.scalars(
        query.order_by(*_order(sort)).limit(per_page).offset((page - 1) * per_page)
    ).unique()
    return list(rows), int(total or 0)


def ticket_ids(
    session: Session, actor: Actor, f: TicketFilter, *, sort: str = "-updated", limit: int = 500
) -> list[int]:
    """The numbers of the first ``limit`` tickets of a view, in its order ("next ticket")."""
    query = _filtered(actor, f, session.get_bind().dialect.name, _customer_ids(session, f))
    return list(
        session.scalars(query.with_only_columns(Ticket.id).order_by(*_order(sort)).limit(limit))
    )


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
