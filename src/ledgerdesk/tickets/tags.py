"""Ticket tags: the name check, the shared tag rows (created on first use), agents adding and
removing tags, and the tags the system sets as flags."""

from __future__ import annotations

import re
from collections.abc import Sequence

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from ledgerdesk.accounts.services import Actor
from ledgerdesk.ai.guard.storage import guard_text
from ledgerdesk.core.errors import InvalidInput
from ledgerdesk.tickets.checks import check_not_closed, require_agent
from ledgerdesk.tickets.events import record, touch
from ledgerdesk.tickets.models import Tag, Ticket, TicketTag

MAX_TAG = 64
_TAG_RE = re.compile(r"^[\w\-.:]+$", re.UNICODE)


def check_tag(name: str) -> str:
    """The tag as stored (trimmed, lower case), or ``InvalidInput`` saying why not."""
    tag = name.strip().lower()
    if not tag or len(tag) > MAX_TAG or not _TAG_RE.match(tag):
        raise InvalidInput(
            f"Tag '{guard_text(name[:80])}' is not valid: use letters, digits, '-', '_', '.', "
            f"':' (at most {MAX_TAG})",
            field="tags",
        )
    if guard_text(tag) != tag:
        raise InvalidInput(
            "A tag must not hold a password, code, key or seed phrase; it was not stored",
            field="tags",
        )
    return tag


def ensure_tag(session: Session, name: str) -> int:
    """The id of the tag named ``name`` (already checked), created on first use."""
    tag_id = session.scalar(select(Tag.id).where(Tag.name == name))
    if tag_id is None:
        tag = Tag(name=name)
        session.add(tag)
        session.flush()
        tag_id = tag.id
    return tag_id


def flag_tag(session: Session, ticket: Ticket, name: str) -> None:
    """Add a tag set by the system (the guard's flags); no-op when the ticket has it."""
    tag_id = ensure_tag(session, name)
    exists = session.scalar(
        select(TicketTag.tag_id).where(TicketTag.ticket_id == ticket.id, TicketTag.tag_id == tag_id)
    )
    if exists is None:
        session.add(TicketTag(ticket_id=ticket.id, tag_id=tag_id))
        session.flush()
        session.expire(ticket, ["tags"])


def do_tag(session: Session, actor: Actor, ticket: Ticket, names: Sequence[str]) -> list[str]:
    """Add tags; returns the ones that were new on this ticket."""
    require_agent(actor)
    check_not_closed(ticket)
    wanted = sorted({check_tag(n) for n in names})
    have = {t.name for t in ticket.tags}
    added = [t for t in wanted if t not in have]
    for name in added:
        session.add(TicketTag(ticket_id=ticket.id, tag_id=ensure_tag(session, name)))
    if added:
        record(session, ticket, actor, "ticket.tagged", None, {"tags": added})
        touch(ticket)
        session.flush()
        session.expire(ticket, ["tags"])
    return added


def do_untag(session: Session, actor: Actor, ticket: Ticket, names: Sequence[str]) -> list[str]:
    require_agent(actor)
    check_not_closed(ticket)
    wanted = {n.strip().lower() for n in names}
    present = [t for t in ticket.tags if t.name in wanted]
    if present:
        session.execute(
            delete(TicketTag).where(
                TicketTag.ticket_id == ticket.id, TicketTag.tag_id.in_([t.id for t in present])
            )
        )
        record(session, ticket, actor, "ticket.untagged", {"tags": [t.name for t in present]})
        touch(ticket)
        session.expire(ticket, ["tags"])
    return [t.name for t in present]
