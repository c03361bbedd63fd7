"""Customers are e-mailed about their tickets: every public agent reply and the ticket being
solved, through the outbox, in their language, with their anti-phishing code and a portal link;
never an internal note; never twice."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, delete, func, select
from sqlalchemy.orm import Session, sessionmaker

from ledgerdesk.accounts import services as accounts
from ledgerdesk.accounts.anti_phishing import do_set_anti_phishing_code
from ledgerdesk.accounts.models import Role
from ledgerdesk.accounts.services import SYSTEM, Actor
from ledgerdesk.channels.mail import text_of
from ledgerdesk.channels.outgoing import (
    REPLY_NOTICE_TOPIC,
    SOLVED_NOTICE_TOPIC,
    recording_history,
)
from ledgerdesk.channels.ticket_mail import NOTIFIED, send_reply_notice
from ledgerdesk.core.clock import frozen_at, utcnow
from ledgerdesk.core.db import make_engine, make_sessionmaker
from ledgerdesk.core.migrate import upgrade
from ledgerdesk.core.settings import Settings
from ledgerdesk.demo.services import load_demo
from ledgerdesk.jobs.models import OutboxEntry
from ledgerdesk.jobs.outbox import enqueue, run_pending
from ledgerdesk.tickets import services as tickets
from ledgerdesk.tickets.models import Event, Message, Status, Ticket
from tests.channels.smtp import PUBLIC_URL, SmtpServer, first_line, free_port
from tests.conftest import make_agent, make_customer, make_ticket

TOPICS = (REPLY_NOTICE_TOPIC, SOLVED_NOTICE_TOPIC)


@dataclass
class Desk:
    factory: sessionmaker[Session]
    agent: Actor

    def ticket(self, locale: str = "en", code: str | None = None) -> tuple[int, str]:
        """A committed ticket of a new customer; its id and the customer's address."""
        with self.factory() as session:
            email = f"t-{uuid.uuid4().hex[:10]}@example.com"
            who = make_customer(session, email=email, locale=locale)
            session.flush()
            if code:
                do_set_anti_phishing_code(session, SYSTEM, who, code)
            ticket = make_ticket(session, who, subject="USDT 充值没到账 deposit missing")
            session.commit()
            return ticket.id, email

    def act(self, ticket_id: int, change: Any) -> None:
        with self.factory() as session:
            change(session, session.get(Ticket, ticket_id))
            session.commit()

    def jobs(self) -> list[OutboxEntry]:
        with self.factory() as session:
            return list(session.scalars(select(OutboxEntry).where(OutboxEntry.topic.in_(TOPICS))))

    def notified(self, ticket_id: int) -> int:
        with self.factory() as session:
            found = select(func.count()).where(Event.ticket_id == ticket_id)
            return session.scalar(found.where(Event.action == NOTIFIED)) or 0


@pytest.fixture
def desk(engine: Engine) -> Iterator[Desk]:
    factory = make_sessionmaker(engine)
    with factory() as session:
        mark = session.scalar(select(func.max(OutboxEntry.id))) or 0
        agent = make_agent(session, Role.admin)
        session.commit()
        actor = accounts.agent_actor(agent)
    yield Desk(factory, actor)
    with engine.begin() as connection:  # the mail.customer jobs of the customers' codes too
        connection.execute(delete(OutboxEntry).where(OutboxEntry.id > mark))


def reply(desk: Desk, body: str, status: Status | None = None) -> Any:
    return lambda s, t: tickets.do_agent_reply(s, desk.agent, t, body, status=status)


def test_public_reply_is_mailed_with_code_link_and_reference(
    desk: Desk, smtp_server: SmtpServer, mail_settings: Settings
) -> None:
    ticket_id, email = desk.ticket(code="Blue-Harbour-4")
    run_pending(desk.factory)  # the anti-phishing notice
    desk.act(ticket_id, reply(desk, "We found your deposit; it is credited now."))
    assert [j.payload for j in desk.jobs()] == [{"message_id": _last_message(desk, ticket_id)}]
    run_pending(desk.factory)
    mail = smtp_server.inbox.wait_for(email, count=2)[1]
    assert first_line(mail) == "Anti-phishing code: Blue-Harbour-4"
    assert mail["Subject"] == (
        f"[#{ticket_id}] New reply to your request: USDT 充值没到账 deposit missing"
    )
    body = text_of(mail)
    assert "We found your deposit; it is credited now." in body
    assert f"{PUBLIC_URL}/portal/tickets/{ticket_id}" in body
    assert "(ledgerdesk Support) replied to your request" in body
    assert desk.jobs() == [] and desk.notified(ticket_id) == 1


def test_chinese_customer_gets_chinese_mail(
    desk: Desk, smtp_server: SmtpServer, mail_settings: Settings
) -> None:
    ticket_id, email = desk.ticket(locale="zh-CN")
    desk.act(ticket_id, reply(desk, "您的充值已到账。"))
    desk.act(ticket_id, lambda s, t: tickets.do_set_status(s, desk.agent, t, Status.solved))
    run_pending(desk.factory)
    first, second = smtp_server.inbox.wait_for(email, count=2)
    assert first_line(first).startswith("提示：")
    assert first["Subject"].startswith(f"[#{ticket_id}] 您的工单有新回复：")
    assert "您的充值已到账。" in text_of(first) and "客服门户" in text_of(first)
    assert second["Subject"].startswith(f"[#{ticket_id}] 您的工单已解决：")
    assert f"{PUBLIC_URL}/portal/tickets/{ticket_id}" in text_of(second)


def test_internal_notes_and_customer_replies_send_nothing(
    desk: Desk, smtp_server: SmtpServer, mail_settings: Settings
) -> None:
    ticket_id, email = desk.ticket()
    desk.act(ticket_id, lambda s, t: tickets.do_add_note(s, desk.agent, t, "KYC looks forged"))
    customer = _requester(desk, ticket_id)
    desk.act(ticket_id, lambda s, t: tickets.do_customer_reply(s, customer, t, "any news?"))
    assert desk.jobs() == []
    run_pending(desk.factory)
    assert smtp_server.inbox.to(email) == []


def test_reply_that_solves_is_one_mail(
    desk: Desk, smtp_server: SmtpServer, mail_settings: Settings
) -> None:
    ticket_id, email = desk.ticket()
    desk.act(ticket_id, reply(desk, "Credited; closing this.", Status.solved))
    assert len(desk.jobs()) == 1
    run_pending(desk.factory)
    (mail,) = smtp_server.inbox.wait_for(email)
    assert f"We marked your request #{ticket_id} as solved. If something" in text_of(mail)


def test_reopened_before_sending_drops_the_solved_notice(
    desk: Desk, smtp_server: SmtpServer, mail_settings: Settings
) -> None:
    ticket_id, email = desk.ticket()
    desk.act(ticket_id, lambda s, t: tickets.do_set_status(s, desk.agent, t, Status.solved))
    customer = _requester(desk, ticket_id)
    desk.act(ticket_id, lambda s, t: tickets.do_customer_reply(s, customer, t, "not fixed"))
    run_pending(desk.factory)
    assert smtp_server.inbox.to(email) == [] and desk.jobs() == []


def test_the_job_sends_once_when_run_twice(
    desk: Desk, smtp_server: SmtpServer, mail_settings: Settings
) -> None:
    ticket_id, email = desk.ticket()
    desk.act(ticket_id, reply(desk, "Please send the TXID."))
    message_id = _last_message(desk, ticket_id)
    run_pending(desk.factory)
    with desk.factory() as session:  # queued again, and run again by hand
        enqueue(session, REPLY_NOTICE_TOPIC, {"message_id": message_id})
        session.commit()
    run_pending(desk.factory)
    with desk.factory() as session:
        send_reply_notice(session, {"message_id": message_id})
        session.commit()
    assert len(smtp_server.inbox.wait_for(email)) == 1
    assert desk.notified(ticket_id) == 1 and desk.jobs() == []


def test_a_failed_send_is_retried_and_records_nothing(
    desk: Desk, configure_mail: Any, smtp_server: SmtpServer
) -> None:
    ticket_id, email = desk.ticket()
    desk.act(ticket_id, reply(desk, "Checking with the wallet team."))
    configure_mail(free_port())  # nothing listens there
    run_pending(desk.factory)
    (job,) = desk.jobs()
    assert job.attempts == 1 and desk.notified(ticket_id) == 0
    configure_mail(smtp_server.port)
    with frozen_at(utcnow() + timedelta(seconds=10)):
        run_pending(desk.factory)
    assert len(smtp_server.inbox.wait_for(email)) == 1 and desk.notified(ticket_id) == 1


def test_nothing_is_queued_when_the_reply_rolls_back(desk: Desk) -> None:
    ticket_id, _ = desk.ticket()
    with desk.factory() as session:
        tickets.do_agent_reply(session, desk.agent, session.get(Ticket, ticket_id), "draft")
        session.rollback()
    assert desk.jobs() == []


def _requester(desk: Desk, ticket_id: int) -> Actor:
    with desk.factory() as session:
        ticket = session.get(Ticket, ticket_id)
        assert ticket is not None
        return accounts.customer_actor(accounts.get_customer(session, ticket.requester_id))


def _last_message(desk: Desk, ticket_id: int) -> int:
    with desk.factory() as session:
        found = session.scalar(select(func.max(Message.id)).where(Message.ticket_id == ticket_id))
        assert found is not None
        return found


def test_recorded_history_queues_no_notice(desk: Desk) -> None:
    ticket_id, _ = desk.ticket()
    with desk.factory() as session, recording_history(session):
        ticket = session.get(Ticket, ticket_id)
        tickets.do_agent_reply(session, desk.agent, ticket, "an old answer", status=Status.solved)
        session.commit()
    assert desk.jobs() == []


def test_loading_the_demo_e_mails_no_one(tmp_path: Path) -> None:
    """The demo's 500 conversations are history: its customers are e-mailed nothing."""
    engine = make_engine(f"sqlite:///{tmp_path / 'demo.db'}")
    upgrade(engine)
    with make_sessionmaker(engine)() as session:
        load_demo(session)
        session.commit()
        mail = session.scalars(select(OutboxEntry.topic).where(OutboxEntry.topic.like("mail.%")))
        assert list(mail) == []
        replies = select(func.count()).select_from(Message).where(Message.author_agent_id > 0)
        assert (session.scalar(replies) or 0) > 100
    engine.dispose()


def _chat(desk: Desk, *, offline: bool = False) -> tuple[int, str]:
    """A live chat (or an offline-form chat) with one agent reply; its id and the address."""
    from ledgerdesk.chat import services as chat

    email = f"chat-{uuid.uuid4().hex[:10]}@example.com"
    with desk.factory() as session:
        if offline:
            ticket_id = chat.open_offline_ticket(session, email, "", "Where is my BTC?", "en").id
        else:
            visitor, _ = chat.identify_email(session, email)
            ticket_id = chat.send_customer_message(
                session, visitor, None, uuid.uuid4().hex, "Where is my BTC?"
            ).conversation
        chat.send_agent_message(session, desk.agent, ticket_id, uuid.uuid4().hex, "Found it.")
        session.commit()
    return ticket_id, email


def test_a_chat_reply_the_widget_delivered_is_not_mailed(
    desk: Desk, smtp_server: SmtpServer, mail_settings: Settings
) -> None:
    from ledgerdesk.chat import services as chat

    ticket_id, email = _chat(desk)
    with desk.factory() as session:
        assert chat.mark(session, ticket_id, "customer", "delivered", 2) is not None
        session.commit()
    run_pending(desk.factory)
    assert desk.jobs() == [] and desk.notified(ticket_id) == 0
    assert smtp_server.inbox.to(email) == []


def test_an_undelivered_chat_reply_is_mailed_after_the_delay(
    desk: Desk, smtp_server: SmtpServer, mail_settings: Settings
) -> None:
    ticket_id, email = _chat(desk)
    run_pending(desk.factory)
    (job,) = desk.jobs()  # waits for the widget first
    assert job.available_at > utcnow() + timedelta(seconds=100) and job.attempts == 0
    assert desk.notified(ticket_id) == 0
    with frozen_at(utcnow() + timedelta(seconds=121)):
        run_pending(desk.factory)
    (mail,) = smtp_server.inbox.wait_for(email)
    assert "Found it." in text_of(mail)
    assert desk.jobs() == [] and desk.notified(ticket_id) == 1


def test_an_offline_form_chat_is_answered_by_mail_at_once(
    desk: Desk, smtp_server: SmtpServer, mail_settings: Settings
) -> None:
    ticket_id, email = _chat(desk, offline=True)
    run_pending(desk.factory)
    mails = smtp_server.inbox.wait_for(email)
    assert any("Found it." in text_of(m) for m in mails)
    assert desk.notified(ticket_id) == 1
