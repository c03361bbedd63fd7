"""The check pages (help center and portal) and the ticket's exchange panel, in English and
Chinese, against the demo world: the answer reads in the page's language, no stored key is
shown raw, refusals are translated and keep what was typed."""

from __future__ import annotations

import html
import re
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from ledgerdesk.chain.diagnosis import DEPOSIT_VERDICTS, WITHDRAWAL_VERDICTS
from ledgerdesk.chain.explain import verdict_texts
from ledgerdesk.chain.models import ChainCheck
from ledgerdesk.chain.types import ChainErrorKind
from ledgerdesk.exchange.client import ExchangeErrorKind
from tests.selfservice.conftest import DEMO_EMAIL, World
from tests.selfservice.test_api import demo_customer
from tests.tickets.test_api import open_ticket, portal_login
from tests.tickets.test_views import console_login
from tests.web.i18n_pages import visible_text

LANGS = ("en", "zh-CN")
# Keys a page must never show: verdicts, exchange statuses and reasons, error kinds.
RAW_KEYS = {
    key
    for key in (
        *DEPOSIT_VERDICTS,
        *WITHDRAWAL_VERDICTS,
        *verdict_texts()["hold_reasons"],
        *verdict_texts()["failure_reasons"],
        *ChainErrorKind,
        *ExchangeErrorKind,
        "on_hold",
    )
    if "_" in key
}
HAN = re.compile(r"[\u4e00-\u9fff]")


def title(kind: str, verdict: str, lang: str) -> str:
    return str(verdict_texts()[kind][verdict][lang]["title"])


def readable(page: str, lang: str) -> str:
    """The page's visible text, checked for raw keys (and for Chinese on a Chinese page)."""
    nodes = visible_text(page)
    text = html.unescape(" ".join(nodes))
    shown = {key for key in RAW_KEYS if re.search(rf"(?<![\w-]){re.escape(key)}(?![\w-])", text)}
    assert not shown, shown
    if lang == "zh-CN":
        assert HAN.search(text)
    return text


def language(client: TestClient, lang: str) -> None:
    client.post("/lang", data={"lang": lang, "next": "/"})


def answer_of(page: str) -> str:
    found = re.search(r'<section class="card check-result[^"]*"[^>]*>.*?</section>', page, re.S)
    assert found, page[:2000]
    return found.group()


@pytest.mark.parametrize("lang", LANGS)
def test_the_help_center_check_for_anyone(client: TestClient, desk: World, lang: str) -> None:
    language(client, lang)
    page = client.get("/help/deposit-check")
    assert page.status_code == 200
    text = readable(page.text, lang)
    assert ("充值" if lang == "zh-CN" else "deposit") in text
    assert 'value="devnet"' in page.text and 'id="dc-tx"' in page.text
    stuck = desk.deposit("usdt_stuck")
    form = {"network": "devnet", "asset": "USDT", "tx_hash": stuck.tx_hash}
    done = client.post("/help/deposit-check", data=form)
    assert done.status_code == 200
    result = answer_of(done.text)
    assert 'data-verdict="confirmed"' in result
    assert title("deposit", "confirmed", lang) in html.unescape(result)
    readable(done.text, lang)
    # What was typed stays in the form.
    assert f'value="{stuck.tx_hash}"' in done.text
    # A pending deposit: the wait is in words, never the key.
    pending = desk.deposit("eth_pending")
    waiting = client.post(
        "/help/deposit-check",
        data={"network": "devnet", "asset": "ETH", "tx_hash": pending.tx_hash},
    )
    assert title("deposit", "pending_confirmations", lang) in html.unescape(answer_of(waiting.text))
    readable(waiting.text, lang)
    # A network without a node: the answer and its facts in words.
    tron = "3af3817619360af6aeefda04823874879eb18d3fb636c12c5523b859d311175a"
    unchecked = client.post(
        "/help/deposit-check", data={"network": "tron", "asset": "USDT", "tx_hash": tron}
    )
    result = html.unescape(answer_of(unchecked.text))
    unconfigured = verdict_texts()["deposit"]["unavailable"][lang]["title_not_configured"]
    assert unconfigured in result and title("deposit", "unavailable", lang) not in result
    assert ("未配置" if lang == "zh-CN" else "Not configured") in result
    readable(unchecked.text, lang)


REFUSALS = [
    (
        {"network": "devnet", "tx_hash": "0x9Cf58fa15E4F2D4588319496752b000018123cee"},
        "dc-tx-error",
        "This is an address, not a transaction ID (TxID)",
        "这是地址，不是交易哈希（TxID）",
    ),
    (
        {"network": "bitcoin", "asset": "BTC"},
        "dc-tx-error",
        "This looks like a transaction ID from an EVM network",
        "EVM 网络的交易哈希",
    ),
    ({"asset": "DOGE"}, "dc-asset-error", "'DOGE' is not an asset we know", "未知币种“DOGE”"),
    (
        {"network": "dogechain"},
        None,
        "'dogechain' is not a network we support",
        "不支持网络“dogechain”",
    ),
]


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize(("typed", "where", "english", "chinese"), REFUSALS)
def test_a_refused_check_says_why_in_the_pages_language(
    client: TestClient,
    desk: World,
    lang: str,
    typed: dict[str, str],
    where: str | None,
    english: str,
    chinese: str,
) -> None:
    language(client, lang)
    form = {"network": "devnet", "asset": "ETH", "tx_hash": "0x" + "ab" * 32, **typed}
    page = client.post("/help/deposit-check", data=form)
    assert page.status_code == 422
    text = html.unescape(page.text)
    expected = chinese if lang == "zh-CN" else english
    assert expected in text, text[-3000:]
    if lang == "zh-CN":
        assert english not in text
    if where:
        assert f'id="{where}"' in page.text
    assert html.escape(form["tx_hash"], quote=True) in page.text  # the draft is kept
    readable(page.text, lang)


@pytest.mark.parametrize("lang", LANGS)
def test_a_signed_in_customer_checks_deposits_and_withdrawals(
    client: TestClient, app: Any, desk: World, lang: str
) -> None:
    demo_customer(app)
    language(client, lang)
    portal_login(client, app, DEMO_EMAIL)
    # The help center knows who is asking.
    small = desk.deposit("usdt_small")
    page = client.post(
        "/help/deposit-check", data={"network": "devnet", "asset": "USDT", "tx_hash": small.tx_hash}
    )
    assert page.status_code == 200
    assert title("deposit", "below_minimum", lang) in html.unescape(answer_of(page.text))
    readable(page.text, lang)
    elsewhere = desk.deposit("eth_elsewhere")
    page = client.post(
        "/portal/checks/deposit",
        data={"network": "devnet", "asset": "ETH", "tx_hash": elsewhere.tx_hash},
    )
    assert page.status_code == 200
    result = html.unescape(answer_of(page.text))
    assert title("deposit", "wrong_recipient", lang) in result
    assert "0x1111111111111111111111111111111111111111" in result
    readable(page.text, lang)
    overview = client.get("/portal/checks")
    assert overview.status_code == 200 and 'id="recent-checks"' in overview.text
    assert title("deposit", "wrong_recipient", lang) in html.unescape(overview.text)
    readable(overview.text, lang)
    held = client.post("/portal/checks/withdrawal", data={"reference": "W7000000101"})
    assert held.status_code == 200
    result = html.unescape(held.text)
    assert title("withdrawal", "on_hold", lang) in result
    hold = verdict_texts()["hold_reasons"]["2fa_reset"][lang]
    assert hold in result  # the reason in words, in the explanation
    text = readable(held.text, lang)
    assert ("冻结将于" if lang == "zh-CN" else "The hold ends") in text
    sent = client.post("/portal/checks/withdrawal", data={"reference": desk.demo.withdrawal_tx})
    assert title("withdrawal", "sent", lang) in html.unescape(sent.text)
    readable(sent.text, lang)
    cancelled = client.post("/portal/checks/withdrawal", data={"reference": "W7000000105"})
    assert title("withdrawal", "failed", lang) in html.unescape(cancelled.text)
    assert verdict_texts()["failure_reasons"]["cancelled"][lang] in html.unescape(cancelled.text)
    readable(cancelled.text, lang)
    unknown = client.post("/portal/checks/withdrawal", data={"reference": "W0000000000"})
    assert unknown.status_code == 404 and 'id="wc-ref-error"' in unknown.text
    message = "您没有编号或交易哈希为此值的提现" if lang == "zh-CN" else "No withdrawal of yours"
    assert message in html.unescape(unknown.text) and 'value="W0000000000"' in unknown.text
    readable(unknown.text, lang)


def test_the_portal_checks_need_a_signed_in_customer(client: TestClient, desk: World) -> None:
    for path in ("/portal/checks",):
        assert client.get(path, follow_redirects=False).status_code == 303
    for path, form in (
        ("/portal/checks/deposit", {"network": "devnet", "asset": "ETH", "tx_hash": "x"}),
        ("/portal/checks/withdrawal", {"reference": "W7000000101"}),
    ):
        refused = client.post(path, data=form, follow_redirects=False)
        assert refused.status_code == 303
        assert refused.headers["location"].startswith("/portal/login")


def _demo_ticket(client: TestClient, seeded: dict[str, Any], **extra: Any) -> int:
    return int(open_ticket(client, seeded["agent_token"], DEMO_EMAIL, **extra)["id"])


@pytest.mark.parametrize("lang", LANGS)
def test_the_ticket_panel_shows_the_exchange_and_runs_checks(
    client: TestClient, app: Any, desk: World, seeded: dict[str, Any], lang: str
) -> None:
    demo_customer(app)
    ticket_id = _demo_ticket(client, seeded)
    console_login(client, seeded["agent"].email)
    language(client, lang)
    panel = client.get(f"/console/tickets/{ticket_id}/exchange")
    assert panel.status_code == 200
    assert 'id="exchange-profile"' in panel.text and desk.customer in panel.text
    assert "W7000000101" in panel.text  # the last withdrawals
    readable(panel.text, lang)
    stuck = desk.deposit("usdt_stuck")
    form = {"network": "devnet", "asset": "USDT", "tx_hash": stuck.tx_hash}
    fragment = client.post(
        f"/console/tickets/{ticket_id}/chain-check", data=form, headers={"HX-Request": "true"}
    )
    assert fragment.status_code == 200 and "<html" not in fragment.text
    assert 'data-verdict="confirmed_not_credited"' in fragment.text
    assert title("deposit", "confirmed_not_credited", lang) in html.unescape(fragment.text)
    readable(fragment.text, lang)
    plain = client.post(
        f"/console/tickets/{ticket_id}/chain-check",
        data={"network": "devnet", "asset": "ETH", "tx_hash": desk.deposit("eth_pending").tx_hash},
        follow_redirects=False,
    )
    assert plain.status_code == 303
    assert plain.headers["location"] == f"/console/tickets/{ticket_id}#exchange-panel"
    ticket_page = client.get(plain.headers["location"])
    assert ("已查询充值" if lang == "zh-CN" else "Deposit checked") in ticket_page.text
    panel = client.get(f"/console/tickets/{ticket_id}/exchange")
    assert title("deposit", "pending_confirmations", lang) in html.unescape(panel.text)
    readable(panel.text, lang)
    with app.state.sessionmaker() as session:
        checks = session.scalars(
            select(ChainCheck).where(ChainCheck.ticket_id == ticket_id).order_by(ChainCheck.id)
        ).all()
        assert [c.verdict for c in checks] == ["confirmed_not_credited", "pending_confirmations"]
        assert all(c.requested_by == "agent" for c in checks)
    # Bad input comes back into the panel, translated, with what was typed.
    refused = client.post(
        f"/console/tickets/{ticket_id}/chain-check",
        data={**form, "asset": "DOGE"},
        headers={"HX-Request": "true"},
    )
    assert refused.status_code == 422
    expected = "未知币种“DOGE”" if lang == "zh-CN" else "'DOGE' is not an asset we know"
    assert expected in html.unescape(refused.text)
    assert 'value="DOGE"' in refused.text and stuck.tx_hash in refused.text
    readable(refused.text, lang)


def test_a_customer_the_exchange_does_not_know_and_an_exchange_that_is_down(
    client: TestClient, app: Any, desk: World, seeded: dict[str, Any]
) -> None:
    ticket_id = int(open_ticket(client, seeded["agent_token"], seeded["alice"].email)["id"])
    console_login(client, seeded["agent"].email)
    panel = client.get(f"/console/tickets/{ticket_id}/exchange")
    assert panel.status_code == 200 and "The exchange does not know this customer." in panel.text
    language(client, "zh-CN")
    panel = client.get(f"/console/tickets/{ticket_id}/exchange")
    assert "exchange does not know" not in panel.text
    readable(panel.text, "zh-CN")


def test_the_panel_is_for_agents_who_may_see_the_ticket(
    client: TestClient, app: Any, desk: World, seeded: dict[str, Any]
) -> None:
    demo_customer(app)
    ticket_id = _demo_ticket(client, seeded)
    form = {"network": "devnet", "asset": "ETH", "tx_hash": desk.deposit("eth_pending").tx_hash}

    def checks() -> int:
        with app.state.sessionmaker() as session:
            return int(
                session.scalar(
                    select(func.count())
                    .select_from(ChainCheck)
                    .where(ChainCheck.ticket_id == ticket_id)
                )
                or 0
            )

    anonymous = client.get(f"/console/tickets/{ticket_id}/exchange", follow_redirects=False)
    assert anonymous.status_code == 303 and "/console/login" in anonymous.headers["location"]
    refused = client.post(
        f"/console/tickets/{ticket_id}/chain-check", data=form, follow_redirects=False
    )
    assert refused.status_code == 303
    # The ticket's own customer, signed in to the portal, is no agent either.
    portal_login(client, app, DEMO_EMAIL)
    for response in (
        client.get(f"/console/tickets/{ticket_id}/exchange", follow_redirects=False),
        client.post(f"/console/tickets/{ticket_id}/chain-check", data=form, follow_redirects=False),
    ):
        assert response.status_code == 303
        assert "/console/login" in response.headers["location"]
    assert checks() == 0
    # An agent outside the ticket's team does not see it.
    client.cookies.clear()
    routed = _demo_ticket(client, seeded, team_id=seeded["security"])
    console_login(client, seeded["agent"].email)
    assert client.get(f"/console/tickets/{routed}/exchange").status_code == 404
    hidden = client.post(
        f"/console/tickets/{routed}/chain-check", data=form, headers={"HX-Request": "true"}
    )
    assert hidden.status_code == 404
    with app.state.sessionmaker() as session:
        assert not session.scalars(select(ChainCheck).where(ChainCheck.ticket_id == routed)).all()
