"""What the console tests need from the rest of the assistant, made through the real services:
assistant replies on tickets (the message the desk posts and its ``AssistantReply`` row), and a
stand-in for ``engine.answer`` (written on the engine branch) that returns the replies a test
constructs and remembers what it was asked."""

from __future__ import annotations

from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import pytest
from sqlalchemy.orm import Session

from ledgerdesk.accounts.services import ASSISTANT, customer_actor
from ledgerdesk.ai.assistant import engine
from ledgerdesk.ai.assistant.models import AssistantReply
from ledgerdesk.ai.assistant.services import do_record_reply
from ledgerdesk.ai.assistant.types import Context, Reply, Source
from ledgerdesk.core.clock import frozen_at
from ledgerdesk.tickets import services as tickets
from ledgerdesk.tickets.models import Message, Ticket


def answer_reply(slug: str = "deposit-not-credited", text: str = "", **extra: Any) -> Reply:
    """An answer as the engine builds one: an article section, its citation, the question."""
    body = text or (
        "Deposits are credited after 1 confirmation on Tron.\n"
        f"Source: How deposits are credited — /help/articles/{slug}\nDid this solve it?"
    )
    extra.setdefault("asks_feedback", True)
    return Reply(
        action="answer",
        reply=body,
        citations=[slug],
        confidence=0.82,
        language=extra.pop("language", "en"),
        sources=[
            Source(
                kind="article",
                ref=slug,
                lang="en",
                text="Deposits are credited after 1 confirmation on Tron.",
                url=f"/help/articles/{slug}",
                title="How deposits are credited",
            )
        ],
        **extra,
    )


def handover_reply(reason: str = "asked_for_person", **extra: Any) -> Reply:
    return Reply(
        action="handover",
        reply="A person from our support team will take over; they will see this conversation.",
        reason=reason,
        confidence=1.0,
        language=extra.pop("language", "en"),
        **extra,
    )


@dataclass
class FakeEngine:
    """Answers with ``reply`` (or raises ``error``); ``asked`` keeps (text, context) pairs."""

    reply: Reply | None = None
    error: Exception | None = None
    asked: list[tuple[str, Context]] = field(default_factory=list)

    def __call__(
        self, session: Session, text: str, context: Context, settings: Any = None
    ) -> Reply:
        self.asked.append((text, context))
        if self.error is not None:
            raise self.error
        assert self.reply is not None
        return self.reply


def fake_engine(
    monkeypatch: pytest.MonkeyPatch, reply: Reply | None = None, **kw: Any
) -> FakeEngine:
    fake = FakeEngine(reply=reply or answer_reply(), **kw)
    monkeypatch.setattr(engine, "answer", fake)
    return fake


def post_reply(
    session: Session,
    ticket: Ticket,
    reply: Reply,
    *,
    at: datetime | None = None,
    channel: str = "chat",
    feedback: str | None = None,
) -> AssistantReply:
    """The assistant's reply on ``ticket`` as the desk records it (message + row)."""
    with frozen_at(at) if at is not None else nullcontext():
        message = tickets.do_add_message(session, ASSISTANT, ticket, reply.reply)
        row = do_record_reply(
            session,
            reply,
            channel=channel,
            ticket=ticket,
            message=message,
            customer_id=ticket.requester_id,
        )
        row.feedback = feedback
        session.flush()
    return row


def help_row(
    session: Session, reply: Reply, at: datetime, feedback: str | None = None
) -> AssistantReply:
    """A help-center answer as ``ask.do_answer_question`` records it (no ticket, no text)."""
    with frozen_at(at):
        row = do_record_reply(session, reply, channel="help")
    row.feedback = feedback
    session.flush()
    return row


def customer_says(
    session: Session, ticket: Ticket, body: str, at: datetime | None = None
) -> Message:
    with frozen_at(at) if at is not None else nullcontext():
        return tickets.do_add_message(session, customer_actor(ticket.requester), ticket, body)
