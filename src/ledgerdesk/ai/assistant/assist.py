"""Agent assist in the console: a suggested reply built the way the assistant answers customers
(the agent edits it before anything is sent), and a one-paragraph summary of a long ticket made
only from what the desk recorded (triage, the opening request, the assistant's citations and
handover, chain checks, the status) — nothing is invented.

Also what the portal's ticket page needs for the "did this solve it?" buttons."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ledgerdesk.accounts.models import Customer
from ledgerdesk.accounts.services import Actor
from ledgerdesk.ai.assistant import engine
from ledgerdesk.ai.assistant.buttons import FEEDBACK_BUTTONS
from ledgerdesk.ai.assistant.models import AssistantReply
from ledgerdesk.ai.assistant.summary import sentences
from ledgerdesk.ai.assistant.types import Context, Reply
from ledgerdesk.core import i18n
from ledgerdesk.core.errors import DomainError, NotPermitted
from ledgerdesk.core.settings import Settings, get_settings
from ledgerdesk.tickets import services as tickets
from ledgerdesk.tickets.models import ActorKind, Message, MessageKind, Status, Ticket

log = logging.getLogger("ledgerdesk.assistant")

MIN_SUMMARY_MESSAGES = 6  # shorter tickets are read faster than a summary


# What the yes/no buttons send as the customer's message, in the customer's script (SPEC.md:
# the engine recognises exactly these).
class AssistantUnavailable(DomainError):
    """The assistant failed to answer (the engine or a backend broke); the page says so
    politely and the person carries on without it."""

    status_code = 503
    code = "assistant_unavailable"


def customer_context(customer: Customer | None, channel: str, locale: str | None) -> Context:
    """Who is asking, for the engine: the exchange id makes the account tools available."""
    if customer is None:
        return Context(locale=locale, channel=channel)
    return Context(
        customer_ref=customer.external_id or None,
        customer_id=customer.id,
        locale=i18n.normalise_locale(customer.locale) or locale,
        channel=channel,
    )


def latest_customer_message(session: Session, ticket: Ticket) -> Message | None:
    return session.scalars(
        select(Message)
        .where(
            Message.ticket_id == ticket.id,
            Message.author_kind == ActorKind.customer,
            Message.kind == MessageKind.public,
        )
        .order_by(Message.created_at.desc(), Message.id.desc())
        .limit(1)
    ).first()


def ask_engine(
    session: Session, text: str, context: Context, settings: Settings | None = None
) -> Reply:
    """``engine.answer``, with any failure turned into ``AssistantUnavailable`` (logged with
    its traceback; ``text`` has been through the guard, so the log holds no secret)."""
    try:
        return engine.answer(session, text, context, settings or get_settings())
    except DomainError:
        raise
    except Exception as exc:
        log.exception("the assistant failed on a %s question", context.channel)
        raise AssistantUnavailable("The assistant cannot answer just now") from exc


def suggest(session: Session, actor: Actor, ticket: Ticket) -> Reply | None:
    """A suggested reply to the ticket's latest customer message, or None when the customer has
    not written yet. ``actor`` must be an agent who may see the ticket (``NotFound`` otherwise).

    The conversation's earlier turns are not replayed: an agent opening the page must never
    act on a pending "lock my account" confirmation, which only the customer's own turn may."""
    if not actor.is_agent and actor.kind != "system":
        raise NotPermitted("Only agents get suggested replies")
    ticket = tickets.access_ticket(session, actor, ticket.id)
    message = latest_customer_message(session, ticket)
    if message is None:
        return None
    locale = i18n.normalise_locale(ticket.language)
    context = customer_context(ticket.requester, "console", locale)
    return ask_engine(session, message.body, context)


# --- the summary ------------------------------------------------------------------------------


@contextmanager
def _speaking(locale: str) -> Iterator[None]:
    """gettext in ``locale`` for a moment (the summary is written in the reader's language)."""
    before = i18n.get_locale()
    i18n.set_locale(locale)
    try:
        yield
    finally:
        i18n.set_locale(before)


def _message_count(session: Session, ticket: Ticket) -> int:
    return int(
        session.scalar(select(func.count(Message.id)).where(Message.ticket_id == ticket.id)) or 0
    )


def _replies(session: Session, ticket: Ticket) -> list[AssistantReply]:
    return list(
        session.scalars(
            select(AssistantReply)
            .where(AssistantReply.ticket_id == ticket.id)
            .order_by(AssistantReply.id)
        )
    )


def summarize(session: Session, ticket: Ticket, locale: str) -> str:
    """One paragraph for a ticket of at least ``MIN_SUMMARY_MESSAGES`` messages (else ""), in
    ``locale``: what the customer asked first, triage's intent, what the assistant cited and
    why it handed over, the chain checks made, and where the ticket stands."""
    count = _message_count(session, ticket)
    if count < MIN_SUMMARY_MESSAGES:
        return ""
    locale = i18n.normalise_locale(locale) or "en"
    with _speaking(locale):
        parts = sentences(session, ticket, locale, count, _replies(session, ticket))
    return ("" if locale == "zh-CN" else " ").join(parts)


# --- the portal's yes/no buttons --------------------------------------------------------------


@dataclass(frozen=True)
class FeedbackPrompt:
    """The buttons under the assistant message ``message_id``: the texts they send."""

    message_id: int
    language: str
    yes: str
    no: str


def feedback_prompt(session: Session, ticket: Ticket) -> FeedbackPrompt | None:
    """The latest assistant reply on the ticket when it asked "did this solve it?" and the
    customer has not written since (nor answered it), on a ticket still open."""
    if ticket.status == Status.closed:
        return None
    row = session.scalars(
        select(AssistantReply)
        .where(AssistantReply.ticket_id == ticket.id, AssistantReply.message_id.is_not(None))
        .order_by(AssistantReply.id.desc())
        .limit(1)
    ).first()
    if row is None or not row.asked_feedback or row.feedback is not None:
        return None
    assert row.message_id is not None
    later = session.scalar(
        select(Message.id)
        .where(
            Message.ticket_id == ticket.id,
            Message.id > row.message_id,
            Message.author_kind == ActorKind.customer,
        )
        .limit(1)
    )
    if later is not None:
        return None
    yes, no = FEEDBACK_BUTTONS.get(row.language, FEEDBACK_BUTTONS["en"])
    language = row.language if row.language in FEEDBACK_BUTTONS else "en"
    return FeedbackPrompt(row.message_id, language, yes, no)
