"""Two-factor sign-in in a real headless Chromium against the page tests' served desk: an agent
sets up 2FA from the QR page using the keyboard only, signs out, and signs in again with the
password and then a code from the authenticator app."""

from __future__ import annotations

import re
import time

import pyotp
import pytest
from playwright.sync_api import Browser, expect

from ledgerdesk.accounts.models import Role
from tests.conftest import PASSWORD, make_agent
from tests.web.test_pages import (  # the page tests' served desk and browser
    Desk,
    _new_context,
    _sign_in_agent,
    browser,
    desk,
)

pytestmark = pytest.mark.browser
__all__ = ["browser", "desk"]


def test_enrol_and_sign_in_with_two_factor(browser: Browser, desk: Desk) -> None:
    with desk.app.state.sessionmaker() as session:
        email = make_agent(session, Role.agent).email
        session.commit()
    context = _new_context(browser, desk)
    page = context.new_page()
    _sign_in_agent(page, email, PASSWORD)
    expect(page).to_have_url(re.compile(r"/console/inbox"))
    page.goto("/console/account")
    page.get_by_role("link", name="Manage two-factor sign-in").click()
    page.locator("#start-2fa").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#qr svg")).to_be_visible()
    secret = page.locator("#totp-secret").inner_text()
    page.locator("#code").fill(pyotp.TOTP(secret).now())
    page.keyboard.press("Enter")
    expect(page.locator("#recovery-codes li")).to_have_count(10)
    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(re.compile(r"/console/login$"))

    _sign_in_agent(page, email, PASSWORD)
    expect(page.locator("#totp-form")).to_be_visible()
    expect(page.locator("#code")).to_be_focused()
    page.goto("/console/inbox")  # half signed in: sent back to sign in
    expect(page).to_have_url(re.compile(r"/console/login\?next="))
    _sign_in_agent(page, email, PASSWORD)
    page.locator("#code").fill(pyotp.TOTP(secret).at(time.time() + 30))
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/console/inbox"))
    expect(page.locator("#nav-account")).to_be_visible()
    context.close()
