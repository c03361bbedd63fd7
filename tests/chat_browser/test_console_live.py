"""The live console in headless Chromium against a real ``ledgerdesk serve`` process: two
agents in two browser contexts on the same chat, a customer writing through the chat HTTP
API, the chat queue, and replies over the websocket (static/console-live.js).

The desk runs as a subprocess on a fresh SQLite database (agents are seeded before it
starts); everything the customer and the agents do goes through that server, so the
messages reach the pages the way they do in production: committed, published, pushed."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect
from sqlalchemy import select
from websockets.sync.client import connect

import ledgerdesk
from ledgerdesk.accounts import services as accounts
from ledgerdesk.accounts.models import Role
from ledgerdesk.accounts.services import SYSTEM
from ledgerdesk.core.db import make_engine, make_sessionmaker
from ledgerdesk.core.migrate import upgrade
from ledgerdesk.tickets.models import Message
from tests.browser import chromium
from tests.conftest import PASSWORD
from tests.selfservice_browser.test_make_run import _free_port, _stop
from tests.web.test_pages import tiny_png

pytestmark = pytest.mark.browser

START_TIMEOUT = 60.0
LIVE = 5_000  # ms: how long a pushed message or event may take to show
SERVE = [sys.executable, "-c", "from ledgerdesk.cli import main; main()", "serve"]
ANA, BEN = "Ana Souza", "Ben Wu"
# Records every socket a page opens, and can point new ones at a path that refuses them:
# the test drops a page's connection and keeps it away while the customer writes.
SOCKET_SWITCH = """
(() => {
  const Native = window.WebSocket;
  window.__sockets = [];
  window.__blockSockets = false;
  function Recorded(url, protocols) {
    const target = window.__blockSockets ? url.replace("/chat/ws", "/chat/ws-blocked") : url;
    const socket = protocols === undefined ? new Native(target) : new Native(target, protocols);
    window.__sockets.push(socket);
    return socket;
  }
  Recorded.prototype = Native.prototype;
  window.WebSocket = Recorded;
  window.__dropSockets = () => {
    window.__blockSockets = true;
    window.__sockets.forEach((s) => s.close());
  };
  window.__allowSockets = () => {
    window.__blockSockets = false;
    window.dispatchEvent(new Event("online"));
  };
})();
"""


@dataclass
class Desk:
    url: str
    database_url: str
    output: Path
    ana_email: str
    ben_email: str

    def messages(self, ticket_id: int) -> list[tuple[int, str, str | None]]:
        """(seq, body, client_id) of the ticket's messages, as stored."""
        engine = make_engine(self.database_url)
        try:
            with make_sessionmaker(engine)() as session:
                rows = session.execute(
                    select(Message.seq, Message.body, Message.client_id)
                    .where(Message.ticket_id == ticket_id)
                    .order_by(Message.seq)
                )
                return [(int(seq), str(body), client_id) for seq, body, client_id in rows]
        finally:
            engine.dispose()


def _seed_agents(database_url: str) -> tuple[str, str]:
    engine = make_engine(database_url)
    upgrade(engine)
    try:
        with make_sessionmaker(engine)() as session:
            emails = []
            for name in (ANA, BEN):
                email = f"{name.split()[0].lower()}-{uuid.uuid4().hex[:6]}@desk.test"
                accounts.do_create_agent(
                    session, SYSTEM, email=email, name=name, password=PASSWORD, role=Role.agent
                )
                emails.append(email)
            session.commit()
    finally:
        engine.dispose()
    return emails[0], emails[1]


def _environment(data_dir: Path, database_url: str, port: int) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LEDGERDESK_")}
    src = str(Path(ledgerdesk.__file__).resolve().parents[1])  # the tree under test
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [src, env.get("PYTHONPATH")]))
    env.update(
        LEDGERDESK_DATA_DIR=str(data_dir),
        LEDGERDESK_DATABASE_URL=database_url,
        LEDGERDESK_PORT=str(port),
        LEDGERDESK_SECRET_KEY="live-console-test-" + "k" * 40,
        LEDGERDESK_TRIAGE="false",
        LEDGERDESK_ASSISTANT_ENABLED="false",  # these agents answer; the assistant stays out
        PYTHONUNBUFFERED="1",
    )
    return env


def _wait_started(process: subprocess.Popen[bytes], output: Path, url: str) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"ledgerdesk serve exited:\n{output.read_text()}", pytrace=False)
        try:
            if httpx.get(url + "/healthz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    pytest.fail(f"{url} did not start in {START_TIMEOUT:.0f} s:\n{output.read_text()}")


@pytest.fixture(scope="module")
def desk(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Desk]:
    data_dir = tmp_path_factory.mktemp("live-console")
    database_url = f"sqlite:///{data_dir / 'desk.db'}"
    ana_email, ben_email = _seed_agents(database_url)
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
        yield Desk(url, database_url, output, ana_email, ben_email)
    finally:
        _stop(process)
    log = output.read_text()
    assert "Traceback" not in log, log


@pytest.fixture(scope="module", autouse=True)
def _patient_expect() -> Iterator[None]:
    """Page loads and sign-ins may be slow on a busy machine; what must arrive live is
    checked with ``LIVE`` (a push takes milliseconds; the server's database re-check, which
    would hide a lost push, runs only every 10 s)."""
    expect.set_options(timeout=15_000)
    yield
    expect.set_options(timeout=5_000)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    yield from chromium()


class Customer:
    """A widget visitor, talking to the desk's chat HTTP API as the widget does."""

    def __init__(self, desk: Desk, email: str, name: str) -> None:
        self.desk = desk
        self.http = httpx.Client(base_url=desk.url, timeout=10)
        answer = self.http.post(
            "/chat/api/identify", json={"email": email, "name": name, "locale": "en"}
        )
        assert answer.status_code == 200, answer.text
        self.token = answer.json()["visitor_token"]
        self.http.headers["Authorization"] = f"Chat {self.token}"

    def read_all(self, conversation: int) -> None:
        """Open the conversation in the widget and read everything in it (over the
        websocket, as the widget marks messages delivered and read)."""
        url = self.desk.url.replace("http://", "ws://") + "/chat/ws"
        with connect(url, origin=self.desk.url, open_timeout=10) as socket:

            def frame(kind: str) -> dict[str, Any]:
                while True:
                    received: dict[str, Any] = json.loads(socket.recv(10))
                    assert received["type"] != "error", received
                    if received["type"] == kind:
                        return received

            socket.send(json.dumps({"type": "hello", "token": self.token, "lang": "en"}))
            frame("welcome")
            socket.send(json.dumps({"type": "subscribe", "conversation": conversation}))
            seq = int(frame("subscribed")["state"]["last_seq"])
            socket.send(json.dumps({"type": "read", "conversation": conversation, "seq": seq}))
            frame("marks")

    def send(self, body: str, conversation: int | None = None) -> dict[str, Any]:
        path = (
            f"/chat/api/conversations/{conversation}/messages"
            if conversation
            else "/chat/api/messages"
        )
        fields = {"client_id": (None, f"cust-{uuid.uuid4().hex}"), "body": (None, body)}
        answer = self.http.post(path, files=fields)
        assert answer.status_code == 200, answer.text
        ack: dict[str, Any] = answer.json()
        assert ack["type"] == "ack" and not ack["duplicate"]
        return ack


def _context(browser: Browser, desk: Desk, locale: str = "en-US") -> BrowserContext:
    context = browser.new_context(
        base_url=desk.url, viewport={"width": 1280, "height": 900}, locale=locale
    )
    context.set_default_timeout(15_000)
    context.add_init_script(SOCKET_SWITCH)
    return context


def _sign_in(context: BrowserContext, email: str) -> Page:
    page = context.new_page()
    page.goto("/console/login")
    page.locator("#email").fill(email)
    page.locator("#password").fill(PASSWORD)
    page.locator("form[action='/console/login'] button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/console/inbox"))
    return page


def _live(page: Page) -> None:
    expect(page.locator("#live-state")).to_have_attribute("data-state", "live")


def _conversation_texts(page: Page) -> list[str]:
    return [t.strip() for t in page.locator("#conversation article.msg .body").all_inner_texts()]


def _seqs(page: Page) -> list[int]:
    values = page.locator("#conversation article.msg").evaluate_all(
        "nodes => nodes.map(n => n.dataset.seq || '')"
    )
    return [int(v) for v in values if v]


@pytest.fixture(scope="module")
def contexts(browser: Browser, desk: Desk) -> Iterator[dict[str, BrowserContext]]:
    ana, ben = _context(browser, desk), _context(browser, desk, "zh-CN")
    yield {"ana": ana, "ben": ben}
    ana.close()
    ben.close()


def test_two_agents_and_a_customer_live(desk: Desk, contexts: dict[str, BrowserContext]) -> None:
    problems: list[str] = []
    queue = _sign_in(contexts["ana"], desk.ana_email)
    queue.on("pageerror", lambda exc: problems.append(str(exc)))
    queue.goto("/console/chat")
    _live(queue)
    queue.evaluate("window.__sameDocument = true")

    # A new chat appears on the queue without a reload, waiting, its counter ticking.
    customer = Customer(desk, f"li-{uuid.uuid4().hex[:6]}@example.com", "Li Wei")
    first = customer.send("My USDT withdrawal has been pending for an hour")
    ticket = int(first["conversation"])
    row = queue.locator(f"#chat-queue tr[data-ticket='{ticket}']")
    expect(row).to_contain_text("My USDT withdrawal has been pending", timeout=LIVE)
    expect(row).to_contain_text("Li Wei")
    waited = row.locator("time[data-since]")
    expect(waited).to_have_text(re.compile(r"^\d+ s$"))
    before = waited.inner_text()
    expect(waited).not_to_have_text(before, timeout=5_000)

    # Both agents open the chat: each sees the other (Ben reads the console in Chinese).
    ana = contexts["ana"].new_page()
    ana.on("pageerror", lambda exc: problems.append(str(exc)))
    ana.goto(f"/console/tickets/{ticket}")
    _live(ana)
    ben = _sign_in(contexts["ben"], desk.ben_email)
    ben.on("pageerror", lambda exc: problems.append(str(exc)))
    ben.select_option("#lang-form select[name=lang]", "zh-CN")
    expect(ben.locator("html")).to_have_attribute("lang", "zh-CN")
    ben.goto(f"/console/tickets/{ticket}")
    _live(ben)
    expect(ben.locator("#live-state")).to_have_text("实时")
    expect(ana.locator("#presence-viewers")).to_have_text(f"Also viewing: {BEN}")
    expect(ben.locator("#presence-viewers")).to_have_text(f"同时在看： {ANA}")

    # Ben starts typing a reply: Ana is warned.
    ben.locator("#reply-body").press_sequentially("我看一下", delay=40)
    expect(ana.locator("#presence-viewers")).to_have_text(
        f"Also viewing: {BEN} — typing…", timeout=LIVE
    )
    expect(ana.locator("#collision")).to_be_visible()
    expect(ana.locator("#collision")).to_have_text(f"{BEN} is also typing a reply to this ticket.")
    ben.locator("#reply-body").fill("")
    ben.locator("#reply-body").blur()
    expect(ana.locator("#collision")).to_be_hidden(timeout=12_000)

    # The customer writes again: both ticket pages show it without a reload.
    customer.send("The TxID is on its way", ticket)
    for page in (ana, ben):
        expect(page.locator("#conversation article.msg").last).to_contain_text(
            "The TxID is on its way", timeout=LIVE
        )
    ana.evaluate("window.__sameDocument = true")

    # Ana answers with Ctrl+Enter: over the websocket, acknowledged, shown to Ben in order.
    ana.locator("#reply-body").fill("Thanks, I am checking the withdrawal now.")
    ana.locator("#reply-body").press("Control+Enter")
    mine = ana.locator("#conversation article.msg").last
    expect(mine).to_contain_text("Thanks, I am checking the withdrawal now.")
    expect(mine.locator(".msg-status")).to_have_text(re.compile("^(Sent|Delivered|Read)$"))
    expect(ana.locator("#reply-body")).to_have_value("")
    assert ana.evaluate("window.__sameDocument") is True  # no form post, no reload
    expect(ben.locator("#conversation article.msg").last).to_contain_text(
        "Thanks, I am checking the withdrawal now.", timeout=LIVE
    )
    expect(ben.locator("#collision")).to_have_text(f"{ANA} 刚刚回复了，发送前请先阅读。")
    expect(row).to_contain_text("Answered", timeout=LIVE)
    # The first answer opened the ticket: Ben's page shows the new status without a reload.
    expect(ben.locator("#ticket-status")).to_have_text("处理中", timeout=LIVE)

    # Several quick replies arrive for Ben in the order Ana wrote them, each stored once.
    replies = [f"Step {n}: please keep the app open" for n in ("one", "two", "three")]
    for reply in replies:
        ana.locator("#reply-body").fill(reply)
        ana.locator("#reply-body").press("Control+Enter")
    expect(ben.locator("#conversation article.msg").last).to_contain_text(replies[-1], timeout=LIVE)
    texts = _conversation_texts(ben)
    assert texts[-4:] == ["Thanks, I am checking the withdrawal now.", *replies]
    assert _conversation_texts(ana)[-4:] == texts[-4:]
    for page in (ana, ben):
        seqs = _seqs(page)
        assert seqs == sorted(seqs) and len(seqs) == len(set(seqs)) == 6, seqs
    stored = desk.messages(ticket)
    assert [body for _, body, _ in stored][-4:] == texts[-4:]
    assert all(client_id for _, _, client_id in stored[-4:])  # sent with client ids

    # The customer reads them in the widget: the replies show as read, on both pages.
    customer.read_all(ticket)
    expect(ana.locator("#conversation article.msg .msg-status").last).to_have_text(
        "Read", timeout=LIVE
    )
    for status in ana.locator("#conversation article.msg[data-author=agent] .msg-status").all():
        expect(status).to_have_text("Read")
    expect(ben.locator("#conversation article.msg .msg-status").last).to_have_text("已读")

    # The customer answers: the queue row waits again, still on the same page.
    customer.send("Ok, thank you", ticket)
    expect(row).to_have_class(re.compile(r"\bwaiting\b"), timeout=LIVE)
    assert queue.evaluate("window.__sameDocument") is True
    assert not problems, problems


def test_a_dropped_socket_resumes_and_resends_once(
    desk: Desk, contexts: dict[str, BrowserContext]
) -> None:
    customer = Customer(desk, f"mo-{uuid.uuid4().hex[:6]}@example.com", "Mo Chen")
    ticket = int(customer.send("Deposit of ETH not credited")["conversation"])
    page = contexts["ana"].new_page()
    page.goto(f"/console/tickets/{ticket}")
    _live(page)

    # The connection drops; the customer writes meanwhile; on reconnect it is replayed.
    page.evaluate("window.__dropSockets()")
    expect(page.locator("#live-state")).not_to_have_attribute("data-state", "live")
    customer.send("Are you still there?", ticket)
    page.evaluate("window.__allowSockets()")
    _live(page)
    expect(page.locator("#conversation article.msg").last).to_contain_text("Are you still there?")

    # A reply leaves, the socket drops before the ack: it is resent after the reconnect and
    # stored once (the server knows its client id).
    page.locator("#reply-body").fill("Yes, one moment please.")
    page.evaluate("document.getElementById('reply-form').requestSubmit(); window.__dropSockets()")
    mine = page.locator("#conversation article.msg").last
    expect(mine.locator(".msg-status")).to_have_attribute(
        "data-state", re.compile("^(sending|queued)$")
    )
    page.evaluate("window.__allowSockets()")
    expect(mine.locator(".msg-status")).to_have_text("Sent")
    expect(page.locator("#conversation article.msg")).to_have_count(3)
    stored = desk.messages(ticket)
    assert [body for _, body, _ in stored] == [
        "Deposit of ETH not credited",
        "Are you still there?",
        "Yes, one moment please.",
    ]
    assert [seq for seq, _, _ in stored] == _seqs(page)
    page.close()


def test_without_a_socket_the_pages_fall_back(
    desk: Desk, contexts: dict[str, BrowserContext]
) -> None:
    customer = Customer(desk, f"jo-{uuid.uuid4().hex[:6]}@example.com", "Jo Park")
    ticket = int(customer.send("I need my deposit receipt")["conversation"])
    queue = contexts["ana"].new_page()
    queue.goto("/console/chat")
    _live(queue)
    page = contexts["ana"].new_page()
    page.goto(f"/console/tickets/{ticket}")
    _live(page)

    # Files always go with the form, socket or not.
    page.locator("#reply-body").fill("The receipt is attached.")
    page.locator("#reply-form input[type=file]").set_input_files(
        files=[{"name": "receipt.png", "mimeType": "image/png", "buffer": tiny_png()}]
    )
    page.locator("#reply-body").press("Control+Enter")
    expect(page.locator(".flash.ok")).to_have_text("Reply sent")
    last = page.locator("#conversation article.msg").last
    expect(last).to_contain_text("The receipt is attached.")
    expect(last.locator("a")).to_have_text("receipt.png")

    # With the socket gone for good, a reply is posted and the queue polls every 10 s.
    for tab in (page, queue):
        _live(tab)
        tab.evaluate("window.__dropSockets()")
    for tab in (page, queue):
        expect(tab.locator("#live-state")).to_have_attribute("data-state", "down", timeout=30_000)
    page.locator("#reply-body").fill("Posted without the socket.")
    page.locator("#reply-body").press("Control+Enter")
    expect(page.locator(".flash.ok")).to_have_text("Reply sent")
    expect(page.locator("#conversation article.msg").last).to_contain_text(
        "Posted without the socket."
    )
    stored = desk.messages(ticket)
    assert [(body, client_id) for _, body, client_id in stored[-2:]] == [
        ("The receipt is attached.", None),
        ("Posted without the socket.", None),
    ]
    other = Customer(desk, f"al-{uuid.uuid4().hex[:6]}@example.com", "Al Tan")
    second = int(other.send("Is the chat still working?")["conversation"])
    expect(queue.locator(f"#chat-queue tr[data-ticket='{second}']")).to_be_visible(timeout=15_000)
    expect(queue.locator("#live-state")).to_have_attribute("data-state", "down")
    queue.close()
    page.close()
