"""Agent notifications: what an agent should look at (assigned to them, a customer replied,
mentioned in a note, a low satisfaction score to review).

``notify`` is the one writer: callers run it in a job or in the transaction of the change,
and the ``(agent, dedupe_key)`` pair makes a notification exist once however often that runs.

``tickets.services`` queues a ``notify.agents`` job with each change
(``channels.outgoing.queue_agent_notice``); its handler here decides who is told:

- ``assigned``: the new assignee, unless they assigned the ticket to themselves;
- ``customer_replied``: the ticket's assignee. An unassigned ticket notifies nobody: it is
  already in the shared queue every agent of its team works from, and telling the whole team
  about each reply would teach them to ignore the bell. While the assignee has an unread
  "customer replied" about the ticket, further replies add none (a chat sends many short
  messages: one notification and one e-mail until the agent has looked);
- ``mentioned``: each active agent a note names (``channels.mentions``) who may see the ticket.

Each new notification (whoever calls ``notify``: the CSAT review too) queues one
``notify.email`` job, which e-mails that agent once (``emailed_at`` is set in the job's
transaction before sending)."""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from ledgerdesk.accounts.models import Agent
from ledgerdesk.accounts.services import agent_actor
from ledgerdesk.channels.mentions import Candidate, mentioned
from ledgerdesk.channels.models import Notification, NotificationSetting
from ledgerdesk.channels.outgoing import AGENT_NOTICE_TOPIC
from ledgerdesk.core.clock import utcnow
from ledgerdesk.core.errors import InvalidInput, NotFound
from ledgerdesk.jobs.outbox import enqueue, handler
from ledgerdesk.tickets.models import Event, Message, MessageKind, Ticket

log = logging.getLogger("ledgerdesk.notifications")
KINDS = frozenset(
    {
        "assigned",
        "customer_replied",
        "mentioned",
        "csat_low",
        "escalated",
        "surge",
        "sla_breached",
        "case_deadline",
    }
)
EMAIL_KINDS = (  # in the form's order
    "assigned",
    "customer_replied",
    "mentioned",
    "csat_low",
    "escalated",
    "surge",
)
EMAIL_TOPIC = "notify.email"
PAGE_SIZE = 50


def notify(
    session: Session,
    agent_id: int,
    kind: str,
    dedupe_key: str,
    *,
    ticket_id: int | None = None,
    message_id: int | None = None,
    actor_agent_id: int | None = None,
) -> Notification | None:
    """Record one notification for ``agent_id``; None when it already exists (or the agent
    caused it themselves)."""
    if kind not in KINDS:
        raise ValueError(f"unknown notification kind {kind!r}")
    if actor_agent_id is not None and actor_agent_id == agent_id:
        return None
    existing = session.scalar(
        select(Notification.id).where(
            Notification.agent_id == agent_id, Notification.dedupe_key == dedupe_key
        )
    )
    if existing is not None:
        return None
    row = Notification(
        agent_id=agent_id,
        kind=kind,
        dedupe_key=dedupe_key[:120],
        ticket_id=ticket_id,
        message_id=message_id,
        actor_agent_id=actor_agent_id,
        created_at=utcnow(),
    )
    session.add(row)
    session.flush()
    enqueue(session, EMAIL_TOPIC, {"notification_id": row.id})  # e-mailed once, after commit
    return row


# --- the job: who is told -------------------------------------------------------------------


@handler(AGENT_NOTICE_TOPIC)
def notify_agents(session: Session, payload: dict[str, Any]) -> None:
    """Create the notifications a ticket change owes (once) and queue their e-mails."""
    kind = str(payload["kind"])
    ticket = session.get(Ticket, int(payload["ticket_id"]))
    if ticket is None:
        return
    actor_id = payload.get("actor_id")
    actor = int(actor_id) if actor_id is not None else None
    for agent_id, key, message_id in _recipients(session, kind, ticket, payload):
        notify(
            session,
            agent_id,
            kind,
            key,
            ticket_id=ticket.id,
            message_id=message_id,
            actor_agent_id=actor,
        )


def _recipients(
    session: Session, kind: str, ticket: Ticket, payload: dict[str, Any]
) -> list[tuple[int, str, int | None]]:
    """(agent id, dedupe key, message id) of each agent to tell."""
    if kind == "assigned":
        event = session.get(Event, int(payload["event_id"]))
        if event is None or ticket.assignee_id is None:
            return []
        assignee = (event.after or {}).get("assignee_id")
        if assignee != ticket.assignee_id:  # assigned to someone else since
            return []
        return [(int(assignee), f"assigned:{event.id}", None)]
    message = session.get(Message, int(payload["message_id"]))
    if message is None or message.ticket_id != ticket.id:
        return []
    if kind == "customer_replied":
        if ticket.assignee_id is None or message.kind != MessageKind.public:
            return []
        if _unread_reply_notice(session, ticket.assignee_id, ticket.id):
            return []  # a chat's burst of messages is one notification and one e-mail
        return [(ticket.assignee_id, f"customer_replied:{message.id}", message.id)]
    if kind == "mentioned" and message.kind == MessageKind.note:
        key = f"mentioned:{message.id}"
        return [(agent_id, key, message.id) for agent_id in _mentioned(session, ticket, message)]
    return []


def _unread_reply_notice(session: Session, agent_id: int, ticket_id: int) -> bool:
    found = select(Notification.id).where(
        Notification.agent_id == agent_id,
        Notification.ticket_id == ticket_id,
        Notification.kind == "customer_replied",
        Notification.read_at.is_(None),
    )
    return session.scalar(found.limit(1)) is not None


def _mentioned(session: Session, ticket: Ticket, message: Message) -> list[int]:
    agents = list(session.scalars(select(Agent).where(Agent.active.is_(True))))
    candidates = [Candidate(a.id, a.name, a.email) for a in agents]
    by_id = {a.id: a for a in agents}
    return [i for i in mentioned(message.body, candidates) if _may_see(session, by_id[i], ticket)]


def _may_see(session: Session, agent: Agent, ticket: Ticket) -> bool:
    from ledgerdesk.tickets.services import visible_to

    found = select(Ticket.id).where(Ticket.id == ticket.id, visible_to(agent_actor(agent)))
    return session.scalar(found) is not None


# --- reading and marking read (the console page) --------------------------------------------


def list_for(session: Session, agent_id: int, limit: int = PAGE_SIZE) -> list[Notification]:
    """The agent's own notifications, newest first."""
    query = (
        select(Notification)
        .where(Notification.agent_id == agent_id)
        .order_by(Notification.id.desc())
        .limit(limit)
    )
    return list(session.scalars(query))


def unread_count(session: Session, agent_id: int) -> int:
    query = select(func.count()).where(
        Notification.agent_id == agent_id, Notification.read_at.is_(None)
    )
    return int(session.scalar(query) or 0)


def access_notification(session: Session, agent_id: int, notification_id: int) -> Notification:
    """The notification, if it is ``agent_id``'s; another agent's answers ``NotFound``."""
    row = session.get(Notification, notification_id)
    if row is None or row.agent_id != agent_id:
        raise NotFound(f"Notification {notification_id} not found")
    return row


def do_mark_read(session: Session, row: Notification) -> None:
    if row.read_at is None:
        row.read_at = utcnow()


def do_mark_all_read(session: Session, agent_id: int) -> int:
    """Mark every unread notification of the agent read; how many were."""
    result = session.execute(
        update(Notification)
        .where(Notification.agent_id == agent_id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
    )
    return int(getattr(result, "rowcount", 0) or 0)


# --- which kinds the agent wants by e-mail ------------------------------------------------------


def email_off(session: Session, agent_id: int) -> frozenset[str]:
    """The kinds ``agent_id`` does not want e-mailed (the console still shows them)."""
    row = session.get(NotificationSetting, agent_id)
    return frozenset(row.email_off) if row is not None else frozenset()


def do_set_email_kinds(session: Session, agent_id: int, wanted: list[str]) -> None:
    """E-mail ``agent_id`` the kinds in ``wanted`` and no others."""
    unknown = sorted(set(wanted) - KINDS)
    if unknown:
        raise InvalidInput(f"Unknown notification kind: {', '.join(unknown)}", field="email")
    row = session.get(NotificationSetting, agent_id)
    if row is None:
        row = NotificationSetting(agent_id=agent_id)
        session.add(row)
    row.email_off = sorted(KINDS - set(wanted))
    row.updated_at = utcnow()
