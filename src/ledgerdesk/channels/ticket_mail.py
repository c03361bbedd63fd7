"""E-mails to a requester about their ticket: an agent's public reply, and "solved".

Queued by ``tickets.services`` in the transaction of the reply or status change (never for
internal notes), composed here when the job runs: the reply and the ticket are re-read, the
mail is written in the customer's language (``accounts.mail_locale``) and starts with their
anti-phishing line like every other e-mail. Each notice is recorded as a ``customer.notified``
event in the job's transaction, so a job that runs twice (or is queued twice) sends once. A
crash after the SMTP server accepted the mail but before that commit sends it again, with the
same ``Message-ID`` (derived from what the notice is), so the copy can be recognised.
A reply that also solves the ticket is one e-mail, which says both.

Each mail is plain text and HTML, threads with the ticket's earlier mails (its ``Message-ID``
is recorded in ``mail_message_ids`` in the same transaction, see ``channels/mail_out.py``), and
carries the per-ticket Reply-To when inbound mail is set up. Suppressed addresses (bounced,
complained, ``.invalid``) get nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ledgerdesk.accounts import services as accounts
from ledgerdesk.accounts.models import Customer
from ledgerdesk.channels.mail import compose_customer_mail, is_suppressed, send
from ledgerdesk.channels.mail_out import (
    add_ticket_headers,
    html_document,
    inbound_configured,
    record_sent,
    thread_ids,
)
from ledgerdesk.channels.outgoing import REPLY_NOTICE_TOPIC, SOLVED_NOTICE_TOPIC
from ledgerdesk.core import i18n
from ledgerdesk.core.settings import get_settings
from ledgerdesk.jobs.outbox import enqueue, handler
from ledgerdesk.tickets.models import ActorKind, Event, Message, MessageKind, Status, Ticket
from ledgerdesk.tickets.services import record_event

log = logging.getLogger("ledgerdesk.mail")
NOTIFIED = "customer.notified"

_SUBJECT_CHARS = 120


@dataclass(frozen=True)
class _Notice:
    kind: str  # "reply" or "solved"
    ref: dict[str, int]  # what it is about: {"message_id": …} or {"event_id": …}
    ticket: Ticket
    customer: Customer


@handler(REPLY_NOTICE_TOPIC)
def send_reply_notice(session: Session, payload: dict[str, Any]) -> None:
    """E-mail an agent's public reply to the requester (once; dropped if it is gone)."""
    from ledgerdesk.channels.messenger.services import takes_notice  # a chat, not e-mail

    if takes_notice(session, "reply", payload):
        return
    message = session.get(Message, int(payload["message_id"]))
    if message is None or message.kind != MessageKind.public:
        return
    if message.author_kind not in (ActorKind.agent, ActorKind.system):  # system: incidents
        return
    from ledgerdesk.chat.followup import reply_mail_wait  # chat builds on tickets

    wait = reply_mail_wait(session, message)
    if wait is None:  # read in the chat widget: no e-mail
        return
    if wait > 0:  # a live chat: give the widget time to deliver it first
        enqueue(session, REPLY_NOTICE_TOPIC, {"message_id": message.id}, delay_seconds=wait)
        return
    notice = _notice(session, "reply", {"message_id": message.id}, message.ticket_id)
    if notice is None:
        return
    _ = _gettext(notice.customer)
    paragraphs = [
        _("%(agent)s (%(platform)s Support) replied to your request #%(id)s:")
        % {"agent": _agent_name(message), **_values(notice.ticket)},
        message.body,
    ]
    if message.attachments:
        paragraphs.append(
            _("Attachments: %(count)s (open the request to see them)")
            % {"count": len(message.attachments)}
        )
    if notice.ticket.status == Status.solved:
        paragraphs.append(_solved_line(_, notice.ticket))
    subject = _("[#%(id)s] New reply to your request: %(subject)s")
    _send(session, notice, subject, paragraphs)


@handler(SOLVED_NOTICE_TOPIC)
def send_solved_notice(session: Session, payload: dict[str, Any]) -> None:
    """Tell the requester the ticket was solved, unless it has been reopened since."""
    from ledgerdesk.channels.messenger.services import takes_notice  # a chat, not e-mail

    if takes_notice(session, "solved", payload):
        return
    event_id = int(payload["event_id"])
    notice = _notice(session, "solved", {"event_id": event_id}, int(payload["ticket_id"]))
    if notice is None or notice.ticket.status not in (Status.solved, Status.closed):
        return
    _ = _gettext(notice.customer)
    paragraphs = [_solved_line(_, notice.ticket)]
    subject = _("[#%(id)s] Your request was solved: %(subject)s")
    _send(session, notice, subject, paragraphs)


def _notice(session: Session, kind: str, ref: dict[str, int], ticket_id: int) -> _Notice | None:
    """What to send, or None when the ticket or its requester is gone or it was sent."""
    ticket = session.get(Ticket, ticket_id)
    if ticket is None or _already_sent(session, ticket, kind, ref):
        return None
    customer = accounts.find_customer(session, ticket.requester_id)
    if customer is None or not customer.email:
        log.info("ticket #%s notice %r dropped: the requester has no e-mail", ticket_id, kind)
        return None
    return _Notice(kind=kind, ref=ref, ticket=ticket, customer=customer)


def _already_sent(session: Session, ticket: Ticket, kind: str, ref: dict[str, int]) -> bool:
    sent = session.scalars(
        select(Event.after).where(Event.ticket_id == ticket.id, Event.action == NOTIFIED)
    )
    return any(after == {"notice": kind, **ref} for after in sent)


def _send(session: Session, notice: _Notice, subject: str, paragraphs: list[str]) -> None:
    settings = get_settings()
    _ = _gettext(notice.customer)
    url = f"{settings.resolved_public_url}/portal/tickets/{notice.ticket.id}"
    paragraphs = [
        *paragraphs,
        _("Read and answer it in the portal: %(url)s") % {"url": url},
        _footer(_),
    ]
    locale = accounts.mail_locale(notice.customer)
    mail = compose_customer_mail(
        notice.customer,
        subject % _values(notice.ticket),
        "\n\n".join(paragraphs),
        html_body=html_document(paragraphs, links=[url]),
        locale=locale,
        identity=_identity(notice),
    )
    if is_suppressed(session, notice.customer.email):  # bounced, complained or a placeholder
        log.info("ticket #%s notice %r dropped: address suppressed", notice.ticket.id, notice.kind)
        return
    add_ticket_headers(mail, notice.ticket.id, thread_ids(session, notice.ticket.id), settings)
    # Recorded before sending, in the job's transaction: if the send fails, both roll back and
    # the job is retried; once it committed, a second run finds the record and stops.
    record_event(
        session,
        accounts.SYSTEM,
        NOTIFIED,
        {"notice": notice.kind, **notice.ref},
        ticket=notice.ticket,
    )
    record_sent(session, notice.ticket.id, str(mail["Message-ID"]), notice.ref.get("message_id"))
    send(mail)


def _identity(notice: _Notice) -> str:
    """What the notice is, for its ``Message-ID``: the same on a second try after a crash
    (sent by SMTP, not yet committed), so the reader's mail system drops the copy."""
    ref = ",".join(f"{key}={value}" for key, value in sorted(notice.ref.items()))
    return f"ticket:{notice.ticket.id}:{notice.kind}:{ref}"


def _footer(_: Callable[[str], str]) -> str:
    """Whether replying by e-mail works depends on inbound mail being set up."""
    if inbound_configured():
        return _(
            "You can reply to this e-mail to answer; keep the [#number] in the subject. We will "
            "never ask for your password, 2FA codes, seed phrase or private keys."
        )
    return _(
        "Replies to this e-mail are not read. We will never ask for your password, 2FA "
        "codes, seed phrase or private keys."
    )


def _solved_line(_: Callable[[str], str], ticket: Ticket) -> str:
    return _(
        "We marked your request #%(id)s as solved. If something is still not right, reply in "
        "the portal and it opens again."
    ) % _values(ticket)


def _gettext(customer: Customer) -> Callable[[str], str]:
    return i18n.translations(accounts.mail_locale(customer)).ugettext


def _values(ticket: Ticket) -> dict[str, Any]:
    subject = " ".join(ticket.subject.split())
    if len(subject) > _SUBJECT_CHARS:
        subject = subject[: _SUBJECT_CHARS - 1] + "…"
    return {"id": ticket.id, "subject": subject, "platform": get_settings().platform_name}


def _agent_name(message: Message) -> str:
    agent = message.author_agent
    return agent.name if agent is not None else get_settings().platform_name
