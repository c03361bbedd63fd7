"""The messages an incident sends to its linked tickets, each at most once per ticket: the
automatic answer when a ticket is linked (key ``auto``), a mass reply (``update:<id>``) and the
resolution notice (``resolved``). Written in the ticket's language (zh* → Chinese, else
English) and posted as a public message, so the customer gets it the way they get any reply
(portal, chat, e-mail or messenger).

The ``incident_deliveries`` row is inserted (and flushed) before the message: a second run of
the same job finds it and stops; two runs at the same moment collide on its unique index and
one of them rolls back and is retried by the job queue, then finds the row."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.orm import Session

from ledgerdesk.accounts.models import Agent
from ledgerdesk.accounts.services import SYSTEM, Actor, agent_actor
from ledgerdesk.channels.outgoing import queue_reply_notice
from ledgerdesk.core.i18n import translations
from ledgerdesk.core.settings import get_settings
from ledgerdesk.incidents.linking import AUTO_KEY
from ledgerdesk.incidents.models import Incident, IncidentDelivery, IncidentTicket, IncidentUpdate
from ledgerdesk.tickets import services as tickets
from ledgerdesk.tickets.models import Message, Status, Ticket
from ledgerdesk.web.labels import N_

RESOLVED_KEY = "resolved"

_AUTO = N_(
    "We are aware of a problem that affects your request: %(title)s. Our team is working on "
    "it, and we will update this request when there is news. You can follow it on our status "
    "page: %(url)s"
)
_UPDATE = N_("Update on %(title)s:")
_RESOLVED = N_("Resolved: %(title)s")
_FOLLOW = N_("Status page: %(url)s")


def update_key(update_id: int) -> str:
    return f"update:{update_id}"


def ticket_locale(ticket: Ticket) -> str:
    return "zh-CN" if (ticket.language or "").lower().startswith("zh") else "en"


def status_url(incident: Incident, locale: str) -> str:
    base = get_settings().resolved_public_url.rstrip("/")
    return f"{base}/status/{incident.id}?lang={locale}"


def _title(incident: Incident, locale: str) -> str:
    return incident.title_zh if locale == "zh-CN" else incident.title_en


def compose(incident: Incident, key: str, locale: str, update: IncidentUpdate | None) -> str:
    """The message text for one ticket in ``locale``."""
    _: Callable[[str], str] = translations(locale).ugettext
    values = {"title": _title(incident, locale), "url": status_url(incident, locale)}
    if key == AUTO_KEY or update is None:
        return _(_AUTO) % values
    body = update.body_zh if locale == "zh-CN" else update.body_en
    head = _(_RESOLVED if key == RESOLVED_KEY else _UPDATE) % values
    return "\n\n".join([head, body, _(_FOLLOW) % values])


def _delivered(session: Session, incident_id: int, key: str, ticket_id: int) -> bool:
    found = session.scalar(
        select(IncidentDelivery.id).where(
            IncidentDelivery.incident_id == incident_id,
            IncidentDelivery.key == key,
            IncidentDelivery.ticket_id == ticket_id,
        )
    )
    return found is not None


def _is_linked(session: Session, incident_id: int, ticket_id: int) -> bool:
    found = session.scalar(
        select(IncidentTicket.id).where(
            IncidentTicket.incident_id == incident_id,
            IncidentTicket.ticket_id == ticket_id,
            IncidentTicket.unlinked_at.is_(None),
        )
    )
    return found is not None


def _sender(session: Session, agent_id: int | None) -> Actor:
    """The agent who posted the update, when still active; else the desk itself."""
    agent = session.get(Agent, agent_id) if agent_id else None
    if agent is None or not agent.active:
        return SYSTEM
    return agent_actor(agent)


def deliver(
    session: Session,
    incident_id: int,
    key: str,
    ticket_id: int,
    *,
    solve: bool = False,
) -> Message | None:
    """Post the incident's message ``key`` to one ticket, unless it was posted already, the
    ticket is no longer linked, closed or merged; returns the message posted."""
    incident = session.get(Incident, incident_id)
    ticket = session.get(Ticket, ticket_id)
    if incident is None or ticket is None or _delivered(session, incident_id, key, ticket_id):
        return None
    if not _is_linked(session, incident_id, ticket_id):
        return None
    if ticket.status == Status.closed or ticket.merged_into_id is not None:
        return None
    update: IncidentUpdate | None = None
    if key == AUTO_KEY:
        if not incident.is_open:
            return None
        sender: Actor = SYSTEM
    else:
        update = _update_for(session, incident, key)
        if update is None:
            return None
        sender = _sender(session, update.author_id)
    delivery = IncidentDelivery(incident_id=incident_id, key=key, ticket_id=ticket_id)
    session.add(delivery)
    session.flush()  # claims (incident, key, ticket) before anything is posted
    text = compose(incident, key, ticket_locale(ticket), update)
    status = Status.solved if solve and sender.is_agent and key == RESOLVED_KEY else None
    if status is not None and ticket.status == Status.solved:
        status = None
    message = tickets.do_add_message(session, sender, ticket, text, status=status)
    if not sender.is_agent:  # an agent's reply is e-mailed by do_add_message already
        queue_reply_notice(session, message.id)
    delivery.message_id = message.id
    return message


def _update_for(session: Session, incident: Incident, key: str) -> IncidentUpdate | None:
    if key == RESOLVED_KEY:
        query = (
            select(IncidentUpdate)
            .where(IncidentUpdate.incident_id == incident.id)
            .order_by(IncidentUpdate.id.desc())
            .limit(1)
        )
        return session.scalar(query)
    prefix, _, number = key.partition(":")
    if prefix != "update" or not number.isdigit():
        return None
    update = session.get(IncidentUpdate, int(number))
    return update if update is not None and update.incident_id == incident.id else None


def delivered_count(session: Session, incident_id: int, key: str) -> int:
    query = select(IncidentDelivery.id).where(
        IncidentDelivery.incident_id == incident_id, IncidentDelivery.key == key
    )
    return len(list(session.scalars(query)))
