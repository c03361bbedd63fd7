"""The reports page in a real headless Chromium: a lead signs in, opens Reports from the
menu, narrows it to a team and a channel, sees the figures and the SVG charts, and downloads a
table's CSV (UTF-8 with a BOM). Screenshots go to /tmp."""

from __future__ import annotations

import csv
import io
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from ledgerdesk.reports import facts
from tests.browser import chromium
from tests.conftest import PASSWORD
from tests.reports.history import build
from tests.web.test_pages import fresh_app, served

pytestmark = pytest.mark.browser
SHOTS = Path(tempfile.gettempdir())


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    yield from chromium()


def test_reports_page_filters_and_csv(browser: Browser, tmp_path: Path) -> None:
    app = fresh_app(tmp_path)
    with app.state.sessionmaker() as session:
        history = build(session, extras=False)
        facts.refresh(session)  # what the job does
        session.commit()
        lead_email, team_name = history.lead.email, history.team.name
        agent_name = history.a.name
    with served(app) as base:
        context = browser.new_context(
            base_url=base, viewport={"width": 1280, "height": 900}, accept_downloads=True
        )
        context.set_default_timeout(10_000)
        errors: list[str] = []
        page = context.new_page()
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.goto("/console/login")
        page.locator("#email").fill(lead_email)
        page.locator("#password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.locator("#nav-reports").click()
        expect(page.get_by_role("heading", name="Reports", exact=True)).to_be_visible()
        page.locator("#start").fill("2020-03-02")
        page.locator("#end").fill("2020-03-04")
        page.locator("#team_id").select_option(label=team_name)
        page.get_by_role("button", name="Show").click()
        expect(page.locator("#n-created")).to_have_text("5")
        expect(page.locator("#n-first-reply")).to_have_text("45.0")
        expect(page.locator("#chart-daily svg polyline")).to_have_count(2)
        expect(page.locator("#chart-channel svg rect")).to_have_count(3)
        expect(page.locator("#table-agents")).to_contain_text(agent_name)
        page.screenshot(path=str(SHOTS / "ledgerdesk-reports.png"), full_page=True)
        page.locator("#channel").select_option("email")
        page.get_by_role("button", name="Show").click()
        expect(page.locator("#n-created")).to_have_text("1")
        with page.expect_download() as info:
            page.locator("#csv-channel").click()
        download = info.value
        assert download.suggested_filename == "ledgerdesk-channel-2020-03-02-2020-03-04.csv"
        data = Path(download.path()).read_bytes()
        assert data.startswith(b"\xef\xbb\xbf")
        rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
        assert rows == [["Channel", "Tickets"], ["E-mail", "1"]]
        context.close()
    assert errors == []
