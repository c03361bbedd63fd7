"""A portal customer is written to in the language they use the portal in: signing in and
opening a ticket store the portal's current language on the customer."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from ledgerdesk.accounts.models import Customer
from tests.conftest import unique
from tests.tickets.test_api import open_ticket, portal_login


def _locale(app: Any, email: str) -> str:
    with app.state.sessionmaker() as session:
        return str(session.scalars(select(Customer.locale).where(Customer.email == email)).one())


def _language(client: TestClient, lang: str) -> None:
    client.post("/lang", data={"lang": lang, "next": "/portal"})


def test_signing_in_on_the_chinese_portal_stores_chinese(client: TestClient, app: Any) -> None:
    email = f"{unique('zh')}@example.com"
    _language(client, "zh-CN")
    portal_login(client, app, email)  # the first sign-in creates the customer
    assert _locale(app, email) == "zh-CN"


def test_an_existing_customer_follows_the_portal_language(
    client: TestClient, app: Any, seeded: dict[str, Any]
) -> None:
    email = f"{unique('known')}@example.com"
    open_ticket(client, seeded["agent_token"], email)  # created by the API, in English
    assert _locale(app, email) == "en"
    _language(client, "zh-CN")
    portal_login(client, app, email)
    assert _locale(app, email) == "zh-CN"
    _language(client, "en")
    created = client.post(
        "/portal/tickets",
        data={"subject": "Deposit missing", "body": "My USDT deposit has not arrived."},
        follow_redirects=False,
    )
    assert created.status_code == 303, created.text
    assert _locale(app, email) == "en"
    _language(client, "zh-CN")
    client.post("/portal/tickets", data={"subject": "充值未到账", "body": "我的 USDT 充值没到账"})
    assert _locale(app, email) == "zh-CN"
