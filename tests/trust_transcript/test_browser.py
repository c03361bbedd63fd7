"""The portal's "Download transcript" link in a real headless Chromium: the file it downloads
verifies offline."""

from __future__ import annotations

import uuid

import pytest
from playwright.sync_api import Browser

from ledgerdesk.trust import log, signing
from ledgerdesk.trust.transcript_verify import verify_bundle
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


def test_download_transcript_from_the_portal(
    browser: Browser, desk: Desk, codes: CodeCatcher
) -> None:
    email = f"tx-{uuid.uuid4().hex[:8]}@example.com"
    context = _new_context(browser, desk, accept_downloads=True)
    try:
        page = context.new_page()
        _portal_sign_in(page, email, codes)
        page.locator("#new-ticket").click()
        page.locator("#subject").fill("Withdrawal stuck for two hours")
        page.locator("#body").fill("My BTC withdrawal has been processing since 10:00.")
        page.locator("form button[type=submit]").last.click()
        page.wait_for_url("**/portal/tickets/*")
        with desk.app.state.sessionmaker() as session:  # the appender job's pass
            log.append_pending(session)
            log.sign_head(session, desk.app.state.settings)
            session.commit()
        with page.expect_download() as caught:
            page.get_by_role("link", name="Download transcript").click()
        download = caught.value
        assert download.suggested_filename.startswith("transcript-")
        data = open(download.path(), "rb").read()
        key = signing.public_hex(signing.signing_key(desk.app.state.settings))
        verdict = verify_bundle(data, key)
        assert verdict.ok, verdict.problems
        assert b"My BTC withdrawal has been processing since 10:00." in data
    finally:
        context.close()
