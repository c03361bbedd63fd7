"""Portal drafts travel by POST in a real browser (issue 11): typing a new request asks for
article suggestions with htmx POSTs the CSRF check accepts, and the draft never appears in a
URL (where proxies and access logs would keep it)."""

from __future__ import annotations

import uuid

import pytest
from playwright.sync_api import Browser, Request, Response

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

DRAFT = "my deposit never arrived, password: Hunter2-correct-horse"


def test_new_request_suggestions_are_posted(
    browser: Browser, desk: Desk, codes: CodeCatcher
) -> None:
    context = _new_context(browser, desk)
    try:
        page = context.new_page()
        requests: list[Request] = []
        answers: list[Response] = []
        page.on("request", lambda r: requests.append(r))
        page.on("response", lambda r: answers.append(r) if "/portal/suggest" in r.url else None)
        _portal_sign_in(page, f"draft-{uuid.uuid4().hex[:8]}@example.com", codes)
        page.goto(f"{desk.url}/portal/tickets/new")
        page.locator("#subject").fill("Deposit missing")
        with page.expect_response(lambda r: "/portal/suggest" in r.url):
            page.locator("#body").fill(DRAFT)
        suggest = [r for r in requests if "/portal/suggest" in r.url]
        assert suggest and all(r.method == "POST" for r in suggest)
        assert all(a.status == 200 for a in answers), [a.status for a in answers]
        assert any("Hunter2" in (r.post_data or "") for r in suggest)
        assert not [r.url for r in requests if "Hunter2" in r.url or "deposit" in r.url]
    finally:
        context.close()
