"""The ticket desk's core logic: who sees which ticket, opening tickets, replies and notes,
and a ticket's properties (status, priority, assignee and team, intent). Every write goes
through a ``do_*`` function and records an event in the same transaction; the caller (route,
job, CLI) owns the commit.

Sibling modules hold the rest: ``tickets.tags`` (tags), ``tickets.merge`` (merging),
``tickets.triage`` (queueing and applying triage), ``tickets.guard_record`` (storing what the
guard found), ``tickets.checks`` and ``tickets.events`` (the checks and the event writer they
all share)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import false, or_, select
from sqlalchemy.orm import Session, lazyload
from sqlalchemy.orm.attributes import set_committed_value

from ledgerdesk.accounts.models import Agent, Customer, Role, Team
from ledgerdesk.accounts.services import Actor, do_upsert_customer
from ledgerdesk.channels.csat import queue_survey
from ledgerdesk.channels.outgoing import (
    queue_agent_notice,
    queue_reply_notice,
    queue_solved_notice,
)
from ledgerdesk.core.clock import utcnow
from ledgerdesk.core.errors import InvalidInput, InvalidTransition, NotFound, NotPermitted
from ledgerdesk.core.settings import get_settings
from ledgerdesk.search.fulltext import terms_text
from ledgerdesk.tickets import guard
from ledgerdesk.tickets.attachments import AttachmentIn, check_attachment, write_blob
from ledgerdesk.tickets.checks import (
    MAX_BODY,
    MAX_SUBJECT,
    DuplicateMessage,
    check_client_id,
    check_not_closed,
    check_text,
    require_agent,
)
from ledgerdesk.tickets.events import next_seq, record, touch
from ledgerdesk.tickets.guard_record import record_guard
from ledgerdesk.tickets.models import (
    ActorKind,
    Attachment,
    Channel,
    Event,
    Message,
    MessageKind,
    Priority,
    Status,
    Ticket,
    TicketTag,
)
from ledgerdesk.tickets.tags import check_tag, do_tag, do_untag, ensure_tag
from ledgerdesk.tickets.triage import queue_triage

_CJK_RE = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_LATIN_RE = re.compile(r"[A-Za-z]")


# --- helpers ----------------------------------------------------------------------------


def ticket_language(locale: str) -> str:
    """A ticket's language code (``zh`` or ``en``) for a page locale such as ``zh-CN``."""
    return "zh" if locale.lower().startswith("zh") else "en"


def guess_language(text: str) -> str:
    """A first guess (``zh`` or ``en``) until triage sets the real one."""
    cjk = len(_CJK_RE.findall(text))
    latin = len(_LATIN_RE.findall(text))
    return "zh" if cjk and cjk * 3 >= latin else "en"


# --- access -----------------------------------------------------------------------------


def visible_to(actor: Actor) -> Any:
    """A WHERE clause selecting the tickets ``actor`` may see."""
    if actor.sees_everything:
        return Ticket.id.is_not(None)
    if actor.is_customer:
        return Ticket.requester_id == actor.id
    if actor.is_agent:
        clauses = [Ticket.team_id.is_(None), Ticket.assignee_id == actor.id]
        if actor.team_ids:
            clauses.append(Ticket.team_id.in_(actor.team_ids))
        return or_(*clauses)
    return false()


def access_ticket(session: Session, actor: Actor, ticket_id: int, *, lean: bool = False) -> Ticket:
    """The ticket, if ``actor`` may see it. Unknown and not-yours both answer ``NotFound``.
    ``lean``: its requester, assignee, team and tags are read only if used (a reply needs
    none of them), instead of with the ticket."""
    query = select(Ticket).where(Ticket.id == ticket_id, visible_to(actor))
    if lean:
        query = query.options(lazyload("*"))
    ticket = session.scalar(query)
    if ticket is None:
        raise NotFound(f"Ticket #{ticket_id} not found")
    return ticket


# --- create and reply -------------------------------------------------------------------


def _store_attachments(
    session: Session, message: Message, items: Sequence[AttachmentIn], guarded: guard.Guarded
) -> None:
    """Check, guard and store the files; what the guard found joins the message's findings."""
    limit = get_settings().max_attachments_per_message
    if len(items) > limit:
        raise InvalidInput(f"At most {limit} attachments per message", field="attachments")
    checked = [(check_attachment(item), item.data) for item in items]
    for number, (checked_file, original) in enumerate(checked, start=1):
        stored, data, found = guard.guard_attachment(checked_file, original)
        for part, result in enumerate(found):
            guarded.scans[f"attachment{number}.{part}"] = result
        write_blob(stored, data)
        session.add(
            Attachment(
                message_id=message.id,
                filename=stored.filename,
                content_type=stored.content_type,
                size=stored.size,
                sha256=stored.sha256,
            )
        )


def _known_attachments(message: Message, items: Sequence[AttachmentIn]) -> None:
    """A new message without files has none: say so, so that presenting it (the answer, the
    live chat item) reads no attachments back. With files, they are read when asked for."""
    if not items:
        set_committed_value(message, "attachments", [])


# What a customer may say their own ticket came through; the rest (agent, phone, e-mail and the
# messaging integrations) is recorded by the desk itself.
CUSTOMER_CHANNELS = frozenset({Channel.portal, Channel.chat, Channel.api})


@dataclass
class NewTicket:
    subject: str
    body: str
    channel: Channel = Channel.portal
    priority: Priority | None = None
    language: str | None = None
    team_id: int | None = None
    tags: list[str] = field(default_factory=list)
    attachments: list[AttachmentIn] = field(default_factory=list)
    # The sender's id for the opening message (live chat); see ``do_add_message``.
    client_id: str | None = None


def do_create_ticket(
    session: Session,
    actor: Actor,
    requester: Customer,
    data: NewTicket,
) -> Ticket:
    """Open a ticket with its first message. Customers open only their own, without routing."""
    return open_ticket(session, actor, requester, data)[0]


def open_ticket(
    session: Session,
    actor: Actor,
    requester: Customer,
    data: NewTicket,
) -> tuple[Ticket, list[Message] | None]:
    """``do_create_ticket``, also returning the ticket's messages when they are known without
    reading them back: the opening message alone, unless the guard answered it too (then
    None: the caller reads the conversation)."""
    if actor.is_customer and actor.id != requester.id:
        raise NotPermitted("Customers can only open tickets for themselves")
    if actor.is_customer and (data.priority or data.team_id is not None or data.tags):
        raise NotPermitted("Customers cannot set priority, team or tags")
    if actor.is_customer and data.channel not in CUSTOMER_CHANNELS:
        raise InvalidInput(
            "Customers open tickets through the portal, chat or API; "
            f"channel '{data.channel.value}' is set by the desk",
            field="channel",
        )
    subject = check_text(data.subject, name="subject", limit=MAX_SUBJECT)
    body = check_text(data.body, name="body", limit=MAX_BODY)
    client_id = check_client_id(data.client_id)
    # Secrets are removed before anything (row, event, search terms) is written.
    guarded = guard.guard_texts(session, {"subject": subject, "body": body})
    subject, body = guarded.texts["subject"][:MAX_SUBJECT], guarded.texts["body"]
    tags = sorted({check_tag(t) for t in data.tags})
    team = session.get(Team, data.team_id) if data.team_id is not None else None
    if data.team_id is not None and team is None:
        raise InvalidInput(f"Team {data.team_id} does not exist", field="team_id")
    now = utcnow()
    ticket = Ticket(
        subject=subject,
        status=Status.new,
        priority=data.priority or Priority.normal,
        channel=data.channel,
        language=data.language or guess_language(subject + " " + body),
        search_text=terms_text(subject, body),
        requester_id=requester.id,
        team_id=data.team_id,
        created_at=now,
        updated_at=now,
    )
    session.add(ticket)
    session.flush()
    if not tags:  # known: none yet (a guard flag added below expires it again)
        set_committed_value(ticket, "tags", [])
    author = _first_author(actor, requester, data.channel)
    message = Message(
        ticket_id=ticket.id,
        kind=MessageKind.public,
        body=body,
        created_at=now,
        seq=next_seq(session, ticket),
        client_id=client_id,
        **author,
    )
    session.add(message)
    session.flush()
    _known_attachments(message, data.attachments)
    _store_attachments(session, message, data.attachments, guarded)
    for tag in tags:
        session.add(TicketTag(ticket_id=ticket.id, tag_id=ensure_tag(session, tag)))
    record_guard(
        session, ticket, message, guarded, customer_facing=message.author_kind == ActorKind.customer
    )
    if message.author_kind == ActorKind.customer:
        queue_triage(session, message)
    record(
        session,
        ticket,
        actor,
        "ticket.created",
        None,
        {
            "subject": subject,
            "status": ticket.status.value,
            "priority": ticket.priority.value,
            "channel": ticket.channel.value,
            "team_id": ticket.team_id,
            "tags": tags,
            "message_id": message.id,
        },
    )
    answered = bool(guarded.scans or guarded.any_link)
    return ticket, None if answered else [message]


def resolve_requester(session: Session, actor: Actor, requester: dict[str, Any] | None) -> Customer:
    """Who a new ticket is for: a customer opens their own; others must name the customer."""
    if actor.is_customer:
        if requester is not None:
            raise NotPermitted("Customers open tickets for themselves; leave out 'requester'")
        customer = session.get(Customer, actor.id)
        if customer is None:
            raise NotFound("Your customer record no longer exists")
        return customer
    if requester is None:
        raise InvalidInput("'requester' (at least an e-mail) is required", field="requester")
    return do_upsert_customer(session, **requester)


# Both author columns are always given (one of them None), so the new message is complete in
# memory and presenting it reads nothing back.
_NO_AUTHOR: dict[str, Any] = {"author_agent_id": None, "author_customer_id": None}


def _author_fields(actor: Actor) -> dict[str, Any]:
    if actor.is_customer:
        return {**_NO_AUTHOR, "author_kind": ActorKind.customer, "author_customer_id": actor.id}
    if actor.is_agent:
        return {**_NO_AUTHOR, "author_kind": ActorKind.agent, "author_agent_id": actor.id}
    if actor.kind == "assistant":
        return {**_NO_AUTHOR, "author_kind": ActorKind.assistant}
    return {**_NO_AUTHOR, "author_kind": ActorKind.system}


def _first_author(actor: Actor, requester: Customer, channel: Channel) -> dict[str, Any]:
    """The opening message is the customer's words, unless an agent starts an outbound ticket."""
    if channel == Channel.agent and actor.is_agent:
        return _author_fields(actor)
    return {**_NO_AUTHOR, "author_kind": ActorKind.customer, "author_customer_id": requester.id}


def do_add_message(
    session: Session,
    actor: Actor,
    ticket: Ticket,
    body: str,
    *,
    kind: MessageKind = MessageKind.public,
    attachments: Sequence[AttachmentIn] = (),
    status: Status | None = None,
    client_id: str | None = None,
) -> Message:
    """A reply or note. Customer replies reopen; an agent's first public reply is timed.

    With ``client_id`` (the sender's own id for this message), a message already on the ticket
    with that id raises ``DuplicateMessage`` instead: the caller rolls back and answers with
    the stored one. The check runs after the ticket's message counter is taken, so on
    PostgreSQL a concurrent resend waits for the first and then sees it."""
    check_not_closed(ticket)
    body = check_text(body, name="body", limit=MAX_BODY)
    client_id = check_client_id(client_id)
    if actor.is_customer:
        if kind != MessageKind.public or status is not None:
            raise NotPermitted("Customers can only add public replies")
        if ticket.requester_id != actor.id:
            raise NotFound(f"Ticket #{ticket.id} not found")
    guarded = guard.guard_texts(
        session, {"body": body}, links=actor.is_customer or kind == MessageKind.public
    )
    body = guarded.texts["body"]
    seq = next_seq(session, ticket)
    if client_id is not None:
        existing = session.scalar(
            select(Message).where(Message.ticket_id == ticket.id, Message.client_id == client_id)
        )
        if existing is not None:
            raise DuplicateMessage(existing)
    now = utcnow()
    message = Message(
        ticket_id=ticket.id,
        kind=kind,
        body=body,
        created_at=now,
        seq=seq,
        client_id=client_id,
        **_author_fields(actor),
    )
    session.add(message)
    ticket.search_text = terms_text(body, existing=ticket.search_text)
    session.flush()
    _known_attachments(message, attachments)
    _store_attachments(session, message, attachments, guarded)
    record_guard(session, ticket, message, guarded, customer_facing=actor.is_customer)
    if actor.is_customer:
        queue_triage(session, message)
    record(
        session,
        ticket,
        actor,
        f"message.{kind.value}",
        None,
        {"message_id": message.id, "attachments": len(attachments)},
    )
    if actor.is_customer and ticket.status in (Status.pending, Status.solved, Status.on_hold):
        change_status(session, actor, ticket, Status.open, reason="customer_reply")
    if actor.is_agent and kind == MessageKind.public:
        if ticket.first_reply_at is None:
            ticket.first_reply_at = now
        if status is None and ticket.status == Status.new:
            status = Status.open
    if status is not None and status != ticket.status:
        # A reply that solves the ticket is one e-mail to the customer, saying both.
        do_set_status(session, actor, ticket, status, notify=kind != MessageKind.public)
    if actor.is_agent and kind == MessageKind.public:
        queue_reply_notice(session, message.id)
    if actor.is_customer and ticket.assignee_id is not None:
        queue_agent_notice(session, "customer_replied", ticket.id, actor, message_id=message.id)
    if kind == MessageKind.note and "@" in body:
        queue_agent_notice(session, "mentioned", ticket.id, actor, message_id=message.id)
    touch(ticket)
    return message


def do_customer_reply(
    session: Session,
    actor: Actor,
    ticket: Ticket,
    body: str,
    attachments: Sequence[AttachmentIn] = (),
) -> Message:
    return do_add_message(session, actor, ticket, body, attachments=attachments)


def do_agent_reply(
    session: Session,
    actor: Actor,
    ticket: Ticket,
    body: str,
    attachments: Sequence[AttachmentIn] = (),
    status: Status | None = None,
) -> Message:
    require_agent(actor)
    return do_add_message(session, actor, ticket, body, attachments=attachments, status=status)


def do_add_note(
    session: Session,
    actor: Actor,
    ticket: Ticket,
    body: str,
    attachments: Sequence[AttachmentIn] = (),
) -> Message:
    require_agent(actor)
    return do_add_message(
        session, actor, ticket, body, kind=MessageKind.note, attachments=attachments
    )


# --- properties -------------------------------------------------------------------------


def change_status(
    session: Session, actor: Actor, ticket: Ticket, status: Status, reason: str | None = None
) -> Event:
    """Set ``status`` and record it, without the agent's rules of ``do_set_status``: a
    customer's reply reopens a ticket and a merge closes one through here."""
    before = ticket.status
    ticket.status = status
    now = utcnow()
    if status == Status.solved:
        ticket.solved_at = now
    elif status != Status.closed:
        ticket.solved_at = None
    if status == Status.closed:
        ticket.closed_at = now
    after: dict[str, Any] = {"status": status.value}
    if reason:
        after["reason"] = reason
    event = record(session, ticket, actor, "ticket.status_changed", {"status": before.value}, after)
    touch(ticket)
    return event


def do_set_status(
    session: Session, actor: Actor, ticket: Ticket, status: Status, *, notify: bool = True
) -> None:
    """Agents move tickets between statuses; ``new`` is never re-entered, ``closed`` only
    follows ``solved``, and nothing leaves ``closed``. Solving e-mails the requester
    (unless ``notify`` is false: the caller's reply e-mail says it)."""
    require_agent(actor)
    check_not_closed(ticket)
    if status == ticket.status:
        return
    if status == Status.new:
        raise InvalidTransition("A ticket cannot go back to 'new'")
    if status == Status.closed and ticket.status != Status.solved:
        raise InvalidTransition("Only a solved ticket can be closed; solve it first")
    event = change_status(session, actor, ticket, status)
    if status == Status.solved:
        queue_survey(session, ticket)  # asked once per ticket, later (channels/csat.py)
    if status == Status.solved and notify:
        session.flush()
        queue_solved_notice(session, ticket.id, event.id)


def do_set_priority(session: Session, actor: Actor, ticket: Ticket, priority: Priority) -> None:
    require_agent(actor)
    check_not_closed(ticket)
    if priority == ticket.priority:
        return
    before = ticket.priority
    ticket.priority = priority
    record(
        session,
        ticket,
        actor,
        "ticket.priority_changed",
        {"priority": before.value},
        {"priority": priority.value},
    )
    touch(ticket)


_UNSET: Any = object()


def do_assign(
    session: Session,
    actor: Actor,
    ticket: Ticket,
    *,
    agent_id: int | None = _UNSET,
    team_id: int | None = _UNSET,
) -> None:
    """Set assignee and/or team. Agents take or release tickets and move them between teams;
    assigning to someone else is for leads and admins."""
    require_agent(actor)
    check_not_closed(ticket)
    if team_id is not _UNSET and team_id != ticket.team_id:
        if team_id is not None and session.get(Team, team_id) is None:
            raise InvalidInput(f"Team {team_id} does not exist", field="team_id")
        before_team = ticket.team_id
        ticket.team_id = team_id
        record(
            session,
            ticket,
            actor,
            "ticket.team_changed",
            {"team_id": before_team},
            {"team_id": team_id},
        )
        touch(ticket)
        session.expire(ticket, ["team"])
    if agent_id is not _UNSET and agent_id != ticket.assignee_id:
        if actor.is_agent and actor.role == Role.agent and agent_id not in (None, actor.id):
            raise NotPermitted("Agents can take a ticket themselves; a lead assigns it to others")
        if agent_id is not None:
            agent = session.get(Agent, agent_id)
            if agent is None or not agent.active:
                raise InvalidInput(
                    f"Agent {agent_id} does not exist or is inactive", field="assignee_id"
                )
        before_agent = ticket.assignee_id
        ticket.assignee_id = agent_id
        event = record(
            session,
            ticket,
            actor,
            "ticket.assigned",
            {"assignee_id": before_agent},
            {"assignee_id": agent_id},
        )
        if agent_id is not None and agent_id != actor.id:
            queue_agent_notice(session, "assigned", ticket.id, actor, event=event)
        touch(ticket)
        session.expire(ticket, ["assignee"])  # reloaded from the new id when next read


# --- the event log, for other pillars -------------------------------------------------


def record_event(
    session: Session,
    actor: Actor,
    action: str,
    after: dict[str, Any] | None = None,
    *,
    before: dict[str, Any] | None = None,
    ticket: Ticket | None = None,
) -> None:
    """Record a change made by another pillar in the event log (``ticket`` may be None)."""
    record(session, ticket, actor, action, before, after)


# --- intent and several properties at once ---------------------------------------------


def do_set_intent(session: Session, actor: Actor, ticket: Ticket, intent: str) -> str | None:
    """An agent sets the ticket's intent; returns the one it replaces."""
    require_agent(actor)
    check_not_closed(ticket)
    previous = ticket.intent
    if intent != previous:
        ticket.intent = intent
        record(
            session,
            ticket,
            actor,
            "ticket.intent_changed",
            {"intent": previous},
            {"intent": intent},
        )
        touch(ticket)
    return previous


@dataclass
class TicketChanges:
    """A partial update; only the fields in ``fields_set`` are applied."""

    fields_set: set[str]
    status: Status | None = None
    priority: Priority | None = None
    assignee_id: int | None = None
    team_id: int | None = None
    add_tags: list[str] = field(default_factory=list)
    remove_tags: list[str] = field(default_factory=list)


def do_update_ticket(
    session: Session, actor: Actor, ticket: Ticket, changes: TicketChanges
) -> None:
    """Apply several property changes at once, each recorded as its own event."""
    require_agent(actor)
    check_not_closed(ticket)
    given = changes.fields_set
    if "team_id" in given or "assignee_id" in given:
        do_assign(
            session,
            actor,
            ticket,
            agent_id=changes.assignee_id if "assignee_id" in given else _UNSET,
            team_id=changes.team_id if "team_id" in given else _UNSET,
        )
    if "priority" in given and changes.priority is not None:
        do_set_priority(session, actor, ticket, changes.priority)
    if changes.add_tags:
        do_tag(session, actor, ticket, changes.add_tags)
    if changes.remove_tags:
        do_untag(session, actor, ticket, changes.remove_tags)
    if "status" in given and changes.status is not None:
        do_set_status(session, actor, ticket, changes.status)
