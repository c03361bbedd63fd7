"""Building inbound mails for the receiving tests: plain messages from a few header values,
and the report/auto-reply samples in ``mail_in_samples/`` with their placeholders filled."""

from __future__ import annotations

import uuid
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

from sqlalchemy.orm import Session

from ledgerdesk.channels.models import MailMessageId
from ledgerdesk.core.clock import utcnow

SAMPLES = Path(__file__).resolve().parent / "mail_in_samples"


def new_id(domain: str = "client.example.com") -> str:
    return f"{uuid.uuid4().hex}@{domain}"


def mail(
    sender: str,
    subject: str = "Withdrawal stuck",
    body: str = "My BTC withdrawal has been pending for six hours.",
    *,
    to: str = "support@example.test",
    message_id: str | None = None,
    in_reply_to: str = "",
    references: str = "",
    headers: dict[str, str] | None = None,
    attachments: list[tuple[str, str, bytes]] = (),  # type: ignore[assignment]
) -> bytes:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = to
    msg["Subject"] = subject
    msg["Date"] = format_datetime(utcnow())
    msg["Message-ID"] = f"<{message_id or new_id()}>"
    if in_reply_to:
        msg["In-Reply-To"] = f"<{in_reply_to}>"
    if references:
        msg["References"] = references
    for name, value in (headers or {}).items():
        msg[name] = value
    msg.set_content(body)
    for filename, ctype, data in attachments:
        maintype, subtype = ctype.split("/", 1)
        msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)
    return msg.as_bytes()


def sample(name: str, **values: object) -> bytes:
    text = (SAMPLES / name).read_text()
    values.setdefault("nonce", uuid.uuid4().hex)
    for key, value in values.items():
        text = text.replace("{" + key + "}", str(value))
    return text.replace("\n", "\r\n").encode()


def record_outgoing(session: Session, ticket_id: int, message_id: str | None = None) -> str:
    """What the notify helper records for each mail it sends: a direction "out" row."""
    value = message_id or new_id("desk.example.test")
    session.add(MailMessageId(message_id=value, ticket_id=ticket_id, direction="out"))
    session.flush()
    return value
