"""A scam report in a real headless Chromium against a real uvicorn server (the page
tests' desk): a customer signs in to the portal, switches to Chinese, fills the guided form,
gets a clear message for an address that is not on the chosen network (what was typed is
kept), attaches a screenshot and a PDF and sends the report; the confirmation gives the
reference and the advice; the case, its working ticket and its evidence are in the database;
a signed-in agent downloads the case export and every hash in its manifest matches its
file."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select

from ledgerdesk.cases import register
from ledgerdesk.cases.models import Case, CaseKind
from ledgerdesk.tickets.models import Attachment, Message, Priority, Ticket
from tests.cases.test_export import _open, check_manifest
from tests.conftest import PASSWORD, make_customer
from tests.web.test_pages import (  # the page tests' served desk, browser and sign-in codes
    CodeCatcher,
    Desk,
    _new_context,
    _sign_in_agent,
    browser,
    codes,
    desk,
    tiny_png,
)

pytestmark = pytest.mark.browser
__all__ = ["browser", "codes", "desk"]

TX = "0x" + "5c" * 32
SCAMMER_TRON = "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t"
TESTNET_BTC = "tb1qw508d6qejxtdg4y5r3zarvary0c5xw7kxpjzsx"
PNG = tiny_png()
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\n% bank transfer receipt\n"


@pytest.fixture(scope="module")
def customer_email(desk: Desk) -> str:
    with desk.app.state.sessionmaker() as session:
        email = make_customer(session, name="王芳").email
        session.commit()
    return email


@pytest.fixture
def zh_page(browser: Browser, desk: Desk) -> Iterator[Page]:
    context = _new_context(browser, desk)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield page
    context.close()
    assert not errors, errors


def _sign_in(page: Page, email: str, codes: CodeCatcher) -> None:
    page.goto("/portal/login?next=/portal/scam-report")
    page.locator("#email").fill(email)
    page.locator("form button[type=submit]").click()
    expect(page.locator("#code")).to_be_visible()
    page.locator("#code").fill(codes.codes[email])
    page.locator("form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/portal/scam-report$"))
    page.locator("#lang-form select").select_option("zh-CN")  # the page's language switcher
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")


def _fill(page: Page, address_network: str, address: str) -> None:
    page.locator("#scam_type").select_option("investment")
    page.locator("#happened_on").fill("2026-02-14")
    page.locator("#happened_time").fill("20:15")
    page.locator("#story").fill(
        "网友带我在一个“交易平台”投资，显示盈利却不能提现，还要我交保证金。"
    )
    page.locator("input[name=amount_asset]").first.fill("USDT")
    page.locator("input[name=amount_value]").first.fill("8800")
    page.locator("select[name=tx_network]").first.select_option("ethereum")
    page.locator("input[name=tx_hash]").first.fill(TX)
    page.locator("select[name=address_network]").first.select_option(address_network)
    page.locator("input[name=address_value]").first.fill(address)
    page.locator("#handles").fill("@golden_mentor_vip")
    page.locator("#urls").fill("https://gold-trade-vip.example/app")


def test_a_scam_report_with_uploads_becomes_a_case_and_exports(
    zh_page: Page,
    browser: Browser,
    desk: Desk,
    codes: CodeCatcher,
    customer_email: str,
    tmp_path: Path,
) -> None:
    page = zh_page
    _sign_in(page, customer_email, codes)
    expect(page.locator("h2")).to_have_text("举报诈骗")
    # A Bitcoin testnet address chosen as Bitcoin: a clear message, and nothing typed is lost.
    _fill(page, "bitcoin", TESTNET_BTC)
    page.locator("#scam-submit").click()
    expect(page.locator(".flash.error")).to_contain_text("地址第 1 行")
    expect(page.locator("#scam-error-field")).to_have_attribute("data-field", "addresses")
    expect(page.locator("#story")).to_have_value(re.compile("交易平台"))
    expect(page.locator("input[name=tx_hash]").first).to_have_value(TX)
    expect(page.locator("select[name=address_network]").first).to_have_value("bitcoin")
    # Fixed, with the evidence attached.
    page.locator("select[name=address_network]").first.select_option("tron")
    page.locator("input[name=address_value]").first.fill(SCAMMER_TRON)
    (tmp_path / "聊天截图.png").write_bytes(PNG)
    (tmp_path / "receipt.pdf").write_bytes(PDF)
    page.locator("#files").set_input_files([tmp_path / "聊天截图.png", tmp_path / "receipt.pdf"])
    page.locator("#scam-submit").click()

    expect(page.locator("#scam-done h2")).to_have_text("我们已收到您的举报")
    reference = page.locator("#scam-reference").inner_text().strip()
    assert re.fullmatch(r"SCM-\d{4}-\d{6}", reference), reference
    expect(page.locator("#scam-next-steps")).to_contain_text("追回资金")
    page.locator("#scam-ticket-link").click()
    expect(page.get_by_text("聊天截图.png")).to_be_visible()
    expect(page.get_by_text("receipt.pdf")).to_be_visible()

    with desk.app.state.sessionmaker() as session:
        case = session.scalars(select(Case).where(Case.reference == reference)).one()
        assert case.kind == CaseKind.scam_report and case.language == "zh-CN"
        assert case.details["addresses"] == [{"network": "tron", "address": SCAMMER_TRON}]
        assert case.details["tx_hashes"] == [{"network": "ethereum", "tx_hash": TX}]
        ticket = session.get(Ticket, case.ticket_id)
        assert ticket is not None
        assert (ticket.intent, ticket.priority) == ("scam_report", Priority.high)
        files = session.scalars(
            select(Attachment.filename)
            .join(Message, Message.id == Attachment.message_id)
            .where(Message.ticket_id == ticket.id)
        )
        assert sorted(files) == sorted(["聊天截图.png", "receipt.pdf"])
        case_id = case.id

    # An agent downloads the export with the browser's session; the manifest holds.
    context = _new_context(browser, desk)
    try:
        agent = context.new_page()
        _sign_in_agent(agent, desk.agent_email, PASSWORD)
        expect(agent).to_have_url(re.compile(r"/console/inbox"))
        answer = agent.request.get(f"/console/cases/{case_id}/export.zip")
        assert answer.status == 200 and answer.headers["content-type"] == "application/zip"
        zipped = _open(answer.body(), reference)
    finally:
        context.close()
    check_manifest(zipped)
    evidence = {
        p.rsplit("-", 1)[-1]: data for p, data in zipped.items() if p.startswith("evidence/")
    }
    assert evidence == {"聊天截图.png": PNG, "receipt.pdf": PDF}
    with desk.app.state.sessionmaker() as session:
        found = session.get(Case, case_id)
        assert found is not None
        assert [s.step for s in register.steps(session, found)][-1] == "exported"
