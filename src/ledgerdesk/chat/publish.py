"""Publish committed changes to live clients, whatever code path made them.

``install(factory, bus)`` hangs listeners on a sessionmaker, so every session it makes (web
requests, the websocket's threads, the outbox worker, the console form, the REST API) does
this with no code of its own:

- after each flush, note the ids of new messages and the chat tickets that changed;
- just before the commit, still inside the transaction, build each new message's item
  (``chat.items.message_item``, with its attachments);
- once the commit succeeded, publish each item on ``t:<ticket id>`` in seq order, a status
  event when a chat ticket's status changed, and one ``{"type": "queue"}`` hint on ``desk``
  when any chat ticket moved (new chat, message, assignee, status).

A rollback publishes nothing. Publishing is a hint only (see ``chat.bus``): the websocket
reads the database for anything it did not see, so a commit whose publish is lost (the process
died between the two) is still delivered, within the connection's periodic re-check.
"""

from __future__ import annotations

import logging
import weakref
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import event, inspect, select
from sqlalchemy.orm import Session, SessionTransaction, UOWTransaction, selectinload, sessionmaker
from sqlalchemy.orm.util import identity_key

from ledgerdesk.chat.bus import Bus
from ledgerdesk.chat.items import assistant_meta, message_item
from ledgerdesk.tickets.models import Attachment, Channel, Message, Ticket

log = logging.getLogger("ledgerdesk.chat")

_KEY = "ledgerdesk_chat_publish"
DESK_TOPIC = "desk"


def ticket_topic(ticket_id: int) -> str:
    return f"t:{ticket_id}"


@dataclass
class _Pending:
    """What one transaction will publish once it commits."""

    message_ids: set[int] = field(default_factory=set)
    # The new messages themselves, and the ids of messages that got attachments in this
    # transaction: a message whose attachments are known in memory is built without a query.
    messages: dict[int, Message] = field(default_factory=dict)
    attached: set[int] = field(default_factory=set)
    chat_tickets: set[int] = field(default_factory=set)
    statuses: dict[int, str] = field(default_factory=dict)
    items: list[dict[str, Any]] = field(default_factory=list)
    desk: bool = False
    built: bool = False  # set by the outermost transaction's before_commit


def _pending(session: Session) -> _Pending:
    pending = session.info.get(_KEY)
    if pending is None:
        pending = session.info[_KEY] = _Pending()
    assert isinstance(pending, _Pending)
    return pending


def _after_flush(session: Session, _flush: UOWTransaction) -> None:
    # Still the flush's "before" view: ``new`` and attribute histories are as flushed.
    pending: _Pending | None = None
    for obj in session.new:
        if isinstance(obj, Message):
            pending = pending or _pending(session)
            pending.message_ids.add(obj.id)
            pending.messages[obj.id] = obj
        elif isinstance(obj, Attachment):
            pending = pending or _pending(session)
            pending.attached.add(obj.message_id)
        elif isinstance(obj, Ticket) and obj.channel == Channel.chat:
            pending = pending or _pending(session)
            pending.chat_tickets.add(obj.id)
    for obj in session.dirty:
        if isinstance(obj, Ticket) and obj.channel == Channel.chat:
            pending = pending or _pending(session)
            pending.chat_tickets.add(obj.id)
            if inspect(obj).attrs.status.history.has_changes():
                pending.statuses[obj.id] = obj.status.value


def _before_commit(session: Session) -> None:
    if session.in_nested_transaction() or _KEY not in session.info:
        return  # a savepoint is released, or nothing to publish
    try:
        session.flush()  # what is still pending joins the lists above
        _build(session, _pending(session))
    except Exception:  # publishing is a hint: never fail a commit for it
        log.exception("chat items not built; clients catch up from the database")
        session.info.pop(_KEY, None)


# Many-to-one: read from the session's identity map when the author is in it.
_LAZY_AUTHORS = frozenset({"author_agent", "author_customer"})


def _in_memory(pending: _Pending) -> list[Message]:
    """The new messages whose item can be built from the objects in hand: every column
    loaded, and the attachments known (set when stored, none added to them since)."""
    found = []
    for message_id in pending.message_ids:
        message = pending.messages.get(message_id)
        if message is None or message_id in pending.attached:
            continue
        state = inspect(message)
        if not state.persistent or state.unloaded - _LAZY_AUTHORS:
            continue  # undone by a savepoint, expired, or attachments not in hand: read it
        found.append(message)
    return found


def _chat_tickets(session: Session, ticket_ids: set[int]) -> set[int]:
    """Which of these tickets are chats: from the session's own tickets where it has them."""
    chat: set[int] = set()
    unknown: list[int] = []
    for ticket_id in ticket_ids:
        ticket = session.identity_map.get(identity_key(Ticket, ticket_id))
        if ticket is None or "channel" in inspect(ticket).unloaded:
            unknown.append(ticket_id)
        elif ticket.channel == Channel.chat:
            chat.add(ticket_id)
    if unknown:
        chat.update(
            session.scalars(
                select(Ticket.id).where(Ticket.id.in_(unknown), Ticket.channel == Channel.chat)
            ).all()
        )
    return chat


def _build(session: Session, pending: _Pending) -> None:
    if pending.message_ids:
        messages = _in_memory(pending)
        rest = pending.message_ids - {m.id for m in messages}
        if rest:
            messages += session.scalars(
                select(Message)
                .where(Message.id.in_(rest))
                .options(selectinload(Message.attachments))
                # Attachments were added by id, not through the relationship: read them fresh.
                .execution_options(populate_existing=True)
            ).all()
        messages.sort(key=lambda m: (m.ticket_id, m.seq))
        meta = assistant_meta(session, messages)
        pending.items = [message_item(m, ticket_id=m.ticket_id, assistant=meta) for m in messages]
        pending.chat_tickets.update(_chat_tickets(session, {m.ticket_id for m in messages}))
    pending.messages.clear()
    pending.desk = bool(pending.chat_tickets)
    pending.built = True


def _after_commit(bus: Bus, session: Session) -> None:
    # Also called when a savepoint is released: only the outermost commit, which built the
    # items just before, publishes.
    pending = session.info.get(_KEY)
    if not isinstance(pending, _Pending) or not pending.built:
        return
    del session.info[_KEY]
    for item in pending.items:
        bus.publish(ticket_topic(item["conversation"]), item)
    for ticket_id, status in sorted(pending.statuses.items()):
        bus.publish(
            ticket_topic(ticket_id),
            {"type": "status", "conversation": ticket_id, "status": status},
        )
    if pending.desk:
        bus.publish(DESK_TOPIC, {"type": "queue"})


def _after_soft_rollback(session: Session, previous: SessionTransaction) -> None:
    # A savepoint's rollback keeps the outer transaction's list (ids of rows that are gone are
    # simply not found when the items are built); the outer rollback drops it all.
    if previous.parent is None:
        session.info.pop(_KEY, None)


class _Target:
    """The bus a factory's sessions publish to (replaceable: tests make several apps)."""

    def __init__(self, bus: Bus) -> None:
        self.bus = bus

    def after_commit(self, session: Session) -> None:
        _after_commit(self.bus, session)


_installed: weakref.WeakKeyDictionary[sessionmaker[Session], _Target] = weakref.WeakKeyDictionary()


def install(factory: sessionmaker[Session], bus: Bus) -> None:
    """Publish what sessions of ``factory`` commit to ``bus`` (again: switch to ``bus``)."""
    target = _installed.get(factory)
    if target is not None:
        target.bus = bus
        return
    target = _installed[factory] = _Target(bus)
    event.listen(factory, "after_flush", _after_flush)
    event.listen(factory, "before_commit", _before_commit)
    event.listen(factory, "after_commit", target.after_commit)
    event.listen(factory, "after_soft_rollback", _after_soft_rollback)
