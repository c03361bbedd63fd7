"""The assistant on the desk: one turn per customer message of a conversation that is still
the assistant's (a chat, or a portal request): read what came before, ask the engine, post
its reply as the assistant, keep the reply's record (and the customer's "did this solve it?"
answer on the reply before), keep any chain check it ran, and hand over when it says so.

``do_assistant_turn`` is the body of the ``assistant.reply`` job (``tasks.py``); the caller
owns the transaction. Handover details live in ``handover.py``.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ledgerdesk.accounts.models import Customer
from ledgerdesk.accounts.services import ASSISTANT
from ledgerdesk.ai.assistant import engine
from ledgerdesk.ai.assistant.handover import Handover, do_handover
from ledgerdesk.ai.assistant.models import AssistantReply
from ledgerdesk.ai.assistant.types import Context, PriorTurn, Reply
from ledgerdesk.chat.models import ChatConversation, ChatVisitor
from ledgerdesk.core import i18n
from ledgerdesk.core.clock import utcnow
from ledgerdesk.core.settings import Settings, get_settings
from ledgerdesk.tickets import services as tickets
from ledgerdesk.tickets.models import ActorKind, Channel, Message, MessageKind, Status, Ticket

log = logging.getLogger("ledgerdesk.assistant")

CHANNELS = {Channel.chat: "chat", Channel.portal: "portal"}
# A reply this late would arrive after the customer gave up on it (the job failed and waited
# for its retries): the conversation is left to a person instead.
STALE_AFTER = timedelta(minutes=10)
EMAIL_ONLY = "email:"  # external ids of customers the exchange never named


# --- what came before ---------------------------------------------------------------------


def _turn(row: AssistantReply) -> PriorTurn:
    feedback = row.feedback if row.feedback in ("yes", "no") else None
    return PriorTurn(
        action="handover" if row.action == "handover" else "answer",
        reason=row.reason,
        citations=tuple(row.citations or ()),
        asked_feedback=row.asked_feedback,
        feedback=feedback,  # type: ignore[arg-type]
        lock_offered=row.lock_offered,
        intent=row.intent,
    )


def _rows(session: Session, ticket_id: int) -> list[AssistantReply]:
    return list(
        session.scalars(
            select(AssistantReply)
            .where(AssistantReply.ticket_id == ticket_id)
            .order_by(AssistantReply.id)
        )
    )


def history_for(session: Session, ticket_id: int) -> tuple[PriorTurn, ...]:
    """The assistant's earlier replies on the ticket, oldest first."""
    return tuple(_turn(row) for row in _rows(session, ticket_id))


def is_assistants(session: Session, ticket: Ticket) -> bool:
    """Whether the assistant still answers this ticket: an open chat (live, not from the
    offline form) or portal request that no agent has answered publicly and that the
    assistant has not handed over, except while the customer is asked to confirm locking
    their account (the handover that offered it waits for that answer)."""
    if ticket.channel not in CHANNELS or ticket.status == Status.closed:
        return False
    if ticket.channel == Channel.chat:
        conversation = session.get(ChatConversation, ticket.id)
        if conversation is None or conversation.offline:
            return False
    answered = session.scalar(
        select(Message.id)
        .where(
            Message.ticket_id == ticket.id,
            Message.author_kind == ActorKind.agent,
            Message.kind == MessageKind.public,
        )
        .limit(1)
    )
    if answered is not None:
        return False
    rows = session.execute(
        select(AssistantReply.action, AssistantReply.lock_offered)
        .where(AssistantReply.ticket_id == ticket.id)
        .order_by(AssistantReply.id.desc())
    ).all()
    if rows and rows[0].lock_offered:
        return True
    return all(action != "handover" for action, _ in rows)


# --- recording ----------------------------------------------------------------------------


def _stored_tool(tool: dict[str, Any] | None) -> dict[str, Any] | None:
    """What the row keeps of the tool: name, verdict, facts (a diagnosis is kept as a chain
    check instead, which knows which parts of a hash may be stored)."""
    if not tool:
        return None
    return {"name": tool.get("name"), "verdict": tool.get("verdict"), "facts": tool.get("facts")}


def do_record_reply(
    session: Session,
    reply: Reply,
    *,
    channel: str,
    ticket: Ticket | None = None,
    message: Message | None = None,
    question: Message | None = None,
    customer_id: int | None = None,
) -> AssistantReply:
    """Keep one reply: what it was built from and how. When the reply carries the customer's
    answer to the previous reply's "did this solve it?" (``reply.feedback``), that previous
    reply on the same ticket gets it (once: a later answer does not overwrite it)."""
    if ticket is not None and reply.feedback in ("yes", "no"):
        previous = session.scalar(
            select(AssistantReply)
            .where(AssistantReply.ticket_id == ticket.id)
            .order_by(AssistantReply.id.desc())
            .limit(1)
        )
        if previous is not None and previous.asked_feedback and previous.feedback is None:
            previous.feedback = reply.feedback
            previous.feedback_at = utcnow()
    row = AssistantReply(
        ticket_id=ticket.id if ticket is not None else None,
        message_id=message.id if message is not None else None,
        question_message_id=question.id if question is not None else None,
        customer_id=customer_id,
        channel=channel,
        action=reply.action,
        reason=reply.reason,
        language=reply.language,
        intent=reply.intent,
        citations=list(reply.citations),
        sources=[{"kind": s.kind, "ref": s.ref, "lang": s.lang} for s in reply.sources],
        backend=reply.backend,
        model=reply.model,
        confidence=float(reply.confidence),
        check=reply.check.to_json(),
        tool=_stored_tool(reply.tool),
        asked_feedback=reply.asks_feedback,
        lock_offered=reply.lock_offered,
        created_at=utcnow(),
    )
    session.add(row)
    session.flush()
    return row


def _keep_check(
    session: Session, reply: Reply, ticket: Ticket, customer: Customer | None, ref: str | None
) -> None:
    """A chain diagnosis the tools ran (``reply.tool["diagnosis"]``: the ``Diagnosis``, or its
    ``to_json()``) is kept as a check on this conversation's ticket."""
    from ledgerdesk.chain import services as chain
    from ledgerdesk.chain.diagnosis import Diagnosis

    found = (reply.tool or {}).get("diagnosis")
    if isinstance(found, dict) and found.get("kind") and found.get("verdict"):
        found = Diagnosis(
            kind=found["kind"],
            verdict=str(found["verdict"]),
            network=found.get("network"),
            asset=found.get("asset"),
            tx_hash=found.get("tx_hash"),
            facts=dict(found.get("facts") or {}),
            customer_id=ref,
        )
    if isinstance(found, Diagnosis):
        locale = "zh-CN" if reply.language.startswith("zh") else "en"
        chain.do_record_check(
            session, ASSISTANT, found, customer=customer, ticket=ticket, locale=locale
        )


def do_log_lock(session: Session, reply: Reply, ticket: Ticket, customer: Customer | None) -> None:
    """A lock the assistant made is logged as a security request (idempotent: a repeat is a
    step of the first), with the handed-over conversation as its urgent ticket."""
    from ledgerdesk.account_security.services import do_record_assistant_lock
    from ledgerdesk.exchange.records import parse_time

    tool = reply.tool or {}
    facts = tool.get("facts") or {}
    if tool.get("name") != "lock" or facts.get("locked") is not True or customer is None:
        return
    locked_at = parse_time(str(facts.get("locked_at", "")))
    if locked_at is not None and facts.get("customer_id"):
        do_record_assistant_lock(session, customer, ticket, str(facts["customer_id"]), locked_at)


# --- the turn -----------------------------------------------------------------------------


def customer_ref(session: Session, ticket: Ticket, customer: Customer | None) -> str | None:
    """The exchange's id of the customer, only when the desk knows it is them: a portal
    customer signed in with a code sent to their address; a chat whose visitor was signed in
    by the exchange or proved the address. A visitor who only typed an address gets none
    (account tools would otherwise answer about whoever owns it)."""
    if customer is None or customer.external_id.startswith(EMAIL_ONLY):
        return None
    if ticket.channel == Channel.chat:
        conversation = session.get(ChatConversation, ticket.id)
        visitor = (
            session.get(ChatVisitor, conversation.visitor_id)
            if conversation is not None and conversation.visitor_id is not None
            else None
        )
        if visitor is None or not visitor.verified:
            return None
    return customer.external_id


def context_for(session: Session, ticket: Ticket, customer: Customer | None) -> Context:
    """Who is asking, in which interface language, and what the assistant said before."""
    locale = "zh-CN" if (ticket.language or "").startswith("zh") else None
    if locale is None and customer is not None:
        locale = i18n.normalise_locale(customer.locale)
    return Context(
        customer_ref=customer_ref(session, ticket, customer),
        customer_id=customer.id if customer is not None else None,
        locale=locale or "en",
        history=history_for(session, ticket.id),
        channel=CHANNELS.get(ticket.channel, "chat"),
    )


def _question(session: Session, message_id: int) -> Message | None:
    message = session.get(Message, message_id)
    if message is None or message.author_kind != ActorKind.customer:
        return None
    return message if message.kind == MessageKind.public else None


def _answered(session: Session, ticket_id: int, message_id: int) -> bool:
    """This message, or a later one of the conversation, was answered already."""
    found = session.scalar(
        select(AssistantReply.id)
        .where(
            AssistantReply.ticket_id == ticket_id,
            AssistantReply.question_message_id >= message_id,
        )
        .limit(1)
    )
    return found is not None


def do_assistant_turn(
    session: Session, message_id: int, settings: Settings | None = None
) -> AssistantReply | None:
    """Answer the customer's message ``message_id`` (the ``assistant.reply`` job). Safe to run
    twice: a message already answered (or one the conversation has moved past), gone, too old,
    or on a ticket that is no longer the assistant's is left alone, and None is returned."""
    settings = settings or get_settings()
    question = _question(session, message_id)
    if question is None or not settings.assistant_enabled:
        return None
    # One turn at a time per conversation (PostgreSQL; SQLite's job holds the write lock).
    session.execute(select(Ticket.id).where(Ticket.id == question.ticket_id).with_for_update())
    ticket = session.get(Ticket, question.ticket_id)
    if ticket is None or _answered(session, ticket.id, question.id):
        return None
    if utcnow() - question.created_at > STALE_AFTER or not is_assistants(session, ticket):
        return None
    customer = session.get(Customer, ticket.requester_id)
    context = context_for(session, ticket, customer)
    previous = context.history[-1] if context.history else None
    reply = engine.answer(session, question.body, context, settings)
    posted = tickets.do_add_message(session, ASSISTANT, ticket, reply.reply)
    handover: Handover | None = None
    if reply.action == "handover":
        told_before = previous is not None and previous.action == "handover"
        handover = do_handover(session, ticket, reply, tell_customer=not told_before)
    row = do_record_reply(
        session,
        reply,
        channel=context.channel,
        ticket=ticket,
        message=posted,
        question=question,
        customer_id=customer.id if customer is not None else None,
    )
    _keep_check(session, reply, ticket, customer, context.customer_ref)
    do_log_lock(session, reply, ticket, customer)
    log.info(
        "assistant %s on ticket %s (reason %s, team %s)",
        reply.action,
        ticket.id,
        reply.reason,
        handover.team_id if handover else None,
    )
    return row


__all__ = [
    "do_assistant_turn",
    "do_handover",
    "do_record_reply",
    "history_for",
    "is_assistants",
]
