"""The webhook pages in a real headless Chromium (under our Content-Security-Policy), on a
freshly migrated SQLite desk served by uvicorn with its embedded worker: an admin creates a
webhook from the console, copies the secret shown once, sends a test event that the local
receiver verifies, replays it and reads the payload, in English and in Chinese; a plain agent
has no link and is refused the page."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from ledgerdesk.accounts.models import Role
from tests.browser import chromium
from tests.channels.webhooks.receiver import Receiver
from tests.conftest import PASSWORD, make_agent
from tests.web.test_pages import fresh_app, served

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    yield from chromium()


def _sign_in(page: Page, email: str) -> None:
    page.goto("/console/login")
    page.locator("#email").fill(email)
    page.locator("#password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/console/inbox"))


def _delivered_rows(page: Page, count: int) -> None:
    """Reload until ``count`` deliveries show as delivered (the worker sends them)."""
    rows = page.locator('#deliveries tbody tr[data-status="delivered"]')
    for _ in range(60):
        if rows.count() >= count:
            return
        page.wait_for_timeout(250)
        page.reload()
    expect(rows).to_have_count(count)


def test_admin_creates_tests_and_replays_a_webhook(
    browser: Browser, tmp_path: Path, receiver: Receiver, allow_private: None
) -> None:
    app = fresh_app(tmp_path)
    app.state.settings = app.state.settings.model_copy(update={"webhooks_allow_private": True})
    with app.state.sessionmaker() as session:
        admin, agent = make_agent(session, Role.admin), make_agent(session, Role.agent)
        session.commit()
        admin_email, agent_email = admin.email, agent.email
    with served(app) as base:
        context = browser.new_context(base_url=base, viewport={"width": 1280, "height": 1000})
        context.set_default_timeout(10_000)
        errors: list[str] = []
        page = context.new_page()
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        _sign_in(page, admin_email)

        page.locator("#nav-webhooks").click()
        expect(page).to_have_url(re.compile(r"/console/admin/webhooks$"))
        expect(page.locator("#no-webhooks")).to_be_visible()
        form = page.locator("#new-webhook")
        form.locator("#webhook-url").fill(receiver.url)
        form.locator("#webhook-description").fill("Incident bot")
        form.locator('input[value="ticket.created"]').check()
        form.locator('input[value="ticket.priority_changed"]').check()
        expect(form.locator("#webhook-active")).to_be_checked()
        form.get_by_role("button", name="Create webhook").click()

        secret = page.locator("#secret-value")
        expect(secret).to_have_text(re.compile(r"^whsec_[\w-]{40,}$"))
        receiver.secret = secret.inner_text()
        expect(page.locator("#webhook-state")).to_have_text("On")
        expect(page.locator('#edit-webhook input[value="ticket.created"]')).to_be_checked()
        expect(page.locator('#edit-webhook input[value="message.note"]')).not_to_be_checked()

        page.locator("#send-test").get_by_role("button", name="Send a test event").click()
        expect(page.locator(".flash.ok")).to_contain_text("Test event queued")
        expect(page.locator("#webhook-secret")).to_have_count(0)  # shown once only
        _delivered_rows(page, 1)
        row = page.locator("#deliveries tbody tr").first
        expect(row.locator(".delivery-code")).to_have_text("200")
        expect(row.locator(".delivery-attempts")).to_have_text("1")
        row.locator("summary").click()
        expect(row.locator(".delivery-payload")).to_contain_text('"type": "webhook.test"')
        [first] = receiver.wait_for(1)
        assert first.verified, first.problem

        row.get_by_role("button", name="Replay").click()
        expect(page.locator(".flash.ok")).to_contain_text("queued again as")
        _delivered_rows(page, 2)
        expect(page.locator("#deliveries tbody tr").first).to_contain_text("replay of")
        first, again = receiver.wait_for(2)
        assert again.verified and again.body == first.body

        page.locator("#lang-form select").select_option("zh-CN")
        expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
        page.goto("/console/admin/webhooks")
        expect(page.locator("h2")).to_contain_text("Webhook 推送")
        expect(page.locator("#webhooks")).to_contain_text("已创建工单")
        expect(page.locator("#new-webhook")).to_contain_text("事件类型（都不勾选：全部）")
        page.locator("#webhooks a").first.click()
        expect(page.locator("#deliveries")).to_contain_text("已送达")
        expect(page.locator("#send-test button")).to_have_text("发送测试事件")
        expect(page.locator("#deliveries tbody tr").first).to_contain_text("重新发送自")
        page.locator("#edit-webhook #webhook-url").fill("ftp://example.com/")
        page.locator("#edit-webhook").get_by_role("button", name="保存").click()
        expect(page.locator("#webhook-error")).to_have_text("URL 必须以 https://（或 http://）开头")
        assert [e for e in errors if "status of 422" not in e] == []
        context.close()

        context = browser.new_context(base_url=base)
        context.set_default_timeout(10_000)
        page = context.new_page()
        _sign_in(page, agent_email)
        expect(page.locator("#nav-webhooks")).to_have_count(0)
        response = page.goto("/console/admin/webhooks")
        assert response is not None and response.status == 403
        expect(page.locator("body")).to_contain_text("Only an admin can do this")
        expect(page.locator("#new-webhook")).to_have_count(0)
        context.close()
