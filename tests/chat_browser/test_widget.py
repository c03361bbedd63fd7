"""The chat widget in headless Chromium, embedded the way an exchange embeds it: the demo
exchange's help page, on another origin (``localhost`` while the desk is ``127.0.0.1``), loads
``widget.js`` from a real ``ledgerdesk serve`` and hands it a signed identity token.

A customer asks (text, two lines, a PNG); an agent signed in to the console in another
browser context sees it, downloads the picture and replies with a file; the reply and its file
reach the open widget live; the customer reloads and sees the whole conversation. A message
the customer wrote while nothing reached the desk is sent, once, after a reload. Also: a
visitor without an account chats by e-mail and confirms it by code to see past
conversations, and outside business hours the widget offers the offline form."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import (
    Browser,
    BrowserContext,
    FrameLocator,
    Page,
    WebSocketRoute,
    expect,
)

from ledgerdesk.exchange.demo import ChatEmbed, RunningService, start_demo_exchange
from ledgerdesk.exchange.demo_state import DemoExchange
from tests.browser import chromium
from tests.channels.smtp import SmtpServer, start_server
from tests.chat_browser.desks import (
    AGENT_EMAIL,
    AGENT_NAME,
    AGENT_PASSWORD,
    JWT_SECRET,
    Desk,
    closed_hours,
    code_from,
    png,
    start_desk,
    stop_desk,
)

pytestmark = pytest.mark.browser

CUSTOMER_EMAIL = "customer@demo.ledgerdesk.local"
PICTURE = png()
NOTE = b"Deposit D4000000101: 20 of 20 confirmations, credited at 10:42 UTC.\n"


@pytest.fixture(scope="module")
def smtp() -> Iterator[SmtpServer]:
    controller, server = start_server()
    yield server
    controller.stop()


@pytest.fixture(scope="module")
def desk(tmp_path_factory: pytest.TempPathFactory, smtp: SmtpServer) -> Iterator[Desk]:
    running = start_desk(tmp_path_factory.mktemp("chat-desk"), smtp.port)
    yield running
    stop_desk(running)
    assert "Traceback" not in running.log(), running.log()


def _exchange(desk_url: str) -> RunningService:
    embed = ChatEmbed(desk_url=desk_url, jwt_secret=JWT_SECRET, customer_id="UID10000001")
    return start_demo_exchange(
        DemoExchange.load(), host="127.0.0.1", key_id="k", secret="s" * 40, chat=embed
    )


@pytest.fixture(scope="module")
def exchange(desk: Desk) -> Iterator[str]:
    """The exchange's page, as http://localhost:<port> (another site than the desk)."""
    service = _exchange(desk.url)
    yield service.url.replace("127.0.0.1", "localhost")
    service.stop()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    yield from chromium()


class Watch:
    """Script errors of a page and its frames: a test fails on any."""

    def __init__(self, page: Page) -> None:
        self.errors: list[str] = []
        self.expected: list[str] = []  # texts of errors a test causes on purpose
        page.on("pageerror", lambda error: self.errors.append(str(error)))
        page.on("console", self._console)

    def _console(self, message: Any) -> None:
        where = str((message.location or {}).get("url", ""))
        text = f"{message.text} ({where})"
        if message.type == "error" and not where.endswith("/favicon.ico"):
            if not any(part in text for part in self.expected):
                self.errors.append(text)

    def check(self) -> None:
        assert not self.errors, self.errors


def _context(browser: Browser, locale: str = "en-US", **options: Any) -> BrowserContext:
    context = browser.new_context(locale=locale, accept_downloads=True, **options)
    context.set_default_timeout(15_000)
    return context


def _chat(page: Page) -> FrameLocator:
    return page.frame_locator("iframe#ledgerdesk-chat-frame")


def _conversation(chat: FrameLocator) -> int:
    root = chat.locator("#chat")
    expect(root).to_have_attribute("data-conversation", re.compile(r"^\d+$"))
    return int(root.get_attribute("data-conversation") or 0)


def _send(chat: FrameLocator, text: str) -> None:
    box = chat.locator("#composer-input")
    box.fill(text)
    box.press("Enter")


def _sign_in_agent(context: BrowserContext, desk: Desk) -> Page:
    page = context.new_page()
    page.goto(f"{desk.url}/console/login")
    page.locator("#email").fill(AGENT_EMAIL)
    page.locator("#password").fill(AGENT_PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page).to_have_url(re.compile(r"/console"))
    return page


def test_customer_and_agent_talk_with_files_both_ways(
    browser: Browser, desk: Desk, exchange: str, tmp_path: Path
) -> None:
    customer = _context(browser)
    agent = _context(browser)
    try:
        page = customer.new_page()
        watch = Watch(page)
        page.goto(f"{exchange}/?lang=en")
        launcher = page.locator("button.launcher")
        expect(launcher).to_have_attribute("aria-label", "Chat with support")
        expect(launcher).to_have_attribute("aria-expanded", "false")
        launcher.focus()
        page.keyboard.press("Enter")  # the button works from the keyboard
        expect(launcher).to_have_attribute("aria-expanded", "true")
        chat = _chat(page)
        expect(chat.locator("html")).to_have_attribute("lang", "en")
        expect(chat.locator("#chat-who")).to_have_text(f"Chatting as {CUSTOMER_EMAIL}")
        expect(chat.locator("#composer-input")).to_be_focused()

        _send(chat, "My USDT deposit from this morning has not arrived.")
        mine = chat.locator(".msg.mine")
        expect(mine).to_have_count(1)
        expect(mine.locator(".meta")).to_contain_text("Sent")
        queue = chat.locator("#queue")
        expect(queue).to_contain_text("You are number 1 in the queue.")
        box = chat.locator("#composer-input")
        box.fill("It was sent on Tron.")
        box.press("Shift+Enter")  # a new line, not a send
        box.press_sequentially("Amount: 1500 USDT")
        expect(mine).to_have_count(1)
        chat.locator("#send-button").click()
        expect(mine).to_have_count(2)
        expect(mine.nth(1).locator(".bubble")).to_have_text(
            "It was sent on Tron.\nAmount: 1500 USDT"
        )

        chat.locator("#file-input").set_input_files(
            files=[{"name": "deposit.png", "mimeType": "image/png", "buffer": PICTURE}]
        )
        expect(chat.locator("#chosen-files li")).to_have_count(1)
        _send(chat, "Here is the screenshot.")
        expect(mine).to_have_count(3)
        picture = mine.nth(2).locator("img[alt='deposit.png']")
        expect(picture).to_be_visible()
        expect(picture).to_have_js_property("naturalWidth", 3)
        conversation = _conversation(chat)
        chat.locator("#messages").evaluate("list => { list.dataset.sameDocument = 'yes'; }")

        # The agent, in another browser, sees the chat and the customer's picture.
        console = _sign_in_agent(agent, desk)
        console.goto(f"{desk.url}/console/tickets/{conversation}")
        thread = console.locator("#conversation")
        expect(thread).to_contain_text("My USDT deposit from this morning has not arrived.")
        link = thread.get_by_role("link", name="deposit.png")
        fetched = agent.request.get(desk.url + (link.get_attribute("href") or ""))
        assert fetched.ok and fetched.body() == PICTURE
        note = tmp_path / "confirmations.txt"
        note.write_bytes(NOTE)
        console.locator("#reply-body").fill("Thanks! Your deposit is credited now, see the note.")
        console.locator("#reply-form input[type=file]").set_input_files(str(note))
        console.locator("#reply-form button[type=submit]:not([name=next])").click()

        # The reply and its file reach the open widget without a reload.
        theirs = chat.locator(".msg:not(.mine)")
        expect(theirs).to_have_count(1)
        expect(theirs.locator(".who")).to_have_text(AGENT_NAME)
        expect(theirs.locator(".bubble")).to_contain_text("Your deposit is credited now")
        expect(chat.locator("#messages")).to_have_attribute("data-same-document", "yes")
        expect(queue).to_be_hidden()  # answered: no more queue
        with page.expect_download() as download:
            theirs.get_by_role("link", name="Download confirmations.txt").click()
        assert download.value.suggested_filename == "confirmations.txt"
        assert Path(download.value.path()).read_bytes() == NOTE

        # Escape closes the chat and gives the focus back to the button.
        chat.locator("#composer-input").press("Escape")
        expect(launcher).to_have_attribute("aria-expanded", "false")
        expect(launcher).to_be_focused()
        launcher.click()

        # After a reload the chat is open again with the whole conversation, in order.
        page.reload()
        chat = _chat(page)
        expect(page.locator("button.launcher")).to_have_attribute("aria-expanded", "true")
        bubbles = chat.locator(".msg .bubble")
        expect(bubbles).to_have_count(4)
        texts = bubbles.all_inner_texts()
        assert texts[0] == "My USDT deposit from this morning has not arrived."
        assert texts[1] == "It was sent on Tron.\nAmount: 1500 USDT"
        assert texts[2].startswith("Here is the screenshot.")
        assert "Your deposit is credited now" in texts[3]
        expect(chat.locator("img[alt='deposit.png']")).to_have_js_property("naturalWidth", 3)
        expect(chat.locator(".msg:not(.mine) a")).to_have_text(re.compile("confirmations.txt"))
        watch.check()
    finally:
        customer.close()
        agent.close()


def test_a_message_written_while_cut_off_is_sent_once_after_a_reload(
    browser: Browser, desk: Desk, exchange: str
) -> None:
    context = _context(browser)
    try:
        page = context.new_page()
        watch = Watch(page)
        page.goto(f"{exchange}/?lang=en")
        page.locator("button.launcher").click()
        chat = _chat(page)
        _send(chat, "First question: where is my withdrawal?")
        expect(chat.locator(".msg.mine .meta")).to_contain_text("Sent")

        # Nothing reaches the desk now: the socket opens but the server never answers, and
        # the HTTP fallback is refused.
        cut_off = True

        def socket(ws: WebSocketRoute) -> None:
            if not cut_off:
                ws.connect_to_server()

        page.route_web_socket(re.compile(r"/chat/ws$"), socket)
        page.route(re.compile(r"/chat/api/(conversations/\d+/)?messages$"), lambda r: r.abort())
        watch.expected.append("net::ERR_FAILED")
        page.reload()
        chat = _chat(page)
        # Without the socket the history comes over HTTP after a few seconds.
        expect(chat.locator(".msg.mine")).to_have_count(1, timeout=20_000)
        _send(chat, "Second question, written while cut off.")
        pending = chat.locator(".msg.mine.pending")
        expect(pending).to_have_count(1)
        expect(pending.locator(".meta")).to_have_text("Not sent yet. Trying again…", timeout=20_000)

        cut_off = False
        page.unroute_all()
        page.reload()  # a new page, whose frame finds the message in its outbox
        chat = _chat(page)
        mine = chat.locator(".msg.mine .bubble")
        expect(mine).to_have_count(2)
        expect(chat.locator(".msg.mine.pending")).to_have_count(0)
        assert mine.all_inner_texts() == [
            "First question: where is my withdrawal?",
            "Second question, written while cut off.",
        ]
        page.reload()
        expect(_chat(page).locator(".msg.mine .bubble")).to_have_count(2)  # stored once
        watch.check()
    finally:
        context.close()


def test_visitor_chats_by_email_and_confirms_it_to_see_past_conversations(
    browser: Browser, desk: Desk, exchange: str, smtp: SmtpServer
) -> None:
    email = "li.wei@visitor.example"
    context = _context(browser, "zh-CN", viewport={"width": 375, "height": 700})  # a phone
    try:
        page = context.new_page()
        watch = Watch(page)
        page.goto(f"{exchange}/?lang=zh-CN&guest=1")
        launcher = page.locator("button.launcher")
        expect(launcher).to_have_attribute("aria-label", "联系在线客服")
        launcher.click()
        chat = _chat(page)
        expect(chat.locator("html")).to_have_attribute("lang", "zh-CN")
        # On a phone the chat takes the whole screen; its own button closes it.
        box = page.locator("iframe#ledgerdesk-chat-frame").bounding_box()
        assert box is not None and (box["width"], box["height"]) == (375, 700)
        expect(launcher).to_be_hidden()
        expect(chat.get_by_role("button", name="关闭聊天")).to_be_visible()
        chat.get_by_role("button", name="开始聊天").click()
        expect(chat.locator("#identify-error")).to_have_text("请输入有效的邮箱地址。")
        chat.get_by_role("textbox", name="邮箱地址").fill(email)
        chat.get_by_role("textbox", name="您的称呼（选填）").fill("李伟")
        chat.get_by_role("button", name="开始聊天").click()
        expect(chat.locator("#chat-who")).to_have_text(f"当前身份：{email}")
        _send(chat, "你好，我的充值还没到账。")
        expect(chat.locator(".msg.mine .meta")).to_contain_text("已发出")

        chat.get_by_role("button", name="历史对话").click()
        expect(chat.get_by_role("heading", name="验证您的邮箱地址")).to_be_visible()
        chat.get_by_role("button", name="发送验证码").click()
        chat.get_by_label("邮件中的验证码").fill(code_from(smtp.inbox, email))
        chat.get_by_role("button", name="确认").click()
        rows = chat.locator("#history-list button")
        expect(rows).to_have_count(1)
        expect(rows.first).to_contain_text("你好，我的充值还没到账。")
        rows.first.click()
        expect(chat.locator(".msg.mine .bubble")).to_have_text(["你好，我的充值还没到账。"])
        watch.check()
    finally:
        context.close()


def test_outside_business_hours_the_widget_takes_a_message(
    browser: Browser, tmp_path_factory: pytest.TempPathFactory, smtp: SmtpServer
) -> None:
    closed = start_desk(tmp_path_factory.mktemp("closed-desk"), smtp.port, **closed_hours())
    service = _exchange(closed.url)
    context = _context(browser)
    try:
        page = context.new_page()
        watch = Watch(page)
        page.goto(f"{service.url.replace('127.0.0.1', 'localhost')}/?lang=en&guest=1")
        page.locator("button.launcher").click()
        chat = _chat(page)
        expect(chat.get_by_role("heading", name="Leave us a message")).to_be_visible()
        expect(chat.locator("#offline-hours")).to_contain_text("We are offline now.")
        chat.get_by_role("textbox", name="E-mail address").fill("night.owl@visitor.example")
        chat.get_by_role("textbox", name="Your message").fill(
            "Can I withdraw to a new address tonight?"
        )
        chat.get_by_role("button", name="Send message").click()
        expect(chat.locator("#offline-done")).to_contain_text(
            "We will reply by e-mail to night.owl@visitor.example."
        )
        watch.check()
    finally:
        context.close()
        service.stop()
        stop_desk(closed)
    assert "Traceback" not in closed.log(), closed.log()
