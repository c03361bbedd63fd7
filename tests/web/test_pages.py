"""Page tests in a real headless Chromium against a real uvicorn server.

The server runs in-process in a background thread, so the tests can seed data through the
factories and read the portal sign-in code from the ``ledgerdesk.portal`` log."""

from __future__ import annotations

import logging
import re
import socket
import struct
import tempfile
import threading
import time
import urllib.request
import uuid
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from fastapi import FastAPI
from playwright.sync_api import Browser, BrowserContext, Page, expect

from ledgerdesk.accounts.models import Agent, Customer, Role
from ledgerdesk.accounts.services import SYSTEM
from ledgerdesk.core import i18n
from ledgerdesk.core.db import make_engine
from ledgerdesk.core.migrate import upgrade
from ledgerdesk.core.settings import Settings
from ledgerdesk.tickets import queries
from ledgerdesk.tickets import services as tickets
from ledgerdesk.web.app import create_app
from tests.browser import chromium
from tests.conftest import (
    PASSWORD,
    actor_of,
    make_agent,
    make_customer,
    make_team,
    make_ticket,
)

pytestmark = pytest.mark.browser

SCREENSHOT_DIR = Path(tempfile.gettempdir())  # /tmp, outside the repo
ASSIGNED_SUBJECT = "USDT deposit not credited"
TEAM_SUBJECT = "Withdrawal to hardware wallet stuck"
CODE_RE = re.compile(r"portal sign-in code for (\S+): (\d{6})")


def tiny_png() -> bytes:
    """A valid 2×2 RGB PNG, built by hand."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 2, 2, 8, 2, 0, 0, 0)
    raw = b"".join(b"\x00" + b"\xf7\x93\x1a" * 2 for _ in range(2))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


# --- server, browser and seed data -----------------------------------------------------


@dataclass
class Desk:
    url: str
    app: FastAPI
    agent_id: int
    agent_email: str
    agent_name: str
    customer_id: int
    customer_email: str
    assigned_ticket_id: int
    team_ticket_id: int

    def new_ticket(self, subject: str, body: str = "") -> int:
        """A fresh ticket of the seeded customer, so a test does not depend on another."""
        with self.app.state.sessionmaker() as session:
            customer = session.get(Customer, self.customer_id)
            assert customer is not None
            ticket = make_ticket(
                session,
                customer,
                subject=subject,
                body=body or f"{subject}: please help, txid 0x{uuid.uuid4().hex}",
            )
            session.commit()
            return ticket.id

    def view_counts(self) -> dict[str, int]:
        with self.app.state.sessionmaker() as session:
            agent = session.get(Agent, self.agent_id)
            assert agent is not None
            return queries.view_counts(session, actor_of(agent))


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _wait_healthy(url: str, thread: threading.Thread, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not thread.is_alive():
            raise RuntimeError("uvicorn server thread died during start-up")
        try:
            with urllib.request.urlopen(url + "/healthz", timeout=1) as response:  # noqa: S310
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"server at {url} did not answer /healthz within {timeout} s")


def _seed(app: FastAPI) -> dict[str, Any]:
    with app.state.sessionmaker() as session:
        team = make_team(session)
        agent = make_agent(session, Role.lead, [team])
        customer = make_customer(session, name="Satoshi Nakamoto")
        assigned = make_ticket(session, customer, subject=ASSIGNED_SUBJECT)
        tickets.do_assign(session, SYSTEM, assigned, agent_id=agent.id)
        in_team = make_ticket(
            session, customer, actor=SYSTEM, subject=TEAM_SUBJECT, team_id=team.id
        )
        session.commit()
        return {
            "agent_id": agent.id,
            "agent_email": agent.email,
            "agent_name": agent.name,
            "customer_id": customer.id,
            "customer_email": customer.email,
            "assigned_ticket_id": assigned.id,
            "team_ticket_id": in_team.id,
        }


def fresh_app(tmp: Path) -> FastAPI:
    """The app of a newly migrated SQLite desk in ``tmp``."""
    url = f"sqlite:///{tmp / 'desk.db'}"
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    return create_app(Settings(database_url=url, data_dir=tmp / "data", secret_key="x" * 40))


@contextmanager
def served(app: FastAPI) -> Iterator[str]:
    """Serve ``app`` with uvicorn on a free loopback port; yield its base URL."""
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, name=f"uvicorn-{port}", daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(base, thread)
        yield base
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        app.state.engine.dispose()


@pytest.fixture(scope="module")
def desk(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Desk]:
    """A migrated SQLite desk with seed data, served by uvicorn on a free port."""
    app = fresh_app(tmp_path_factory.mktemp("pages"))
    seed = _seed(app)
    with served(app) as base:
        yield Desk(url=base, app=app, **seed)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    yield from chromium()


class CodeCatcher(logging.Handler):
    """Keeps the latest portal sign-in code per e-mail address, read from the log."""

    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.codes: dict[str, str] = {}

    def emit(self, record: logging.LogRecord) -> None:
        found = CODE_RE.search(record.getMessage())
        if found:
            self.codes[found.group(1)] = found.group(2)


@pytest.fixture(scope="module")
def codes() -> Iterator[CodeCatcher]:
    logger = logging.getLogger("ledgerdesk.portal")
    catcher = CodeCatcher()
    logger.addHandler(catcher)
    yield catcher
    logger.removeHandler(catcher)


def _new_context(browser: Browser, desk: Desk, **kwargs: Any) -> BrowserContext:
    context = browser.new_context(
        base_url=desk.url, viewport={"width": 1280, "height": 860}, locale="en-US", **kwargs
    )
    context.set_default_timeout(10_000)
    return context


def _sign_in_agent(page: Page, email: str, password: str) -> None:
    page.goto("/console/login")
    page.locator("#email").fill(email)
    page.locator("#password").fill(password)
    page.get_by_role("button", name="Sign in").click()


@pytest.fixture(scope="module")
def agent_state(browser: Browser, desk: Desk) -> dict[str, Any]:
    """Cookies of a signed-in agent, signed in once through the form."""
    context = _new_context(browser, desk)
    page = context.new_page()
    _sign_in_agent(page, desk.agent_email, PASSWORD)
    expect(page).to_have_url(re.compile(r"/console/inbox\?view=mine$"))
    state: dict[str, Any] = dict(context.storage_state())
    context.close()
    return state


@pytest.fixture
def agent_page(browser: Browser, desk: Desk, agent_state: dict[str, Any]) -> Iterator[Page]:
    """A fresh browser context of the signed-in agent."""
    context = _new_context(browser, desk, storage_state=agent_state)
    yield context.new_page()
    context.close()


@pytest.fixture
def anon_page(browser: Browser, desk: Desk) -> Iterator[Page]:
    context = _new_context(browser, desk)
    yield context.new_page()
    context.close()


def _portal_sign_in(page: Page, email: str, codes: CodeCatcher) -> None:
    page.goto("/portal/login")
    page.locator("#email").fill(email)
    page.get_by_role("button", name="Send me a sign-in code").click()
    expect(page.get_by_text("We sent a 6-digit code to")).to_be_visible()
    page.locator("#code").fill(codes.codes[email])
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.get_by_role("heading", name="My requests")).to_be_visible()


def _open_ticket(page: Page, ticket_id: int) -> None:
    page.goto(f"/console/tickets/{ticket_id}")
    expect(page.locator("#conversation article.msg").first).to_be_visible()


# --- console ---------------------------------------------------------------------------


def test_console_login_wrong_then_right_password(anon_page: Page, desk: Desk) -> None:
    page = anon_page
    page.goto("/console")
    expect(page).to_have_url(re.compile(r"/console/login\?next=/console/inbox%3Fview%3Dmine$"))
    expect(page.get_by_role("heading", name="Agent sign-in")).to_be_visible()

    _sign_in_agent(page, desk.agent_email, "not-the-password")
    expect(page.locator(".flash.error")).to_have_text("Wrong e-mail or password")
    expect(page.locator("#email")).to_have_value(desk.agent_email)
    expect(page.locator("#password")).to_have_value("")

    page.locator("#password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/console/inbox\?view=mine$"))
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    expect(page.locator("header.top")).to_contain_text(f"{desk.agent_name} Lead")

    counts = desk.view_counts()
    for view in ("mine", "unassigned", "open"):
        expect(page.locator(f"#views .count[data-view='{view}']")).to_have_text(str(counts[view]))
    assert counts["mine"] >= 1
    row = page.locator(f"tr[data-href='/console/tickets/{desk.assigned_ticket_id}']")
    expect(row).to_contain_text(ASSIGNED_SUBJECT)
    expect(row).to_contain_text("Satoshi Nakamoto")
    expect(page.locator("table.tickets")).not_to_contain_text(TEAM_SUBJECT)

    page.get_by_role("link", name=re.compile(r"^Unassigned")).click()
    expect(page).to_have_url(re.compile(r"view=unassigned$"))
    expect(page.locator("table.tickets")).to_contain_text(TEAM_SUBJECT)
    expect(page.locator("table.tickets")).not_to_contain_text(ASSIGNED_SUBJECT)

    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(re.compile(r"/console/login$"))
    page.goto("/console/inbox")
    expect(page).to_have_url(re.compile(r"/console/login\?next="))


def test_all_open_view_lists_what_its_count_counts(agent_page: Page, desk: Desk) -> None:
    page = agent_page
    page.goto("/console/inbox?view=open")
    counted = page.locator("#views .count[data-view='open']")
    expect(counted).to_have_text(re.compile(r"^\d+$"))  # the counts load after the page ("…")
    count = counted.inner_text()
    expect(page.locator("h2 .count")).to_have_text(f"({count})", timeout=5_000)
    expect(page.locator("table.tickets")).to_contain_text(TEAM_SUBJECT)


def test_keyboard_j_enter_opens_ticket(agent_page: Page, desk: Desk) -> None:
    page = agent_page
    page.goto("/console/inbox?view=all")
    page.wait_for_load_state("load")  # app.js is deferred
    rows = page.locator("table.tickets tbody tr[data-href]")
    expect(rows.nth(1)).to_be_visible()
    page.keyboard.press("j")
    expect(rows.nth(0)).to_have_class(re.compile(r"\bselected\b"))
    page.keyboard.press("j")
    expect(rows.nth(1)).to_have_class(re.compile(r"\bselected\b"))
    expect(rows.nth(0)).not_to_have_class(re.compile(r"\bselected\b"))
    page.keyboard.press("k")
    expect(rows.nth(0)).to_have_class(re.compile(r"\bselected\b"))
    href = rows.nth(0).get_attribute("data-href")
    assert href and href.startswith("/console/tickets/")
    page.keyboard.press("Enter")
    expect(page).to_have_url(desk.url + href)
    expect(page.locator("#reply-form")).to_be_visible()

    page.keyboard.press("r")
    expect(page.locator("#reply-body")).to_be_focused()
    page.keyboard.press("Escape")
    page.keyboard.press("n")
    expect(page.locator("#kind-note")).to_be_checked()


def test_public_reply_opens_ticket(agent_page: Page, desk: Desk) -> None:
    ticket_id = desk.new_ticket("BTC withdrawal pending for 3 hours")
    page = agent_page
    _open_ticket(page, ticket_id)
    expect(page.locator("#ticket-status")).to_have_text("New")

    text = "We found your TRC20 deposit; it will be credited within 10 minutes."
    page.locator("#reply-body").fill(text)
    page.get_by_role("button", name="Send", exact=True).click()

    expect(page).to_have_url(re.compile(rf"/console/tickets/{ticket_id}$"))
    expect(page.locator(".flash.ok")).to_have_text("Reply sent")
    reply = page.locator("#conversation article.msg").last
    expect(reply).to_contain_text(text)
    expect(reply).to_have_class(re.compile(r"\bfrom-agent\b"))
    expect(reply).to_have_attribute("data-kind", "public")
    expect(reply.locator(".meta")).to_contain_text(desk.agent_name)
    expect(page.locator("#ticket-status")).to_have_text("Open")
    expect(page.locator("#status")).to_have_value("open")
    expect(page.locator("#reply-body")).to_have_value("")


def test_internal_note(agent_page: Page, desk: Desk) -> None:
    ticket_id = desk.new_ticket("Account frozen after password reset")
    page = agent_page
    _open_ticket(page, ticket_id)

    text = "Checked with compliance: the freeze is a 24 h security hold."
    page.get_by_label("Internal note").check()
    page.locator("#reply-body").fill(text)
    page.get_by_role("button", name="Send", exact=True).click()

    expect(page.locator(".flash.ok")).to_have_text("Note added")
    note = page.locator("#conversation article.msg.note")
    expect(note).to_have_count(1)
    expect(note).to_contain_text(text)
    expect(note).to_have_attribute("data-kind", "note")
    expect(note.locator(".meta")).to_contain_text("Internal note")
    # A note is not a reply: the ticket stays new.
    expect(page.locator("#ticket-status")).to_have_text("New")


def test_properties_status_priority_and_history(agent_page: Page, desk: Desk) -> None:
    ticket_id = desk.new_ticket("Wrong network: sent ETH on BSC")
    page = agent_page
    _open_ticket(page, ticket_id)

    page.locator("#status").select_option("pending")
    page.locator("#priority").select_option("urgent")
    page.get_by_role("button", name="Update").click()

    expect(page.locator(".flash.ok")).to_have_text("Ticket updated")
    expect(page.locator("#ticket-status")).to_have_text("Pending")
    expect(page.locator("#ticket-status")).to_have_class(re.compile(r"\bst-pending\b"))
    expect(page.locator("section .pr-urgent")).to_have_text("Urgent")
    expect(page.locator("#status")).to_have_value("pending")
    expect(page.locator("#priority")).to_have_value("urgent")

    history = page.locator("details", has=page.locator("#events"))
    expect(history.locator("summary")).to_have_text("History (3)")
    history.locator("summary").click()
    events = page.locator("#events")
    expect(events).to_be_visible()
    expect(events.locator(":scope > li")).to_have_count(3)
    expect(events).to_contain_text("Ticket created")
    expect(events).to_contain_text("Status changed")
    expect(events).to_contain_text("Priority changed")
    status_event = events.locator(":scope > li", has_text="Status changed")
    expect(status_event).to_contain_text("Status: New → Pending")
    expect(status_event).to_contain_text(desk.agent_name)
    expect(events).not_to_contain_text("ticket.")
    expect(events).not_to_contain_text('{"')


def test_add_and_remove_tags(agent_page: Page, desk: Desk) -> None:
    ticket_id = desk.new_ticket("Staking rewards missing")
    page = agent_page
    _open_ticket(page, ticket_id)
    tags = page.locator("#props-form .tag")
    expect(tags).to_have_count(0)

    page.locator("#add_tags").fill("staking, chain:eth")
    page.get_by_role("button", name="Update").click()
    expect(page.locator(".flash.ok")).to_have_text("Ticket updated")
    expect(tags).to_have_count(2)
    expect(tags.nth(0)).to_contain_text("chain:eth")
    expect(tags.nth(1)).to_contain_text("staking")
    expect(page.locator("#add_tags")).to_have_value("")

    # Enter in the tag box adds; it must not press some tag's remove button instead.
    page.locator("#add_tags").fill("l2")
    page.locator("#add_tags").press("Enter")
    expect(page.locator(".flash.ok")).to_have_text("Ticket updated")
    expect(tags).to_have_count(3)

    tags.filter(has_text="chain:eth").get_by_role("button", name="Remove chain:eth").click()
    expect(tags).to_have_count(2)
    expect(tags.nth(0)).to_contain_text("l2")
    expect(tags.nth(1)).to_contain_text("staking")
    page.locator("#history summary").click()
    expect(page.locator("#events")).to_contain_text("Tags added")
    expect(page.locator("#events")).to_contain_text("Tags removed")
    expect(page.locator("#events")).to_contain_text("Tags: chain:eth")

    page.goto("/console/inbox?view=all&q=Staking+rewards")
    expect(page.locator(f"tr[data-href='/console/tickets/{ticket_id}'] .tag")).to_have_text(
        ["l2", "staking"]
    )


def test_empty_reply_shows_error_and_keeps_page(agent_page: Page, desk: Desk) -> None:
    ticket_id = desk.new_ticket("KYC documents rejected")
    page = agent_page
    _open_ticket(page, ticket_id)
    first_message = page.locator("#conversation article.msg").first.inner_text()

    page.get_by_label("Internal note").check()
    page.locator("#reply-body").evaluate("el => el.removeAttribute('required')")
    page.get_by_role("button", name="Send", exact=True).click()

    expect(page.locator(".flash.error")).to_have_text("Body must not be empty")
    expect(page.locator("h2")).to_contain_text("KYC documents rejected")
    expect(page.locator("#conversation article.msg")).to_have_count(1)
    expect(page.locator("#conversation article.msg").first).to_have_text(first_message)
    expect(page.locator("#kind-note")).to_be_checked()
    expect(page.locator("#ticket-status")).to_have_text("New")

    # The form on the error page still works.
    page.locator("#reply-body").fill("Asked the customer for a clearer passport photo.")
    page.get_by_role("button", name="Send", exact=True).click()
    expect(page).to_have_url(re.compile(rf"/console/tickets/{ticket_id}$"))
    expect(page.locator(".flash.ok")).to_have_text("Note added")
    expect(page.locator("#conversation article.msg.note")).to_have_count(1)


def test_language_switch_to_simplified_chinese(agent_page: Page, desk: Desk) -> None:
    page = agent_page
    _open_ticket(page, desk.assigned_ticket_id)
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()

    page.locator("#lang-form select").select_option(label="简体中文")
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    expect(page).to_have_url(re.compile(rf"/console/tickets/{desk.assigned_ticket_id}$"))
    expect(page.locator("#lang-form select")).to_have_value("zh-CN")

    # Whatever the zh_CN catalog says is what the page shows (English until it is filled in).
    zh = i18n.translations("zh-CN")
    sign_out = zh.ugettext("Sign out")
    expect(page.locator("header.top form[action='/console/logout'] button")).to_have_text(sign_out)
    expect(page.locator("#reply-form button.primary")).to_have_text(zh.ugettext("Send"))
    if sign_out != "Sign out":
        expect(page.get_by_text("Sign out", exact=True)).to_have_count(0)

    # The choice sticks for the session and can be switched back.
    page.goto("/console/inbox?view=open")
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    page.locator("#lang-form select").select_option("en")
    expect(page.locator("html")).to_have_attribute("lang", "en")


# --- portal ----------------------------------------------------------------------------


def test_portal_sign_in_with_emailed_code(anon_page: Page, desk: Desk, codes: CodeCatcher) -> None:
    page = anon_page
    page.goto("/portal")
    expect(page).to_have_url(re.compile(r"/portal/login\?next=/portal$"))
    page.locator("#email").fill(desk.customer_email.upper())
    page.get_by_role("button", name="Send me a sign-in code").click()
    expect(page.get_by_text("We sent a 6-digit code to")).to_be_visible()
    expect(page.locator(".card strong")).to_have_text(desk.customer_email)
    code = codes.codes[desk.customer_email]

    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    page.locator("#code").fill(wrong)
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.locator(".flash.error")).to_have_text(
        "Wrong code; check the latest e-mail and try again"
    )
    expect(page.locator("#code")).to_be_visible()

    page.locator("#code").fill(code)
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page).to_have_url(re.compile(r"/portal$"))
    expect(page.get_by_role("heading", name="My requests")).to_be_visible()
    expect(page.locator("header.top")).to_contain_text(desk.customer_email)
    expect(page.locator("table.tickets")).to_contain_text(ASSIGNED_SUBJECT)
    expect(page.locator("table.tickets")).to_contain_text(TEAM_SUBJECT)


def test_portal_ticket_with_attachment_reply_and_agent_view(
    browser: Browser, desk: Desk, codes: CodeCatcher, agent_state: dict[str, Any]
) -> None:
    email = f"trader-{uuid.uuid4().hex[:8]}@example.com"
    subject = f"Deposit of 0.5 ETH missing {uuid.uuid4().hex[:6]}"
    body = "I sent 0.5 ETH from my wallet on Arbitrum.\nTxID 0xabc123 — screenshot attached."
    png = tiny_png()

    customer_context = _new_context(browser, desk)
    agent_context = _new_context(browser, desk, storage_state=agent_state)
    try:
        page = customer_context.new_page()
        _portal_sign_in(page, email, codes)
        expect(page.get_by_text("You have no requests yet.")).to_be_visible()

        page.get_by_role("link", name="New request").click()
        page.locator("#subject").fill(subject)
        page.locator("#body").fill(body)
        page.locator("#files").set_input_files(
            files=[{"name": "receipt.png", "mimeType": "image/png", "buffer": png}]
        )
        page.get_by_role("button", name="Submit").click()

        expect(page).to_have_url(re.compile(r"/portal/tickets/\d+$"))
        ticket_id = int(page.url.rsplit("/", 1)[-1])
        expect(page.locator(".flash.ok")).to_have_text(
            f"Ticket #{ticket_id} received. We will answer here and by e-mail."
        )
        expect(page.locator("h2")).to_contain_text(subject)
        expect(page.locator("#ticket-status")).to_have_text("New")
        first = page.locator("article.msg").first
        expect(first.locator(".body")).to_have_text(body)
        expect(first.locator(".meta")).to_contain_text("You")
        link = first.get_by_role("link", name="receipt.png")
        href = link.get_attribute("href")
        assert href and re.fullmatch(r"/api/v1/attachments/\d+", href)
        download = page.request.get(href)
        assert download.status == 200
        assert download.headers["content-type"] == "image/png"
        assert download.body() == png
        # Opened in the browser, it is shown as a 2×2 image.
        image_page = customer_context.new_page()
        response = image_page.goto(desk.url + href)
        assert response is not None and response.body() == png
        size = image_page.locator("img").evaluate("img => [img.naturalWidth, img.naturalHeight]")
        assert size == [2, 2]
        image_page.close()

        reply = "Here is the TxID again: 0xabc123def456."
        page.locator("#reply-body").fill(reply)
        page.get_by_role("button", name="Send reply").click()
        expect(page).to_have_url(re.compile(rf"/portal/tickets/{ticket_id}$"))
        expect(page.locator(".flash.ok")).to_have_text("Reply sent")
        expect(page.locator("article.msg")).to_have_count(2)
        expect(page.locator("article.msg").last.locator(".body")).to_have_text(reply)

        page.goto("/portal")
        expect(page.locator("table.tickets")).to_contain_text(subject)

        # The agent finds it in the console and answers.
        console = agent_context.new_page()
        console.goto("/console/inbox?view=unassigned")
        row = console.locator(f"tr[data-href='/console/tickets/{ticket_id}']")
        expect(row).to_contain_text(subject)
        expect(row).to_contain_text(email)
        row.get_by_role("link", name=subject).click()
        expect(console).to_have_url(re.compile(rf"/console/tickets/{ticket_id}$"))
        conversation = console.locator("#conversation article.msg")
        expect(conversation).to_have_count(2)
        expect(conversation.nth(0).locator(".body")).to_have_text(body)
        expect(conversation.nth(1).locator(".body")).to_have_text(reply)
        expect(console.locator("#customer-panel")).to_contain_text(email)
        agent_link = conversation.nth(0).get_by_role("link", name="receipt.png")
        expect(agent_link).to_have_attribute("href", href)
        assert console.request.get(href).body() == png

        answer = "Thanks — the deposit is credited now. Sorry for the wait!"
        console.locator("#reply-body").fill(answer)
        console.locator("#reply-status").select_option("solved")
        console.get_by_role("button", name="Send", exact=True).click()
        expect(console.locator("#ticket-status")).to_have_text("Solved")
        console.get_by_label("Internal note").check()
        console.locator("#reply-body").fill("Arbitrum node was lagging; credited manually.")
        console.get_by_role("button", name="Send", exact=True).click()
        expect(console.locator("#conversation article.msg.note")).to_have_count(1)
        console.screenshot(
            path=str(SCREENSHOT_DIR / "ledgerdesk-console-ticket.png"), full_page=True
        )

        # The customer sees the answer but never the internal note.
        page.goto(f"/portal/tickets/{ticket_id}")
        expect(page.locator("article.msg")).to_have_count(3)
        expect(page.locator("article.msg.from-agent .body")).to_have_text(answer)
        expect(page.locator("body")).not_to_contain_text("Arbitrum node was lagging")
        expect(page.locator("#ticket-status")).to_have_text("Solved")
        page.screenshot(path=str(SCREENSHOT_DIR / "ledgerdesk-portal-ticket.png"), full_page=True)
    finally:
        customer_context.close()
        agent_context.close()


def test_pages_run_without_script_or_policy_errors(agent_page: Page, desk: Desk) -> None:
    """Our Content-Security-Policy allows only our own scripts: nothing on the pages breaks."""
    page = agent_page
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    ticket_id = desk.new_ticket("Policy check")
    for url in ("/console/inbox?view=open", f"/console/tickets/{ticket_id}", "/docs"):
        page.goto(url)
        page.wait_for_load_state("load")
    page.goto("/console/inbox?view=open")
    assert page.evaluate("typeof htmx") == "object"
    page.select_option("select[name=lang]", "zh-CN")
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    page.select_option("select[name=lang]", "en")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    assert problems == []


def test_error_page_go_back_works_under_our_csp(agent_page: Page, desk: Desk) -> None:
    page = agent_page
    logged: list[str] = []
    page.on("console", lambda msg: logged.append(msg.text))
    page.goto("/console/tickets/999999999", referer=f"{desk.url}/console/inbox?view=all")
    expect(page.locator("h2")).to_have_text("Something is not right")
    page.get_by_role("link", name="Go back").click()
    expect(page).to_have_url(re.compile(r"/console/inbox\?view=all$"))
    assert not [text for text in logged if "Content Security Policy" in text]


def test_merge_asks_before_it_merges(agent_page: Page, desk: Desk) -> None:
    source = desk.new_ticket("Card payment failed again")
    target = desk.new_ticket("Card payment failed")
    page = agent_page
    _open_ticket(page, source)
    page.locator("#target_id").fill(str(target))
    page.locator("#merge-form").get_by_role("button", name="Merge").click()
    confirm = page.locator("#merge-confirm")
    expect(confirm).to_contain_text(f"Merge #{source} into #{target}?")
    expect(confirm).to_contain_text("Card payment failed")
    expect(page.locator("#merged-into")).to_have_count(0)  # nothing merged yet
    confirm.get_by_role("button", name="Yes, merge").click()
    expect(page).to_have_url(re.compile(rf"/console/tickets/{target}$"))
    expect(page.locator("#merged-from a")).to_have_text(f"#{source}")
    page.locator("#merged-from a").click()
    expect(page.locator("#merged-into a")).to_have_text(f"#{target}")
