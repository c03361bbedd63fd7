"""The notification bell and page in headless Chromium against a real uvicorn server, in
English and Chinese: the bell's unread count, the list (newest first, relative times, no raw
keys), mark one read, follow a ticket link (marks it read), mark all read."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi import FastAPI
from playwright.sync_api import Browser, BrowserContext, Page, expect

from ledgerdesk.accounts import services as accounts
from ledgerdesk.accounts.models import Role
from ledgerdesk.accounts.services import SYSTEM
from ledgerdesk.jobs.outbox import run_pending
from ledgerdesk.tickets import services as tickets
from tests.browser import chromium
from tests.conftest import PASSWORD, make_agent, make_customer, make_team, make_ticket
from tests.web.test_pages import fresh_app, served

pytestmark = pytest.mark.browser


@dataclass
class Desk:
    url: str
    app: FastAPI
    email: str
    tickets: list[int]


def _seed(app: FastAPI) -> dict[str, Any]:
    """Four notifications for Ana: two tickets assigned (by the lead, then by routing, which
    is the system), the customer replied on the second, the lead mentioned her (newest)."""
    factory = app.state.sessionmaker
    with factory() as session:
        team = make_team(session)
        lead = make_agent(session, Role.lead, [team])
        ana = make_agent(session, Role.agent, [team])
        ana.name = "Ana Lima"
        customer = make_customer(session)
        first = make_ticket(session, customer, SYSTEM, subject="USDT deposit", team_id=team.id)
        second = make_ticket(session, customer, SYSTEM, subject="提币卡住了", team_id=team.id)
        lead_actor = accounts.agent_actor(lead)
        tickets.do_assign(session, lead_actor, first, agent_id=ana.id)
        tickets.do_assign(session, SYSTEM, second, agent_id=ana.id)
        session.commit()
        tickets.do_customer_reply(session, accounts.customer_actor(customer), second, "any news?")
        tickets.do_add_note(session, lead_actor, first, "@Ana Lima 请看一下 TXID")
        session.commit()
        ids = [first.id, second.id]
        email = ana.email
    while run_pending(factory):
        pass
    return {"email": email, "tickets": ids}


@pytest.fixture(scope="module")
def desk(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Desk]:
    app = fresh_app(tmp_path_factory.mktemp("bell"))
    seed = _seed(app)
    with served(app) as base:
        yield Desk(url=base, app=app, **seed)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    yield from chromium()


def _context(browser: Browser, desk: Desk, locale: str, **kwargs: Any) -> BrowserContext:
    context = browser.new_context(base_url=desk.url, locale=locale, **kwargs)
    context.set_default_timeout(10_000)
    return context


def _signed_in(browser: Browser, desk: Desk) -> dict[str, Any]:
    context = _context(browser, desk, "en-US")
    page = context.new_page()
    page.goto("/console/login")
    page.locator("#email").fill(desk.email)
    page.locator("#password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/console/inbox"))
    state: dict[str, Any] = dict(context.storage_state())
    context.close()
    return state


def test_bell_list_and_mark_read_in_english_then_chinese(browser: Browser, desk: Desk) -> None:
    state = _signed_in(browser, desk)
    context = _context(browser, desk, "en-US", storage_state=state)
    page: Page = context.new_page()
    page.goto("/console/inbox")
    expect(page.locator("#bell-count")).to_have_text("4")
    page.locator("#bell").click()
    expect(page).to_have_url(re.compile(r"/console/notifications$"))
    items = page.locator("li.notification")
    expect(items).to_have_count(4)
    first, second = desk.tickets
    expect(items.nth(0)).to_contain_text(f"mentioned you in a note on ticket #{first}")
    expect(items.nth(1)).to_contain_text(f"The customer replied on ticket #{second}: 提币卡住了")
    expect(items.nth(2)).to_contain_text(f"ledgerdesk assigned ticket #{second} to you")
    expect(items.nth(3)).to_contain_text(f"assigned ticket #{first} to you: USDT deposit")
    expect(items.nth(0).locator("time")).to_have_text(re.compile(r"(second|minute)s? ago$"))
    body = page.locator("main").inner_text()
    assert "customer_replied" not in body and "mentioned\n" not in body
    expect(page.locator("#unread-count")).to_have_text("(4 unread)")

    items.nth(3).get_by_role("button", name="Mark read").click()
    expect(page.locator("#unread-count")).to_have_text("(3 unread)")
    expect(page.locator("#bell-count")).to_have_text("3")
    expect(page.locator("li.notification.read")).to_have_count(1)

    page.locator("li.notification").nth(1).get_by_role("link").click()
    expect(page).to_have_url(re.compile(rf"/console/tickets/{second}$"))
    expect(page.locator("#bell-count")).to_have_text("2")
    context.close()

    chinese = _context(browser, desk, "zh-CN", storage_state=state)
    page = chinese.new_page()
    page.goto("/console/notifications")
    page.locator("#lang-form select").select_option("zh-CN")  # the header's language switch
    expect(page.locator("h2")).to_contain_text("通知")
    expect(page.locator("#unread-count")).to_have_text("(2 条未读)")
    items = page.locator("li.notification")
    expect(items.nth(0)).to_contain_text(f"在工单 #{first} 的内部备注中提到了您")
    expect(items.nth(1)).to_contain_text(f"客户回复了工单 #{second}")
    expect(items.nth(0).locator("time")).to_have_text(re.compile(r"前$"))
    page.get_by_role("button", name="全部标为已读").click()
    expect(page.locator("#unread-count")).to_have_text("(0 条未读)")
    expect(page.locator("li.notification.unread")).to_have_count(0)
    expect(page.locator("#bell")).to_be_visible()
    expect(page.locator("#bell-count")).to_have_count(0)
    chinese.close()
