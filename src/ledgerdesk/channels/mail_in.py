"""Receiving e-mail: one raw message in, a new ticket, a reply on its ticket, or a logged
reason why not (duplicate, loop, bounce, complaint, auto-reply, rejected).

``do_receive_mail`` is the one entry point, used by the IMAP poller (channels/imap.py) and the
HTTP hook (channels/mail_api.py). It writes in the caller's transaction; the caller commits.
Every mail leaves one ``inbound_mails`` row, whatever became of it.

Threading, in order (docs/email.md "Receiving"):
1. ``In-Reply-To`` / ``References`` against the Message-IDs we sent and received;
2. the ``[#1234]`` reference in the subject, whatever reply/forward prefixes surround it;
3. the per-ticket reply address (``channels.reply_token``).
A match threads the mail only when its sender is the ticket's requester: anyone can write
``[#12]`` into a subject or copy a Message-ID, and a stranger must not be able to add text to
someone else's ticket. Anyone else gets a ticket of their own, with an internal note naming
the ticket they wrote about. A merged ticket's mail goes to the ticket it was merged into; a
closed ticket cannot change, so a reply to it opens a follow-up ticket that links back."""

from __future__ import annotations

import hashlib
import logging
import re
from dataclasses import dataclass
from datetime import timedelta
from email.parser import BytesHeaderParser
from email.utils import parseaddr

from sqlalchemy import func, literal, select, union_all
from sqlalchemy.orm import Session

from ledgerdesk.accounts.models import Customer
from ledgerdesk.accounts.services import (
    SYSTEM,
    customer_actor,
    do_upsert_customer,
    find_customer_by_email,
)
from ledgerdesk.ai.guard.storage import guard_text
from ledgerdesk.channels import reply_token
from ledgerdesk.channels.mail_ids import plain, stored_id
from ledgerdesk.channels.mail_parse import clean_id, parse_message
from ledgerdesk.channels.mail_reports import clear_bounce, do_handle_report
from ledgerdesk.channels.mail_types import ParsedAttachment, ParsedMail
from ledgerdesk.channels.models import InboundMail, MailMessageId
from ledgerdesk.core.clock import utcnow
from ledgerdesk.core.errors import DomainError, InvalidInput
from ledgerdesk.core.settings import Settings, get_settings
from ledgerdesk.tickets.attachments import AttachmentIn, check_attachment
from ledgerdesk.tickets.checks import MAX_BODY, MAX_SUBJECT
from ledgerdesk.tickets.models import Channel, Message, Status, Ticket
from ledgerdesk.tickets.services import NewTicket, do_add_note, do_create_ticket, do_customer_reply

log = logging.getLogger(__name__)

# More than LOOP_MAX_MAILS mails from one address within LOOP_WINDOW is a loop (an
# autoresponder answering our answers); they are logged and dropped until the window passes.
LOOP_MAX_MAILS = 20
LOOP_WINDOW = timedelta(minutes=10)
# Merge chains are short; the cap only guards against a cycle in bad data.
_MAX_MERGE_HOPS = 10
_MAX_REFERENCES = 20

# Reply and forward prefixes of common clients and languages, possibly repeated or numbered
# ("Re[2]:", "RE: Fwd:", "回复：答复:").
_PREFIX = re.compile(
    r"^\s*(?:(?:re|aw|wg|fw|fwd|sv|vs|antw|tr|rif|r)\s*(?:\[\d+\]|\(\d+\))?\s*[:：]"
    r"|(?:回复|回覆|答复|答覆|转发|轉寄|转寄)\s*[:：])\s*",
    re.IGNORECASE,
)
_REFERENCE = re.compile(r"\[\s*#\s*(\d{1,12})\s*\]")

OUTCOMES = (
    "ticket",
    "reply",
    "duplicate",
    "bounce",
    "feedback_report",
    "auto_reply",
    "loop",
    "rejected",
)


@dataclass(frozen=True)
class InboundResult:
    """What became of one mail. ``outcome`` is one of ``OUTCOMES``."""

    outcome: str
    ticket_id: int | None = None
    message_id: str = ""
    detail: str = ""
    ticket_message_id: int | None = None


def clean_subject(subject: str) -> str:
    """The subject without reply/forward prefixes and our ``[#1234]`` reference."""
    text = " ".join(_REFERENCE.sub(" ", subject or "").split())
    while True:
        stripped = _PREFIX.sub("", text, count=1).strip()
        if stripped == text:
            return text
        text = stripped


def subject_reference(subject: str) -> int | None:
    found = _REFERENCE.search(subject or "")
    return int(found.group(1)) if found else None


# --- the entry point -------------------------------------------------------------------


def do_receive_mail(
    session: Session, raw: bytes, *, source: str, size: int | None = None
) -> InboundResult:
    """File one inbound mail. ``size`` is the full message size when ``raw`` holds only its
    header (the IMAP poller does not download an oversized mail). Domain errors of the ticket
    services (a text refused) are caught: the mail is logged as ``rejected`` with the reason,
    nothing half-written stays."""
    settings = get_settings()
    total = len(raw) if size is None else size
    if total > settings.mail_max_bytes:
        return _oversized(session, raw, total, source, settings)
    parsed = parse_message(raw)
    message_id = stored_id(parsed.message_id) or _synthetic_id(raw)
    sender = guard_text(parsed.from_address)[:320]
    log_row = InboundMail(
        source=source[:80],
        message_id=message_id,
        from_address=sender,
        size=total,
        outcome="rejected",
    )
    result = _decide(session, parsed, raw, message_id, sender, settings)
    log_row.outcome = result.outcome
    log_row.detail = result.detail[:300]
    log_row.ticket_id = result.ticket_id
    log_row.ticket_message_id = result.ticket_message_id
    session.add(log_row)
    session.flush()
    return result


def _oversized(
    session: Session, raw: bytes, total: int, source: str, settings: Settings
) -> InboundResult:
    headers = BytesHeaderParser().parsebytes(raw[: 256 * 1024])
    message_id = stored_id(clean_id(str(headers.get("Message-ID") or ""))) or _synthetic_id(raw)
    sender = parseaddr(str(headers.get("From") or ""))[1].lower()
    detail = f"{total} bytes; the limit is {settings.mail_max_bytes}"
    session.add(
        InboundMail(
            source=source[:80],
            message_id=message_id,
            from_address=sender[:320],
            outcome="rejected",
            detail=detail,
            size=total,
        )
    )
    session.flush()
    return InboundResult("rejected", message_id=message_id, detail=detail)


def _synthetic_id(raw: bytes) -> str:
    """A stable id for a mail without Message-ID, so a redelivery is still a duplicate."""
    return hashlib.sha256(raw).hexdigest()[:40] + "@no-message-id.invalid"


def _decide(
    session: Session,
    parsed: ParsedMail,
    raw: bytes,
    message_id: str,
    sender: str,
    settings: Settings,
) -> InboundResult:
    seen = _seen_as(session, message_id)
    if seen & {"log", "in"}:
        return InboundResult("duplicate", message_id=message_id, detail="already received")
    loop = _loop_reason(parsed, seen, settings)
    if loop:
        return InboundResult("loop", message_id=message_id, detail=loop)
    if parsed.auto in ("bounce", "feedback_report"):
        report = do_handle_report(session, parsed, raw)
        detail = f"{', '.join(report.addresses) or 'no address found'}: {report.detail}"
        return InboundResult(parsed.auto, report.ticket_id, message_id, detail)
    if parsed.auto == "auto_reply":
        return InboundResult("auto_reply", message_id=message_id, detail=parsed.subject[:200])
    if _too_many(session, sender):
        detail = f"more than {LOOP_MAX_MAILS} mails from this address within {LOOP_WINDOW}"
        return InboundResult("loop", message_id=message_id, detail=detail)
    try:
        with session.begin_nested():
            return _file(session, parsed, message_id)
    except DomainError as exc:
        log.info("inbound mail %s refused: %s", message_id, exc.message)
        return InboundResult("rejected", message_id=message_id, detail=exc.message)


def _seen_as(session: Session, message_id: str) -> set[str]:
    """Where this Message-ID was met before, in one query: "log" (received, not as a
    duplicate), "in" (filed on a ticket), "out" (one we sent)."""
    logged = select(literal("log")).where(
        plain(InboundMail.message_id) == message_id, InboundMail.outcome != "duplicate"
    )
    recorded = select(MailMessageId.direction).where(plain(MailMessageId.message_id) == message_id)
    return set(session.scalars(union_all(logged, recorded)))


def own_addresses(settings: Settings) -> set[str]:
    """The desk's own addresses: mail from them is our mail coming back."""
    found = {reply_token.base_address(settings).lower()}
    found.add(parseaddr(settings.resolved_mail_from)[1].lower())
    if "@" in settings.mail_imap_username:
        found.add(settings.mail_imap_username.strip().lower())
    return {a for a in found if a}


def _loop_reason(parsed: ParsedMail, seen: set[str], settings: Settings) -> str:
    own = own_addresses(settings)
    marker = parsed.headers.get("x-loop", "").lower()
    if marker and any(address in marker for address in own):
        return "carries our X-Loop header"
    sender = parsed.from_address
    if sender in own or reply_token.ticket_from_addresses([sender], settings) is not None:
        return "sent from the desk's own address"
    if "out" in seen:
        return "a mail the desk sent"
    return ""


def _too_many(session: Session, sender: str) -> bool:
    if not sender:
        return False
    since = utcnow() - LOOP_WINDOW
    count = session.scalar(
        select(func.count())
        .select_from(InboundMail)
        .where(plain(InboundMail.from_address) == sender, InboundMail.created_at >= since)
    )
    return (count or 0) >= LOOP_MAX_MAILS


# --- filing: threading, replies, new tickets --------------------------------------------


def _file(session: Session, parsed: ParsedMail, message_id: str) -> InboundResult:
    try:
        sender = _sender(session, parsed)
    except InvalidInput:
        return InboundResult("rejected", message_id=message_id, detail="no valid sender address")
    body = _body(parsed)
    attachments, dropped = _attachments(parsed.attachments)
    if dropped:
        body += "\n\n[" + "; ".join(dropped) + "]"
    found, how = _thread(session, parsed)
    ticket = _follow_merges(session, found) if found is not None else None
    note = ""
    if ticket is not None and ticket.requester_id != sender.id:
        note = (
            f"This e-mail refers to ticket #{ticket.id} ({how}), whose requester is someone else."
        )
        ticket = None
    elif ticket is not None and ticket.status == Status.closed:
        note = f"Follow-up to closed ticket #{ticket.id}."
        ticket = None
    clear_bounce(session, sender.email)
    if ticket is not None:
        message = do_customer_reply(session, customer_actor(sender), ticket, body, attachments)
        _remember(session, message_id, ticket.id, message.id)
        return InboundResult("reply", ticket.id, message_id, f"threaded by {how}", message.id)
    ticket = do_create_ticket(
        session,
        SYSTEM,
        sender,
        NewTicket(
            subject=_subject(parsed, body),
            body=body,
            channel=Channel.email,
            attachments=attachments,
        ),
    )
    first = session.scalar(select(Message.id).where(Message.ticket_id == ticket.id).limit(1))
    if note:
        do_add_note(session, SYSTEM, ticket, note)
    _remember(session, message_id, ticket.id, first)
    return InboundResult("ticket", ticket.id, message_id, note, first)


def _sender(session: Session, parsed: ParsedMail) -> Customer:
    """The customer for the From address; created if new. An existing customer's name is not
    changed by what a mail's From header claims."""
    found = find_customer_by_email(session, parsed.from_address)
    if found is not None:
        return found
    return do_upsert_customer(session, email=parsed.from_address, name=parsed.from_name)


def _body(parsed: ParsedMail) -> str:
    """The new text; the whole text when trimming left nothing (a reply that is all quote,
    or one the trimmer misjudged): better a long message than a lost one."""
    body = parsed.body.strip() or parsed.full_text.strip()
    if not body:
        body = "(The e-mail has no text.)"
    if len(body) > MAX_BODY - 200:
        body = body[: MAX_BODY - 200] + "\n\n[Text cut: the e-mail was longer.]"
    return body


def _attachments(items: list[ParsedAttachment]) -> tuple[list[AttachmentIn], list[str]]:
    """The files the portal would accept; the others are named in the text, not stored."""
    limit = get_settings().max_attachments_per_message
    kept: list[AttachmentIn] = []
    dropped: list[str] = []
    for item in items:
        candidate = AttachmentIn(item.filename, item.content_type, item.data)
        try:
            check_attachment(candidate)
        except DomainError as exc:
            dropped.append(f"Attachment not kept: {exc.message}")
            continue
        if len(kept) >= limit:
            dropped.append(f"Attachment not kept: more than {limit} files in one e-mail")
            continue
        kept.append(candidate)
    return kept, dropped


def _subject(parsed: ParsedMail, body: str) -> str:
    subject = clean_subject(parsed.subject)
    if not subject:
        subject = body.strip().splitlines()[0] if body.strip() else ""
    return (subject or "(no subject)")[: MAX_SUBJECT - 20]


def _thread(session: Session, parsed: ParsedMail) -> tuple[Ticket | None, str]:
    """The ticket this mail continues, and by which rule it was found."""
    ids = thread_ids(parsed)
    if ids:
        rows = session.execute(
            select(MailMessageId.message_id, MailMessageId.ticket_id).where(
                plain(MailMessageId.message_id).in_(ids)
            )
        ).all()
        by_id = {row.message_id: row.ticket_id for row in rows}
        for candidate in ids:
            if candidate in by_id:
                return session.get(Ticket, by_id[candidate]), "headers"
    reference = subject_reference(parsed.subject)
    if reference is not None:
        ticket = session.get(Ticket, reference)
        if ticket is not None:
            return ticket, "subject"
    token = reply_token.ticket_from_addresses(parsed.to)
    if token is not None:
        ticket = session.get(Ticket, token)
        if ticket is not None:
            return ticket, "reply address"
    return None, ""


def thread_ids(parsed: ParsedMail) -> list[str]:
    """The keys of the ids this mail answers: In-Reply-To, then the newest References (a
    long chain's oldest ids add nothing the newer ones do not find)."""
    found = [parsed.in_reply_to, *list(reversed(parsed.references))[:_MAX_REFERENCES]]
    return list(dict.fromkeys(stored_id(i) for i in found if i))


def _follow_merges(session: Session, ticket: Ticket) -> Ticket:
    for _ in range(_MAX_MERGE_HOPS):
        if ticket.merged_into_id is None:
            break
        target = session.get(Ticket, ticket.merged_into_id)
        if target is None:
            break
        ticket = target
    return ticket


def _remember(
    session: Session, message_id: str, ticket_id: int, ticket_message_id: int | None
) -> None:
    session.add(
        MailMessageId(
            message_id=message_id,
            ticket_id=ticket_id,
            ticket_message_id=ticket_message_id,
            direction="in",
        )
    )
    session.flush()
