"""What a notification says (on the console page and in the agent's e-mail), and the
``notify.email`` job that e-mails it to the agent once, in the agent's language.

The e-mail is marked sent (``emailed_at``) in the job's transaction before it goes out: a
failed send rolls the mark back and the job retries; a job run twice finds the mark and stops.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session

from ledgerdesk.accounts.models import Agent
from ledgerdesk.channels.mail import compose_customer_mail, send_unless_suppressed
from ledgerdesk.channels.mail_out import html_document
from ledgerdesk.channels.models import Notification
from ledgerdesk.channels.notifications import EMAIL_TOPIC
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
    _ = gettext
    ticket = session.get(Ticket, row.ticket_id) if row.ticket_id is not None else None
    actor = session.get(Agent, row.actor_agent_id) if row.actor_agent_id is not None else None
    values = {
        "id": ticket.id if ticket else "?",
        "subject": _short(ticket.subject if ticket else ""),
        "actor": actor.name if actor else get_settings().platform_name,
    }
    texts = {
        "assigned": _("%(actor)s assigned ticket #%(id)s to you: %(subject)s"),
        "customer_replied": _("The customer replied on ticket #%(id)s: %(subject)s"),
        "mentioned": _("%(actor)s mentioned you in a note on ticket #%(id)s: %(subject)s"),
        "csat_low": _("A low satisfaction score on ticket #%(id)s needs review: %(subject)s"),
    }
    return texts.get(row.kind, _("Ticket #%(id)s: %(subject)s")) % values


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
    locale = i18n.normalise_locale(agent.locale) or "en"
    _ = i18n.translations(locale).ugettext
    headline = describe(session, row, _)
    url = f"{get_settings().resolved_public_url}/console/tickets/{row.ticket_id}"
    paragraphs = [headline, *_excerpt(session, row), _("Open the ticket: %(url)s") % {"url": url}]
    paragraphs.append(_("You get this e-mail because you are an agent of this support desk."))
    text = "\n\n".join(paragraphs)
    html = html_document(paragraphs, links=[url])
    mail = compose_customer_mail(
        None, headline, text, html_body=html, to=agent.email, locale=locale
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
