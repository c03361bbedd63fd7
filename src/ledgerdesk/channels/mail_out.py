"""What a ticket's outgoing e-mail carries besides its text: threading headers from the
ticket's recorded ``Message-ID``s, the per-ticket Reply-To, loop-stopping headers, and the
HTML alternative of the plain text.

Threading follows RFC 5322 section 3.6.4: ``In-Reply-To`` names the latest message of the
thread (sent or received) and ``References`` lists the thread, cut to its first id and the
latest ones when it grows long (mail clients need the root and the recent parents; a
hundred-id header helps nobody and some relays refuse long headers)."""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from email.message import EmailMessage

from sqlalchemy import select
from sqlalchemy.orm import Session

from ledgerdesk.channels import reply_token
from ledgerdesk.channels.mail_ids import stored_id
from ledgerdesk.channels.mail_parse import clean_id
from ledgerdesk.channels.models import MailMessageId
from ledgerdesk.core.settings import Settings, get_settings

MAX_REFERENCES = 10  # the first id and the 9 latest
_DIGEST_DOMAIN = "@guarded.invalid"
# A URL, without the punctuation that ends the sentence around it.
_URL = re.compile(r"https?://[^\s<>\"']*[^\s<>\"'.,;:)]")


def inbound_configured(settings: Settings | None = None) -> bool:
    """Whether replies by e-mail reach the desk (IMAP polling or the HTTP hook is set up)."""
    settings = settings or get_settings()
    return bool(settings.mail_imap_host.strip() or settings.mail_inbound_token.strip())


def thread_ids(session: Session, ticket_id: int) -> list[str]:
    """The ticket's ``Message-ID``s, sent and received, oldest first. An id kept only as a
    digest (one the secret guard would have changed, see ``mail_ids.stored_id``) is left out:
    it names no message a mail client knows."""
    found = session.scalars(
        select(MailMessageId.message_id)
        .where(MailMessageId.ticket_id == ticket_id)
        .order_by(MailMessageId.id)
    )
    return [value for value in found if value and not value.endswith(_DIGEST_DOMAIN)]


def references(ids: Sequence[str]) -> list[str]:
    """``ids`` cut to at most ``MAX_REFERENCES``: the first and the latest, in order."""
    if len(ids) <= MAX_REFERENCES:
        return list(ids)
    return [ids[0], *ids[-(MAX_REFERENCES - 1) :]]


def record_sent(
    session: Session, ticket_id: int, message_id: str, ticket_message_id: int | None
) -> MailMessageId:
    """Record the ``Message-ID`` of a mail about to be sent on ``ticket_id`` (the caller's
    transaction: if the send fails, the record goes with it)."""
    row = MailMessageId(
        message_id=stored_id(clean_id(message_id)),
        ticket_id=ticket_id,
        ticket_message_id=ticket_message_id,
        direction="out",
    )
    session.add(row)
    session.flush()
    return row


def add_ticket_headers(
    msg: EmailMessage, ticket_id: int, thread: Sequence[str], settings: Settings | None = None
) -> None:
    """Threading, Reply-To and loop headers of a mail about ``ticket_id``; ``thread`` is the
    ticket's ids before this mail."""
    settings = settings or get_settings()
    if thread:
        msg["In-Reply-To"] = f"<{thread[-1]}>"
        msg["References"] = " ".join(f"<{value}>" for value in references(thread))
    if inbound_configured(settings):
        msg["Reply-To"] = reply_token.reply_address(ticket_id, settings)
    msg["X-Ledgerdesk-Ticket"] = str(ticket_id)
    msg["X-Loop"] = reply_token.base_address(settings)


def html_document(paragraphs: Sequence[str], links: Sequence[str] = ()) -> str:
    """A plain, safe HTML version of ``paragraphs``: every character escaped, line breaks
    kept, and only the URLs in ``links`` (ones we built) made clickable. Inline styles only
    and no images, so nothing is fetched when the mail is opened."""
    body = "".join(_paragraph(text, links) for text in paragraphs)
    return (
        '<!doctype html><html><head><meta charset="utf-8"></head>'
        '<body style="margin:0;padding:16px;font-family:-apple-system,Segoe UI,Helvetica,'
        'Arial,sans-serif;font-size:15px;line-height:1.5;color:#1f2328">'
        f'<div style="max-width:640px">{body}</div></body></html>'
    )


def urls_in(text: str) -> list[str]:
    """The web addresses in ``text``."""
    return _URL.findall(text)


def _paragraph(text: str, links: Sequence[str]) -> str:
    parts: list[str] = []
    position = 0
    for found in _URL.finditer(text):
        url = found.group(0)
        if url not in links:
            continue
        end = found.end()
        parts.append(html.escape(text[position : found.start()]))
        safe = html.escape(url, quote=True)
        parts.append(f'<a href="{safe}" style="color:#0b57d0">{safe}</a>')
        position = end
    parts.append(html.escape(text[position:]))
    inner = "".join(parts).replace("\n", "<br>")
    return f'<p style="margin:0 0 12px;white-space:normal">{inner}</p>'
