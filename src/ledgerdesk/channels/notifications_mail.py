"""What a notification says (on the console page and in the agent's e-mail), and the
``notify.email`` job that e-mails it to the agent once, in the agent's language.

The e-mail is marked sent (``emailed_at``) in the job's transaction before it goes out: a
failed send rolls the mark back and the job retries; a job run twice finds the mark and stops.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ledgerdesk.accounts.models import Agent
from ledgerdesk.channels.mail import compose_customer_mail, send_unless_suppressed
from ledgerdesk.channels.mail_out import html_document
from ledgerdesk.channels.models import Notification
from ledgerdesk.channels.notifications import EMAIL_TOPIC, email_off
from ledgerdesk.core import i18n
from ledgerdesk.core.clock import utcnow
from ledgerdesk.core.settings import get_settings
from ledgerdesk.jobs.outbox import handler
from ledgerdesk.tickets.models import Message, Ticket

log = logging.getLogger("ledgerdesk.notifications")
_EXCERPT_CHARS = 500
_SUBJECT_CHARS = 100


def describe(
    session: Session, row: Notification, gettext: Callable[[str], str] = i18n.gettext
) -> str:
    """One sentence saying what happened, in the language of ``gettext``."""
    return describe_all(session, [row], gettext)[0]


def describe_all(
    session: Session, rows: Sequence[Notification], gettext: Callable[[str], str] = i18n.gettext
) -> list[str]:
    """``describe`` for a page of notifications, loading their tickets and agents at once."""
    ticket_ids = {r.ticket_id for r in rows if r.ticket_id is not None}
    agent_ids = {r.actor_agent_id for r in rows if r.actor_agent_id is not None}
    tickets: dict[int, Ticket] = {}
    if ticket_ids:
        tickets = {
            t.id: t for t in session.scalars(select(Ticket).where(Ticket.id.in_(ticket_ids)))
        }
    names: dict[int, str] = {}
    if agent_ids:
        query = select(Agent.id, Agent.name).where(Agent.id.in_(agent_ids))
        names = {agent_id: name for agent_id, name in session.execute(query)}
    platform = get_settings().platform_name
    texts = _texts(gettext)
    out: list[str] = []
    for row in rows:
        ticket = tickets.get(row.ticket_id or 0)
        values = {
            "id": ticket.id if ticket else "?",
            "subject": _short(ticket.subject if ticket else ""),
            "actor": names.get(row.actor_agent_id or 0, platform),
        }
        out.append(texts.get(row.kind, gettext("Ticket #%(id)s: %(subject)s")) % values)
    return out


def _texts(_: Callable[[str], str]) -> dict[str, str]:
    return {
        "assigned": _("%(actor)s assigned ticket #%(id)s to you: %(subject)s"),
        "customer_replied": _("The customer replied on ticket #%(id)s: %(subject)s"),
        "mentioned": _("%(actor)s mentioned you in a note on ticket #%(id)s: %(subject)s"),
        "csat_low": _("A low satisfaction score on ticket #%(id)s needs review: %(subject)s"),
        "surge": _("Surge: many tickets like #%(id)s in the last hour: %(subject)s"),
        "escalated": _("Ticket #%(id)s was escalated to your team: %(subject)s"),
        "sla_breached": _("Ticket #%(id)s is past its SLA due time: %(subject)s"),
        "case_deadline": _("A complaint deadline is near on ticket #%(id)s: %(subject)s"),
    }


def _short(subject: str) -> str:
    text = " ".join(subject.split())
    return text if len(text) <= _SUBJECT_CHARS else text[: _SUBJECT_CHARS - 1] + "…"


@handler(EMAIL_TOPIC)
def email_agent(session: Session, payload: dict[str, Any]) -> None:
    """E-mail one notification to its agent, once; nothing for an inactive agent."""
    row = session.get(Notification, int(payload["notification_id"]))
    if row is None or row.emailed_at is not None:
        return
    agent = session.get(Agent, row.agent_id)
    if agent is None or not agent.active:
        return
    if row.kind in email_off(session, agent.id):  # turned off on /console/notifications
        return
    locale = i18n.normalise_locale(agent.locale) or "en"
    _ = i18n.translations(locale).ugettext
    headline = describe(session, row, _)
    url = f"{get_settings().resolved_public_url}/console/tickets/{row.ticket_id}"
    paragraphs = [headline, *_excerpt(session, row), _("Open the ticket: %(url)s") % {"url": url}]
    paragraphs.append(_("You get this e-mail because you are an agent of this support desk."))
    text = "\n\n".join(paragraphs)
    html = html_document(paragraphs, links=[url])
    mail = compose_customer_mail(
        None,
        headline,
        text,
        html_body=html,
        to=agent.email,
        locale=locale,
        identity=f"notification:{row.id}",
    )
    mail["X-Ledgerdesk-Notification"] = row.kind
    row.emailed_at = utcnow()  # before sending: see the module's docstring
    session.flush()
    send_unless_suppressed(session, mail, f"notification {row.kind}")


def _excerpt(session: Session, row: Notification) -> list[str]:
    message = session.get(Message, row.message_id) if row.message_id is not None else None
    if message is None:
        return []
    body = message.body.strip()
    if len(body) > _EXCERPT_CHARS:
        body = body[: _EXCERPT_CHARS - 1] + "…"
    return [body]
