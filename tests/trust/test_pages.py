"""The verification page in a real headless Chromium against a real uvicorn server: a
customer types a look-alike and sees NOT official with the reason, types the official
domain and sees Official, and switches the page to Chinese."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from playwright.sync_api import Browser, Page, expect

from ledgerdesk.accounts.services import SYSTEM
from ledgerdesk.trust import services as svc
from tests.web.test_pages import (  # noqa: F401 - browser is a fixture
    SCREENSHOT_DIR,
    browser,
    fresh_app,
    served,
)

pytestmark = pytest.mark.browser


def _seed(app: FastAPI) -> None:
    with app.state.sessionmaker() as session:
        svc.do_add_channel(session, SYSTEM, "domain", "binance.com", "Official website")
        svc.do_add_channel(session, SYSTEM, "telegram", "@binance_support", "Support bot")
        session.commit()
    svc.clear_domain_cache()


@pytest.fixture(scope="module")
def desk_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    app = fresh_app(tmp_path_factory.mktemp("verify"))
    _seed(app)
    with served(app) as base:
        yield base


@pytest.fixture
def page(browser: Browser, desk_url: str) -> Iterator[Page]:  # noqa: F811
    context = browser.new_context(
        base_url=desk_url, viewport={"width": 1100, "height": 900}, locale="en-US"
    )
    context.set_default_timeout(10_000)
    yield context.new_page()
    context.close()


def _check(page: Page, text: str) -> None:
    page.locator("#verify-q").fill(text)
    page.get_by_role("button", name="Check", exact=True).click()


def test_lookalike_then_official(page: Page) -> None:
    page.goto("/verify")
    expect(page.get_by_role("heading", name="Is this really us?")).to_be_visible()
    expect(page.locator("#official-channels")).to_contain_text("binance.com")
    expect(page.locator("#official-channels")).to_contain_text("@binance_support")

    _check(page, "https://binnance.com/login")
    result = page.locator("#verify-result")
    expect(result).to_have_attribute("data-result", "not_official")
    expect(result.get_by_role("heading")).to_have_text("✗ NOT official")
    expect(page.locator("#verify-reasons")).to_contain_text(
        "It looks like binance.com, but one letter differs"
    )
    expect(page.locator("#verify-q")).to_have_value("https://binnance.com/login")
    expect(page).to_have_url(re.compile(r"/verify\?q=https"))
    expect(result.locator("a")).to_have_count(0)  # the fake is never a link
    page.screenshot(path=str(SCREENSHOT_DIR / "ledgerdesk-verify-fake.png"), full_page=True)

    _check(page, "t.me/binance_support_cs")
    expect(result).to_have_attribute("data-result", "not_official")
    expect(page.locator("#verify-reasons")).to_contain_text("adds other words to our name")

    _check(page, "binance.com")
    expect(result).to_have_attribute("data-result", "official")
    expect(result.get_by_role("heading")).to_have_text("✓ Official")
    expect(page.locator("#verify-channel")).to_contain_text("Official website")
    expect(page.locator("#link-help")).to_have_attribute("href", "/help")
    expect(page.locator("#link-portal")).to_have_attribute("href", "/portal")


def test_chinese_page(page: Page) -> None:
    page.goto("/verify?q=bіnance.com")  # Cyrillic і
    expect(page.locator("#verify-reasons")).to_contain_text("look-alike characters")
    page.wait_for_load_state("load")  # app.js (the language select) is deferred
    page.locator("#lang-form select").select_option("zh-CN")
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    expect(page.locator("#verify-result h2")).to_have_text("✗ 非官方")
    expect(page.locator("#verify-reasons")).to_contain_text("它使用形似字符仿冒 binance.com")
    page.locator("#verify-q").fill("@binance_support")
    page.get_by_role("button", name="核验", exact=True).click()
    expect(page.locator("#verify-result")).to_have_attribute("data-result", "official")
    expect(page.locator("#verify-result h2")).to_have_text("✓ 官方")
