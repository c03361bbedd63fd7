"""Machine mail about our own mail: delivery reports (bounces, RFC 3464) and feedback reports
(complaints, RFC 5965). They mark the address in ``mail_addresses`` so the desk stops writing
to it, and leave an event on the ticket the failed mail belonged to. They never open tickets.

The original message travels inside the report (``message/rfc822`` or
``text/rfc822-headers``); its ``Message-ID`` is one we recorded when sending
(``mail_message_ids`` direction "out"), which is how the ticket is found."""

from __future__ import annotations

from dataclasses import dataclass, field
from email import policy
from email.message import Message
from email.parser import BytesParser, HeaderParser
from email.utils import getaddresses, parseaddr

from sqlalchemy import select
from sqlalchemy.orm import Session

from ledgerdesk.accounts.services import SYSTEM
from ledgerdesk.channels.mail_ids import plain, stored_id
from ledgerdesk.channels.mail_parse import clean_id, ids_in
from ledgerdesk.channels.mail_types import ParsedMail
from ledgerdesk.channels.models import MailAddress, MailMessageId
from ledgerdesk.core.clock import utcnow
from ledgerdesk.tickets.models import Ticket
from ledgerdesk.tickets.services import record_event


@dataclass
class Original:
    """What a report tells about the mail that failed or was complained about."""

    message_ids: list[str] = field(default_factory=list)
    recipients: list[str] = field(default_factory=list)
    ticket_header: str = ""
    detail: str = ""


def original_of(raw: bytes) -> Original:
    """The headers of the reported message and, for complaints, the complaining recipient."""
    found = Original()
    message = BytesParser(policy=policy.compat32).parsebytes(raw)
    for part in message.walk():
        ctype = part.get_content_type()
        if ctype in ("message/rfc822", "message/global"):
            payload = part.get_payload()
            inner = payload[0] if isinstance(payload, list) and payload else None
            if isinstance(inner, Message):
                _read_original(inner, found)
        elif ctype in ("text/rfc822-headers", "message/rfc822-headers"):
            text = _decoded(part)
            _read_original(HeaderParser().parsestr(text, headersonly=True), found)
        elif ctype == "message/feedback-report":
            _read_feedback(part, found)
        elif ctype in ("message/delivery-status", "message/global-delivery-status"):
            found.detail = found.detail or _dsn_status(part)
    return found


def _decoded(part: Message) -> str:
    payload = part.get_payload(decode=True)
    if isinstance(payload, bytes):
        return payload.decode("utf-8", "replace")
    return str(part.get_payload())


def _read_original(headers: Message, found: Original) -> None:
    for name in ("Message-ID", "In-Reply-To"):
        value = clean_id(str(headers.get(name) or ""))
        if value:
            found.message_ids.append(value)
    found.message_ids += ids_in(str(headers.get("References") or ""))
    found.ticket_header = found.ticket_header or str(headers.get("X-Ledgerdesk-Ticket") or "")
    if not found.recipients:
        to = [str(v) for v in headers.get_all("To", [])]
        found.recipients = [a.lower() for _, a in getaddresses(to) if "@" in a]


def _read_feedback(part: Message, found: Original) -> None:
    """RFC 5965: ``Original-Rcpt-To`` names who complained (our mail went to them)."""
    payload = part.get_payload()
    blocks = payload if isinstance(payload, list) else []
    text = "\n".join(str(b) for b in blocks) if blocks else _decoded(part)
    fields = HeaderParser().parsestr(text.strip() + "\n\n", headersonly=True)
    complainer = parseaddr(str(fields.get("Original-Rcpt-To") or ""))[1].lower()
    if "@" in complainer:
        found.recipients = [complainer]
    found.detail = "complaint: " + str(fields.get("Feedback-Type") or "abuse").strip()


def _dsn_status(part: Message) -> str:
    payload = part.get_payload()
    for block in payload if isinstance(payload, list) else []:
        if isinstance(block, Message) and block.get("Status"):
            code = str(block.get("Status")).strip()
            why = " ".join(str(block.get("Diagnostic-Code") or "").split())
            return f"status {code} {why}".strip()[:300]
    return ""


def mark_address(session: Session, address: str, *, complaint: bool, detail: str) -> None:
    """Record that mail to ``address`` bounced (or was reported as spam)."""
    address = address.strip().lower()[:320]
    if "@" not in address:
        return
    row = session.scalar(select(MailAddress).where(MailAddress.address == address))
    if row is None:
        row = MailAddress(address=address)
        session.add(row)
    now = utcnow()
    if complaint:
        row.complained_at = now
    else:
        row.bounced_at = now
        row.bounce_detail = detail[:300]
    row.updated_at = now
    session.flush()


def clear_bounce(session: Session, address: str) -> None:
    """A customer who writes in again has a working mailbox: mail to them resumes."""
    row = session.scalar(select(MailAddress).where(MailAddress.address == address.lower()))
    if row is not None and row.bounced_at is not None:
        row.bounced_at = None
        row.bounce_detail = ""
        row.updated_at = utcnow()


def _ticket_of(session: Session, parsed: ParsedMail, original: Original) -> Ticket | None:
    """The ticket the reported mail belonged to: by the Message-IDs we sent, else by our own
    ``X-Ledgerdesk-Ticket`` header when the ticket's requester is the failed address (a forged
    report can then only annotate the ticket of the address it names)."""
    ids = [stored_id(i) for i in [*original.message_ids, parsed.in_reply_to] if i]
    ids += [stored_id(i) for i in parsed.references[-20:]]
    if ids:
        ticket_id = session.scalar(
            select(MailMessageId.ticket_id)
            .where(plain(MailMessageId.message_id).in_(ids), MailMessageId.direction == "out")
            .order_by(MailMessageId.id.desc())
            .limit(1)
        )
        if ticket_id is not None:
            return session.get(Ticket, ticket_id)
    if original.ticket_header.strip().isdigit():
        ticket = session.get(Ticket, int(original.ticket_header.strip()))
        requester = ticket.requester.email.lower() if ticket is not None else ""
        if ticket is not None and requester in original.recipients:
            return ticket
    return None


@dataclass(frozen=True)
class ReportResult:
    addresses: list[str]
    ticket_id: int | None
    detail: str


def do_handle_report(session: Session, parsed: ParsedMail, raw: bytes) -> ReportResult:
    """Mark the failing (or complaining) addresses and note it on the ticket, if found."""
    complaint = parsed.auto == "feedback_report"
    original = original_of(raw)
    addresses = list(dict.fromkeys(a for a in parsed.failed_recipients if "@" in a))
    if complaint or not addresses:
        addresses = addresses or original.recipients
    detail = original.detail or ("complaint" if complaint else "delivery failed")
    for address in addresses:
        mark_address(session, address, complaint=complaint, detail=detail)
    ticket = _ticket_of(session, parsed, original)
    if ticket is not None and addresses:
        action = "mail.complained" if complaint else "mail.bounced"
        record_event(
            session, SYSTEM, action, {"addresses": addresses, "detail": detail}, ticket=ticket
        )
    return ReportResult(addresses, ticket.id if ticket else None, detail)
