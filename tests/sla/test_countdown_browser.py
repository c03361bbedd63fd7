"""The SLA countdown in a real headless Chromium: the inbox row and the ticket page show the
nearest due time ticking down every second; a clock past due reads "overdue" in red."""

from __future__ import annotations

import re
import tempfile
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import update

from ledgerdesk.accounts.models import Role
from ledgerdesk.core.clock import utcnow
from ledgerdesk.sla import services as sla
from ledgerdesk.sla.models import SlaTarget
from ledgerdesk.sla.schemas import PolicyIn
from tests.browser import chromium
from tests.conftest import PASSWORD, actor_of, make_agent, make_team, make_ticket
from tests.web.test_pages import fresh_app, served

pytestmark = pytest.mark.browser
SHOTS = Path(tempfile.gettempdir())
LEFT = re.compile(r"^\d\d:\d\d:\d\d left$")


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    yield from chromium()


def _desk(app: Any) -> tuple[str, int, int]:
    """An admin, a ticket due in 30 calendar minutes and one already past due."""
    with app.state.sessionmaker() as session:
        team = make_team(session)
        admin = make_agent(session, Role.admin, [team])
        sla.do_create_policy(
            session, actor_of(admin), PolicyIn(name="Quick", first_reply=30, hours="calendar")
        )
        session.flush()
        soon = make_ticket(session, actor=actor_of(admin), team_id=team.id, subject="Due soon")
        late = make_ticket(session, actor=actor_of(admin), team_id=team.id, subject="Late one")
        session.flush()
        session.execute(
            update(SlaTarget)
            .where(SlaTarget.ticket_id == late.id)
            .values(due_at=utcnow() - timedelta(minutes=3), warn_at=utcnow() - timedelta(hours=1))
        )
        session.commit()
        return admin.email, soon.id, late.id


def _seconds(page: Page, selector: str) -> int:
    text = page.locator(selector).inner_text()
    h, m, s = (int(x) for x in re.findall(r"\d\d", text)[:3])
    return h * 3600 + m * 60 + s


def test_countdown_ticks_in_the_inbox_and_on_the_ticket_page(
    browser: Browser, tmp_path: Path
) -> None:
    app = fresh_app(tmp_path)
    email, soon, late = _desk(app)
    with served(app) as base:
        context = browser.new_context(base_url=base, viewport={"width": 1300, "height": 900})
        context.set_default_timeout(10_000)
        errors: list[str] = []
        page = context.new_page()
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.goto("/console/login")
        page.locator("#email").fill(email)
        page.locator("#password").fill(PASSWORD)
        page.locator("button[type=submit]").click()
        expect(page).to_have_url(re.compile(r"/console/inbox"))
        page.goto("/console/inbox?view=all")
        row = f'.sla-due[data-ticket="{soon}"] [data-sla-left]'
        expect(page.locator(row)).to_have_text(LEFT)
        first = _seconds(page, row)
        assert 28 * 60 <= first <= 30 * 60
        page.wait_for_timeout(2200)
        assert _seconds(page, row) < first  # it ticks
        overdue = page.locator(f'.sla-due[data-ticket="{late}"]')
        expect(overdue).to_have_attribute("data-sla-state", "breached")
        expect(overdue.locator("[data-sla-left]")).to_have_text(re.compile(r"^overdue \d\d:"))
        color = overdue.evaluate("el => getComputedStyle(el).color")
        assert color == "rgb(180, 35, 24)"  # --bad
        page.screenshot(path=str(SHOTS / "ledgerdesk-sla-inbox.png"))

        page.goto(f"/console/tickets/{soon}")
        panel = "#sla-panel [data-sla-left]"
        expect(page.locator(panel)).to_have_text(LEFT)
        before = _seconds(page, panel)
        page.wait_for_timeout(2200)
        assert _seconds(page, panel) < before
        expect(page.locator("#sla-panel")).to_contain_text("First reply")
        page.screenshot(path=str(SHOTS / "ledgerdesk-sla-ticket.png"))
        assert not errors, errors
        context.close()
