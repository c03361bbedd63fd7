"""Outbound e-mail to customers: composed with their anti-phishing code, sent over SMTP.

Every e-mail to a customer goes through ``compose_customer_mail``, which puts the customer's
anti-phishing code on the first line (or, without one, a line suggesting they set one), and
``send``. Services do not call these directly: they queue a ``mail.customer`` job
(``channels.outgoing.queue_customer_mail``) in their transaction, and the job composes the
mail when it sends it, so a code changed after queueing is the code the mail shows.

The code is deliberately not repeated in a header (such as ``X-Anti-Phishing-Code``): readers
never see headers, while relays, spam filters and mail archives index them, so a header would
copy the code into more places without protecting anyone.
"""

from __future__ import annotations

import hashlib
import hmac
import html
import logging
import re
import smtplib
import ssl
import time
from datetime import UTC
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parseaddr
from typing import TYPE_CHECKING, Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from ledgerdesk.accounts import services as accounts
from ledgerdesk.accounts.models import Customer
from ledgerdesk.channels.mail_out import html_document, urls_in
from ledgerdesk.channels.models import MailAddress
from ledgerdesk.channels.outgoing import MAIL_TOPIC, QueuedMail
from ledgerdesk.core import i18n
from ledgerdesk.core.clock import utcnow
from ledgerdesk.core.settings import Settings, get_settings
from ledgerdesk.core.text import neutralise_bidi
from ledgerdesk.jobs.outbox import handler

if TYPE_CHECKING:
    from _typeshed import ReadableBuffer

log = logging.getLogger("ledgerdesk.mail")
_BODY_TAG = re.compile(r"<body\b[^>]*>", re.IGNORECASE)


class MailNotConfigured(RuntimeError):
    """Outside development, mail cannot be sent without ``LEDGERDESK_SMTP_HOST``."""


def anti_phishing_line(customer: Customer | None, locale: str, settings: Settings) -> str:
    """The line every e-mail to ``customer`` starts with; empty for an unknown address."""
    if customer is None:
        return ""
    _ = i18n.translations(locale).ugettext
    if customer.anti_phishing_code:
        return _("Anti-phishing code: %(code)s") % {"code": customer.anti_phishing_code}
    return _(
        "Tip: set an anti-phishing code at %(url)s and every genuine e-mail from us will "
        "show it on this line."
    ) % {"url": settings.resolved_public_url + "/portal/security"}


def compose_customer_mail(
    customer: Customer | None,
    subject: str,
    text_body: str,
    *,
    html_body: str | None = None,
    to: str | None = None,
    locale: str | None = None,
    settings: Settings | None = None,
    identity: str | None = None,
) -> EmailMessage:
    """An e-mail to ``customer`` (or, for an address that is no customer yet, to ``to``),
    whose text (and HTML part, if given) starts with the anti-phishing line.

    ``locale`` overrides the customer's language for that line, so a mail written in the
    reader's current language stays in one language. ``identity`` names what the mail is (a
    notice about one reply, one queued mail): its ``Message-ID`` is derived from it
    (``stable_message_id``), so the same mail sent again after a crash carries the same id
    and the reader's mail system can drop the copy."""
    settings = settings or get_settings()
    recipient = to or (customer.email if customer is not None else "")
    if not recipient:
        raise ValueError("an e-mail needs a customer or a 'to' address")
    lang = i18n.normalise_locale(locale) or (
        accounts.mail_locale(customer) if customer is not None else "en"
    )
    line = anti_phishing_line(customer, lang, settings)
    sender = settings.resolved_mail_from
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = recipient
    msg["Subject"] = neutralise_bidi(subject)  # quoted customer text cannot reorder a mail
    msg["Date"] = format_datetime(utcnow().replace(tzinfo=UTC), usegmt=True)
    domain = parseaddr(sender)[1].rpartition("@")[2] or "localhost"
    msg["Message-ID"] = (
        stable_message_id(identity, domain, settings) if identity else make_msgid(domain=domain)
    )
    msg["Auto-Submitted"] = "auto-generated"  # RFC 3834: auto-responders must not answer
    text_body = neutralise_bidi(text_body)
    text = f"{line}\n\n{text_body}" if line else text_body
    # base64 keeps non-ASCII text safe through relays without 8BITMIME.
    msg.set_content(text, cte=None if text.isascii() else "base64")
    if html_body is not None:
        msg.add_alternative(_html_with_line(neutralise_bidi(html_body), line), subtype="html")
    msg["Content-Language"] = lang  # after the body: setting content clears Content-* headers
    return msg


def stable_message_id(identity: str, domain: str, settings: Settings) -> str:
    """The ``Message-ID`` of the mail named ``identity``: the same on every try, different
    for every other mail and every other desk (an HMAC under the desk's secret key, so it
    says nothing about ticket numbers). 32 hex digits: a 64-digit run would look like a
    private key to the guard (``mail_ids.stored_id``)."""
    key = settings.resolved_secret_key().encode()
    digest = hmac.new(key, b"message-id:" + identity.encode(), hashlib.sha256).hexdigest()
    return f"<{digest[:32]}.ld@{domain}>"


def _html_with_line(body: str, line: str) -> str:
    if not line:
        return body
    block = (
        '<p style="margin:0 0 16px;padding:8px 12px;background:#f2f4f7;'
        f'font-family:monospace">{html.escape(line)}</p>'
    )
    found = _BODY_TAG.search(body)
    if found is None:
        return block + body
    return body[: found.end()] + block + body[found.end() :]


def is_suppressed(session: Session, address: str) -> bool:
    """Whether the desk must not mail ``address``: it bounced or complained (inbound mail
    marks it in ``mail_addresses``), or it is a placeholder under the reserved ``.invalid``
    domain (messenger customers, RFC 2606)."""
    normal = parseaddr(address)[1].strip().lower() or address.strip().lower()
    if not normal or normal.endswith(".invalid"):
        return True
    found = session.scalar(
        select(MailAddress.id).where(
            MailAddress.address == normal,
            or_(MailAddress.bounced_at.is_not(None), MailAddress.complained_at.is_not(None)),
        )
    )
    return found is not None


def send_unless_suppressed(session: Session, msg: EmailMessage, kind: str) -> bool:
    """Send ``msg`` unless its recipient is suppressed (then log and drop it); True if sent."""
    if is_suppressed(session, str(msg["To"] or "")):
        log.info("e-mail %r to %s dropped: the address is suppressed", kind, msg["To"])
        return False
    send(msg)
    return True


def text_of(msg: EmailMessage) -> str:
    """The plain-text part of ``msg``."""
    part = msg.get_body(preferencelist=("plain",))
    return str(part.get_content()) if part is not None else ""


def send(msg: EmailMessage, settings: Settings | None = None) -> None:
    """Hand ``msg`` to the SMTP server. Without one, development logs it instead (the
    anti-phishing line included); production refuses, so the job retries until configured."""
    settings = settings or get_settings()
    if not settings.smtp_host:
        if settings.env != "development":
            raise MailNotConfigured(
                "LEDGERDESK_SMTP_HOST is not set; the e-mail waits in the queue"
            )
        # INFO, which ``ledgerdesk serve`` and ``worker`` print: not a problem in development.
        log.info(
            "e-mail not sent (LEDGERDESK_SMTP_HOST is empty) to %s, subject %r:\n%s",
            msg["To"],
            msg["Subject"],
            text_of(msg),
        )
        return
    _deliver(msg, settings)


def _deliver(msg: EmailMessage, settings: Settings) -> None:
    deadline = time.monotonic() + settings.smtp_timeout
    smtp: _DeadlineSMTP | None = None
    try:
        smtp = _DeadlineSMTP(
            deadline, settings.smtp_host, settings.smtp_port, settings.smtp_timeout
        )
        smtp.ehlo()
        if settings.smtp_starttls:
            smtp.starttls(context=ssl.create_default_context())
            smtp.ehlo()
        if settings.smtp_username:
            smtp.login(settings.smtp_username, settings.smtp_password)
        smtp.send_message(msg)
        _quit_quietly(smtp)
    except OSError as exc:  # smtplib's own errors are OSErrors too
        # smtplib reports a read that timed out as a disconnect; say what happened.
        if time.monotonic() >= deadline:
            raise TimeoutError(
                f"the SMTP server did not finish within {settings.smtp_timeout:g} s"
            ) from exc
        raise
    finally:
        if smtp is not None:
            smtp.close()


class _DeadlineSMTP(smtplib.SMTP):
    """An SMTP client whose reads and writes all end by one deadline.

    smtplib's timeout bounds each socket operation, so a server answering every command
    just in time could hold the job (and, on SQLite, the database's write lock) for minutes.
    Connecting in the constructor also records the host name that STARTTLS checks the
    certificate against (``connect()`` alone does not)."""

    def __init__(self, deadline: float, host: str, port: int, timeout: float) -> None:
        self.deadline = deadline
        self.limit = timeout
        super().__init__(host, port, timeout=timeout)

    def _arm(self) -> None:
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError(f"the SMTP server did not finish within {self.limit:g} s")
        if self.sock is not None:
            self.sock.settimeout(left)

    def send(self, s: ReadableBuffer | str) -> None:
        self._arm()
        super().send(s)

    def getreply(self) -> tuple[int, bytes]:
        self._arm()
        return super().getreply()


def _quit_quietly(smtp: smtplib.SMTP) -> None:
    # The server has accepted the message; a failed goodbye must not make the job send it again.
    # QUIT is sent without waiting for its answer: from the server's "accepted" to the job's
    # commit, a crash sends the mail again (with the same Message-ID), so that window is kept
    # as short as it can be.
    try:
        smtp.send("QUIT\r\n")
    except (smtplib.SMTPException, OSError) as exc:
        log.info("SMTP QUIT failed after the message was accepted: %s", exc)


@handler(MAIL_TOPIC)
def send_customer_mail(session: Session, payload: dict[str, Any]) -> None:
    """Compose a queued e-mail with the recipient's anti-phishing code as it is now, and send
    it. Drops it quietly when the customer is gone or the mail is past its use."""
    mail = QueuedMail.from_payload(payload)
    if mail.valid_until is not None and utcnow() > mail.valid_until:
        log.info(
            "e-mail %r dropped: it expired at %s before it could be sent",
            mail.kind,
            mail.valid_until,
        )
        return
    if mail.customer_id is not None:
        customer = accounts.find_customer(session, mail.customer_id)
        if customer is None:
            log.info("e-mail %r dropped: customer %s no longer exists", mail.kind, mail.customer_id)
            return
    else:
        customer = accounts.find_customer_by_email(session, mail.to or "")
    paragraphs = [p for p in mail.text.split("\n\n") if p.strip()]
    # The queued text is ours (written by the pillar that queued it): its links are our pages.
    composed = compose_customer_mail(
        customer,
        mail.subject,
        mail.text,
        html_body=html_document(paragraphs, links=urls_in(mail.text)),
        to=mail.to,
        locale=mail.locale,
        identity=f"mail:{mail.mail_id}" if mail.mail_id else None,
    )
    send_unless_suppressed(session, composed, mail.kind)
