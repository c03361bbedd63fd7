"""The customer's and the agent's path around a check: the portal lists the customer's recent
withdrawals to check with one click, an answer that needs a person offers the new-request
form already filled in from the check (the customer's own checks only), the ticket page
says how the exchange knows a customer, and a rate-limited answer says when to try again."""

from __future__ import annotations

import html
import re
import socket
from typing import Any
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from ledgerdesk.chain.models import ChainCheck
from ledgerdesk.exchange.client import ExchangeClient, override_exchange
from ledgerdesk.tickets.models import Message, Ticket
from tests.conftest import make_customer
from tests.selfservice.conftest import DEMO_EMAIL, World
from tests.selfservice.test_api import DEPOSIT, demo_customer
from tests.selfservice.test_pages import LANGS, answer_of, language, readable, title
from tests.tickets.test_api import open_ticket, portal_login
from tests.tickets.test_views import console_login

ZH = {"Accept-Language": "zh-CN,zh;q=0.9"}


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def _picker_rows(page: str) -> list[str]:
    return re.findall(r'<li data-withdrawal="([^"]+)">', page)


def _draft(page: str) -> tuple[str, str]:
    subject = re.search(r'<input type="text" id="subject" name="subject" value="([^"]*)"', page)
    body = re.search(r'<textarea id="body"[^>]*>(.*?)</textarea>', page, re.S)
    assert subject and body, page[:2000]
    return html.unescape(subject.group(1)), html.unescape(body.group(1))


def _request_link(answer: str) -> str:
    found = re.search(r'<a class="button" href="([^"]+)" id="check-open-request">', answer)
    assert found, answer
    return html.unescape(found.group(1))


# --- 1. the withdrawal picker -------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
def test_the_portal_lists_recent_withdrawals_to_check_with_one_click(
    client: TestClient, app: Any, desk: World, lang: str
) -> None:
    demo_customer(app)
    language(client, lang)
    portal_login(client, app, DEMO_EMAIL)
    page = client.get("/portal/checks")
    assert page.status_code == 200
    rows = _picker_rows(page.text)
    assert {"W7000000101", "W7000000104", "W7000000105"} <= set(rows)
    picker = re.search(r'<form[^>]*id="withdrawal-picker".*?</form>', page.text, re.S)
    assert picker and 'action="/portal/checks/withdrawal"' in picker.group()
    shown = html.unescape(picker.group())
    # Each row: amount and asset, the network by name, the status in words, and its button.
    assert "250 USDT" in shown
    assert ("本地测试链 (EVM)" if lang == "zh-CN" else "Local devnet (EVM)") in shown
    assert ("冻结" in shown or "挂起" in shown) if lang == "zh-CN" else "On hold" in shown
    assert 'name="reference" value="W7000000101"' in shown
    assert 'id="wc-ref"' in page.text  # the free-text field stays
    readable(page.text, lang)
    # The button posts that withdrawal's id: the same check as typing it.
    clicked = client.post("/portal/checks/withdrawal", data={"reference": "W7000000101"})
    assert clicked.status_code == 200
    assert title("withdrawal", "on_hold", lang) in html.unescape(clicked.text)
    assert _picker_rows(clicked.text) == rows  # the list is there after the answer too


@pytest.mark.parametrize("lang", LANGS)
def test_without_an_exchange_the_portal_says_so_and_keeps_the_field(
    client: TestClient, app: Any, desk: World, lang: str
) -> None:
    demo_customer(app)
    language(client, lang)
    portal_login(client, app, DEMO_EMAIL)
    down = ExchangeClient(
        f"http://127.0.0.1:{_closed_port()}", "k", "s", allow_private=True, timeout=1.0
    )
    with override_exchange(down):
        page = client.get("/portal/checks")
    assert page.status_code == 200 and not _picker_rows(page.text)
    line = re.search(r'id="withdrawal-list-problem">([^<]+)<', page.text)
    assert line
    expected = "暂时无法加载您的提现列表" if lang == "zh-CN" else "cannot be loaded right now"
    assert expected in html.unescape(line.group(1))
    assert 'id="wc-ref"' in page.text
    readable(page.text, lang)


def test_a_desk_without_an_exchange_says_the_list_is_not_here(client: TestClient, app: Any) -> None:
    with app.state.sessionmaker() as session:
        customer = make_customer(session)
        session.commit()
        email = customer.email
    portal_login(client, app, email)
    page = client.get("/portal/checks")
    assert page.status_code == 200 and 'id="wc-ref"' in page.text
    assert "not available on this desk" in page.text
    language(client, "zh-CN")
    page = client.get("/portal/checks")
    assert "本服务台无法显示您的提现列表" in page.text
    readable(page.text, "zh-CN")


# --- 2. a request filled in from the check -------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
def test_an_answer_offers_a_request_filled_in_from_the_check(
    client: TestClient, app: Any, desk: World, lang: str
) -> None:
    customer = demo_customer(app)
    language(client, lang)
    portal_login(client, app, DEMO_EMAIL)
    small = desk.deposit("usdt_small")
    answer = client.post(
        "/portal/checks/deposit",
        data={"network": "devnet", "asset": "USDT", "tx_hash": small.tx_hash},
    )
    assert answer.status_code == 200
    link = _request_link(answer_of(answer.text))
    with app.state.sessionmaker() as session:
        check = session.scalars(
            select(ChainCheck)
            .where(ChainCheck.customer_id == customer.id)
            .order_by(ChainCheck.id.desc())
        ).first()
        assert check is not None and check.verdict == "below_minimum"
    assert link == f"/portal/tickets/new?check={check.id}"
    form = client.get(link)
    assert form.status_code == 200 and 'id="new-request-from-check"' in form.text
    subject, body = _draft(form.text)
    network = "本地测试链 (EVM)" if lang == "zh-CN" else "Local devnet (EVM)"
    verdict = title("deposit", "below_minimum", lang)
    assert network in subject and "USDT" in subject and verdict in subject
    assert network in body and small.tx_hash in body and verdict in body and "0.5" in body
    assert ("最小充值金额" if lang == "zh-CN" else "minimum deposit of") in body
    readable(form.text, lang)
    assert f'<input type="hidden" name="check" value="{check.id}">' in form.text
    # Sent as it is, it becomes the customer's request with the TxID whole, and the check
    # is on that request, where agents see its facts.
    sent = client.post(
        "/portal/tickets",
        data={"subject": subject, "body": body, "check": str(check.id)},
        follow_redirects=False,
    )
    assert sent.status_code == 303
    ticket_id = int(sent.headers["location"].rsplit("/", 1)[1])
    with app.state.sessionmaker() as session:
        ticket = session.get(Ticket, ticket_id)
        assert ticket is not None and ticket.subject == subject
        first = session.scalars(select(Message).where(Message.ticket_id == ticket_id)).first()
        assert first is not None and small.tx_hash in first.body
        linked = session.get(ChainCheck, check.id)
        assert linked is not None and linked.ticket_id == ticket_id


@pytest.mark.parametrize("lang", LANGS)
def test_a_failed_withdrawal_offers_a_request_naming_it(
    client: TestClient, app: Any, desk: World, lang: str
) -> None:
    demo_customer(app)
    language(client, lang)
    portal_login(client, app, DEMO_EMAIL)
    failed = client.post("/portal/checks/withdrawal", data={"reference": "W7000000104"})
    assert failed.status_code == 200
    result = re.search(
        r'<section class="card check-result[^>]*id="withdrawal-result".*?</section>',
        failed.text,
        re.S,
    )
    assert result
    subject, body = _draft(client.get(_request_link(result.group())).text)
    verdict = title("withdrawal", "failed", lang)
    assert "W7000000104" in subject and verdict in subject
    assert "W7000000104" in body and "300" in body and "tron" in body.lower()
    # A sent withdrawal needs nobody: no request offered.
    sent = client.post("/portal/checks/withdrawal", data={"reference": "W7000000102"})
    assert 'id="check-open-request"' not in sent.text


def test_an_answer_that_opened_a_request_links_it_instead(
    client: TestClient, app: Any, desk: World
) -> None:
    demo_customer(app)
    portal_login(client, app, DEMO_EMAIL)
    stuck = desk.deposit("usdt_stuck")
    answer = answer_of(
        client.post(
            "/portal/checks/deposit",
            data={"network": "devnet", "asset": "USDT", "tx_hash": stuck.tx_hash},
        ).text
    )
    assert 'id="check-ticket-link"' in answer and 'id="check-open-request"' not in answer


def test_another_customers_check_fills_nothing_in(
    client: TestClient, app: Any, desk: World
) -> None:
    demo_customer(app)
    portal_login(client, app, DEMO_EMAIL)
    small = desk.deposit("usdt_small")
    answer = client.post(
        "/portal/checks/deposit",
        data={"network": "devnet", "asset": "USDT", "tx_hash": small.tx_hash},
    )
    link = _request_link(answer_of(answer.text))
    client.cookies.clear()
    with app.state.sessionmaker() as session:
        other = make_customer(session)
        session.commit()
        email = other.email
    portal_login(client, app, email)
    form = client.get(link)
    assert form.status_code == 200
    assert _draft(form.text) == ("", "") and small.tx_hash not in form.text
    assert 'id="new-request-from-check"' not in form.text
    # Sent with that check's id anyway, the request is the other customer's and the check
    # stays where it was.
    check_id = int(link.rsplit("=", 1)[1])
    sent = client.post(
        "/portal/tickets",
        data={"subject": "mine", "body": "my own question", "check": str(check_id)},
        follow_redirects=False,
    )
    assert sent.status_code == 303
    with app.state.sessionmaker() as session:
        untouched = session.get(ChainCheck, check_id)
        assert untouched is not None and untouched.ticket_id is None
    # An id that is no check at all, and one that is not a number.
    assert _draft(client.get("/portal/tickets/new?check=2147483647").text) == ("", "")
    assert client.get("/portal/tickets/new?check=abc").status_code == 422


@pytest.mark.parametrize("lang", LANGS)
def test_signed_out_the_request_waits_behind_sign_in(
    client: TestClient, app: Any, desk: World, lang: str
) -> None:
    demo_customer(app)
    language(client, lang)
    small = desk.deposit("usdt_small")
    answer = answer_of(
        client.post(
            "/help/deposit-check",
            data={"network": "devnet", "asset": "USDT", "tx_hash": small.tx_hash},
        ).text
    )
    found = re.search(r'href="(/portal/login\?next=[^"]+)" id="check-open-request"', answer)
    assert found, answer
    target = html.unescape(found.group(1))
    check_id = int(target.rsplit("%3D", 1)[1])
    assert target == "/portal/login?next=" + quote(f"/portal/tickets/new?check={check_id}", "/")
    # The sign-in page carries next= through; once signed in, the form is filled in.
    login = client.get(target)
    assert login.status_code == 200
    assert f'value="/portal/tickets/new?check={check_id}"' in login.text
    portal_login(client, app, DEMO_EMAIL)
    subject, body = _draft(client.get(f"/portal/tickets/new?check={check_id}").text)
    assert small.tx_hash in body and title("deposit", "below_minimum", lang) in subject
    # Another browser, signed in as the same customer, did not make that check.
    client.cookies.clear()
    portal_login(client, app, DEMO_EMAIL)
    assert _draft(client.get(f"/portal/tickets/new?check={check_id}").text) == ("", "")


def test_a_signed_out_answer_that_the_account_could_settle_offers_sign_in_first(
    client: TestClient, desk: World
) -> None:
    tron = "3af3817619360af6aeefda04823874879eb18d3fb636c12c5523b859d311175a"
    answer = answer_of(
        client.post(
            "/help/deposit-check", data={"network": "tron", "asset": "USDT", "tx_hash": tron}
        ).text
    )
    assert 'id="check-sign-in"' in answer and 'id="check-open-request"' not in answer


# --- 3. the customer panel on the ticket page ---------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
def test_the_ticket_page_says_how_the_exchange_knows_the_customer(
    client: TestClient, app: Any, desk: World, seeded: dict[str, Any], lang: str
) -> None:
    demo_customer(app)
    ticket_id = int(open_ticket(client, seeded["agent_token"], DEMO_EMAIL)["id"])
    console_login(client, seeded["agent"].email)
    language(client, lang)
    page = client.get(f"/console/tickets/{ticket_id}")
    assert page.status_code == 200
    line = re.search(r'id="customer-exchange-id">(.*?)</div>', page.text, re.S)
    assert line
    shown = html.unescape(line.group(1))
    assert "email:" not in shown and "—" in shown
    assert (
        "已在交易所按邮箱匹配" if lang == "zh-CN" else "matched at the exchange by e-mail"
    ) in shown
    panel = client.get(f"/console/tickets/{ticket_id}/exchange")
    own_id = re.search(r'id="exchange-customer-id">([^<]+)<', panel.text)
    assert own_id and own_id.group(1) == desk.customer
    readable(panel.text, lang)


def test_a_customer_with_an_exchange_id_shows_it(
    client: TestClient, app: Any, seeded: dict[str, Any]
) -> None:
    with app.state.sessionmaker() as session:
        customer = make_customer(session, external_id="UID424242")
        session.commit()
        email = customer.email
    ticket_id = int(open_ticket(client, seeded["agent_token"], email)["id"])
    console_login(client, seeded["agent"].email)
    page = client.get(f"/console/tickets/{ticket_id}")
    line = re.search(r'id="customer-exchange-id">(.*?)</div>', page.text, re.S)
    assert line and "UID424242" in line.group(1) and "matched at the exchange" not in line.group(1)


# --- 5. Retry-After -----------------------------------------------------------------------


def _retry_after(response: Any, window: int) -> int:
    seconds = int(response.headers["Retry-After"])
    assert 1 <= seconds <= window
    return seconds


def test_the_self_service_api_says_when_to_try_again(
    client: TestClient, app: Any, desk: World
) -> None:
    before = app.state.settings
    app.state.settings = before.model_copy(update={"self_service_rate_limit": "2/minute"})
    try:
        body = {
            "network": "devnet",
            "asset": "ETH",
            "tx_hash": desk.deposit("eth_credited").tx_hash,
        }
        for _ in range(2):
            allowed = client.post(DEPOSIT, json=body)
            assert allowed.status_code == 200 and "Retry-After" not in allowed.headers
        refused = client.post(DEPOSIT, json=body)
        assert refused.status_code == 429
        _retry_after(refused, 60)
        assert "try again in 60 seconds" in refused.json()["error"]["message"]
        # The check pages render their own refusal: it carries the header too.
        page = client.post("/help/deposit-check", data=body, headers=ZH)
        assert page.status_code == 429 and _retry_after(page, 60)
        assert "秒" in page.text
    finally:
        app.state.settings = before


def test_the_portal_sign_in_code_says_when_to_try_again(client: TestClient, app: Any) -> None:
    before = app.state.settings
    app.state.settings = before.model_copy(update={"code_rate_limit": "1/minute"})
    try:
        email = {"email": "retry-after@example.com"}
        assert client.post("/portal/login/code", data=email).status_code == 200
        refused = client.post("/portal/login/code", data=email)
        assert refused.status_code == 429
        _retry_after(refused, 60)
    finally:
        app.state.settings = before
