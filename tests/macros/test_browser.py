"""Macros in a real headless Chromium against the page tests' served desk: an agent saves a
bilingual macro on /console/macros, opens a Chinese ticket, applies the macro from the ticket
page's panel and sends the reply with the macro's status; the escalation panel escalates
another ticket with a reason."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select

from ledgerdesk.accounts.models import Role, Tier
from ledgerdesk.accounts.services import SYSTEM
from ledgerdesk.tickets import services as tickets
from ledgerdesk.tickets.models import Event, Message, Status, Ticket
from tests.conftest import PASSWORD, make_agent, make_customer, make_team, make_ticket
from tests.web.test_pages import (  # the page tests' served desk and browser
    Desk,
    _new_context,
    _sign_in_agent,
    browser,
    desk,
)

pytestmark = pytest.mark.browser
__all__ = ["browser", "desk"]


@pytest.fixture(scope="module")
def world(desk: Desk) -> dict[str, object]:
    with desk.app.state.sessionmaker() as session:
        team = make_team(session)
        upper = make_team(session, Tier.l2)
        team.escalation_team_id = upper.id
        agent = make_agent(session, Role.agent, [team])
        customer = make_customer(session, name="李雷")
        zh = make_ticket(session, customer, actor=SYSTEM, subject="充值没到账", body="USDT 没到")
        zh.language = "zh-CN"
        tickets.do_assign(session, SYSTEM, zh, team_id=team.id, agent_id=agent.id)
        other = make_ticket(session, customer, actor=SYSTEM, subject="KYC failed")
        tickets.do_assign(session, SYSTEM, other, team_id=team.id)
        session.commit()
        return {
            "email": agent.email,
            "zh": zh.id,
            "other": other.id,
            "upper": upper.id,
        }


@pytest.fixture(scope="module")
def page(browser: Browser, desk: Desk, world: dict[str, object]) -> Iterator[Page]:
    context = _new_context(browser, desk)
    try:
        tab = context.new_page()
        errors: list[str] = []
        tab.on("pageerror", lambda exc: errors.append(str(exc)))
        _sign_in_agent(tab, str(world["email"]), PASSWORD)
        expect(tab).to_have_url(re.compile(r"/console/inbox"))
        yield tab
        assert not errors, errors
    finally:
        context.close()


def test_a_macro_is_saved_applied_and_sent(
    page: Page, desk: Desk, world: dict[str, object]
) -> None:
    page.goto("/console/macros")
    page.locator("#macro-name").fill("TXID please")
    page.locator("#macro-body-en").fill("Hi {{customer.name}}, please send the TXID.")
    page.locator("#macro-body-zh").fill(
        "{{customer.name}} 您好，请提供交易哈希（工单 {{ticket.id}}）。"
    )
    page.locator("#macro-status").select_option("pending")
    page.locator("#macro-tags").fill("need-txid")
    page.locator("#new-macro button[type=submit]").click()
    expect(page.locator("#macros")).to_contain_text("TXID please")

    page.goto(f"/console/tickets/{world['zh']}")
    page.locator("#macro-choice").select_option(label="TXID please")
    page.locator("#apply-macro").click()
    body = page.locator("#reply-body")
    expect(body).to_have_value(f"李雷 您好，请提供交易哈希（工单 {world['zh']}）。")
    expect(page.locator("#reply-status")).to_have_value("pending")
    page.locator("#reply-form button.primary[type=submit]").first.click()
    expect(page.locator("#conversation")).to_contain_text("请提供交易哈希")

    with desk.app.state.sessionmaker() as session:
        ticket = session.get_one(Ticket, world["zh"])
        assert ticket.status == Status.pending
        assert [t.name for t in ticket.tags] == ["need-txid"]
        actions = session.scalars(select(Event.action).where(Event.ticket_id == ticket.id))
        assert "macro.applied" in list(actions)
        last = session.scalars(
            select(Message).where(Message.ticket_id == ticket.id).order_by(Message.id.desc())
        ).first()
        assert last is not None and last.body.startswith("李雷 您好")


def test_escalate_with_a_reason_from_the_ticket_page(
    page: Page, desk: Desk, world: dict[str, object]
) -> None:
    page.goto(f"/console/tickets/{world['other']}")
    page.locator("#escalate-box summary").click()
    page.locator("#escalate-reason").fill("Documents need compliance review")
    page.locator("#escalate").click()
    expect(page).to_have_url(re.compile(r"/console/inbox"))  # the L2 team is not the agent's
    with desk.app.state.sessionmaker() as session:
        ticket = session.get_one(Ticket, world["other"])
        assert ticket.team_id == world["upper"]
