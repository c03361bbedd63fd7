"""The help center in a real headless Chromium against a real uvicorn server: instant search
in English and Chinese, language switch, feedback, and the console editor's preview.

The desk is a fresh SQLite database with a small bilingual knowledge base, indexed through
the outbox before the server starts (the same path a published article takes)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi import FastAPI
from playwright.sync_api import Browser, BrowserContext, Page, expect
from sqlalchemy import select

from ledgerdesk.accounts.models import Role
from ledgerdesk.accounts.services import SYSTEM
from ledgerdesk.composition import load_handlers
from ledgerdesk.jobs import outbox
from ledgerdesk.kb import services as kb
from ledgerdesk.kb.models import ArticleStatus, Feedback, FeedbackReason, SearchClick, SearchLog
from tests.conftest import PASSWORD, make_agent
from tests.web.test_pages import (  # noqa: F401 - browser is a fixture
    SCREENSHOT_DIR,
    browser,
    fresh_app,
    served,
)

pytestmark = pytest.mark.browser

ARTICLES: dict[str, tuple[str, str, tuple[str, str], tuple[str, str]]] = {
    # slug: (section, intent, (en title, en body), (zh title, zh body))
    "deposit-not-credited": (
        "crypto-deposits",
        "deposit_missing",
        (
            "My crypto deposit has not arrived",
            "A deposit is credited after {{ confirmations.BTC }} network confirmations.\n\n"
            "## What to check\n\n1. Find the TxID in the sending wallet.\n"
            "2. Check that you used the right network and memo.\n\n"
            "If it is still missing, contact us with the TxID, network and amount.",
        ),
        (
            "充值未到账怎么办",
            "充值需要 {{ confirmations.BTC }} 个区块确认后才会到账。\n\n## 自查步骤\n\n"
            "1. 在转出钱包找到交易哈希（TxID）。\n2. 确认充值网络和标签（Memo）填写正确。\n\n"
            "仍未到账请联系客服，并提供 TxID、网络和金额。",
        ),
    ),
    "withdrawal-pending": (
        "withdrawal-status",
        "withdrawal_delayed",
        (
            "My withdrawal is still pending",
            "Withdrawals are reviewed within {{ withdrawal_review_hours }} hours.\n\n"
            "## Statuses\n\n- Pending: waiting for review\n- Processing: sent to the network\n"
            "- Completed: broadcast, check the TxID on the explorer",
        ),
        (
            "提币一直在处理中怎么办",
            "提币会在 {{ withdrawal_review_hours }} 小时内完成审核。\n\n## 提币状态\n\n"
            "- 审核中：等待风控审核\n- 处理中：已提交到链上\n- 已完成：可在区块浏览器查询 TxID",
        ),
    ),
    "2fa-lost-authenticator": (
        "two-factor",
        "two_factor_reset",
        (
            "I lost my authenticator app (2FA)",
            "If you lost the phone with your Google Authenticator, request a 2FA reset.\n\n"
            "Withdrawals are paused for {{ security_hold_hours_2fa_reset }} hours after a reset. "
            "We will never ask for your password or SMS codes.",
        ),
        (
            "谷歌验证器丢失，如何重置二次验证",
            "手机丢失或更换后无法获取谷歌验证码，请申请重置二次验证（2FA）。\n\n"
            "重置后提币将暂停 {{ security_hold_hours_2fa_reset }} 小时。"
            "我们绝不会索要您的密码或短信验证码。",
        ),
    ),
}


@dataclass
class HelpDesk:
    url: str
    app: FastAPI
    ids: dict[str, int]
    lead_email: str

    def session(self) -> Any:
        return self.app.state.sessionmaker()


def _seed(app: FastAPI) -> dict[str, Any]:
    with app.state.sessionmaker() as session:
        sections = {}
        for category, section_slugs in (
            ("deposits", ["crypto-deposits"]),
            ("withdrawals", ["withdrawal-status"]),
            ("account-security", ["two-factor"]),
        ):
            parent = kb.do_upsert_category(
                session, SYSTEM, category, name={"en": category.title(), "zh-CN": "分类"}
            )
            for slug in section_slugs:
                sections[slug] = kb.do_upsert_section(
                    session, SYSTEM, parent, slug, name={"en": slug.title(), "zh-CN": "栏目"}
                )
        ids = {}
        for slug, (section, intent, (en_title, en_body), (zh_title, zh_body)) in ARTICLES.items():
            article = kb.do_create_article(
                session,
                SYSTEM,
                kb.NewArticle(
                    slug=slug,
                    section_id=sections[section].id,
                    lang="en",
                    title=en_title,
                    body=en_body,
                    status=ArticleStatus.published,
                    intents=[intent],
                ),
            )
            kb.do_save_translation(session, SYSTEM, article, "zh-CN", zh_title, zh_body)
            ids[slug] = article.id
        lead = make_agent(session, Role.lead)
        session.commit()
        return {"ids": ids, "lead_email": lead.email}


@pytest.fixture(scope="module")
def desk(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HelpDesk]:
    app = fresh_app(tmp_path_factory.mktemp("help"))
    seed = _seed(app)
    load_handlers()
    outbox.run_pending(app.state.sessionmaker)  # index before the first search
    with served(app) as base:
        yield HelpDesk(url=base, app=app, **seed)


def _context(browser: Browser, desk: HelpDesk, locale: str = "en-US") -> BrowserContext:  # noqa: F811
    context = browser.new_context(
        base_url=desk.url, viewport={"width": 1280, "height": 860}, locale=locale
    )
    context.set_default_timeout(15_000)
    return context


@pytest.fixture
def page(browser: Browser, desk: HelpDesk) -> Iterator[Page]:  # noqa: F811
    context = _context(browser, desk)
    yield context.new_page()
    context.close()


def _instant_search(page: Page, text: str) -> None:
    page.goto("/help")
    page.wait_for_load_state("load")
    page.locator("#help-q").press_sequentially(text, delay=30)


@pytest.mark.parametrize(
    ("query", "expected", "title"),
    [
        ("deposit not showing up", "deposit-not-credited", "My crypto deposit has not arrived"),
        ("提币好久还在审核", "withdrawal-pending", "My withdrawal is still pending"),
        ("谷歌验证器 丢了", "2fa-lost-authenticator", "I lost my authenticator app (2FA)"),
    ],
)
def test_search_as_you_type_finds_the_article(
    page: Page, desk: HelpDesk, query: str, expected: str, title: str
) -> None:
    _instant_search(page, query)
    first = page.locator("#suggestions .suggest-list a").first
    expect(first).to_have_attribute("data-slug", expected)
    expect(first).to_have_text(title)
    page.screenshot(path=str(SCREENSHOT_DIR / f"ledgerdesk-help-suggest-{expected}.png"))
    with desk.session() as session:
        logged_before = len(
            list(session.scalars(select(SearchLog.id).where(SearchLog.query == query)))
        )
    assert logged_before == 0  # typing is not logged

    first.click()
    expect(page).to_have_url(f"{desk.url}/help/articles/{expected}")
    expect(page.locator("#article-title")).to_have_text(title)
    with desk.session() as session:
        log = session.scalar(select(SearchLog).where(SearchLog.query == query))
        assert log is not None and log.source.value == "help"
        click = session.scalar(select(SearchClick).where(SearchClick.search_log_id == log.id))
        assert click is not None and click.article_id == desk.ids[expected] and click.position == 1


def test_enter_opens_the_results_page(page: Page, desk: HelpDesk) -> None:
    _instant_search(page, "withdrawal pending")
    page.locator("#help-q").press("Enter")
    expect(page).to_have_url(re.compile(r"/help/search\?q=withdrawal\+pending$"))
    results = page.locator("#results a")
    expect(results.first).to_have_text("My withdrawal is still pending")
    results.first.click()
    expect(page).to_have_url(re.compile(r"/help/articles/withdrawal-pending\?sq=\d+&pos=1$"))
    expect(page.locator("#article-title")).to_have_text("My withdrawal is still pending")


def test_language_switch_shows_the_chinese_translation(page: Page, desk: HelpDesk) -> None:
    page.goto("/help/articles/deposit-not-credited")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator(".article-body")).to_contain_text("after 2 network confirmations")
    page.locator("#lang-form select").select_option("zh-CN")
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    expect(page).to_have_url(f"{desk.url}/help/articles/deposit-not-credited")
    expect(page.locator("#article-title")).to_have_text("充值未到账怎么办")
    expect(page.locator(".article-body")).to_contain_text("需要 2 个区块确认")
    expect(page.locator("#feedback h2")).to_have_text("这篇文章对您有帮助吗？")
    page.screenshot(path=str(SCREENSHOT_DIR / "ledgerdesk-help-article-zh.png"), full_page=True)
    page.goto("/help")
    expect(page.get_by_role("heading", name="有什么可以帮您？")).to_be_visible()
    page.locator("#lang-form select").select_option("en")
    expect(page.get_by_role("heading", name="How can we help?")).to_be_visible()


def test_first_visit_follows_accept_language(browser: Browser, desk: HelpDesk) -> None:  # noqa: F811
    context = _context(browser, desk, locale="zh-CN")
    try:
        page = context.new_page()
        page.goto("/help/articles/withdrawal-pending")
        expect(page.locator("#article-title")).to_have_text("提币一直在处理中怎么办")
    finally:
        context.close()


def test_feedback_not_helpful_with_reason_and_comment(page: Page, desk: HelpDesk) -> None:
    comment = "Step 2 does not say where the memo is"
    page.goto("/help/articles/2fa-lost-authenticator")
    page.wait_for_load_state("load")
    page.locator("#feedback-no summary").click()
    page.get_by_label("Steps are missing").check()
    page.locator("#feedback-comment").fill(comment)
    page.locator("#feedback-send").click()
    expect(page.locator("#feedback")).to_contain_text("Thank you for your feedback!")
    expect(page).to_have_url(f"{desk.url}/help/articles/2fa-lost-authenticator")  # no reload
    with desk.session() as session:
        row = session.scalar(select(Feedback).where(Feedback.comment == comment))
        assert row is not None and not row.helpful and row.reason == FeedbackReason.missing_steps
        assert row.article_id == desk.ids["2fa-lost-authenticator"] and row.lang == "en"


def test_feedback_helpful_in_one_click(page: Page, desk: HelpDesk) -> None:
    page.goto("/help/articles/withdrawal-pending")
    page.wait_for_load_state("load")
    page.locator("#feedback-yes").click()
    expect(page.locator("#feedback")).to_contain_text("Thank you for your feedback!")


def test_zero_results_and_no_script_errors(page: Page, desk: HelpDesk) -> None:
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    page.goto("/help/search?q=xylophone+orchestra+rehearsal+schedule")
    expect(page.locator("#no-results")).to_be_visible()
    expect(page.locator("#no-results a[href='/portal/tickets/new']")).to_be_visible()
    page.goto("/help")
    page.wait_for_load_state("load")
    assert page.evaluate("typeof htmx") == "object"
    page.locator("#help-q").press_sequentially("deposit", delay=5)
    expect(page.locator("#suggestions .suggest-list a").first).to_be_visible()
    assert problems == []
    page.locator("#help-q").evaluate("el => el.removeAttribute('maxlength')")
    page.locator("#help-q").fill("y" * 600)  # past the limit: the refusal shows in place
    expect(page.locator("#suggestions .flash.error")).to_contain_text("longer than 500")
    assert [p for p in problems if "status of 422" not in p] == []


def test_console_editor_preview_and_save(browser: Browser, desk: HelpDesk) -> None:  # noqa: F811
    context = _context(browser, desk)
    try:
        page = context.new_page()
        page.goto("/console/login")
        page.locator("#email").fill(desk.lead_email)
        page.locator("#password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.locator("#nav-kb").click()
        expect(page.locator("#kb-articles")).to_contain_text("My withdrawal is still pending")
        page.goto(f"/console/kb/articles/{desk.ids['withdrawal-pending']}?lang=en")
        page.wait_for_load_state("load")
        body = page.locator("#kb-body")
        body.fill(body.input_value() + "\n\n## Still stuck?\n\nWrite to {{ support_email }}.")
        page.locator("#preview-button").click()
        expect(page.locator("#preview h2#still-stuck")).to_have_text("Still stuck?")
        expect(page.locator("#preview")).to_contain_text("support@example-exchange.com")
        page.screenshot(path=str(SCREENSHOT_DIR / "ledgerdesk-kb-editor.png"), full_page=True)
        page.locator("#save-translation").click()
        expect(page.locator(".flash.ok")).to_have_text("Saved as version 2")
        page.get_by_role("link", name="History").click()
        expect(page.locator("#diff .add")).to_contain_text(["+ ## Still stuck?"])
        page.screenshot(path=str(SCREENSHOT_DIR / "ledgerdesk-kb-history.png"), full_page=True)
    finally:
        context.close()
