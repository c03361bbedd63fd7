"""The assistant panel in a real headless Chromium (under our Content-Security-Policy): it loads
after the ticket page, "Use this reply" puts the edited suggestion into the reply box and sends
nothing, in English and in Chinese. Screenshots go to /tmp."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect
from sqlalchemy import func, select

from ledgerdesk.tickets.models import Message
from tests.assistant.factory import answer_reply, customer_says, fake_engine
from tests.browser import chromium
from tests.conftest import PASSWORD, make_agent, make_customer, make_team, make_ticket
from tests.web.test_pages import fresh_app, served

pytestmark = pytest.mark.browser
SHOTS = Path(tempfile.gettempdir())


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    yield from chromium()


def test_use_this_reply_fills_the_reply_box_and_sends_nothing(
    browser: Browser, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_engine(monkeypatch, answer_reply())
    app = fresh_app(tmp_path)
    # The suite turns the assistant off (tests/conftest.py); this page is its own.
    app.state.settings = app.state.settings.model_copy(update={"assistant_enabled": True})
    with app.state.sessionmaker() as session:
        agent = make_agent(session, teams=[make_team(session)])
        ticket = make_ticket(session, make_customer(session), body="USDT deposit missing.")
        for n in range(5):  # a long ticket: the panel also summarizes it
            customer_says(session, ticket, f"Still waiting ({n}).")
        session.commit()
        email, ticket_id = agent.email, ticket.id
    with served(app) as base:
        context = browser.new_context(base_url=base, viewport={"width": 1280, "height": 1000})
        context.set_default_timeout(10_000)
        errors: list[str] = []
        page = context.new_page()
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.goto("/console/login")
        page.locator("#email").fill(email)
        page.locator("#password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        for lang, button in (("en", "Use this reply"), ("zh-CN", "使用此回复")):
            if lang == "zh-CN":
                page.locator("#lang-form select").select_option("zh-CN")
                expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
            page.goto(f"/console/tickets/{ticket_id}")
            draft = page.locator("#assistant-draft")
            expect(draft).to_be_visible()
            expect(page.locator("#assistant-summary")).to_be_visible()
            draft.fill(draft.input_value() + "\nEdited by the agent.")
            page.locator("#kind-note").check()
            page.get_by_role("button", name=button).click()
            expect(page.locator("#reply-body")).to_have_value(draft.input_value())
            expect(page.locator("#reply-form input[name=kind][value=public]")).to_be_checked()
            page.screenshot(path=str(SHOTS / f"ledgerdesk-assistant-panel-{lang}.png"))
        context.close()
    with app.state.sessionmaker() as session:
        count = session.scalar(select(func.count(Message.id)).where(Message.ticket_id == ticket_id))
        assert count == 6  # nothing was sent
    assert errors == []
