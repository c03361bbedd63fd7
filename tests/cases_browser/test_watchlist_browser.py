"""The watchlist in headless Chromium against a real ``ledgerdesk serve``: an admin puts the
address a customer was told to pay on the watchlist from the console page, and the warning
appears under that customer's message on the ticket page (and not under the other messages);
the same address pasted into the public verification page is answered "Reported as a scam".

The desk runs as a subprocess on a fresh SQLite database; the agent, the customer and the
ticket are seeded before it starts."""

from __future__ import annotations

import re
import secrets
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from ledgerdesk.accounts import services as accounts
from ledgerdesk.accounts.models import Role
from ledgerdesk.accounts.services import SYSTEM, agent_actor
from ledgerdesk.core.db import make_engine, make_sessionmaker
from ledgerdesk.core.migrate import upgrade
from ledgerdesk.tickets import services as tickets
from tests.browser import chromium
from tests.chat_browser.test_console_live import SERVE, _environment, _wait_started
from tests.conftest import PASSWORD, make_customer, make_ticket
from tests.selfservice_browser.test_make_run import _free_port, _stop

pytestmark = pytest.mark.browser

ADDRESS = "0x" + secrets.token_hex(20)


@dataclass
class Desk:
    url: str
    admin_email: str
    ticket_id: int


def _seed(database_url: str) -> tuple[str, int]:
    engine = make_engine(database_url)
    upgrade(engine)
    try:
        with make_sessionmaker(engine)() as session:
            email = "wl-admin@desk.test"
            admin = accounts.do_create_agent(
                session, SYSTEM, email=email, name="Wei Admin", password=PASSWORD, role=Role.admin
            )
            customer = make_customer(session)
            ticket = make_ticket(
                session,
                customer,
                subject="Support on Telegram asked me to move funds",
                body="My withdrawal is stuck. Is that normal?",
            )
            tickets.do_add_message(
                session,
                accounts.customer_actor(customer),
                ticket,
                f"Their agent said to send my USDT to {ADDRESS} to unfreeze it.",
            )
            tickets.do_add_message(
                session,
                agent_actor(admin),
                ticket,
                "Please do not send anything. We are checking.",
            )
            session.commit()
            return email, ticket.id
    finally:
        engine.dispose()


@pytest.fixture(scope="module")
def desk(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Desk]:
    data_dir = tmp_path_factory.mktemp("watchlist")
    database_url = f"sqlite:///{data_dir / 'desk.db'}"
    email, ticket_id = _seed(database_url)
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    output = data_dir / "serve.log"
    with output.open("wb") as sink:
        process = subprocess.Popen(
            [*SERVE, "--host", "127.0.0.1"],
            env=_environment(data_dir, database_url, port),
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
    try:
        _wait_started(process, output, url)
        yield Desk(url, email, ticket_id)
    finally:
        _stop(process)
    log = Path(output).read_text()
    assert "Traceback" not in log, log


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    yield from chromium()


def test_a_watched_address_warns_under_the_message_and_on_the_check(
    desk: Desk, browser: Browser
) -> None:
    expect.set_options(timeout=15_000)
    context = browser.new_context(base_url=desk.url, locale="en-US")
    page = context.new_page()
    page.goto("/console/login")
    page.locator("#email").fill(desk.admin_email)
    page.locator("#password").fill(PASSWORD)
    page.locator("form[action='/console/login'] button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/console/inbox"))

    page.goto(f"/console/tickets/{desk.ticket_id}")
    expect(page.locator("#conversation article.msg")).to_have_count(3)
    expect(page.locator(".watchlist-hit")).to_have_count(0)  # not listed yet

    page.locator("#nav-watchlist").click()
    expect(page).to_have_url(re.compile(r"/console/watchlist"))
    page.locator("#entry-network").select_option("ethereum")
    page.locator("#entry-value").fill(ADDRESS.upper().replace("0X", "0x"))
    page.locator("#entry-note").fill("fake support on Telegram")
    page.locator("#add-entry button[type=submit]").click()
    expect(page.locator("#watchlist tr[data-active='yes']")).to_have_count(1)
    expect(page.locator("#watchlist")).to_contain_text("fake support on Telegram")

    page.goto(f"/console/tickets/{desk.ticket_id}")
    messages = page.locator("#conversation article.msg")
    expect(messages.nth(1).locator(".watchlist-hit")).to_be_visible()
    expect(messages.nth(1).locator(".watchlist-hit")).to_contain_text(
        "Reported in confirmed scam reports"
    )
    expect(page.locator(".watchlist-hit")).to_have_count(1)  # only the message that names it

    page.goto("/verify")
    page.locator("#verify-q").fill(ADDRESS)
    page.locator("#verify-form button[type=submit]").click()
    result = page.locator("#verify-result")
    expect(result).to_have_attribute("data-result", "reported")
    expect(result).to_contain_text("do not send funds")
    context.close()
