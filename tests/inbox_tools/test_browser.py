"""A bulk assign in a real headless Chromium: a lead ticks two tickets of the inbox (the
tick-box cell must not open the ticket), picks an agent and presses Assign; the inbox says
what changed and both tickets are assigned, each with its own event. "Select all" ticks the
whole page, and Ctrl+Enter on a ticket page sends the reply.

Runs on the page tests' served SQLite desk (one uvicorn server and one Chromium per module)."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import func, select

from ledgerdesk.accounts.models import Role
from ledgerdesk.accounts.services import agent_actor
from ledgerdesk.tickets.models import Event, Message, Ticket
from tests.conftest import PASSWORD, make_agent, make_customer, make_ticket, unique
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
def lead_page(browser: Browser, desk: Desk) -> Iterator[tuple[Page, str, int, list[int], str]]:
    """A signed-in lead, an agent to assign to, and three tickets of a fresh customer."""
    with desk.app.state.sessionmaker() as session:
        lead = make_agent(session, Role.lead)
        agent = make_agent(session, Role.agent)
        name = unique("Liqiang")
        customer = make_customer(session, name=name)
        made = [
            make_ticket(session, customer, agent_actor(lead), subject=f"Withdrawal {n}")
            for n in range(3)
        ]
        session.commit()
        lead_email, agent_id, agent_name = lead.email, agent.id, agent.name
        ids = sorted(t.id for t in made)
    context = _new_context(browser, desk)
    try:
        page = context.new_page()
        problems: list[str] = []
        page.on("pageerror", lambda exc: problems.append(str(exc)))
        _sign_in_agent(page, lead_email, PASSWORD)
        expect(page).to_have_url(re.compile(r"/console/inbox\?view=mine$"))
        page.goto(f"/console/inbox?view=all&sort=number&q={name}")
        yield page, agent_name, agent_id, ids, name
        assert not problems, problems
    finally:
        context.close()


def test_bulk_assign_in_the_browser(
    desk: Desk, lead_page: tuple[Page, str, int, list[int], str]
) -> None:
    page, agent_name, agent_id, ids, _ = lead_page
    first, second, third = ids
    count = page.locator("#bulk-count")
    expect(count).to_have_text("No tickets selected")
    page.locator(f'td.pick input[value="{first}"]').check()
    page.locator(f'td.pick:has(input[value="{second}"])').click()  # the cell ticks, stays here
    expect(page).to_have_url(re.compile(r"/console/inbox\?"))
    expect(count).to_have_text("2 selected")
    page.select_option("#bulk-assignee", label=agent_name)
    page.locator("#bulk-assign").click()
    expect(page.locator(".flash.ok")).to_contain_text("2 changed, 0 already so, 0 refused")
    with desk.app.state.sessionmaker() as session:
        assignees = dict(
            session.execute(select(Ticket.id, Ticket.assignee_id).where(Ticket.id.in_(ids))).all()
        )
        assert assignees == {first: agent_id, second: agent_id, third: None}
        events = session.scalar(
            select(func.count())
            .select_from(Event)
            .where(Event.ticket_id.in_(ids), Event.action == "ticket.assigned")
        )
        assert events == 2
    # "Select all" ticks every row of the page
    page.locator("#bulk-all").check()
    expect(count).to_have_text("3 selected")
    expect(page.locator('td.pick input[name="ids"]:checked')).to_have_count(3)


def test_ctrl_enter_sends_the_reply(
    desk: Desk, lead_page: tuple[Page, str, int, list[int], str]
) -> None:
    page, _, _, ids, _ = lead_page
    page.goto(f"/console/tickets/{ids[2]}")
    page.locator("#reply-body").fill("Your withdrawal is on its way.")
    page.locator("#reply-body").press("Control+Enter")
    expect(page.locator(".flash.ok")).to_contain_text("Reply sent")
    with desk.app.state.sessionmaker() as session:
        bodies = session.scalars(select(Message.body).where(Message.ticket_id == ids[2])).all()
        assert "Your withdrawal is on its way." in bodies


def test_send_and_next_with_the_keyboard(
    desk: Desk, lead_page: tuple[Page, str, int, list[int], str]
) -> None:
    page, _, _, ids, name = lead_page
    page.goto(f"/console/inbox?view=all&sort=number&q={name}")  # the view being worked
    page.goto(f"/console/tickets/{ids[0]}")
    page.locator("#reply-body").fill("Checked: the deposit is credited.")
    page.locator("#reply-body").press("Control+Shift+Enter")
    expect(page).to_have_url(re.compile(rf"/console/tickets/{ids[1]}$"))
    expect(page.get_by_role("button", name="Send and next")).to_be_visible()
