"""Console and portal pages over HTTP (the browser tests in tests/web drive the same pages in
Chromium): sign-in, redirects, refused input that keeps the draft, language switch."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.conftest import PASSWORD
from tests.tickets.test_api import open_ticket, portal_login


def console_login(client: TestClient, email: str) -> None:
    response = client.post(
        "/console/login", data={"email": email, "password": PASSWORD}, follow_redirects=False
    )
    assert response.status_code == 303, response.text


def test_console_requires_sign_in(client: TestClient) -> None:
    response = client.get("/console/inbox?view=open", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/console/login?next=/console/inbox")
    assert (
        client.get("/portal", follow_redirects=False)
        .headers["location"]
        .startswith("/portal/login")
    )


def test_wrong_password_keeps_email(client: TestClient, seeded: dict[str, Any]) -> None:
    response = client.post(
        "/console/login", data={"email": seeded["agent"].email, "password": "nope"}
    )
    assert response.status_code == 401
    assert "Wrong e-mail or password" in response.text and seeded["agent"].email in response.text


def test_login_is_rate_limited(client: TestClient) -> None:
    codes = [
        client.post("/console/login", data={"email": "x@y.io", "password": "p"}).status_code
        for _ in range(11)
    ]
    assert codes[:10] == [401] * 10 and codes[10] == 429


def test_open_redirect_is_refused(client: TestClient, seeded: dict[str, Any]) -> None:
    response = client.post(
        "/console/login",
        data={"email": seeded["agent"].email, "password": PASSWORD, "next": "//evil.example/x"},
        follow_redirects=False,
    )
    assert response.headers["location"] == "/console"


def test_reply_refused_keeps_draft_and_conversation(
    client: TestClient, seeded: dict[str, Any]
) -> None:
    ticket = open_ticket(client, seeded["agent_token"], seeded["alice"].email)
    console_login(client, seeded["agent"].email)
    page = client.post(
        f"/console/tickets/{ticket['id']}/reply",
        data={"body": "Draft I typed", "kind": "public", "status": "bogus"},
    )
    assert page.status_code == 422
    assert "Draft I typed" in page.text and "My BTC withdrawal is pending" in page.text
    empty = client.post(f"/console/tickets/{ticket['id']}/reply", data={"body": "  "})
    assert empty.status_code == 422 and "must not be empty" in empty.text
    ok = client.post(
        f"/console/tickets/{ticket['id']}/reply",
        data={"body": "Please send the TxID", "status": "pending"},
    )
    assert ok.status_code == 200 and "Please send the TxID" in ok.text
    assert "Reply sent" in ok.text


@pytest.mark.parametrize(
    "data",
    [
        {"assignee_id": "abc"},
        {"team_id": "-1"},
        {"priority": "max"},
        {"add_tags": "has/slash"},
    ],
)
def test_properties_bad_input(
    client: TestClient, seeded: dict[str, Any], data: dict[str, str]
) -> None:
    ticket = open_ticket(client, seeded["agent_token"], seeded["alice"].email)
    console_login(client, seeded["agent"].email)
    page = client.post(f"/console/tickets/{ticket['id']}/properties", data=data)
    assert page.status_code == 422 and 'class="flash error"' in page.text


def test_inbox_views_and_language_switch(client: TestClient, seeded: dict[str, Any]) -> None:
    open_ticket(client, seeded["agent_token"], seeded["alice"].email)
    console_login(client, seeded["agent"].email)
    for view in ("mine", "unassigned", "open", f"team:{seeded['l1']}", "solved", "all", "x"):
        assert client.get(f"/console/inbox?view={view}").status_code == 200
    assert client.get("/console/inbox?view=all&q=%00%01" + "z" * 300).status_code == 200
    switched = client.post("/lang", data={"lang": "zh-CN", "next": "/console/inbox"})
    assert "退出登录" in switched.text and 'lang="zh-CN"' in switched.text


def test_accept_language_on_first_visit(client: TestClient) -> None:
    page = client.get("/portal/login", headers={"Accept-Language": "zh-CN,zh;q=0.9"})
    assert 'lang="zh-CN"' in page.text and "发送登录验证码" in page.text


def test_portal_code_flow_and_rate_limit(
    client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="ledgerdesk.portal"):
        page = client.post("/portal/login/code", data={"email": "Flow@Example.com"})
    assert page.status_code == 200 and "flow@example.com" in page.text
    code = caplog.records[-1].getMessage().rsplit(" ", 1)[-1]
    wrong = client.post(
        "/portal/login/verify", data={"email": "flow@example.com", "code": "abcdef"}
    )
    assert wrong.status_code == 401 and "Wrong code" in wrong.text
    right = client.post(
        "/portal/login/verify",
        data={"email": "flow@example.com", "code": code},
        follow_redirects=False,
    )
    assert right.status_code == 303
    assert client.get("/portal").status_code == 200
    bad = client.post("/portal/login/code", data={"email": "not-an-address"})
    assert bad.status_code == 422
    statuses = [
        client.post("/portal/login/code", data={"email": "many@example.com"}).status_code
        for _ in range(6)
    ]
    assert statuses[:5] == [200] * 5 and statuses[5] == 429


def test_portal_submit_keeps_input_on_error(
    client: TestClient, app: Any, seeded: dict[str, Any]
) -> None:
    portal_login(client, app, seeded["alice"].email)
    page = client.post("/portal/tickets", data={"subject": "Deposit missing", "body": ""})
    assert page.status_code == 422 and "Deposit missing" in page.text
    bad_file = client.post(
        "/portal/tickets",
        data={"subject": "S", "body": "B"},
        files=[("files", ("run.exe", b"MZ\x90", "application/x-msdownload"))],
    )
    assert bad_file.status_code == 422 and "not an accepted type" in bad_file.text
    created = client.post(
        "/portal/tickets", data={"subject": "Deposit missing", "body": "500 USDT TRC20"}
    )
    assert created.status_code == 200 and "500 USDT TRC20" in created.text


def test_security_headers_and_offline_docs(client: TestClient) -> None:
    page = client.get("/portal/login")
    assert "script-src 'self';" in page.headers["content-security-policy"]
    assert page.headers["x-frame-options"] == "DENY"
    docs = client.get("/docs")
    assert "/static/swagger/swagger-ui-bundle.js" in docs.text and "cdn" not in docs.text.lower()
    assert client.get("/static/swagger/swagger-ui-bundle.js").status_code == 200


def test_production_never_logs_sign_in_codes(
    app: Any, client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    settings = app.state.settings
    app.state.settings = settings.model_copy(update={"env": "production"})
    try:
        with caplog.at_level(logging.DEBUG, logger="ledgerdesk.portal"):
            page = client.post("/portal/login/code", data={"email": "prod@example.com"})
    finally:
        app.state.settings = settings
    assert page.status_code == 503 and "not configured" in page.text
    assert not [r for r in caplog.records if "prod@example.com" in r.getMessage()]
