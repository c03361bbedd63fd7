"""The security page in a real headless Chromium: reached from the portal navigation, a
refused code explained next to the field, a Chinese code saved and shown masked."""

from __future__ import annotations

import re
import uuid

import pytest
from playwright.sync_api import Browser, expect

from tests.web.test_pages import (  # the page tests' served desk, browser and code catcher
    CodeCatcher,
    Desk,
    _new_context,
    _portal_sign_in,
    browser,
    codes,
    desk,
)

pytestmark = pytest.mark.browser
__all__ = ["browser", "codes", "desk"]


def test_set_anti_phishing_code_in_the_browser(
    browser: Browser, desk: Desk, codes: CodeCatcher
) -> None:
    context = _new_context(browser, desk)
    try:
        page = context.new_page()
        problems: list[str] = []
        page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda exc: problems.append(str(exc)))
        _portal_sign_in(page, f"apc-{uuid.uuid4().hex[:8]}@example.com", codes)

        page.get_by_role("link", name="Account security").click()
        expect(page).to_have_url(re.compile(r"/portal/security$"))
        expect(page.locator("#current-code")).to_have_text(
            "You have not set an anti-phishing code yet."
        )

        page.locator("#code").fill("1234")
        page.get_by_role("button", name="Save code").click()
        expect(page.locator("#code-error")).to_contain_text("run of consecutive digits")
        expect(page.locator("#code")).to_have_attribute("aria-invalid", "true")
        expect(page.locator("#code")).to_have_value("1234")

        page.locator("#code").fill("蓝色狐狸")
        page.get_by_role("button", name="Save code").click()
        expect(page.locator(".flash.ok")).to_have_text(
            "Anti-phishing code saved. We sent you an e-mail about it."
        )
        expect(page.locator("#current-code strong")).to_have_text("蓝色••••••")
        expect(page.locator("body")).not_to_contain_text("蓝色狐狸")

        page.get_by_role("button", name="Remove my code").click()
        expect(page.locator(".flash.ok")).to_have_text(
            "Anti-phishing code removed. We sent you an e-mail about it."
        )
        # The refused code answers 422 on purpose; Chromium reports that status in the console.
        assert [p for p in problems if "status of 422" not in p] == []
    finally:
        context.close()
