"""The assistant's messages in the chat widget, in headless Chromium against a real
``ledgerdesk serve`` whose engine is scripted (tests/chat_browser/scripted_serve.py; the job,
the items and the widget are real): the answer is signed "Assistant", its citation is a
link to the help center that opens in a new tab, the yes/no buttons sit under it, and
clicking "yes" sends that exact text, after which the buttons are gone. The agent's live
console shows the same messages signed "Assistant"."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.browser import chromium
from tests.channels.smtp import SmtpServer, start_server
from tests.chat_browser.desks import (
    AGENT_EMAIL,
    AGENT_PASSWORD,
    Desk,
    start_desk,
    stop_desk,
)

pytestmark = pytest.mark.browser

QUESTION = "How long does a BTC deposit take to arrive?"


@pytest.fixture(scope="module")
def desk(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Desk]:
    controller, smtp = start_server()
    assert isinstance(smtp, SmtpServer)
    running = start_desk(
        tmp_path_factory.mktemp("assistant-desk"),
        smtp.port,
        launcher="tests.chat_browser.scripted_serve",
        LEDGERDESK_ASSISTANT_ENABLED="true",
    )
    yield running
    stop_desk(running)
    controller.stop()
    assert "Traceback" not in running.log(), running.log()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    yield from chromium()


def test_answer_with_a_link_and_feedback_buttons(browser: Browser, desk: Desk) -> None:
    context = browser.new_context(locale="en-US")
    agent = browser.new_context(locale="en-US")
    for each in (context, agent):
        each.set_default_timeout(20_000)
    errors: list[str] = []
    try:
        page = context.new_page()
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(f"{desk.url}/chat/frame?lang=en")
        page.get_by_role("textbox", name="E-mail address").fill("wei@visitor.example")
        page.get_by_role("button", name="Start chatting").click()
        _send(page, QUESTION)

        answer = page.locator(".msg:not(.mine)").first
        expect(answer.locator(".who")).to_have_text("Assistant")
        link = answer.locator(".bubble a")
        expect(link).to_have_text("/help/articles/deposit-confirmations")
        expect(link).to_have_attribute("href", f"{desk.url}/help/articles/deposit-confirmations")
        expect(link).to_have_attribute("target", "_blank")
        expect(link).to_have_attribute("rel", "noopener noreferrer")
        expect(answer.locator(".bubble")).to_contain_text("Did this solve it?")
        buttons = answer.get_by_role("group", name="Did this solve it?").get_by_role("button")
        expect(buttons).to_have_text(["Yes, that solved it", "No, I still need help"])

        # The agent opens the conversation; the next answer arrives there live.
        conversation = int(page.locator("#chat").get_attribute("data-conversation") or 0)
        console = _console(agent, desk, conversation)
        _send(page, "And for ETH?")
        expect(page.locator(".quick-reply")).to_have_count(2)  # only under the newest answer
        later = page.locator(".msg:not(.mine)").nth(1)
        expect(later.locator(".quick-reply")).to_have_count(2)
        expect(answer.locator(".quick-reply")).to_have_count(0)
        live = console.locator("#conversation article.msg[data-author='assistant']")
        expect(live).to_have_count(2)
        expect(live.nth(1).locator(".meta strong").first).to_have_text("Assistant")
        expect(live.nth(1).locator(".body a")).to_have_attribute(
            "href", f"{desk.url}/help/articles/deposit-confirmations"
        )

        later.get_by_role("button", name="Yes, that solved it").click()
        mine = page.locator(".msg.mine .bubble")
        expect(mine).to_have_text([QUESTION, "And for ETH?", "Yes, that solved it"])
        expect(page.locator(".msg:not(.mine) .bubble").last).to_have_text("Glad that solved it.")
        expect(page.locator(".quick-reply")).to_have_count(0)

        # Only http(s) and the desk's own /help/ pages become links; markup stays text.
        _send(page, "links please")
        odd = page.locator(".msg:not(.mine) .bubble").last
        expect(odd).to_have_text(
            "javascript:alert(1) <b>bold</b> /help/../console https://ok.example/a?b=1, "
            "see /help/articles/x."
        )
        expect(odd.locator("a")).to_have_text(["https://ok.example/a?b=1", "/help/articles/x"])
        expect(odd.locator("b")).to_have_count(0)
        assert not errors, errors
    finally:
        context.close()
        agent.close()


def _send(page: Page, text: str) -> None:
    box = page.locator("#composer-input")
    box.fill(text)
    box.press("Enter")


def _console(agent: BrowserContext, desk: Desk, conversation: int) -> Page:
    console = agent.new_page()
    console.goto(f"{desk.url}/console/login")
    console.locator("#email").fill(AGENT_EMAIL)
    console.locator("#password").fill(AGENT_PASSWORD)
    console.get_by_role("button", name="Sign in", exact=True).click()
    expect(console).to_have_url(re.compile(r"/console"))
    console.goto(f"{desk.url}/console/tickets/{conversation}")
    expect(console.locator("#live-state")).to_have_attribute("data-state", "live")
    expect(console.locator("#conversation article.msg[data-author='assistant']")).to_have_count(1)
    return console
