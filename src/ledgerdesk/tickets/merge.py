"""Merging tickets: a lead or admin folds one ticket into another of the same customer."""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from ledgerdesk.accounts.models import Role
from ledgerdesk.accounts.services import Actor, require_role
from ledgerdesk.core.errors import InvalidInput
from ledgerdesk.search.fulltext import union_terms
from ledgerdesk.tickets.checks import check_not_closed
from ledgerdesk.tickets.events import record, take_seqs, touch
from ledgerdesk.tickets.models import GuardFinding, Message, Status, Ticket, TicketTag
from ledgerdesk.tickets.services import change_status
from ledgerdesk.tickets.tags import ensure_tag


def check_merge(actor: Actor, source: Ticket, target: Ticket) -> None:
    """Raise unless ``actor`` may merge ``source`` into ``target`` (the console asks before
    it merges, and says why it cannot)."""
    require_role(actor, Role.lead, Role.admin)
    if source.id == target.id:
        raise InvalidInput("A ticket cannot be merged into itself", field="target_id")
    check_not_closed(source)
    check_not_closed(target)
    if source.requester_id != target.requester_id:
        raise InvalidInput("Only tickets from the same customer can be merged", field="target_id")


def _move_messages(session: Session, source: Ticket, target: Ticket) -> int:
    """Move ``source``'s messages to the end of ``target``'s numbering, in their order. A
    client id that ``target`` already has is dropped from the moved message (it only serves
    to spot a resend, and ``source`` is closed, so nothing is resent to it)."""
    rows = session.execute(
        select(Message.id, Message.client_id)
        .where(Message.ticket_id == source.id)
        .order_by(Message.seq, Message.id)
    ).all()
    if not rows:
        return 0
    taken = set(
        session.scalars(
            select(Message.client_id).where(
                Message.ticket_id == target.id, Message.client_id.is_not(None)
            )
        )
    )
    first = take_seqs(session, target, len(rows))
    for offset, (message_id, client_id) in enumerate(rows):
        session.execute(
            update(Message)
            .where(Message.id == message_id)
            .values(
                ticket_id=target.id,
                seq=first + offset,
                client_id=None if client_id in taken else client_id,
            )
        )
    return len(rows)


def do_merge(session: Session, actor: Actor, source: Ticket, target: Ticket) -> Ticket:
    """Fold ``source`` into ``target``: its messages and tags move, it closes, both record it.
    Only tickets of the same requester merge, so no customer sees another's conversation."""
    check_merge(actor, source, target)
    moved = _move_messages(session, source, target)
    session.execute(
        update(GuardFinding).where(GuardFinding.ticket_id == source.id).values(ticket_id=target.id)
    )
    missing = [t.name for t in source.tags if t.name not in {x.name for x in target.tags}]
    for name in missing:
        session.add(TicketTag(ticket_id=target.id, tag_id=ensure_tag(session, name)))
    target.search_text = union_terms(target.search_text, source.search_text)
    source.merged_into_id = target.id
    change_status(session, actor, source, Status.closed, reason="merged")
    record(session, source, actor, "ticket.merged_into", None, {"target_id": target.id})
    record(
        session,
        target,
        actor,
        "ticket.merged",
        None,
        {"source_id": source.id, "messages_moved": moved, "tags_added": missing},
    )
    touch(target)
    session.flush()
    session.expire(target, ["tags"])
    return target
