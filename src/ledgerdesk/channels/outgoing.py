"""What a pillar calls to e-mail a customer: queue the mail in the caller's transaction.

The ``mail.customer`` job (``channels/mail.py``) composes it after commit, with the
recipient's anti-phishing code as it is at send time, and sends it. This module imports no
other pillar, so ``accounts`` can queue mail without an import cycle.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from ledgerdesk.jobs.outbox import enqueue

if TYPE_CHECKING:
    from ledgerdesk.accounts.services import Actor

MAIL_TOPIC = "mail.customer"


@dataclass(frozen=True)
class QueuedMail:
    """One queued e-mail: to a customer (by id) or to a bare address (by ``to``).

    ``kind`` names what it is (``portal_code``, ``anti_phishing_changed``) for logs;
    ``locale`` overrides the customer's language for the anti-phishing line; a mail past
    ``valid_until`` (a sign-in code that has expired) is dropped instead of sent.
    ``mail_id`` (given when queued) names this one mail: its ``Message-ID`` comes from it,
    so a mail sent again after a crash is recognisably the same mail."""

    kind: str
    subject: str
    text: str
    customer_id: int | None = None
    to: str | None = None
    locale: str | None = None
    valid_until: datetime | None = None
    mail_id: str | None = None

    def to_payload(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "subject": self.subject,
            "text": self.text,
            "customer_id": self.customer_id,
            "to": self.to,
            "locale": self.locale,
            "valid_until": self.valid_until.isoformat() if self.valid_until else None,
            "mail_id": self.mail_id,
        }

    @classmethod
    def from_payload(cls, payload: dict[str, Any]) -> QueuedMail:
        until = payload.get("valid_until")
        customer_id = payload.get("customer_id")
        mail = cls(
            kind=str(payload["kind"]),
            subject=str(payload["subject"]),
            text=str(payload["text"]),
            customer_id=int(customer_id) if customer_id is not None else None,
            to=payload.get("to") or None,
            locale=payload.get("locale") or None,
            valid_until=datetime.fromisoformat(until) if until else None,
            mail_id=str(payload["mail_id"]) if payload.get("mail_id") else None,
        )
        mail.check()
        return mail

    def check(self) -> None:
        if (self.customer_id is None) == (self.to is None):
            raise ValueError("a queued e-mail needs exactly one of customer_id and to")
        if not self.subject.strip() or not self.text.strip():
            raise ValueError("a queued e-mail needs a subject and a text")


def queue_customer_mail(session: Session, mail: QueuedMail) -> None:
    """Queue ``mail`` in the caller's transaction: it is sent only if that commits. Inside
    ``recording_history`` (past events being recorded) nothing is sent."""
    mail.check()
    if is_history(session):
        return
    if mail.mail_id is None:
        mail = replace(mail, mail_id=uuid.uuid4().hex)
    enqueue(session, MAIL_TOPIC, mail.to_payload())


# --- notices about a customer's ticket ------------------------------------------------------
# Composed by ``channels/ticket_mail.py`` when sent, from the ids: the job re-reads the reply and
# the ticket, writes in the customer's language and sends each notice once.

REPLY_NOTICE_TOPIC = "mail.ticket_reply"
SOLVED_NOTICE_TOPIC = "mail.ticket_solved"
_HISTORY = "ledgerdesk_history"


@contextmanager
def recording_history(session: Session) -> Iterator[None]:
    """Changes made inside are past conversations being recorded (the demo desk, an import from
    another desk): customers saw them long ago, so no notice about them is e-mailed."""
    session.info[_HISTORY] = True
    try:
        yield
    finally:
        session.info.pop(_HISTORY, None)


def is_history(session: Session) -> bool:
    """True inside ``recording_history``: nothing the change causes may reach anyone."""
    return bool(session.info.get(_HISTORY))


def queue_reply_notice(session: Session, message_id: int) -> None:
    """E-mail the requester an agent's public reply once the caller's transaction commits."""
    if not is_history(session):
        enqueue(session, REPLY_NOTICE_TOPIC, {"message_id": message_id})


def queue_solved_notice(session: Session, ticket_id: int, event_id: int) -> None:
    """Tell the requester the ticket was solved (``event_id`` is that status change)."""
    if not is_history(session):
        enqueue(session, SOLVED_NOTICE_TOPIC, {"ticket_id": ticket_id, "event_id": event_id})


# --- agent notifications ----------------------------------------------------------------------
# Handled by ``channels/notifications.py``: the job re-reads the change, decides who is told
# (the new assignee; the assignee of a ticket the customer answered; the agents a note mentions)
# and records each notification once.

AGENT_NOTICE_TOPIC = "notify.agents"


def queue_agent_notice(
    session: Session,
    kind: str,
    ticket_id: int,
    actor: Actor,
    *,
    message_id: int | None = None,
    event: Any = None,
) -> None:
    """Tell agents about a change (``kind``: assigned | customer_replied | mentioned) once the
    caller's transaction commits. ``event`` (an assignment's event row) is flushed for its id."""
    if is_history(session):
        return
    actor_id = actor.id if actor.is_agent else None
    payload: dict[str, Any] = {"kind": kind, "ticket_id": ticket_id, "actor_id": actor_id}
    if message_id is not None:
        payload["message_id"] = message_id
    if event is not None:
        session.flush()
        payload["event_id"] = int(event.id)
    enqueue(session, AGENT_NOTICE_TOPIC, payload)
