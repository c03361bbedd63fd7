"""Complaints end to end through the services, on SQLite and PostgreSQL, with a frozen clock:
filing with the Annex fields, the acknowledgement's Art. 4 contents (sent over real local
SMTP), every point answered before a decision, the delay notice, the summary resolution
communication within three business days (DISP), closure, the deadline warnings job."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from ledgerdesk.accounts import services as accounts
from ledgerdesk.accounts.models import Customer, Role
from ledgerdesk.cases import complaints_lifecycle as life
from ledgerdesk.cases import register, tasks
from ledgerdesk.cases.complaints import ComplaintForm, do_convert_ticket, do_file
from ledgerdesk.cases.models import Case, CaseKind, CaseStatus
from ledgerdesk.channels.mail import send_customer_mail, text_of
from ledgerdesk.channels.models import Notification
from ledgerdesk.channels.outgoing import MAIL_TOPIC
from ledgerdesk.core.clock import frozen_at
from ledgerdesk.core.errors import Conflict, InvalidInput
from ledgerdesk.core.settings import get_settings
from ledgerdesk.jobs.models import OutboxEntry
from ledgerdesk.sla.models import BusinessCalendar
from ledgerdesk.tickets.models import Message
from tests.channels.smtp import SmtpServer, configure_mail, smtp_server
from tests.conftest import actor_of, make_agent, make_customer, make_ticket

__all__ = ["configure_mail", "smtp_server"]
RECEIVED = datetime(2026, 12, 2, 10, 0)  # a Wednesday


@pytest.fixture
def uk(monkeypatch: pytest.MonkeyPatch, db_session: Session) -> Iterator[None]:
    monkeypatch.setenv("LEDGERDESK_CASES_JURISDICTION", "uk_disp")
    db_session.query(BusinessCalendar).update({"is_default": False})  # weekdays in UTC
    get_settings.cache_clear()
    yield
    monkeypatch.delenv("LEDGERDESK_CASES_JURISDICTION")
    get_settings.cache_clear()


def _form(**changes: Any) -> ComplaintForm:
    values: dict[str, Any] = {
        "name": "李雷",
        "email": "li.lei@example.com",
        "what_happened": "我的提现被冻结了三天，没有任何解释。",
        "points": "提现被冻结没有通知\n客服没有回复\n",
        "wants": "解冻并解释原因",
        "language": "zh-CN",
        "facts_dates": "2026-11-28",
        "topic": "withdrawal",
    }
    values.update(changes)
    return ComplaintForm(**values)


def _file(session: Session, customer: Customer, **changes: Any) -> Case:
    with frozen_at(RECEIVED):
        return do_file(
            session, accounts.customer_actor(customer), _form(**changes), CaseKind.complaint
        )


def _mails(session: Session) -> list[dict[str, Any]]:
    rows = session.scalars(select(OutboxEntry).where(OutboxEntry.topic == MAIL_TOPIC))
    return [r.payload for r in rows]


def _status(case: Case) -> CaseStatus:
    return case.status  # read again: a step changed it


def _steps(session: Session, case: Case) -> list[str]:
    return [s.step for s in register.steps(session, case)]


def test_filing_acknowledges_at_once_with_art4_contents(
    db_session: Session, uk: None, configure_mail: Any, smtp_server: SmtpServer
) -> None:
    customer = make_customer(db_session)
    case = _file(db_session, customer)
    assert case.status == CaseStatus.acknowledged
    assert case.points == ["提现被冻结没有通知", "客服没有回复"]
    assert _steps(db_session, case) == ["received", "admissible", "acknowledged"]
    assert case.jurisdiction == "uk_disp"
    assert case.limit_at == datetime(2027, 1, 27, 10, 0)  # eight weeks
    (payload,) = [p for p in _mails(db_session) if p["customer_id"] == customer.id]
    assert payload["locale"] == "zh-CN" and payload["kind"] == "case_acknowledgement"
    # The letter is on the working ticket too, as a public message.
    letter = db_session.scalars(
        select(Message).where(Message.ticket_id == case.ticket_id).order_by(Message.seq)
    ).all()[-1]
    assert letter.body == payload["text"]
    configure_mail(smtp_server.port)
    send_customer_mail(db_session, payload)
    (mail,) = smtp_server.inbox.wait_for(customer.email)
    text = text_of(mail)
    assert case.reference in str(mail["Subject"]) and "我们已收到您的投诉" in str(mail["Subject"])
    assert "2026年12月02日 10:00" in text  # date of receipt
    assert case.reference in text
    assert "2027年01月27日 10:00" in text  # the decision date / limit
    assert f"/portal/cases/{case.id}" in text  # where to follow it
    assert "处理" in text  # the contact (the complaints team)


def test_decision_needs_an_answer_for_every_point(db_session: Session, uk: None) -> None:
    customer = make_customer(db_session)
    agent = make_agent(db_session, Role.lead)
    case = _file(db_session, customer)
    actor = actor_of(agent)
    with frozen_at(datetime(2026, 12, 10, 9, 0)):
        with pytest.raises(InvalidInput) as refused:
            life.do_decide(db_session, actor, case, ["已解冻", "  "], "upheld")
        assert refused.value.field == "answer_1"
        assert case.status == CaseStatus.acknowledged
        life.do_decide(db_session, actor, case, ["已解冻", "已补充回复"], "upheld", "抱歉")
        assert _status(case) == CaseStatus.decided and case.outcome == "upheld"
        life.do_close(db_session, actor, case, "upheld", "退还手续费 5 USDT")
    assert _status(case) == CaseStatus.closed
    assert _steps(db_session, case)[-2:] == ["decision", "closed"]
    texts = [p["text"] for p in _mails(db_session) if p["customer_id"] == customer.id]
    decision = next(t for t in texts if "已解冻" in t)
    assert "1. 提现被冻结没有通知" in decision and "2. 客服没有回复" in decision
    assert "Financial Ombudsman Service" in decision  # the remedies of the profile
    assert "退还手续费 5 USDT" in texts[-1]


def test_delay_notice_gives_reasons_and_a_date_within_the_limit(
    db_session: Session, uk: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LEDGERDESK_CASES_TARGET_DAYS", "10")  # the desk's own, shorter target
    get_settings.cache_clear()
    customer = make_customer(db_session)
    actor = actor_of(make_agent(db_session, Role.lead))
    case = _file(db_session, customer, language="en", points="Fees\n")
    assert case.due_at == datetime(2026, 12, 17, 0, 0)  # the end of the 10th business day
    with frozen_at(datetime(2026, 12, 15, 9, 0)):
        with pytest.raises(InvalidInput):  # past the legal limit of 27 January
            life.do_delay(db_session, actor, case, "waiting", datetime(2027, 2, 1, 9, 0))
        life.do_delay(
            db_session, actor, case, "We are waiting for the bank's answer", datetime(2027, 1, 20)
        )
    assert case.due_at == datetime(2027, 1, 20)
    step = register.steps(db_session, case)[-1]
    assert step.step == "delay_notice" and step.detail["reasons"].startswith("We are waiting")
    text = [p["text"] for p in _mails(db_session) if p["customer_id"] == customer.id][-1]
    assert "We are waiting for the bank's answer" in text
    assert "20 January 2027, 00:00 UTC" in text and "17 December 2026, 00:00 UTC" in text


def test_summary_resolution_by_the_third_business_day(db_session: Session, uk: None) -> None:
    customer = make_customer(db_session)
    actor = actor_of(make_agent(db_session, Role.lead))
    resolved = _file(db_session, customer, language="en")
    late = _file(db_session, customer, language="en")
    # Received Wednesday 2 December: the 3rd business day after is Monday 7 December.
    with frozen_at(datetime(2026, 12, 7, 23, 0)):
        life.do_summary_resolution(db_session, actor, resolved, "We released the withdrawal.")
    assert resolved.status == CaseStatus.closed and resolved.outcome == "resolved"
    assert _steps(db_session, resolved)[-1] == "summary_resolution"
    text = next(p["text"] for p in _mails(db_session) if p["kind"] == "case_summary_resolution")
    assert "We released the withdrawal." in text and "Financial Ombudsman" in text
    with frozen_at(datetime(2026, 12, 8, 0, 1)), pytest.raises(Conflict):
        life.do_summary_resolution(db_session, actor, late, "Too late")


def test_agent_converts_a_ticket_then_decides_admissibility(db_session: Session) -> None:
    ticket = make_ticket(db_session, subject="Fees were wrong")
    actor = actor_of(make_agent(db_session, Role.lead))
    case = do_convert_ticket(db_session, actor, ticket, "Charged twice\nNo answer for a week")
    assert case.status == CaseStatus.received and case.ticket_id == ticket.id
    assert case.points == ["Charged twice", "No answer for a week"]
    assert case.received_at == ticket.created_at and case.assignee_id == actor.id
    assert [p for p in _mails(db_session) if p["customer_id"] == case.customer_id] == []
    with pytest.raises(Conflict):
        do_convert_ticket(db_session, actor, ticket, "again")
    with pytest.raises(InvalidInput):
        life.do_refuse(db_session, actor, case, "   ")
    life.do_refuse(db_session, actor, case, "Not about a service we provide")
    assert _status(case) == CaseStatus.inadmissible and case.closed_at is not None
    (mail,) = [p for p in _mails(db_session) if p["customer_id"] == case.customer_id]
    assert "Not about a service we provide" in mail["text"]
    assert _steps(db_session, case) == ["received", "inadmissible"]


def test_deadline_warnings_once_per_deadline(db_session: Session, uk: None) -> None:
    customer = make_customer(db_session)
    case = _file(db_session, customer)
    lead = make_agent(db_session, Role.lead)
    case.assignee_id = lead.id
    with frozen_at(datetime(2027, 1, 20, 9, 0)):  # three business days before 27 January
        assert tasks.check_deadlines(db_session) >= 0
    with frozen_at(datetime(2027, 1, 22, 9, 0)):
        first = tasks.check_deadlines(db_session)
        again = tasks.check_deadlines(db_session)
    warnings = [s for s in register.steps(db_session, case) if s.step == "deadline_warning"]
    assert len(warnings) == 1 and first >= 1 and again == 0
    assert warnings[0].detail["deadline"] == "due"
    note = db_session.scalars(select(Notification).where(Notification.agent_id == lead.id)).all()
    assert [n.kind for n in note] == ["case_deadline"]
