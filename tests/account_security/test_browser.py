"""A lost-2FA reset and its cancel in a real headless Chromium, in Chinese: the customer fills
the form, types the code from the e-mail that reached the real SMTP server and a recent
deposit, sees the hold; then opens the cancel link from the new contact's e-mail and stops the
reset. The demo exchange shows the hold, then its end. Screenshots go to /tmp."""

from __future__ import annotations

import re
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, expect

from ledgerdesk.channels.mail import text_of
from ledgerdesk.exchange.client import ExchangeClient, override_exchange
from ledgerdesk.exchange.demo import start_demo_exchange
from ledgerdesk.exchange.demo_state import DemoExchange
from ledgerdesk.jobs.outbox import run_pending
from tests.browser import chromium
from tests.channels.smtp import PUBLIC_URL, PointMail, SmtpServer
from tests.exchange.conftest import CHEN, KEY_ID, PORTAL_EMAIL, SECRET
from tests.web.test_pages import fresh_app, served

pytestmark = pytest.mark.browser
SHOTS = Path(tempfile.gettempdir())
NEW_CONTACT = "chen.new@example.org"
LINK = re.compile(re.escape(PUBLIC_URL) + r"(/account-security/2fa-reset/cancel/\S+)")


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    yield from chromium()


def _mail(app: Any, smtp: SmtpServer, address: str, pattern: re.Pattern[str]) -> str:
    """The first match of ``pattern`` in the e-mails to ``address``, once the jobs sent them."""
    for _ in range(50):
        run_pending(app.state.sessionmaker)
        for message in smtp.inbox.to(address):
            found = pattern.search(text_of(message))
            if found:
                return found.group(1)
        time.sleep(0.2)
    raise AssertionError(f"no e-mail to {address} matches {pattern.pattern}")


def test_a_customer_resets_lost_2fa_and_stops_it_from_the_emailed_link(
    browser: Browser, tmp_path: Path, smtp_server: SmtpServer, configure_mail: PointMail
) -> None:
    configure_mail(smtp_server.port)
    app = fresh_app(tmp_path)
    state = DemoExchange.load()
    service = start_demo_exchange(state, key_id=KEY_ID, secret=SECRET)
    exchange = ExchangeClient(service.url, KEY_ID, SECRET, allow_private=True)
    try:
        with override_exchange(exchange), served(app) as base:
            context = browser.new_context(base_url=base, locale="zh-CN")
            context.set_default_timeout(10_000)
            page = context.new_page()
            page.goto("/portal/security/2fa-reset")
            expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
            page.locator("#email").fill(PORTAL_EMAIL)
            page.locator("#new_contact").fill(NEW_CONTACT)
            page.locator("#reset-start").click()
            expect(page.locator("#reset-code-sent")).to_be_visible()
            code = _mail(app, smtp_server, PORTAL_EMAIL, re.compile(r"(\d{6})"))
            page.locator("#code").fill(code)
            page.locator("#deposit_asset").fill("USDT")
            page.locator("#deposit_amount").fill("1500")
            page.locator("#reset-verify").click()
            expect(page.locator("#reset-done")).to_contain_text("两步验证已重置")
            expect(page.locator("#reset-hold")).to_contain_text("提币将暂停至")
            page.screenshot(path=str(SHOTS / "ledgerdesk-2fa-reset-done-zh-CN.png"))
            [reset] = state.two_factor_resets(CHEN)
            assert reset.status == "active"
            held = state.withdrawal(CHEN, "W7000000103")
            assert held is not None and held.hold_reason == "2fa_reset"
            link = _mail(app, smtp_server, NEW_CONTACT, LINK)
            page.goto(link)
            page.locator("#cancel-confirm").click()
            expect(page.locator("#cancel-done")).to_contain_text("两步验证重置已取消")
            page.screenshot(path=str(SHOTS / "ledgerdesk-2fa-reset-cancelled-zh-CN.png"))
            context.close()
        assert [r.status for r in state.two_factor_resets(CHEN)] == ["cancelled"]
        restored = state.withdrawal(CHEN, "W7000000103")
        assert restored is not None and restored.status == "processing"
    finally:
        exchange.close()
        service.stop()
