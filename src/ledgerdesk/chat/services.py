"""Live chat's logic: sending (exactly once, by client id), replay by seq, delivered and read
marks, a visitor's conversations, the offline form. A conversation is a ticket with channel
``chat``; every write goes through ``tickets.services``, so the guard, triage, routing and the
event log apply as for any ticket. Sync; the caller owns the transaction and commits.

Identity lives in ``chat.identity``, business hours in ``chat.hours`` and the queue (position,
expected wait, the console's chat queue) in ``chat.queue``; the names are re-exported here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol, cast
from urllib.parse import unquote_plus

from sqlalchemy import Table, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, lazyload

from ledgerdesk.accounts.models import Customer
from ledgerdesk.accounts.services import (
    Actor,
    customer_actor,
    do_upsert_customer,
    find_customer_by_email,
    normalise_email,
)
from ledgerdesk.ai.guard.storage import guard_text
from ledgerdesk.chat.identity import (
    Visitor,
    customer_of,
    identify_email,
    identify_signed,
    start_verification,
    verify,
    visitor_actor,
    visitor_from_token,
)
from ledgerdesk.chat.items import assistant_meta, iso_utc, message_item
from ledgerdesk.chat.models import ChatConversation
from ledgerdesk.chat.queue import chat_queue, queue_status
from ledgerdesk.core import i18n
from ledgerdesk.core.errors import InvalidInput, NotFound, TooLarge
from ledgerdesk.core.settings import get_settings
from ledgerdesk.core.text import clean
from ledgerdesk.tickets import services as tickets
from ledgerdesk.tickets.attachments import AttachmentIn
from ledgerdesk.tickets.checks import DuplicateMessage, check_client_id, require_agent
from ledgerdesk.tickets.models import Attachment, Channel, Message, MessageKind, Ticket

SUBJECT_CHARS = 80
MAX_PAGE_URL = 500
AUDIENCES = ("customer", "agent")
SIDES = ("customer", "agent")
MARKS = ("delivered", "read")


@dataclass(frozen=True)
class Ack:
    """The answer to a send: the stored message's place in the conversation. ``duplicate``:
    this client id was stored before, and this is that message."""

    conversation: int
    seq: int
    message_id: int
    client_id: str
    duplicate: bool

    def as_dict(self) -> dict[str, Any]:
        return {
            "type": "ack",
            "conversation": self.conversation,
            "seq": self.seq,
            "message_id": self.message_id,
            "client_id": self.client_id,
            "duplicate": self.duplicate,
        }


# --- checks ------------------------------------------------------------------------------


def _client_id(value: str | None) -> str:
    checked = check_client_id(value)
    if checked is None:
        raise InvalidInput(
            "client_id is required: the sender's own id for this message", field="client_id"
        )
    return checked


def _body(body: str, attachments: Sequence[AttachmentIn]) -> str:
    """The text to store. A message of only files says which files (the ticket needs text)."""
    limit = get_settings().chat_max_message_chars
    text = clean(body or "").strip()
    if len(text) > limit:
        raise TooLarge(f"The message is longer than {limit} characters", field="body")
    if not text and attachments:
        text = "📎 " + ", ".join(item.filename or "file" for item in attachments)[:limit]
    if not text:
        raise InvalidInput("The message is empty", field="body")
    return text


def _subject(body: str) -> str:
    first = next((line.strip() for line in body.splitlines() if line.strip()), body.strip())
    return first[:SUBJECT_CHARS]


def _page_url(value: str) -> str:
    """Where the widget was opened, for the agent to read: decoded (``%20`` and ``+`` as
    spaces), so the guard sees a secret pasted into a query string the way a person types it."""
    value = clean(unquote_plus(value or "")).strip()
    if value and not value.startswith(("https://", "http://")):
        raise InvalidInput("page_url must be an http(s) address", field="page_url")
    return guard_text(value)[:MAX_PAGE_URL]


def _language(body: str, locale: str | None) -> str | None:
    """The ticket's first language guess; a text without letters takes the widget's."""
    if not any(ch.isalpha() for ch in body) and i18n.normalise_locale(locale) == "zh-CN":
        return "zh"
    return None


# --- access ------------------------------------------------------------------------------


def _conversation(session: Session, ticket_id: int) -> ChatConversation | None:
    return session.get(ChatConversation, ticket_id)


def can_access(session: Session, visitor: Visitor, ticket_id: int) -> Ticket:
    """The chat ticket if this visitor may see it: its customer's, and opened by this visitor
    unless the visitor is verified. Anything else answers ``NotFound``."""
    # Its requester, assignee, team and tags are read only if used (sending needs none).
    ticket = session.get(Ticket, ticket_id, options=[lazyload("*")])
    conversation = _conversation(session, ticket_id) if ticket is not None else None
    if (
        ticket is None
        or ticket.channel != Channel.chat
        or ticket.requester_id != visitor.customer_id
        or not (visitor.verified or (conversation and conversation.visitor_id == visitor.id))
    ):
        raise NotFound(f"Conversation {ticket_id} not found")
    return ticket


def agent_can_access(session: Session, actor: Actor, ticket_id: int) -> Ticket:
    """The ticket if this agent may see it (the console's rules)."""
    return tickets.access_ticket(session, actor, ticket_id)


# --- sending -----------------------------------------------------------------------------


def _write_transaction(session: Session) -> None:
    """SQLite: open the transaction as a writer before the savepoint. A SAVEPOINT starts a
    deferred transaction, the guard's reads inside it pin a snapshot, and the first write then
    fails at once with "database is locked" when another connection committed meanwhile
    (busy_timeout does not apply to a stale snapshot). PostgreSQL needs nothing."""
    connection = session.connection()
    if connection.dialect.name != "sqlite":
        return
    raw = connection.connection.dbapi_connection
    if raw is not None and not raw.in_transaction:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


class _Placed(Protocol):
    """Where a stored message is: a ``Message``, or the row ``_stored`` reads."""

    @property
    def id(self) -> int: ...

    @property
    def ticket_id(self) -> int: ...

    @property
    def seq(self) -> int: ...


def _ack(message: _Placed, client_id: str, duplicate: bool) -> Ack:
    return Ack(
        conversation=message.ticket_id,
        seq=message.seq,
        message_id=message.id,
        client_id=client_id,
        duplicate=duplicate,
    )


def _stored(session: Session, ticket_id: int, client_id: str) -> _Placed | None:
    """The place of the message stored with this client id (only what an ack needs)."""
    row = session.execute(
        select(Message.id, Message.ticket_id, Message.seq).where(
            Message.ticket_id == ticket_id, Message.client_id == client_id
        )
    ).first()
    return cast(_Placed, row) if row is not None else None


def _add(
    session: Session,
    actor: Actor,
    ticket: Ticket,
    client_id: str,
    body: str,
    kind: MessageKind,
    attachments: Sequence[AttachmentIn],
) -> Ack:
    """Add the message in a savepoint; a resend (seen by the ticket's message counter lock,
    or by the unique index) undoes the savepoint and answers with the stored message. A
    resend of a message stored before the conversation closed is still answered with it."""
    earlier = _stored(session, ticket.id, client_id)
    if earlier is not None:
        return _ack(earlier, client_id, True)
    _write_transaction(session)
    try:
        with session.begin_nested():
            message = tickets.do_add_message(
                session,
                actor,
                ticket,
                body,
                kind=kind,
                attachments=attachments,
                client_id=client_id,
            )
            session.flush()
    except DuplicateMessage as duplicate:
        # The savepoint took the counter and gave it back: forget the number in memory.
        session.expire(ticket, ["last_seq"])
        return _ack(duplicate.message, client_id, True)
    except IntegrityError:
        session.expire(ticket, ["last_seq"])
        existing = _stored(session, ticket.id, client_id)
        if existing is None:
            raise
        return _ack(existing, client_id, True)
    return _ack(message, client_id, False)


def _opened(session: Session, visitor: Visitor, client_id: str) -> Ack | None:
    """The ack of a conversation this visitor already opened with this client id."""
    conversation = session.scalar(
        select(ChatConversation).where(
            ChatConversation.visitor_id == visitor.id,
            ChatConversation.opening_client_id == client_id,
        )
    )
    if conversation is None:
        return None
    message = _stored(session, conversation.ticket_id, client_id)
    if message is None:  # the opening message moved away in a merge
        raise NotFound("This conversation was merged into another; reload the chat")
    return _ack(message, client_id, True)


def _open(
    session: Session,
    visitor: Visitor,
    client_id: str,
    body: str,
    attachments: Sequence[AttachmentIn],
    page_url: str,
    locale: str | None,
) -> Ack:
    """Open a chat ticket with its first message, once per (visitor, client id)."""
    earlier = _opened(session, visitor, client_id)
    if earlier is not None:
        return earlier
    customer = customer_of(session, visitor)
    data = tickets.NewTicket(
        subject=_subject(body),
        body=body,
        channel=Channel.chat,
        language=_language(body, locale),
        attachments=list(attachments),
        client_id=client_id,
    )
    _write_transaction(session)
    try:
        with session.begin_nested():
            ticket, opened = tickets.open_ticket(session, visitor_actor(visitor), customer, data)
            session.add(
                ChatConversation(
                    ticket_id=ticket.id,
                    visitor_id=visitor.id,
                    opening_client_id=client_id,
                    page_url=page_url,
                )
            )
            session.flush()
    except IntegrityError:  # the same open, sent twice at once: the other one won
        earlier = _opened(session, visitor, client_id)
        if earlier is None:
            raise
        return earlier
    # The opening message is the first one (unless the guard answered it: then read it).
    message = opened[0] if opened else _stored(session, ticket.id, client_id)
    assert message is not None
    return _ack(message, client_id, False)


def send_customer_message(
    session: Session,
    visitor: Visitor,
    conversation: int | None,
    client_id: str,
    body: str,
    attachments: Sequence[AttachmentIn] = (),
    page_url: str = "",
    locale: str | None = None,
) -> Ack:
    """Store the customer's message once per client id; ``conversation`` None opens a new
    chat. A closed conversation raises ``TicketClosed`` (start a new one)."""
    client_id = _client_id(client_id)
    text = _body(body, attachments)
    if conversation is None:
        ack = _open(session, visitor, client_id, text, attachments, _page_url(page_url), locale)
    else:
        ticket = can_access(session, visitor, conversation)
        ack = _add(
            session,
            visitor_actor(visitor),
            ticket,
            client_id,
            text,
            MessageKind.public,
            attachments,
        )
    if not ack.duplicate:  # the assistant answers first, while the chat is still its own
        from ledgerdesk.ai.assistant.tasks import queue_reply

        opened = session.get(Ticket, ack.conversation)
        if opened is not None:
            queue_reply(session, opened, ack.message_id)
    return ack


def send_agent_message(
    session: Session,
    actor: Actor,
    conversation: int,
    client_id: str,
    body: str,
    kind: MessageKind = MessageKind.public,
    attachments: Sequence[AttachmentIn] = (),
) -> Ack:
    """An agent's reply or note, stored once per client id."""
    client_id = _client_id(client_id)
    text = _body(body, attachments)
    require_agent(actor)
    ticket = agent_can_access(session, actor, conversation)
    return _add(session, actor, ticket, client_id, text, kind, attachments)


# --- reading -----------------------------------------------------------------------------


def _check_audience(audience: str) -> None:
    if audience not in AUDIENCES:
        raise InvalidInput("audience is 'customer' or 'agent'", field="audience")


def items_after(
    session: Session, ticket_id: int, after_seq: int, *, audience: str, limit: int = 500
) -> list[dict[str, Any]]:
    """The items with seq above ``after_seq``, in seq order (customers: public ones only)."""
    _check_audience(audience)
    query = (
        select(Message)
        .where(Message.ticket_id == ticket_id, Message.seq > max(0, after_seq))
        .order_by(Message.seq)
        .limit(max(1, min(limit, 1000)))
    )
    if audience == "customer":
        query = query.where(Message.kind == MessageKind.public)
    messages = list(session.scalars(query))
    meta = assistant_meta(session, messages)
    return [message_item(m, ticket_id=ticket_id, assistant=meta) for m in messages]


def _last_public_seq(session: Session, ticket_id: int) -> int:
    found = session.scalar(
        select(func.max(Message.seq)).where(
            Message.ticket_id == ticket_id, Message.kind == MessageKind.public
        )
    )
    return int(found or 0)


def _marks(conversation: ChatConversation | None) -> dict[str, int]:
    if conversation is None:
        return dict.fromkeys(
            ("customer_delivered", "customer_read", "agent_delivered", "agent_read"), 0
        )
    return {
        "customer_delivered": conversation.customer_delivered_seq,
        "customer_read": conversation.customer_read_seq,
        "agent_delivered": conversation.agent_delivered_seq,
        "agent_read": conversation.agent_read_seq,
    }


def conversation_state(session: Session, ticket_id: int, audience: str = "agent") -> dict[str, Any]:
    """Where the conversation stands. For the customer audience ``last_seq`` is the last
    message they can see (notes are not counted)."""
    _check_audience(audience)
    ticket = session.get(Ticket, ticket_id)
    if ticket is None:
        raise NotFound(f"Conversation {ticket_id} not found")
    last = _last_public_seq(session, ticket_id) if audience == "customer" else ticket.last_seq
    return {
        "conversation": ticket.id,
        "last_seq": last,
        "status": ticket.status.value,
        "marks": _marks(_conversation(session, ticket_id)),
        "subject": ticket.subject,
    }


def mark(session: Session, ticket_id: int, side: str, what: str, seq: int) -> dict[str, int] | None:
    """Move one side's delivered or read mark forward to ``seq`` (capped at the last message
    that side can see);
    read implies delivered. Returns the new marks when something moved, else None (also for a
    ticket that is not a chat). One conditional UPDATE, so concurrent marks never go back."""
    if side not in SIDES:
        raise InvalidInput("side is 'customer' or 'agent'", field="side")
    if what not in MARKS:
        raise InvalidInput("what is 'delivered' or 'read'", field="what")
    ticket = session.get(Ticket, ticket_id)
    if ticket is None:
        raise NotFound(f"Conversation {ticket_id} not found")
    session.refresh(ticket, ["last_seq"])
    # A customer's marks never point past what they can see (a note's seq).
    last = _last_public_seq(session, ticket_id) if side == "customer" else ticket.last_seq
    target = min(max(0, seq), last)
    names = [f"{side}_delivered_seq"] + ([f"{side}_read_seq"] if what == "read" else [])
    table = cast(Table, ChatConversation.__table__)
    moved = 0
    for name in names:
        column = table.c[name]
        result = session.execute(
            update(table)
            .where(table.c.ticket_id == ticket_id, column < target)
            .values({name: target})
        )
        moved += result.rowcount  # type: ignore[attr-defined]
    if not moved:
        return None
    conversation = _conversation(session, ticket_id)
    if conversation is not None:
        session.refresh(conversation)
    return _marks(conversation)


def list_conversations(session: Session, visitor: Visitor) -> list[dict[str, Any]]:
    """The visitor's chats, newest first: all of its customer's when verified, else those
    it opened itself."""
    last_public = (
        select(func.max(Message.seq))
        .where(Message.ticket_id == Ticket.id, Message.kind == MessageKind.public)
        .correlate(Ticket)
        .scalar_subquery()
    )
    query = (
        select(Ticket, last_public)
        .where(Ticket.channel == Channel.chat, Ticket.requester_id == visitor.customer_id)
        .order_by(Ticket.updated_at.desc(), Ticket.id.desc())
        .limit(100)
    )
    if not visitor.verified:
        query = query.join(ChatConversation, ChatConversation.ticket_id == Ticket.id).where(
            ChatConversation.visitor_id == visitor.id
        )
    return [
        {
            "conversation": ticket.id,
            "subject": ticket.subject,
            "status": ticket.status.value,
            "last_seq": int(last or 0),
            "updated_at": iso_utc(ticket.updated_at),
        }
        for ticket, last in session.execute(query)
    ]


def access_chat_attachment(session: Session, visitor: Visitor, attachment_id: int) -> Attachment:
    """The attachment (a public message's, on a conversation this visitor may see)."""
    row = session.execute(
        select(Attachment, Message)
        .join(Message, Message.id == Attachment.message_id)
        .where(Attachment.id == attachment_id)
    ).first()
    if row is None or row[1].kind != MessageKind.public:
        raise NotFound(f"Attachment {attachment_id} not found")
    try:
        can_access(session, visitor, row[1].ticket_id)
    except NotFound:
        raise NotFound(f"Attachment {attachment_id} not found") from None
    return row[0]


# --- offline form ------------------------------------------------------------------------


def _offline_customer(session: Session, email: str, name: str, locale: str | None) -> Customer:
    """The customer for the address typed in the offline form; a known one is left as it is
    (nothing is proven about who typed it)."""
    found = find_customer_by_email(session, email)
    if found is not None:
        return found
    if len(name) > 200:
        raise InvalidInput("Name is longer than 200 characters", field="name")
    return do_upsert_customer(session, email=email, name=name, locale=locale)


def open_offline_ticket(
    session: Session,
    email: str,
    name: str,
    body: str,
    locale: str | None,
    page_url: str = "",
) -> Ticket:
    """The offline form, outside business hours: a chat ticket the desk answers by e-mail
    (an agent's public reply e-mails the requester, as for every ticket)."""
    customer = _offline_customer(session, normalise_email(clean(email)), name, locale)
    text = _body(body, ())
    url = _page_url(page_url)
    ticket = tickets.do_create_ticket(
        session,
        customer_actor(customer),
        customer,
        tickets.NewTicket(
            subject=_subject(text),
            body=text,
            channel=Channel.chat,
            language=_language(text, locale),
        ),
    )
    session.add(ChatConversation(ticket_id=ticket.id, offline=True, page_url=url))
    session.flush()
    return ticket


__all__ = [
    "Ack",
    "Visitor",
    "access_chat_attachment",
    "agent_can_access",
    "can_access",
    "chat_queue",
    "conversation_state",
    "identify_email",
    "identify_signed",
    "items_after",
    "list_conversations",
    "mark",
    "open_offline_ticket",
    "queue_status",
    "send_agent_message",
    "send_customer_message",
    "start_verification",
    "verify",
    "visitor_actor",
    "visitor_from_token",
]
