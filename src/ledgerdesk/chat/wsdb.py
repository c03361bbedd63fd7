"""The websocket's database work. Every function here is synchronous, opens its own session
from the app's sessionmaker, commits when it writes, and runs in a worker thread (``chat.hub``
``Hub.run``), never on the event loop. Commits publish through ``chat.publish``'s hooks."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from ledgerdesk.accounts import services as accounts
from ledgerdesk.accounts import sessions
from ledgerdesk.accounts.models import Customer
from ledgerdesk.accounts.services import Actor
from ledgerdesk.chat import services as chat
from ledgerdesk.core.errors import DomainError, InvalidInput, NotAuthenticated, NotPermitted
from ledgerdesk.core.i18n import gettext as _
from ledgerdesk.tickets.models import MessageKind, Ticket

REPLAY_BATCH = 500


@dataclass(frozen=True)
class Who:
    """The authenticated side of a connection: a widget visitor or a console agent."""

    role: str  # "customer" | "agent"
    id: int  # the agent's id, or the visitor's customer's id (what typing events name)
    name: str
    actor: Actor | None = None
    visitor: chat.Visitor | None = None
    session_id: str | None = None  # the console session (agents), re-checked while connected
    token: str | None = None  # the visitor token (customers), re-checked while connected

    @property
    def is_agent(self) -> bool:
        return self.role == "agent"

    @property
    def audience(self) -> str:
        return "agent" if self.is_agent else "customer"

    def as_author(self) -> dict[str, Any]:
        return {"kind": self.role, "name": self.name, "id": self.id}


@dataclass(frozen=True)
class SendFrame:
    """A validated ``send`` frame."""

    client_id: str
    conversation: int | None
    body: str
    kind: MessageKind
    page_url: str = ""


Factory = sessionmaker[Session]


def authenticate(
    factory: Factory, token: str | None, session_id: str | None, require_2fa: bool
) -> Who:
    """A visitor by ``token``, else an agent by the console session; ``NotAuthenticated``."""
    with factory() as session:
        if token is not None:
            return _visitor(session, token)
        if session_id is None:
            raise NotAuthenticated(_("Sign in to the console, or send a visitor token"))
        live = sessions.find_live(session, session_id)
        if live is None or live.agent is None:
            raise NotAuthenticated(_("Your console session has ended; sign in again"))
        if require_2fa and live.agent.totp_enabled_at is None:
            raise NotPermitted(_("Two-factor sign-in is required on this desk"))
        who = Who(
            role="agent",
            id=live.agent.id,
            name=live.agent.name,
            actor=accounts.agent_actor(live.agent),
            session_id=session_id,
        )
        session.commit()  # last-seen moved on (at most once a minute)
        return who


def _visitor(session: Session, token: str) -> Who:
    visitor = chat.visitor_from_token(session, token)
    customer = session.get(Customer, visitor.customer_id)
    name = customer.name if customer is not None else ""
    who = Who(
        role="customer", id=visitor.customer_id, name=name or "", visitor=visitor, token=token
    )
    session.commit()  # the visitor's last-seen time may have moved on
    return who


def recheck(factory: Factory, who: Who, conversations: list[int]) -> tuple[Who | None, list[int]]:
    """The sign-in behind ``who`` read again (``None``: it ended), with an agent's current role
    and teams, and which of the followed ``conversations`` it may no longer see (an agent
    moved off a team keeps no window on that team's chats)."""
    try:
        fresh = authenticate(factory, who.token, who.session_id, require_2fa=False)
    except (NotAuthenticated, NotPermitted):
        return None, []
    lost = []
    with factory() as session:
        for conversation in conversations:
            try:
                _access(session, fresh, conversation)
            except DomainError:
                lost.append(conversation)
    return fresh, lost


def recheck_all(
    factory: Factory, batch: list[tuple[Who, list[int]]]
) -> list[tuple[Who | None, list[int]]]:
    """``recheck`` for many connections, in this one thread."""
    return [recheck(factory, who, conversations) for who, conversations in batch]


def _access(session: Session, who: Who, conversation: int) -> Ticket:
    if who.is_agent:
        assert who.actor is not None
        return chat.agent_can_access(session, who.actor, conversation)
    assert who.visitor is not None
    return chat.can_access(session, who.visitor, conversation)


def open_subscription(
    factory: Factory, who: Who, conversation: int, after: int
) -> tuple[dict[str, Any], list[dict[str, Any]], int]:
    """The conversation's state, every item after ``after``, and the new cursor."""
    with factory() as session:
        _access(session, who, conversation)
        state = chat.conversation_state(session, conversation, audience=who.audience)
        items, cursor = _items_from(session, who, conversation, after, int(state["last_seq"]))
        return state, items, cursor


def catch_up(
    factory: Factory, who: Who, conversation: int, after: int
) -> tuple[list[dict[str, Any]], int]:
    """Items after ``after`` and the new cursor (for a seq jump or a periodic re-check)."""
    with factory() as session:
        last_seq = session.scalar(select(Ticket.last_seq).where(Ticket.id == conversation))
        if last_seq is None:  # deleted meanwhile: nothing more will come
            return [], after
        return _items_from(session, who, conversation, after, int(last_seq))


def _items_from(
    session: Session, who: Who, conversation: int, after: int, last_seq: int
) -> tuple[list[dict[str, Any]], int]:
    # ``last_seq`` was read first: every message up to it was committed (seqs are taken under
    # the ticket's row lock and committed in order), so the items read next include all of
    # them, and the cursor may move past the notes a customer never sees.
    items: list[dict[str, Any]] = []
    while True:
        batch = chat.items_after(
            session, conversation, after, audience=who.audience, limit=REPLAY_BATCH
        )
        items.extend(batch)
        if len(batch) < REPLAY_BATCH:
            break
        after = int(batch[-1]["seq"])
    highest = int(items[-1]["seq"]) if items else 0
    return items, max(after, highest, last_seq)


def send(factory: Factory, who: Who, frame: SendFrame, locale: str) -> chat.Ack:
    """Store the message (or find its earlier copy) and commit; the ack's facts."""
    with factory() as session:
        if who.is_agent:
            assert who.actor is not None
            if frame.conversation is None:
                raise InvalidInput(_("Say which conversation to send to"), field="conversation")
            ack = chat.send_agent_message(
                session, who.actor, frame.conversation, frame.client_id, frame.body, frame.kind
            )
        else:
            assert who.visitor is not None
            if frame.kind != MessageKind.public:
                raise NotPermitted(_("Customers can only send messages"))
            ack = chat.send_customer_message(
                session,
                who.visitor,
                frame.conversation,
                frame.client_id,
                frame.body,
                page_url=frame.page_url,
                locale=locale,
            )
        session.commit()
        return ack


def mark(factory: Factory, who: Who, conversation: int, what: str, seq: int) -> Any:
    """Move the connection side's delivered/read mark; the new marks, or None."""
    with factory() as session:
        marks = chat.mark(session, conversation, who.audience, what, seq)
        session.commit()
        return marks


def desk_queue(factory: Factory, who: Who) -> list[dict[str, Any]]:
    assert who.actor is not None
    with factory() as session:
        return chat.chat_queue(session, who.actor)


def last_seqs(factory: Factory, ticket_ids: Sequence[int]) -> dict[int, int]:
    """``tickets.last_seq`` of each of ``ticket_ids`` that exists (one query per 500)."""
    found: dict[int, int] = {}
    ids = sorted(set(ticket_ids))
    with factory() as session:
        for start in range(0, len(ids), 500):
            rows = session.execute(
                select(Ticket.id, Ticket.last_seq).where(Ticket.id.in_(ids[start : start + 500]))
            )
            found.update({int(i): int(s) for i, s in rows})
    return found
