"""Telegram and Discord conversations as tickets: who wrote (a customer per platform user), in
which chat, on which ticket, and what the bot sends back.

Inbound text goes through ``tickets.services`` (so the secret guard runs before anything is
stored): the chat's current ticket gets a customer reply, or a new ticket is opened when there
is none or it was closed. Everything the bot says is queued as a ``messenger.send`` job
(``channels/messenger/tasks.py``) in the caller's transaction, so it is sent only once that
commits and never twice. ``takes_notice`` hands an agent's reply or "solved" on a messenger
ticket to that job instead of e-mail.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ledgerdesk.accounts import services as accounts
from ledgerdesk.accounts.models import Customer
from ledgerdesk.ai.guard.storage import guard_text
from ledgerdesk.channels.models import MessengerChat, MessengerUpdate
from ledgerdesk.core import i18n
from ledgerdesk.core.clock import utcnow
from ledgerdesk.core.settings import get_settings
from ledgerdesk.jobs.outbox import enqueue
from ledgerdesk.tickets import services as tickets
from ledgerdesk.tickets.attachments import AttachmentIn
from ledgerdesk.tickets.checks import MAX_SUBJECT
from ledgerdesk.tickets.models import Channel, GuardFinding, Message, Status, Ticket

SEND_TOPIC = "messenger.send"
FETCH_TOPIC = "messenger.telegram_file"
PLATFORMS = ("telegram", "discord")
NEW_REQUEST = "ticket:new"  # callback data / custom id of the "start a new request" button
_SUBJECT_CHARS = 80


@dataclass(frozen=True)
class Sender:
    """Who wrote, where: ``chat_id`` is the Telegram chat or the Discord DM channel."""

    platform: str
    chat_id: str
    user_id: str
    name: str
    username: str = ""
    locale: str | None = None


@dataclass(frozen=True)
class Received:
    chat: MessengerChat
    ticket: Ticket
    message: Message
    opened: bool  # a new ticket was opened
    redacted: bool  # the guard removed a secret from it


# --- updates, customers and chats -----------------------------------------------------------


def mark_update(session: Session, platform: str, update_id: str) -> bool:
    """Record that ``update_id`` is being handled; False when it was already (a redelivery).

    Part of the caller's transaction: if handling fails and rolls back, the platform's retry
    is handled again."""
    try:
        with session.begin_nested():
            session.add(MessengerUpdate(platform=platform, update_id=update_id[:64]))
    except IntegrityError:
        return False
    return True


def customer_for(session: Session, sender: Sender) -> Customer:
    """The customer of this platform user (``telegram:<id>``), created on first contact."""
    return accounts.do_upsert_customer(
        session,
        email=f"{sender.platform}-{sender.user_id}@users.invalid",
        external_id=f"{sender.platform}:{sender.user_id}",
        name=sender.name,
        locale=sender.locale,
    )


def find_chat(session: Session, platform: str, chat_id: str) -> MessengerChat | None:
    return session.scalar(
        select(MessengerChat).where(
            MessengerChat.platform == platform, MessengerChat.chat_id == chat_id
        )
    )


def chat_for(session: Session, sender: Sender) -> tuple[MessengerChat, bool]:
    """The chat row (and whether it is new), with its customer kept up to date."""
    customer = customer_for(session, sender)
    chat = find_chat(session, sender.platform, sender.chat_id)
    if chat is not None:
        chat.username = sender.username[:200]
        chat.updated_at = utcnow()
        return chat, False
    chat = MessengerChat(
        platform=sender.platform,
        chat_id=sender.chat_id,
        user_id=sender.user_id,
        username=sender.username[:200],
        customer_id=customer.id,
    )
    try:
        with session.begin_nested():
            session.add(chat)
    except IntegrityError:  # the same chat's first two messages at once: use the winner's row
        found = find_chat(session, sender.platform, sender.chat_id)
        assert found is not None
        return found, False
    return chat, True


def chat_of_ticket(session: Session, ticket: Ticket) -> MessengerChat | None:
    """Where a messenger ticket's customer talks to the bot (their latest chat there)."""
    if ticket.channel.value not in PLATFORMS:
        return None
    return session.scalar(
        select(MessengerChat)
        .where(
            MessengerChat.platform == ticket.channel.value,
            MessengerChat.customer_id == ticket.requester_id,
        )
        .order_by(MessengerChat.updated_at.desc(), MessengerChat.id.desc())
        .limit(1)
    )


def do_detach(chat: MessengerChat) -> None:
    """The customer asked for a new request: their next message opens a new ticket."""
    chat.ticket_id = None
    chat.updated_at = utcnow()


# --- inbound text ---------------------------------------------------------------------------


def do_answer_survey(session: Session, chat: MessengerChat, text: str) -> bool:
    """Record ``text`` as the rating when it answers the open satisfaction survey of the chat's
    ticket ("5", "4 quick", "5 非常好"); False for any other text, which stays a message (a
    rating kept as a message would reopen the solved ticket)."""
    ticket = session.get(Ticket, chat.ticket_id) if chat.ticket_id is not None else None
    if ticket is None:
        return False
    from ledgerdesk.channels.csat_text import answer_from_text  # csat asks through this module

    return answer_from_text(session, ticket, text, chat.platform)


def survey_thanks_text(_: Callable[[str], str]) -> str:
    return _("Thank you for your feedback!")


def do_receive_text(
    session: Session, chat: MessengerChat, text: str, attachments: Sequence[AttachmentIn] = ()
) -> Received:
    """Add ``text`` (and files) to the chat's current ticket as the customer, or open a new
    one. Files get the portal's checks (type sniffed, size) and the guard."""
    customer = accounts.get_customer(session, chat.customer_id)
    ticket = session.get(Ticket, chat.ticket_id) if chat.ticket_id is not None else None
    opened = ticket is None or ticket.status == Status.closed
    if ticket is not None and not opened:
        actor = accounts.customer_actor(customer)
        message = tickets.do_customer_reply(session, actor, ticket, text, attachments)
    else:
        # The desk opens it (customers may not pick the telegram/discord channel themselves);
        # the first message is still the customer's, as for e-mail.
        data = tickets.NewTicket(
            subject=_subject(text),
            body=text,
            channel=Channel(chat.platform),
            attachments=list(attachments),
        )
        ticket = tickets.do_create_ticket(session, accounts.SYSTEM, customer, data)
        message = session.scalars(
            select(Message).where(Message.ticket_id == ticket.id).order_by(Message.seq).limit(1)
        ).one()
        chat.ticket_id = ticket.id
    chat.updated_at = utcnow()
    return Received(chat, ticket, message, opened, _redacted(session, message))


def _subject(text: str) -> str:
    """The first line, cut to size after the guard (a cut could hide a secret from it)."""
    text = guard_text(text)
    line = next((part.strip() for part in text.splitlines() if part.strip()), text.strip())
    if len(line) > _SUBJECT_CHARS:
        line = line[: _SUBJECT_CHARS - 1] + "…"
    return line[:MAX_SUBJECT]


def _redacted(session: Session, message: Message) -> bool:
    found = session.scalar(
        select(GuardFinding.id)
        .where(GuardFinding.message_id == message.id, GuardFinding.kind != "phishing_link")
        .limit(1)
    )
    return found is not None


# --- what the bot says ----------------------------------------------------------------------


def gettext_for(session: Session, chat: MessengerChat) -> Callable[[str], str]:
    customer = accounts.find_customer(session, chat.customer_id)
    locale = accounts.mail_locale(customer) if customer is not None else "en"
    return i18n.translations(locale).ugettext


def platform_values() -> dict[str, Any]:
    return {"platform": get_settings().platform_name}


def queue_send(session: Session, chat: MessengerChat, what: str, key: str, **payload: Any) -> None:
    """Queue a message to ``chat``; ``key`` names it, so it is sent once however often the job
    runs (``what``: text | warning | reply | solved)."""
    enqueue(session, SEND_TOPIC, {"chat": chat.id, "what": what, "key": key, **payload})


def queue_text(
    session: Session, chat: MessengerChat, text: str, *, button: str | None = None
) -> None:
    """Queue a bot text (already in the customer's language), optionally with the
    "start a new request" button labelled ``button``."""
    queue_send(session, chat, "text", f"text:{uuid.uuid4().hex}", text=text, button=button)


def queue_warning(session: Session, chat: MessengerChat) -> None:
    """The "we never message first" warning, sent and pinned once per chat."""
    if chat.warning_pinned_at is None:
        queue_send(session, chat, "warning", f"warning:{chat.id}")


def warning_text(_: Callable[[str], str]) -> str:
    return (
        _(
            "Security notice from %(platform)s Support: we never message you first, and we never "
            "ask for your password, 2FA codes, seed phrase or private keys. Anyone who does is not "
            "us."
        )
        % platform_values()
    )


def welcome_text(_: Callable[[str], str]) -> str:
    return (
        _(
            "Hello! This is %(platform)s Support. Write your question here and an agent will "
            "answer in this chat."
        )
        % platform_values()
    )


def redacted_text(_: Callable[[str], str]) -> str:
    return _(
        "Your message looked like it held a seed phrase, private key or password. We removed "
        "it before storing your message. Support never asks for these; if you shared one "
        "anywhere, move your funds to a new wallet now."
    )


def rejected_text(_: Callable[[str], str]) -> str:
    return _("Sorry, we could not accept this message. Please shorten it and send it again.")


def new_request_label(_: Callable[[str], str]) -> str:
    return _("Start a new request")


def new_request_answer(_: Callable[[str], str]) -> str:
    return _("Your next message starts a new request.")


def acknowledge(session: Session, received: Received) -> None:
    """After an inbound message: warn about a removed secret (the ticket's own answer from the
    guard is not delivered to the chat)."""
    if received.redacted:
        queue_text(session, received.chat, redacted_text(gettext_for(session, received.chat)))


# --- the console's replies ------------------------------------------------------------------


def takes_notice(session: Session, kind: str, payload: dict[str, Any]) -> bool:
    """Called first by the e-mail notice jobs: a notice (``kind`` reply | solved) about a
    Telegram or Discord ticket goes to its chat instead; True when it was taken."""
    if kind == "reply":
        message = session.get(Message, int(payload["message_id"]))
        ticket = session.get(Ticket, message.ticket_id) if message is not None else None
        ref = {"message_id": int(payload["message_id"])}
    else:
        ticket = session.get(Ticket, int(payload["ticket_id"]))
        ref = {"event_id": int(payload["event_id"]), "ticket_id": int(payload["ticket_id"])}
    if ticket is None or ticket.channel.value not in PLATFORMS:
        return False
    chat = chat_of_ticket(session, ticket)
    if chat is None:  # e.g. an imported ticket: fall back to e-mail (skipped for .invalid)
        return False
    key = f"{kind}:" + ":".join(str(v) for v in ref.values())
    queue_send(session, chat, kind, key, **ref)
    return True


def send_text(session: Session, ticket: Ticket, text: str) -> bool:
    """Queue ``text`` to the chat of ``ticket`` (sent after the caller commits); False when
    the ticket has no Telegram or Discord chat."""
    chat = chat_of_ticket(session, ticket)
    if chat is None or not text.strip():
        return False
    queue_text(session, chat, text)
    return True
