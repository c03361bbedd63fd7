"""Complaints in a real headless Chromium, the desk served by uvicorn on a fresh SQLite
database and sending to a real local SMTP server:

- a customer signs in to the portal in Chinese, files a complaint from "More help" and
  receives the acknowledgement e-mail, in Chinese, with the reference, the date of receipt,
  who handles it and the date of the answer (MiCA RTS Art. 4);
- an agent makes a ticket a formal complaint from the ticket page, admits it, is refused a
  decision while a point has no answer, then sends the decision, which the customer receives.
"""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from ledgerdesk.accounts.models import Role
from ledgerdesk.cases.models import Case, CaseStatus
from ledgerdesk.channels.mail import text_of
from ledgerdesk.jobs.outbox import run_pending
from tests.browser import chromium
from tests.channels.smtp import PointMail, SmtpServer
from tests.conftest import PASSWORD, make_agent, make_customer, make_ticket
from tests.web.test_pages import CodeCatcher, codes, fresh_app, served

pytestmark = pytest.mark.browser
__all__ = ["codes"]


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    yield from chromium()


def _context(browser: Browser, base: str, locale: str) -> Any:
    context = browser.new_context(
        base_url=base, viewport={"width": 1280, "height": 900}, locale=locale
    )
    context.set_default_timeout(15_000)
    return context


def _mail_to(app: Any, smtp: SmtpServer, email: str, pattern: str) -> str:
    """The text of the first mail to ``email`` that matches ``pattern``, once sent."""
    for _ in range(20):
        run_pending(app.state.sessionmaker)
        for message in smtp.inbox.to(email):
            text = text_of(message)
            if re.search(pattern, text):
                return text
        time.sleep(0.25)
    raise AssertionError(f"no mail to {email} matching {pattern!r}: {smtp.inbox.to(email)}")


def test_a_customer_files_a_complaint_in_chinese_and_gets_the_acknowledgement(
    browser: Browser,
    tmp_path: Path,
    smtp_server: SmtpServer,
    configure_mail: PointMail,
    codes: CodeCatcher,
) -> None:
    configure_mail(smtp_server.port)
    app = fresh_app(tmp_path)
    email = f"cmp-{uuid.uuid4().hex[:8]}@example.com"
    with served(app) as base:
        context = _context(browser, base, "zh-CN")
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.goto("/portal/login")
        page.locator("#email").fill(email)
        page.locator("form button[type=submit]").first.click()
        expect(page.locator("#code")).to_be_visible()
        page.locator("#code").fill(codes.codes[email])
        page.locator("form button[type=submit]").first.click()
        expect(page).to_have_url(re.compile(r"/portal$"))
        page.locator("a[href='/portal/complaints/new']").first.click()
        expect(page.locator("#complaint-form")).to_be_visible()
        expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
        page.locator("#name").fill("韩梅梅")
        page.locator("#topic").select_option("deposit")
        if page.locator("#subject").count():
            page.locator("#subject").fill("充值三天未到账")
        page.locator("#what_happened").fill(
            "1 月 3 日充值 500 USDT (TRC20)，三天未到账，客服没有回复。"
        )
        page.locator("#points").fill("充值未到账\n客服没有回复")
        page.locator("#wants").fill("尽快入账并说明原因")
        page.locator("#language").select_option("zh-CN")
        page.locator("#file-submit").click()
        expect(page).to_have_url(re.compile(r"/portal/cases/\d+$"))
        reference = page.locator("#case-reference").inner_text().strip()
        assert re.fullmatch(r"CMP-\d{4}-\d{6}", reference)
        expect(page.locator("#case-status")).to_have_text("已确认")
        context.close()
        assert errors == []

        text = _mail_to(app, smtp_server, email, re.escape(reference))
    assert text.count("韩梅梅") >= 1  # addressed by the name given on the form
    assert reference in text and "充值三天未到账" in text
    with app.state.sessionmaker() as session:
        case = session.query(Case).filter(Case.reference == reference).one()
        assert case.status == CaseStatus.acknowledged and case.due_at is not None
        received, case_id = case.received_at, case.id
    # Art. 4: the date of receipt, the reference, a contact and the timeframe.
    assert f"{received:%Y-%m-%d}" in text or f"{received.year}年" in text
    assert "处理" in text and "前向您发送处理决定" in text and "法律允许的最晚日期" in text
    assert f"/portal/cases/{case_id}" in text


def _sign_in_agent(page: Page, email: str) -> None:
    page.goto("/console/login")
    page.locator("#email").fill(email)
    page.locator("#password").fill(PASSWORD)
    page.locator("form[action='/console/login'] button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/console/inbox"))


def test_an_agent_converts_a_ticket_and_issues_a_decision(
    browser: Browser, tmp_path: Path, smtp_server: SmtpServer, configure_mail: PointMail
) -> None:
    configure_mail(smtp_server.port)
    app = fresh_app(tmp_path)
    with app.state.sessionmaker() as session:
        lead = make_agent(session, Role.lead)
        customer = make_customer(session, locale="en")
        ticket = make_ticket(
            session, customer, subject="Withdrawal fee charged twice", body="You charged me twice."
        )
        session.commit()
        lead_email, customer_email, ticket_id = lead.email, customer.email, ticket.id
    with served(app) as base:
        context = _context(browser, base, "en-US")
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        _sign_in_agent(page, lead_email)
        page.goto(f"/console/tickets/{ticket_id}")
        page.locator("#convert-complaint summary").click()
        page.locator("#convert-points").fill("Fee charged twice\nNo answer for a week")
        page.locator("#convert-language").select_option("en")
        page.locator("#convert-submit").click()
        expect(page).to_have_url(re.compile(r"/console/cases/\d+$"))
        expect(page.locator("#case-status")).to_have_text("Received")
        page.locator("#admit").click()
        expect(page.locator("#case-status")).to_have_text("Acknowledged")

        page.locator("#answer_0").fill("We refunded the second fee on 5 January.")
        page.locator("#outcome").select_option("upheld")
        page.locator("#send-decision").click()
        expect(page.locator("#answer-error")).to_contain_text("Point 2 has no answer")
        expect(page.locator("#answer_0")).to_have_value("We refunded the second fee on 5 January.")

        page.locator("#answer_1").fill("Our queue was long; we added staff.")
        page.locator("#outcome").select_option("upheld")
        page.locator("#send-decision").click()
        expect(page.locator("#case-status")).to_have_text("Decided")
        context.close()
        assert errors == []

        decision = _mail_to(app, smtp_server, customer_email, "refunded the second fee")
    assert "Our queue was long" in decision
    with app.state.sessionmaker() as session:
        case = session.query(Case).filter(Case.ticket_id == ticket_id).one()
        assert case.status == CaseStatus.decided and case.outcome == "upheld"
